package backoffice_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// world is a site with people of every role, two customers with their users and tickets,
// and a second tenant with a ticket of its own.
type world struct {
	*site
	actors  map[string]tenant.Actor
	clients map[string]*http.Client
	// tickets by name: "x" opened by Xavier (customer_user of X), "xa" by Xena (X's
	// customer_admin), "y" by Yves (customer_user of Y), "other" in the second tenant, and
	// more to change.
	tickets   map[string]*ticket.Ticket
	x, y      *tenant.Customer
	canned    uuid.UUID
	file      *ticket.Attachment // a public file of "x"
	intFile   *ticket.Attachment // an internal one of "x"
	yFile     *ticket.Attachment // a file of "y"
	otherFile *ticket.Attachment // a file of "other"
	// admin2 is the second tenant's admin, to make what the isolation cases need there.
	admin2 tenant.Actor
}

const pw = "World-pass-1"

func newWorld(t *testing.T) *world {
	t.Helper()
	st := newSite(t)
	ctx := t.Context()
	w := &world{site: st, actors: map[string]tenant.Actor{"admin": st.admin}, clients: map[string]*http.Client{},
		tickets: map[string]*ticket.Ticket{}}
	var err error
	w.x, err = st.desk.CreateCustomer(ctx, st.admin, helpdesk.NewCustomer{Name: "Xylo Works"})
	require.NoError(t, err)
	w.y, err = st.desk.CreateCustomer(ctx, st.admin, helpdesk.NewCustomer{Name: "Yarrow Labs"})
	require.NoError(t, err)
	people := []struct {
		name string
		role tenant.Role
		cust *tenant.Customer
	}{{"moderator", tenant.RoleModerator, nil}, {"supervisor", tenant.RoleSupervisor, nil}, {"agent", tenant.RoleAgent, nil}, {"agent2", tenant.RoleAgent, nil},
		{"customer_user", tenant.RoleCustomerUser, w.x}, {"customer_admin", tenant.RoleCustomerAdmin, w.x},
		{"customer_user_y", tenant.RoleCustomerUser, w.y}}
	for _, p := range people {
		nu := helpdesk.NewUser{Email: p.name + "@acme.example", Name: "Name of " + p.name, Role: p.role, Password: pw}
		if p.cust != nil {
			nu.CustomerID = p.cust.ID
		}
		u, _, err := st.desk.CreateUser(ctx, st.admin, nu)
		require.NoError(t, err, p.name)
		if p.cust != nil {
			w.actors[p.name] = tenant.CustomerUser(st.tenant.ID, p.cust.ID, u.ID, p.role, u.Name)
		} else {
			w.actors[p.name] = tenant.Employee(st.tenant.ID, u.ID, p.role, u.Name)
		}
	}
	// The default group: the supervisor leads it, the first agent is in it (offers reach them).
	ten, err := st.desk.Tenant(ctx, st.admin)
	require.NoError(t, err)
	teams, err := st.desk.Teams(ctx, st.admin)
	require.NoError(t, err)
	for _, tm := range teams {
		if tm.ID == ten.DefaultTeamID {
			tm.Members = []uuid.UUID{w.actors["agent"].UserID}
			tm.SupervisorID = w.actors["supervisor"].UserID
			_, err = st.desk.UpdateTeam(ctx, st.admin, tm)
			require.NoError(t, err)
		}
	}
	submit := func(name, by, title string) {
		tk, err := st.desk.SubmitTicket(ctx, w.actors[by], helpdesk.NewTicket{Title: title, Description: "About " + title,
			Requester: ticket.Contact{Name: "Req " + name, Email: name + "@req.example"}})
		require.NoError(t, err, name)
		w.tickets[name] = tk.Ticket
	}
	submit("x", "customer_user", "Xylo pump alarms")
	submit("xa", "customer_admin", "Xylo boiler leaks")
	submit("y", "customer_user_y", "Yarrow fridge warm")
	for _, n := range []string{"reject", "assign", "status", "priority", "message", "accept", "cancel"} {
		submit(n, "admin", "Case to "+n)
	}
	post := func(tk string, by tenant.Actor, body string, internal bool) *ticket.Attachment {
		_, err := st.desk.PostMessage(ctx, by, w.tickets[tk].ID, helpdesk.NewMessage{Body: body, Internal: internal,
			Attachments: []helpdesk.Upload{{Name: strings.ReplaceAll(body, " ", "-") + ".txt", Body: strings.NewReader("content of " + body)}}})
		require.NoError(t, err)
		files, err := st.desk.Attachments(ctx, by, w.tickets[tk].ID, storage.PageRequest{})
		require.NoError(t, err)
		return files.Items[len(files.Items)-1]
	}
	w.file = post("x", st.admin, "public reply", false)
	w.intFile = post("x", st.admin, "internal note", true)
	w.yFile = post("y", st.admin, "reply to Y", false)
	c, err := st.desk.CreateCannedResponse(ctx, st.admin, helpdesk.NewCannedResponse{Language: "en", Title: "Type plate",
		Body: "Hello {{.recipient_name}}, about {{.ticket_ref}}: see {{.ticket_link}}"})
	require.NoError(t, err)
	w.canned = c.ID

	// A second tenant with its own admin and ticket.
	op2, err := st.desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Other Service", Language: "en"})
	require.NoError(t, err)
	u2, _, err := st.desk.CreateUser(ctx, tenant.SystemFor(op2.ID), helpdesk.NewUser{Email: "ola@other.example", Name: "Ola", Role: tenant.RoleAdmin, Password: pw})
	require.NoError(t, err)
	admin2 := tenant.Employee(op2.ID, u2.ID, tenant.RoleAdmin, u2.Name)
	tk, err := st.desk.SubmitTicket(ctx, admin2, helpdesk.NewTicket{Title: "Other tenant's case", Requester: ticket.Contact{Name: "O", Email: "o@req.example"}})
	require.NoError(t, err)
	w.tickets["other"] = tk.Ticket
	w.admin2 = admin2
	_, err = st.desk.PostMessage(ctx, admin2, tk.ID, helpdesk.NewMessage{Body: "other file",
		Attachments: []helpdesk.Upload{{Name: "o.txt", Body: strings.NewReader("other content")}}})
	require.NoError(t, err)
	of, err := st.desk.Attachments(ctx, admin2, tk.ID, storage.PageRequest{})
	require.NoError(t, err)
	w.otherFile = of.Items[0]
	return w
}

