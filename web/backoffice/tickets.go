package backoffice

import (
	"context"
	"errors"
	"fmt"
	"html"
	"html/template"
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
	State, Priority, Assignee, Team, Customer, Device, Project, Text string
}

// query returns the filters as URL parameters, without the empty ones.
func (f ticketFilters) query() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"state": f.State, "priority": f.Priority, "assignee": f.Assignee,
		"team": f.Team, "customer": f.Customer, "device": f.Device, "project": f.Project, "q": f.Text} {
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
	// Pick offers the row's checkbox for the bulk actions; Picked keeps it ticked.
	Pick, Picked bool
}

type ticketsView struct {
	Filters ticketFilters
	// Staff says the person is an employee: the filters by assignee, team and customer.
	Staff                                           bool
	States, Priorities, Assignees, Teams, Customers choiceList
	Devices, Projects                               choiceList
	Rows                                            []ticketRow
	// Next is the link to the following page, with the filters; empty on the last.
	Next string
	// Filtered says a filter is set, for the link that clears them.
	Filtered bool
	// Query is the list's own query (filters and page), which the bulk form returns to.
	Query string
	// BulkAssign and BulkClose offer the bulk actions on the rows the person may change.
	BulkAssign, BulkClose bool
	// Bulk is the report of a bulk action; BulkProblem a bulk form that could not run.
	Bulk        *bulkReport
	BulkProblem string
}

// choice is an option of a filter's select, marked when the filter holds its value: the
// template tests a field instead of calling eq on each of a big tenant's hundreds of options.
type choice struct {
	Value, Label string
	Selected     bool
}

// choiceList is a filter's options.
type choiceList []choice

// Options writes the list as <option> elements, the chosen one selected: a big tenant's
// hundreds of customers or devices cost a template range, with its escaping contexts, many
// times more than this loop.
func (cs choiceList) Options() template.HTML {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(`<option value="`)
		b.WriteString(html.EscapeString(c.Value))
		if c.Selected {
			b.WriteString(`" selected>`)
		} else {
			b.WriteString(`">`)
		}
		b.WriteString(html.EscapeString(c.Label))
		b.WriteString("</option>")
	}
	return template.HTML(b.String()) // every value and label escaped above
}

// choices marks among opts the one whose value is current.
func choices(opts []option, current string) choiceList {
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
	q := r.URL.Query()
	h.renderTickets(w, r, s, q, http.StatusOK, nil)
}

// renderTickets writes the tickets list for query q, with a bulk action's report or problem
// (in v) when there is one.
func (h *Handler) renderTickets(w http.ResponseWriter, r *http.Request, s *session, q url.Values, status int, fill func(*ticketsView)) {
	ctx := r.Context()
	fl := ticketFilters{State: q.Get("state"), Priority: q.Get("priority"), Assignee: q.Get("assignee"),
		Team: q.Get("team"), Customer: q.Get("customer"), Device: q.Get("device"), Project: q.Get("project"), Text: strings.TrimSpace(q.Get("q"))}
	v := ticketsView{Filters: fl, Staff: s.actor.Kind == tenant.ActorEmployee}
	own := fl.query()
	if a := q.Get("after"); a != "" {
		own.Set("after", a)
	}
	v.Query = own.Encode()
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
		f.TeamID, f.CustomerID, f.ProjectID = parseID(fl.Team), parseID(fl.Customer), parseID(fl.Project)
	}
	f.DeviceID = parseID(fl.Device)
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
		if projects, err := h.desk.Projects(ctx, s.actor); err == nil {
			var opts []option
			for _, p := range projects {
				opts = append(opts, option{p.ID.String(), p.Name})
			}
			v.Projects = choices(opts, fl.Project)
		}
	}
	v.Devices = choices(h.deviceFilterOptions(ctx, s, f.DeviceID), fl.Device)
	picked := map[string]bool{}
	for _, id := range q["ticket"] {
		picked[id] = true
	}
	v.States, v.Priorities, v.Assignees = choices(states, fl.State), choices(priorities, fl.Priority), choices(assignees, fl.Assignee)
	v.Teams, v.Customers = choices(teams, fl.Team), choices(customers, fl.Customer)
	for _, t := range page.Items {
		row := ticketRow{ID: t.ID, Ref: t.Ref(), Title: t.Title, State: s.l.T("bo.state." + string(t.State)),
			Priority: lk.priority(t.PriorityID), Assignee: lk.user(ctx, h.desk, s.actor, t.AssigneeID), Updated: t.UpdatedAt}
		if v.Staff {
			assign := t.State.Active() && may(s, tenant.TicketEvent(string(ticket.EventAssign)), t)
			closing := ticket.TicketLifecycle().Can(t.State, ticket.EventClose) && may(s, tenant.TicketEvent(string(ticket.EventClose)), t)
			v.BulkAssign, v.BulkClose = v.BulkAssign || assign, v.BulkClose || closing
			row.Pick, row.Picked = assign || closing, picked[t.ID.String()]
		}
		v.Rows = append(v.Rows, row)
	}
	if n, err := strconv.Atoi(q.Get("done")); err == nil && n > 0 {
		v.Bulk = &bulkReport{Done: n}
	}
	if fill != nil {
		fill(&v)
	}
	params := fl.query()
	v.Filtered = len(params) > 0
	if page.Next != "" {
		params.Set("after", page.Next)
		v.Next = "/tickets?" + params.Encode()
	}
	// The list's own path, not the bulk form's, for the language switcher.
	h.pages.Render(w, r, status, "tickets", s.page(web.Page{L: s.l, Title: s.l.T("bo.tickets.title"), Path: "/tickets", Data: v}))
}

