package helpdesk_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/video"
	"github.com/deskkit/helpdesk/video/videotest"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// durations are the tenant durations the session tests run with, short enough to read.
var durations = tenant.Durations{
	InvitationExpiry:  2 * time.Hour,
	ReminderBefore:    15 * time.Minute,
	MaxAcknowledgment: 4 * time.Hour,
	MaxExpiration:     48 * time.Hour,
	OfferTimeout:      30 * time.Minute,
	MediaTransfer:     24 * time.Hour,
}

// sessionFixture is a notifying Desk with a fake video provider, the tenant's durations set,
// and a code that offers video calls.
type sessionFixture struct {
	*notifyFixture
	video *videotest.Fake
	// caller is a code holder whose code offers video calls and media uploads.
	caller tenant.Actor
}

func newSessionFixture(t *testing.T, s *bunstore.Store, offer *tenant.Offer) *sessionFixture {
	t.Helper()
	fake := videotest.NewFake()
	nf := newNotifyFixture(t, s, helpdesk.Config{Video: fake, Blobs: newMemBlobs()})
	fake.SetNow(nf.clock.Now)
	f := &sessionFixture{notifyFixture: nf, video: fake}
	settings := f.tenant.Settings
	settings.Durations, settings.Offer = durations, offer
	var err error
	f.tenant, err = updateSettings(t.Context(), f.desk, f.admin, settings)
	require.NoError(t, err)
	_, f.caller = f.newHolder(t, f.org, f.devX.ID, helpdesk.NewCode{Actions: []device.Action{
		device.ActionView, device.ActionOpenTicket, device.ActionRequestSession, device.ActionUploadMedia}})
	return f
}

// fire advances the clock by d and fires what is due, requiring no error.
func (f *sessionFixture) fire(t *testing.T, d time.Duration) int {
	t.Helper()
	f.clock.Advance(d)
	n, err := f.desk.FireTimersOnce(t.Context())
	require.NoError(t, err)
	return n
}

// timers summarises a ticket's pending timers as "kind@offset from now" (s: a session's).
func (f *sessionFixture) timers(t *testing.T, id uuid.UUID) []string {
	t.Helper()
	ts, err := f.desk.Timers(t.Context(), f.admin, id)
	require.NoError(t, err)
	out := make([]string, len(ts))
	for i, tm := range ts {
		prefix := ""
		if tm.SessionID != uuid.Nil {
			prefix = "s:"
		}
		out[i] = prefix + string(tm.Kind) + "@" + tm.DueAt.Sub(f.clock.Now()).String()
	}
	return out
}

func (f *sessionFixture) session(t *testing.T, id uuid.UUID) *ticket.Session {
	t.Helper()
	s, err := f.desk.Session(t.Context(), f.admin, id)
	require.NoError(t, err)
	return s
}

var sessionLink = regexp.MustCompile(`http://localhost:8080/sessions/([A-Za-z0-9_-]+)/(join|accept|refuse)`)

// linkIn returns the session-link token the notification carries, requiring one.
func linkIn(t *testing.T, n *notify.Notification, action string) string {
	t.Helper()
	for _, m := range sessionLink.FindAllStringSubmatch(n.Text, -1) {
		if m[2] == action {
			return m[1]
		}
	}
	require.Failf(t, "no link", "no %s link in %q", action, n.Text)
	return ""
}

