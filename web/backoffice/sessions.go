package backoffice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// sessionAction is a button of a session: an event the session machine allows from its state
// and the policy lets the person fire, with the fields it needs.
type sessionAction struct {
	Event, Label string
	// Reason asks for a reason (staff cancelling must give one); Stars for a rating.
	Reason, Stars bool
}

// sessionLine is one video session on the ticket page.
type sessionLine struct {
	ID    uuid.UUID
	State string
	// Planned is the proposed start, zero for a call now.
	Planned time.Time
	// Agent is the employee who invited, proposed or confirmed.
	Agent   string
	Actions []sessionAction
	CanJoin bool
}

// sessionForm is the ticket page's form for a new session, with a refused proposal's input.
type sessionForm struct {
	// CanInvite lets staff invite now, CanPropose propose a time, CanRequest a requester ask
	// for a call.
	CanInvite, CanPropose, CanRequest bool
	// At and Duration are the refused input; Problem says what was wrong with it.
	At, Duration, Problem string
}

// sessionButtons are the session events the ticket page offers as buttons. Request, invite and
// propose have the new-session form; start and expire happen by themselves (joining, timers).
var sessionButtons = []ticket.SessionEvent{ticket.SessionEventConfirm, ticket.SessionEventAccept, ticket.SessionEventRefuse,
	ticket.SessionEventEnd, ticket.SessionEventRate, ticket.SessionEventClose, ticket.SessionEventCancel, ticket.SessionEventReopen}

// ticketSessions reads the sessions of t for its page, with what the person may do on each,
// and which new sessions they may start.
func (h *Handler) ticketSessions(ctx context.Context, s *session, t *ticket.Ticket, lk *lookups) ([]sessionLine, sessionForm, error) {
	page, err := h.desk.Sessions(ctx, s.actor, t.ID, storage.PageRequest{Limit: storage.MaxPageSize})
	if err != nil {
		return nil, sessionForm{}, err
	}
	machine, off := ticket.SessionLifecycle(), h.offer(ctx, s)
	var lines []sessionLine
	for _, sn := range page.Items {
		line := sessionLine{ID: sn.ID, State: s.l.T("bo.sessions.state." + string(sn.State)),
			Agent: lk.user(ctx, h.desk, s.actor, sn.AgentID)}
		if sn.PlannedAt != nil {
			line.Planned = *sn.PlannedAt
		}
		for _, ev := range sessionButtons {
			if !machine.Can(sn.State, ev) || !may(s, tenant.SessionEvent(string(ev)), t) {
				continue
			}
			if (ev == ticket.SessionEventConfirm || ev == ticket.SessionEventAccept || ev == ticket.SessionEventReopen) && !t.State.Active() {
				continue
			}
			line.Actions = append(line.Actions, sessionAction{Event: string(ev), Label: s.l.T("bo.sessions.event." + string(ev)),
				Reason: ev == ticket.SessionEventCancel && s.actor.IsStaff(), Stars: ev == ticket.SessionEventRate})
		}
		switch sn.State {
		case ticket.SessionInvited, ticket.SessionConfirmed, ticket.SessionInProgress:
			line.CanJoin = may(s, tenant.ActSessionJoin, t) &&
				(s.actor.Kind != tenant.ActorEmployee || sn.AgentID == s.actor.UserID || off.Conference)
		}
		lines = append(lines, line)
	}
	var f sessionForm
	if t.State.Active() {
		f.CanInvite = may(s, tenant.SessionEvent(string(ticket.SessionEventInvite)), t)
		f.CanPropose = may(s, tenant.SessionEvent(string(ticket.SessionEventPropose)), t) && off.Planning
		f.CanRequest = may(s, tenant.SessionEvent(string(ticket.SessionEventRequest)), t) && off.ContactAgent
	}
	return lines, f, nil
}

