package ticket_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/helpdesk/ticket"
)

// wantTicket is the ticket table of docs/concepts.md, "Ticket lifecycle", transcribed
// independently of ticket.TicketLifecycle
// and transposed (by source state) so that a copying mistake in either shows up:
// from → event → to. Anything absent is not allowed.
var wantTicket = map[ticket.State]map[ticket.Event]ticket.State{
	ticket.StateDraft: {
		ticket.EventSubmit: ticket.StateOpen,
		ticket.EventCancel: ticket.StateCancelled,
	},
	ticket.StateOpen: {
		ticket.EventAccept: ticket.StateAssigned,
		ticket.EventAssign: ticket.StateAssigned,
		ticket.EventReject: ticket.StateCancelled,
		ticket.EventCancel: ticket.StateCancelled,
	},
	ticket.StateAssigned: {
		ticket.EventStart:    ticket.StateInProgress,
		ticket.EventWait:     ticket.StateWaiting,
		ticket.EventComplete: ticket.StateDone,
		ticket.EventClose:    ticket.StateClosed,
		ticket.EventReject:   ticket.StateCancelled,
		ticket.EventCancel:   ticket.StateCancelled,
	},
	ticket.StateInProgress: {
		ticket.EventWait:     ticket.StateWaiting,
		ticket.EventComplete: ticket.StateDone,
		ticket.EventClose:    ticket.StateClosed,
		ticket.EventExpire:   ticket.StateClosed,
		ticket.EventCancel:   ticket.StateCancelled,
	},
	ticket.StateWaiting: {
		ticket.EventStart:    ticket.StateInProgress,
		ticket.EventResume:   ticket.StateInProgress,
		ticket.EventComplete: ticket.StateDone,
		ticket.EventClose:    ticket.StateClosed,
		ticket.EventExpire:   ticket.StateClosed,
		ticket.EventCancel:   ticket.StateCancelled,
	},
	ticket.StateDone: {
		ticket.EventRate:   ticket.StateClosed,
		ticket.EventClose:  ticket.StateClosed,
		ticket.EventExpire: ticket.StateClosed,
		ticket.EventReopen: ticket.StateAssigned,
	},
	ticket.StateClosed: {
		ticket.EventReopen: ticket.StateAssigned,
	},
	ticket.StateCancelled: {},
}

// wantSession is the session table of docs/concepts.md, "Video session lifecycle", transcribed
// the same way; SessionNone is "(none)".
var wantSession = map[ticket.SessionState]map[ticket.SessionEvent]ticket.SessionState{
	ticket.SessionNone: {
		ticket.SessionEventRequest: ticket.SessionRequested,
		ticket.SessionEventInvite:  ticket.SessionInvited,
		ticket.SessionEventPropose: ticket.SessionProposed,
	},
	ticket.SessionRequested: {
		ticket.SessionEventInvite:  ticket.SessionInvited,
		ticket.SessionEventPropose: ticket.SessionProposed,
		ticket.SessionEventConfirm: ticket.SessionConfirmed,
		ticket.SessionEventCancel:  ticket.SessionCancelled,
	},
	ticket.SessionInvited: {
		ticket.SessionEventStart:  ticket.SessionInProgress,
		ticket.SessionEventExpire: ticket.SessionExpired,
		ticket.SessionEventCancel: ticket.SessionCancelled,
	},
	ticket.SessionProposed: {
		ticket.SessionEventAccept: ticket.SessionConfirmed,
		ticket.SessionEventRefuse: ticket.SessionRefused,
		ticket.SessionEventExpire: ticket.SessionExpired,
		ticket.SessionEventCancel: ticket.SessionCancelled,
	},
	ticket.SessionConfirmed: {
		ticket.SessionEventStart:  ticket.SessionInProgress,
		ticket.SessionEventCancel: ticket.SessionCancelled,
	},
	ticket.SessionInProgress: {
		ticket.SessionEventEnd:    ticket.SessionDone,
		ticket.SessionEventCancel: ticket.SessionCancelled,
	},
	ticket.SessionDone: {
		ticket.SessionEventRate:  ticket.SessionClosed,
		ticket.SessionEventClose: ticket.SessionClosed,
	},
	ticket.SessionClosed:    {ticket.SessionEventReopen: ticket.SessionConfirmed},
	ticket.SessionRefused:   {ticket.SessionEventReopen: ticket.SessionConfirmed},
	ticket.SessionExpired:   {ticket.SessionEventReopen: ticket.SessionConfirmed},
	ticket.SessionCancelled: {},
}