// deviceFilterOptions lists the devices the person may filter by (the first page of those they may
// list, and the one filtered by); none when they may list none.
func (h *Handler) deviceFilterOptions(ctx context.Context, s *session, current uuid.UUID) []option {
	devs, err := h.desk.Devices(ctx, s.actor, storage.DeviceFilter{}, storage.PageRequest{Limit: storage.MaxPageSize})
	if err != nil {
		return nil
	}
	var out []option
	seen := false
	for _, d := range devs.Items {
		out = append(out, option{d.ID.String(), d.Name})
		seen = seen || d.ID == current
	}
	if current != uuid.Nil && !seen {
		if d, err := h.desk.Device(ctx, s.actor, current); err == nil {
			out = append(out, option{d.ID.String(), d.Name})
		}
	}
	return out
}

// maxBulk bounds how many tickets one bulk action changes: a page of the list.
const maxBulk = ticketsPageSize

// bulkFailure is a ticket a bulk action could not change, and why.
type bulkFailure struct {
	ID              uuid.UUID
	Ref, Title, Why string
}

// bulkReport says how a bulk action went: how many tickets changed, which did not and why.
type bulkReport struct {
	Done   int
	Failed []bulkFailure
}

// ticketsBulk assigns or closes the ticked tickets of the list (action "assign" with assignee
// and/or team, or "close" with a reason), each through the Desk on its own. When all changed it
// leads back to the list (its query comes in "back") saying how many; otherwise it shows the
// list with how many changed, and which did not and why: 200 when some changed, else the
// status of the first refusal.
func (h *Handler) ticketsBulk(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		h.pages.Error(w, r, s.l, fmt.Errorf("backoffice: bulk form: %w", helpdesk.ErrInvalid))
		return
	}
	back, _ := url.ParseQuery(r.PostForm.Get("back"))
	if back == nil {
		back = url.Values{}
	}
	action := r.PostForm.Get("action")
	var ids []uuid.UUID
	for _, v := range r.PostForm["ticket"] {
		if id := parseID(v); id != uuid.Nil && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	problem := ""
	switch {
	case action != "assign" && action != "close":
		problem = s.l.T("bo.tickets.bulk.problem.action")
	case len(ids) == 0:
		problem = s.l.T("bo.tickets.bulk.problem.none")
	case len(ids) > maxBulk:
		problem = s.l.T("bo.tickets.bulk.problem.many", "Max", maxBulk)
	case action == "assign" && parseID(r.PostForm.Get("assignee")) == uuid.Nil && parseID(r.PostForm.Get("team")) == uuid.Nil:
		problem = s.l.T("bo.tickets.bulk.problem.assign")
	case action == "close" && strings.TrimSpace(r.PostForm.Get("reason")) == "":
		problem = s.l.T("bo.ticket.problem.reason")
	}
	if problem != "" {
		for _, id := range ids {
			back.Add("ticket", id.String())
		}
		h.renderTickets(w, r, s, back, http.StatusUnprocessableEntity, func(v *ticketsView) { v.BulkProblem = problem })
		return
	}
	rep, status := &bulkReport{}, 0
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	for _, id := range ids {
		var err error
		if action == "assign" {
			_, err = h.desk.Assign(ctx, s.actor, id, helpdesk.Assignment{AssigneeID: parseID(r.PostForm.Get("assignee")),
				TeamID: parseID(r.PostForm.Get("team")), Reason: reason})
		} else {
			_, err = h.desk.Transition(ctx, s.actor, id, ticket.EventClose, helpdesk.Change{Reason: reason})
		}
		if err == nil {
			rep.Done++
			continue
		}
		f := bulkFailure{ID: id, Ref: id.String()}
		if t, terr := h.desk.Ticket(ctx, s.actor, id); terr == nil {
			f.Ref, f.Title = t.Ref(), t.Title
		} else {
			f.ID = uuid.Nil // not the person's to see: no link
		}
		var st int
		st, f.Why = h.problem(r, s.l, err)
		if status == 0 {
			status = st
		}
		rep.Failed = append(rep.Failed, f)
	}
	if len(rep.Failed) == 0 {
		back.Set("done", strconv.Itoa(rep.Done))
		http.Redirect(w, r, "/tickets?"+back.Encode(), http.StatusSeeOther)
		return
	}
	if rep.Done > 0 {
		status = http.StatusOK // some changed: the report is the answer
	}
	h.renderTickets(w, r, s, back, status, func(v *ticketsView) { v.Bulk = rep })
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
	// Sessions are the ticket's video sessions; NewSession the form that starts one.
	Sessions   []sessionLine
	NewSession sessionForm
	// Edit is the edit form, when the person may edit the ticket.
	Edit *ticketEdit
}

