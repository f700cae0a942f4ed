package backoffice_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/internal/browsertest"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/video"
	"github.com/deskkit/helpdesk/video/videotest"
	"github.com/deskkit/helpdesk/web/backoffice"
	"github.com/deskkit/helpdesk/web/public"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deskSite is a whole site for the browser: the back office beside the public pages, as an
// application mounts them, with an admin, an agent in the default group and a device's code.
type deskSite struct {
	srv          *httptest.Server
	desk         *helpdesk.Desk
	admin, agent tenant.Actor
	code         *device.Code
}

const agentEmail, agentPassword = "sam@acme.example", "Agent-pass-1"

func newDeskSite(t *testing.T) *deskSite {
	t.Helper()
	return newDeskSiteWith(t, nil)
}

// newDeskSiteWith is newDeskSite with a video provider.
func newDeskSiteWith(t *testing.T, calls video.Provider) *deskSite {
	t.Helper()
	ctx := t.Context()
	s, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "browser.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.MigrateUp(ctx))
	srv := httptest.NewUnstartedServer(nil)
	d, err := helpdesk.New(s, &helpdesk.Config{BaseURL: "http://" + srv.Listener.Addr().String(),
		SecretKeys: [][]byte{[]byte("the back office tests' key, 32 b")}, Blobs: blob.NewMem(),
		Logger: slog.New(slog.DiscardHandler), MaxConcurrentHashes: 16, Video: calls})
	require.NoError(t, err)
	op, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Service", Language: "en"})
	require.NoError(t, err)
	sys := tenant.SystemFor(op.ID)
	au, _, err := d.CreateUser(ctx, sys, helpdesk.NewUser{Email: "ada@acme.example", Name: "Ada Admin", Role: tenant.RoleAdmin, Password: password})
	require.NoError(t, err)
	st := &deskSite{desk: d, admin: tenant.Employee(op.ID, au.ID, tenant.RoleAdmin, au.Name)}
	u, _, err := d.CreateUser(ctx, st.admin, helpdesk.NewUser{Email: agentEmail, Name: "Sam Agent", Role: tenant.RoleAgent, Password: agentPassword})
	require.NoError(t, err)
	st.agent = tenant.Employee(op.ID, u.ID, tenant.RoleAgent, u.Name)
	ten, err := d.Tenant(ctx, st.admin)
	require.NoError(t, err)
	teams, err := d.Teams(ctx, st.admin)
	require.NoError(t, err)
	for _, tm := range teams {
		if tm.ID == ten.DefaultTeamID {
			tm.Members, tm.SupervisorID = []uuid.UUID{st.agent.UserID}, st.admin.UserID
			_, err = d.UpdateTeam(ctx, st.admin, tm)
			require.NoError(t, err)
		}
	}
	dev, err := d.CreateDevice(ctx, st.admin, helpdesk.NewDevice{Name: "Pump 7", SerialNumber: "X200-0007"})
	require.NoError(t, err)
	st.code, err = d.CreateCode(ctx, st.admin, dev.ID, helpdesk.NewCode{Actions: device.Actions()})
	require.NoError(t, err)

	bo, err := backoffice.New(d, &backoffice.Config{Tenant: backoffice.SingleTenant(op.ID), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	pub, err := public.New(d, &public.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	mux := http.NewServeMux()
	for _, p := range []string{"/c/", "/requests/", "/sessions/", "/request-links/"} {
		mux.Handle(p, pub)
	}
	// The Video Sessions list, beside the public session links under /sessions/ (without it,
	// the mux would redirect /sessions there).
	mux.Handle("/sessions", bo)
	mux.Handle("/", bo)
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
	st.srv = srv
	return st
}

// signIn signs the tab in through the sign-in form.
func signIn(t *testing.T, tab *browsertest.Tab, email, pass string) {
	t.Helper()
	require.Equal(t, http.StatusOK, tab.Visit("sign-in", "/login"))
	tab.Fill("#email", email)
	tab.Fill("#password", pass)
	require.Equal(t, http.StatusOK, tab.Follow("dashboard", `form[action="/login"] button[type=submit]`))
}

// inTimeZone makes the tab's clock read in zone, as a phone's set there would.
func inTimeZone(zone string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone})
		return err
	})
}