// The Apizee flow of seed 002: request → offer accepted → time proposed → reminder → accepted
// → started → ended → escalation when nobody closes → auto-closed.
func TestSessionFlowPlanned(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newSessionFixture(t, s, nil)
		caller := ticket.Contact{Name: "Nina Nurse", Email: "nina@northwind.example", Phone: "+4930123456"}

		// A code holder asks for a call from the device's page: a ticket opens with a
		// requested session; the supervisor hears of both, the team gets the offer.
		tk := f.open(t, f.caller, helpdesk.NewTicket{Title: "Pump alarms", Requester: caller, RequestSession: true})
		ss, err := sessionsOf(ctx, f.desk, f.agent, tk.ID)
		require.NoError(t, err)
		require.Len(t, ss, 1)
		req := ss[0]
		assert.Equal(t, ticket.SessionRequested, req.State)
		assert.Equal(t, []string{"email:Sue Supervisor", "inapp:Sue Supervisor"}, sent(f.outbox(t, notify.SessionRequested)))
		assert.Len(t, f.outbox(t, notify.TicketOffered), 4)
		assert.Equal(t, []string{"offer_timeout@30m0s"}, f.timers(t, tk.ID))

		// An agent accepts the offer (the offer timeout is moot) and proposes a time.
		_, err = f.desk.Accept(ctx, f.agent, tk.ID)
		require.NoError(t, err)
		assert.Empty(t, f.timers(t, tk.ID))
		at := f.clock.Now().Add(6 * time.Hour)
		prop, err := f.desk.Invite(ctx, f.agent, tk.ID, helpdesk.Invitation{SessionID: req.ID, At: at, Duration: 45 * time.Minute})
		require.NoError(t, err)
		assert.Equal(t, req.ID, prop.ID, "the proposal answers the requested session")
		assert.Equal(t, ticket.SessionProposed, prop.State)
		assert.Equal(t, f.agent.UserID, prop.AgentID)
		assert.Equal(t, ticket.StateWaiting, f.reload(t, tk.ID).State)
		assert.Equal(t, []string{"s:invitation_expiry@2h0m0s", "expiration@48h0m0s"}, f.timers(t, tk.ID))
		inv := f.outbox(t, notify.InvitationSent)
		require.Equal(t, []string{"email:Nina Nurse", "sms:Nina Nurse"}, sent(inv))
		assert.Contains(t, inv[0].Text, at.UTC().Format("2006-01-02 15:04"), "the planned time")
		token := linkIn(t, inv[0], "accept")
		assert.Equal(t, token, linkIn(t, inv[0], "refuse"))

		// The requester follows the accept link: the reminder is armed 15 minutes before.
		actor, linked, err := f.desk.OpenSessionLink(ctx, token)
		require.NoError(t, err)
		assert.Equal(t, prop.ID, linked.ID)
		assert.Equal(t, tenant.ActorRequesterLink, actor.Kind)
		f.clock.Advance(time.Hour)
		acc, err := f.desk.SessionTransition(ctx, actor, prop.ID, ticket.SessionEventAccept, helpdesk.SessionChange{})
		require.NoError(t, err)
		assert.Equal(t, ticket.SessionConfirmed, acc.State)
		assert.Equal(t, []string{"s:reminder@4h45m0s", "expiration@47h0m0s"}, f.timers(t, tk.ID),
			"the invitation expiry is moot; the ticket still waits")

		// Nothing is due before the reminder; at its time both sides are reminded, once.
		assert.Zero(t, f.fire(t, 4*time.Hour+44*time.Minute))
		assert.Empty(t, f.outbox(t, notify.InvitationReminder))
		assert.Equal(t, 1, f.fire(t, time.Minute))
		reminded := sent(f.outbox(t, notify.InvitationReminder))
		assert.ElementsMatch(t, []string{"email:Nina Nurse", "sms:Nina Nurse", "email:Sam Agent", "inapp:Sam Agent"}, reminded)
		assert.Zero(t, f.fire(t, time.Minute), "a timer fires once")
		assert.Equal(t, reminded, sent(f.outbox(t, notify.InvitationReminder)))

		// Both join at the planned time: the room is created once; the first participant
		// makes the call live, which starts the ticket and arms the planned end.
		f.clock.Advance(14 * time.Minute)
		g1, err := f.desk.JoinSession(ctx, f.agent, prop.ID)
		require.NoError(t, err)
		g2, err := f.desk.JoinSession(ctx, actor, prop.ID)
		require.NoError(t, err)
		assert.Equal(t, g1.Room, g2.Room)
		assert.Len(t, f.video.Rooms(), 1)
		assert.NotEqual(t, g1.Identity, g2.Identity)
		assert.Equal(t, f.clock.Now().Add(10*time.Minute), g2.ExpiresAt, "join tokens are short-lived")
		require.NoError(t, f.desk.HandleRoomEvent(ctx, video.Event{Kind: video.ParticipantJoined, Room: g1.Room, Participant: g1.Identity}))
		require.NoError(t, f.desk.HandleRoomEvent(ctx, video.Event{Kind: video.ParticipantJoined, Room: g1.Room, Participant: g2.Identity}))
		live := f.session(t, prop.ID)
		assert.Equal(t, ticket.SessionInProgress, live.State)
		assert.Equal(t, ticket.StateInProgress, f.reload(t, tk.ID).State)
		assert.Equal(t, []string{"email:Nina Nurse"}, sent(f.outbox(t, notify.SessionStarted)), "the requester hears once")
		assert.Equal(t, []string{"s:planned_end@45m0s"}, f.timers(t, tk.ID))

		// The room ends before the planned end: the call and the ticket are done; the agent
		// hears; escalation and auto-close are armed; a repeated callback changes nothing.
		f.clock.Advance(30 * time.Minute)
		end := video.Event{Kind: video.RoomEnded, Room: g1.Room}
		require.NoError(t, f.desk.HandleRoomEvent(ctx, end))
		require.NoError(t, f.desk.HandleRoomEvent(ctx, end))
		assert.Equal(t, ticket.SessionDone, f.session(t, prop.ID).State)
		assert.Equal(t, ticket.StateDone, f.reload(t, tk.ID).State)
		assert.Equal(t, []string{"email:Sam Agent", "inapp:Sam Agent"}, sent(f.outbox(t, notify.SessionCompleted)))
		assert.Equal(t, []string{"email:Nina Nurse"}, sent(f.outbox(t, notify.TicketDone)))
		assert.Equal(t, []string{"acknowledgment@4h0m0s", "expiration@48h0m0s"}, f.timers(t, tk.ID))

		// Nobody closes: the supervisor and the agent are told, then the ticket closes itself
		// and so does its finished session.
		assert.Equal(t, 1, f.fire(t, 4*time.Hour))
		assert.ElementsMatch(t, []string{"email:Sue Supervisor", "inapp:Sue Supervisor", "email:Sam Agent", "inapp:Sam Agent"},
			sent(f.outbox(t, notify.EscalationCompleted)))
		assert.Equal(t, 1, f.fire(t, 44*time.Hour))
		closed := f.reload(t, tk.ID)
		assert.Equal(t, ticket.StateClosed, closed.State)
		assert.Contains(t, closed.CloseReason, "automatically")
		assert.Equal(t, ticket.SessionClosed, f.session(t, prop.ID).State)
		assert.Equal(t, []string{"email:Nina Nurse"}, sent(f.outbox(t, notify.TicketAutoClosed)))
		assert.Empty(t, f.timers(t, tk.ID))
		assert.Subset(t, historyActions(f.history(t, f.admin, tk.ID)), []string{
			"submit", "session.request", "accept", "session.propose", "wait", "session.accept", "session.start", "start",
			"session.end", "complete", "session.close", "expire"})
	})
}

