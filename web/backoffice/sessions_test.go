package backoffice_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// invite invites ticket tk's requester to a call now, as the admin, and returns the session.
func (w *world) invite(t *testing.T, by tenant.Actor, tk *ticket.Ticket) *ticket.Session {
	t.Helper()
	s, err := w.desk.Invite(t.Context(), by, tk.ID, helpdesk.Invitation{})
	require.NoError(t, err)
	return s
}

// propose proposes a call on tk at at, as the admin.
func (w *world) propose(t *testing.T, tk *ticket.Ticket, at time.Time) *ticket.Session {
	t.Helper()
	s, err := w.desk.Invite(t.Context(), w.admin, tk.ID, helpdesk.Invitation{At: at})
	require.NoError(t, err)
	return s
}

// yarrowTicket submits a new ticket of customer Y's, which the isolation cases may change
// (the world's "y" must stay as it is).
func (w *world) yarrowTicket(t *testing.T) *ticket.Ticket {
	t.Helper()
	tk, err := w.desk.SubmitTicket(t.Context(), w.actors["customer_user_y"], helpdesk.NewTicket{Title: "Yarrow call case",
		Requester: ticket.Contact{Name: "Yarrow requester", Email: "yr@req.example"}})
	require.NoError(t, err)
	return tk.Ticket
}

// otherTicket submits a new ticket in the second tenant.
func (w *world) otherTicket(t *testing.T) *ticket.Ticket {
	t.Helper()
	tk, err := w.desk.SubmitTicket(t.Context(), w.admin2, helpdesk.NewTicket{Title: "Other tenant's call case",
		Requester: ticket.Contact{Name: "O", Email: "o2@req.example"}})
	require.NoError(t, err)
	return tk.Ticket
}

func (w *world) session(t *testing.T, id string) *ticket.Session {
	t.Helper()
	page, err := w.desk.Sessions(t.Context(), w.admin, w.tickets[id].ID, storage.PageRequest{})
	require.NoError(t, err)
	require.NotEmpty(t, page.Items, "ticket %s has a session", id)
	return page.Items[len(page.Items)-1]
}

