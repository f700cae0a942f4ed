package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/webhook"
)

// Observer is told what the Desk's background work does as it happens, for metrics (web/ops
// turns it into Prometheus series). Its methods are called from the loops of Run (and from
// DispatchOnce, DeliverWebhooksOnce and FireTimersOnce), concurrently: they must be safe for
// concurrent use and return at once. Config.Observer nil observes nothing.
type Observer interface {
	// Delivered is called once per attempt to deliver a notification, with its channel
	// ("email", "sms", "push"), or a webhook, with WebhookChannel, and what came of it.
	Delivered(channel string, outcome Outcome)
	// TimerFired is called once per timer fired (committed, whether or not its rule still
	// applied), with its lag: when it fired less when it was due.
	TimerFired(kind ticket.TimerKind, lag time.Duration)
}

// WebhookChannel is the channel Observer.Delivered names for webhook deliveries.
const WebhookChannel = "webhook"

// Outcome is what came of one delivery attempt.
type Outcome string

// The outcomes of a delivery attempt.
const (
	// OutcomeSent: the provider accepted the notification, or the webhook's receiver answered 2xx.
	OutcomeSent Outcome = "sent"
	// OutcomeRetry: the attempt failed and another will be made (also when shutting down).
	OutcomeRetry Outcome = "retry"
	// OutcomeFailed: the attempt failed and was the last (a permanent error, the last allowed
	// attempt, an endpoint switched off).
	OutcomeFailed Outcome = "failed"
)

// noObserver is Config.Observer's default.
type noObserver struct{}

func (noObserver) Delivered(string, Outcome)                  {}
func (noObserver) TimerFired(ticket.TimerKind, time.Duration) {}

// deliveryOutcome is the Outcome of a notification's or a webhook delivery's status after an attempt.
func deliveryOutcome[S ~string](status S) Outcome {
	switch s := string(status); {
	case s == string(notify.StatusSent) || s == string(webhook.Delivered):
		return OutcomeSent
	case s == string(notify.StatusFailed) || s == string(webhook.Failed):
		return OutcomeFailed
	}
	return OutcomeRetry
}

// timersFired tells the Observer that the timers tms fired now.
func (d *Desk) timersFired(tms []*ticket.Timer) {
	now := d.clock()
	for _, tm := range tms {
		d.cfg.Observer.TimerFired(tm.Kind, now.Sub(tm.DueAt))
	}
}

// ErrNotReady means the Desk cannot serve now: its database does not answer, or its schema
// lacks migrations this code needs (see Ready).
var ErrNotReady = errors.New("not ready")

// Ready reports whether the Desk can serve: its store's database answers (storage.Pinger)
// and has every migration this code holds applied (storage.MigrationChecker); a store that
// can tell neither is taken as ready. It is what a load balancer's readiness check asks
// (web/ops.Readyz). It returns nil, or an ErrNotReady (KindUnavailable) that says why.
func (d *Desk) Ready(ctx context.Context) error {
	if p, ok := d.store.(storage.Pinger); ok {
		if err := p.Ping(ctx); err != nil {
			return fmt.Errorf("%w: the database does not answer: %v", ErrNotReady, err)
		}
	}
	if m, ok := d.store.(storage.MigrationChecker); ok {
		pending, err := m.PendingMigrations(ctx)
		if err != nil {
			return fmt.Errorf("%w: the migrations cannot be read: %v", ErrNotReady, err)
		}
		if len(pending) > 0 {
			return fmt.Errorf("%w: %d migrations pending (%s): migrate up", ErrNotReady, len(pending), strings.Join(pending, ", "))
		}
	}
	return nil
}

// Backlog counts the work waiting, across every tenant: the pending notifications and webhook
// deliveries by channel (due now, or scheduled later: retries and those being sent), the failed
// ones created within failedWithin, and the due timers by kind (see storage.Backlog). It
// reveals no record, only counts, and is meant for the operator's metrics; its cost follows the
// waiting work, not the history. Returns an error wrapping errors.ErrUnsupported when the store
// cannot count (storage.BacklogCounter), and the store's error otherwise.
func (d *Desk) Backlog(ctx context.Context, failedWithin time.Duration) (storage.Backlog, error) {
	bc, ok := d.store.(storage.BacklogCounter)
	if !ok {
		return storage.Backlog{}, fmt.Errorf("backlog: %w", errors.ErrUnsupported)
	}
	now := d.clock()
	b, err := bc.CountBacklog(ctx, now, now.Add(-failedWithin))
	if err != nil {
		return storage.Backlog{}, fmt.Errorf("backlog: %w", err)
	}
	return b, nil
}