// offer returns the tenant's offer (which calls it makes), or the default one when the tenant
// cannot be read: the Desk refuses what the tenant does not offer all the same.
func (h *Handler) offer(ctx context.Context, s *session) tenant.Offer {
	ten, err := h.desk.Tenant(ctx, s.actor)
	if err != nil {
		return tenant.Settings{}.EffectiveOffer()
	}
	return ten.Settings.EffectiveOffer()
}

// maxTZOffset bounds the browser's time zone offset, in minutes.
const maxTZOffset = 14 * 60

// plannedTime reads a datetime-local value ("2026-12-07T14:30") in the time zone the page's
// script put in tz (JavaScript's getTimezoneOffset: minutes behind UTC), or in UTC without it,
// as the form says.
func plannedTime(value, tz string) (time.Time, error) {
	value = strings.TrimSpace(value)
	at, err := time.ParseInLocation("2006-01-02T15:04", value, time.UTC)
	if err != nil {
		if at, err = time.ParseInLocation("2006-01-02T15:04:05", value, time.UTC); err != nil {
			return time.Time{}, &helpdesk.ValidationError{Field: "at", Problem: "not a date and time"}
		}
	}
	if tz = strings.TrimSpace(tz); tz != "" {
		off, err := strconv.Atoi(tz)
		if err != nil || off < -maxTZOffset || off > maxTZOffset {
			return time.Time{}, &helpdesk.ValidationError{Field: "at", Problem: "not a time zone"}
		}
		at = at.Add(time.Duration(off) * time.Minute)
	}
	return at, nil
}

// ticketSessionPost starts a session on ticket {id}: staff invite now (kind "now") or propose
// a time (kind "propose", with at, tz and duration in minutes); a requester asks for a call
// (kind "request"). A refused proposal shows the ticket page again with the input.
func (h *Handler) ticketSessionPost(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := ticketID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	ctx := r.Context()
	switch r.PostFormValue("kind") {
	case "request":
		_, err = h.desk.RequestSession(ctx, s.actor, id)
	case "propose":
		var in helpdesk.Invitation
		if in.At, err = plannedTime(r.PostFormValue("at"), r.PostFormValue("tz")); err == nil {
			if d := strings.TrimSpace(r.PostFormValue("duration")); d != "" {
				mins, cerr := strconv.Atoi(d)
				if cerr != nil {
					err = &helpdesk.ValidationError{Field: "duration", Problem: "not a number of minutes"}
				}
				in.Duration = time.Duration(mins) * time.Minute
			}
		}
		if err == nil {
			_, err = h.desk.Invite(ctx, s.actor, id, in)
		}
	default:
		_, err = h.desk.Invite(ctx, s.actor, id, helpdesk.Invitation{})
	}
	var ve *helpdesk.ValidationError
	if errors.As(err, &ve) && (ve.Field == "at" || ve.Field == "duration") {
		// The form again, with the input and the problem beside the time; a ticket the person
		// may not see is not found, whatever the input.
		if _, terr := h.desk.Ticket(ctx, s.actor, id); terr != nil {
			h.pages.Error(w, r, s.l, terr)
			return
		}
		h.renderTicketWith(w, r, s, id, http.StatusUnprocessableEntity, "", func(v *ticketView) {
			v.NewSession.At, v.NewSession.Duration = r.PostFormValue("at"), r.PostFormValue("duration")
			v.NewSession.Problem = s.l.T("bo.sessions.problem." + ve.Field)
		})
		return
	}
	h.done(w, r, s, id, err)
}

// ticketSession reads the session {sid} of ticket {id} the person may see; a malformed ID, or a
// session of another ticket, is not found.
func (h *Handler) ticketSession(r *http.Request, s *session) (*ticket.Session, error) {
	tid, err := ticketID(r)
	if err != nil {
		return nil, err
	}
	id, err := uuid.Parse(r.PathValue("sid"))
	if err != nil {
		return nil, fmt.Errorf("backoffice: session %q: %w", r.PathValue("sid"), storage.ErrNotFound)
	}
	sn, err := h.desk.Session(r.Context(), s.actor, id)
	if err != nil {
		return nil, err
	}
	if sn.TicketID != tid {
		return nil, fmt.Errorf("backoffice: session %s of another ticket: %w", id, storage.ErrNotFound)
	}
	return sn, nil
}

