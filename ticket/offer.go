package ticket

import (
	"time"

	"github.com/google/uuid"
)

// OfferState is where an offer stands. An offer is open until it is closed, once, into one of
// the other states.
type OfferState string

// The offer states.
const (
	// OfferOpen: the employee may accept the ticket.
	OfferOpen OfferState = "open"
	// OfferAccepted: the employee accepted; the ticket is theirs.
	OfferAccepted OfferState = "accepted"
	// OfferWithdrawn: someone else accepted or was assigned, the ticket went to another team,
	// or it was rejected or cancelled.
	OfferWithdrawn OfferState = "withdrawn"
	// OfferExpired: nobody accepted before the tenant's offer timeout; the supervisor was told
	// and assigns the ticket.
	OfferExpired OfferState = "expired"
)

// OfferStates returns every offer state, open first. The slice is new on every call.
func OfferStates() []OfferState {
	return []OfferState{OfferOpen, OfferAccepted, OfferWithdrawn, OfferExpired}
}

// Valid reports whether s is one of the offer states.
func (s OfferState) Valid() bool {
	switch s {
	case OfferOpen, OfferAccepted, OfferWithdrawn, OfferExpired:
		return true
	}
	return false
}

// Offer is an open ticket offered to one employee, a member of the ticket's team: the first
// offered employee to accept it wins, and the other offers of the ticket are withdrawn.
type Offer struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	TicketID uuid.UUID
	// UserID is the employee the ticket is offered to.
	UserID    uuid.UUID
	State     OfferState
	CreatedAt time.Time
	// ClosedAt is when the offer left OfferOpen; nil while it is open.
	ClosedAt *time.Time
}
