package helpdesk_test

import (
	"bytes"
	"context"
	"io"
	"path"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/internal/pgtest"
	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/webhook"
)

// housekeepingDesk is a fixture whose Desk keeps its files in a blob.Mem dated by the fixture's
// clock, purging in batches of two so that every purge runs several statements.
func housekeepingDesk(t *testing.T, s *bunstore.Store) (*fixture, *blob.Mem) {
	t.Helper()
	f := newFixture(t, s)
	files := blob.NewMem()
	files.Now = f.clock.Now
	f.desk = deskOn(t, f, helpdesk.Config{Blobs: files, SecretKeys: [][]byte{testKey}, MaxLoginFailures: 3,
		Housekeeping: helpdesk.HousekeepingConfig{BatchSize: 2}})
	return f, files
}

// outboxRow is a notification of the fixture's tenant to user as the outbox keeps it.
func outboxRow(f *fixture, user tenant.Actor, ch notify.Channel, st notify.Status, read bool) *notify.Notification {
	now := f.clock.Now().UTC()
	id := uuid.Must(uuid.NewV7())
	n := &notify.Notification{Message: notify.Message{ID: id, IdempotencyKey: "helpdesk-" + id.String(), TenantID: f.tenant.ID,
		Event: notify.TicketAccepted, Channel: ch, To: notify.Address{UserID: user.UserID, Email: "ada@acme.example"},
		Language: "en", Subject: "Accepted", Text: "Accepted"}, Status: st, NextAttemptAt: now, CreatedAt: now}
	if read {
		n.ReadAt = &now
	}
	return n
}

