package helpdesk

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/video"
	"github.com/google/uuid"
)

// Invitation asks a requester to a video call on a ticket: now (At zero), or at a proposed
// time the requester accepts or refuses.
type Invitation struct {
	// SessionID is the requested session to answer; uuid.Nil starts a new session.
	SessionID uuid.UUID
	// At is the proposed start; zero invites to an immediate call. Proposing needs the
	// tenant's Offer.Planning, and At must lie in the future.
	At time.Time
	// Duration is a proposed call's planned length: the call ends by itself at At + Duration.
	// Zero means no planned end. Only with At.
	Duration time.Duration
}

// SessionChange carries what a session event needs besides the session.
type SessionChange struct {
	// Reason explains a refusal or a cancellation; staff must give one to cancel.
	Reason string
	// Stars (1 to 5) and Comment rate a finished call (event rate).
	Stars   int
	Comment string
}

// MaxPlannedDuration caps Invitation.Duration.
const MaxPlannedDuration = 12 * time.Hour

// sessionTicketEvent is the ticket event a session event brings about (docs/concepts.md,
// "Video session lifecycle"), when the ticket's state allows it.
var sessionTicketEvent = map[ticket.SessionEvent]ticket.Event{
	ticket.SessionEventInvite:  ticket.EventWait,
	ticket.SessionEventPropose: ticket.EventWait,
	ticket.SessionEventRefuse:  ticket.EventResume,
	ticket.SessionEventExpire:  ticket.EventResume,
	ticket.SessionEventStart:   ticket.EventStart,
	ticket.SessionEventEnd:     ticket.EventComplete,
}

// sessionNotice is the notification a session event sends (docs/concepts.md, "Video session
// lifecycle" and "Notifications").
var sessionNotice = map[ticket.SessionEvent]notify.Event{
	ticket.SessionEventRequest: notify.SessionRequested,
	ticket.SessionEventInvite:  notify.InvitationSent,
	ticket.SessionEventPropose: notify.InvitationSent,
	ticket.SessionEventConfirm: notify.SessionConfirmed,
	ticket.SessionEventRefuse:  notify.InvitationRefused,
	ticket.SessionEventExpire:  notify.InvitationExpired,
	ticket.SessionEventStart:   notify.SessionStarted,
	ticket.SessionEventEnd:     notify.SessionCompleted,
}

// inviteChannels are the channels besides in-app that invitations go by.
func inviteChannels(o tenant.Offer) []notify.Channel {
	out := []notify.Channel{notify.Push}
	if o.InviteByEmail {
		out = append(out, notify.Email)
	}
	if o.InviteBySMS {
		out = append(out, notify.SMS)
	}
	return out
}

// activeForSessions refuses session work on a ticket that is not in an active state: a call
// cannot be asked for, offered or held on a draft, finished, closed or cancelled ticket.
func activeForSessions(t *ticket.Ticket, ev ticket.SessionEvent) error {
	if t.State.Active() {
		return nil
	}
	return &ticket.TransitionError{Machine: "ticket", From: string(t.State), Event: "session." + string(ev),
		Err: ticket.ErrInvalidTransition}
}

// RequestSession asks for a video call on a ticket: a new session in state requested, which
// staff confirm or answer with an invitation; the default group's supervisor is told
// (session.requested). The ticket's requester may (its requester link, or the customer user
// who opened it, or a customer_admin of its customer), while the tenant's Offer.ContactAgent
// is on and the ticket is active, and while the ticket holds fewer than the tenant's
// Quotas.OpenSessionsPerTicket open sessions (requested, invited, proposed, confirmed or in
// progress, whoever started them). A code holder asks with SubmitTicket's
// NewTicket.RequestSession instead.
//
// Returns ErrNotFound for a ticket the actor cannot see, ErrForbidden, ErrNotOffered, a
// *ticket.TransitionError wrapping ticket.ErrInvalidTransition for a ticket that is not
// active, ErrQuotaExceeded when the ticket holds its quota of open sessions, and ErrConflict
// when a concurrent change won.
func (d *Desk) RequestSession(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID) (*ticket.Session, error) {
	act := tenant.SessionEvent(string(ticket.SessionEventRequest))
	tid, err := d.authorizeOn(ctx, actor, act, ticketAt(ticketID))
	if err != nil {
		return nil, fmt.Errorf("request session on ticket %s: %w", ticketID, err)
	}
	s := &ticket.Session{ID: newID(), TenantID: tid, TicketID: ticketID}
	err = d.inTx(ctx, func(q storage.Queries) error {
		c, err := d.openCase(ctx, q, actor, tid, ticketID, act)
		if err != nil {
			return err
		}
		return d.requestSession(c, s, true)
	})
	if err != nil {
		return nil, fmt.Errorf("request session on ticket %s: %w", ticketID, err)
	}
	return s, nil
}