// The sqanit flow on phones: a request made on a device's public page is offered to the agent
// on the dashboard; the agent takes it on and proposes a video call time (in the phone's time
// zone); the requester accepts the time on their ticket page; the agent completes the ticket;
// the requester rates it; it ends closed and rated. Every page passes axe and fits 390 px.
func TestBrowserSqanitFlow(t *testing.T) {
	st := newDeskSite(t)
	ctx := t.Context()
	b := browsertest.New()
	t.Cleanup(b.Close)

	// The requester reports the problem on the device's page.
	req := b.Tab(t, st.srv.URL)
	require.Equal(t, http.StatusOK, req.Visit("device", "/c/"+st.code.Token))
	require.Equal(t, http.StatusOK, req.Follow("request form", `.actions a.button.primary[href$="/request"]`))
	req.Fill("#title", "Pump alarms")
	req.Fill("#description", "The occlusion alarm sounds every ten minutes.")
	req.Fill("#name", "Nina Nurse")
	req.Fill("#email", "nina@northwind.example")
	require.Equal(t, http.StatusOK, req.Follow("submitted", `form[action$="/request"] button[type=submit]`))
	loc, err := chromedp.Run(req.Context(), chromedp.Location())
	require.NoError(t, err)
	u, err := url.Parse(loc)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(u.Path, "/requests/"), loc)
	link := u.Path
	page, err := st.desk.OpenRequesterLink(ctx, strings.TrimPrefix(link, "/requests/"))
	require.NoError(t, err)
	tk := page.Ticket

	// The agent finds it offered on the dashboard and takes it on.
	agent := b.Tab(t, st.srv.URL)
	agent.Do(inTimeZone("Europe/Berlin"))
	signIn(t, agent, agentEmail, agentPassword)
	assert.Contains(t, agent.Text("main"), "Pump alarms")
	accept := fmt.Sprintf(`form[action="/offers/%s/accept"] button`, tk.ID)
	require.Equal(t, http.StatusOK, agent.Follow("accepted", accept))
	assert.Contains(t, agent.Text("#tasks"), "Pump alarms", "now among the agent's tasks")

	// The agent proposes a time, typed in Berlin's time, which the page's script says.
	require.Equal(t, http.StatusOK, agent.Follow("ticket", fmt.Sprintf(`#tasks a[href="/tickets/%s"]`, tk.ID)))
	assert.Equal(t, "In your device's time zone.", agent.Text("#session-at-zone"))
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	at := time.Now().In(berlin).Add(26 * time.Hour).Truncate(time.Minute)
	agent.Do(chromedp.SetValue(chromedp.CSS("#session-at"), at.Format("2006-01-02T15:04")))
	require.Equal(t, http.StatusOK, agent.Follow("proposed", `form.propose button[type=submit]`))
	sessions, err := st.desk.Sessions(ctx, st.admin, tk.ID, storage.PageRequest{})
	require.NoError(t, err)
	require.Len(t, sessions.Items, 1)
	sn := sessions.Items[0]
	assert.Equal(t, ticket.SessionProposed, sn.State)
	require.NotNil(t, sn.PlannedAt)
	assert.True(t, at.Equal(*sn.PlannedAt), "planned %s, typed %s in Berlin", sn.PlannedAt, at)
	assert.Contains(t, agent.Text("#sessions"), "Time proposed")

	// The requester accepts the time on their ticket page (a tab is given a minute: each part
	// of the flow has its own).
	req = b.Tab(t, st.srv.URL)
	require.Equal(t, http.StatusOK, req.Visit("proposed", link))
	require.Equal(t, http.StatusOK, req.Follow("time accepted", `form[action$="/accept"] button`))
	assert.Contains(t, req.Text(".call-session"), "Call confirmed")

	// The agent sees it confirmed and completes the ticket.
	agent = b.Tab(t, st.srv.URL)
	signIn(t, agent, agentEmail, agentPassword)
	require.Equal(t, http.StatusOK, agent.Visit("confirmed", "/tickets/"+tk.ID.String()))
	assert.Contains(t, agent.Text("#sessions"), "Confirmed")
	require.Equal(t, http.StatusOK, agent.Follow("completed", `form[action$="/events/complete"] button`))
	assert.Contains(t, agent.Text(".facts"), "Done")

	// The requester rates it.
	req = b.Tab(t, st.srv.URL)
	require.Equal(t, http.StatusOK, req.Visit("done", link))
	req.Do(chromedp.Click(chromedp.CSS("#star5"), chromedp.NodeVisible))
	require.Equal(t, http.StatusOK, req.Follow("rated", `form[action$="/rate"] button[type=submit]`))

	got, err := st.desk.Ticket(ctx, st.admin, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, ticket.StateClosed, got.State)
	require.NotNil(t, got.Rating)
	assert.Equal(t, 5, got.Rating.Stars)
	require.Equal(t, http.StatusOK, agent.Visit("closed", "/tickets/"+tk.ID.String()))
	assert.Contains(t, agent.Text(".facts"), "Closed")

	// The planned call shows in the Video Sessions list, filtered by its day.
	require.Equal(t, http.StatusOK, agent.Visit("sessions", "/sessions?from="+sn.PlannedAt.UTC().Format(time.DateOnly)+"&to="+sn.PlannedAt.UTC().Format(time.DateOnly)))
	assert.Contains(t, agent.Text("main"), "Pump alarms")
}