// TestHousekeepOnce builds a world with one record of each kind the housekeeping purges, some
// done with and some still needed, and checks that one run deletes the former and that every
// one of the latter still works.
func TestHousekeepOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f, files := housekeepingDesk(t, s)
		d := f.desk
		settings := f.tenant.Settings
		settings.NotificationRetentionDays = 10
		_, err := updateSettings(ctx, d, f.admin, settings)
		require.NoError(t, err)
		require.NoError(t, d.SetPassword(ctx, f.admin, f.agent.UserID, peoplePassword))
		agent, err := d.User(ctx, f.admin, f.agent.UserID)
		require.NoError(t, err)

		// Forty days ago: what the run must delete.
		oldSession, err := d.SignIn(ctx, f.tenant.ID, agent.Email, peoplePassword)
		require.NoError(t, err)
		_, usedInvitation := invite(t, d, f, uuid.Nil)
		_, err = d.AcceptInvitation(ctx, usedInvitation.Token, peoplePassword)
		require.NoError(t, err)
		_, expiredInvitation := invite(t, d, f, uuid.Nil)
		_, err = d.SignIn(ctx, f.tenant.ID, "nobody@acme.example", "wrong")
		require.ErrorIs(t, err, helpdesk.ErrBadCredentials)
		require.NoError(t, idempotent(ctx, d, f.admin, "old-key"))
		oldNotes := []*notify.Notification{
			outboxRow(f, f.admin, notify.Email, notify.StatusSent, false),
			outboxRow(f, f.admin, notify.SMS, notify.StatusFailed, false),
			outboxRow(f, f.admin, notify.InApp, notify.StatusSent, true),
		}
		unreadBell := outboxRow(f, f.admin, notify.InApp, notify.StatusSent, false)
		pendingOld := outboxRow(f, f.admin, notify.Email, notify.StatusPending, false)
		pendingOld.NextAttemptAt = f.clock.Now().Add(365 * 24 * time.Hour)
		require.NoError(t, s.EnqueueNotifications(ctx, append(oldNotes, unreadBell, pendingOld)))
		at := f.clock.Now().UTC()
		endpoint := &webhook.Endpoint{ID: uuid.Must(uuid.NewV7()), TenantID: f.tenant.ID, URL: "https://erp.example.com/hooks",
			Active: true, SealedSecret: "sealed", CreatedAt: at, UpdatedAt: at, Version: 1}
		require.NoError(t, s.CreateWebhookEndpoint(ctx, endpoint))
		delivery := func(st webhook.State) *webhook.Delivery {
			id := uuid.Must(uuid.NewV7())
			return &webhook.Delivery{ID: id, TenantID: f.tenant.ID, EndpointID: endpoint.ID, MessageID: "msg_" + id.String(),
				Event: string(notify.TicketAssigned), Payload: []byte(`{}`), State: st, NextAttemptAt: at.Add(365 * 24 * time.Hour), CreatedAt: at}
		}
		oldDelivered, stillPending := delivery(webhook.Delivered), delivery(webhook.Pending)
		require.NoError(t, s.EnqueueWebhookDeliveries(ctx, []*webhook.Delivery{oldDelivered, stillPending}))
		tk := f.ticketIn(t, ticket.StateAssigned)
		photo, err := d.UploadMedia(ctx, f.link(t, tk), tk.ID, upload("photo.jpg", jpegFile))
		require.NoError(t, err)
		orphan := path.Join(f.tenant.ID.String(), tk.ID.String(), uuid.Must(uuid.NewV7()).String())
		foreign := []string{"other-app/report.pdf", path.Join(uuid.Must(uuid.NewV7()).String(), "not-our-tenant")}
		for _, k := range append([]string{orphan}, foreign...) {
			require.NoError(t, files.Put(ctx, k, bytes.NewReader([]byte("x")), ""))
		}

		// Now: what the run must keep.
		f.clock.Advance(40 * 24 * time.Hour)
		liveSession, err := d.SignIn(ctx, f.tenant.ID, agent.Email, peoplePassword)
		require.NoError(t, err)
		_, liveInvitation := invite(t, d, f, uuid.Nil)
		for range 3 {
			_, err = d.SignIn(ctx, f.tenant.ID, agent.Email, "wrong")
			require.ErrorIs(t, err, helpdesk.ErrBadCredentials)
		}
		require.NoError(t, idempotent(ctx, d, f.admin, "new-key"))
		// Failed yesterday: well within the tenant's ten days.
		recentFailed := outboxRow(f, f.admin, notify.Email, notify.StatusFailed, false)
		recentFailed.CreatedAt = recentFailed.CreatedAt.Add(-24 * time.Hour)
		require.NoError(t, s.EnqueueNotifications(ctx, []*notify.Notification{recentFailed}))
		inFlight := path.Join(f.tenant.ID.String(), tk.ID.String(), uuid.Must(uuid.NewV7()).String())
		require.NoError(t, files.Put(ctx, inFlight, bytes.NewReader([]byte("uploading")), ""))

		r, err := d.HousekeepOnce(ctx)
		require.NoError(t, err)
		// The old session and the one accepting the invitation made.
		assert.Equal(t, helpdesk.HousekeepingReport{AuthSessions: 2, UserTokens: 2, LoginFailures: 1, IdempotencyKeys: 1,
			WebhookDeliveries: 1, Notifications: 3, Blobs: 1}, r)

		// Gone.
		_, err = s.GetAuthSession(ctx, secret.Hash(oldSession.Token))
		assert.ErrorIs(t, err, storage.ErrNotFound, "the expired session")
		for _, l := range []*helpdesk.OneTimeLink{usedInvitation, expiredInvitation} {
			_, err = s.GetUserToken(ctx, secret.Hash(l.Token))
			assert.ErrorIs(t, err, storage.ErrNotFound, "a used or expired invitation")
		}
		for _, n := range oldNotes {
			_, err = s.GetNotification(ctx, f.tenant.ID, n.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound, "the old %s %s notification", n.Status, n.Channel)
		}
		_, err = s.GetWebhookDelivery(ctx, f.tenant.ID, oldDelivered.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "the old delivery")
		_, err = files.Open(ctx, orphan)
		assert.ErrorIs(t, err, blob.ErrNotFound, "the orphaned file")

		// Still there, and still working.
		actor, err := d.Authenticate(ctx, liveSession.Token)
		require.NoError(t, err, "the live session still authenticates")
		assert.Equal(t, f.agent.UserID, actor.UserID)
		_, err = d.AcceptInvitation(ctx, liveInvitation.Token, peoplePassword)
		assert.NoError(t, err, "the unused invitation still accepts")
		_, err = d.SignIn(ctx, f.tenant.ID, agent.Email, peoplePassword)
		assert.ErrorIs(t, err, helpdesk.ErrTooManyAttempts, "the recent failures still throttle")
		replay, err := d.BeginIdempotent(ctx, f.admin, "new-key", "fp")
		require.NoError(t, err)
		if assert.NotNil(t, replay, "the recent idempotency record still replays") {
			assert.Equal(t, `{"ok":true}`, string(replay.Body))
		}
		bell, err := d.Inbox(ctx, f.admin, storage.PageRequest{})
		require.NoError(t, err)
		if assert.Len(t, bell.Items, 1, "the unread bell notification is still listed") {
			assert.Equal(t, unreadBell.ID, bell.Items[0].ID)
		}
		_, err = s.GetNotification(ctx, f.tenant.ID, pendingOld.ID)
		assert.NoError(t, err, "the pending notification")
		_, err = d.RetryNotification(ctx, f.admin, recentFailed.ID)
		assert.NoError(t, err, "the recent failed notification is still retryable")
		_, err = s.GetWebhookDelivery(ctx, f.tenant.ID, stillPending.ID)
		assert.NoError(t, err, "the pending delivery")
		_, rc, err := d.OpenAttachment(ctx, f.admin, photo.ID)
		if assert.NoError(t, err, "the referenced file is still readable") {
			body, err := io.ReadAll(rc)
			require.NoError(t, err)
			assert.Equal(t, jpegFile, body)
			require.NoError(t, rc.Close())
		}
		for _, k := range append([]string{inFlight}, foreign...) {
			_, err := files.Open(ctx, k)
			assert.NoError(t, err, "%s is kept", k)
		}

		again, err := d.HousekeepOnce(ctx)
		require.NoError(t, err)
		assert.Zero(t, again, "a second run finds nothing more")
	})
}

