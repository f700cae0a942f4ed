package storagetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newNotification returns a pending notification of w's tenant on ch to the world's user about
// the world's ticket, due at due, with every message field set. A store reads the embedded
// Message's Attempt back as Attempts (both count the attempts made), so the two agree here.
func (w *world) newNotification(ch notify.Channel, due time.Time) *notify.Notification {
	id := newID()
	return &notify.Notification{
		Message: notify.Message{
			ID: id, IdempotencyKey: "helpdesk-" + id.String(), TenantID: w.Tenant.ID,
			Event: notify.TicketAccepted, Channel: ch,
			To:       notify.Address{UserID: w.User.ID, Name: w.User.Name, Email: w.User.Email, Phone: w.User.Phone},
			Language: "de", Subject: "Ticket T-000001 angenommen", Text: "Ada kümmert sich um Ihr Ticket.",
			HTML: "<p>Ada kümmert sich um <b>Ihr Ticket</b>.</p>", HeaderImage: "https://example.com/header.png",
			Link: "https://help.example.com/t/" + w.Ticket.ID.String(), TicketID: w.Ticket.ID,
		},
		Status: notify.StatusPending, NextAttemptAt: due, CreatedAt: w.tick(),
	}
}

// enqueue stores ns in one call.
func (w *world) enqueue(ns ...*notify.Notification) []*notify.Notification {
	w.t.Helper()
	require.NoError(w.t, w.q.EnqueueNotifications(w.ctx, ns), "setup: enqueue %d notifications", len(ns))
	return ns
}

// addNotification enqueues a pending notification on ch, due at due.
func (w *world) addNotification(ch notify.Channel, due time.Time) *notify.Notification {
	w.t.Helper()
	return w.enqueue(w.newNotification(ch, due))[0]
}

// newSent returns a notification on ch that a provider accepted under a fresh provider ID.
func (w *world) newSent(ch notify.Channel) *notify.Notification {
	n := w.newNotification(ch, w.tick())
	n.Status, n.Attempts, n.Attempt = notify.StatusSent, 1, 1
	n.ProviderID = "SM" + newHash()[:32]
	n.SentAt = ptr(w.tick())
	return n
}

func notificationIDs(ns []*notify.Notification) []uuid.UUID {
	var ids []uuid.UUID // nil when empty, like the want lists it is compared with
	for _, n := range ns {
		ids = append(ids, n.ID)
	}
	return ids
}

func notificationID(n *notify.Notification) uuid.UUID { return n.ID }

// matchNotification is NotificationFilter's contract, in Go.
func matchNotification(f storage.NotificationFilter, n *notify.Notification) bool {
	return (f.Status == "" || f.Status == n.Status) &&
		(f.Channel == "" || f.Channel == n.Channel) &&
		(f.Event == "" || f.Event == n.Event) &&
		(f.UserID == uuid.Nil || f.UserID == n.To.UserID) &&
		(f.TicketID == uuid.Nil || f.TicketID == n.TicketID)
}

