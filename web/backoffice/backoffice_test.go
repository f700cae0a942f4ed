package backoffice_test

import (
	"bytes"
	"encoding/base64"
	"html"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/web/backoffice"
	"github.com/google/uuid"
	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const password = "Backoffice-test-1"

// site is a Desk with one operator and its admin, served by the back office over HTTP.
type site struct {
	store  *bunstore.Store
	desk   *helpdesk.Desk
	tenant *tenant.Tenant
	admin  tenant.Actor
	srv    *httptest.Server
	log    *bytes.Buffer
	// hooks is a webhook receiver on loopback answering 204: the site's Desk allows private
	// targets for it.
	hooks *httptest.Server
}

func newSite(t testing.TB) *site {
	t.Helper()
	ctx := t.Context()
	s, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "backoffice.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.MigrateUp(ctx))
	srv := httptest.NewUnstartedServer(nil)
	d, err := helpdesk.New(s, &helpdesk.Config{BaseURL: "http://" + srv.Listener.Addr().String(),
		SecretKeys: [][]byte{[]byte("the back office tests' key, 32 b")}, Blobs: blob.NewMem(),
		Logger: slog.New(slog.DiscardHandler), MaxConcurrentHashes: 16, AllowPrivateTargets: true})
	require.NoError(t, err)
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(hooks.Close)
	op, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Service", Language: "en"})
	require.NoError(t, err)
	u, _, err := d.CreateUser(ctx, tenant.SystemFor(op.ID), helpdesk.NewUser{Email: "ada@acme.example", Name: "Ada Admin",
		Role: tenant.RoleAdmin, Password: password})
	require.NoError(t, err)
	st := &site{store: s, desk: d, tenant: op, admin: tenant.Employee(op.ID, u.ID, tenant.RoleAdmin, u.Name), log: &bytes.Buffer{}, hooks: hooks}
	h, err := backoffice.New(d, &backoffice.Config{Tenant: backoffice.SingleTenant(op.ID), Logger: slog.New(slog.NewTextHandler(st.log, nil))})
	require.NoError(t, err)
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	st.srv = srv
	return st
}

// browser is a client with its own cookies that follows no redirect.
func (st *site) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func do(t testing.TB, c *http.Client, method, target string, form url.Values, header ...string) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (st *site) signIn(t testing.TB, c *http.Client, email, pw string) *http.Response {
	t.Helper()
	res, _ := do(t, c, http.MethodPost, st.srv.URL+"/login", url.Values{"email": {email}, "password": {pw}})
	return res
}

func sessionCookie(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == backoffice.SessionCookie {
			return c
		}
	}
	return nil
}