// idempotent runs a request under key for actor, as the API does, storing its response.
func idempotent(ctx context.Context, d *helpdesk.Desk, actor tenant.Actor, key string) error {
	if _, err := d.BeginIdempotent(ctx, actor, key, "fp"); err != nil {
		return err
	}
	return d.FinishIdempotent(ctx, actor, key, helpdesk.StoredResponse{Status: 200, Body: []byte(`{"ok":true}`)})
}

// TestHousekeepOnceConcurrently runs two Desks' housekeeping on one database at once: both
// succeed, and between them they delete each purgeable row once.
func TestHousekeepOnceConcurrently(t *testing.T) {
	for _, e := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "helpdesk.db") }},
		{"postgres", func(t *testing.T) string { return pgtest.Schema(t) }},
	} {
		t.Run(e.name, func(t *testing.T) {
			ctx := t.Context()
			dsn := e.dsn(t)
			first := openStore(t, dsn)
			f, _ := housekeepingDesk(t, first)
			// A second store on the same database, as another process would have.
			second := openStore(t, dsn)
			other, err := helpdesk.New(second, &helpdesk.Config{Now: f.clock.Now, Blobs: blob.NewMem(), SecretKeys: [][]byte{testKey},
				Housekeeping: helpdesk.HousekeepingConfig{BatchSize: 2}})
			require.NoError(t, err)
			const rows = 40
			ns := make([]*notify.Notification, rows)
			for i := range ns {
				ns[i] = outboxRow(f, f.admin, notify.Email, notify.StatusSent, false)
			}
			require.NoError(t, first.EnqueueNotifications(ctx, ns))
			for range rows {
				_, err := f.desk.SignIn(ctx, f.tenant.ID, "nobody-"+uuid.NewString()+"@acme.example", "wrong")
				require.ErrorIs(t, err, helpdesk.ErrBadCredentials)
			}
			f.clock.Advance(100 * 24 * time.Hour)

			reports := make([]helpdesk.HousekeepingReport, 2)
			var wg sync.WaitGroup
			for i, d := range []*helpdesk.Desk{f.desk, other} {
				wg.Go(func() {
					var err error
					reports[i], err = d.HousekeepOnce(ctx)
					assert.NoError(t, err, "desk %d", i)
				})
			}
			wg.Wait()
			assert.Equal(t, rows, reports[0].Notifications+reports[1].Notifications, "every notification deleted once")
			assert.Equal(t, rows, reports[0].LoginFailures+reports[1].LoginFailures, "every failure count deleted once")
			page, err := first.ListNotifications(ctx, f.tenant.ID, storage.NotificationFilter{}, storage.PageRequest{})
			require.NoError(t, err)
			assert.Empty(t, page.Items)
		})
	}
}

func TestHousekeepingConfig(t *testing.T) {
	s := openSQLite(t)
	tests := []struct {
		name string
		cfg  helpdesk.HousekeepingConfig
		err  string
	}{
		{name: "zero: the defaults", cfg: helpdesk.HousekeepingConfig{}},
		{name: "negative batch", cfg: helpdesk.HousekeepingConfig{BatchSize: -1}, err: "Config.Housekeeping.BatchSize is negative"},
		{name: "negative interval", cfg: helpdesk.HousekeepingConfig{Interval: -time.Second}, err: "Config.Housekeeping.Interval is negative"},
		{name: "negative grace", cfg: helpdesk.HousekeepingConfig{BlobGrace: -time.Second}, err: "Config.Housekeeping.BlobGrace is negative"},
		{name: "links kept shorter than idempotency records", cfg: helpdesk.HousekeepingConfig{LinkGrace: time.Hour},
			err: "Config.Housekeeping.LinkGrace 1h0m0s is shorter than IdempotencyRetention"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := helpdesk.New(s, &helpdesk.Config{Blobs: blob.NewMem(), SecretKeys: [][]byte{testKey}, Housekeeping: tt.cfg})
			if tt.err == "" {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, tt.err)
			}
		})
	}
}

// TestNotificationRetentionSetting checks the tenant setting's bounds and default.
func TestNotificationRetentionSetting(t *testing.T) {
	f := newFixture(t, openSQLite(t))
	ctx := t.Context()
	tests := []struct {
		days  int
		valid bool
		want  time.Duration
	}{
		{days: -1},
		{days: 0, valid: true, want: 90 * 24 * time.Hour},
		{days: 1, valid: true, want: 24 * time.Hour},
		{days: 3650, valid: true, want: 3650 * 24 * time.Hour},
		{days: 3651},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.days), func(t *testing.T) {
			st := f.tenant.Settings
			st.NotificationRetentionDays = tt.days
			got, err := updateSettings(ctx, f.desk, f.admin, st)
			if !tt.valid {
				assertField(t, err, "notification_retention_days")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Settings.NotificationRetention())
		})
	}
}