// sessionEvent fires a session event (cancel, end, confirm, accept, refuse, rate, close,
// reopen) and returns to the session's ticket, or shows it with the refusal.
func (h *Handler) sessionEvent(w http.ResponseWriter, r *http.Request, s *session) {
	sn, err := h.ticketSession(r, s)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	stars, _ := strconv.Atoi(r.PostFormValue("stars"))
	_, err = h.desk.SessionTransition(r.Context(), s.actor, sn.ID, ticket.SessionEvent(r.PathValue("event")),
		helpdesk.SessionChange{Reason: strings.TrimSpace(r.PostFormValue("reason")), Stars: stars, Comment: r.PostFormValue("comment")})
	h.done(w, r, s, sn.TicketID, err)
}

type sessionJoinView struct {
	Ref, Title string
	TicketID   uuid.UUID
	Room       string
	Identity   string
	ExpiresAt  time.Time
}

// sessionJoin lets the person into a session's call: the Desk makes its room and a join
// credential, and the page says so, with the way back to the ticket.
func (h *Handler) sessionJoin(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	sn, err := h.ticketSession(r, s)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	grant, err := h.desk.JoinSession(ctx, s.actor, sn.ID)
	if err != nil {
		if k := helpdesk.KindOf(err); k == helpdesk.KindInternal || k == helpdesk.KindNotFound {
			h.pages.Error(w, r, s.l, err)
			return
		}
		h.done(w, r, s, sn.TicketID, err)
		return
	}
	t, err := h.desk.Ticket(ctx, s.actor, sn.TicketID)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	h.render(w, r, s, http.StatusOK, "session_join", s.l.T("bo.sessions.join.title"),
		sessionJoinView{Ref: t.Ref(), Title: t.Title, TicketID: t.ID, Room: grant.Room, Identity: grant.Identity, ExpiresAt: grant.ExpiresAt})
}

// sessionRoutes are the routes of the Video Sessions module:
//
//	GET  /sessions                       the video sessions across tickets, filtered by the
//	                                     query (state, when=today or from and to as days in
//	                                     UTC, customer, agent: an ID or "me"), a page at a time
//	                                     (after); a customer's user sees their customer's
//	POST /tickets/{id}/sessions          starts a video session on ticket {id}: kind "now"
//	                                     invites now, "propose" proposes a time (at, from a
//	                                     datetime-local input, in UTC or in the browser's zone
//	                                     its script puts in tz; duration in minutes), "request"
//	                                     asks for a call (the ticket's requester)
//	POST /tickets/{id}/sessions/{sid}/events/{event}
//	                                     fires an event of the ticket's session {sid} (confirm,
//	                                     accept, refuse, end, rate with stars, close, cancel
//	                                     with reason, reopen)
//	POST /tickets/{id}/sessions/{sid}/join
//	                                     joins the session's call
//
// The session's own routes live under its ticket: /sessions/{token} are the requesters'
// session links of the public pages, beside which the back office is mounted.
func (h *Handler) sessionRoutes() []route {
	return []route{
		{"GET /sessions", h.signedIn(h.sessions)},
		{"POST /tickets/{id}/sessions", h.signedIn(h.ticketSessionPost)},
		{"POST /tickets/{id}/sessions/{sid}/events/{event}", h.signedIn(h.sessionEvent)},
		{"POST /tickets/{id}/sessions/{sid}/join", h.signedIn(h.sessionJoin)},
	}
}

// sessionsPageSize is how many sessions the Video Sessions list shows at a time.
const sessionsPageSize = 25

// sessionFilters are the Video Sessions list's filters as the query carries them.
type sessionFilters struct {
	// When is "today" for the sessions planned today (UTC), else empty; From and To are days
	// (2026-12-07, UTC), To included.
	State, When, From, To, Customer, Agent string
}

