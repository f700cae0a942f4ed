package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/internal/pgtest"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/video/videotest"
	"github.com/deskkit/helpdesk/web/api"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

const pw = "Api-world-pass-1"

// secretKey signs the world's links.
const secretKey = "the API tests' key, 32 bytes ok!"

// engine opens a fresh migrated store: SQLite in a temporary file, or a PostgreSQL schema of
// its own.
type engine struct {
	name string
	dsn  func(t *testing.T) string
}

var engines = []engine{
	{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "api.db") }},
	{"postgres", func(t *testing.T) string { return pgtest.Schema(t) }},
}

// eachEngine runs fn on SQLite and on PostgreSQL.
func eachEngine(t *testing.T, fn func(t *testing.T, e engine)) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { fn(t, e) })
	}
}

// world is a Desk with two tenants served by the API: in the first, an admin, a moderator,
// a supervisor, agents, and customers X (a customer_admin and two customer users) and Y; in
// the second ("other"), an admin and records of its own, which the first tenant's people must
// never reach. Named records are in ids ("ticket:x"), which paths name as {ticket:x}.
type world struct {
	desk   *helpdesk.Desk
	store  *bunstore.Store
	srv    *httptest.Server
	ten    *tenant.Tenant
	other  *tenant.Tenant
	actors map[string]tenant.Actor
	tokens map[string]string
	ids    map[string]uuid.UUID
	// receiver answers webhook deliveries with 204; bodies name its URL as {receiver}.
	receiver *httptest.Server
	// links are the tokens of codes and links that public paths carry, which paths name as
	// <token:name>; TestIsolation leaves them alone (a token is its own credential).
	links map[string]string
	// video is the Desk's video provider.
	video *videotest.Fake
}

// actorNames are the callers every scenario is run as; "anonymous" sends no credentials.
var actorNames = []string{"admin", "moderator", "supervisor", "agent", "customer_admin", "customer_user", "anonymous"}