func TestTicketSessions(t *testing.T) {
	w := newWorld(t)
	future := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Minute)
	local := future.Format("2006-01-02T15:04")
	state := func(name string, want ticket.SessionState) func(*testing.T, *world) {
		return func(t *testing.T, w *world) { assert.Equal(t, want, w.session(t, name).State) }
	}
	w.run(t, []scenario{
		{name: "staff: invite now and propose a time, the time in UTC without the script", who: "agent", method: "GET", path: "/tickets/{x}", status: 200,
			contains: []string{`id="sessions"`, "Invite to a call now", "Propose a time", `type="datetime-local"`, `name="tz"`,
				"In UTC (Coordinated Universal Time).", `data-local="In your device&#39;s time zone."`, "No video calls yet.", "/static/sessions.js"},
			absent: []string{"Ask for a video call"}},
		{name: "the requester asks for a call", who: "customer_user", method: "GET", path: "/tickets/{x}", status: 200,
			contains: []string{"Ask for a video call"}, absent: []string{"Invite to a call now", "Propose a time"}},
		{name: "a colleague's ticket: no asking", who: "customer_user", method: "GET", path: "/tickets/{xa}", status: 200,
			absent: []string{"Ask for a video call", `id="sessions"`}},
		{name: "an agent invites now", who: "agent", method: "POST", path: "/tickets/{message}/sessions", form: url.Values{"kind": {"now"}}, status: 303,
			check: func(t *testing.T, w *world) {
				s := w.session(t, "message")
				assert.Equal(t, ticket.SessionInvited, s.State)
				assert.Equal(t, w.actors["agent"].UserID, s.AgentID)
			}},
		{name: "the session shows, with join and cancel with a reason", who: "agent", method: "GET", path: "/tickets/{message}", status: 200,
			contains: []string{"Invited now", "Name of agent", "/join\"", "/events/cancel\"", `name="reason" required`}},
		{name: "another agent joins not: conferences are off", who: "agent2", method: "GET", path: "/tickets/{message}", status: 200,
			contains: []string{"/events/cancel\""}, absent: []string{"/join\""}},
		{name: "a time in the past is refused, the input kept", who: "supervisor", method: "POST", path: "/tickets/{status}/sessions",
			form: url.Values{"kind": {"propose"}, "at": {"2001-02-03T04:05"}, "duration": {"30"}}, status: 422,
			contains: []string{"Please choose a date and time in the future.", `value="2001-02-03T04:05"`, `value="30"`, `aria-invalid="true"`, "Case to status"}},
		{name: "a malformed time too", who: "supervisor", method: "POST", path: "/tickets/{status}/sessions",
			form: url.Values{"kind": {"propose"}, "at": {"soon"}}, status: 422, contains: []string{"Please choose a date and time in the future."}},
		{name: "a time in the browser's zone (UTC+1) is kept in UTC", who: "supervisor", method: "POST", path: "/tickets/{status}/sessions",
			form: url.Values{"kind": {"propose"}, "at": {local}, "tz": {"-60"}, "duration": {"45"}}, status: 303,
			check: func(t *testing.T, w *world) {
				proposed := w.session(t, "status")
				assert.Equal(t, ticket.SessionProposed, proposed.State)
				require.NotNil(t, proposed.PlannedAt)
				assert.Equal(t, future.Add(-time.Hour), proposed.PlannedAt.UTC())
				require.NotNil(t, proposed.PlannedEnd)
				assert.Equal(t, 45*time.Minute, proposed.PlannedEnd.Sub(*proposed.PlannedAt))
			}},
		{name: "the planned time shows", who: "supervisor", method: "GET", path: "/tickets/{status}", status: 200,
			contains: []string{"Time proposed", "planned for", "UTC</time>"}, absent: []string{"Accept the time"}},
		{name: "the requester cannot be staff", who: "customer_user", method: "POST", path: "/tickets/{x}/sessions", form: url.Values{"kind": {"now"}}, status: 403},
		{name: "the requester asks for a call", who: "customer_user", method: "POST", path: "/tickets/{x}/sessions", form: url.Values{"kind": {"request"}}, status: 303,
			check: state("x", ticket.SessionRequested)},
		{name: "staff confirm it", who: "agent", method: "GET", path: "/tickets/{x}", status: 200, contains: []string{"Requested", "/events/confirm\""}},
		{name: "a malformed session", who: "admin", method: "POST", path: "/tickets/{x}/sessions/nope/events/cancel", form: url.Values{"reason": {"x"}}, status: 404},
		{name: "an unknown session", who: "admin", method: "POST", path: "/tickets/{x}/sessions/{x}/events/cancel", form: url.Values{"reason": {"x"}}, status: 404},
		{name: "signed out", method: "POST", path: "/tickets/{x}/sessions", form: url.Values{"kind": {"now"}}, status: 401},
	})

	t.Run("events", func(t *testing.T) {
		sx := w.session(t, "x")
		on := "/tickets/{x}/sessions/" + sx.ID.String()
		w.run(t, []scenario{
			{name: "a session under another ticket is not found", who: "agent", method: "POST", path: "/tickets/{xa}/sessions/" + sx.ID.String() + "/events/confirm",
				form: url.Values{}, status: 404, check: state("x", ticket.SessionRequested)},
			{name: "a requester confirms not", who: "customer_user", method: "POST", path: on + "/events/confirm", form: url.Values{}, status: 403,
				check: state("x", ticket.SessionRequested)},
			{name: "an agent confirms", who: "agent", method: "POST", path: on + "/events/confirm", form: url.Values{}, status: 303,
				check: state("x", ticket.SessionConfirmed)},
			{name: "not twice", who: "agent", method: "POST", path: on + "/events/confirm", form: url.Values{}, status: 409,
				contains: []string{"Xylo pump alarms", "not possible"}},
			{name: "staff cancel only with a reason", who: "agent", method: "POST", path: on + "/events/cancel", form: url.Values{}, status: 422,
				contains: []string{"Please give a reason"}, check: state("x", ticket.SessionConfirmed)},
			{name: "the requester cancels without one", who: "customer_user", method: "POST", path: on + "/events/cancel", form: url.Values{}, status: 303,
				check: state("x", ticket.SessionCancelled)},
		})
		p := w.propose(t, w.tickets["x"], future)
		w.run(t, []scenario{
			{name: "the requester sees the proposed time", who: "customer_user", method: "GET", path: "/tickets/{x}", status: 200,
				contains: []string{"Time proposed", "/tickets/{x}/sessions/" + p.ID.String() + "/events/accept\"", "/events/refuse\""}},
			{name: "and accepts it", who: "customer_user", method: "POST", path: "/tickets/{x}/sessions/" + p.ID.String() + "/events/accept", form: url.Values{}, status: 303,
				check: state("x", ticket.SessionConfirmed)},
		})
	})

	t.Run("join without a video provider", func(t *testing.T) {
		s := w.session(t, "message")
		res, body := do(t, w.client(t, "agent"), "POST", w.srv.URL+"/tickets/"+s.TicketID.String()+"/sessions/"+s.ID.String()+"/join", url.Values{})
		assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
		assert.Contains(t, body, "Case to message", "the ticket page, with the problem")
		assert.False(t, strings.Contains(body, "video calls unavailable"), "no internal text")
	})
}

