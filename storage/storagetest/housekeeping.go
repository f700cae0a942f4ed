package storagetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/webhook"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// purgeAll runs purge with a batch of one until it deletes nothing, as a caller repeats a
// purge while its batches come back full, and returns how many it deleted in all. A batch of
// one proves that the limit holds.
func purgeAll(t *testing.T, purge func(limit int) (int, error)) int {
	t.Helper()
	total := 0
	for range 100 {
		n, err := purge(1)
		require.NoError(t, err)
		require.LessOrEqual(t, n, 1, "a purge deletes at most limit rows")
		if n == 0 {
			return total
		}
		total += n
	}
	require.Fail(t, "the purge never ends")
	return total
}

// testHousekeeping checks the purges: each deletes what is done with, in batches of at most
// its limit, and keeps everything still needed; the notifications' purge keeps to its tenant.
func testHousekeeping(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	a := newWorld(t, s, "Tenant A")
	b := newWorld(t, s, "Tenant B")
	// at is "now" for every purge below; the worlds' records are from the hour before it.
	at := now().Add(time.Hour)

	t.Run("AuthSessions", func(t *testing.T) {
		sessions := map[string]*tenant.AuthSession{}
		for name, expires := range map[string]time.Time{"live": at.Add(time.Second), "expired": at.Add(-time.Second),
			"expiring now": at, "other tenant's expired": at.Add(-time.Hour)} {
			w := a
			if name == "other tenant's expired" {
				w = b
			}
			sessions[name] = w.newAuthSession(w.User.ID)
			sessions[name].ExpiresAt = expires
			require.NoError(t, s.CreateAuthSession(ctx, sessions[name]))
		}
		assert.Equal(t, 3, purgeAll(t, func(limit int) (int, error) { return s.PurgeAuthSessions(ctx, at, limit) }))
		for name, sess := range sessions {
			_, err := s.GetAuthSession(ctx, sess.TokenHash)
			if name == "live" {
				assert.NoError(t, err, "the live session is kept")
			} else {
				assert.ErrorIs(t, err, storage.ErrNotFound, "the %s session is purged", name)
			}
		}
	})

	before := at.Add(-time.Hour)
	// links are the one-time links' cases: used or expiring at, and whether the purge at
	// before keeps them.
	links := []struct {
		name          string
		used, expires time.Time
		keep          bool
	}{
		{name: "unused and live", expires: at.Add(time.Hour), keep: true},
		{name: "unused, expired after before", expires: before.Add(time.Second), keep: true},
		{name: "unused, expired before before", expires: before.Add(-time.Second)},
		{name: "used after before", used: before.Add(time.Second), expires: at.Add(time.Hour), keep: true},
		{name: "used before before", used: before.Add(-time.Second), expires: at.Add(time.Hour)},
	}

	t.Run("UserTokens", func(t *testing.T) {
		tokens := make([]*tenant.UserToken, len(links))
		for i, l := range links {
			tokens[i] = a.newUserToken(a.User.ID, tenant.PurposeInvitation)
			tokens[i].ExpiresAt = l.expires
			if !l.used.IsZero() {
				tokens[i].UsedAt = ptr(l.used)
			}
			require.NoError(t, s.CreateUserToken(ctx, tokens[i]))
		}
		assert.Equal(t, 2, purgeAll(t, func(limit int) (int, error) { return s.PurgeUserTokens(ctx, before, limit) }))
		for i, l := range links {
			_, err := s.GetUserToken(ctx, tokens[i].Hash)
			if l.keep {
				assert.NoError(t, err, "the token %s is kept", l.name)
			} else {
				assert.ErrorIs(t, err, storage.ErrNotFound, "the token %s is purged", l.name)
			}
		}
	})

	t.Run("RequestLinks", func(t *testing.T) {
		ids := make([]uuid.UUID, len(links))
		for i, l := range links {
			ids[i] = newID()
			rl := &ticket.RequestLink{ID: ids[i], TenantID: b.Tenant.ID, DeviceID: b.Device.ID,
				Contact:   ticket.Contact{Name: "Nina Nurse", Email: "nina@example.com"},
				CreatedBy: tenant.Ref{Kind: tenant.ActorEmployee, ID: b.User.ID, Name: b.User.Name},
				ExpiresAt: l.expires, CreatedAt: b.tick()}
			if !l.used.IsZero() {
				rl.UsedAt, rl.TicketID = ptr(l.used), b.Ticket.ID
			}
			require.NoError(t, s.CreateRequestLink(ctx, rl))
		}
		assert.Equal(t, 2, purgeAll(t, func(limit int) (int, error) { return s.PurgeRequestLinks(ctx, before, limit) }))
		for i, l := range links {
			_, err := s.GetRequestLink(ctx, b.Tenant.ID, ids[i])
			if l.keep {
				assert.NoError(t, err, "the link %s is kept", l.name)
			} else {
				assert.ErrorIs(t, err, storage.ErrNotFound, "the link %s is purged", l.name)
			}
		}
	})

	t.Run("LoginFailures", func(t *testing.T) {
		window := 24 * time.Hour // long enough that no record below restarts its window
		for key, since := range map[string]time.Time{"old": before.Add(-time.Second), "recent": before.Add(time.Second)} {
			_, _, err := s.RecordLoginFailure(ctx, a.Tenant.ID, key, since, window)
			require.NoError(t, err)
			_, _, err = s.RecordLoginFailure(ctx, a.Tenant.ID, key, since.Add(time.Millisecond), window)
			require.NoError(t, err)
		}
		assert.Equal(t, 1, purgeAll(t, func(limit int) (int, error) { return s.PurgeLoginFailures(ctx, before, limit) }))
		count, _, err := s.LoginFailures(ctx, a.Tenant.ID, "old")
		require.NoError(t, err)
		assert.Zero(t, count, "the old window is purged")
		count, _, err = s.LoginFailures(ctx, a.Tenant.ID, "recent")
		require.NoError(t, err)
		assert.Equal(t, 2, count, "the recent window still counts")
	})

	t.Run("IdempotencyKeys", func(t *testing.T) {
		records := []struct {
			key           string
			created, lock time.Time
			keep, done    bool
		}{
			{key: "old", created: before.Add(-time.Minute), lock: before, done: true},
			{key: "old, abandoned by its instance", created: before.Add(-time.Minute), lock: before},
			{key: "recent", created: before.Add(time.Second), lock: at.Add(-time.Minute), done: true, keep: true},
			{key: "old but held", created: before.Add(-time.Minute), lock: at.Add(time.Minute), keep: true},
		}
		for _, r := range records {
			held, err := s.ClaimIdempotencyKey(ctx, &storage.IdempotencyRecord{TenantID: a.Tenant.ID, Principal: "user:1",
				Key: r.key, Fingerprint: "fp", CreatedAt: r.created, LockedUntil: r.lock}, time.Time{})
			require.NoError(t, err)
			require.Nil(t, held)
			if r.done {
				require.NoError(t, s.FinishIdempotencyKey(ctx, a.Tenant.ID, "user:1", r.key, 201, nil, []byte("{}")))
			}
		}
		assert.Equal(t, 2, purgeAll(t, func(limit int) (int, error) { return s.PurgeIdempotencyKeys(ctx, before, at, limit) }))
		for _, r := range records {
			// A claim finds the record still there (finished, or held), or inserts it anew when
			// it is gone; the abandoned one it would take over, so it is not asked.
			if !r.done && !r.keep {
				continue
			}
			held, err := s.ClaimIdempotencyKey(ctx, &storage.IdempotencyRecord{TenantID: a.Tenant.ID, Principal: "user:1",
				Key: r.key, Fingerprint: "fp", CreatedAt: at, LockedUntil: at}, time.Time{})
			require.NoError(t, err)
			assert.Equal(t, r.keep, held != nil, "record %q kept", r.key)
		}
	})

	t.Run("WebhookDeliveries", func(t *testing.T) {
		e := a.addWebhookEndpoint("https://erp.example.com/hooks")
		deliveries := []struct {
			state   webhook.State
			created time.Time
			keep    bool
		}{
			{state: webhook.Delivered, created: before.Add(-time.Second)},
			{state: webhook.Failed, created: before.Add(-time.Second)},
			{state: webhook.Pending, created: before.Add(-time.Second), keep: true},
			{state: webhook.Delivered, created: before.Add(time.Second), keep: true},
		}
		ds := make([]*webhook.Delivery, len(deliveries))
		for i, d := range deliveries {
			ds[i] = a.newWebhookDelivery(e, at.Add(time.Hour))
			ds[i].State, ds[i].CreatedAt = d.state, d.created
		}
		require.NoError(t, s.EnqueueWebhookDeliveries(ctx, ds))
		assert.Equal(t, 2, purgeAll(t, func(limit int) (int, error) { return s.PurgeWebhookDeliveries(ctx, before, limit) }))
		for i, d := range deliveries {
			_, err := s.GetWebhookDelivery(ctx, a.Tenant.ID, ds[i].ID)
			if d.keep {
				assert.NoError(t, err, "the %s delivery of %s is kept", d.state, d.created)
			} else {
				assert.ErrorIs(t, err, storage.ErrNotFound, "the %s delivery of %s is purged", d.state, d.created)
			}
		}
	})

	t.Run("Notifications", func(t *testing.T) {
		old, recent := before.Add(-time.Second), before.Add(time.Second)
		cases := []struct {
			name    string
			w       *world
			channel notify.Channel
			status  notify.Status
			created time.Time
			read    bool
			keep    bool
		}{
			{name: "old sent", w: a, channel: notify.Email, status: notify.StatusSent, created: old},
			{name: "old delivered", w: a, channel: notify.SMS, status: notify.StatusDelivered, created: old},
			{name: "old failed", w: a, channel: notify.Email, status: notify.StatusFailed, created: old},
			{name: "old read in-app", w: a, channel: notify.InApp, status: notify.StatusSent, created: old, read: true},
			{name: "old unread in-app", w: a, channel: notify.InApp, status: notify.StatusSent, created: old, keep: true},
			{name: "old pending", w: a, channel: notify.Email, status: notify.StatusPending, created: old, keep: true},
			{name: "recent sent", w: a, channel: notify.Email, status: notify.StatusSent, created: recent, keep: true},
			{name: "recent failed", w: a, channel: notify.Email, status: notify.StatusFailed, created: recent, keep: true},
			{name: "other tenant's old sent", w: b, channel: notify.Email, status: notify.StatusSent, created: old, keep: true},
		}
		ns := make([]*notify.Notification, len(cases))
		for i, c := range cases {
			ns[i] = c.w.newNotification(c.channel, c.created)
			ns[i].Status, ns[i].CreatedAt = c.status, c.created
			if c.read {
				ns[i].ReadAt = ptr(c.created)
			}
			c.w.enqueue(ns[i])
		}
		assert.Equal(t, 4, purgeAll(t, func(limit int) (int, error) {
			return s.PurgeNotifications(ctx, a.Tenant.ID, before, limit)
		}))
		for i, c := range cases {
			_, err := s.GetNotification(ctx, c.w.Tenant.ID, ns[i].ID)
			if c.keep {
				assert.NoError(t, err, "the %s notification is kept", c.name)
			} else {
				assert.ErrorIs(t, err, storage.ErrNotFound, "the %s notification is purged", c.name)
			}
		}
		unread, err := s.CountUnread(ctx, a.Tenant.ID, a.User.ID)
		require.NoError(t, err)
		assert.Equal(t, 1, unread, "the bell still counts the unread notification")
	})

	t.Run("ConcurrentPurges", func(t *testing.T) {
		const n = 40
		d := newWorld(t, s, "Tenant D")
		ns := make([]*notify.Notification, n)
		for i := range ns {
			ns[i] = d.newNotification(notify.Email, before)
			ns[i].Status, ns[i].CreatedAt = notify.StatusSent, before.Add(-time.Minute)
		}
		d.enqueue(ns...)
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 4 {
			wg.Go(func() {
				for {
					got, err := s.PurgeNotifications(ctx, d.Tenant.ID, before, 3)
					if !assert.NoError(t, err) || got == 0 {
						return
					}
					mu.Lock()
					total += got
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		assert.Equal(t, n, total, "every row is deleted once, by one of the purges")
	})

	t.Run("ListTenants", func(t *testing.T) {
		c := newWorld(t, s, "Tenant C")
		var got []uuid.UUID
		after := uuid.Nil
		for {
			page, err := s.ListTenants(ctx, after, 2)
			require.NoError(t, err)
			require.LessOrEqual(t, len(page), 2)
			if len(page) == 0 {
				break
			}
			for _, tn := range page {
				got = append(got, tn.ID)
			}
			after = page[len(page)-1].ID
		}
		assert.Len(t, got, 4, "tenants A to D")
		assert.Subset(t, got, []uuid.UUID{a.Tenant.ID, b.Tenant.ID, c.Tenant.ID})
		assert.IsIncreasing(t, uuidStrings(got), "by ID")
	})

	t.Run("ReferencedBlobs", func(t *testing.T) {
		att := a.addAttachment(a.Ticket.ID, uuid.Nil, ticket.Public)
		code := a.newCode(a.Device.ID)
		code.Appearance.Logo = a.Tenant.ID.String() + "/codes/" + code.ID.String() + "/logo-1"
		require.NoError(t, s.CreateCode(ctx, code))
		form := func(name string) *tenant.File {
			return &tenant.File{Key: b.Tenant.ID.String() + "/form/" + name, Name: name, ContentType: "image/png", Size: 1}
		}
		tn, err := s.GetTenant(ctx, b.Tenant.ID)
		require.NoError(t, err)
		tn.Settings.Form.Logo, tn.Settings.Form.Background, tn.Settings.Form.Report = form("logo"), form("background"), form("report")
		require.NoError(t, s.UpdateTenant(ctx, tn))

		referenced := []string{att.Key, code.Appearance.Logo, tn.Settings.Form.Logo.Key, tn.Settings.Form.Background.Key,
			tn.Settings.Form.Report.Key}
		orphans := []string{a.Tenant.ID.String() + "/" + a.Ticket.ID.String() + "/" + newID().String(),
			b.Tenant.ID.String() + "/form/logo-old"}
		got, err := s.ReferencedBlobs(ctx, append(append([]string{}, referenced...), orphans...))
		require.NoError(t, err)
		for _, k := range referenced {
			assert.True(t, got[k], "%s is referenced", k)
		}
		for _, k := range orphans {
			assert.False(t, got[k], "%s is an orphan", k)
		}
		got, err = s.ReferencedBlobs(ctx, nil)
		require.NoError(t, err)
		assert.Empty(t, got)
	})
}

func uuidStrings(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}