func newWorld(t *testing.T, e engine) *world {
	t.Helper()
	ctx := t.Context()
	s := openStore(t, e.dsn(t))
	srv := httptest.NewUnstartedServer(nil)
	vid := videotest.NewFake()
	d, err := helpdesk.New(s, &helpdesk.Config{BaseURL: "http://" + srv.Listener.Addr().String(),
		SecretKeys: [][]byte{[]byte(secretKey)}, Blobs: blob.NewMem(), Video: vid,
		Logger: slog.New(slog.DiscardHandler), MaxConcurrentHashes: 16, AllowPrivateTargets: true, TenantMailer: settingsMailer})
	require.NoError(t, err)
	h, err := api.New(d, &api.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	w := &world{desk: d, store: s, srv: srv, actors: map[string]tenant.Actor{}, tokens: map[string]string{}, ids: map[string]uuid.UUID{},
		links: map[string]string{}, video: vid}
	w.receiver = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(w.receiver.Close)

	w.ten, err = d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Service", Language: "en"})
	require.NoError(t, err)
	w.other, err = d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Other Service", Language: "en"})
	require.NoError(t, err)
	w.person(t, w.ten, "admin", tenant.RoleAdmin, nil)
	w.person(t, w.other, "other_admin", tenant.RoleAdmin, nil)
	admin := w.actors["admin"]
	x, err := d.CreateCustomer(ctx, admin, helpdesk.NewCustomer{Name: "Xylo Works"})
	require.NoError(t, err)
	y, err := d.CreateCustomer(ctx, admin, helpdesk.NewCustomer{Name: "Yarrow Labs"})
	require.NoError(t, err)
	w.ids["customer:x"], w.ids["customer:y"] = x.ID, y.ID
	for _, p := range []struct {
		name string
		role tenant.Role
		cust *tenant.Customer
	}{{"moderator", tenant.RoleModerator, nil}, {"supervisor", tenant.RoleSupervisor, nil},
		{"agent", tenant.RoleAgent, nil}, {"agent2", tenant.RoleAgent, nil},
		{"customer_admin", tenant.RoleCustomerAdmin, x}, {"customer_user", tenant.RoleCustomerUser, x},
		{"customer_user2", tenant.RoleCustomerUser, x}, {"customer_user_y", tenant.RoleCustomerUser, y}} {
		w.person(t, w.ten, p.name, p.role, p.cust)
	}
	// The default group: the supervisor leads it, the first agent is in it.
	ten, err := d.Tenant(ctx, admin)
	require.NoError(t, err)
	teams, err := d.Teams(ctx, admin)
	require.NoError(t, err)
	for _, tm := range teams {
		if tm.ID == ten.DefaultTeamID {
			tm.Members = []uuid.UUID{w.actors["agent"].UserID}
			tm.SupervisorID = w.actors["supervisor"].UserID
			_, err = d.UpdateTeam(ctx, admin, tm)
			require.NoError(t, err)
			w.ids["team:default"] = tm.ID
		}
	}
	sts, err := d.Statuses(ctx, admin)
	require.NoError(t, err)
	for _, st := range sts {
		if st.Default && st.State == ticket.StateOpen {
			w.ids["status:open"] = st.ID
		}
	}
	prs, err := d.Priorities(ctx, admin)
	require.NoError(t, err)
	w.ids["priority:first"] = prs[0].ID
	w.ticket(t, "x", "customer_user", "Xylo pump alarms")
	w.ticket(t, "x2", "customer_user2", "Xylo valve sticks")
	w.ticket(t, "y", "customer_user_y", "Yarrow fridge warm")
	w.ticket(t, "staff", "admin", "Staff case")
	w.ticket(t, "other", "other_admin", "Other tenant's case")
	for _, tk := range []string{"x", "other"} {
		by := map[string]string{"x": "admin", "other": "other_admin"}[tk]
		m, err := d.PostMessage(ctx, w.actors[by], w.ids["ticket:"+tk], helpdesk.NewMessage{Body: "A note on " + tk,
			Attachments: []helpdesk.Upload{{Name: "note-" + tk + ".txt", Body: strings.NewReader("content of " + tk)}}})
		require.NoError(t, err)
		w.ids["message:"+tk] = m.ID
		files, err := d.Attachments(ctx, w.actors[by], w.ids["ticket:"+tk], storage.PageRequest{})
		require.NoError(t, err)
		w.ids["attachment:"+tk] = files.Items[0].ID
	}
	for _, records := range []func(*testing.T, *world){sessionsRecords, catalogRecords, companyRecords, settingsRecords, tokenRecords, webhookRecords} {
		records(t, w)
	}
	return w
}

// openStore opens the store at dsn, migrated, and closes it after the test.
func openStore(t *testing.T, dsn string) *bunstore.Store {
	t.Helper()
	s, err := bunstore.Open(t.Context(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.MigrateUp(t.Context()))
	return s
}

// person creates a user of ten named name, signs them in and keeps their actor and token.
func (w *world) person(t *testing.T, ten *tenant.Tenant, name string, role tenant.Role, cust *tenant.Customer) {
	t.Helper()
	ctx := t.Context()
	nu := helpdesk.NewUser{Email: name + "@example.com", Name: "Name of " + name, Role: role, Password: pw}
	if cust != nil {
		nu.CustomerID = cust.ID
	}
	u, _, err := w.desk.CreateUser(ctx, tenant.SystemFor(ten.ID), nu)
	require.NoError(t, err, name)
	if cust != nil {
		w.actors[name] = tenant.CustomerUser(ten.ID, cust.ID, u.ID, role, u.Name)
	} else {
		w.actors[name] = tenant.Employee(ten.ID, u.ID, role, u.Name)
	}
	w.ids["user:"+name] = u.ID
	w.tokens[name] = w.token(t, name)
}

// token returns an API token for the named person, with every scope: what it may do is what
// the person may.
func (w *world) token(t *testing.T, name string) string {
	t.Helper()
	_, secret, err := w.desk.CreateAPIToken(t.Context(), w.actors[name], helpdesk.NewAPIToken{Name: "Tests",
		Scopes: tenant.ScopeRead | tenant.ScopeWrite | tenant.ScopeAdmin, ExpiresAt: time.Now().Add(30 * 24 * time.Hour)})
	require.NoError(t, err)
	return secret
}

// ticket opens a ticket named name as the named person.
func (w *world) ticket(t *testing.T, name, by, title string) *ticket.Ticket {
	t.Helper()
	s, err := w.desk.SubmitTicket(t.Context(), w.actors[by], helpdesk.NewTicket{Title: title, Description: "About " + title,
		Requester: ticket.Contact{Name: "Req " + name, Email: name + "@req.example"}})
	require.NoError(t, err, name)
	w.ids["ticket:"+name] = s.ID
	return s.Ticket
}

var (
	placeholder = regexp.MustCompile(`\{([a-z_]+:[a-z0-9_]+)\}`)
	linkHolder  = regexp.MustCompile(`<token:([a-z0-9_]+)>`)
)

// expand replaces {kind:name} with the named record's ID, and <token:name> with the named
// public token.
func (w *world) expand(t *testing.T, s string) string {
	t.Helper()
	s = strings.ReplaceAll(s, "{receiver}", w.receiver.URL)
	s = linkHolder.ReplaceAllStringFunc(s, func(m string) string {
		tok, ok := w.links[linkHolder.FindStringSubmatch(m)[1]]
		require.True(t, ok, "no token %s", m)
		return tok
	})
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		id, ok := w.ids[m[1:len(m)-1]]
		require.True(t, ok, "no record %s", m)
		return id.String()
	})
}