// sessionRoutes are this module's routes in the walks of routes_test.go.
func sessionRoutes() module {
	// onFresh makes a fresh ticket of who's with a session the admin invited to, and requests
	// path with {id} as the ticket's and {sid} as the session's.
	onFresh := func(path string, form url.Values) request {
		return func(t *testing.T, w *world, who string) (string, url.Values) {
			tk := w.fresh(t, who, "Walk of "+path)
			s := w.invite(t, w.admin, tk)
			return strings.NewReplacer("{id}", tk.ID.String(), "{sid}", s.ID.String()).Replace(path), form
		}
	}
	// foreignSession is a session on the second tenant's ticket as the admin, on customer
	// Y's as X's user.
	foreignSession := func(path string, form url.Values) request {
		return func(t *testing.T, w *world, who string) (string, url.Values) {
			var s *ticket.Session
			if who == "customer_user" {
				s = w.invite(t, w.admin, w.yarrowTicket(t))
			} else {
				s = w.invite(t, w.admin2, w.otherTicket(t))
			}
			return strings.NewReplacer("{id}", s.TicketID.String(), "{sid}", s.ID.String()).Replace(path), form
		}
	}
	newSession := func(t *testing.T, w *world, who string) (string, url.Values) {
		kind := "now"
		if a, ok := w.actors[who]; ok && a.Kind == tenant.ActorCustomerUser {
			kind = "request"
		}
		return "/tickets/" + w.fresh(t, who, "Walk of a new session").ID.String() + "/sessions", url.Values{"kind": {kind}}
	}
	return module{
		"GET /sessions": {target: func(*testing.T, *world, string) (string, url.Values) {
			return "/sessions?state=invited&when=today", nil
		},
			want: every(200)},
		"POST /tickets/{id}/sessions": {target: newSession, want: every(303),
			foreign: func(t *testing.T, w *world, who string) (string, url.Values) {
				if who == "customer_user" {
					return "/tickets/" + w.yarrowTicket(t).ID.String() + "/sessions", url.Values{"kind": {"request"}}
				}
				return "/tickets/" + w.otherTicket(t).ID.String() + "/sessions", url.Values{"kind": {"now"}}
			}},
		"POST /tickets/{id}/sessions/{sid}/events/{event}": {target: onFresh("/tickets/{id}/sessions/{sid}/events/cancel", url.Values{"reason": {"walk"}}),
			want: every(303), foreign: foreignSession("/tickets/{id}/sessions/{sid}/events/cancel", url.Values{"reason": {"walk"}})},
		// The walks' desk has no video provider: joining is unavailable (503) to everyone who may.
		"POST /tickets/{id}/sessions/{sid}/join": {target: onFresh("/tickets/{id}/sessions/{sid}/join", url.Values{}),
			want: every(http.StatusServiceUnavailable), foreign: foreignSession("/tickets/{id}/sessions/{sid}/join", url.Values{})},
	}
}

