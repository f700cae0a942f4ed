package backoffice

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/web"
	"github.com/google/uuid"
)

// ticketsPageSize is how many tickets the list shows at a time.
const ticketsPageSize = 25

// option is one entry of a select: its value and label.
type option struct {
	Value, Label string
}

// ticketFilters are the list's filters as the query carries them.
type ticketFilters struct {
	State, Priority, Assignee, Team, Customer, Text string
}

// query returns the filters as URL parameters, without the empty ones.
func (f ticketFilters) query() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"state": f.State, "priority": f.Priority, "assignee": f.Assignee,
		"team": f.Team, "customer": f.Customer, "q": f.Text} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// ticketRow is one line of the tickets list.
type ticketRow struct {
	ID                                    uuid.UUID
	Ref, Title, State, Priority, Assignee string
	Updated                               time.Time
}

type ticketsView struct {
	Filters ticketFilters
	// Staff says the person is an employee: the filters by assignee, team and customer.
	Staff                                           bool
	States, Priorities, Assignees, Teams, Customers []choice
	Rows                                            []ticketRow
	// Next is the link to the following page, with the filters; empty on the last.
	Next string
	// Filtered says a filter is set, for the link that clears them.
	Filtered bool
}

// choice is an option of a filter's select, marked when the filter holds its value: the
// template tests a field instead of calling eq on each of a big tenant's hundreds of options.
type choice struct {
	Value, Label string
	Selected     bool
}

// choices marks among opts the one whose value is current.
func choices(opts []option, current string) []choice {
	out := make([]choice, len(opts))
	for i, o := range opts {
		out[i] = choice{Value: o.Value, Label: o.Label, Selected: o.Value == current}
	}
	return out
}

// lookups names what tickets refer to by ID, as far as the person may read it.
type lookups struct {
	statuses   []*ticket.Status
	priorities []*ticket.Priority
	teams      []*tenant.Team
	customers  []*tenant.Customer
	// employees are the tenant's active employees (staff only).
	employees []*tenant.User
	users     map[uuid.UUID]string
}

// lookup reads the names the person's pages show: statuses and priorities for everyone, teams,
// customers and employees for staff.
func (h *Handler) lookup(ctx context.Context, s *session) (*lookups, error) {
	return h.lookupFor(ctx, s, true)
}

// lookupFor is lookup, reading the tenant's customers only when customers is set: a page that
// names one customer reads it alone rather than every customer of the tenant.
func (h *Handler) lookupFor(ctx context.Context, s *session, customers bool) (*lookups, error) {
	lk := &lookups{users: map[uuid.UUID]string{}}
	var err error
	if lk.statuses, err = h.desk.Statuses(ctx, s.actor); err != nil {
		return nil, err
	}
	if lk.priorities, err = h.desk.Priorities(ctx, s.actor); err != nil {
		return nil, err
	}
	if s.actor.Kind != tenant.ActorEmployee {
		return lk, nil
	}
	if lk.teams, err = h.desk.Teams(ctx, s.actor); err != nil {
		return nil, err
	}
	if customers {
		if lk.customers, err = h.desk.Customers(ctx, s.actor); err != nil {
			return nil, err
		}
	}
	users, err := h.desk.Users(ctx, s.actor, storage.UserFilter{Employees: true}, storage.PageRequest{Limit: storage.MaxPageSize})
	if err != nil {
		return nil, err
	}
	for _, u := range users.Items {
		lk.users[u.ID] = u.Name
		if u.Status == tenant.UserActive {
			lk.employees = append(lk.employees, u)
		}
	}
	return lk, nil
}

// user names a user, asking the Desk for one the lookups do not know; empty when the person
// may not read them.
func (lk *lookups) user(ctx context.Context, d *helpdesk.Desk, actor tenant.Actor, id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	if n, ok := lk.users[id]; ok {
		return n
	}
	n := ""
	if u, err := d.User(ctx, actor, id); err == nil {
		n = u.Name
	}
	lk.users[id] = n
	return n
}

