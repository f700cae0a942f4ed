package storage

import (
	"context"
	"time"

	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// Pinger is implemented by stores that can tell whether their database answers.
type Pinger interface {
	// Ping returns nil when the database answers within ctx, and the driver's error otherwise.
	Ping(ctx context.Context) error
}

// MigrationChecker is implemented by stores whose schema is versioned (see Migrator) and that
// can tell whether the database's schema is the one this code expects without changing it.
type MigrationChecker interface {
	// PendingMigrations returns the names of the migrations this code holds that the
	// database has not applied, oldest first: none means the schema is current. Migrations the
	// database has applied that this code does not know (a newer release migrated it) are not
	// pending. Returns the driver's error when the database cannot be read, such as before
	// the first migration created the bookkeeping table.
	PendingMigrations(ctx context.Context) ([]string, error)
}

// BacklogCounter is implemented by stores that can count the work waiting in the outboxes
// and among the timers cheaply, whatever the size of their history: from the indexes of the
// pending rows, and for failed rows from the recent ones only.
type BacklogCounter interface {
	// CountBacklog counts, at now, the pending notifications and webhook deliveries (due ones
	// apart), the failed ones created (by their UUIDv7 ID) since failedSince, and the timers
	// whose run time has come. Every pair of channel and status with rows is listed once;
	// pairs without rows are left out.
	CountBacklog(ctx context.Context, now, failedSince time.Time) (Backlog, error)
}

// Backlog is the work waiting at one moment, as BacklogCounter counts it.
type Backlog struct {
	// Notifications counts the outbox's notifications by channel and status.
	Notifications []OutboxCount
	// Webhooks counts the webhook deliveries by status; their Channel is "webhook".
	Webhooks []OutboxCount
	// TimersDue counts the timers due and not claimed (their run time has come), by kind.
	TimersDue map[ticket.TimerKind]int
}

// The statuses an OutboxCount counts.
const (
	// BacklogDue is a pending row whose next attempt time has come: waiting for a dispatcher.
	BacklogDue = "due"
	// BacklogScheduled is a pending row whose next attempt is later: a retry after a backoff,
	// or a row claimed by a dispatcher now sending it (its lease).
	BacklogScheduled = "scheduled"
	// BacklogFailed is a row given up on (notify.StatusFailed, webhook.Failed).
	BacklogFailed = "failed"
)

// OutboxCount is how many rows of one channel are in one status of the backlog.
type OutboxCount struct {
	// Channel is the notification's channel ("email", "sms", "push", "inapp"), or "webhook".
	Channel string
	// Status is BacklogDue, BacklogScheduled or BacklogFailed.
	Status string
	Count  int
}

// TenantLister is implemented by stores that can list every tenant, for the work an operator
// does across all of them (Desk.ResealSecrets).
type TenantLister interface {
	// TenantIDs returns the IDs of up to limit tenants after the ID after (uuid.Nil: from
	// the first), in ID order.
	TenantIDs(ctx context.Context, after uuid.UUID, limit int) ([]uuid.UUID, error)
}
