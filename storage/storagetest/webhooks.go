package storagetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/webhook"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func (w *world) newWebhookEndpoint(url string, events ...notify.Event) *webhook.Endpoint {
	at := w.tick()
	return &webhook.Endpoint{ID: newID(), TenantID: w.Tenant.ID, URL: url, Description: "ERP", Events: events, Active: true,
		SealedSecret: "sealed-" + url, CreatedAt: at, UpdatedAt: at, Version: 1}
}

func (w *world) addWebhookEndpoint(url string, events ...notify.Event) *webhook.Endpoint {
	w.t.Helper()
	e := w.newWebhookEndpoint(url, events...)
	require.NoError(w.t, w.q.CreateWebhookEndpoint(context.Background(), clone(e)))
	return e
}

func (w *world) newWebhookDelivery(e *webhook.Endpoint, due time.Time) *webhook.Delivery {
	id := newID()
	return &webhook.Delivery{ID: id, TenantID: w.Tenant.ID, EndpointID: e.ID, MessageID: "msg_" + id.String(),
		Event: string(notify.TicketAssigned), Payload: []byte(`{"type":"ticket.assigned","data":{}}`), State: webhook.Pending,
		NextAttemptAt: due, CreatedAt: w.tick()}
}

// testWebhookEndpoints checks endpoints: stored as given, listed oldest first within their
// tenant, versioned updates, the failure run, and deletion with the deliveries.
func testWebhookEndpoints(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	a := newWorld(t, s, "Tenant A")
	b := newWorld(t, s, "Tenant B")

	first := a.addWebhookEndpoint("https://erp.example.com/hook", notify.TicketAssigned, notify.TicketClosed)
	second := a.addWebhookEndpoint("https://chat.example.com/hook")
	theirs := b.addWebhookEndpoint("https://b.example.com/hook")

	got, err := s.GetWebhookEndpoint(ctx, a.Tenant.ID, first.ID)
	require.NoError(t, err)
	assertSame(t, first, got, "stored as given")
	list, err := s.ListWebhookEndpoints(ctx, a.Tenant.ID)
	require.NoError(t, err)
	assertSame(t, []*webhook.Endpoint{first, second}, list, "the tenant's own, oldest first")
	_, err = s.GetWebhookEndpoint(ctx, a.Tenant.ID, theirs.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "another tenant's")

	dup := a.newWebhookEndpoint("https://x.example.com")
	dup.ID = first.ID
	assert.ErrorIs(t, s.CreateWebhookEndpoint(ctx, dup), storage.ErrConflict, "an ID taken")
	assert.ErrorIs(t, s.CreateWebhookEndpoint(ctx, &webhook.Endpoint{ID: newID(), TenantID: newID(), URL: "https://x.example.com",
		SealedSecret: "s", CreatedAt: now(), UpdatedAt: now(), Version: 1}), storage.ErrNotFound, "no such tenant")

	t.Run("Update", func(t *testing.T) {
		e := clone(first)
		until := a.tick()
		e.URL, e.Events, e.Active, e.DisabledReason, e.DisabledAt = "https://erp.example.com/v2", nil, false, "by hand", &until
		e.SealedPreviousSecret, e.PreviousSecretUntil, e.SealedSecret = e.SealedSecret, &until, "sealed-new"
		require.NoError(t, s.UpdateWebhookEndpoint(ctx, e))
		assert.Equal(t, first.Version+1, e.Version)
		got, err := s.GetWebhookEndpoint(ctx, a.Tenant.ID, first.ID)
		require.NoError(t, err)
		assertSame(t, e, got, "written")
		stale := clone(first)
		assert.ErrorIs(t, s.UpdateWebhookEndpoint(ctx, stale), storage.ErrConflict, "a stale version")
		foreign := clone(e)
		foreign.TenantID = b.Tenant.ID
		assert.ErrorIs(t, s.UpdateWebhookEndpoint(ctx, foreign), storage.ErrNotFound, "through another tenant")
	})

	t.Run("RecordAttempts", func(t *testing.T) {
		at := a.tick()
		got, err := s.RecordWebhookAttempts(ctx, a.Tenant.ID, second.ID, false, 3, storage.WebhookOutcome{At: at, Status: 503, Error: "503 Service Unavailable"})
		require.NoError(t, err)
		assert.Equal(t, 3, got.FailureCount)
		assert.Equal(t, 503, got.LastStatus)
		assert.Equal(t, &at, got.LastAttemptAt)
		got, err = s.RecordWebhookAttempts(ctx, a.Tenant.ID, second.ID, false, 2, storage.WebhookOutcome{At: at})
		require.NoError(t, err)
		assert.Equal(t, 5, got.FailureCount, "the run grows")
		got, err = s.RecordWebhookAttempts(ctx, a.Tenant.ID, second.ID, true, 1, storage.WebhookOutcome{At: at})
		require.NoError(t, err)
		assert.Equal(t, 1, got.FailureCount, "a success started it again")
		assert.Equal(t, second.Version, got.Version, "no version change: an admin's edit does not conflict with the dispatcher")
		_, err = s.RecordWebhookAttempts(ctx, b.Tenant.ID, second.ID, true, 0, storage.WebhookOutcome{At: at})
		assert.ErrorIs(t, err, storage.ErrNotFound, "through another tenant")
	})

	t.Run("Delete", func(t *testing.T) {
		d := a.newWebhookDelivery(second, a.tick())
		require.NoError(t, s.EnqueueWebhookDeliveries(ctx, []*webhook.Delivery{d}))
		assert.ErrorIs(t, s.DeleteWebhookEndpoint(ctx, b.Tenant.ID, second.ID), storage.ErrNotFound, "through another tenant")
		require.NoError(t, s.DeleteWebhookEndpoint(ctx, a.Tenant.ID, second.ID))
		_, err := s.GetWebhookEndpoint(ctx, a.Tenant.ID, second.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)
		_, err = s.GetWebhookDelivery(ctx, a.Tenant.ID, d.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "its deliveries went with it")
		assert.ErrorIs(t, s.DeleteWebhookEndpoint(ctx, a.Tenant.ID, second.ID), storage.ErrNotFound, "again")
	})
}