// The refused branch: proposed → refused → the ticket resumes → escalation → auto-closed.
func TestSessionFlowRefused(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newSessionFixture(t, s, nil)
		tk := f.ticketIn(t, ticket.StateAssigned)
		prop, err := f.desk.Invite(ctx, f.agent, tk.ID, helpdesk.Invitation{At: f.clock.Now().Add(24 * time.Hour)})
		require.NoError(t, err)
		assert.Equal(t, []string{"s:invitation_expiry@2h0m0s", "expiration@48h0m0s"}, f.timers(t, tk.ID))
		actor, _, err := f.desk.OpenSessionLink(ctx, linkIn(t, f.outbox(t, notify.InvitationSent)[0], "refuse"))
		require.NoError(t, err)

		_, err = f.desk.SessionTransition(ctx, actor, prop.ID, ticket.SessionEventRefuse, helpdesk.SessionChange{Reason: "I am off that day"})
		require.NoError(t, err)
		assert.Equal(t, ticket.SessionRefused, f.session(t, prop.ID).State)
		assert.Equal(t, ticket.StateInProgress, f.reload(t, tk.ID).State, "the ticket resumes")
		refused := f.outbox(t, notify.InvitationRefused)
		require.Equal(t, []string{"email:Sam Agent", "inapp:Sam Agent"}, sent(refused), "the inviting agent hears")
		assert.Equal(t, []string{"s:acknowledgment@4h0m0s", "s:expiration@48h0m0s"}, f.timers(t, tk.ID))

		assert.Equal(t, 1, f.fire(t, 4*time.Hour))
		assert.Equal(t, []string{"email:Sue Supervisor", "inapp:Sue Supervisor"}, sent(f.outbox(t, notify.EscalationRefused)))
		assert.Equal(t, 1, f.fire(t, 44*time.Hour))
		assert.Equal(t, ticket.StateClosed, f.reload(t, tk.ID).State)
		assert.Len(t, f.outbox(t, notify.TicketAutoClosed), 1)
	})
}