func TestSignIn(t *testing.T) {
	st := newSite(t)
	c := st.browser()

	res, _ := do(t, c, http.MethodGet, st.srv.URL+"/profile?tab=1", nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "signed out: to the sign-in form")
	assert.Equal(t, "/login?next="+url.QueryEscape("/profile?tab=1"), res.Header.Get("Location"))
	res, body := do(t, c, http.MethodGet, st.srv.URL+res.Header.Get("Location"), nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, body, `name="next" value="/profile?tab=1"`)

	res, body = do(t, c, http.MethodPost, st.srv.URL+"/login", url.Values{"email": {"ada@acme.example"}, "password": {"wrong"}})
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Contains(t, body, "The e-mail address or the password is not right.")
	assert.Contains(t, body, `value="ada@acme.example"`, "the address is kept")
	assert.NotContains(t, body, `value="wrong"`, "never the password")
	res, _ = do(t, c, http.MethodPost, st.srv.URL+"/login", url.Values{"email": {"nobody@acme.example"}, "password": {"wrong"}})
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode, "an unknown address answers alike")

	res, _ = do(t, c, http.MethodPost, st.srv.URL+"/login", url.Values{"email": {"ADA@acme.example"}, "password": {password}, "next": {"/profile?tab=1"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/profile?tab=1", res.Header.Get("Location"), "back where they were going")
	ck := sessionCookie(res)
	require.NotNil(t, ck)
	assert.True(t, ck.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, ck.SameSite)
	assert.Equal(t, "/", ck.Path)

	res, body = do(t, c, http.MethodGet, st.srv.URL+"/", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, body, "Ada Admin")
	assert.Contains(t, body, "Requests by state")
	assert.Contains(t, body, `<span class="brand">Acme Service</span>`)
	assert.NotContains(t, body, "service team", "not the public pages' footer")
	assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))

	t.Run("next stays on this site", func(t *testing.T) {
		for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example"} {
			res, _ := do(t, st.browser(), http.MethodPost, st.srv.URL+"/login", url.Values{"email": {"ada@acme.example"}, "password": {password}, "next": {next}})
			require.Equal(t, http.StatusSeeOther, res.StatusCode)
			assert.Equal(t, "/", res.Header.Get("Location"), next)
		}
	})
	t.Run("a form from another site is refused", func(t *testing.T) {
		res, _ := do(t, st.browser(), http.MethodPost, st.srv.URL+"/login", url.Values{"email": {"ada@acme.example"}, "password": {password}},
			"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
		assert.Nil(t, sessionCookie(res))
	})
	t.Run("signing out ends the session", func(t *testing.T) {
		b := st.browser()
		res := st.signIn(t, b, "ada@acme.example", password)
		old := sessionCookie(res)
		require.NotNil(t, old)
		res, _ = do(t, b, http.MethodPost, st.srv.URL+"/logout", url.Values{})
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		assert.Equal(t, "/login", res.Header.Get("Location"))
		res, _ = do(t, st.browser(), http.MethodGet, st.srv.URL+"/", nil, "Cookie", backoffice.SessionCookie+"="+old.Value)
		assert.Equal(t, http.StatusSeeOther, res.StatusCode, "the old token no longer opens anything")
	})
	t.Run("throttled as the Desk reports it", func(t *testing.T) {
		b := st.browser()
		var last *http.Response
		var body string
		for range 6 {
			last, body = do(t, b, http.MethodPost, st.srv.URL+"/login", url.Values{"email": {"sam@acme.example"}, "password": {"Wrong-pass-1"}})
		}
		assert.Equal(t, http.StatusTooManyRequests, last.StatusCode)
		assert.Contains(t, body, "Too many attempts for this address")
	})
	t.Run("the access log holds no secret", func(t *testing.T) {
		assert.NotContains(t, st.log.String(), ck.Value)
		assert.NotContains(t, st.log.String(), password)
	})
}