// requestSession creates the requested session s on the case's ticket. Only an existing
// ticket's open sessions are counted against the quota: a ticket being submitted has none.
func (d *Desk) requestSession(c *caseTx, s *ticket.Session, existing bool) error {
	if !c.ten.Settings.EffectiveOffer().ContactAgent {
		return fmt.Errorf("%w: video calls on request", ErrNotOffered)
	}
	if err := activeForSessions(c.t, ticket.SessionEventRequest); err != nil {
		return err
	}
	if err := checkCodeOffers(c, device.ActionRequestSession); err != nil {
		return err
	}
	if existing {
		if err := checkSessionQuota(c); err != nil {
			return err
		}
	}
	if err := d.moveSession(c, s, ticket.SessionEventRequest, SessionChange{}); err != nil {
		return err
	}
	return d.finish(c)
}

// Invite invites a ticket's requester to a video call (event invite, with At zero) or proposes
// a time for one (event propose), on a new session or in answer to a requested one
// (in.SessionID). The session's agent is the acting employee. The ticket waits for the
// requester; the requester gets invitation.sent by e-mail and/or SMS as the tenant's Offer
// says, with a join link, or with accept and refuse links and the planned time. The invitation
// expires after the tenant's Durations.InvitationExpiry (a proposal at the latest at its
// planned time). Employees may.
//
// Returns *ValidationError for a proposed time not in the future or a bad duration,
// ErrNotOffered when proposing while the tenant's Offer.Planning is off, ErrNotFound,
// ErrForbidden, a *ticket.TransitionError wrapping ticket.ErrInvalidTransition for a ticket
// that is not active or a session that is not requested, and ErrConflict.
func (d *Desk) Invite(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID, in Invitation) (*ticket.Session, error) {
	ev := ticket.SessionEventInvite
	if !in.At.IsZero() {
		ev = ticket.SessionEventPropose
	}
	act := tenant.SessionEvent(string(ev))
	tid, err := d.authorizeOn(ctx, actor, act, ticketAt(ticketID))
	if err != nil {
		return nil, fmt.Errorf("%s session on ticket %s: %w", ev, ticketID, err)
	}
	if err := checkInvitation(in, d.clock()); err != nil {
		return nil, err
	}
	var s *ticket.Session
	err = d.inTx(ctx, func(q storage.Queries) error {
		c, err := d.openCase(ctx, q, actor, tid, ticketID, act)
		if err != nil {
			return err
		}
		if ev == ticket.SessionEventPropose && !c.ten.Settings.EffectiveOffer().Planning {
			return fmt.Errorf("%w: planning", ErrNotOffered)
		}
		if err := activeForSessions(c.t, ev); err != nil {
			return err
		}
		s = &ticket.Session{ID: newID(), TenantID: tid, TicketID: ticketID}
		if in.SessionID != uuid.Nil {
			if s, err = q.GetSession(ctx, tid, in.SessionID); err != nil {
				return err
			}
			if s.TicketID != ticketID {
				return fmt.Errorf("session %s: %w", in.SessionID, storage.ErrNotFound)
			}
		}
		s.AgentID = actor.UserID
		s.PlannedAt, s.PlannedEnd = nil, nil
		if ev == ticket.SessionEventPropose {
			at := in.At.UTC().Truncate(time.Microsecond)
			s.PlannedAt = &at
			if in.Duration > 0 {
				end := at.Add(in.Duration)
				s.PlannedEnd = &end
			}
		}
		if err := d.moveSession(c, s, ev, SessionChange{}); err != nil {
			return err
		}
		return d.finish(c)
	})
	if err != nil {
		return nil, fmt.Errorf("%s session on ticket %s: %w", ev, ticketID, err)
	}
	return s, nil
}