func (lk *lookups) priority(id uuid.UUID) string {
	for _, p := range lk.priorities {
		if p.ID == id {
			return p.Name
		}
	}
	return ""
}

func (lk *lookups) status(id uuid.UUID) string {
	for _, st := range lk.statuses {
		if st.ID == id {
			return st.Name
		}
	}
	return ""
}

func (lk *lookups) team(id uuid.UUID) string {
	for _, t := range lk.teams {
		if t.ID == id {
			return t.Name
		}
	}
	return ""
}

// parseID returns the ID of a filter's value; uuid.Nil for an empty or malformed one, which
// filters nothing.
func parseID(s string) uuid.UUID {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil
	}
	return id
}

// tickets lists the tickets the person may see (a customer's user: their customer's, as the
// Desk scopes it), filtered by the query and a page at a time.
func (h *Handler) tickets(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, q := r.Context(), r.URL.Query()
	fl := ticketFilters{State: q.Get("state"), Priority: q.Get("priority"), Assignee: q.Get("assignee"),
		Team: q.Get("team"), Customer: q.Get("customer"), Text: strings.TrimSpace(q.Get("q"))}
	v := ticketsView{Filters: fl, Staff: s.actor.Kind == tenant.ActorEmployee}
	var f storage.TicketFilter
	if slices.Contains(ticket.States(), ticket.State(fl.State)) {
		f.States = []ticket.State{ticket.State(fl.State)}
	}
	if id := parseID(fl.Priority); id != uuid.Nil {
		f.PriorityIDs = []uuid.UUID{id}
	}
	if v.Staff {
		switch fl.Assignee {
		case "me":
			f.AssigneeID = s.actor.UserID
		case "unassigned":
			f.Unassigned = true
		default:
			f.AssigneeID = parseID(fl.Assignee)
		}
		f.TeamID, f.CustomerID = parseID(fl.Team), parseID(fl.Customer)
	}
	f.Text = fl.Text
	page, err := h.desk.Tickets(ctx, s.actor, f, storage.PageRequest{Limit: ticketsPageSize, After: q.Get("after")})
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	lk, err := h.lookup(ctx, s)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	var states, priorities, assignees, teams, customers []option
	for _, st := range ticket.States() {
		states = append(states, option{string(st), s.l.T("bo.state." + string(st))})
	}
	for _, p := range lk.priorities {
		priorities = append(priorities, option{p.ID.String(), p.Name})
	}
	if v.Staff {
		assignees = []option{{"me", s.l.T("bo.tickets.me")}, {"unassigned", s.l.T("bo.tickets.unassigned")}}
		for _, u := range lk.employees {
			assignees = append(assignees, option{u.ID.String(), u.Name})
		}
		for _, t := range lk.teams {
			teams = append(teams, option{t.ID.String(), t.Name})
		}
		for _, c := range lk.customers {
			customers = append(customers, option{c.ID.String(), c.Name})
		}
	}
	v.States, v.Priorities, v.Assignees = choices(states, fl.State), choices(priorities, fl.Priority), choices(assignees, fl.Assignee)
	v.Teams, v.Customers = choices(teams, fl.Team), choices(customers, fl.Customer)
	for _, t := range page.Items {
		v.Rows = append(v.Rows, ticketRow{ID: t.ID, Ref: t.Ref(), Title: t.Title, State: s.l.T("bo.state." + string(t.State)),
			Priority: lk.priority(t.PriorityID), Assignee: lk.user(ctx, h.desk, s.actor, t.AssigneeID), Updated: t.UpdatedAt})
	}
	params := fl.query()
	v.Filtered = len(params) > 0
	if page.Next != "" {
		params.Set("after", page.Next)
		v.Next = "/tickets?" + params.Encode()
	}
	h.render(w, r, s, http.StatusOK, "tickets", s.l.T("bo.tickets.title"), v)
}

