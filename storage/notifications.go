package storage

import (
	"context"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/google/uuid"
)

// NotificationFilter narrows ListNotifications; zero fields match everything and fields
// combine with AND.
type NotificationFilter struct {
	Status  notify.Status
	Channel notify.Channel
	Event   notify.Event
	// UserID matches one recipient user's notifications (the bell: Channel notify.InApp).
	UserID   uuid.UUID
	TicketID uuid.UUID
}

// DeliveryOutcome is the result of one delivery attempt, as FinishNotifications records it.
type DeliveryOutcome struct {
	ID uuid.UUID
	// Attempt is the notification's Attempts after the claim that made this attempt. The
	// outcome is ignored when the stored Attempts differs: the lease ran out and another
	// dispatcher claimed the notification again, so its outcome is the one that counts.
	Attempt int
	// Status is notify.StatusSent (accepted), notify.StatusPending (retry at NextAttemptAt) or
	// notify.StatusFailed (given up).
	Status        notify.Status
	NextAttemptAt time.Time
	// LastError is the attempt's error; empty for sent.
	LastError string
	// ProviderID is the accepting provider's message ID (sent only).
	ProviderID string
	// At is when the attempt ended: SentAt for sent.
	At time.Time
	// Retries is how many more attempts the dispatcher made within the same claim after the
	// first failed (a retry due at once): FinishNotifications adds them to the stored
	// Attempts, so that MaxAttempts and the backoff count every attempt.
	Retries int
}

// Outbox stores notifications: the deliveries waiting to be made (written in the transaction
// of the change that caused them), their outcome, and the in-app notifications of the bell.
type Outbox interface {
	// EnqueueNotifications inserts ns, whose IDs and times the caller sets. Stores that can
	// wake dispatchers in other processes (PostgreSQL NOTIFY) signal them when the transaction
	// commits, if any of ns is pending (the others need no dispatcher). Returns ErrConflict if
	// an ID is taken.
	EnqueueNotifications(ctx context.Context, ns []*notify.Notification) error
	// ClaimNotifications takes up to limit pending notifications of any tenant whose
	// NextAttemptAt is at or before now, earliest first. It increments each one's Attempts and
	// moves its NextAttemptAt to leaseUntil, so that no other claim takes it until the lease
	// runs out (when a dispatcher died mid-attempt, it is claimed again then). Concurrent
	// claims never return the same notification; on PostgreSQL they skip each other's rows
	// (FOR UPDATE SKIP LOCKED) instead of waiting.
	ClaimNotifications(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*notify.Notification, error)
	// FinishNotifications records attempt outcomes, all in one round trip where the store
	// can. An outcome whose Attempt no longer matches is skipped (see DeliveryOutcome).
	FinishNotifications(ctx context.Context, outcomes []DeliveryOutcome) error
	// NextNotificationDue returns the earliest NextAttemptAt of any pending notification, and
	// false when none is pending.
	NextNotificationDue(ctx context.Context) (time.Time, bool, error)
	// GetNotification returns ErrNotFound if the tenant has no such notification.
	GetNotification(ctx context.Context, tenantID, id uuid.UUID) (*notify.Notification, error)
	// ListNotifications returns a page of the tenant's notifications matching f, newest first.
	// Returns ErrInvalidCursor for a malformed cursor.
	ListNotifications(ctx context.Context, tenantID uuid.UUID, f NotificationFilter, p PageRequest) (Page[*notify.Notification], error)
	// RetryNotification makes a failed notification pending again: Attempts 0, NextAttemptAt
	// at, LastError kept. Returns ErrNotFound if the tenant has no such notification and
	// ErrConflict if it is not failed.
	RetryNotification(ctx context.Context, tenantID, id uuid.UUID, at time.Time) (*notify.Notification, error)
	// ReportNotification records a provider's delivery report on the notification sent on ch
	// under providerID, whatever its tenant: sent (or delivered, for a late failure report)
	// becomes delivered with DeliveredAt at, or failed with LastError detail. A report on a
	// failed notification changes nothing. Returns ErrNotFound for an unknown providerID.
	ReportNotification(ctx context.Context, ch notify.Channel, providerID string, delivered bool, detail string, at time.Time) (*notify.Notification, error)
	// CountUnread returns how many of the user's in-app notifications are unread.
	CountUnread(ctx context.Context, tenantID, userID uuid.UUID) (int, error)
	// MarkRead marks the user's unread in-app notification id read at at, or all of them when
	// id is uuid.Nil, and returns how many it marked. Returns ErrNotFound when id names no
	// in-app notification of that user.
	MarkRead(ctx context.Context, tenantID, userID, id uuid.UUID, at time.Time) (int, error)
}

// NotificationTemplates stores tenants' own notification templates.
type NotificationTemplates interface {
	// CreateNotificationTemplate returns ErrConflict if the ID is taken or the tenant already
	// has a template for the same event, channel and language.
	CreateNotificationTemplate(ctx context.Context, t *notify.Template) error
	// GetNotificationTemplate returns ErrNotFound if the tenant has no such template.
	GetNotificationTemplate(ctx context.Context, tenantID, id uuid.UUID) (*notify.Template, error)
	// UpdateNotificationTemplate returns ErrNotFound, or ErrConflict for a stale Version or an
	// event, channel and language taken by another template.
	UpdateNotificationTemplate(ctx context.Context, t *notify.Template) error
	// DeleteNotificationTemplate returns ErrNotFound if the tenant has no such template.
	DeleteNotificationTemplate(ctx context.Context, tenantID, id uuid.UUID) error
	// ListNotificationTemplates returns the tenant's templates of event ev (every event when
	// ev is empty), ordered by event, channel and language.
	ListNotificationTemplates(ctx context.Context, tenantID uuid.UUID, ev notify.Event) ([]*notify.Template, error)
}

// OutboxListener is implemented by stores that can tell a dispatcher when notifications were
// enqueued by any process (PostgreSQL LISTEN/NOTIFY). Dispatchers fall back to polling without
// it, and also when the listener fails.
type OutboxListener interface {
	// ListenOutbox returns a channel that receives a value soon after a transaction that
	// enqueued pending notifications commits, in this process or another, until ctx ends (then the
	// channel is closed). Signals may be coalesced. Returns an error if listening cannot start.
	ListenOutbox(ctx context.Context) (<-chan struct{}, error)
}
