// Package ticket holds service cases and everything recorded on them: tickets, messages,
// history entries, video sessions, and the tenant's custom statuses and priorities.
//
// # Lifecycles
//
// [TicketLifecycle] and [SessionLifecycle] are declared transition tables built on
// looplab/fsm. They hold no state: a machine is built from the stored state for every
// operation, so the database stays the only source of truth. An event a state does not allow
// returns a [*TransitionError] wrapping [ErrInvalidTransition]. The diagrams in docs/ are
// generated from the same tables.
//
// # Statuses
//
// A tenant may define any number of custom statuses; each maps onto exactly one built-in
// [State], which the lifecycle governs. A ticket gets its state's default status when it is
// created and whenever its state changes; StatusID is uuid.Nil only when that state has no
// default. Retired statuses and priorities stay on the tickets that have them but are not
// given anew.
package ticket