// The expired branch: invited → nobody joins → expired → escalation → auto-closed.
func TestSessionFlowExpired(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newSessionFixture(t, s, nil)
		tk := f.ticketIn(t, ticket.StateInProgress)
		inv, err := f.desk.Invite(ctx, f.agent, tk.ID, helpdesk.Invitation{})
		require.NoError(t, err)
		assert.Equal(t, ticket.SessionInvited, inv.State)
		sentInv := f.outbox(t, notify.InvitationSent)
		require.Len(t, sentInv, 1)
		linkIn(t, sentInv[0], "join")

		assert.Zero(t, f.fire(t, 2*time.Hour-time.Second))
		assert.Equal(t, 1, f.fire(t, time.Second))
		assert.Equal(t, ticket.SessionExpired, f.session(t, inv.ID).State)
		assert.Equal(t, ticket.StateInProgress, f.reload(t, tk.ID).State, "the ticket resumes")
		assert.Equal(t, []string{"email:Sam Agent", "inapp:Sam Agent"}, sent(f.outbox(t, notify.InvitationExpired)))
		_, err = f.desk.JoinSession(ctx, f.agent, inv.ID)
		assert.ErrorIs(t, err, ticket.ErrInvalidTransition, "nobody joins an expired session")

		assert.Equal(t, 1, f.fire(t, 4*time.Hour))
		assert.Equal(t, []string{"email:Sue Supervisor", "inapp:Sue Supervisor"}, sent(f.outbox(t, notify.EscalationExpired)))
		assert.Equal(t, 1, f.fire(t, 44*time.Hour))
		assert.Equal(t, ticket.StateClosed, f.reload(t, tk.ID).State)
	})
}

// Every action that makes a timer moot cancels it, and a timer whose rule no longer applies
// does nothing when it fires.
func TestTimersMoot(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newSessionFixture(t, s, nil)

		// A follow-up invitation makes the refused one's escalation and auto-close moot.
		tk := f.ticketIn(t, ticket.StateAssigned)
		first, err := f.desk.Invite(ctx, f.agent, tk.ID, helpdesk.Invitation{At: f.clock.Now().Add(24 * time.Hour)})
		require.NoError(t, err)
		_, err = f.desk.SessionTransition(ctx, f.link(t, tk), first.ID, ticket.SessionEventRefuse, helpdesk.SessionChange{})
		require.NoError(t, err)
		_, err = f.desk.Invite(ctx, f.agent, tk.ID, helpdesk.Invitation{})
		require.NoError(t, err)
		assert.Equal(t, []string{"s:invitation_expiry@2h0m0s", "expiration@48h0m0s"}, f.timers(t, tk.ID))
		assert.Equal(t, 1, f.fire(t, 2*time.Hour), "only the new invitation's expiry")
		assert.Equal(t, 1, f.fire(t, 4*time.Hour), "its own escalation")
		assert.Len(t, f.outbox(t, notify.EscalationRefused), 0)
		assert.Len(t, f.outbox(t, notify.EscalationExpired), 2)

		// The offer timeout escalates an unaccepted ticket, and not an accepted one.
		lonely := f.submit(t, "Nobody takes this")
		taken := f.submit(t, "Taken at once")
		_, err = f.desk.Accept(ctx, f.agent2, taken.ID)
		require.NoError(t, err)
		f.fire(t, 30*time.Minute)
		unaccepted := f.outbox(t, notify.EscalationUnaccepted)
		require.Equal(t, []string{"email:Sue Supervisor", "inapp:Sue Supervisor"}, sent(unaccepted))
		assert.Equal(t, lonely.ID, unaccepted[0].TicketID)

		// A planned end ends a live call by itself.
		planned := f.ticketIn(t, ticket.StateAssigned)
		p, err := f.desk.Invite(ctx, f.agent, planned.ID, helpdesk.Invitation{At: f.clock.Now().Add(time.Hour), Duration: 30 * time.Minute})
		require.NoError(t, err)
		_, err = f.desk.SessionTransition(ctx, f.link(t, planned), p.ID, ticket.SessionEventAccept, helpdesk.SessionChange{})
		require.NoError(t, err)
		f.clock.Advance(time.Hour)
		_, err = f.desk.SessionTransition(ctx, f.agent, p.ID, ticket.SessionEventStart, helpdesk.SessionChange{})
		require.NoError(t, err)
		f.fire(t, 30*time.Minute)
		assert.Equal(t, ticket.SessionDone, f.session(t, p.ID).State)
		assert.Equal(t, ticket.StateDone, f.reload(t, planned.ID).State)

		// Closing a finished ticket in time makes its escalation and auto-close moot; a ticket
		// left waiting closes itself.
		_, err = f.desk.Close(ctx, f.agent, planned.ID, "Fixed on the call")
		require.NoError(t, err)
		assert.Empty(t, f.timers(t, planned.ID))
		waiting := f.ticketIn(t, ticket.StateWaiting)
		before := len(f.outbox(t, notify.EscalationCompleted))
		f.fire(t, 48*time.Hour)
		assert.Len(t, f.outbox(t, notify.EscalationCompleted), before)
		assert.Equal(t, ticket.StateClosed, f.reload(t, waiting.ID).State)
		assert.Equal(t, ticket.StateClosed, f.reload(t, planned.ID).State)
		assert.Equal(t, "Fixed on the call", f.reload(t, planned.ID).CloseReason)
	})
}