// ticketAction is a lifecycle button of the ticket page, with the fields its event needs.
type ticketAction struct {
	Event, Label string
	// Reason asks for a reason, which the Desk requires; Stars for a rating.
	Reason, Stars bool
}

// messageLine is one message of the ticket page.
type messageLine struct {
	Author   string
	Body     string
	Internal bool
	At       time.Time
}

// historyLine is one entry of the ticket's history.
type historyLine struct {
	At                time.Time
	Who, What, Reason string
}

type ticketView struct {
	Ticket *ticket.Ticket
	Ref    string
	// The facts, in words.
	State, Status, Priority, Team, Assignee, Customer, Device string
	History                                                   []historyLine
	Messages                                                  []messageLine
	Files                                                     []*ticket.Attachment
	// MoreHistory and MoreMessages link to the following pages; empty on the last.
	MoreHistory, MoreMessages string
	Problem                   string
	// What the person may do.
	Actions          []ticketAction
	CanPost          bool
	CanInternal      bool
	Canned           []option
	CannedID, Body   string
	CanAssign        bool
	Assignees, Teams []option
	CanStatus        bool
	Statuses         []option
	CanPriority      bool
	Priorities       []option
	Stars            []int
}

// ticketID reads the {id} of a ticket route; a malformed one is not found.
func ticketID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return uuid.Nil, fmt.Errorf("backoffice: ticket %q: %w", r.PathValue("id"), storage.ErrNotFound)
	}
	return id, nil
}

// ticketPage shows a ticket.
func (h *Handler) ticketPage(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := ticketID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	h.renderTicket(w, r, s, id, http.StatusOK, "")
}

// renderTicket writes the page of ticket id with status and a problem to show; a ticket the
// person may not see is not found.
func (h *Handler) renderTicket(w http.ResponseWriter, r *http.Request, s *session, id uuid.UUID, status int, problem string) {
	ctx, q, l := r.Context(), r.URL.Query(), s.l
	t, err := h.desk.Ticket(ctx, s.actor, id)
	if err != nil {
		h.pages.Error(w, r, l, err)
		return
	}
	lk, err := h.lookupFor(ctx, s, false) // the page names its own customer (below)
	if err != nil {
		h.pages.Error(w, r, l, err)
		return
	}
	base := "/tickets/" + t.ID.String()
	v := ticketView{Ticket: t, Ref: t.Ref(), Problem: problem, Stars: []int{5, 4, 3, 2, 1},
		State: l.T("bo.state." + string(t.State)), Status: lk.status(t.StatusID), Priority: lk.priority(t.PriorityID),
		Team: lk.team(t.TeamID), Assignee: lk.user(ctx, h.desk, s.actor, t.AssigneeID)}
	if t.CustomerID != uuid.Nil {
		if c, err := h.desk.Customer(ctx, s.actor, t.CustomerID); err == nil {
			v.Customer = c.Name
		}
	}
	if t.DeviceID != uuid.Nil {
		if d, err := h.desk.Device(ctx, s.actor, t.DeviceID); err == nil {
			v.Device = d.Name
		}
	}
	hist, err := h.desk.History(ctx, s.actor, t.ID, storage.PageRequest{Limit: 50, After: q.Get("history")})
	if err != nil {
		h.pages.Error(w, r, l, err)
		return
	}
	for _, e := range hist.Items {
		v.History = append(v.History, describe(l, e))
	}
	if hist.Next != "" {
		v.MoreHistory = base + "?" + url.Values{"history": {hist.Next}}.Encode() + "#history"
	}
	msgs, err := h.desk.Messages(ctx, s.actor, t.ID, storage.PageRequest{Limit: 50, After: q.Get("messages")})
	if err != nil {
		h.pages.Error(w, r, l, err)
		return
	}
	for _, m := range msgs.Items {
		v.Messages = append(v.Messages, messageLine{Author: m.Author.Name, Body: m.Body, Internal: m.Visibility == ticket.Internal, At: m.CreatedAt})
	}
	if msgs.Next != "" {
		v.MoreMessages = base + "?" + url.Values{"messages": {msgs.Next}}.Encode() + "#messages"
	}
	files, err := h.desk.Attachments(ctx, s.actor, t.ID, storage.PageRequest{Limit: storage.MaxPageSize})
	if err != nil {
		h.pages.Error(w, r, l, err)
		return
	}
	v.Files = files.Items
	h.allowed(ctx, s, t, lk, &v)
	if c := q.Get("canned"); c != "" && v.Canned != nil {
		v.CannedID = c
		out, err := h.desk.RenderCannedResponse(ctx, s.actor, parseID(c), t.ID)
		if err != nil {
			status, v.Problem = h.problem(r, l, err)
		} else {
			v.Body = out.Body
		}
	}
	if r.Method == http.MethodPost {
		v.Body = r.FormValue("body") // a refused message is kept for another try
	}
	// The page's own path, not the path a refused form posted to, for the language switcher.
	h.pages.Render(w, r, status, "ticket", web.Page{L: l, Title: t.Ref() + " · " + t.Title, Path: base, Brand: s.brand, Nav: s.nav, Data: v})
}

