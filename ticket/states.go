package ticket

// State is a ticket's built-in lifecycle state. Tenants' custom statuses each map onto exactly
// one State; TicketLifecycle governs the moves between them.
type State string

// The built-in ticket states, in lifecycle order.
const (
	// StateDraft: the creation flow is not finished; no offers were sent.
	StateDraft State = "draft"
	// StateOpen: submitted; offers were sent; nobody has accepted or been assigned.
	StateOpen State = "open"
	// StateAssigned: an employee accepted an offer or was assigned.
	StateAssigned State = "assigned"
	// StateInProgress: an employee is working on it (or a video session is live).
	StateInProgress State = "in_progress"
	// StateWaiting: waiting for the requester (a reply, an answer to an invitation).
	StateWaiting State = "waiting"
	// StateDone: the work is finished; the requester has not rated it yet.
	StateDone State = "done"
	// StateClosed: closed (with a reason); requesters can no longer post.
	StateClosed State = "closed"
	// StateCancelled: withdrawn by the requester, or rejected or cancelled by support.
	StateCancelled State = "cancelled"
)

// States returns all built-in ticket states in lifecycle order (draft first, cancelled last).
// The slice is new on every call; the caller may modify it.
func States() []State {
	return []State{
		StateDraft, StateOpen, StateAssigned, StateInProgress,
		StateWaiting, StateDone, StateClosed, StateCancelled,
	}
}

// Valid reports whether s is one of the built-in ticket states.
func (s State) Valid() bool {
	switch s {
	case StateDraft, StateOpen, StateAssigned, StateInProgress,
		StateWaiting, StateDone, StateClosed, StateCancelled:
		return true
	}
	return false
}

// Terminal reports whether s is closed or cancelled. A closed ticket can still be reopened
// with EventReopen; a cancelled one cannot leave its state.
func (s State) Terminal() bool {
	return s == StateClosed || s == StateCancelled
}

// Active reports whether s is open, assigned, in_progress or waiting: the states in which a
// ticket is being handled and may be re-assigned to another agent or team (from open that is
// EventAssign, from the others a re-assignment that keeps the state).
func (s State) Active() bool {
	switch s {
	case StateOpen, StateAssigned, StateInProgress, StateWaiting:
		return true
	}
	return false
}

// Event is a ticket lifecycle event: the name of a move in TicketLifecycle.
type Event string

// The ticket lifecycle events, in table order.
const (
	// EventSubmit: draft → open.
	EventSubmit Event = "submit"
	// EventAccept: an offered employee accepts; open → assigned.
	EventAccept Event = "accept"
	// EventAssign: a supervisor assigns; open → assigned.
	EventAssign Event = "assign"
	// EventStart: assigned, waiting → in_progress.
	EventStart Event = "start"
	// EventWait: assigned, in_progress → waiting.
	EventWait Event = "wait"
	// EventResume: waiting → in_progress.
	EventResume Event = "resume"
	// EventComplete: assigned, in_progress, waiting → done.
	EventComplete Event = "complete"
	// EventRate: the requester rates; done → closed.
	EventRate Event = "rate"
	// EventClose: assigned, in_progress, waiting, done → closed.
	EventClose Event = "close"
	// EventExpire: the max expiration passed; in progress (an invitation refused or expired and
	// not followed up), waiting, done → closed.
	EventExpire Event = "expire"
	// EventReject: a supervisor rejects; open, assigned → cancelled.
	EventReject Event = "reject"
	// EventCancel: draft, open, assigned, in_progress, waiting → cancelled.
	EventCancel Event = "cancel"
	// EventReopen: done, closed → assigned.
	EventReopen Event = "reopen"
)

// Events returns all 13 ticket lifecycle events in table order. The slice is new on every
// call; the caller may modify it.
func Events() []Event {
	return []Event{
		EventSubmit, EventAccept, EventAssign, EventStart, EventWait, EventResume, EventComplete,
		EventRate, EventClose, EventExpire, EventReject, EventCancel, EventReopen,
	}
}

// SessionState is a video session's lifecycle state, governed by SessionLifecycle.
type SessionState string