// The tenant's offer decides what a requester may start and how staff invite.
func TestSessionOffer(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newSessionFixture(t, s, &tenant.Offer{MediaUpload: true, InviteBySMS: true})
		_, err := f.desk.SubmitTicket(ctx, f.caller, helpdesk.NewTicket{Title: "Call me", Requester: nurseContact, RequestSession: true})
		assert.ErrorIs(t, err, helpdesk.ErrNotOffered)
		assert.Equal(t, helpdesk.KindForbidden, helpdesk.KindOf(err))
		_, noCalls := f.newHolder(t, f.org, f.devX.ID, helpdesk.NewCode{})
		_, err = f.desk.SubmitTicket(ctx, noCalls, helpdesk.NewTicket{Title: "Call me", Requester: nurseContact, RequestSession: true})
		assert.ErrorIs(t, err, helpdesk.ErrCodeUnusable, "a code with the default actions offers no calls")

		tk := f.ticketIn(t, ticket.StateAssigned)
		_, err = f.desk.RequestSession(ctx, f.link(t, tk), tk.ID)
		assert.ErrorIs(t, err, helpdesk.ErrNotOffered)
		_, err = f.desk.Invite(ctx, f.agent, tk.ID, helpdesk.Invitation{At: f.clock.Now().Add(time.Hour)})
		assert.ErrorIs(t, err, helpdesk.ErrNotOffered, "planning is off")
		_, err = f.desk.Invite(ctx, f.agent, tk.ID, helpdesk.Invitation{Duration: time.Hour})
		assertField(t, err, "duration")

		// Invitations go by SMS only; the nurse has no phone, so nobody is told.
		inv, err := f.desk.Invite(ctx, f.agent, tk.ID, helpdesk.Invitation{})
		require.NoError(t, err)
		assert.Empty(t, f.outbox(t, notify.InvitationSent))

		// Without conferences only the session's agent joins among employees.
		_, err = f.desk.JoinSession(ctx, f.agent2, inv.ID)
		assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		g, err := f.desk.JoinSession(ctx, f.agent, inv.ID)
		require.NoError(t, err)
		room, ok := f.video.Room(g.Room)
		require.True(t, ok)
		assert.Equal(t, 2, room.MaxParticipants)
		_, err = f.desk.JoinSession(ctx, f.userY, inv.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "another customer's user does not see the session")
	})
}

// A requested call confirmed by staff tells the requester; either side may then start it.
func TestSessionConfirm(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newSessionFixture(t, s, nil)
		tk := f.ticketIn(t, ticket.StateAssigned)
		req, err := f.desk.RequestSession(ctx, f.link(t, tk), tk.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"email:Sue Supervisor", "inapp:Sue Supervisor"}, sent(f.outbox(t, notify.SessionRequested)))
		_, err = f.desk.SessionTransition(ctx, f.link(t, tk), req.ID, ticket.SessionEventConfirm, helpdesk.SessionChange{})
		assert.ErrorIs(t, err, helpdesk.ErrForbidden, "staff confirm")
		c, err := f.desk.SessionTransition(ctx, f.supervisor, req.ID, ticket.SessionEventConfirm, helpdesk.SessionChange{})
		require.NoError(t, err)
		assert.Equal(t, ticket.SessionConfirmed, c.State)
		assert.Equal(t, []string{"email:Nina Nurse"}, sent(f.outbox(t, notify.SessionConfirmed)))
		started, err := f.desk.SessionTransition(ctx, f.supervisor, req.ID, ticket.SessionEventStart, helpdesk.SessionChange{})
		require.NoError(t, err)
		assert.Equal(t, ticket.SessionInProgress, started.State)
		assert.Equal(t, ticket.StateInProgress, f.reload(t, tk.ID).State)
	})
}