// client returns a signed-in browser for a person of the world ("" signed out).
func (w *world) client(t *testing.T, who string) *http.Client {
	t.Helper()
	if c, ok := w.clients[who]; ok {
		return c
	}
	c := w.browser()
	if who != "" {
		email := who + "@acme.example"
		p := pw
		if who == "admin" {
			email, p = "ada@acme.example", password
		}
		require.Equal(t, http.StatusSeeOther, w.signIn(t, c, email, p).StatusCode, who)
	}
	w.clients[who] = c
	return c
}

// expand replaces {name} with the ID of ticket name, {canned}, {file}, {intfile}, {yfile}.
func (w *world) expand(s string) string {
	for n, tk := range w.tickets {
		s = strings.ReplaceAll(s, "{"+n+"}", tk.ID.String())
	}
	return strings.NewReplacer("{canned}", w.canned.String(), "{file}", w.file.ID.String(),
		"{intfile}", w.intFile.ID.String(), "{yfile}", w.yFile.ID.String(), "{otherfile}", w.otherFile.ID.String()).Replace(s)
}

func (w *world) ticket(t *testing.T, name string) *ticket.Ticket {
	t.Helper()
	tk, err := w.desk.Ticket(t.Context(), w.admin, w.tickets[name].ID)
	require.NoError(t, err)
	return tk
}

// scenario is one request to the back office and what it must answer and change.
type scenario struct {
	name, who, method, path string
	form                    url.Values
	status                  int
	contains, absent        []string
	check                   func(t *testing.T, w *world)
}

func (w *world) run(t *testing.T, cases []scenario) {
	for _, sc := range cases {
		t.Run(sc.name, func(t *testing.T) {
			res, body := do(t, w.client(t, sc.who), sc.method, w.srv.URL+w.expand(sc.path), sc.form)
			require.Equal(t, sc.status, res.StatusCode, body)
			for _, s := range sc.contains {
				assert.Contains(t, body, w.expand(s))
			}
			for _, s := range sc.absent {
				assert.NotContains(t, body, w.expand(s))
			}
			if sc.check != nil {
				sc.check(t, w)
			}
		})
	}
}

func TestTicketsList(t *testing.T) {
	w := newWorld(t)
	w.run(t, []scenario{
		{name: "signed out: to the sign-in form", method: "GET", path: "/tickets?state=open", status: http.StatusSeeOther},
		{name: "admin sees every ticket of the tenant", who: "admin", method: "GET", path: "/tickets", status: 200,
			contains: []string{"Xylo pump alarms", "Yarrow fridge warm", `href="/tickets/{x}"`, "T-000001", "Open", "Normal", "UTC", `name="assignee"`, `name="customer"`},
			absent:   []string{"Other tenant", "[bo."}},
		{name: "a customer filter", who: "admin", method: "GET", path: "/tickets?customer=" + w.y.ID.String(), status: 200,
			contains: []string{"Yarrow fridge warm", `value="` + w.y.ID.String() + `" selected`, "Clear the filters"}, absent: []string{"Xylo pump alarms"}},
		{name: "a text filter", who: "supervisor", method: "GET", path: "/tickets?q=boiler", status: 200,
			contains: []string{"Xylo boiler leaks", `value="boiler"`}, absent: []string{"Xylo pump alarms"}},
		{name: "unassigned and a state", who: "agent", method: "GET", path: "/tickets?assignee=unassigned&state=open", status: 200,
			contains: []string{"Xylo pump alarms"}},
		{name: "assigned to me: none yet", who: "agent", method: "GET", path: "/tickets?assignee=me", status: 200,
			contains: []string{"No tickets match."}, absent: []string{"Xylo pump alarms"}},
		{name: "a customer's user sees their customer's", who: "customer_user", method: "GET", path: "/tickets", status: 200,
			contains: []string{"Xylo pump alarms", "Xylo boiler leaks"}, absent: []string{"Yarrow fridge warm", "Case to", `name="customer"`, `name="team"`}},
		{name: "a customer's user cannot widen the scope", who: "customer_user", method: "GET", path: "/tickets?customer=" + w.y.ID.String(), status: 200,
			absent: []string{"Yarrow fridge warm"}},
		{name: "a bad cursor", who: "admin", method: "GET", path: "/tickets?after=garbage", status: http.StatusUnprocessableEntity},
	})

	t.Run("keyset paging keeps the filters", func(t *testing.T) {
		for i := range 30 {
			_, err := w.desk.SubmitTicket(t.Context(), w.admin, helpdesk.NewTicket{Title: fmt.Sprintf("Paged case %02d", i),
				Requester: ticket.Contact{Name: "P", Email: "p@req.example"}})
			require.NoError(t, err)
		}
		c := w.client(t, "admin")
		_, body := do(t, c, "GET", w.srv.URL+"/tickets?q=Paged&state=open", nil)
		assert.Contains(t, body, "25 tickets on this page")
		m := regexp.MustCompile(`href="(/tickets\?[^"]*after=[^"]*)"`).FindStringSubmatch(body)
		require.NotNil(t, m, "a next page link")
		next, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
		require.NoError(t, err)
		assert.Equal(t, "Paged", next.Query().Get("q"))
		assert.Equal(t, "open", next.Query().Get("state"))
		_, body = do(t, c, "GET", w.srv.URL+next.String(), nil)
		assert.Contains(t, body, "5 tickets on this page")
		assert.Contains(t, body, "Paged case 00", "the oldest is on the last page")
		assert.NotContains(t, body, "Next page", "the last page has no next")
	})
}