func checkInvitation(in Invitation, now time.Time) error {
	if in.At.IsZero() {
		if in.Duration != 0 {
			return invalid("duration", "only a proposed time has a planned length")
		}
		return nil
	}
	if !in.At.After(now) {
		return invalid("at", "%s is not in the future", in.At.UTC().Format(time.RFC3339))
	}
	if in.Duration < 0 || in.Duration > MaxPlannedDuration {
		return invalid("duration", "%s is outside 0 to %s", in.Duration, MaxPlannedDuration)
	}
	return nil
}

// SessionTransition fires a video session lifecycle event (docs/concepts.md, "Video session
// lifecycle") on session id, with the ticket event it brings about (start → ticket start, end
// → ticket complete, refuse and expire → ticket resume), their history, timers and
// notifications, in one transaction. Invite creates sessions and RequestSession asks for them;
// this fires the other events:
//
//   - confirm (a requested session), close, reopen: employees; close also the system;
//   - accept, refuse (a proposed time), rate (a finished call; ch.Stars 1 to 5): the
//     ticket's requester;
//   - start, end: staff (calls also start and end by themselves, see HandleRoomEvent);
//   - cancel: staff (with ch.Reason) and the requester;
//   - expire: the system only (the invitation expiry timer does it).
//
// Returns ErrNotFound for a session the actor cannot see, ErrForbidden, *ValidationError for
// a bad ch, a *ticket.TransitionError wrapping ticket.ErrUnknownEvent or
// ticket.ErrInvalidTransition, and ErrConflict when a concurrent change won.
func (d *Desk) SessionTransition(ctx context.Context, actor tenant.Actor, sessionID uuid.UUID, ev ticket.SessionEvent, ch SessionChange) (*ticket.Session, error) {
	fail := func(err error) (*ticket.Session, error) {
		return nil, fmt.Errorf("%s session %s: %w", ev, sessionID, err)
	}
	switch ev {
	case ticket.SessionEventRequest, ticket.SessionEventInvite, ticket.SessionEventPropose:
		return fail(fmt.Errorf("%w: use RequestSession or Invite", ErrInvalid))
	}
	if !slices.Contains(ticket.SessionEvents(), ev) {
		return fail(&ticket.TransitionError{Machine: "session", Event: string(ev), Err: ticket.ErrUnknownEvent})
	}
	act := tenant.SessionEvent(string(ev))
	tid, err := d.authorizeOn(ctx, actor, act, sessionAt(sessionID))
	if err != nil {
		return fail(err)
	}
	if err := checkSessionChange(actor, ev, &ch); err != nil {
		return nil, err
	}
	var s *ticket.Session
	err = d.inTx(ctx, func(q storage.Queries) error {
		var err error
		if s, err = q.GetSession(ctx, tid, sessionID); err != nil {
			return err
		}
		c, err := d.openCase(ctx, q, actor, tid, s.TicketID, act)
		if err != nil {
			return err
		}
		switch ev {
		case ticket.SessionEventConfirm, ticket.SessionEventAccept, ticket.SessionEventStart, ticket.SessionEventReopen:
			if err := activeForSessions(c.t, ev); err != nil {
				return err
			}
		}
		if ev == ticket.SessionEventConfirm || ev == ticket.SessionEventReopen {
			s.AgentID = actor.UserID
		}
		if err := d.moveSession(c, s, ev, ch); err != nil {
			return err
		}
		return d.finish(c)
	})
	if err != nil {
		return fail(err)
	}
	return s, nil
}

func checkSessionChange(actor tenant.Actor, ev ticket.SessionEvent, ch *SessionChange) error {
	if err := checkReason(&ch.Reason, ev == ticket.SessionEventCancel && actor.IsStaff()); err != nil {
		return err
	}
	if ev == ticket.SessionEventRate {
		return checkRating(ch.Stars, &ch.Comment)
	}
	return nil
}

// sessionAt resolves a session to its ticket for the policy.
func sessionAt(id uuid.UUID) func(context.Context, storage.Queries, uuid.UUID) (tenant.Resource, error) {
	return func(ctx context.Context, q storage.Queries, tid uuid.UUID) (tenant.Resource, error) {
		s, err := q.GetSession(ctx, tid, id)
		if err != nil {
			return tenant.Resource{}, err
		}
		return ticketAt(s.TicketID)(ctx, q, tid)
	}
}