// testWebhookDeliveries checks the deliveries' outbox: enqueued within the endpoint's tenant,
// claimed earliest first with a lease, outcomes recorded once, the log newest first.
func testWebhookDeliveries(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	a := newWorld(t, s, "Tenant A")
	b := newWorld(t, s, "Tenant B")
	ea := a.addWebhookEndpoint("https://a.example.com/hook")
	eb := b.addWebhookEndpoint("https://b.example.com/hook")

	err := s.EnqueueWebhookDeliveries(ctx, []*webhook.Delivery{a.newWebhookDelivery(eb, a.tick())})
	assert.ErrorIs(t, err, storage.ErrNotFound, "a delivery of tenant A to tenant B's endpoint")

	t0 := a.tick().Add(time.Hour)
	first := a.newWebhookDelivery(ea, t0.Add(-2*time.Second))
	second := b.newWebhookDelivery(eb, t0.Add(-time.Second))
	third := a.newWebhookDelivery(ea, t0)
	later := a.newWebhookDelivery(ea, t0.Add(time.Hour))
	require.NoError(t, s.EnqueueWebhookDeliveries(ctx, []*webhook.Delivery{third, later, first}))
	require.NoError(t, s.EnqueueWebhookDeliveries(ctx, []*webhook.Delivery{second}))
	assert.ErrorIs(t, s.EnqueueWebhookDeliveries(ctx, []*webhook.Delivery{clone(first)}), storage.ErrConflict, "an ID taken")

	due, ok, err := s.NextWebhookDue(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, first.NextAttemptAt, due)

	claimed := func(d *webhook.Delivery, lease time.Time) *webhook.Delivery {
		c := clone(d)
		c.Attempts++
		c.NextAttemptAt = lease
		return c
	}
	lease := t0.Add(time.Minute)
	got, err := s.ClaimWebhookDeliveries(ctx, t0, lease, 2)
	require.NoError(t, err)
	assertSame(t, []*webhook.Delivery{claimed(first, lease), claimed(second, lease)}, got, "the two earliest due, of any tenant")
	got, err = s.ClaimWebhookDeliveries(ctx, t0, lease, 10)
	require.NoError(t, err)
	assertSame(t, []*webhook.Delivery{claimed(third, lease)}, got, "the one left due")
	got, err = s.ClaimWebhookDeliveries(ctx, t0, lease, 10)
	require.NoError(t, err)
	assert.Empty(t, got, "none during the lease")

	at := t0.Add(time.Second)
	done, err := s.FinishWebhookDeliveries(ctx, []storage.WebhookOutcome{
		{ID: first.ID, Attempt: 1, State: webhook.Delivered, Status: 204, At: at, Duration: 12 * time.Millisecond},
		{ID: second.ID, Attempt: 1, State: webhook.Pending, NextAttemptAt: at.Add(time.Minute), Status: 503, Error: "503", At: at,
			Retries: 2}, // two more attempts within the claim
		{ID: third.ID, Attempt: 7, State: webhook.Failed, At: at}, // overtaken: skipped
	})
	require.NoError(t, err)
	require.Len(t, done, 2)
	assert.Equal(t, []uuid.UUID{first.ID, second.ID}, []uuid.UUID{done[0].ID, done[1].ID})
	got1, err := s.GetWebhookDelivery(ctx, a.Tenant.ID, first.ID)
	require.NoError(t, err)
	assert.Equal(t, webhook.Delivered, got1.State)
	assert.Equal(t, 204, got1.LastStatus)
	assert.Equal(t, 12*time.Millisecond, got1.Duration)
	assert.Equal(t, &at, got1.LastAttemptAt)
	got2, err := s.GetWebhookDelivery(ctx, b.Tenant.ID, second.ID)
	require.NoError(t, err)
	assert.Equal(t, webhook.Pending, got2.State)
	assert.Equal(t, at.Add(time.Minute), got2.NextAttemptAt)
	assert.Equal(t, "503", got2.LastError)
	assert.Equal(t, 3, got2.Attempts, "the retries within the claim count")
	_, err = s.GetWebhookDelivery(ctx, a.Tenant.ID, second.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "another tenant's")
	done, err = s.FinishWebhookDeliveries(ctx, []storage.WebhookOutcome{{ID: first.ID, Attempt: 1, State: webhook.Failed, At: at}})
	require.NoError(t, err)
	assert.Empty(t, done, "a delivered one stays delivered")
	_, err = s.FinishWebhookDeliveries(ctx, []storage.WebhookOutcome{{ID: second.ID, Attempt: 3, State: webhook.Failed, At: at, Retries: -1}})
	assert.Error(t, err, "no attempt is taken back")

	log, err := s.ListWebhookDeliveries(ctx, a.Tenant.ID, ea.ID, storage.PageRequest{Limit: 2})
	require.NoError(t, err)
	require.Len(t, log.Items, 2)
	assert.Equal(t, []uuid.UUID{later.ID, third.ID}, []uuid.UUID{log.Items[0].ID, log.Items[1].ID}, "newest first")
	require.NotEmpty(t, log.Next)
	log, err = s.ListWebhookDeliveries(ctx, a.Tenant.ID, ea.ID, storage.PageRequest{Limit: 2, After: log.Next})
	require.NoError(t, err)
	require.Len(t, log.Items, 1)
	assert.Equal(t, first.ID, log.Items[0].ID)
	assert.Empty(t, log.Next)
	log, err = s.ListWebhookDeliveries(ctx, b.Tenant.ID, ea.ID, storage.PageRequest{})
	require.NoError(t, err)
	assert.Empty(t, log.Items, "tenant B lists nothing of A's endpoint")
	_, err = s.ListWebhookDeliveries(ctx, a.Tenant.ID, ea.ID, storage.PageRequest{After: "not a cursor"})
	assert.ErrorIs(t, err, storage.ErrInvalidCursor)

	t.Run("ConcurrentClaims", func(t *testing.T) {
		s := h.NewStore(t)
		w := newWorld(t, s, "Tenant C")
		e := w.addWebhookEndpoint("https://c.example.com/hook")
		at := w.tick()
		var ds []*webhook.Delivery
		for range 40 {
			ds = append(ds, w.newWebhookDelivery(e, at))
		}
		require.NoError(t, s.EnqueueWebhookDeliveries(ctx, ds))
		var (
			mu   sync.Mutex
			seen = map[uuid.UUID]int{}
			wg   sync.WaitGroup
		)
		for range 4 {
			wg.Go(func() {
				for {
					got, err := s.ClaimWebhookDeliveries(ctx, at, at.Add(time.Hour), 3)
					if !assert.NoError(t, err) || len(got) == 0 {
						return
					}
					mu.Lock()
					for _, d := range got {
						seen[d.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		assert.Len(t, seen, 40, "every delivery claimed")
		for id, n := range seen {
			assert.Equal(t, 1, n, "delivery %s claimed once", id)
		}
	})
}