// decode reads an answer's JSON body.
func decode[T any](t *testing.T, a answer) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(a.body), &v), a.body)
	return v
}

// answer is a response with its body read.
type answer struct {
	*http.Response
	body string
}

// call sends a request as the named actor ("anonymous": no credentials) and checks the
// answer against the OpenAPI document, whatever its status.
func (w *world) call(t *testing.T, as, method, path, body string, header ...string) answer {
	t.Helper()
	var rd io.Reader
	body = w.expand(t, body)
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, w.srv.URL+api.Prefix+w.expand(t, path), rd)
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok := w.tokens[as]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	conform(t, req, res, b)
	return answer{Response: res, body: string(b)}
}

var (
	docOnce sync.Once
	doc     *openapi3.T
	docErr  error
)

// conform fails the test when an answer does not match the document: an undocumented
// route, status, header or field, or a field of the wrong shape.
func conform(t *testing.T, req *http.Request, res *http.Response, body []byte) {
	t.Helper()
	docOnce.Do(func() {
		var raw []byte
		if raw, docErr = api.Document(); docErr == nil {
			doc, docErr = openapi3.NewLoader().LoadFromData(raw)
		}
	})
	require.NoError(t, docErr)
	route, params := findRoute(req)
	if route == nil {
		require.Contains(t, []int{http.StatusNotFound, http.StatusMethodNotAllowed}, res.StatusCode,
			"%s %s is not in the document", req.Method, req.URL.Path)
		require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
		return
	}
	err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 res.StatusCode, Header: res.Header, Body: io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true}})
	require.NoError(t, err, "%s %s answered %d %s", req.Method, req.URL.Path, res.StatusCode, body)
}

// findRoute finds the document's operation of a request by matching its path against the
// document's templates.
func findRoute(req *http.Request) (*routers.Route, map[string]string) {
	path := strings.TrimPrefix(req.URL.Path, api.Prefix)
	var (
		best   *routers.Route
		params map[string]string
	)
	for tmpl, item := range doc.Paths.Map() {
		ps, ok := matchPath(tmpl, path)
		if !ok {
			continue
		}
		// A literal segment beats a parameter, as in the server's mux.
		if op := item.GetOperation(req.Method); op != nil && (best == nil || len(ps) < len(params)) {
			best, params = &routers.Route{Spec: doc, Path: tmpl, PathItem: item, Method: req.Method, Operation: op}, ps
		}
	}
	return best, params
}

func matchPath(tmpl, path string) (map[string]string, bool) {
	ts, ps := strings.Split(tmpl, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return nil, false
	}
	params := map[string]string{}
	for i := range ts {
		if strings.HasPrefix(ts[i], "{") {
			params[strings.Trim(ts[i], "{}")] = ps[i]
		} else if ts[i] != ps[i] {
			return nil, false
		}
	}
	return params, true
}