// Session returns one video session of a ticket the actor can see. Returns ErrNotFound.
func (d *Desk) Session(ctx context.Context, actor tenant.Actor, id uuid.UUID) (*ticket.Session, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTicketRead, sessionAt(id))
	if err != nil {
		return nil, fmt.Errorf("get session %s: %w", id, err)
	}
	var s *ticket.Session
	err = d.inTx(ctx, func(q storage.Queries) error {
		var err error
		if s, err = q.GetSession(ctx, tid, id); err != nil {
			return err
		}
		_, err = d.visibleTicket(ctx, q, actor, tid, s.TicketID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get session %s: %w", id, err)
	}
	return s, nil
}

// Sessions lists a page of a ticket's video sessions, oldest first (ties by ID). A zero
// PageRequest asks for the first page of storage.DefaultPageSize; pass the page's Next as
// After for the next one. Returns ErrNotFound for a ticket the actor cannot see, and
// storage.ErrInvalidCursor for a cursor that is not one of this listing's.
func (d *Desk) Sessions(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID, p storage.PageRequest) (storage.Page[*ticket.Session], error) {
	var page storage.Page[*ticket.Session]
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTicketRead, ticketAt(ticketID))
	if err != nil {
		return page, fmt.Errorf("list sessions of ticket %s: %w", ticketID, err)
	}
	err = d.inTx(ctx, func(q storage.Queries) error {
		if _, err := d.visibleTicket(ctx, q, actor, tid, ticketID); err != nil {
			return err
		}
		var err error
		page, err = q.ListSessions(ctx, tid, ticketID, p)
		return err
	})
	if err != nil {
		return storage.Page[*ticket.Session]{}, fmt.Errorf("list sessions of ticket %s: %w", ticketID, err)
	}
	return page, nil
}

// OpenSessionLink turns the secret of a requester's session link (the token in
// BaseURL/sessions/{token}, which invitation notifications carry) into the requester-link actor
// of the session's ticket, and returns it with the session. Call JoinSession, or
// SessionTransition with accept or refuse, as that actor. The link stops working when the
// ticket's requester link does (rotated, or the ticket's public page closed). Returns
// ErrInvalidLink for an unknown, malformed, rotated or lapsed link.
func (d *Desk) OpenSessionLink(ctx context.Context, token string) (tenant.Actor, *ticket.Session, error) {
	fail := func(err error) (tenant.Actor, *ticket.Session, error) {
		return tenant.Actor{}, nil, fmt.Errorf("open session link: %w", err)
	}
	tid, sid, ok := secret.ParseLink(token)
	if !ok {
		return fail(ErrInvalidLink)
	}
	var (
		actor tenant.Actor
		s     *ticket.Session
	)
	err := d.inTx(ctx, func(q storage.Queries) error {
		var err error
		if s, err = q.GetSession(ctx, tid, sid); err != nil {
			if isNotFound(err) {
				return ErrInvalidLink
			}
			return err
		}
		t, err := q.GetTicket(ctx, s.TenantID, s.TicketID)
		if err != nil {
			return err
		}
		if !secret.CheckLink(d.cfg.SecretKeys, token, sessionPurpose, tid, sid, t.LinkVersion) {
			return ErrInvalidLink
		}
		if err := d.checkPublicAccess(ctx, q, t); err != nil {
			return err
		}
		actor = tenant.RequesterLink(s.TenantID, s.TicketID, t.LinkVersion, t.Requester.Name)
		return nil
	})
	if err != nil {
		return fail(err)
	}
	return actor, s, nil
}