func TestInvitationAndReset(t *testing.T) {
	st := newSite(t)
	ctx := t.Context()
	_, inv, err := st.desk.CreateUser(ctx, st.admin, helpdesk.NewUser{Email: "sam@acme.example", Name: "Sam Agent", Role: tenant.RoleAgent})
	require.NoError(t, err)
	path := strings.TrimPrefix(inv.URL, st.srv.URL)
	require.Equal(t, "/invitation/"+inv.Token, path, "the Desk's link is a back-office page")
	c := st.browser()
	res, body := do(t, c, http.MethodGet, st.srv.URL+path, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, body, "Choose your password")

	res, body = do(t, c, http.MethodPost, st.srv.URL+path, url.Values{"password": {"Agent-pass-1"}, "confirm": {"Agent-pass-2"}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, body, "The two passwords are not the same.")
	res, body = do(t, c, http.MethodPost, st.srv.URL+path, url.Values{"password": {"weak"}, "confirm": {"weak"}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, body, "does not follow the rules")
	res, _ = do(t, c, http.MethodPost, st.srv.URL+path, url.Values{"password": {"Agent-pass-1"}, "confirm": {"Agent-pass-1"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.NotNil(t, sessionCookie(res), "signed in at once")
	res, body = do(t, c, http.MethodGet, st.srv.URL+"/", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, body, "Sam Agent")
	res, body = do(t, st.browser(), http.MethodPost, st.srv.URL+path, url.Values{"password": {"Agent-pass-9"}, "confirm": {"Agent-pass-9"}})
	assert.Equal(t, http.StatusGone, res.StatusCode, "an invitation works once")
	assert.Contains(t, body, "expired or has been used")

	// A forgotten password: the form answers alike for any address.
	b := st.browser()
	_, known := do(t, b, http.MethodPost, st.srv.URL+"/reset-password", url.Values{"email": {"sam@acme.example"}})
	_, unknown := do(t, b, http.MethodPost, st.srv.URL+"/reset-password", url.Values{"email": {"nobody@acme.example"}})
	assert.Contains(t, known, "If the address belongs to an account")
	assert.Contains(t, unknown, "If the address belongs to an account")
	link, err := st.desk.RequestPasswordReset(ctx, st.tenant.ID, "sam@acme.example")
	require.NoError(t, err)
	resetPath := strings.TrimPrefix(link.URL, st.srv.URL)
	require.Equal(t, "/reset-password/"+link.Token, resetPath)
	res, _ = do(t, b, http.MethodPost, st.srv.URL+resetPath, url.Values{"password": {"Agent-pass-2"}, "confirm": {"Agent-pass-2"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, http.StatusSeeOther, st.signIn(t, st.browser(), "sam@acme.example", "Agent-pass-2").StatusCode)
	assert.Equal(t, http.StatusUnauthorized, st.signIn(t, st.browser(), "sam@acme.example", "Agent-pass-1").StatusCode)
}

// decodeDataQR reads the QR code of a page's data: URL image.
func decodeDataQR(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`).FindStringSubmatch(body)
	require.NotNil(t, m, "the page shows a QR code")
	raw, err := base64.StdEncoding.DecodeString(html.UnescapeString(m[1]))
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(raw))
	require.NoError(t, err)
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	require.NoError(t, err)
	res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	require.NoError(t, err)
	return res.GetText()
}

func TestShareLogin(t *testing.T) {
	st := newSite(t)
	laptop := st.browser()
	require.Equal(t, http.StatusSeeOther, st.signIn(t, laptop, "ada@acme.example", password).StatusCode)
	res, body := do(t, laptop, http.MethodPost, st.srv.URL+"/profile/share", url.Values{})
	require.Equal(t, http.StatusOK, res.StatusCode)
	link := decodeDataQR(t, body)
	require.True(t, strings.HasPrefix(link, st.srv.URL+"/share-login/"), link)

	phone := st.browser()
	res, body = do(t, phone, http.MethodGet, link, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Nil(t, sessionCookie(res), "opening the link signs nothing in")
	assert.Contains(t, body, "Sign in here")
	res, _ = do(t, phone, http.MethodPost, link, url.Values{})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.NotNil(t, sessionCookie(res))
	res, body = do(t, phone, http.MethodGet, st.srv.URL+"/", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, body, "Ada Admin", "the phone is signed in as the laptop's person")
	res, _ = do(t, st.browser(), http.MethodPost, link, url.Values{})
	assert.Equal(t, http.StatusGone, res.StatusCode, "a share link works once")

	t.Run("changing the password", func(t *testing.T) {
		res, body := do(t, laptop, http.MethodPost, st.srv.URL+"/profile/password", url.Values{"current": {"nope"}, "password": {"Admin-pass-2"}, "confirm": {"Admin-pass-2"}})
		assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		assert.Contains(t, body, "The current password is not right.")
		res, body = do(t, laptop, http.MethodPost, st.srv.URL+"/profile/password", url.Values{"current": {password}, "password": {"Admin-pass-2"}, "confirm": {"Admin-pass-2"}})
		require.Equal(t, http.StatusOK, res.StatusCode)
		assert.Contains(t, body, "Your password is changed.")
		require.NotNil(t, sessionCookie(res), "this device stays signed in with a fresh session")
		res, _ = do(t, laptop, http.MethodGet, st.srv.URL+"/", nil)
		assert.Equal(t, http.StatusOK, res.StatusCode)
		res, _ = do(t, phone, http.MethodGet, st.srv.URL+"/", nil)
		assert.Equal(t, http.StatusSeeOther, res.StatusCode, "the phone's session ended with the change")
	})
}

func TestNewNeedsTenant(t *testing.T) {
	_, err := backoffice.New(nil, &backoffice.Config{Tenant: backoffice.SingleTenant(uuid.New())})
	assert.Error(t, err)
	st := newSite(t)
	_, err = backoffice.New(st.desk, &backoffice.Config{})
	assert.Error(t, err)
}

// inApp stores an in-app notification for the admin, as the outbox would.
func (st *site) inApp(t *testing.T, subject, link string) *notify.Notification {
	t.Helper()
	return st.inAppFor(t, st.admin, subject, link)
}

// inAppFor puts an in-app notification in a's inbox.
func (st *site) inAppFor(t *testing.T, a tenant.Actor, subject, link string) *notify.Notification {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	n := &notify.Notification{Message: notify.Message{ID: uuid.Must(uuid.NewV7()), TenantID: a.TenantID, Event: notify.TicketRequested,
		Channel: notify.InApp, To: notify.Address{UserID: a.UserID, Name: a.Name}, Language: "en",
		Subject: subject, Text: "Pump 7 alarms.", Link: link}, Status: notify.StatusDelivered, CreatedAt: now, DeliveredAt: &now}
	require.NoError(t, st.store.EnqueueNotifications(t.Context(), []*notify.Notification{n}))
	return n
}

func TestBell(t *testing.T) {
	st := newSite(t)
	c := st.browser()
	require.Equal(t, http.StatusSeeOther, st.signIn(t, c, "ada@acme.example", password).StatusCode)
	_, body := do(t, c, http.MethodGet, st.srv.URL+"/notifications", nil)
	assert.Contains(t, body, "No notifications yet.")

	first := st.inApp(t, "New request T-000001", "/tickets/0194")
	st.inApp(t, "Sneaky", "javascript:alert(1)")
	res, body := do(t, c, http.MethodGet, st.srv.URL+"/", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, body, "2 unread", "the bell's count")
	_, body = do(t, c, http.MethodGet, st.srv.URL+"/notifications", nil)
	assert.Contains(t, body, `<a href="/tickets/0194">New request T-000001</a>`)
	assert.Contains(t, body, "<p>Sneaky</p>", "an unsafe link is left out, not neutered into a dead one")
	assert.NotContains(t, body, "javascript:")

	res, _ = do(t, c, http.MethodPost, st.srv.URL+"/notifications/"+first.ID.String()+"/read", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = do(t, c, http.MethodGet, st.srv.URL+"/", nil)
	assert.Contains(t, body, "1 unread")
	res, _ = do(t, c, http.MethodPost, st.srv.URL+"/notifications/read", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = do(t, c, http.MethodGet, st.srv.URL+"/", nil)
	assert.NotContains(t, body, "unread")

	t.Run("another person's notification is not found", func(t *testing.T) {
		_, _, err := st.desk.CreateUser(t.Context(), st.admin, helpdesk.NewUser{Email: "sam@acme.example", Name: "Sam Agent",
			Role: tenant.RoleAgent, Password: "Agent-pass-1"})
		require.NoError(t, err)
		other := st.inApp(t, "For Ada", "")
		sam := st.browser()
		require.Equal(t, http.StatusSeeOther, st.signIn(t, sam, "sam@acme.example", "Agent-pass-1").StatusCode)
		res, _ := do(t, sam, http.MethodPost, st.srv.URL+"/notifications/"+other.ID.String()+"/read", url.Values{})
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
		_, body := do(t, sam, http.MethodGet, st.srv.URL+"/notifications", nil)
		assert.NotContains(t, body, "For Ada")
		res, _ = do(t, sam, http.MethodPost, st.srv.URL+"/notifications/not-an-id/read", url.Values{})
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
	})
}

// TestDashboardOffers: a new request is offered to the default group's members, who take it
// on from their dashboard; the one who comes second is told it is gone.
func TestDashboardOffers(t *testing.T) {
	st := newSite(t)
	ctx := t.Context()
	var agents []tenant.Actor
	for _, who := range []string{"sam", "alex"} {
		u, _, err := st.desk.CreateUser(ctx, st.admin, helpdesk.NewUser{Email: who + "@acme.example", Name: who, Role: tenant.RoleAgent, Password: "Agent-pass-1"})
		require.NoError(t, err)
		agents = append(agents, tenant.Employee(st.tenant.ID, u.ID, tenant.RoleAgent, u.Name))
	}
	ten, err := st.desk.Tenant(ctx, st.admin)
	require.NoError(t, err)
	teams, err := st.desk.Teams(ctx, st.admin)
	require.NoError(t, err)
	var group *tenant.Team
	for _, tm := range teams {
		if tm.ID == ten.DefaultTeamID {
			group = tm
		}
	}
	require.NotNil(t, group, "every tenant has its default group")
	group.Members = []uuid.UUID{agents[0].UserID, agents[1].UserID}
	group.SupervisorID = st.admin.UserID
	_, err = st.desk.UpdateTeam(ctx, st.admin, group)
	require.NoError(t, err)
	dev, err := st.desk.CreateDevice(ctx, st.admin, helpdesk.NewDevice{Name: "Pump 7"})
	require.NoError(t, err)
	code, err := st.desk.CreateCode(ctx, st.admin, dev.ID, helpdesk.NewCode{})
	require.NoError(t, err)
	page, err := st.desk.OpenCode(ctx, code.Token, "")
	require.NoError(t, err)
	sub, err := st.desk.SubmitTicket(ctx, page.Actor, helpdesk.NewTicket{Title: "Pump alarms", Requester: ticket.Contact{Name: "Nina", Email: "nina@example.com"}})
	require.NoError(t, err)

	sam, alex := st.browser(), st.browser()
	require.Equal(t, http.StatusSeeOther, st.signIn(t, sam, "sam@acme.example", "Agent-pass-1").StatusCode)
	require.Equal(t, http.StatusSeeOther, st.signIn(t, alex, "alex@acme.example", "Agent-pass-1").StatusCode)
	for _, c := range []*http.Client{sam, alex} {
		_, body := do(t, c, http.MethodGet, st.srv.URL+"/", nil)
		assert.Contains(t, body, "Offered to you")
		assert.Contains(t, body, "Pump alarms")
		assert.Contains(t, body, `action="/offers/`+sub.ID.String()+`/accept"`)
	}
	res, _ := do(t, sam, http.MethodPost, st.srv.URL+"/offers/"+sub.ID.String()+"/accept", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	got, err := st.desk.Ticket(ctx, st.admin, sub.ID)
	require.NoError(t, err)
	assert.Equal(t, ticket.StateAssigned, got.State)
	assert.Equal(t, agents[0].UserID, got.AssigneeID)

	res, body := do(t, alex, http.MethodPost, st.srv.URL+"/offers/"+sub.ID.String()+"/accept", url.Values{})
	assert.Equal(t, http.StatusConflict, res.StatusCode)
	assert.Contains(t, body, "Someone else has taken this request on")
	assert.NotContains(t, body, `action="/offers/`+sub.ID.String()+`/accept"`, "the offer is gone from the dashboard")
	assert.Contains(t, body, "The last 30 days")
}

// coreRoutes are signing in and out, the dashboard, the bell and the profile in the walks of
// routes_test.go.
func coreRoutes() module {
	path := func(p string, kv ...string) request {
		return func(*testing.T, *world, string) (string, url.Values) {
			var v url.Values
			if len(kv) > 0 {
				v = url.Values{}
			}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return p, v
		}
	}
	public := func(status int) map[string]int {
		m := every(status)
		m[""] = status
		return m
	}
	// The first of who's own notifications (the other tenant's admin's, customer Y's user's
	// for the foreign case).
	inbox := func(t *testing.T, w *world, a tenant.Actor) string {
		return w.inAppFor(t, a, "Walk of the bell", "/").ID.String()
	}
	return module{
		"GET /login": {target: path("/login"), want: public(200)},
		"POST /login": {target: func(_ *testing.T, _ *world, who string) (string, url.Values) {
			// Each role its own address: five failures in a row for one are throttled.
			return "/login", url.Values{"email": {"nobody-" + who + "@acme.example"}, "password": {"wrong"}}
		}, want: public(401)},
		"POST /logout":            {target: path("/logout", "x", "y"), want: public(303), fresh: true},
		"GET /invitation/{token}": {target: path("/invitation/not-a-token"), want: public(200)},
		"POST /invitation/{token}": {target: path("/invitation/not-a-token", "password", "Pass-word-1", "confirm", "Pass-word-1"),
			want: public(410)},
		"GET /reset-password":         {target: path("/reset-password"), want: public(200)},
		"POST /reset-password":        {target: path("/reset-password", "email", "nobody@acme.example"), want: public(200)},
		"GET /reset-password/{token}": {target: path("/reset-password/not-a-token"), want: public(200)},
		"POST /reset-password/{token}": {target: path("/reset-password/not-a-token", "password", "Pass-word-1", "confirm", "Pass-word-1"),
			want: public(410)},
		"GET /share-login/{token}":  {target: path("/share-login/not-a-token"), want: public(200)},
		"POST /share-login/{token}": {target: path("/share-login/not-a-token", "x", "y"), want: public(410)},
		"GET /{$}":                  {target: path("/"), want: every(200)},
		"POST /offers/{id}/accept": {
			target: func(t *testing.T, w *world, who string) (string, url.Values) {
				return "/offers/" + w.fresh(t, who, "Walk of accept").ID.String() + "/accept", url.Values{}
			},
			want: staff(303, 303, 409),
			foreign: func(t *testing.T, w *world, who string) (string, url.Values) {
				name := "other"
				if who == "customer_user" {
					name = "y"
				}
				return "/offers/" + w.tickets[name].ID.String() + "/accept", url.Values{}
			}},
		"GET /notifications": {target: path("/notifications"), want: every(200)},
		"POST /notifications/{id}/read": {
			target: func(t *testing.T, w *world, who string) (string, url.Values) {
				if who == "" {
					return "/notifications/" + uuid.NewString() + "/read", url.Values{}
				}
				return "/notifications/" + inbox(t, w, w.actors[who]) + "/read", url.Values{}
			},
			want: every(303),
			foreign: func(t *testing.T, w *world, who string) (string, url.Values) {
				a := w.admin2
				if who == "customer_user" {
					a = w.actors["customer_user_y"]
				}
				return "/notifications/" + inbox(t, w, a) + "/read", url.Values{}
			}},
		"POST /notifications/read": {target: path("/notifications/read", "x", "y"), want: every(303)},
		"GET /profile":             {target: path("/profile"), want: every(200)},
		"POST /profile/password": {target: path("/profile/password", "current", "x", "password", "One-pass-1", "confirm", "Two-pass-2"),
			want: every(422)},
		"POST /profile/share":       {target: path("/profile/share", "x", "y"), want: every(200)},
		"POST /profile/preferences": {target: path("/profile/preferences", "language", "en"), want: every(303)},
	}
}