// The Desk's ticket links, in notifications and canned responses, open the ticket page.
func TestTicketLinks(t *testing.T) {
	w := newWorld(t)
	sup := w.actors["supervisor"]
	inbox, err := w.desk.Inbox(t.Context(), sup, storage.PageRequest{})
	require.NoError(t, err)
	var link string
	for _, n := range inbox.Items {
		if strings.Contains(n.Link, w.tickets["x"].ID.String()) {
			link = n.Link
		}
	}
	require.NotEmpty(t, link, "the supervisor heard of the new ticket, with its link")
	require.Equal(t, w.srv.URL+"/tickets/"+w.tickets["x"].ID.String(), link)
	res, body := do(t, w.client(t, "supervisor"), "GET", link, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, body, "Xylo pump alarms")

	rc, err := w.desk.RenderCannedResponse(t.Context(), w.admin, w.canned, w.tickets["x"].ID)
	require.NoError(t, err)
	assert.Contains(t, rc.Body, w.srv.URL+"/tickets/"+w.tickets["x"].ID.String())
}

func TestTicketPage(t *testing.T) {
	w := newWorld(t)
	w.run(t, []scenario{
		{name: "signed out: to the sign-in form", method: "GET", path: "/tickets/{x}", status: http.StatusSeeOther},
		{name: "signed out: a change is refused", method: "POST", path: "/tickets/{x}/events/cancel", form: url.Values{"reason": {"x"}}, status: http.StatusUnauthorized},
		{name: "admin: facts, messages with the internal one marked, files, every button", who: "admin", method: "GET", path: "/tickets/{x}", status: 200,
			contains: []string{"Xylo pump alarms", "About Xylo pump alarms", "<dd>Open</dd>", "Xylo Works", "Req x", "x@req.example", "Normal",
				"public reply", "internal note", `class="tag">Internal`, `href="/tickets/{x}/files/{file}"`, `href="/tickets/{x}/files/{intfile}"`,
				`action="/tickets/{x}/events/accept"`, `action="/tickets/{x}/events/reject"`, `action="/tickets/{x}/events/cancel"`,
				`action="/tickets/{x}/assign"`, `action="/tickets/{x}/status"`, `action="/tickets/{x}/priority"`, `name="internal"`, `name="canned"`,
				"History", "Name of customer_user"},
			absent: []string{"events/start", "events/complete", "events/rate", "events/expire", "events/assign", "[bo."}},
		{name: "agent with an offer: accept, no reject, no assign", who: "agent", method: "GET", path: "/tickets/{x}", status: 200,
			contains: []string{`action="/tickets/{x}/events/accept"`, `action="/tickets/{x}/events/cancel"`, `name="internal"`},
			absent:   []string{"events/reject", `action="/tickets/{x}/assign"`}},
		{name: "agent without an offer: no accept", who: "agent2", method: "GET", path: "/tickets/{x}", status: 200,
			absent: []string{"events/accept"}},
		{name: "customer_user, own ticket: public only, cancel, no staff forms", who: "customer_user", method: "GET", path: "/tickets/{x}", status: 200,
			contains: []string{"public reply", `href="/tickets/{x}/files/{file}"`, `action="/tickets/{x}/events/cancel"`, `action="/tickets/{x}/messages"`},
			absent: []string{"internal note", "{intfile}", "events/accept", "events/reject", "/assign", "/status\"", "/priority\"", `name="internal"`, `name="canned"`,
				`name="reason" required`}},
		{name: "customer_user, a colleague's ticket: no lifecycle button", who: "customer_user", method: "GET", path: "/tickets/{xa}", status: 200,
			contains: []string{"Xylo boiler leaks", `action="/tickets/{xa}/messages"`}, absent: []string{"events/"}},
		{name: "customer_admin answers for the company", who: "customer_admin", method: "GET", path: "/tickets/{x}", status: 200,
			contains: []string{`action="/tickets/{x}/events/cancel"`}, absent: []string{"internal note"}},
		{name: "a canned response fills the message in", who: "admin", method: "GET", path: "/tickets/{x}?canned={canned}", status: 200,
			contains: []string{"Hello Name of customer_user, about T-000001: see http://", "/tickets/{x}</textarea>"}},
		{name: "a canned response is staff's", who: "customer_user", method: "GET", path: "/tickets/{x}?canned={canned}", status: 200,
			absent: []string{"Hello Name of"}},
		{name: "a file", who: "customer_user", method: "GET", path: "/tickets/{x}/files/{file}", status: 200,
			contains: []string{"content of public reply"}},
		{name: "an internal file is not found for a customer", who: "customer_user", method: "GET", path: "/tickets/{x}/files/{intfile}", status: 404},
		{name: "an internal file for staff", who: "agent", method: "GET", path: "/tickets/{x}/files/{intfile}", status: 200, contains: []string{"content of internal note"}},
		{name: "a file of another ticket under this one", who: "admin", method: "GET", path: "/tickets/{x}/files/{yfile}", status: 404},
		{name: "another tenant's file under this ticket", who: "admin", method: "GET", path: "/tickets/{x}/files/{otherfile}", status: 404},
		{name: "a malformed ID", who: "admin", method: "GET", path: "/tickets/nope", status: 404},
	})
	t.Run("the file is sandboxed", func(t *testing.T) {
		res, _ := do(t, w.client(t, "admin"), "GET", w.expand(w.srv.URL+"/tickets/{x}/files/{file}"), nil)
		assert.Contains(t, res.Header.Get("Content-Security-Policy"), "sandbox")
		assert.Equal(t, helpdesk.ContentDisposition(w.file, true), res.Header.Get("Content-Disposition"))
		assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
	})
}