func TestTicketLifecycleTable(t *testing.T) {
	lc := ticket.TicketLifecycle()
	require.Equal(t, "ticket", lc.Name())
	require.Len(t, wantTicket, len(ticket.States()), "the expected table must cover every state")

	allowed := 0
	for _, from := range ticket.States() {
		for _, ev := range ticket.Events() {
			want, ok := wantTicket[from][ev]
			if ok {
				allowed++
			}
			t.Run(fmt.Sprintf("%s/%s", from, ev), func(t *testing.T) {
				got, err := lc.Apply(context.Background(), from, ev)
				assert.Equal(t, ok, lc.Can(from, ev), "Can")
				assert.Equal(t, ok, containsEvent(lc.Events(from), ev), "Events(%q)", from)
				if ok {
					require.NoError(t, err)
					assert.Equal(t, want, got)
					return
				}
				require.ErrorIs(t, err, ticket.ErrInvalidTransition)
				assert.NotErrorIs(t, err, ticket.ErrUnknownEvent)
				assert.Equal(t, from, got, "a refused move returns the source state")
				var te *ticket.TransitionError
				require.ErrorAs(t, err, &te)
				assert.Equal(t, ticket.TransitionError{
					Machine: "ticket", From: string(from), Event: string(ev), Err: ticket.ErrInvalidTransition,
				}, *te)
				assert.Equal(t, fmt.Sprintf("ticket: event %q not allowed in state %q", ev, from), err.Error())
			})
		}
	}
	// 28: docs/concepts.md, "Ticket lifecycle", has expire from in_progress too, which the
	// session expiration timer needs (docs/concepts.md, "Timers").
	assert.Equal(t, 28, allowed, "DOMAIN.md's ticket table has 27 (event, from) pairs, plus expire from in_progress")
}

func TestSessionLifecycleTable(t *testing.T) {
	lc := ticket.SessionLifecycle()
	require.Equal(t, "session", lc.Name())
	sources := append([]ticket.SessionState{ticket.SessionNone}, ticket.SessionStates()...)
	require.Len(t, wantSession, len(sources), "the expected table must cover every state")

	allowed := 0
	for _, from := range sources {
		for _, ev := range ticket.SessionEvents() {
			want, ok := wantSession[from][ev]
			if ok {
				allowed++
			}
			name := string(from)
			if from == ticket.SessionNone {
				name = "none"
			}
			t.Run(name+"/"+string(ev), func(t *testing.T) {
				got, err := lc.Apply(context.Background(), from, ev)
				assert.Equal(t, ok, lc.Can(from, ev), "Can")
				assert.Equal(t, ok, containsEvent(lc.Events(from), ev), "Events(%q)", from)
				if ok {
					require.NoError(t, err)
					assert.Equal(t, want, got)
					assert.True(t, got.Valid(), "a move always ends in a real state")
					return
				}
				require.ErrorIs(t, err, ticket.ErrInvalidTransition)
				assert.NotErrorIs(t, err, ticket.ErrUnknownEvent)
				assert.Equal(t, from, got, "a refused move returns the source state")
				var te *ticket.TransitionError
				require.ErrorAs(t, err, &te)
				assert.Equal(t, ticket.TransitionError{
					Machine: "session", From: string(from), Event: string(ev), Err: ticket.ErrInvalidTransition,
				}, *te)
			})
		}
	}
	assert.Equal(t, 23, allowed, "DOMAIN.md's session table has 23 (event, from) pairs")
}

func containsEvent[E comparable](list []E, e E) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}

func TestTransitionErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *ticket.TransitionError
		want string
	}{
		{
			name: "invalid",
			err:  &ticket.TransitionError{Machine: "ticket", From: "open", Event: "rate", Err: ticket.ErrInvalidTransition},
			want: `ticket: event "rate" not allowed in state "open"`,
		},
		{
			name: "invalid from none",
			err:  &ticket.TransitionError{Machine: "session", From: "", Event: "confirm", Err: ticket.ErrInvalidTransition},
			want: `session: event "confirm" not allowed in state (none)`,
		},
		{
			name: "unknown",
			err:  &ticket.TransitionError{Machine: "ticket", From: "open", Event: "fly", Err: ticket.ErrUnknownEvent},
			want: `ticket: unknown event "fly"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
			assert.Equal(t, tt.err.Err, tt.err.Unwrap())
		})
	}
}

func TestUnknownEvent(t *testing.T) {
	ctx := context.Background()
	t.Run("ticket", func(t *testing.T) {
		lc := ticket.TicketLifecycle()
		for _, from := range append(ticket.States(), "bogus") {
			got, err := lc.Apply(ctx, from, "fly")
			require.ErrorIs(t, err, ticket.ErrUnknownEvent, "from %q", from)
			assert.NotErrorIs(t, err, ticket.ErrInvalidTransition)
			assert.Equal(t, from, got)
			var te *ticket.TransitionError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, ticket.TransitionError{
				Machine: "ticket", From: string(from), Event: "fly", Err: ticket.ErrUnknownEvent,
			}, *te)
			assert.False(t, lc.Can(from, "fly"))
		}
	})
	t.Run("session", func(t *testing.T) {
		lc := ticket.SessionLifecycle()
		for _, from := range append(ticket.SessionStates(), ticket.SessionNone) {
			_, err := lc.Apply(ctx, from, "submit") // a ticket event, not a session one
			require.ErrorIs(t, err, ticket.ErrUnknownEvent, "from %q", from)
			assert.EqualError(t, err, `session: unknown event "submit"`)
		}
	})
}

func TestUnknownState(t *testing.T) {
	lc := ticket.TicketLifecycle()
	for _, ev := range ticket.Events() {
		t.Run(string(ev), func(t *testing.T) {
			got, err := lc.Apply(context.Background(), "bogus", ev)
			require.ErrorIs(t, err, ticket.ErrInvalidTransition)
			assert.Equal(t, ticket.State("bogus"), got)
			assert.False(t, lc.Can("bogus", ev))
		})
	}
	assert.Empty(t, lc.Events("bogus"))
	// The empty state is not a ticket state: nothing moves from it.
	assert.Empty(t, lc.Events(""))
}

func TestApplyCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := ticket.TicketLifecycle().Apply(ctx, ticket.StateDraft, ticket.EventSubmit)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, ticket.StateDraft, got)
}

func TestEventsOrder(t *testing.T) {
	tlc := ticket.TicketLifecycle()
	ticketTests := []struct {
		from ticket.State
		want []ticket.Event
	}{
		{ticket.StateDraft, []ticket.Event{ticket.EventSubmit, ticket.EventCancel}},
		{ticket.StateOpen, []ticket.Event{ticket.EventAccept, ticket.EventAssign, ticket.EventReject, ticket.EventCancel}},
		{ticket.StateAssigned, []ticket.Event{
			ticket.EventStart, ticket.EventWait, ticket.EventComplete, ticket.EventClose, ticket.EventReject, ticket.EventCancel,
		}},
		{ticket.StateInProgress, []ticket.Event{ticket.EventWait, ticket.EventComplete, ticket.EventClose, ticket.EventExpire, ticket.EventCancel}},
		{ticket.StateWaiting, []ticket.Event{
			ticket.EventStart, ticket.EventResume, ticket.EventComplete, ticket.EventClose, ticket.EventExpire, ticket.EventCancel,
		}},
		{ticket.StateDone, []ticket.Event{ticket.EventRate, ticket.EventClose, ticket.EventExpire, ticket.EventReopen}},
		{ticket.StateClosed, []ticket.Event{ticket.EventReopen}},
		{ticket.StateCancelled, nil},
	}
	for _, tt := range ticketTests {
		t.Run("ticket/"+string(tt.from), func(t *testing.T) {
			// Repeat: an implementation leaning on map iteration would differ between calls.
			for range 50 {
				require.Equal(t, tt.want, tlc.Events(tt.from))
			}
		})
	}

	slc := ticket.SessionLifecycle()
	sessionTests := []struct {
		name string
		from ticket.SessionState
		want []ticket.SessionEvent
	}{
		{"none", ticket.SessionNone, []ticket.SessionEvent{
			ticket.SessionEventRequest, ticket.SessionEventInvite, ticket.SessionEventPropose,
		}},
		{"requested", ticket.SessionRequested, []ticket.SessionEvent{
			ticket.SessionEventInvite, ticket.SessionEventPropose, ticket.SessionEventConfirm, ticket.SessionEventCancel,
		}},
		{"proposed", ticket.SessionProposed, []ticket.SessionEvent{
			ticket.SessionEventAccept, ticket.SessionEventRefuse, ticket.SessionEventExpire, ticket.SessionEventCancel,
		}},
		{"cancelled", ticket.SessionCancelled, nil},
	}
	for _, tt := range sessionTests {
		t.Run("session/"+tt.name, func(t *testing.T) {
			for range 50 {
				require.Equal(t, tt.want, slc.Events(tt.from))
			}
		})
	}
}

func TestTransitionsIsACopy(t *testing.T) {
	lc := ticket.TicketLifecycle()
	before := lc.Transitions()
	require.Len(t, before, len(ticket.Events()))

	mutated := lc.Transitions()
	mutated[0].Event = "hijack"
	mutated[0].To = ticket.StateClosed
	mutated[0].From[0] = ticket.StateCancelled
	mutated = append(mutated[:1], mutated[2:]...)
	_ = mutated

	assert.Equal(t, before, lc.Transitions())
	got, err := lc.Apply(context.Background(), ticket.StateDraft, ticket.EventSubmit)
	require.NoError(t, err)
	assert.Equal(t, ticket.StateOpen, got)
	assert.False(t, lc.Can(ticket.StateCancelled, "hijack"))
}

func TestTransitionsTableOrder(t *testing.T) {
	t.Run("ticket", func(t *testing.T) {
		var got []ticket.Event
		for _, tr := range ticket.TicketLifecycle().Transitions() {
			got = append(got, tr.Event)
		}
		assert.Equal(t, ticket.Events(), got)
	})
	t.Run("session", func(t *testing.T) {
		var got []ticket.SessionEvent
		for _, tr := range ticket.SessionLifecycle().Transitions() {
			got = append(got, tr.Event)
		}
		assert.Equal(t, ticket.SessionEvents(), got)
	})
}

func TestLifecyclesAreIndependent(t *testing.T) {
	a := ticket.TicketLifecycle().Transitions()
	a[0].From[0] = "x"
	assert.Equal(t, ticket.StateDraft, ticket.TicketLifecycle().Transitions()[0].From[0])
}

func TestStatePredicates(t *testing.T) {
	tests := []struct {
		state                   ticket.State
		valid, terminal, active bool
	}{
		{ticket.StateDraft, true, false, false},
		{ticket.StateOpen, true, false, true},
		{ticket.StateAssigned, true, false, true},
		{ticket.StateInProgress, true, false, true},
		{ticket.StateWaiting, true, false, true},
		{ticket.StateDone, true, false, false},
		{ticket.StateClosed, true, true, false},
		{ticket.StateCancelled, true, true, false},
		{"", false, false, false},
		{"bogus", false, false, false},
		{"Open", false, false, false},
	}
	require.Len(t, ticket.States(), 8)
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.state), func(t *testing.T) {
			assert.Equal(t, tt.valid, tt.state.Valid(), "Valid")
			assert.Equal(t, tt.terminal, tt.state.Terminal(), "Terminal")
			assert.Equal(t, tt.active, tt.state.Active(), "Active")
		})
	}
}

func TestSessionStateValid(t *testing.T) {
	require.Len(t, ticket.SessionStates(), 10)
	for _, s := range ticket.SessionStates() {
		assert.True(t, s.Valid(), "%q", s)
	}
	for _, s := range []ticket.SessionState{ticket.SessionNone, "bogus", "open", "Requested"} {
		assert.False(t, s.Valid(), "%q", s)
	}
}

func TestListsAreFresh(t *testing.T) {
	s := ticket.States()
	s[0] = "x"
	assert.Equal(t, ticket.StateDraft, ticket.States()[0])
	e := ticket.Events()
	e[0] = "x"
	assert.Equal(t, ticket.EventSubmit, ticket.Events()[0])
	ss := ticket.SessionStates()
	ss[0] = "x"
	assert.Equal(t, ticket.SessionRequested, ticket.SessionStates()[0])
	se := ticket.SessionEvents()
	se[0] = "x"
	assert.Equal(t, ticket.SessionEventRequest, ticket.SessionEvents()[0])
}

func TestListsHaveNoDuplicates(t *testing.T) {
	assert.Len(t, ticket.Events(), 13)
	assert.Len(t, ticket.SessionEvents(), 13)
	seen := map[string]bool{}
	for _, e := range ticket.Events() {
		assert.False(t, seen[string(e)], "duplicate event %q", e)
		seen[string(e)] = true
	}
	seen = map[string]bool{}
	for _, e := range ticket.SessionEvents() {
		assert.False(t, seen[string(e)], "duplicate session event %q", e)
		seen[string(e)] = true
	}
}

func ExampleTicketLifecycle() {
	ctx := context.Background()
	lc := ticket.TicketLifecycle()

	next, err := lc.Apply(ctx, ticket.StateDraft, ticket.EventSubmit)
	fmt.Println(next, err)
	fmt.Println(lc.Events(next))

	_, err = lc.Apply(ctx, ticket.StateOpen, ticket.EventRate)
	fmt.Println(err)
	fmt.Println(errors.Is(err, ticket.ErrInvalidTransition))
	// Output:
	// open <nil>
	// [accept assign reject cancel]
	// ticket: event "rate" not allowed in state "open"
	// true
}

func ExampleSessionLifecycle() {
	lc := ticket.SessionLifecycle()
	fmt.Println(lc.Events(ticket.SessionNone))
	next, _ := lc.Apply(context.Background(), ticket.SessionNone, ticket.SessionEventPropose)
	fmt.Println(next, lc.Events(next))
	// Output:
	// [request invite propose]
	// proposed [accept refuse expire cancel]
}