// testNotifications checks the outbox's records: enqueue and read back, listing with filters
// and pages, retry, providers' reports and the in-app bell. Claims, which take due
// notifications of every tenant, are checked by testNotificationClaims on stores of their own.
func testNotifications(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()

	t.Run("EnqueueGet", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		full := w.newNotification(notify.InApp, w.tick())
		full.Status, full.Attempts, full.Attempt = notify.StatusDelivered, 2, 2
		full.LastError, full.ProviderID = "timeout", "provider-1"
		full.SentAt, full.DeliveredAt, full.ReadAt = ptr(w.tick()), ptr(w.tick()), ptr(w.tick())
		// A public requester: no user, no phone; an account event: no ticket.
		bare := w.newNotification(notify.Email, w.tick())
		bare.To = notify.Address{Name: "Rita Requester", Email: "rita@example.com"}
		bare.TicketID = uuid.Nil
		bare.Subject, bare.HTML, bare.HeaderImage, bare.Link, bare.Language = "", "", "", "", ""
		sms := w.newNotification(notify.SMS, w.tick())
		w.enqueue(full, bare, sms)
		for _, n := range []*notify.Notification{full, bare, sms} {
			got, err := s.GetNotification(ctx, w.Tenant.ID, n.ID)
			require.NoError(t, err)
			assertSame(t, clone(n), got, "%s read back differs from what was enqueued", n.Channel)
		}
	})

	t.Run("EnqueueNone", func(t *testing.T) {
		assert.NoError(t, s.EnqueueNotifications(ctx, nil))
		assert.NoError(t, s.EnqueueNotifications(ctx, []*notify.Notification{}))
	})

	t.Run("DuplicateID", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		n := w.addNotification(notify.Email, w.tick())
		fresh := w.newNotification(notify.SMS, w.tick())
		dup := w.newNotification(notify.Push, w.tick())
		dup.ID = n.ID
		assert.ErrorIs(t, s.EnqueueNotifications(ctx, []*notify.Notification{fresh, dup}), storage.ErrConflict)
		got, err := s.GetNotification(ctx, w.Tenant.ID, n.ID)
		require.NoError(t, err)
		assertSame(t, clone(n), got, "a rejected enqueue changed the notification")
		_, err = s.GetNotification(ctx, w.Tenant.ID, fresh.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "the rest of a rejected batch was stored")
	})

	t.Run("GetMissing", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		n := a.addNotification(notify.Email, a.tick())
		_, err := s.GetNotification(ctx, a.Tenant.ID, newID())
		assert.ErrorIs(t, err, storage.ErrNotFound, "an unknown ID")
		_, err = s.GetNotification(ctx, b.Tenant.ID, n.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "read through another tenant")
	})

	t.Run("InTx", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		n := w.newNotification(notify.Email, w.tick())
		err := s.InTx(ctx, func(q storage.Queries) error {
			if err := q.EnqueueNotifications(ctx, []*notify.Notification{n}); err != nil {
				return err
			}
			_, err := q.GetNotification(ctx, w.Tenant.ID, n.ID)
			assert.NoError(t, err, "a transaction reads its own notifications")
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		_, err = s.GetNotification(ctx, w.Tenant.ID, n.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "a rolled back notification")
	})

	t.Run("List", func(t *testing.T) { testNotificationFilter(t, s) })

	t.Run("Retry", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		failed := a.newNotification(notify.SMS, a.tick())
		failed.Status, failed.Attempts, failed.Attempt, failed.LastError = notify.StatusFailed, 8, 8, "21610: unsubscribed recipient"
		pending := a.newNotification(notify.Email, a.tick())
		sent := a.newSent(notify.Email)
		a.enqueue(failed, pending, sent)

		refused := func(t *testing.T, tenantID uuid.UUID, n *notify.Notification, want error) {
			t.Helper()
			_, err := s.RetryNotification(ctx, tenantID, n.ID, a.tick())
			assert.ErrorIs(t, err, want)
			got, err := s.GetNotification(ctx, n.TenantID, n.ID)
			require.NoError(t, err)
			assertSame(t, clone(n), got, "a refused retry changed the notification")
		}
		t.Run("Pending", func(t *testing.T) { refused(t, a.Tenant.ID, pending, storage.ErrConflict) })
		t.Run("Sent", func(t *testing.T) { refused(t, a.Tenant.ID, sent, storage.ErrConflict) })
		t.Run("ForeignTenant", func(t *testing.T) { refused(t, b.Tenant.ID, failed, storage.ErrNotFound) })
		t.Run("Missing", func(t *testing.T) {
			_, err := s.RetryNotification(ctx, a.Tenant.ID, newID(), a.tick())
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})

		t.Run("Failed", func(t *testing.T) {
			at := a.tick()
			got, err := s.RetryNotification(ctx, a.Tenant.ID, failed.ID, at)
			require.NoError(t, err)
			want := clone(failed)
			want.Status, want.Attempts, want.Attempt, want.NextAttemptAt = notify.StatusPending, 0, 0, at
			assertSame(t, want, got, "pending, no attempts, due at the given time, LastError kept")
			stored, err := s.GetNotification(ctx, a.Tenant.ID, failed.ID)
			require.NoError(t, err)
			assertSame(t, clone(want), stored)
			_, err = s.RetryNotification(ctx, a.Tenant.ID, failed.ID, a.tick())
			assert.ErrorIs(t, err, storage.ErrConflict, "retrying it again, now pending")
		})
	})

	t.Run("Report", func(t *testing.T) { testNotificationReports(t, s) })
	t.Run("Inbox", func(t *testing.T) { testInbox(t, s) })

	t.Run("TicketDeleted", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		n := w.addNotification(notify.Email, w.tick())
		require.NoError(t, s.DeleteTicket(ctx, w.Tenant.ID, w.Ticket.ID))
		got, err := s.GetNotification(ctx, w.Tenant.ID, n.ID)
		require.NoError(t, err, "a deleted ticket's notifications stay in the delivery log")
		assertSame(t, clone(n), got)
	})
}