// ticketEdit is the ticket page's edit form: the ticket's fields, or a refused edit's input.
type ticketEdit struct {
	Title, Description, Priority string
	// Version is the ticket's version the form edits: a ticket changed since is not edited.
	Version int64
	// Problem says what was wrong with a refused edit, Field which field it was about; Stale
	// that the ticket changed since the form was shown (the page shows it as it is now, the
	// form keeps the person's input, and saving again overwrites knowingly).
	Problem, Field string
	Stale          bool
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
	h.renderTicketWith(w, r, s, id, status, problem, nil)
}

// renderTicketWith is renderTicket with a last say on the page's data: a refused form puts
// back its input.
func (h *Handler) renderTicketWith(w http.ResponseWriter, r *http.Request, s *session, id uuid.UUID, status int, problem string, refill func(*ticketView)) {
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
	if v.Sessions, v.NewSession, err = h.ticketSessions(ctx, s, t, lk); err != nil {
		h.pages.Error(w, r, l, err)
		return
	}
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
	if refill != nil {
		refill(&v)
	}
	// The page's own path, not the path a refused form posted to, for the language switcher.
	h.pages.Render(w, r, status, "ticket", s.page(web.Page{L: l, Title: t.Ref() + " · " + t.Title, Path: base, Data: v}, "sessions.js"))
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
		v.Edit = &ticketEdit{Title: t.Title, Description: t.Description, Priority: t.PriorityID.String(), Version: t.Version}
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

// ticketEditPost edits the ticket's title, description and priority, made on the version the
// form was shown with. A refused edit shows the page again with the person's input: with the
// problem beside its field (422), or, when the ticket changed meanwhile, with the ticket as it
// is now and the input to save again (409).
func (h *Handler) ticketEditPost(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := ticketID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	title, desc, prio := r.PostFormValue("title"), r.PostFormValue("description"), r.PostFormValue("priority")
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	e := helpdesk.TicketEdit{Title: &title, Description: &desc, Version: max(version, 1)}
	if p := parseID(prio); p != uuid.Nil {
		e.PriorityID = &p
	}
	_, err = h.desk.EditTicket(r.Context(), s.actor, id, e)
	var ve *helpdesk.ValidationError
	stale := helpdesk.KindOf(err) == helpdesk.KindConflict
	if err == nil || !stale && !errors.As(err, &ve) {
		h.done(w, r, s, id, err)
		return
	}
	status := web.Status(helpdesk.KindOf(err))
	h.renderTicketWith(w, r, s, id, status, "", func(v *ticketView) {
		if v.Edit == nil {
			return
		}
		v.Edit.Title, v.Edit.Description, v.Edit.Priority = title, desc, prio
		if stale {
			// The form now edits the version on the page: saving again overwrites it knowingly.
			v.Edit.Stale, v.Edit.Problem = true, s.l.T("bo.tickets.edit.stale")
			return
		}
		v.Edit.Version = version
		v.Edit.Field, v.Edit.Problem = ve.Field, s.l.T("error.invalid")
		if ve.Field == "title" || ve.Field == "description" {
			v.Edit.Problem = s.l.T("bo.tickets.edit.problem." + ve.Field)
		}
	})
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

// ticketRoutes are the Tickets module's routes (New's list has the first ones), and:
//
//	GET  /tickets                        also filtered by device and project; done=N says
//	                                     that a bulk action changed N tickets
//	POST /tickets/bulk                   assigns (action "assign", assignee and/or team) or
//	                                     closes (action "close", reason) the ticked tickets
//	                                     (ticket, repeated), each through the Desk, and reports
//	                                     which did not change and why; back is the list's query
//	POST /tickets/{id}/edit              edits title, description and priority, made on the
//	                                     ticket's version (version): a stale edit is told and
//	                                     shown again with the input
func (h *Handler) ticketRoutes() []route {
	return []route{
		{"GET /tickets", h.signedIn(h.tickets)},
		{"POST /tickets/bulk", h.signedIn(h.ticketsBulk)},
		{"GET /tickets/{id}", h.signedIn(h.ticketPage)},
		{"GET /tickets/{id}/files/{fileID}", h.signedIn(h.ticketFile)},
		{"POST /tickets/{id}/messages", h.signedIn(h.ticketMessage)},
		{"POST /tickets/{id}/events/{event}", h.signedIn(h.ticketEvent)},
		{"POST /tickets/{id}/assign", h.signedIn(h.ticketAssign)},
		{"POST /tickets/{id}/status", h.signedIn(h.ticketStatus)},
		{"POST /tickets/{id}/priority", h.signedIn(h.ticketPriority)},
		{"POST /tickets/{id}/edit", h.signedIn(h.ticketEditPost)},
	}
}