// may reports whether the policy lets the person perform act on t.
func may(s *session, act tenant.Action, t *ticket.Ticket) bool {
	r := t.Resource()
	return tenant.Authorize(s.actor, act, &r) == nil
}

// allowed fills in what the person may do on t: the lifecycle events the machine allows from
// its state and the policy lets them fire, the message form, assigning, the status and the
// priority.
func (h *Handler) allowed(ctx context.Context, s *session, t *ticket.Ticket, lk *lookups, v *ticketView) {
	staff := s.actor.Kind == tenant.ActorEmployee
	for _, ev := range ticket.TicketLifecycle().Events(t.State) {
		if ev == ticket.EventAssign || !may(s, tenant.TicketEvent(string(ev)), t) {
			continue // assigning has its own form
		}
		if ev == ticket.EventAccept && s.actor.Role == tenant.RoleAgent && !h.offered(ctx, s, t.ID) {
			continue // an agent takes on only what is offered to them
		}
		v.Actions = append(v.Actions, ticketAction{Event: string(ev), Label: s.l.T("bo.event." + string(ev)),
			Reason: ev == ticket.EventReject || staff && (ev == ticket.EventClose || ev == ticket.EventCancel),
			Stars:  ev == ticket.EventRate})
	}
	// Requesters cannot post on a closed or cancelled ticket; staff can.
	v.CanPost = may(s, tenant.ActMessagePost, t) && (staff || !t.State.Terminal())
	v.CanInternal = v.CanPost && may(s, tenant.ActMessageIntern, t)
	if v.CanPost && may(s, tenant.ActCannedUse, t) {
		if canned, err := h.desk.CannedResponses(ctx, s.actor, ""); err == nil {
			v.Canned = []option{}
			for _, c := range canned {
				v.Canned = append(v.Canned, option{c.ID.String(), c.Title + " (" + c.Language + ")"})
			}
		}
	}
	if t.State.Active() && may(s, tenant.TicketEvent(string(ticket.EventAssign)), t) {
		v.CanAssign = true
		for _, u := range lk.employees {
			v.Assignees = append(v.Assignees, option{u.ID.String(), u.Name})
		}
		for _, tm := range lk.teams {
			v.Teams = append(v.Teams, option{tm.ID.String(), tm.Name})
		}
	}
	if may(s, tenant.ActTicketStatus, t) {
		for _, st := range lk.statuses {
			if st.State == t.State && !st.Retired {
				v.Statuses = append(v.Statuses, option{st.ID.String(), st.Name})
			}
		}
		v.CanStatus = len(v.Statuses) > 0
	}
	if may(s, tenant.ActTicketEdit, t) {
		for _, p := range lk.priorities {
			if !p.Retired {
				v.Priorities = append(v.Priorities, option{p.ID.String(), p.Name})
			}
		}
		v.CanPriority = len(v.Priorities) > 0
	}
}