// testNotificationFilter checks every NotificationFilter field alone and combined, whole records
// and the pagination of notifications.
func testNotificationFilter(t *testing.T, s storage.Store) {
	ctx := context.Background()
	other := newID() // a second recipient; users need not exist
	fixture := func(w *world) []*notify.Notification {
		t.Helper()
		second := w.addTicket(w.newTicket("Display flickers"))
		var all []*notify.Notification
		for _, f := range []struct {
			ch     notify.Channel
			ev     notify.Event
			status notify.Status
			user   uuid.UUID
			ticket uuid.UUID
		}{
			{notify.Email, notify.TicketAccepted, notify.StatusPending, w.User.ID, w.Ticket.ID},
			{notify.SMS, notify.TicketAccepted, notify.StatusSent, w.User.ID, w.Ticket.ID},
			{notify.InApp, notify.CommentAdded, notify.StatusDelivered, w.User.ID, second.ID},
			{notify.InApp, notify.CommentAdded, notify.StatusDelivered, other, second.ID},
			{notify.Email, notify.UserInvited, notify.StatusFailed, other, uuid.Nil},
			{notify.Push, notify.TicketDone, notify.StatusPending, w.User.ID, uuid.Nil},
			{notify.Email, notify.TicketDone, notify.StatusSent, uuid.Nil, w.Ticket.ID},
		} {
			n := w.newNotification(f.ch, w.tick())
			n.Event, n.Status, n.To.UserID, n.TicketID = f.ev, f.status, f.user, f.ticket
			all = append(all, n)
		}
		w.enqueue(all...)
		return all
	}
	w := newWorld(t, s, "Tenant A")
	all := fixture(w)
	b := newWorld(t, s, "Tenant B")
	fixture(b) // the same notifications in another tenant must never show

	cases := []struct {
		name      string
		f         storage.NotificationFilter
		all, none bool
	}{
		{name: "Zero", all: true},
		{name: "Status/Pending", f: storage.NotificationFilter{Status: notify.StatusPending}},
		{name: "Status/Failed", f: storage.NotificationFilter{Status: notify.StatusFailed}},
		{name: "Channel/InApp", f: storage.NotificationFilter{Channel: notify.InApp}},
		{name: "Channel/SMS", f: storage.NotificationFilter{Channel: notify.SMS}},
		{name: "Event", f: storage.NotificationFilter{Event: notify.CommentAdded}},
		{name: "UserID", f: storage.NotificationFilter{UserID: w.User.ID}},
		{name: "UserID/Other", f: storage.NotificationFilter{UserID: other}},
		{name: "TicketID", f: storage.NotificationFilter{TicketID: w.Ticket.ID}},
		{name: "Combined/Bell", f: storage.NotificationFilter{Channel: notify.InApp, UserID: w.User.ID}},
		{name: "Combined/StatusChannel", f: storage.NotificationFilter{Status: notify.StatusSent, Channel: notify.Email}},
		{name: "Combined/EventTicket", f: storage.NotificationFilter{Event: notify.TicketDone, TicketID: w.Ticket.ID}},
		{name: "Combined/NoMatch", f: storage.NotificationFilter{Status: notify.StatusFailed, Channel: notify.InApp}, none: true},
		{name: "OtherTenantsTicket", f: storage.NotificationFilter{TicketID: b.Ticket.ID}, none: true},
		{name: "UnknownUser", f: storage.NotificationFilter{UserID: newID()}, none: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want []uuid.UUID
			for _, n := range all {
				if matchNotification(c.f, n) {
					want = append(want, n.ID)
				}
			}
			switch {
			case c.all:
				require.Len(t, want, len(all), "fixture: %+v should match every notification", c.f)
			case c.none:
				require.Empty(t, want, "fixture: %+v should match none", c.f)
			default:
				require.NotEmpty(t, want, "fixture: %+v matches none", c.f)
				require.Less(t, len(want), len(all), "fixture: %+v matches every notification", c.f)
			}
			page, err := s.ListNotifications(ctx, w.Tenant.ID, c.f, storage.PageRequest{Limit: storage.MaxPageSize})
			require.NoError(t, err)
			assert.Equal(t, newestFirst(want), notificationIDs(page.Items), "notifications matching %+v, newest first", c.f)
			assert.Empty(t, page.Next)
		})
	}

	t.Run("WholeRecords", func(t *testing.T) {
		page, err := s.ListNotifications(ctx, w.Tenant.ID, storage.NotificationFilter{}, storage.PageRequest{})
		require.NoError(t, err)
		want := cloneAll(all)
		slices.Reverse(want) // enqueued oldest first
		assertSame(t, want, page.Items, "listed notifications differ from what was enqueued")
	})

	t.Run("Pagination", func(t *testing.T) {
		got, sizes := walk(t, 3, func(p storage.PageRequest) (storage.Page[*notify.Notification], error) {
			return s.ListNotifications(ctx, w.Tenant.ID, storage.NotificationFilter{}, p)
		}, notificationID, func(page int) {
			if page == 1 {
				w.addNotification(notify.Email, w.tick())
			}
		})
		assert.Equal(t, newestFirst(notificationIDs(all)), got, "the notifications present at the start, each once, newest first")
		assert.Equal(t, []int{3, 3, 1}, sizes)

		got, sizes = walk(t, 2, func(p storage.PageRequest) (storage.Page[*notify.Notification], error) {
			return s.ListNotifications(ctx, w.Tenant.ID, storage.NotificationFilter{UserID: w.User.ID}, p)
		}, notificationID, nil)
		assert.Len(t, got, 5, "the user's four and the one inserted while paging")
		assert.Equal(t, []int{2, 2, 1}, sizes)

		_, err := s.ListNotifications(ctx, w.Tenant.ID, storage.NotificationFilter{}, storage.PageRequest{After: "!!not a cursor!!"})
		assert.ErrorIs(t, err, storage.ErrInvalidCursor)
	})
}