// The ticket page worked with the keyboard alone: Tab to the message field, type, Tab to the
// send button, Enter posts the message.
func TestBrowserTicketKeyboard(t *testing.T) {
	st := newDeskSite(t)
	ctx := t.Context()
	tk, err := st.desk.SubmitTicket(ctx, st.admin, helpdesk.NewTicket{Title: "Door sensor flaps", Requester: ticket.Contact{Name: "R", Email: "r@req.example"}})
	require.NoError(t, err)
	_, err = st.desk.Accept(ctx, st.agent, tk.ID)
	require.NoError(t, err)
	b := browsertest.New()
	t.Cleanup(b.Close)
	tab := b.Tab(t, st.srv.URL)
	signIn(t, tab, agentEmail, agentPassword)
	require.Equal(t, http.StatusOK, tab.Visit("ticket", "/tickets/"+tk.ID.String()))

	// tabTo presses Tab until the focused element matches sel, and fails after many presses.
	tabTo := func(sel string) {
		t.Helper()
		for range 200 {
			if browsertest.Eval[bool](tab, fmt.Sprintf("document.activeElement !== null && document.activeElement.matches(%q)", sel)) {
				return
			}
			tab.Do(chromedp.KeyEvent(kb.Tab))
		}
		t.Fatalf("Tab never reached %s", sel)
	}
	tabTo("#body")
	tab.Do(chromedp.KeyEvent("Checked by keyboard"))
	tabTo(`#reply button[type=submit]`)
	assert.True(t, browsertest.Eval[bool](tab, "document.activeElement.matches(':focus-visible')"), "the focused button shows it")
	res, err := chromedp.RunResponse(tab.Context(), chromedp.KeyEvent(kb.Enter))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, int(res.Status))
	tab.Check("posted")
	assert.Contains(t, tab.Text("#messages"), "Checked by keyboard")
	msgs, err := st.desk.Messages(ctx, st.admin, tk.ID, storage.PageRequest{})
	require.NoError(t, err)
	require.Len(t, msgs.Items, 1)
	assert.Equal(t, "Checked by keyboard", msgs.Items[0].Body)
}

// Joining a call: the session's agent gets into its room; another agent, while the tenant holds
// no conferences, is refused on the ticket page.
func TestSessionJoin(t *testing.T) {
	calls := videotest.NewFake()
	st := newDeskSiteWith(t, calls)
	ctx := t.Context()
	tk, err := st.desk.SubmitTicket(ctx, st.admin, helpdesk.NewTicket{Title: "Call me", Requester: ticket.Contact{Name: "R", Email: "r@req.example"}})
	require.NoError(t, err)
	sn, err := st.desk.Invite(ctx, st.agent, tk.ID, helpdesk.Invitation{})
	require.NoError(t, err)
	client := func(email, pass string) *http.Client {
		c := (&site{}).browser()
		res, _ := do(t, c, "POST", st.srv.URL+"/login", url.Values{"email": {email}, "password": {pass}})
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		return c
	}
	path := st.srv.URL + "/tickets/" + tk.ID.String() + "/sessions/" + sn.ID.String() + "/join"
	res, body := do(t, client(agentEmail, agentPassword), "POST", path, url.Values{})
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	assert.Contains(t, body, "You are in the call.")
	assert.Contains(t, body, "session-"+sn.ID.String(), "the room")
	assert.Contains(t, body, `href="/tickets/`+tk.ID.String()+`#sessions"`)
	_, ok := calls.Room("session-" + sn.ID.String())
	assert.True(t, ok, "the Desk made the room")

	res, body = do(t, client("ada@acme.example", password), "POST", path, url.Values{})
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.Contains(t, body, "Call me", "the ticket page, with the refusal")
	assert.NotContains(t, body, "You are in the call.")
}