// offered reports whether ticket id has an open offer to the person.
func (h *Handler) offered(ctx context.Context, s *session, id uuid.UUID) bool {
	offers, err := h.desk.Offers(ctx, s.actor, id, storage.PageRequest{Limit: storage.MaxPageSize})
	if err != nil {
		return false
	}
	return slices.ContainsFunc(offers.Items, func(o *ticket.Offer) bool {
		return o.UserID == s.actor.UserID && o.State == ticket.OfferOpen
	})
}

// describe says in the reader's words what a history entry changed.
func describe(l *web.Lang, e *ticket.HistoryEntry) historyLine {
	line := historyLine{At: e.At, Who: e.Actor.Name, Reason: e.Reason}
	switch {
	case e.Actor.Kind == tenant.ActorSystem:
		line.Who = l.T("layout.service")
	case line.Who == "":
		line.Who = l.T("bo.ticket.requester")
	}
	switch {
	case !strings.HasPrefix(e.Action, "session.") && e.To != "" && e.From != e.To && slices.Contains(ticket.States(), ticket.State(e.To)):
		line.What = l.T("bo.history.state", "State", l.T("bo.state."+e.To))
	case e.Action == "message" || e.Action == "media":
		line.What = l.T("history." + e.Action)
	default:
		line.What = l.T("history.change")
	}
	return line
}

// problem words a refused change for the ticket page: the status of its kind and a sentence
// that never shows an internal error's text (those are logged).
func (h *Handler) problem(r *http.Request, l *web.Lang, err error) (int, string) {
	kind := helpdesk.KindOf(err)
	if kind == helpdesk.KindInternal {
		h.cfg.Logger.ErrorContext(r.Context(), "ticket change failed", "route", r.Pattern, "err", err)
	}
	var ve *helpdesk.ValidationError
	if errors.As(err, &ve) && ve.Field == "reason" {
		return web.Status(kind), l.T("bo.ticket.problem.reason")
	}
	if errors.Is(err, ticket.ErrInvalidTransition) {
		return web.Status(kind), l.T("bo.ticket.problem.state")
	}
	if errors.Is(err, helpdesk.ErrNoOpenOffer) {
		return web.Status(kind), l.T("bo.offer.gone")
	}
	return web.Status(kind), l.T("error." + string(kind))
}

// done ends a change to ticket id: back to its page (303), or the page with the refusal.
func (h *Handler) done(w http.ResponseWriter, r *http.Request, s *session, id uuid.UUID, err error) {
	if err != nil {
		status, problem := h.problem(r, s.l, err)
		h.renderTicket(w, r, s, id, status, problem)
		return
	}
	http.Redirect(w, r, "/tickets/"+id.String(), http.StatusSeeOther)
}

// maxMessageBytes bounds a posted message with its files.
const maxMessageBytes = 64 << 20

// ticketMessage posts a message, internal when staff ask for it, with its files.
func (h *Handler) ticketMessage(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := ticketID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxMessageBytes)
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		h.done(w, r, s, id, fmt.Errorf("backoffice: message form: %w", helpdesk.ErrInvalid))
		return
	}
	in := helpdesk.NewMessage{Body: r.FormValue("body"), Internal: r.FormValue("internal") != ""}
	var files []io.Closer
	defer func() {
		for _, f := range files {
			_ = f.Close()
		}
	}()
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["files"] {
			if fh.Size == 0 {
				continue
			}
			f, err := fh.Open()
			if err != nil {
				h.done(w, r, s, id, err)
				return
			}
			files = append(files, f)
			in.Attachments = append(in.Attachments, helpdesk.Upload{Name: fh.Filename, Body: f})
		}
	}
	_, err = h.desk.PostMessage(r.Context(), s.actor, id, in)
	h.done(w, r, s, id, err)
}