// A customer user joins the calls of the tickets they opened, not a colleague's: the join
// rule's "own tickets only" is tried against a second user of the same customer, not only
// against another customer's. The customer's admin answers for all of its tickets and joins.
func TestSessionJoinColleague(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newSessionFixture(t, s, nil)
		colleague := f.person(t, f.tenant.ID, f.custX.ID, tenant.RoleCustomerUser, "Cleo Colleague")
		custAdmin := f.person(t, f.tenant.ID, f.custX.ID, tenant.RoleCustomerAdmin, "Carla Admin")
		tk := f.ticketBy(t, f.userX, ticket.StateAssigned)
		inv, err := f.desk.Invite(ctx, f.agent, tk.ID, helpdesk.Invitation{})
		require.NoError(t, err)
		require.Equal(t, ticket.SessionInvited, inv.State)

		cases := []struct {
			name  string
			actor tenant.Actor
			want  helpdesk.ErrorKind // "" means joined
		}{
			{"a colleague of the same customer", colleague, helpdesk.KindForbidden},
			{"another customer's user", f.userY, helpdesk.KindNotFound},
			{"the user who opened the ticket", f.userX, ""},
			{"the customer's admin", custAdmin, ""},
			{"the requester link", f.link(t, tk), ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				g, err := f.desk.JoinSession(ctx, c.actor, inv.ID)
				if c.want == "" {
					require.NoError(t, err)
					assert.NotEmpty(t, g.Token)
					return
				}
				require.Error(t, err)
				assert.Equal(t, c.want, helpdesk.KindOf(err), "%v", err)
				assert.Empty(t, g.Token, "no join token")
			})
		}
	})
}

// A refused session's expiration timer that comes due after its ticket was completed and
// reopened finds a ticket that can no longer expire (assigned): it does nothing, fails
// nothing, and is not retried.
func TestSessionExpirationOnReopenedTicket(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newSessionFixture(t, s, nil)
		tk := f.ticketIn(t, ticket.StateAssigned)
		prop, err := f.desk.Invite(ctx, f.agent, tk.ID, helpdesk.Invitation{At: f.clock.Now().Add(24 * time.Hour)})
		require.NoError(t, err)
		_, err = f.desk.SessionTransition(ctx, f.link(t, tk), prop.ID, ticket.SessionEventRefuse, helpdesk.SessionChange{Reason: "not that day"})
		require.NoError(t, err)
		require.Contains(t, f.timers(t, tk.ID), "s:expiration@48h0m0s", "the refusal arms the session's expiration")

		_, err = f.desk.Transition(ctx, f.agent, tk.ID, ticket.EventComplete, helpdesk.Change{})
		require.NoError(t, err)
		reopened, err := f.desk.Transition(ctx, f.agent, tk.ID, ticket.EventReopen, helpdesk.Change{Reason: "it beeps again"})
		require.NoError(t, err)
		require.Equal(t, ticket.StateAssigned, reopened.State)
		require.Contains(t, f.timers(t, tk.ID), "s:expiration@48h0m0s", "reopening keeps the session's timers")
		historyBefore := len(f.history(t, f.admin, tk.ID))

		f.clock.Advance(48 * time.Hour)
		n, err := f.desk.FireTimersOnce(ctx)
		assert.NoError(t, err, "a moot expiration is no failure")
		assert.Positive(t, n, "the expiration came due")
		assert.Equal(t, ticket.StateAssigned, f.reload(t, tk.ID).State, "an assigned ticket does not expire")
		assert.Len(t, f.history(t, f.admin, tk.ID), historyBefore, "nothing happened to the ticket")
		assert.Empty(t, f.outbox(t, notify.TicketAutoClosed))
		for _, tm := range f.timers(t, tk.ID) {
			assert.NotContains(t, tm, "expiration", "the timer is spent, not waiting for a retry")
		}
		f.clock.Advance(time.Hour)
		n, err = f.desk.FireTimersOnce(ctx)
		require.NoError(t, err)
		assert.Zero(t, n, "nothing fires again")
	})
}
