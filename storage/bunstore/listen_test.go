package bunstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signalWait bounds every wait for a listener's signal; the signal itself comes in milliseconds.
const signalWait = 10 * time.Second

func TestListenOutbox(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		s := newPostgres(t)
		ln, ok := s.(storage.OutboxListener)
		require.True(t, ok, "the PostgreSQL store listens")
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		signals, err := ln.ListenOutbox(ctx)
		require.NoError(t, err)
		tn := outboxTenant(t, s)

		// Committed by another transaction on another connection: the LISTEN is in effect when
		// ListenOutbox returns, so no wait is needed before enqueueing.
		require.NoError(t, s.InTx(ctx, func(q storage.Queries) error {
			return q.EnqueueNotifications(ctx, []*notify.Notification{outboxNotification(tn)})
		}))
		awaitSignal(t, signals, "after a transaction that enqueued committed")

		require.NoError(t, s.EnqueueNotifications(ctx, []*notify.Notification{outboxNotification(tn)}))
		awaitSignal(t, signals, "after an enqueue outside a transaction")

		// Many enqueues coalesce into waiting signals instead of blocking the listener.
		for range 3 {
			require.NoError(t, s.EnqueueNotifications(ctx, []*notify.Notification{outboxNotification(tn)}))
		}
		awaitSignal(t, signals, "after three more enqueues")

		cancel()
		deadline := time.After(signalWait)
		for {
			select {
			case _, open := <-signals:
				if !open {
					return
				}
			case <-deadline:
				t.Fatal("the signal channel stayed open after ctx ended")
			}
		}
	})

	t.Run("sqlite", func(t *testing.T) {
		ln, ok := newSQLite(t).(storage.OutboxListener)
		require.True(t, ok)
		_, err := ln.ListenOutbox(context.Background())
		assert.ErrorIs(t, err, errors.ErrUnsupported)
	})
}

func awaitSignal(t *testing.T, signals <-chan struct{}, when string) {
	t.Helper()
	select {
	case _, open := <-signals:
		require.True(t, open, "the signal channel closed while waiting %s", when)
	case <-time.After(signalWait):
		t.Fatalf("no signal within %s %s", signalWait, when)
	}
}

func outboxTenant(t *testing.T, s storage.Store) *tenant.Tenant {
	t.Helper()
	at := time.Now().UTC()
	tn := &tenant.Tenant{ID: uuid.Must(uuid.NewV7()), Name: "Outbox", Language: "en", TicketPrefix: "T",
		CreatedAt: at, UpdatedAt: at, Version: 1}
	require.NoError(t, s.CreateTenant(context.Background(), tn))
	return tn
}

func outboxNotification(tn *tenant.Tenant) *notify.Notification {
	at := time.Now().UTC()
	return &notify.Notification{
		Message: notify.Message{ID: uuid.Must(uuid.NewV7()), TenantID: tn.ID, Event: notify.TicketAccepted,
			Channel: notify.Email, To: notify.Address{Email: "rita@example.com"}, Text: "Accepted."},
		Status: notify.StatusPending, NextAttemptAt: at, CreatedAt: at,
	}
}