// testNotificationReports checks providers' delivery reports: found by channel and provider ID
// whatever the tenant, moving sent to delivered or failed, and never a failed one.
func testNotificationReports(t *testing.T, s storage.Store) {
	ctx := context.Background()
	a := newWorld(t, s, "Tenant A")
	b := newWorld(t, s, "Tenant B")
	report := func(t *testing.T, n *notify.Notification, delivered bool, detail string, at time.Time, want *notify.Notification) {
		t.Helper()
		got, err := s.ReportNotification(ctx, n.Channel, n.ProviderID, delivered, detail, at)
		require.NoError(t, err)
		assertSame(t, clone(want), got, "the notification reported on, as stored")
		stored, err := s.GetNotification(ctx, n.TenantID, n.ID)
		require.NoError(t, err)
		assertSame(t, clone(want), stored)
	}

	t.Run("Delivered", func(t *testing.T) {
		n := a.enqueue(a.newSent(notify.SMS))[0]
		at := a.tick()
		want := clone(n)
		want.Status, want.DeliveredAt = notify.StatusDelivered, ptr(at)
		report(t, n, true, "", at, want)
		report(t, n, true, "", a.tick(), want) // a repeated report keeps the first time
	})

	t.Run("Failed", func(t *testing.T) {
		n := a.enqueue(a.newSent(notify.SMS))[0]
		want := clone(n)
		want.Status, want.LastError = notify.StatusFailed, "30003: unreachable destination handset"
		report(t, n, false, want.LastError, a.tick(), want)
		report(t, n, true, "", a.tick(), want) // a failed notification stays failed
		report(t, n, false, "30005: unknown destination", a.tick(), want)
	})

	t.Run("LateFailure", func(t *testing.T) {
		n := a.enqueue(a.newSent(notify.SMS))[0]
		at := a.tick()
		delivered := clone(n)
		delivered.Status, delivered.DeliveredAt = notify.StatusDelivered, ptr(at)
		report(t, n, true, "", at, delivered)
		failed := clone(delivered)
		failed.Status, failed.LastError = notify.StatusFailed, "bounced"
		report(t, n, false, "bounced", a.tick(), failed)
	})

	t.Run("AnyTenant", func(t *testing.T) {
		n := b.enqueue(b.newSent(notify.Email))[0]
		at := a.tick()
		want := clone(n)
		want.Status, want.DeliveredAt = notify.StatusDelivered, ptr(at)
		report(t, n, true, "", at, want)
	})

	t.Run("Unknown", func(t *testing.T) {
		n := a.enqueue(a.newSent(notify.SMS))[0]
		pending := a.addNotification(notify.SMS, a.tick()) // no provider ID yet
		for name, c := range map[string]struct {
			ch         notify.Channel
			providerID string
		}{
			"ProviderID": {notify.SMS, "SM" + newHash()[:32]},
			"Channel":    {notify.Email, n.ProviderID},
			"Empty":      {notify.SMS, ""},
		} {
			_, err := s.ReportNotification(ctx, c.ch, c.providerID, true, "", a.tick())
			assert.ErrorIs(t, err, storage.ErrNotFound, name)
		}
		for _, n := range []*notify.Notification{n, pending} {
			got, err := s.GetNotification(ctx, a.Tenant.ID, n.ID)
			require.NoError(t, err)
			assertSame(t, clone(n), got, "a report about another message changed this one")
		}
	})
}

// testInbox checks the bell: unread counts and marking read, one user's in-app notifications
// only.
func testInbox(t *testing.T, s storage.Store) {
	ctx := context.Background()
	a := newWorld(t, s, "Tenant A")
	b := newWorld(t, s, "Tenant B")
	user, other := a.User.ID, newID()
	inApp := func(w *world, to uuid.UUID) *notify.Notification {
		n := w.newNotification(notify.InApp, w.tick())
		n.To.UserID, n.Status, n.DeliveredAt = to, notify.StatusDelivered, ptr(w.tick())
		return n
	}
	unread := []*notify.Notification{inApp(a, user), inApp(a, user), inApp(a, user)}
	read := inApp(a, user)
	read.ReadAt = ptr(a.tick())
	email := a.newNotification(notify.Email, a.tick())
	others := inApp(a, other)
	foreign := inApp(b, user) // the same user ID in another tenant
	a.enqueue(append(slices.Clone(unread), read, email, others)...)
	b.enqueue(foreign)

	count := func(t *testing.T, tenantID, userID uuid.UUID, want int, msg string) {
		t.Helper()
		n, err := s.CountUnread(ctx, tenantID, userID)
		require.NoError(t, err)
		assert.Equal(t, want, n, msg)
	}
	count(t, a.Tenant.ID, user, 3, "the user's unread in-app notifications")
	count(t, a.Tenant.ID, other, 1, "another user's")
	count(t, b.Tenant.ID, user, 1, "the same user ID in another tenant")
	count(t, a.Tenant.ID, newID(), 0, "a user without notifications")

	t.Run("One", func(t *testing.T) {
		at := a.tick()
		n, err := s.MarkRead(ctx, a.Tenant.ID, user, unread[0].ID, at)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		got, err := s.GetNotification(ctx, a.Tenant.ID, unread[0].ID)
		require.NoError(t, err)
		want := clone(unread[0])
		want.ReadAt = ptr(at)
		assertSame(t, want, got, "ReadAt set, nothing else changed")
		count(t, a.Tenant.ID, user, 2, "after marking one read")

		n, err = s.MarkRead(ctx, a.Tenant.ID, user, unread[0].ID, a.tick())
		require.NoError(t, err, "marking a read notification again")
		assert.Zero(t, n)
		got, err = s.GetNotification(ctx, a.Tenant.ID, unread[0].ID)
		require.NoError(t, err)
		assertSame(t, clone(want), got, "marking it again moved ReadAt")
	})

	t.Run("NotTheUsers", func(t *testing.T) {
		for name, id := range map[string]uuid.UUID{
			"AnotherUsers":  others.ID,
			"NotInApp":      email.ID,
			"AnotherTenant": foreign.ID,
			"Unknown":       newID(),
		} {
			n, err := s.MarkRead(ctx, a.Tenant.ID, user, id, a.tick())
			assert.ErrorIs(t, err, storage.ErrNotFound, name)
			assert.Zero(t, n, name)
		}
		count(t, a.Tenant.ID, other, 1, "another user's notification was marked")
		count(t, b.Tenant.ID, user, 1, "another tenant's notification was marked")
	})

	t.Run("All", func(t *testing.T) {
		at := a.tick()
		n, err := s.MarkRead(ctx, a.Tenant.ID, user, uuid.Nil, at)
		require.NoError(t, err)
		assert.Equal(t, 2, n, "the two still unread")
		count(t, a.Tenant.ID, user, 0, "after marking all read")
		count(t, a.Tenant.ID, other, 1, "another user's")
		count(t, b.Tenant.ID, user, 1, "the same user ID in another tenant")
		for _, u := range unread[1:] {
			got, err := s.GetNotification(ctx, a.Tenant.ID, u.ID)
			require.NoError(t, err)
			if assert.NotNil(t, got.ReadAt) {
				assert.True(t, at.Equal(*got.ReadAt), "ReadAt %v, want %v", *got.ReadAt, at)
			}
		}
		got, err := s.GetNotification(ctx, a.Tenant.ID, read.ID)
		require.NoError(t, err)
		assertSame(t, clone(read), got, "marking all moved an earlier ReadAt")
		got, err = s.GetNotification(ctx, a.Tenant.ID, email.ID)
		require.NoError(t, err)
		assert.Nil(t, got.ReadAt, "an e-mail was marked read")

		n, err = s.MarkRead(ctx, a.Tenant.ID, user, uuid.Nil, a.tick())
		require.NoError(t, err)
		assert.Zero(t, n, "nothing left to mark")
	})
}

