package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/webhook"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testBacklog checks storage.BacklogCounter, for stores that implement it: pending rows by
// channel, due or scheduled; failed rows only from failedSince on; sent rows never; due
// timers by kind, not the later ones.
func testBacklog(t *testing.T, h Harness) {
	s := h.NewStore(t)
	bc, ok := s.(storage.BacklogCounter)
	if !ok {
		t.Skip("the store does not count its backlog")
	}
	ctx := context.Background()
	w := newWorld(t, s, "Tenant A")
	at := now()

	// Notifications: email due 2, scheduled 1; sms due 1; push failed 1 (recent) and 1 old
	// (its ID made before failedSince); sent and delivered ones never count.
	w.addNotification(notify.Email, at.Add(-time.Minute))
	w.addNotification(notify.Email, at)
	w.addNotification(notify.Email, at.Add(time.Hour))
	w.addNotification(notify.SMS, at.Add(-time.Hour))
	since := time.Now().Add(-time.Minute)
	oldFailed := w.newNotification(notify.Push, at)
	oldFailed.ID = idMadeAt(since.Add(-time.Millisecond))
	newFailed := w.newNotification(notify.Push, at)
	for _, n := range []*notify.Notification{oldFailed, newFailed} {
		n.Status, n.LastError = notify.StatusFailed, "rejected"
	}
	sent := w.newSent(notify.Email)
	w.enqueue(oldFailed, newFailed, sent)

	// Webhooks: one due, one scheduled, one failed.
	e := w.addWebhookEndpoint("https://erp.example.com/hook", notify.TicketAssigned)
	failed := w.newWebhookDelivery(e, at)
	failed.State = webhook.Failed
	require.NoError(t, s.EnqueueWebhookDeliveries(ctx, []*webhook.Delivery{
		w.newWebhookDelivery(e, at.Add(-time.Second)), w.newWebhookDelivery(e, at.Add(time.Hour)), failed}))

	// Timers: two due (one exactly now), one later.
	second := w.addTicket(w.newTicket("Display flickers"))
	w.armTimer(w.Ticket.ID, uuid.Nil, ticket.TimerExpiration, at.Add(-time.Minute))
	w.armTimer(second.ID, uuid.Nil, ticket.TimerExpiration, at)
	w.armTimer(w.Ticket.ID, w.Session.ID, ticket.TimerReminder, at.Add(time.Minute))

	b, err := bc.CountBacklog(ctx, at, since)
	require.NoError(t, err)
	assert.ElementsMatch(t, []storage.OutboxCount{
		{Channel: "email", Status: storage.BacklogDue, Count: 2},
		{Channel: "email", Status: storage.BacklogScheduled, Count: 1},
		{Channel: "sms", Status: storage.BacklogDue, Count: 1},
		{Channel: "push", Status: storage.BacklogFailed, Count: 1},
	}, b.Notifications, "pending by due time, failed since failedSince only, sent never")
	assert.ElementsMatch(t, []storage.OutboxCount{
		{Channel: "webhook", Status: storage.BacklogDue, Count: 1},
		{Channel: "webhook", Status: storage.BacklogScheduled, Count: 1},
		{Channel: "webhook", Status: storage.BacklogFailed, Count: 1},
	}, b.Webhooks)
	assert.Equal(t, map[ticket.TimerKind]int{ticket.TimerExpiration: 2}, b.TimersDue, "due timers by kind, not the later one")

	// A claimed timer is in a dispatcher's hands, not waiting.
	_, err = s.ClaimTimers(ctx, at, time.Minute, 1)
	require.NoError(t, err)
	b, err = bc.CountBacklog(ctx, at, since)
	require.NoError(t, err)
	assert.Equal(t, map[ticket.TimerKind]int{ticket.TimerExpiration: 1}, b.TimersDue, "the claimed timer left the due ones")
}

// idMadeAt returns a UUIDv7 whose time is at, as one made then would be.
func idMadeAt(at time.Time) uuid.UUID {
	id := uuid.Must(uuid.NewV7())
	ms := at.UnixMilli()
	for i := 5; i >= 0; i-- {
		id[i] = byte(ms)
		ms >>= 8
	}
	return id
}