func TestTicketActions(t *testing.T) {
	w := newWorld(t)
	state := func(name string, want ticket.State) func(*testing.T, *world) {
		return func(t *testing.T, w *world) { assert.Equal(t, want, w.ticket(t, name).State) }
	}
	var normal, high, statusOpen2 uuid.UUID
	prios, err := w.desk.Priorities(t.Context(), w.admin)
	require.NoError(t, err)
	for _, p := range prios {
		switch p.Name {
		case "Normal":
			normal = p.ID
		case "High":
			high = p.ID
		}
	}
	st2, err := w.desk.CreateStatus(t.Context(), w.admin, helpdesk.NewStatus{Name: "Parts ordered", State: ticket.StateOpen})
	require.NoError(t, err)
	statusOpen2 = st2.ID
	w.run(t, []scenario{
		{name: "reject needs a reason", who: "supervisor", method: "POST", path: "/tickets/{reject}/events/reject", form: url.Values{}, status: 422,
			contains: []string{"Please give a reason"}, check: state("reject", ticket.StateOpen)},
		{name: "an agent may not reject", who: "agent", method: "POST", path: "/tickets/{reject}/events/reject", form: url.Values{"reason": {"no"}}, status: 403,
			contains: []string{"This is not possible here.", "Case to reject"}, check: state("reject", ticket.StateOpen)},
		{name: "a supervisor rejects", who: "supervisor", method: "POST", path: "/tickets/{reject}/events/reject", form: url.Values{"reason": {"Duplicate"}}, status: 303,
			check: func(t *testing.T, w *world) {
				tk := w.ticket(t, "reject")
				assert.Equal(t, ticket.StateCancelled, tk.State)
				assert.Equal(t, "Duplicate", tk.CloseReason)
			}},
		{name: "not from this state", who: "admin", method: "POST", path: "/tickets/{reject}/events/start", form: url.Values{}, status: 409,
			contains: []string{"Case to reject", "not possible in the ticket&#39;s current state"}, absent: []string{"events/start"}},
		{name: "an unknown event", who: "admin", method: "POST", path: "/tickets/{accept}/events/explode", form: url.Values{}, status: 422},
		{name: "an agent without an offer may not accept", who: "agent2", method: "POST", path: "/tickets/{accept}/events/accept", form: url.Values{}, status: 403,
			check: state("accept", ticket.StateOpen)},
		{name: "the offered agent accepts", who: "agent", method: "POST", path: "/tickets/{accept}/events/accept", form: url.Values{}, status: 303,
			check: func(t *testing.T, w *world) {
				assert.Equal(t, w.actors["agent"].UserID, w.ticket(t, "accept").AssigneeID)
			}},
		{name: "then starts", who: "agent", method: "POST", path: "/tickets/{accept}/events/start", form: url.Values{}, status: 303, check: state("accept", ticket.StateInProgress)},
		{name: "the customer cancels their own", who: "customer_user", method: "POST", path: "/tickets/{x}/events/cancel", form: url.Values{}, status: 303,
			check: state("x", ticket.StateCancelled)},
		{name: "not a colleague's", who: "customer_user", method: "POST", path: "/tickets/{xa}/events/cancel", form: url.Values{}, status: 403,
			check: state("xa", ticket.StateOpen)},
		{name: "staff cancel with a reason", who: "agent", method: "POST", path: "/tickets/{cancel}/events/cancel", form: url.Values{"reason": {""}}, status: 422,
			contains: []string{"Please give a reason"}},
		{name: "an agent may not assign", who: "agent", method: "POST", path: "/tickets/{assign}/assign", form: url.Values{"assignee": {"{agent}"}}, status: 403},
		{name: "admin assigns", who: "admin", method: "POST", path: "/tickets/{assign}/assign", form: url.Values{"assignee": {w.actors["agent2"].UserID.String()}}, status: 303,
			check: func(t *testing.T, w *world) {
				tk := w.ticket(t, "assign")
				assert.Equal(t, ticket.StateAssigned, tk.State)
				assert.Equal(t, w.actors["agent2"].UserID, tk.AssigneeID)
			}},
		{name: "assign names nobody", who: "admin", method: "POST", path: "/tickets/{message}/assign", form: url.Values{}, status: 422},
		{name: "status", who: "agent", method: "POST", path: "/tickets/{status}/status", form: url.Values{"status": {statusOpen2.String()}}, status: 303,
			check: func(t *testing.T, w *world) { assert.Equal(t, statusOpen2, w.ticket(t, "status").StatusID) }},
		{name: "the customer sets no status", who: "customer_user", method: "POST", path: "/tickets/{xa}/status", form: url.Values{"status": {statusOpen2.String()}}, status: 403},
		{name: "priority", who: "supervisor", method: "POST", path: "/tickets/{priority}/priority", form: url.Values{"priority": {high.String()}}, status: 303,
			check: func(t *testing.T, w *world) { assert.Equal(t, high, w.ticket(t, "priority").PriorityID) }},
		{name: "the customer sets no priority", who: "customer_admin", method: "POST", path: "/tickets/{xa}/priority", form: url.Values{"priority": {high.String()}}, status: 403,
			check: func(t *testing.T, w *world) { assert.Equal(t, normal, w.ticket(t, "xa").PriorityID) }},
		{name: "an internal note", who: "agent", method: "POST", path: "/tickets/{message}/messages", form: url.Values{"body": {"Check the valve"}, "internal": {"1"}}, status: 303,
			check: func(t *testing.T, w *world) {
				msgs, err := w.desk.Messages(t.Context(), w.admin, w.tickets["message"].ID, storage.PageRequest{})
				require.NoError(t, err)
				require.Len(t, msgs.Items, 1)
				assert.Equal(t, ticket.Internal, msgs.Items[0].Visibility)
			}},
		{name: "an empty message", who: "agent", method: "POST", path: "/tickets/{message}/messages", form: url.Values{"body": {""}}, status: 422},
		{name: "a customer posts no internal note", who: "customer_admin", method: "POST", path: "/tickets/{xa}/messages", form: url.Values{"body": {"psst"}, "internal": {"1"}}, status: 403,
			contains: []string{"This is not possible here."}},
		{name: "a customer replies", who: "customer_admin", method: "POST", path: "/tickets/{xa}/messages", form: url.Values{"body": {"More details"}}, status: 303},
		{name: "the reply shows", who: "customer_user", method: "GET", path: "/tickets/{xa}", status: 200, contains: []string{"More details"}},
	})

	t.Run("a message with a file", func(t *testing.T) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		require.NoError(t, mw.WriteField("body", "Here is the report"))
		fw, err := mw.CreateFormFile("files", "report.txt")
		require.NoError(t, err)
		_, _ = fw.Write([]byte("the report"))
		require.NoError(t, mw.Close())
		req, err := http.NewRequest("POST", w.expand(w.srv.URL+"/tickets/{message}/messages"), &b)
		require.NoError(t, err)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, err := w.client(t, "admin").Do(req)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		_, body := do(t, w.client(t, "admin"), "GET", w.expand(w.srv.URL+"/tickets/{message}"), nil)
		assert.Contains(t, body, "Here is the report")
		assert.Contains(t, body, ">report.txt</a>")
	})
}

