package storage

import (
	"context"
	"time"

	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// TimerScope picks a ticket's pending timers for CancelTimers. TicketID is required; the other
// fields narrow and combine with AND.
type TimerScope struct {
	TicketID uuid.UUID
	// SessionID keeps one session's timers only.
	SessionID uuid.UUID
	// TicketOnly keeps the ticket's own timers only (no session's); ignored with SessionID.
	TicketOnly bool
	// Kinds keeps the listed kinds only; empty means every kind.
	Kinds []ticket.TimerKind
}

// Timers stores pending timers. A timer is armed and cancelled inside the transaction of the
// change that makes it due or moot, and fired inside a transaction that deletes it
// (FireTimer), so it fires at most once.
type Timers interface {
	// ArmTimer stores t as its subject's pending timer of its kind (the subject is t.SessionID,
	// or t.TicketID for a ticket's own timer), replacing any pending one, whose firing is then
	// refused. RunAt is set to DueAt and Attempts to 0. Returns ErrNotFound if the ticket (or
	// session) does not exist in the tenant.
	ArmTimer(ctx context.Context, t *ticket.Timer) error
	// CancelTimers deletes the pending timers s picks within the tenant and returns how many.
	CancelTimers(ctx context.Context, tenantID uuid.UUID, s TimerScope) (int, error)
	// ClaimTimers takes up to limit timers whose RunAt is not after now, earliest RunAt first,
	// whatever their tenant: each gets RunAt = now + lease and one more Attempts, and is
	// returned so. Concurrent claimers never get the same timer while its lease lasts (on
	// PostgreSQL with FOR UPDATE SKIP LOCKED, so they do not wait for each other either).
	ClaimTimers(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*ticket.Timer, error)
	// FireTimer deletes a claimed timer if it is still pending and attempts is still its latest
	// claim, and reports whether it did. It is called in the firing's transaction: false means
	// the timer was cancelled, re-armed or claimed again meanwhile, and the firing must not
	// happen.
	FireTimer(ctx context.Context, tenantID, id uuid.UUID, attempts int) (bool, error)
	// RetryTimer makes a claimed timer whose firing failed claimable again at runAt, recording
	// why. It does nothing (and returns nil) if the timer is gone or was claimed again since
	// attempts.
	RetryTimer(ctx context.Context, tenantID, id uuid.UUID, attempts int, runAt time.Time, lastErr string) error
	// NextTimerRun returns the earliest RunAt of all pending timers, whatever their tenant;
	// ok is false when there are none.
	NextTimerRun(ctx context.Context) (at time.Time, ok bool, err error)
	// ListTimers returns the ticket's pending timers (its sessions' included), by DueAt.
	ListTimers(ctx context.Context, tenantID, ticketID uuid.UUID) ([]*ticket.Timer, error)
}

// Attachments stores the metadata of files on tickets; their content lives in a blob store.
type Attachments interface {
	// CreateAttachment returns ErrConflict if the ID is taken, ErrNotFound if the ticket (or
	// the message) does not exist in the tenant.
	CreateAttachment(ctx context.Context, a *ticket.Attachment) error
	// GetAttachment returns ErrNotFound if the tenant has no such attachment.
	GetAttachment(ctx context.Context, tenantID, id uuid.UUID) (*ticket.Attachment, error)
	// ListAttachments returns a page of the ticket's attachments, oldest first (by CreatedAt,
	// then ID); those of internal messages only when includeInternal is set. Returns
	// ErrInvalidCursor for a malformed cursor or one naming no attachment of this listing.
	ListAttachments(ctx context.Context, tenantID, ticketID uuid.UUID, includeInternal bool, p PageRequest) (Page[*ticket.Attachment], error)
	// CountMedia returns how many media (attachments without a message) the ticket has,
	// leaving out the files the system attached (the request form's report template).
	CountMedia(ctx context.Context, tenantID, ticketID uuid.UUID) (int, error)
	// TicketFiles returns how many attachments the ticket has and their total Size, media and
	// messages' files together, internal ones included: what the ticket's file quotas count.
	TicketFiles(ctx context.Context, tenantID, ticketID uuid.UUID) (FileUsage, error)
}

// FileUsage is what a ticket's files take up.
type FileUsage struct {
	// Files is how many files the ticket holds.
	Files int
	// Bytes is their total size.
	Bytes int64
}