func TestSessionsList(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	now := time.Now().UTC()
	today := now.Truncate(24 * time.Hour)
	w.invite(t, w.actors["agent"], w.tickets["x"])
	// Planned later today when there is time left, else tomorrow (the "today" filter is a UTC day).
	soon := now.Add(time.Hour)
	w.propose(t, w.tickets["y"], soon.AddDate(0, 0, 2))
	w.propose(t, w.tickets["xa"], soon)
	todayWant := []string{"Xylo boiler leaks"}
	todayAbsent := []string{"Yarrow fridge warm", "Xylo pump alarms"}
	if !soon.Before(today.AddDate(0, 0, 1)) {
		todayWant, todayAbsent = nil, append(todayAbsent, "Xylo boiler leaks")
	}
	day := soon.AddDate(0, 0, 2).Format(time.DateOnly)
	w.run(t, []scenario{
		{name: "signed out", method: "GET", path: "/sessions", status: http.StatusSeeOther},
		{name: "staff see every session, filters for customer and agent", who: "supervisor", method: "GET", path: "/sessions", status: 200,
			contains: []string{"Xylo pump alarms", "Yarrow fridge warm", "Xylo boiler leaks", `href="/tickets/{x}#sessions"`, "Invited now", "Time proposed",
				"planned for", `name="customer"`, `name="agent"`, `type="date"`, "3 sessions on this page", "Name of agent"},
			absent: []string{"Other tenant", "[bo."}},
		{name: "a state", who: "agent", method: "GET", path: "/sessions?state=invited", status: 200,
			contains: []string{"Xylo pump alarms", `value="invited" selected`, "Clear the filters"}, absent: []string{"Yarrow fridge warm", "Xylo boiler leaks"}},
		{name: "planned today", who: "agent", method: "GET", path: "/sessions?when=today", status: 200,
			contains: append(todayWant, `value="today" checked`), absent: todayAbsent},
		{name: "planned on a day", who: "agent", method: "GET", path: "/sessions?from=" + day + "&to=" + day, status: 200,
			contains: []string{"Yarrow fridge warm"}, absent: []string{"Xylo pump alarms", "Xylo boiler leaks"}},
		{name: "a customer", who: "admin", method: "GET", path: "/sessions?customer=" + w.y.ID.String(), status: 200,
			contains: []string{"Yarrow fridge warm"}, absent: []string{"Xylo pump alarms", "Xylo boiler leaks"}},
		{name: "my sessions", who: "agent", method: "GET", path: "/sessions?agent=me", status: 200,
			contains: []string{"Xylo pump alarms"}, absent: []string{"Yarrow fridge warm", "Xylo boiler leaks"}},
		{name: "an agent", who: "admin", method: "GET", path: "/sessions?agent=" + w.admin.UserID.String(), status: 200,
			contains: []string{"Yarrow fridge warm", "Xylo boiler leaks"}, absent: []string{"Xylo pump alarms"}},
		{name: "a customer's user sees their customer's", who: "customer_user", method: "GET", path: "/sessions", status: 200,
			contains: []string{"Xylo pump alarms", "Xylo boiler leaks"}, absent: []string{"Yarrow", `name="customer"`, `name="agent"`}},
		{name: "and cannot widen it", who: "customer_user", method: "GET", path: "/sessions?customer=" + w.y.ID.String(), status: 200,
			absent: []string{"Yarrow"}},
		{name: "a range that ends before it starts", who: "admin", method: "GET", path: "/sessions?from=2026-12-10&to=2026-12-01", status: 422},
		{name: "a bad cursor", who: "admin", method: "GET", path: "/sessions?after=garbage", status: 422},
	})

	t.Run("keyset paging keeps the filters", func(t *testing.T) {
		for i := range 26 {
			tk, err := w.desk.SubmitTicket(ctx, w.admin, helpdesk.NewTicket{Title: "Paged call " + string(rune('A'+i)),
				Requester: ticket.Contact{Name: "P", Email: "p@req.example"}})
			require.NoError(t, err)
			w.invite(t, w.admin, tk.Ticket)
		}
		c := w.client(t, "admin")
		_, body := do(t, c, "GET", w.srv.URL+"/sessions?state=invited", nil)
		assert.Contains(t, body, "25 sessions on this page")
		i := strings.Index(body, "/sessions?after=")
		if i < 0 {
			i = strings.Index(body, "after=")
		}
		require.Greater(t, i, 0, "a next page link")
		start := strings.LastIndex(body[:i+1], `href="`) + len(`href="`)
		next, err := url.Parse(strings.ReplaceAll(body[start:start+strings.Index(body[start:], `"`)], "&amp;", "&"))
		require.NoError(t, err)
		assert.Equal(t, "invited", next.Query().Get("state"))
		_, body = do(t, c, "GET", w.srv.URL+next.String(), nil)
		assert.Contains(t, body, "2 sessions on this page")
		assert.Contains(t, body, "Xylo pump alarms", "the oldest invited is on the last page")
		assert.NotContains(t, body, "after=")
	})
}