// The video session states. SessionNone is not a real state: it stands for "the session does
// not exist yet" and is the source of the events that create a session.
const (
	// SessionNone: before the session exists.
	SessionNone SessionState = ""
	// SessionRequested: a code user asked for a call; staff must confirm it.
	SessionRequested SessionState = "requested"
	// SessionInvited: staff invited the requester to an immediate call; awaiting the join.
	SessionInvited SessionState = "invited"
	// SessionProposed: staff proposed a planned time; awaiting accept or refuse.
	SessionProposed SessionState = "proposed"
	// SessionConfirmed: confirmed by staff or accepted by the requester; either side may start.
	SessionConfirmed SessionState = "confirmed"
	// SessionInProgress: the call is live.
	SessionInProgress SessionState = "in_progress"
	// SessionDone: the call ended; not rated yet.
	SessionDone SessionState = "done"
	// SessionClosed: rated, closed by staff, or closed automatically.
	SessionClosed SessionState = "closed"
	// SessionRefused: the requester refused a proposed time.
	SessionRefused SessionState = "refused"
	// SessionExpired: nobody answered an invitation in time.
	SessionExpired SessionState = "expired"
	// SessionCancelled: the requester withdrew a request, or staff cancelled.
	SessionCancelled SessionState = "cancelled"
)

// SessionStates returns the 10 real session states (SessionNone excluded) in lifecycle order.
// The slice is new on every call; the caller may modify it.
func SessionStates() []SessionState {
	return []SessionState{
		SessionRequested, SessionInvited, SessionProposed, SessionConfirmed, SessionInProgress,
		SessionDone, SessionClosed, SessionRefused, SessionExpired, SessionCancelled,
	}
}

// Valid reports whether s is one of the 10 real session states. It is false for SessionNone
// and for unknown strings.
func (s SessionState) Valid() bool {
	switch s {
	case SessionRequested, SessionInvited, SessionProposed, SessionConfirmed, SessionInProgress,
		SessionDone, SessionClosed, SessionRefused, SessionExpired, SessionCancelled:
		return true
	}
	return false
}

// SessionEvent is a video session lifecycle event: the name of a move in SessionLifecycle.
type SessionEvent string

// The video session events, in table order.
const (
	// SessionEventRequest: (none) → requested.
	SessionEventRequest SessionEvent = "request"
	// SessionEventInvite: (none), requested → invited.
	SessionEventInvite SessionEvent = "invite"
	// SessionEventPropose: (none), requested → proposed.
	SessionEventPropose SessionEvent = "propose"
	// SessionEventConfirm: staff confirms a request; requested → confirmed.
	SessionEventConfirm SessionEvent = "confirm"
	// SessionEventAccept: the requester accepts a proposed time; proposed → confirmed.
	SessionEventAccept SessionEvent = "accept"
	// SessionEventRefuse: the requester refuses a proposed time; proposed → refused.
	SessionEventRefuse SessionEvent = "refuse"
	// SessionEventStart: the call starts; invited, confirmed → in_progress.
	SessionEventStart SessionEvent = "start"
	// SessionEventEnd: the call ends; in_progress → done.
	SessionEventEnd SessionEvent = "end"
	// SessionEventRate: done → closed.
	SessionEventRate SessionEvent = "rate"
	// SessionEventClose: staff, or the system after the max expiration; done → closed.
	SessionEventClose SessionEvent = "close"
	// SessionEventExpire: nobody answered in time; invited, proposed → expired.
	SessionEventExpire SessionEvent = "expire"
	// SessionEventCancel: requested, invited, proposed, confirmed, in_progress → cancelled.
	SessionEventCancel SessionEvent = "cancel"
	// SessionEventReopen: staff only; closed, refused, expired → confirmed.
	SessionEventReopen SessionEvent = "reopen"
)

// SessionEvents returns all 13 session lifecycle events in table order. The slice is new on
// every call; the caller may modify it.
func SessionEvents() []SessionEvent {
	return []SessionEvent{
		SessionEventRequest, SessionEventInvite, SessionEventPropose, SessionEventConfirm,
		SessionEventAccept, SessionEventRefuse, SessionEventStart, SessionEventEnd,
		SessionEventRate, SessionEventClose, SessionEventExpire, SessionEventCancel,
		SessionEventReopen,
	}
}