// fresh submits a new ticket for a request that changes it, so that each role of a walk acts
// on its own: as a customer user (of X) for them, else as the admin.
func (w *world) fresh(t *testing.T, who, title string) *ticket.Ticket {
	t.Helper()
	by := w.admin
	if a, ok := w.actors[who]; ok && a.Kind == tenant.ActorCustomerUser {
		by = a
	}
	tk, err := w.desk.SubmitTicket(t.Context(), by, helpdesk.NewTicket{Title: title, Requester: ticket.Contact{Name: "F", Email: "f@req.example"}})
	require.NoError(t, err)
	return tk.Ticket
}

// ticketRoutes are the Tickets module's routes in the walks of routes_test.go.
func ticketRoutes() module {
	form := func(kv ...string) func(*testing.T, *world) url.Values {
		return func(*testing.T, *world) url.Values {
			v := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
	}
	// on requests path with {id} as ticket "x" (readable by every role) or, with fresh, a new
	// ticket of who's, so that each role changes its own.
	on := func(path string, fresh bool, f func(*testing.T, *world) url.Values) request {
		return func(t *testing.T, w *world, who string) (string, url.Values) {
			id := w.tickets["x"].ID
			if fresh {
				id = w.fresh(t, who, "Walk of "+path).ID
			}
			var v url.Values
			if f != nil {
				v = f(t, w)
			}
			return strings.NewReplacer("{id}", id.String(), "{fileID}", w.file.ID.String()).Replace(path), v
		}
	}
	// foreign requests path on the other tenant's ticket as staff, on customer Y's as X's user;
	// the file is one of X's, which they may read, under the foreign ticket's ID.
	foreign := func(path string, f func(*testing.T, *world) url.Values) request {
		return func(t *testing.T, w *world, who string) (string, url.Values) {
			name := "other"
			if who == "customer_user" {
				name = "y"
			}
			var v url.Values
			if f != nil {
				v = f(t, w)
			}
			return strings.NewReplacer("{id}", w.tickets[name].ID.String(), "{fileID}", w.file.ID.String()).Replace(path), v
		}
	}
	assignee := func(t *testing.T, w *world) url.Values {
		return url.Values{"assignee": {w.actors["agent2"].UserID.String()}}
	}
	status := func(t *testing.T, w *world) url.Values {
		sts, err := w.desk.Statuses(t.Context(), w.admin)
		require.NoError(t, err)
		for _, st := range sts {
			if st.State == ticket.StateOpen {
				return url.Values{"status": {st.ID.String()}}
			}
		}
		t.Fatal("no status for open tickets")
		return nil
	}
	priority := func(t *testing.T, w *world) url.Values {
		ps, err := w.desk.Priorities(t.Context(), w.admin)
		require.NoError(t, err)
		return url.Values{"priority": {ps[len(ps)-1].ID.String()}}
	}
	return module{
		"GET /tickets": {target: on("/tickets?state=open", false, nil), want: every(200)},
		"POST /tickets/{id}/edit": {target: func(t *testing.T, w *world, who string) (string, url.Values) {
			tk := w.fresh(t, who, "Walk of edit")
			cur, err := w.desk.Ticket(t.Context(), w.admin, tk.ID)
			require.NoError(t, err)
			return "/tickets/" + tk.ID.String() + "/edit", url.Values{"title": {"Walked title"}, "description": {"d"},
				"version": {fmt.Sprint(cur.Version)}}
		}, want: staff(303, 303, 403), foreign: foreign("/tickets/{id}/edit", form("title", "Hijacked", "version", "1"))},
		"POST /tickets/bulk": {target: func(t *testing.T, w *world, who string) (string, url.Values) {
			return "/tickets/bulk", url.Values{"action": {"assign"}, "assignee": {w.actors["agent2"].UserID.String()},
				"ticket": {w.fresh(t, who, "Walk of bulk").ID.String()}}
		}, want: staff(303, 403, 403)},
		"GET /tickets/{id}": {target: on("/tickets/{id}", false, nil), want: every(200), foreign: foreign("/tickets/{id}", nil)},
		"GET /tickets/{id}/files/{fileID}": {target: on("/tickets/{id}/files/{fileID}", false, nil), want: every(200),
			foreign: foreign("/tickets/{id}/files/{fileID}", nil)},
		"POST /tickets/{id}/messages": {target: on("/tickets/{id}/messages", true, form("body", "hello")), want: every(303),
			foreign: foreign("/tickets/{id}/messages", form("body", "hello"))},
		"POST /tickets/{id}/events/{event}": {target: on("/tickets/{id}/events/cancel", true, form("reason", "walk")), want: every(303),
			foreign: foreign("/tickets/{id}/events/cancel", form("reason", "because"))},
		"POST /tickets/{id}/assign": {target: on("/tickets/{id}/assign", true, assignee), want: staff(303, 403, 403),
			foreign: foreign("/tickets/{id}/assign", assignee)},
		"POST /tickets/{id}/status": {target: on("/tickets/{id}/status", true, status), want: staff(303, 303, 403),
			foreign: foreign("/tickets/{id}/status", form("status", uuid.NewString()))},
		"POST /tickets/{id}/priority": {target: on("/tickets/{id}/priority", true, priority), want: staff(303, 303, 403),
			foreign: foreign("/tickets/{id}/priority", form("priority", uuid.NewString()))},
	}
}

func TestTicketsBulk(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	agent2 := w.actors["agent2"].UserID.String()
	// Two assigned tickets to close, and one still open (the machine does not close it).
	var closable []string
	for _, n := range []string{"bulk1", "bulk2"} {
		tk := w.fresh(t, "admin", "Bulk case "+n)
		_, err := w.desk.Assign(ctx, w.admin, tk.ID, helpdesk.Assignment{AssigneeID: w.actors["agent"].UserID})
		require.NoError(t, err)
		w.tickets[n] = tk
		closable = append(closable, tk.ID.String())
	}
	state := func(name string, want ticket.State) func(*testing.T, *world) {
		return func(t *testing.T, w *world) { assert.Equal(t, want, w.ticket(t, name).State) }
	}
	w.run(t, []scenario{
		{name: "staff get the checkboxes and the bulk form", who: "supervisor", method: "GET", path: "/tickets?q=Case", status: 200,
			contains: []string{`id="bulk"`, `name="ticket"`, `form="bulk"`, "Tick T-", "Assign the ticked", "Close the ticked", `name="back" value="q=Case"`}},
		{name: "an agent closes but does not assign", who: "agent", method: "GET", path: "/tickets", status: 200,
			contains: []string{"Close the ticked", `value="{bulk1}" form="bulk"`},
			absent:   []string{"Assign the ticked", `value="{message}" form="bulk"`}},
		{name: "customers get none", who: "customer_admin", method: "GET", path: "/tickets", status: 200,
			absent: []string{`id="bulk"`, `name="ticket"`}},
		{name: "nothing ticked", who: "admin", method: "POST", path: "/tickets/bulk", form: url.Values{"action": {"close"}, "reason": {"x"}, "back": {"q=Case"}}, status: 422,
			contains: []string{"Please tick at least one ticket.", `value="Case"`}},
		{name: "close needs a reason, the ticks kept", who: "admin", method: "POST", path: "/tickets/bulk",
			form: url.Values{"action": {"close"}, "ticket": closable}, status: 422,
			contains: []string{"Please give a reason", `value="{bulk1}" form="bulk" checked`}, check: state("bulk1", ticket.StateAssigned)},
		{name: "assign names somebody", who: "admin", method: "POST", path: "/tickets/bulk",
			form: url.Values{"action": {"assign"}, "ticket": closable}, status: 422, contains: []string{"Please choose an assignee or a team."}},
		{name: "assign several", who: "supervisor", method: "POST", path: "/tickets/bulk",
			form: url.Values{"action": {"assign"}, "assignee": {agent2}, "ticket": {w.tickets["assign"].ID.String(), w.tickets["status"].ID.String()}, "back": {"state=open"}}, status: 303,
			check: func(t *testing.T, w *world) {
				assert.Equal(t, w.actors["agent2"].UserID, w.ticket(t, "assign").AssigneeID)
				assert.Equal(t, w.actors["agent2"].UserID, w.ticket(t, "status").AssigneeID)
			}},
		{name: "back to the list, told how many", who: "supervisor", method: "GET", path: "/tickets?state=open&done=2", status: 200,
			contains: []string{"2 tickets changed."}},
		{name: "close: some do, some cannot, each said why", who: "agent", method: "POST", path: "/tickets/bulk",
			form:   url.Values{"action": {"close"}, "reason": {"Fixed on site"}, "ticket": append(closable, w.tickets["message"].ID.String(), w.tickets["y"].ID.String(), w.tickets["other"].ID.String())},
			status: 200,
			contains: []string{"2 tickets changed.", "3 tickets were not changed:", "T-000008 · Case to message</a>: This is not possible in the ticket&#39;s current state",
				"T-000003 · Yarrow fridge warm</a>", "{other}: This page does not exist."},
			absent: []string{"Other tenant"},
			check: func(t *testing.T, w *world) {
				state("bulk1", ticket.StateClosed)(t, w)
				state("bulk2", ticket.StateClosed)(t, w)
				state("message", ticket.StateOpen)(t, w)
				state("y", ticket.StateOpen)(t, w)
				assert.Equal(t, "Fixed on site", w.ticket(t, "bulk1").CloseReason)
			}},
		{name: "none changed: the first refusal's status", who: "agent", method: "POST", path: "/tickets/bulk",
			form: url.Values{"action": {"assign"}, "assignee": {agent2}, "ticket": {w.tickets["priority"].ID.String()}}, status: 403,
			contains: []string{"1 ticket was not changed:", "This is not possible here."}},
	})
}

func TestTicketsFilters(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	dev, err := w.desk.CreateDevice(ctx, w.admin, helpdesk.NewDevice{Name: "Xylo chiller 4", CustomerID: w.x.ID})
	require.NoError(t, err)
	proj, err := w.desk.CreateProject(ctx, w.admin, helpdesk.NewProject{Name: "Cold chain", CustomerID: w.x.ID})
	require.NoError(t, err)
	_, err = w.desk.SubmitTicket(ctx, w.admin, helpdesk.NewTicket{Title: "Chiller hums", DeviceID: dev.ID, CustomerID: w.x.ID,
		Requester: ticket.Contact{Name: "C", Email: "c@req.example"}})
	require.NoError(t, err)
	w.run(t, []scenario{
		{name: "a device", who: "agent", method: "GET", path: "/tickets?device=" + dev.ID.String(), status: 200,
			contains: []string{"Chiller hums", `value="` + dev.ID.String() + `" selected`, "Cold chain"}, absent: []string{"Xylo pump alarms"}},
		{name: "a customer's user filters by their devices", who: "customer_user", method: "GET", path: "/tickets?device=" + dev.ID.String(), status: 200,
			contains: []string{"Chiller hums", "Xylo chiller 4"}, absent: []string{"Xylo pump alarms", `name="project"`}},
		{name: "a project", who: "admin", method: "GET", path: "/tickets?project=" + proj.ID.String(), status: 200,
			contains: []string{"No tickets match.", `value="` + proj.ID.String() + `" selected`}},
	})
}

func TestTicketEdit(t *testing.T) {
	w := newWorld(t)
	version := func(name string) string { return fmt.Sprint(w.ticket(t, name).Version) }
	var high string
	prios, err := w.desk.Priorities(t.Context(), w.admin)
	require.NoError(t, err)
	for _, p := range prios {
		if p.Name == "High" {
			high = p.ID.String()
		}
	}
	read := version("status")
	w.run(t, []scenario{
		{name: "staff get the edit form with the version", who: "agent", method: "GET", path: "/tickets/{status}", status: 200,
			contains: []string{`action="/tickets/{status}/edit"`, `name="version" value="` + read + `"`, `id="edit-title" name="title" required maxlength="200" value="Case to status"`,
				"About Case to status</textarea>"}},
		{name: "customers do not", who: "customer_user", method: "GET", path: "/tickets/{x}", status: 200, absent: []string{"/edit\"", "Edit the ticket"}},
		{name: "a customer may not edit", who: "customer_user", method: "POST", path: "/tickets/{x}/edit",
			form: url.Values{"title": {"Mine"}, "version": {version("x")}}, status: 403},
		{name: "an edit", who: "supervisor", method: "POST", path: "/tickets/{status}/edit",
			form: url.Values{"title": {"Their title"}, "description": {"Their words"}, "priority": {high}, "version": {read}}, status: 303,
			check: func(t *testing.T, w *world) {
				tk := w.ticket(t, "status")
				assert.Equal(t, "Their title", tk.Title)
				assert.Equal(t, "Their words", tk.Description)
				assert.Equal(t, high, tk.PriorityID.String())
			}},
		{name: "a stale edit is told, the input kept, nothing lost", who: "agent", method: "POST", path: "/tickets/{status}/edit",
			form: url.Values{"title": {"My stale title"}, "description": {"My careful words"}, "version": {read}}, status: 409,
			contains: []string{"Someone changed this ticket while you were editing it.", "Their title</h1>", `value="My stale title"`, "My careful words</textarea>",
				"<details class=\"card edit\" id=\"edit\" open>"},
			absent: []string{`name="version" value="` + read + `"`},
			check:  func(t *testing.T, w *world) { assert.Equal(t, "Their title", w.ticket(t, "status").Title) }},
	})
	// The form the refusal showed edits the version now on the page.
	w.run(t, []scenario{
		{name: "saved again, it replaces the current version", who: "agent", method: "POST", path: "/tickets/{status}/edit",
			form: url.Values{"title": {"My stale title"}, "description": {"My careful words"}, "version": {version("status")}}, status: 303,
			check: func(t *testing.T, w *world) { assert.Equal(t, "My stale title", w.ticket(t, "status").Title) }},
	})
	w.run(t, []scenario{
		{name: "an empty title is refused beside its field, the rest kept", who: "agent", method: "POST", path: "/tickets/{status}/edit",
			form: url.Values{"title": {"  "}, "description": {"Kept words"}, "version": {version("status")}}, status: 422,
			contains: []string{"Please give a title of at most 200 characters.", `aria-invalid="true"`, "Kept words</textarea>"},
			check:    func(t *testing.T, w *world) { assert.Equal(t, "My stale title", w.ticket(t, "status").Title) }},
	})
}

func TestDashboardTasksAndToday(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	agent := w.actors["agent"]
	for _, n := range []string{"accept", "message"} {
		_, err := w.desk.Assign(ctx, w.admin, w.tickets[n].ID, helpdesk.Assignment{AssigneeID: agent.UserID})
		require.NoError(t, err)
	}
	_, err := w.desk.Transition(ctx, agent, w.tickets["message"].ID, ticket.EventWait, helpdesk.Change{})
	require.NoError(t, err)
	// A call later today when the UTC day has time left, else tomorrow (then not listed).
	now := time.Now().UTC()
	at := now.Add(30 * time.Minute)
	_, err = w.desk.Invite(ctx, agent, w.tickets["x"].ID, helpdesk.Invitation{At: at})
	require.NoError(t, err)
	today := []string{"Xylo pump alarms</a>"}
	if at.Day() != now.Day() {
		today = nil
	}
	w.run(t, []scenario{
		{name: "quick links, my tasks without the waiting one, today's calls", who: "agent", method: "GET", path: "/", status: 200,
			contains: append([]string{`class="quick"`, `href="/tickets?assignee=me"`, `href="/sessions?when=today"`, `href="/devices"`,
				"My tasks", `href="/tickets/{accept}">Case to accept</a>`, "Video calls planned today (UTC)"}, today...),
			absent: []string{"Case to message</a>"}},
		{name: "another agent has none", who: "agent2", method: "GET", path: "/", status: 200,
			contains: []string{"Nothing assigned to you is waiting for work."}, absent: []string{"Case to accept</a>"}},
		{name: "a customer's user: their customer's calls, no tasks", who: "customer_user", method: "GET", path: "/", status: 200,
			contains: append([]string{`class="quick"`, `href="/tickets"`}, today...), absent: []string{"My tasks", "Yarrow"}},
		{name: "customer Y's user sees not X's calls", who: "customer_user_y", method: "GET", path: "/", status: 200,
			absent: []string{"Xylo pump alarms"}},
	})
}
