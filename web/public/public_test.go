package public_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
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
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/video"
	"github.com/deskkit/helpdesk/video/videotest"
	"github.com/deskkit/helpdesk/web"
	"github.com/deskkit/helpdesk/web/public"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// site is a Desk with one operator, a device with a code, and the public pages served over
// loopback.
type site struct {
	desk   *helpdesk.Desk
	store  *bunstore.Store
	srv    *httptest.Server
	log    *bytes.Buffer
	admin  tenant.Actor
	agent  tenant.Actor
	cust   *tenant.Customer
	dev    *device.Device
	code   *device.Code
	client *http.Client
}

func newSite(t testing.TB, cfg *public.Config) *site {
	t.Helper()
	ctx := t.Context()
	s, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "public.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.MigrateUp(ctx))
	calls := videotest.NewFake()
	d, err := helpdesk.New(s, &helpdesk.Config{SecretKeys: [][]byte{[]byte("the public tests' master key, 32")},
		Blobs: blob.NewMem(), MaxConcurrentHashes: 64, Logger: slog.New(slog.DiscardHandler), Video: calls})
	require.NoError(t, err)
	st := &site{desk: d, store: s, log: &bytes.Buffer{}}
	op, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Service", Language: "en"})
	require.NoError(t, err)
	u, _, err := d.CreateUser(ctx, tenant.SystemFor(op.ID), helpdesk.NewUser{Email: "ada@acme.example", Name: "Ada Admin",
		Role: tenant.RoleAdmin, Password: "Public-test-1"})
	require.NoError(t, err)
	st.admin = tenant.Employee(op.ID, u.ID, tenant.RoleAdmin, u.Name)
	ag, _, err := d.CreateUser(ctx, st.admin, helpdesk.NewUser{Email: "sam@acme.example", Name: "Sam Agent",
		Role: tenant.RoleAgent, Password: "Public-test-1"})
	require.NoError(t, err)
	st.agent = tenant.Employee(op.ID, ag.ID, tenant.RoleAgent, ag.Name)
	group, err := st.store.GetTeam(ctx, op.ID, op.DefaultTeamID)
	require.NoError(t, err)
	group.SupervisorID, group.Members = u.ID, []uuid.UUID{ag.ID}
	_, err = d.UpdateTeam(ctx, st.admin, group)
	require.NoError(t, err)
	st.cust, err = d.CreateCustomer(ctx, st.admin, helpdesk.NewCustomer{Name: "Northwind Hospital"})
	require.NoError(t, err)
	tpl, err := d.CreateTemplate(ctx, st.admin, helpdesk.NewTemplate{Name: "Infusion pump X200",
		Fields: []device.FieldDef{{Key: "firmware", Label: "Firmware", Type: device.FieldText, Public: true},
			{Key: "service_pin", Label: "Service PIN", Type: device.FieldText}},
		Blocks: []device.Block{{Kind: device.BlockFAQ, Title: "The pump beeps twice", Body: "Check the tubing for air."}}})
	require.NoError(t, err)
	st.dev, err = d.CreateDevice(ctx, st.admin, helpdesk.NewDevice{Name: "Pump 7", SerialNumber: "X200-0007",
		TemplateID: tpl.ID, CustomerID: st.cust.ID, Fields: map[string]string{"firmware": "2.4.1", "service_pin": "9911"}})
	require.NoError(t, err)
	st.code = st.newCode(t, helpdesk.NewCode{Actions: []device.Action{device.ActionView, device.ActionOpenTicket,
		device.ActionRequestSession, device.ActionUploadMedia}})
	if cfg == nil {
		cfg = &public.Config{}
	}
	cfg.Logger = slog.New(slog.NewTextHandler(st.log, nil))
	if cfg.Joined == nil {
		cfg.Joined = func(ctx context.Context, room, identity string) error {
			return d.HandleRoomEvent(ctx, video.Event{Kind: video.ParticipantJoined, Room: room, Participant: identity})
		}
		cfg.EndCall = func(ctx context.Context, room string) error {
			if err := calls.EndRoom(ctx, room); err != nil {
				return err
			}
			return d.HandleRoomEvent(ctx, video.Event{Kind: video.RoomEnded, Room: room})
		}
	}
	h, err := public.New(d, cfg)
	require.NoError(t, err)
	st.srv = httptest.NewServer(h)
	t.Cleanup(st.srv.Close)
	jar, _ := cookiejar.New(nil)
	st.client = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return st
}