// testNotificationClaims checks claims, outcomes and the next due time. These see the pending
// notifications of every tenant, so each case has a store of its own.
func testNotificationClaims(t *testing.T, h Harness) {
	ctx := context.Background()
	claim := func(t *testing.T, s storage.Store, now, lease time.Time, limit int) []*notify.Notification {
		t.Helper()
		ns, err := s.ClaimNotifications(ctx, now, lease, limit)
		require.NoError(t, err)
		return ns
	}
	// claimed returns what n looks like after its next claim with the given lease.
	claimed := func(n *notify.Notification, lease time.Time) *notify.Notification {
		c := clone(n)
		c.Attempts++
		c.Attempt = c.Attempts
		c.NextAttemptAt = lease
		return c
	}

	t.Run("Claim", func(t *testing.T) {
		s := h.NewStore(t)
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		t0 := a.tick().Add(time.Hour) // after every time the worlds hand out
		first := a.newNotification(notify.Email, t0.Add(-3*time.Second))
		second := b.newNotification(notify.SMS, t0.Add(-2*time.Second)) // any tenant's
		third := a.newNotification(notify.Push, t0)                     // due at now exactly
		later := a.newNotification(notify.Email, t0.Add(time.Hour))
		sent := a.newSent(notify.Email)
		sent.NextAttemptAt = t0.Add(-time.Hour)
		failed := a.newNotification(notify.Email, t0.Add(-time.Hour))
		failed.Status = notify.StatusFailed
		// Enqueued out of due order, so that ID order is not the answer.
		a.enqueue(third, later, sent, failed, first)
		b.enqueue(second)

		assert.Empty(t, claim(t, s, t0, t0.Add(time.Minute), 0), "a limit of 0")
		lease := t0.Add(time.Minute)
		got := claim(t, s, t0, lease, 2)
		assertSame(t, []*notify.Notification{claimed(first, lease), claimed(second, lease)}, got,
			"the two earliest due, attempts counted, leased")
		got = claim(t, s, t0, lease, 10)
		assertSame(t, []*notify.Notification{claimed(third, lease)}, got, "the one left due")
		for _, n := range []*notify.Notification{first, second, third} {
			stored, err := s.GetNotification(ctx, n.TenantID, n.ID)
			require.NoError(t, err)
			assertSame(t, claimed(n, lease), stored, "the claim as stored")
		}

		assert.Empty(t, claim(t, s, lease.Add(-time.Microsecond), lease.Add(time.Hour), 10), "claimed again before the lease ran out")

		// The lease ran out: the dispatcher holding them died. The three are due again, and at
		// the same time, so in ID order.
		lease2 := lease.Add(time.Minute)
		got = claim(t, s, lease, lease2, 10)
		want := []*notify.Notification{claimed(claimed(first, lease), lease2), claimed(claimed(second, lease), lease2), claimed(claimed(third, lease), lease2)}
		slices.SortFunc(want, func(x, y *notify.Notification) int { return compareIDs(x.ID, y.ID) })
		assertSame(t, want, got, "claimed again after the lease, attempts counted on")

		// By the time the later one is due, the three's second lease has run out too.
		got = claim(t, s, later.NextAttemptAt, later.NextAttemptAt.Add(time.Minute), 10)
		assert.Equal(t, append(notificationIDs(want), later.ID), notificationIDs(got),
			"only pending notifications are claimed, once due, earliest first")
		for _, n := range []*notify.Notification{sent, failed} {
			stored, err := s.GetNotification(ctx, a.Tenant.ID, n.ID)
			require.NoError(t, err)
			assertSame(t, clone(n), stored, "a %s notification was claimed", n.Status)
		}
	})

	t.Run("InTx", func(t *testing.T) {
		s := h.NewStore(t)
		w := newWorld(t, s, "Tenant A")
		t0 := w.tick()
		n := w.addNotification(notify.Email, t0)
		err := s.InTx(ctx, func(q storage.Queries) error {
			ns, err := q.ClaimNotifications(ctx, t0, t0.Add(time.Minute), 10)
			if err != nil {
				return err
			}
			assert.Len(t, ns, 1)
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		got := claim(t, s, t0, t0.Add(time.Minute), 10)
		assertSame(t, []*notify.Notification{claimed(n, t0.Add(time.Minute))}, got, "a rolled back claim kept the notification")
	})

	t.Run("Concurrent", func(t *testing.T) {
		s := h.NewStore(t)
		w := newWorld(t, s, "Tenant A")
		const total, claimers, batch = 500, 8, 10
		t0 := w.tick()
		var all []uuid.UUID
		for range total / 100 {
			ns := make([]*notify.Notification, 100)
			for i := range ns {
				ns[i] = w.newNotification(notify.Email, t0.Add(-time.Duration(i)*time.Millisecond))
				all = append(all, ns[i].ID)
			}
			w.enqueue(ns...)
		}
		lease := t0.Add(time.Hour)
		got := make([][]uuid.UUID, claimers)
		errs := race(claimers, func(i int) error {
			for {
				ns, err := s.ClaimNotifications(ctx, t0, lease, batch)
				if err != nil {
					return err
				}
				if len(ns) > batch {
					return fmt.Errorf("claimed %d notifications with a limit of %d", len(ns), batch)
				}
				if len(ns) == 0 {
					return nil
				}
				got[i] = append(got[i], notificationIDs(ns)...)
			}
		})
		for i, err := range errs {
			require.NoError(t, err, "claimer %d", i)
		}
		seen := make(map[uuid.UUID]int, total)
		for _, ids := range got {
			for _, id := range ids {
				seen[id]++
			}
		}
		for _, id := range all {
			switch seen[id] {
			case 1:
			case 0:
				t.Errorf("notification %s was never claimed", id)
			default:
				t.Errorf("notification %s was claimed %d times", id, seen[id])
			}
		}
		assert.Len(t, seen, total, "notifications claimed")
	})

	t.Run("Finish", func(t *testing.T) {
		s := h.NewStore(t)
		w := newWorld(t, s, "Tenant A")
		t0 := w.tick()
		var ns []*notify.Notification
		for range 5 {
			ns = append(ns, w.newNotification(notify.SMS, t0))
		}
		done := w.newSent(notify.Email)
		w.enqueue(append(slices.Clone(ns), done)...)
		lease := t0.Add(time.Minute)
		require.Len(t, claim(t, s, t0, lease, 10), 5)
		at := lease.Add(-30 * time.Second)

		require.NoError(t, s.FinishNotifications(ctx, nil), "no outcomes")
		require.NoError(t, s.FinishNotifications(ctx, []storage.DeliveryOutcome{
			{ID: ns[0].ID, Attempt: 1, Status: notify.StatusSent, ProviderID: "SM0001", At: at},
			{ID: ns[1].ID, Attempt: 1, Status: notify.StatusPending, NextAttemptAt: at.Add(10 * time.Second), LastError: "503 from provider", At: at,
				Retries: 2}, // two more attempts within the claim
			{ID: ns[2].ID, Attempt: 1, Status: notify.StatusFailed, LastError: "21211: invalid 'To' number", At: at},
			{ID: ns[3].ID, Attempt: 2, Status: notify.StatusSent, ProviderID: "SM0003", At: at}, // stale: not this claim's attempt
			{ID: done.ID, Attempt: 1, Status: notify.StatusFailed, LastError: "late", At: at},   // not pending
			{ID: newID(), Attempt: 1, Status: notify.StatusSent, At: at},                        // unknown
		}))
		sent := claimed(ns[0], lease)
		sent.Status, sent.ProviderID, sent.SentAt = notify.StatusSent, "SM0001", ptr(at)
		retry := claimed(ns[1], lease)
		retry.NextAttemptAt, retry.LastError, retry.Attempts, retry.Attempt = at.Add(10*time.Second), "503 from provider", 3, 3
		failed := claimed(ns[2], lease)
		failed.Status, failed.LastError = notify.StatusFailed, "21211: invalid 'To' number"
		for _, want := range []*notify.Notification{sent, retry, failed, claimed(ns[3], lease), claimed(ns[4], lease), done} {
			got, err := s.GetNotification(ctx, w.Tenant.ID, want.ID)
			require.NoError(t, err)
			assertSame(t, want, got)
		}

		// The retry comes due (before the others' lease runs out) and is sent on the second attempt.
		got := claim(t, s, retry.NextAttemptAt, retry.NextAttemptAt.Add(time.Minute), 10)
		require.Equal(t, []uuid.UUID{retry.ID}, notificationIDs(got), "the pending outcome is due again")
		assert.Equal(t, 4, got[0].Attempts, "the retries within the first claim count")
		require.NoError(t, s.FinishNotifications(ctx, []storage.DeliveryOutcome{
			{ID: retry.ID, Attempt: 4, Status: notify.StatusSent, ProviderID: "SM0002", At: retry.NextAttemptAt.Add(time.Second)},
		}))
		stored, err := s.GetNotification(ctx, w.Tenant.ID, retry.ID)
		require.NoError(t, err)
		assert.Equal(t, notify.StatusSent, stored.Status)
		assert.Equal(t, "SM0002", stored.ProviderID)

		// ns[4]'s dispatcher stalls past its lease; another claims it again. The first one's
		// late outcome no longer counts, the second one's does.
		lease2 := lease.Add(time.Minute)
		got = claim(t, s, lease, lease2, 10)
		require.Contains(t, notificationIDs(got), ns[4].ID)
		require.NoError(t, s.FinishNotifications(ctx, []storage.DeliveryOutcome{
			{ID: ns[4].ID, Attempt: 1, Status: notify.StatusFailed, LastError: "from the stalled dispatcher", At: lease2},
		}))
		stored, err = s.GetNotification(ctx, w.Tenant.ID, ns[4].ID)
		require.NoError(t, err)
		assertSame(t, claimed(claimed(ns[4], lease), lease2), stored, "a stale outcome was recorded")
		require.NoError(t, s.FinishNotifications(ctx, []storage.DeliveryOutcome{
			{ID: ns[4].ID, Attempt: 2, Status: notify.StatusSent, ProviderID: "SM0004", At: lease2},
		}))
		stored, err = s.GetNotification(ctx, w.Tenant.ID, ns[4].ID)
		require.NoError(t, err)
		assert.Equal(t, notify.StatusSent, stored.Status, "the current claim's outcome")

		assert.Error(t, s.FinishNotifications(ctx, []storage.DeliveryOutcome{
			{ID: ns[3].ID, Attempt: 2, Status: notify.StatusDelivered, At: lease2},
		}), "delivered is not an outcome of an attempt")
		assert.Error(t, s.FinishNotifications(ctx, []storage.DeliveryOutcome{
			{ID: ns[3].ID, Attempt: 2, Status: notify.StatusSent, At: lease2, Retries: -1},
		}), "no attempt is taken back")
	})

	t.Run("NextDue", func(t *testing.T) {
		s := h.NewStore(t)
		_, ok, err := s.NextNotificationDue(ctx)
		require.NoError(t, err)
		assert.False(t, ok, "nothing pending in an empty store")

		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		t0 := a.tick().Add(time.Hour)
		sent := a.newSent(notify.Email)
		sent.NextAttemptAt = t0.Add(-time.Hour)
		failed := a.newNotification(notify.Email, t0.Add(-time.Hour))
		failed.Status = notify.StatusFailed
		a.enqueue(sent, failed, a.newNotification(notify.Email, t0.Add(5*time.Minute)))
		b.addNotification(notify.SMS, t0.Add(time.Minute)) // any tenant's
		next := func(t *testing.T, want time.Time) {
			t.Helper()
			got, ok, err := s.NextNotificationDue(ctx)
			require.NoError(t, err)
			require.True(t, ok, "a notification is pending")
			assert.True(t, want.Equal(got), "next due %v, want %v", got, want)
		}
		next(t, t0.Add(time.Minute))
		claim(t, s, t0.Add(2*time.Minute), t0.Add(10*time.Minute), 10)
		next(t, t0.Add(5*time.Minute)) // the claimed one's lease runs out later
	})
}

// compareIDs orders UUIDs as their bytes do: UUIDv7s by creation.
func compareIDs(a, b uuid.UUID) int {
	return slices.Compare(a[:], b[:])
}

// newNotificationTemplate returns an enabled e-mail template of w's tenant with every field set,
// for an event no earlier call in this world has used (so that each has a key of its own).
func (w *world) newNotificationTemplate() *notify.Template {
	at := w.tick()
	events := notify.Events()
	return &notify.Template{
		ID: newID(), TenantID: w.Tenant.ID, Event: events[w.ticks%len(events)], Channel: notify.Email, Language: "de",
		Subject: "Ticket {{.ticket_ref}}: {{.title}}", Text: "Hallo {{.recipient_name}},\n{{.ticket_link}}",
		HTML:        `<p>Hallo {{.recipient_name}}, <a href="{{.ticket_link}}">{{.ticket_ref}}</a></p>`,
		HeaderImage: "https://example.com/header.png", Enabled: true, CreatedAt: at, UpdatedAt: at, Version: 1,
	}
}

func (w *world) addNotificationTemplate(ev notify.Event, ch notify.Channel, lang string) *notify.Template {
	w.t.Helper()
	tm := w.newNotificationTemplate()
	tm.Event, tm.Channel, tm.Language = ev, ch, lang
	require.NoError(w.t, w.q.CreateNotificationTemplate(w.ctx, tm), "setup: create notification template %s %s %s", ev, ch, lang)
	return tm
}

// testNotificationTemplates checks what the entity test "NotificationTemplate" does not: the
// unique event, channel and language per tenant, deletion and the listing.
func testNotificationTemplates(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()

	t.Run("DuplicateKey", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		tm := a.addNotificationTemplate(notify.TicketAccepted, notify.SMS, "de")
		dup := a.newNotificationTemplate()
		dup.Event, dup.Channel, dup.Language = tm.Event, tm.Channel, tm.Language
		assert.ErrorIs(t, s.CreateNotificationTemplate(ctx, dup), storage.ErrConflict, "the same event, channel and language")
		_, err := s.GetNotificationTemplate(ctx, a.Tenant.ID, dup.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "the rejected template was stored")

		a.addNotificationTemplate(notify.TicketAccepted, notify.SMS, "pl")   // another language
		a.addNotificationTemplate(notify.TicketAccepted, notify.Email, "de") // another channel
		a.addNotificationTemplate(notify.TicketDone, notify.SMS, "de")       // another event
		b.addNotificationTemplate(notify.TicketAccepted, notify.SMS, "de")   // another tenant

		// An update may not take another template's key either.
		moved := a.addNotificationTemplate(notify.TicketAccepted, notify.SMS, "fr")
		before := clone(moved)
		moved.Language = "de"
		moved.UpdatedAt = a.tick()
		assert.ErrorIs(t, s.UpdateNotificationTemplate(ctx, moved), storage.ErrConflict, "an update to a taken key")
		got, err := s.GetNotificationTemplate(ctx, a.Tenant.ID, moved.ID)
		require.NoError(t, err)
		assertSame(t, before, got, "the rejected update changed the template")
	})

	t.Run("Delete", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		tm := a.addNotificationTemplate(notify.CommentAdded, notify.InApp, "en")
		keep := a.addNotificationTemplate(notify.CommentAdded, notify.Email, "en")
		assert.ErrorIs(t, s.DeleteNotificationTemplate(ctx, b.Tenant.ID, tm.ID), storage.ErrNotFound, "through another tenant")
		require.NoError(t, s.DeleteNotificationTemplate(ctx, a.Tenant.ID, tm.ID))
		_, err := s.GetNotificationTemplate(ctx, a.Tenant.ID, tm.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "a deleted template")
		assert.ErrorIs(t, s.DeleteNotificationTemplate(ctx, a.Tenant.ID, tm.ID), storage.ErrNotFound, "deleting it again")
		got, err := s.GetNotificationTemplate(ctx, a.Tenant.ID, keep.ID)
		require.NoError(t, err)
		assertSame(t, clone(keep), got, "another template was deleted")
		// Its key is free again.
		a.addNotificationTemplate(notify.CommentAdded, notify.InApp, "en")
	})

	t.Run("List", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		// Created out of order; listed by event, channel and language.
		t4 := a.addNotificationTemplate(notify.TicketDone, notify.SMS, "de")
		t2 := a.addNotificationTemplate(notify.TicketAccepted, notify.SMS, "de")
		t3 := a.addNotificationTemplate(notify.TicketAccepted, notify.SMS, "pl")
		t1 := a.addNotificationTemplate(notify.TicketAccepted, notify.Email, "en")
		b.addNotificationTemplate(notify.TicketAccepted, notify.Email, "de")

		got, err := s.ListNotificationTemplates(ctx, a.Tenant.ID, "")
		require.NoError(t, err)
		assertSame(t, cloneAll([]*notify.Template{t1, t2, t3, t4}), got, "every event, by event, channel and language")
		got, err = s.ListNotificationTemplates(ctx, a.Tenant.ID, notify.TicketAccepted)
		require.NoError(t, err)
		assertSame(t, cloneAll([]*notify.Template{t1, t2, t3}), got, "one event")
		got, err = s.ListNotificationTemplates(ctx, a.Tenant.ID, notify.SessionStarted)
		require.NoError(t, err)
		assert.Empty(t, got, "an event without templates")
		empty := newTenant("Tenant without templates", now())
		require.NoError(t, s.CreateTenant(ctx, empty))
		got, err = s.ListNotificationTemplates(ctx, empty.ID, "")
		require.NoError(t, err)
		assert.Empty(t, got)
	})
}

// testNextTicketNumberTenant checks that the reservation of a ticket number reads the whole
// tenant as it is stored.
func testNextTicketNumberTenant(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	tn := newTenant("Tenant A", now())
	require.NoError(t, s.CreateTenant(ctx, tn))
	tn.Language = "de"
	tn.Settings.SupportLink = "https://support.example"
	tn.Settings.Notifications = notify.Switches{}.Set(notify.TicketDone, notify.SMS, true)
	require.NoError(t, s.UpdateTenant(ctx, tn))
	n, err := s.NextTicketNumber(ctx, tn.ID)
	require.NoError(t, err)
	require.NotNil(t, n.Tenant)
	want, err := s.GetTenant(ctx, tn.ID)
	require.NoError(t, err)
	assert.Equal(t, want, n.Tenant)
}