func (f sessionFilters) query() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"state": f.State, "when": f.When, "from": f.From, "to": f.To, "customer": f.Customer, "agent": f.Agent} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// sessionRow is one line of the Video Sessions list.
type sessionRow struct {
	TicketID                       uuid.UUID
	Ref, Title, State, Agent, Cust string
	Planned, Created               time.Time
}

type sessionsView struct {
	Filters sessionFilters
	// Staff says the person is an employee: the filters by customer and agent.
	Staff                     bool
	States, Customers, Agents []option
	Rows                      []sessionRow
	Next                      string
	Filtered                  bool
}

// day reads a date filter (2006-01-02) as the start of that day in UTC; zero when empty or
// malformed, which filters nothing.
func day(s string) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), time.UTC)
	if err != nil {
		return time.Time{}
	}
	return d
}

// sessions lists the video sessions across the tickets the person may see (a customer's user:
// their customer's, as the Desk scopes it), filtered by the query and a page at a time.
func (h *Handler) sessions(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, q := r.Context(), r.URL.Query()
	fl := sessionFilters{State: q.Get("state"), When: q.Get("when"), From: q.Get("from"), To: q.Get("to"),
		Customer: q.Get("customer"), Agent: q.Get("agent")}
	if fl.When != "today" {
		fl.When = ""
	}
	v := sessionsView{Filters: fl, Staff: s.actor.Kind == tenant.ActorEmployee}
	var f storage.SessionFilter
	if st := ticket.SessionState(fl.State); st != ticket.SessionNone && st.Valid() {
		f.States = []ticket.SessionState{st}
	}
	if fl.When == "today" {
		f.PlannedFrom = time.Now().UTC().Truncate(24 * time.Hour)
		f.PlannedTo = f.PlannedFrom.AddDate(0, 0, 1)
	} else {
		f.PlannedFrom = day(fl.From)
		if to := day(fl.To); !to.IsZero() {
			f.PlannedTo = to.AddDate(0, 0, 1)
		}
	}
	if v.Staff {
		f.CustomerID = parseID(fl.Customer)
		if fl.Agent == "me" {
			f.AgentID = s.actor.UserID
		} else {
			f.AgentID = parseID(fl.Agent)
		}
	}
	page, err := h.desk.ListSessions(ctx, s.actor, f, storage.PageRequest{Limit: sessionsPageSize, After: q.Get("after")})
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	lk, err := h.lookup(ctx, s)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	for _, st := range ticket.SessionStates() {
		v.States = append(v.States, option{string(st), s.l.T("bo.sessions.state." + string(st))})
	}
	customers := map[uuid.UUID]string{}
	if v.Staff {
		v.Agents = []option{{"me", s.l.T("bo.tickets.me")}}
		for _, u := range lk.employees {
			v.Agents = append(v.Agents, option{u.ID.String(), u.Name})
		}
		for _, c := range lk.customers {
			v.Customers = append(v.Customers, option{c.ID.String(), c.Name})
			customers[c.ID] = c.Name
		}
	}
	tickets := map[uuid.UUID]*ticket.Ticket{}
	for _, sn := range page.Items {
		t, ok := tickets[sn.TicketID]
		if !ok {
			if t, err = h.desk.Ticket(ctx, s.actor, sn.TicketID); err != nil {
				continue // gone meanwhile
			}
			tickets[sn.TicketID] = t
		}
		row := sessionRow{TicketID: t.ID, Ref: t.Ref(), Title: t.Title, State: s.l.T("bo.sessions.state." + string(sn.State)),
			Agent: lk.user(ctx, h.desk, s.actor, sn.AgentID), Cust: customers[t.CustomerID], Created: sn.CreatedAt}
		if sn.PlannedAt != nil {
			row.Planned = *sn.PlannedAt
		}
		v.Rows = append(v.Rows, row)
	}
	params := fl.query()
	v.Filtered = len(params) > 0
	if page.Next != "" {
		params.Set("after", page.Next)
		v.Next = "/sessions?" + params.Encode()
	}
	h.render(w, r, s, http.StatusOK, "sessions", s.l.T("bo.sessions.title"), v)
}