func (st *site) newCode(t testing.TB, in helpdesk.NewCode) *device.Code {
	t.Helper()
	c, err := st.desk.CreateCode(t.Context(), st.admin, st.dev.ID, in)
	require.NoError(t, err)
	return c
}

// get fetches path and returns the status and body.
func (st *site) get(t testing.TB, path string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, st.srv.URL+path, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := st.client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// post sends a form (multipart when files are given) as a same-origin browser would, and
// returns the response.
func (st *site) post(t testing.TB, path string, form url.Values, files map[string][]byte) *http.Response {
	t.Helper()
	var body io.Reader
	ctype := "application/x-www-form-urlencoded"
	if files != nil {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for k, vs := range form {
			for _, v := range vs {
				require.NoError(t, mw.WriteField(k, v))
			}
		}
		for name, content := range files {
			field, file, _ := strings.Cut(name, ":")
			fw, err := mw.CreateFormFile(field, file)
			require.NoError(t, err)
			_, _ = fw.Write(content)
		}
		require.NoError(t, mw.Close())
		body, ctype = &b, mw.FormDataContentType()
	} else {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(http.MethodPost, st.srv.URL+path, body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Origin", st.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := st.client.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func readBody(t testing.TB, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return string(b)
}

func photo(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 8 {
		img.Set(i, i, color.RGBA{200, 10, 10, 255})
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

// submit posts the request form and returns the requester link's path it redirects to.
func (st *site) submit(t testing.TB, form url.Values, files map[string][]byte) string {
	t.Helper()
	res := st.post(t, "/c/"+st.code.Token+"/request", form, files)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	loc := res.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/requests/"), loc)
	u, err := url.Parse(loc)
	require.NoError(t, err)
	return u.Path
}

func TestDevicePage(t *testing.T) {
	st := newSite(t, nil)
	status, body := st.get(t, "/c/"+st.code.Token)
	assert.Equal(t, http.StatusOK, status)
	for _, want := range []string{"Pump 7", "X200-0007", "Firmware", "2.4.1", "The pump beeps twice", "Report a problem",
		"/c/" + st.code.Token + "/request", web.StaticURL("app.css"), `<span class="brand">Acme Service</span>`} {
		assert.Contains(t, body, want)
	}
	for _, secret := range []string{"Service PIN", "9911", "Northwind"} {
		assert.NotContains(t, body, secret, "a private field or the customer on the public page")
	}

	t.Run("in the visitor's language", func(t *testing.T) {
		_, body := st.get(t, "/c/"+st.code.Token, "Accept-Language", "de-DE,de;q=0.9,en;q=0.5")
		assert.Contains(t, body, `<html lang="de">`)
		assert.NotContains(t, body, "Report a problem")
	})
	t.Run("unknown, inactive and expired codes", func(t *testing.T) {
		status, body := st.get(t, "/c/"+device.NewToken())
		assert.Equal(t, http.StatusNotFound, status)
		assert.Contains(t, body, "This code is unknown")
		off := st.newCode(t, helpdesk.NewCode{})
		_, err := st.desk.SetCodeActive(t.Context(), st.admin, off.ID, false)
		require.NoError(t, err)
		status, body = st.get(t, "/c/"+off.Token)
		assert.Equal(t, http.StatusGone, status)
		assert.Contains(t, body, "no longer in use")
		assert.NotContains(t, body, "Pump 7")
	})
	t.Run("headers", func(t *testing.T) {
		res, err := st.client.Get(st.srv.URL + "/c/" + st.code.Token)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"))
		csp := res.Header.Get("Content-Security-Policy")
		assert.Contains(t, csp, "default-src 'self'")
		assert.NotContains(t, csp, "unsafe-inline")
		assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
		assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	})
}

func TestPINPrompt(t *testing.T) {
	st := newSite(t, nil)
	locked := st.newCode(t, helpdesk.NewCode{PIN: "4711"})
	status, body := st.get(t, "/c/"+locked.Token)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, `name="pin"`)
	assert.NotContains(t, body, "Pump 7", "nothing of the device before the PIN")

	res := st.post(t, "/c/"+locked.Token+"/pin", url.Values{"pin": {"0000"}}, nil)
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Contains(t, readBody(t, res), "does not open the page")

	res = st.post(t, "/c/"+locked.Token+"/pin", url.Values{"pin": {"4711"}}, nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	cookies := res.Cookies()
	require.Len(t, cookies, 1)
	assert.Equal(t, "/c/"+locked.Token, cookies[0].Path, "the PIN goes to the code's pages alone")
	assert.True(t, cookies[0].HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, cookies[0].SameSite)
	assert.False(t, cookies[0].Secure, "a plain-HTTP site cannot keep a Secure cookie")
	status, body = st.get(t, "/c/"+locked.Token)
	assert.Equal(t, http.StatusOK, status, "the PIN is kept for the code's pages")
	assert.Contains(t, body, "Pump 7")
	status, _ = st.get(t, "/c/"+locked.Token+"/request")
	assert.Equal(t, http.StatusOK, status)
}

// TestPINCookieBehindTLS serves the pages over plain HTTP, as behind a proxy that ends TLS: a
// Desk whose BaseURL is https makes the PIN's cookie Secure all the same.
func TestPINCookieBehindTLS(t *testing.T) {
	st := newSite(t, nil)
	locked := st.newCode(t, helpdesk.NewCode{PIN: "4711"})
	d, err := helpdesk.New(st.store, &helpdesk.Config{BaseURL: "https://desk.example.com", SecretKeys: [][]byte{[]byte("the public tests' master key, 32")},
		Blobs: blob.NewMem(), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	h, err := public.New(d, &public.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/c/"+locked.Token+"/pin", strings.NewReader("pin=4711"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusSeeOther, rec.Code)
	cookies := rec.Result().Cookies()
	require.Len(t, cookies, 1)
	assert.True(t, cookies[0].Secure)
}

func TestSubmitAndFollow(t *testing.T) {
	st := newSite(t, nil)
	ctx := t.Context()
	scans := func() int64 {
		c, err := st.store.GetCode(ctx, st.code.TenantID, st.code.ID)
		require.NoError(t, err)
		return c.ScanCount
	}
	before := scans()
	status, _ := st.get(t, "/c/"+st.code.Token)
	require.Equal(t, http.StatusOK, status)
	status, _ = st.get(t, "/c/"+st.code.Token+"/request")
	require.Equal(t, http.StatusOK, status)
	link := st.submit(t, url.Values{"title": {"Pump alarms"}, "description": {"Occlusion alarm."}, "name": {"Nina Nurse"},
		"email": {"nina@northwind.example"}}, map[string][]byte{"photos:alarm.png": photo(t)})

	assert.Equal(t, before+1, scans(), "a visit counts one scan: the form and its submission count none")

	status, body := st.get(t, link+"?new=1")
	require.Equal(t, http.StatusOK, status)
	for _, want := range []string{"Pump alarms", "Occlusion alarm.", "Received, waiting for a technician", "alarm.png"} {
		assert.Contains(t, body, want)
	}
	page, err := st.desk.OpenRequesterLink(ctx, strings.TrimPrefix(link, "/requests/"))
	require.NoError(t, err)
	tk := page.Ticket
	assert.Equal(t, "Nina Nurse", tk.Requester.Name)
	assert.Equal(t, "en", tk.Requester.Language, "the page's language is the requester's")
	files, err := st.desk.Attachments(ctx, st.agent, tk.ID, storage.PageRequest{})
	require.NoError(t, err)
	require.Len(t, files.Items, 1, "the photo came with the request")
	assert.Equal(t, "image/png", files.Items[0].ContentType)

	// Staff answer and wait; the requester replies, which resumes the ticket.
	_, err = st.desk.Accept(ctx, st.agent, tk.ID)
	require.NoError(t, err)
	_, err = st.desk.PostMessage(ctx, st.agent, tk.ID, helpdesk.NewMessage{Body: "Which firmware?"})
	require.NoError(t, err)
	_, err = st.desk.Transition(ctx, st.agent, tk.ID, ticket.EventWait, helpdesk.Change{})
	require.NoError(t, err)
	res := st.post(t, link+"/message", url.Values{"body": {"2.4.1"}}, nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = st.get(t, link)
	assert.Contains(t, body, "Which firmware?")
	assert.Contains(t, body, "2.4.1")
	assert.Contains(t, body, "Being worked on")

	t.Run("an empty message is refused and nothing stored", func(t *testing.T) {
		res := st.post(t, link+"/message", url.Values{"body": {"  "}}, nil)
		assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		assert.Contains(t, readBody(t, res), "Please write a message")
		ms, err := st.desk.Messages(ctx, st.agent, tk.ID, storage.PageRequest{})
		require.NoError(t, err)
		assert.Len(t, ms.Items, 2)
	})
	t.Run("the file is served safely", func(t *testing.T) {
		res, err := st.client.Get(st.srv.URL + link + "/files/" + files.Items[0].ID.String())
		require.NoError(t, err)
		defer res.Body.Close()
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "image/png", res.Header.Get("Content-Type"))
		assert.Contains(t, res.Header.Get("Content-Disposition"), "alarm.png")
		assert.Contains(t, res.Header.Get("Content-Security-Policy"), "sandbox")
	})

	// Done, rated, closed.
	_, err = st.desk.Transition(ctx, st.agent, tk.ID, ticket.EventComplete, helpdesk.Change{})
	require.NoError(t, err)
	_, body = st.get(t, link)
	assert.Contains(t, body, "How satisfied are you?")
	res = st.post(t, link+"/rate", url.Values{"stars": {"9"}}, nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	res = st.post(t, link+"/rate", url.Values{"stars": {"5"}, "comment": {"Quick"}}, nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	got, err := st.desk.Ticket(ctx, st.agent, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, ticket.StateClosed, got.State)
	require.NotNil(t, got.Rating)
	assert.Equal(t, 5, got.Rating.Stars)

	t.Run("the access log holds no secret", func(t *testing.T) {
		logged := st.log.String()
		require.Contains(t, logged, "route=\"GET /requests/{token}\"")
		assert.NotContains(t, logged, st.code.Token)
		assert.NotContains(t, logged, strings.TrimPrefix(link, "/requests/"))
	})
}

func TestRequestFormRefusals(t *testing.T) {
	st := newSite(t, nil)
	ctx := t.Context()
	count := func() int {
		n, err := st.desk.CountTickets(ctx, st.admin, storage.CountFilter{})
		require.NoError(t, err)
		total := 0
		for _, c := range n {
			total += c
		}
		return total
	}
	for _, c := range []struct {
		name   string
		form   url.Values
		status int
		says   string
	}{
		{"no title", url.Values{"email": {"a@b.example"}}, http.StatusUnprocessableEntity, "Please say in a few words"},
		{"no way to reach", url.Values{"title": {"x"}}, http.StatusUnprocessableEntity, "Please give an e-mail address or a phone number"},
		{"bad e-mail", url.Values{"title": {"x"}, "email": {"not-an-address"}}, http.StatusUnprocessableEntity, "does not look like an e-mail"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := st.post(t, "/c/"+st.code.Token+"/request", c.form, nil)
			assert.Equal(t, c.status, res.StatusCode)
			body := readBody(t, res)
			assert.Contains(t, body, c.says)
			assert.Contains(t, body, `value="`+c.form.Get("title")+`"`, "what was entered is kept")
			assert.Zero(t, count(), "nothing stored")
		})
	}
	t.Run("a lapsed support plan", func(t *testing.T) {
		past := time.Now().Add(-time.Hour)
		_, err := st.desk.SetSupportPlan(ctx, st.admin, st.cust.ID, &past)
		require.NoError(t, err)
		res := st.post(t, "/c/"+st.code.Token+"/request", url.Values{"title": {"x"}, "email": {"a@b.example"}}, nil)
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
		body := readBody(t, res)
		assert.Contains(t, body, "Support for this device has ended")
		assert.NotContains(t, body, "Northwind")
		assert.Zero(t, count())
	})
	t.Run("a cross-origin post", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, st.srv.URL+"/c/"+st.code.Token+"/request",
			strings.NewReader(url.Values{"title": {"x"}, "email": {"a@b.example"}}.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		res, err := st.client.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
	})
	t.Run("too large", func(t *testing.T) {
		small := newSite(t, &public.Config{MaxRequestBytes: 1 << 10})
		res := small.post(t, "/c/"+small.code.Token+"/request", url.Values{"title": {"x"}, "email": {"a@b.example"}},
			map[string][]byte{"photos:big.png": bytes.Repeat([]byte{1}, 4<<10)})
		assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
	})
}

func TestTokenGuessingIsLimited(t *testing.T) {
	st := newSite(t, &public.Config{LookupsPerMinute: 60, LookupBurst: 5})
	statuses := map[int]int{}
	for range 8 {
		status, _ := st.get(t, "/c/"+device.NewToken())
		statuses[status]++
	}
	assert.Equal(t, 5, statuses[http.StatusNotFound])
	assert.Equal(t, 3, statuses[http.StatusTooManyRequests])
}

func TestRequesterLinkPages(t *testing.T) {
	st := newSite(t, nil)
	status, body := st.get(t, "/requests/"+device.NewToken())
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, body, "This link does not work")
	link := st.submit(t, url.Values{"title": {"Pump alarms"}, "email": {"nina@northwind.example"}}, nil)
	page, err := st.desk.OpenRequesterLink(t.Context(), strings.TrimPrefix(link, "/requests/"))
	require.NoError(t, err)
	_, err = st.desk.RotateRequesterLink(t.Context(), st.agent, page.Ticket.ID)
	require.NoError(t, err)
	status, _ = st.get(t, link)
	assert.Equal(t, http.StatusNotFound, status, "a rotated link")
	res := st.post(t, link+"/message", url.Values{"body": {"hello?"}}, nil)
	assert.Equal(t, http.StatusNotFound, res.StatusCode)

}

// missingString matches the marker a missing UI string renders as.
var missingString = regexp.MustCompile(`\[[a-z_]+(\.[a-z_]+)+\]`)

// Every page renders in every language without a missing string.
func TestPagesInEveryLanguage(t *testing.T) {
	st := newSite(t, nil)
	ctx := t.Context()
	locked := st.newCode(t, helpdesk.NewCode{PIN: "4711"})
	link := st.submit(t, url.Values{"title": {"Pump alarms"}, "email": {"nina@northwind.example"}}, nil)
	page, err := st.desk.OpenRequesterLink(ctx, strings.TrimPrefix(link, "/requests/"))
	require.NoError(t, err)
	_, err = st.desk.Accept(ctx, st.agent, page.Ticket.ID)
	require.NoError(t, err)
	_, err = st.desk.PostMessage(ctx, st.agent, page.Ticket.ID, helpdesk.NewMessage{Body: "On my way"})
	require.NoError(t, err)
	_, err = st.desk.Transition(ctx, st.agent, page.Ticket.ID, ticket.EventComplete, helpdesk.Change{})
	require.NoError(t, err)
	paths := []string{"/c/" + st.code.Token, "/c/" + st.code.Token + "/request", "/c/" + locked.Token, link,
		"/c/" + device.NewToken(), "/requests/" + device.NewToken(), "/nowhere"}
	for _, lang := range []string{"en", "de", "fr", "es", "pl"} {
		for _, p := range paths {
			_, body := st.get(t, p+"?lang="+lang)
			assert.Contains(t, body, `<html lang="`+lang+`">`, "%s %s", lang, p)
			assert.Empty(t, missingString.FindAllString(body, -1), "%s %s: missing strings", lang, p)
		}
	}
}

// A planned call, answered and joined from the ticket page: accepted, joined (the call goes
// live), ended (the ticket is done), rated.
func TestCallFromTicketPage(t *testing.T) {
	st := newSite(t, nil)
	ctx := t.Context()
	link := st.submit(t, url.Values{"title": {"Pump alarms"}, "email": {"nina@northwind.example"}}, nil)
	page, err := st.desk.OpenRequesterLink(ctx, strings.TrimPrefix(link, "/requests/"))
	require.NoError(t, err)
	id := page.Ticket.ID
	_, err = st.desk.Accept(ctx, st.agent, id)
	require.NoError(t, err)
	s, err := st.desk.Invite(ctx, st.agent, id, helpdesk.Invitation{At: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	base := link + "/sessions/" + s.ID.String()

	_, body := st.get(t, link)
	assert.Contains(t, body, "A time was proposed")
	assert.Contains(t, body, base+"/accept")
	res := st.post(t, base+"/accept", nil, nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	_, body = st.get(t, link)
	assert.Contains(t, body, "Call confirmed")

	res = st.post(t, base+"/join", nil, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	body = readBody(t, res)
	assert.Contains(t, body, "You are in the call")
	assert.Contains(t, body, base+"/end")
	got, err := st.desk.Ticket(ctx, st.agent, id)
	require.NoError(t, err)
	assert.Equal(t, ticket.StateInProgress, got.State, "joining put the call live")

	res = st.post(t, base+"/end", nil, nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	got, err = st.desk.Ticket(ctx, st.agent, id)
	require.NoError(t, err)
	assert.Equal(t, ticket.StateDone, got.State, "the end of the call completes the ticket")
	ended, err := st.desk.Session(ctx, st.agent, s.ID)
	require.NoError(t, err)
	require.NotNil(t, ended.EndedAt)
	_, body = st.get(t, link)
	const stamp = "2006-01-02T15:04:05Z"
	assert.Contains(t, body, `datetime="`+ended.EndedAt.UTC().Format(stamp)+`"`, "an ended call shows when it ended")
	assert.NotContains(t, body, `datetime="`+s.PlannedAt.UTC().Format(stamp)+`"`, "not the time it was planned for")
	assert.NotContains(t, body, "system:", "the system acts as the service desk")
	assert.Contains(t, body, "Service desk:")
	assert.Contains(t, body, "You: Call confirmed", "the requester's own steps are theirs")
	assert.Contains(t, body, `<span class="brand">Acme Service</span>`, "the operator's name on the ticket page too")
	assert.NotContains(t, body, "</time> :", "no step without its author")
	res = st.post(t, link+"/rate", url.Values{"stars": {"4"}}, nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)

	t.Run("another ticket's session", func(t *testing.T) {
		other := st.submit(t, url.Values{"title": {"Other"}, "email": {"o@northwind.example"}}, nil)
		res := st.post(t, other+"/sessions/"+s.ID.String()+"/join", nil, nil)
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
	})
}