// JoinSession lets the actor into a session's call: it creates the session's video room the
// first time anyone joins (named after the session, so concurrent joins share it) and returns a
// join token for the actor valid for Config.JoinTTL. The ticket's requester and employees may
// join an invited, confirmed or live session; without the tenant's Offer.Conference only the
// session's agent joins among employees. The call goes live when the provider reports the
// first participant (HandleRoomEvent).
//
// Returns ErrNotFound, ErrForbidden, ErrVideoUnavailable without a Config.Video provider, a
// *ticket.TransitionError wrapping ticket.ErrInvalidTransition for a session no call is held
// in, and the provider's errors (video.ErrRoomEnded when its room has ended).
func (d *Desk) JoinSession(ctx context.Context, actor tenant.Actor, sessionID uuid.UUID) (video.Grant, error) {
	fail := func(err error) (video.Grant, error) {
		return video.Grant{}, fmt.Errorf("join session %s: %w", sessionID, err)
	}
	tid, err := d.authorizeOn(ctx, actor, tenant.ActSessionJoin, sessionAt(sessionID))
	if err != nil {
		return fail(err)
	}
	if d.cfg.Video == nil {
		return fail(ErrVideoUnavailable)
	}
	var (
		s     *ticket.Session
		offer tenant.Offer
	)
	err = d.inTx(ctx, func(q storage.Queries) error {
		var err error
		if s, err = q.GetSession(ctx, tid, sessionID); err != nil {
			return err
		}
		c, err := d.viewCase(ctx, q, actor, tid, s.TicketID, tenant.ActSessionJoin)
		if err != nil {
			return err
		}
		offer = c.ten.Settings.EffectiveOffer()
		return nil
	})
	if err != nil {
		return fail(err)
	}
	switch s.State {
	case ticket.SessionInvited, ticket.SessionConfirmed, ticket.SessionInProgress:
	default:
		return fail(&ticket.TransitionError{Machine: "session", From: string(s.State), Event: "join", Err: ticket.ErrInvalidTransition})
	}
	if actor.Kind == tenant.ActorEmployee && !offer.Conference && actor.UserID != s.AgentID {
		return fail(fmt.Errorf("%w: conferences are off, so only the session's agent joins", ErrForbidden))
	}
	room := roomName(s.ID)
	if s.Room == "" {
		opts := video.RoomOptions{MaxParticipants: 2}
		if offer.Conference {
			opts.MaxParticipants = 0
		}
		if _, err := d.cfg.Video.CreateRoom(ctx, room, opts); err != nil {
			return fail(err)
		}
		err := d.inTx(ctx, func(q storage.Queries) error {
			cur, err := q.GetSession(ctx, tid, s.ID)
			if err != nil || cur.Room != "" {
				return err
			}
			cur.Room = room
			return q.UpdateSession(ctx, cur)
		})
		if err != nil {
			return fail(err)
		}
	}
	return d.cfg.Video.JoinToken(ctx, room, participant(actor), d.clock().Add(d.cfg.JoinTTL))
}

// roomName is the video room of session id: deterministic, so that every instance creating
// it at once gets the same room.
func roomName(id uuid.UUID) string { return "session-" + id.String() }

// participant is how actor appears in a call.
func participant(a tenant.Actor) video.Participant {
	if a.Kind == tenant.ActorRequesterLink {
		return video.Participant{Identity: "requester-" + a.TicketID.String(), Name: a.Name}
	}
	return video.Participant{Identity: "user-" + a.UserID.String(), Name: a.Name}
}

// HandleRoomEvent applies what a video provider reports about a session's room: the first
// participant joining an invited or confirmed session starts it (session.started to the
// requester, ticket start), and the room ending ends a live session (session.completed to the
// agent, ticket complete, and the escalation and auto-close timers). Repeated and late events
// change nothing, and events about rooms the Desk does not know are ignored, so a provider may
// retry freely. It implements video.EventSink (see twiliovideo.StatusHandler). Returns
// ErrConflict when a concurrent change won (the provider's retry then applies it).
func (d *Desk) HandleRoomEvent(ctx context.Context, e video.Event) error {
	var ev ticket.SessionEvent
	switch e.Kind {
	case video.ParticipantJoined:
		ev = ticket.SessionEventStart
	case video.RoomEnded:
		ev = ticket.SessionEventEnd
	default:
		return nil
	}
	err := d.inTx(ctx, func(q storage.Queries) error {
		s, err := q.GetSessionByRoom(ctx, e.Room)
		if isNotFound(err) {
			return nil
		} else if err != nil {
			return err
		}
		if !d.sessions.Can(s.State, ev) {
			return nil
		}
		c, err := d.systemCase(ctx, q, nil, s.TenantID, s.TicketID)
		if err != nil || c == nil {
			return err
		}
		if err := d.moveSession(c, s, ev, SessionChange{}); err != nil {
			return err
		}
		return d.finish(c)
	})
	if err != nil {
		return fmt.Errorf("room event %s %s: %w", e.Kind, e.Room, err)
	}
	return nil
}
