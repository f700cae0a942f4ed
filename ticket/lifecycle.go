package ticket

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/looplab/fsm"
)

// ErrInvalidTransition is returned, wrapped in a *TransitionError, when a known event is not
// allowed from the given state (including a state the table does not know).
var ErrInvalidTransition = errors.New("invalid transition")

// ErrUnknownEvent is returned, wrapped in a *TransitionError, when the event name does not
// appear in the lifecycle's table at all.
var ErrUnknownEvent = errors.New("unknown event")

// TransitionError describes a refused lifecycle move. Err is ErrInvalidTransition or
// ErrUnknownEvent, so callers test it with errors.Is and read the details with errors.As.
type TransitionError struct {
	// Machine is the lifecycle's name: "ticket" or "session".
	Machine string
	// From is the state the move was attempted from ("" for SessionNone).
	From string
	// Event is the event that was refused.
	Event string
	// Err is the sentinel: ErrInvalidTransition or ErrUnknownEvent.
	Err error
}

// Error renders the refusal, such as `ticket: event "rate" not allowed in state "open"` or
// `ticket: unknown event "fly"`. An empty From (SessionNone) is shown as (none).
func (e *TransitionError) Error() string {
	if errors.Is(e.Err, ErrUnknownEvent) {
		return fmt.Sprintf("%s: unknown event %q", e.Machine, e.Event)
	}
	from := "(none)"
	if e.From != "" {
		from = strconv.Quote(e.From)
	}
	return fmt.Sprintf("%s: event %q not allowed in state %s", e.Machine, e.Event, from)
}

// Unwrap returns the sentinel (ErrInvalidTransition or ErrUnknownEvent).
func (e *TransitionError) Unwrap() error { return e.Err }

// Transition is one row of a declared lifecycle table: Event moves a machine from any of the
// From states to To.
type Transition[S ~string, E ~string] struct {
	Event E
	From  []S
	To    S
}

// Lifecycle is a declared transition table, executed with looplab/fsm. It holds no current
// state (the state lives in storage) and is immutable, so one value may be shared by
// goroutines. Obtain one from TicketLifecycle or SessionLifecycle.
type Lifecycle[S ~string, E ~string] struct {
	name        string
	transitions []Transition[S, E]
	// events is the table converted for fsm.NewFSM once; fsm only reads it.
	events []fsm.EventDesc
}

// newLifecycle takes ownership of transitions and converts them for fsm once.
func newLifecycle[S ~string, E ~string](name string, transitions []Transition[S, E]) *Lifecycle[S, E] {
	events := make([]fsm.EventDesc, len(transitions))
	for i, t := range transitions {
		src := make([]string, len(t.From))
		for j, from := range t.From {
			src[j] = string(from)
		}
		events[i] = fsm.EventDesc{Name: string(t.Event), Src: src, Dst: string(t.To)}
	}
	return &Lifecycle[S, E]{name: name, transitions: transitions, events: events}
}

// Name returns the lifecycle's name ("ticket" or "session"), used as TransitionError.Machine.
func (l *Lifecycle[S, E]) Name() string { return l.name }

// Transitions returns a deep copy of the table, in table order; changing it does not change
// the lifecycle.
func (l *Lifecycle[S, E]) Transitions() []Transition[S, E] {
	out := make([]Transition[S, E], len(l.transitions))
	for i, t := range l.transitions {
		out[i] = Transition[S, E]{Event: t.Event, From: append([]S(nil), t.From...), To: t.To}
	}
	return out
}

// Apply fires ev on a fresh looplab/fsm machine set to from and returns the new state. It runs
// no callbacks and stores nothing: persisting the result is the caller's job.
//
// On error it returns from unchanged and:
//   - a *TransitionError wrapping ErrUnknownEvent if ev is not in the table;
//   - a *TransitionError wrapping ErrInvalidTransition if ev is known but not allowed from
//     from (also when from is not a state of the table);
//   - ctx.Err() if ctx is already done (checked after the table, as looplab/fsm does).
//
// A self-loop row (From containing To) would make looplab/fsm report NoTransitionError; Apply
// treats that as success and returns the unchanged state. The built-in tables have none.
func (l *Lifecycle[S, E]) Apply(ctx context.Context, from S, ev E) (S, error) {
	m := fsm.NewFSM(string(from), l.events, nil)
	err := m.Event(ctx, string(ev))
	var (
		invalid fsm.InvalidEventError
		unknown fsm.UnknownEventError
		noop    fsm.NoTransitionError
	)
	switch {
	case err == nil:
		return S(m.Current()), nil
	case errors.As(err, &noop) && noop.Err == nil:
		return from, nil
	case errors.As(err, &invalid):
		return from, l.refuse(from, ev, ErrInvalidTransition)
	case errors.As(err, &unknown):
		return from, l.refuse(from, ev, ErrUnknownEvent)
	default:
		// Only a done context can get here: no callbacks means no cancel or async errors.
		return from, err
	}
}

