package ticket

import (
	"time"

	"github.com/google/uuid"
)

// TimerKind names a timer rule of docs/concepts.md, "Timers". A timer belongs to a session
// (SessionID set) or to its ticket alone; a subject has at most one pending timer of each kind.
type TimerKind string

// The timer kinds. The public-page access limit and the media transfer window are deadlines,
// not timers: nothing happens when they pass, a later request is refused, so they are checked
// against the clock when the request comes (see Ticket.ClosedAt and Ticket.UploadsUntil).
const (
	// TimerInvitationExpiry (session): an invited or proposed session nobody answered expires.
	TimerInvitationExpiry TimerKind = "invitation_expiry"
	// TimerReminder (session): a confirmed planned session reminds requester and agent
	// shortly before its planned time.
	TimerReminder TimerKind = "reminder"
	// TimerPlannedEnd (session): a live session with a planned end ends.
	TimerPlannedEnd TimerKind = "planned_end"
	// TimerAcknowledgment escalates to the supervisor when the agent did not act in time: on a
	// session, after it was refused or expired; on a ticket, after it was done.
	TimerAcknowledgment TimerKind = "acknowledgment"
	// TimerExpiration auto-closes: on a session, the ticket of a refused or expired invitation
	// nobody followed up; on a ticket, a ticket left waiting or done (closing its done sessions).
	TimerExpiration TimerKind = "expiration"
	// TimerOfferTimeout (ticket): an open ticket nobody accepted escalates to the supervisor.
	TimerOfferTimeout TimerKind = "offer_timeout"
)

// TimerKinds lists every TimerKind, in a stable order.
func TimerKinds() []TimerKind {
	return []TimerKind{TimerInvitationExpiry, TimerReminder, TimerPlannedEnd, TimerAcknowledgment,
		TimerExpiration, TimerOfferTimeout}
}

// Timer is a pending timer, stored in the database so that a restart loses none.
type Timer struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	TicketID uuid.UUID
	// SessionID is the session the timer belongs to; uuid.Nil for a ticket's own timer.
	SessionID uuid.UUID
	Kind      TimerKind
	// DueAt is when the rule says the timer fires; it never changes once armed.
	DueAt time.Time
	// RunAt is when the timer may next be claimed: DueAt at first, the end of a claim's lease
	// while it fires, the retry time after a failed firing.
	RunAt time.Time
	// Attempts counts claims; a firing is only accepted from the latest one.
	Attempts int
	// LastError is why the latest firing failed, if it did.
	LastError string
	CreatedAt time.Time
}

// Subject returns what the timer belongs to: its session, or its ticket.
func (t *Timer) Subject() uuid.UUID {
	if t.SessionID != uuid.Nil {
		return t.SessionID
	}
	return t.TicketID
}