// ticketEvent fires a lifecycle event, with the reason or the rating it needs.
func (h *Handler) ticketEvent(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := ticketID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	stars, _ := strconv.Atoi(r.PostFormValue("stars"))
	_, err = h.desk.Transition(r.Context(), s.actor, id, ticket.Event(r.PathValue("event")),
		helpdesk.Change{Reason: strings.TrimSpace(r.PostFormValue("reason")), Stars: stars, Comment: r.PostFormValue("comment")})
	h.done(w, r, s, id, err)
}

// ticketAssign gives the ticket to an agent and/or a team.
func (h *Handler) ticketAssign(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := ticketID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	_, err = h.desk.Assign(r.Context(), s.actor, id, helpdesk.Assignment{AssigneeID: parseID(r.PostFormValue("assignee")),
		TeamID: parseID(r.PostFormValue("team")), Reason: strings.TrimSpace(r.PostFormValue("reason"))})
	h.done(w, r, s, id, err)
}

// ticketStatus sets the ticket's custom status.
func (h *Handler) ticketStatus(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := ticketID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	_, err = h.desk.SetStatus(r.Context(), s.actor, id, parseID(r.PostFormValue("status")))
	h.done(w, r, s, id, err)
}

// ticketPriority sets the ticket's priority.
func (h *Handler) ticketPriority(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := ticketID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	p := parseID(r.PostFormValue("priority"))
	_, err = h.desk.EditTicket(r.Context(), s.actor, id, helpdesk.TicketEdit{PriorityID: &p})
	h.done(w, r, s, id, err)
}

// ticketFile sends a file of the ticket, under a policy that forbids scripts, with a
// Content-Disposition that keeps the browser from running it: pictures and videos inline,
// everything else downloaded. A file of another ticket is not found here.
func (h *Handler) ticketFile(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := ticketID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	if _, err := h.desk.Ticket(r.Context(), s.actor, id); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	fileID, err := uuid.Parse(r.PathValue("fileID"))
	if err != nil {
		h.pages.Error(w, r, s.l, fmt.Errorf("backoffice: file: %w", storage.ErrNotFound))
		return
	}
	a, rc, err := h.desk.OpenAttachment(r.Context(), s.actor, fileID)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	defer rc.Close()
	if a.TicketID != id {
		h.pages.Error(w, r, s.l, fmt.Errorf("backoffice: file of another ticket: %w", storage.ErrNotFound))
		return
	}
	hd := w.Header()
	ct := a.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	hd.Set("Content-Type", ct)
	hd.Set("Content-Disposition", helpdesk.ContentDisposition(a, true))
	hd.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; media-src 'self'")
	hd.Set("Cache-Control", "private, no-store")
	_, _ = io.Copy(w, rc)
}

// ticketRoutes are the Tickets module's routes.
func (h *Handler) ticketRoutes() []route {
	return []route{
		{"GET /tickets", h.signedIn(h.tickets)},
		{"GET /tickets/{id}", h.signedIn(h.ticketPage)},
		{"GET /tickets/{id}/files/{fileID}", h.signedIn(h.ticketFile)},
		{"POST /tickets/{id}/messages", h.signedIn(h.ticketMessage)},
		{"POST /tickets/{id}/events/{event}", h.signedIn(h.ticketEvent)},
		{"POST /tickets/{id}/assign", h.signedIn(h.ticketAssign)},
		{"POST /tickets/{id}/status", h.signedIn(h.ticketStatus)},
		{"POST /tickets/{id}/priority", h.signedIn(h.ticketPriority)},
	}
}