func (l *Lifecycle[S, E]) refuse(from S, ev E, sentinel error) error {
	return &TransitionError{Machine: l.name, From: string(from), Event: string(ev), Err: sentinel}
}

// Can reports whether ev is allowed from from. It never fails: an unknown event or state is
// simply not allowed.
func (l *Lifecycle[S, E]) Can(from S, ev E) bool {
	_, ok := l.target(from, ev)
	return ok
}

// target looks a move up in the table without building a machine.
func (l *Lifecycle[S, E]) target(from S, ev E) (S, bool) {
	for _, t := range l.transitions {
		if t.Event != ev {
			continue
		}
		if slices.Contains(t.From, from) {
			return t.To, true
		}
	}
	return "", false
}

// Events returns the events allowed from from, each once, in table order. The order is
// deterministic (unlike fsm.FSM.AvailableTransitions). It is empty for a state without moves
// and for states the table does not know.
func (l *Lifecycle[S, E]) Events(from S) []E {
	var out []E
	for _, t := range l.transitions {
		if slices.Contains(t.From, from) && !slices.Contains(out, t.Event) {
			out = append(out, t.Event)
		}
	}
	return out
}

// Mermaid renders the table as a mermaid stateDiagram-v2: one "from --> to: event" line per
// source state of each row, in table order, so the output is deterministic. The empty state
// (SessionNone) is rendered as the start pseudo-state [*].
func (l *Lifecycle[S, E]) Mermaid() string {
	node := func(s S) string {
		if s == "" {
			return "[*]"
		}
		return string(s)
	}
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	for _, t := range l.transitions {
		for _, from := range t.From {
			fmt.Fprintf(&b, "    %s --> %s: %s\n", node(from), node(t.To), t.Event)
		}
	}
	return b.String()
}

// TicketLifecycle returns the ticket lifecycle: the built-in states and events of
// docs/concepts.md, "Ticket lifecycle". Each call builds a new, independent value; it never fails.
func TicketLifecycle() *Lifecycle[State, Event] {
	type s = []State
	return newLifecycle("ticket", []Transition[State, Event]{
		{EventSubmit, s{StateDraft}, StateOpen},
		{EventAccept, s{StateOpen}, StateAssigned},
		{EventAssign, s{StateOpen}, StateAssigned},
		{EventStart, s{StateAssigned, StateWaiting}, StateInProgress},
		{EventWait, s{StateAssigned, StateInProgress}, StateWaiting},
		{EventResume, s{StateWaiting}, StateInProgress},
		{EventComplete, s{StateAssigned, StateInProgress, StateWaiting}, StateDone},
		{EventRate, s{StateDone}, StateClosed},
		{EventClose, s{StateAssigned, StateInProgress, StateWaiting, StateDone}, StateClosed},
		// In progress too: after an invitation was refused or expired (the ticket resumed) and
		// nobody followed it up within the max expiration (docs/concepts.md, "Timers").
		{EventExpire, s{StateInProgress, StateWaiting, StateDone}, StateClosed},
		{EventReject, s{StateOpen, StateAssigned}, StateCancelled},
		{EventCancel, s{StateDraft, StateOpen, StateAssigned, StateInProgress, StateWaiting}, StateCancelled},
		{EventReopen, s{StateDone, StateClosed}, StateAssigned},
	})
}

// SessionLifecycle returns the video session lifecycle of docs/concepts.md, "Video session
// lifecycle". The "(none)" source of the table is SessionNone: request, invite and propose
// create a session. Each call builds a new, independent value; it never fails.
func SessionLifecycle() *Lifecycle[SessionState, SessionEvent] {
	type s = []SessionState
	return newLifecycle("session", []Transition[SessionState, SessionEvent]{
		{SessionEventRequest, s{SessionNone}, SessionRequested},
		{SessionEventInvite, s{SessionNone, SessionRequested}, SessionInvited},
		{SessionEventPropose, s{SessionNone, SessionRequested}, SessionProposed},
		{SessionEventConfirm, s{SessionRequested}, SessionConfirmed},
		{SessionEventAccept, s{SessionProposed}, SessionConfirmed},
		{SessionEventRefuse, s{SessionProposed}, SessionRefused},
		{SessionEventStart, s{SessionInvited, SessionConfirmed}, SessionInProgress},
		{SessionEventEnd, s{SessionInProgress}, SessionDone},
		{SessionEventRate, s{SessionDone}, SessionClosed},
		{SessionEventClose, s{SessionDone}, SessionClosed},
		{SessionEventExpire, s{SessionInvited, SessionProposed}, SessionExpired},
		{SessionEventCancel, s{SessionRequested, SessionInvited, SessionProposed, SessionConfirmed, SessionInProgress}, SessionCancelled},
		{SessionEventReopen, s{SessionClosed, SessionRefused, SessionExpired}, SessionConfirmed},
	})
}
