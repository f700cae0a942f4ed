package public_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/web/public"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// submitVia posts the request form of code and returns the requester link's path.
func (st *site) submitVia(t *testing.T, code *device.Code, form url.Values) string {
	t.Helper()
	res := st.post(t, "/c/"+code.Token+"/request", form, nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	u, err := url.Parse(res.Header.Get("Location"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(u.Path, "/requests/"), u.Path)
	return u.Path
}

// setOffer gives the site's tenant the offer o.
func (st *site) setOffer(t *testing.T, o tenant.Offer) {
	t.Helper()
	ten, err := st.desk.Tenant(t.Context(), st.admin)
	require.NoError(t, err)
	s := ten.Settings
	s.Offer = &o
	_, err = st.desk.UpdateSettings(t.Context(), st.admin, ten.Version, s)
	require.NoError(t, err)
}

// The requester's ticket page offers uploads and calls only where the Desk would take them:
// what the ticket's code offers, and the tenant's offer.
func TestTicketPageOffersWhatTheCodeAllows(t *testing.T) {
	fields := url.Values{"title": {"Pump alarms"}, "email": {"nina@northwind.example"}}
	offered := func(t *testing.T, st *site, link string) (upload, call bool) {
		t.Helper()
		status, body := st.get(t, link)
		require.Equal(t, http.StatusOK, status)
		return strings.Contains(body, `action="`+link+`/upload"`), strings.Contains(body, `action="`+link+`/call"`)
	}
	t.Run("a code offering both", func(t *testing.T) {
		st := newSite(t, nil)
		upload, call := offered(t, st, st.submit(t, fields, nil))
		assert.True(t, upload, "upload offered")
		assert.True(t, call, "call offered")
	})
	t.Run("a code offering neither", func(t *testing.T) {
		st := newSite(t, nil)
		code := st.newCode(t, helpdesk.NewCode{Actions: []device.Action{device.ActionView, device.ActionOpenTicket}})
		link := st.submitVia(t, code, fields)
		upload, call := offered(t, st, link)
		assert.False(t, upload, "the code does not offer upload_media")
		assert.False(t, call, "the code does not offer request_session")
		// The Desk refuses them even so.
		res := st.post(t, link+"/call", nil, nil)
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
		res = st.post(t, link+"/upload", nil, map[string][]byte{"files:alarm.png": photo(t)})
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
	})
	t.Run("a code offering uploads alone", func(t *testing.T) {
		st := newSite(t, nil)
		code := st.newCode(t, helpdesk.NewCode{Actions: []device.Action{device.ActionOpenTicket, device.ActionUploadMedia}})
		upload, call := offered(t, st, st.submitVia(t, code, fields))
		assert.True(t, upload)
		assert.False(t, call)
	})
	t.Run("the tenant offers neither", func(t *testing.T) {
		st := newSite(t, nil)
		link := st.submit(t, fields, nil)
		st.setOffer(t, tenant.Offer{})
		upload, call := offered(t, st, link)
		assert.False(t, upload, "Offer.MediaUpload is off")
		assert.False(t, call, "Offer.ContactAgent is off")
		res := st.post(t, link+"/call", nil, nil)
		assert.Equal(t, http.StatusForbidden, res.StatusCode, "ErrNotOffered")
	})
	t.Run("a request link's ticket follows the tenant's offer", func(t *testing.T) {
		st := newSite(t, nil)
		st.setForm(t, tenant.RequestForm{Visibility: tenant.VisibilityInvited})
		sent, err := st.desk.SendRequestLink(t.Context(), st.agent, st.dev.ID, helpdesk.NewRequestLink{
			Contact: ticketContact("Nina Nurse", "nina@northwind.example")})
		require.NoError(t, err)
		status, body := st.get(t, "/request-links/"+sent.Token)
		require.Equal(t, http.StatusOK, status)
		assert.Contains(t, body, `id="photos"`, "photos with the request")
		res := st.post(t, "/request-links/"+sent.Token, url.Values{"title": {"Alarm"}}, nil)
		require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
		link := res.Header.Get("Location")
		link = link[:strings.IndexByte(link, '?')]
		upload, call := offered(t, st, link)
		assert.True(t, upload)
		assert.True(t, call)

		st.setOffer(t, tenant.Offer{ContactAgent: true})
		upload, call = offered(t, st, link)
		assert.False(t, upload, "Offer.MediaUpload is off")
		assert.True(t, call)
		sent, err = st.desk.SendRequestLink(t.Context(), st.agent, st.dev.ID, helpdesk.NewRequestLink{
			Contact: ticketContact("Nina Nurse", "nina@northwind.example")})
		require.NoError(t, err)
		_, body = st.get(t, "/request-links/"+sent.Token)
		assert.NotContains(t, body, `id="photos"`, "no photos with the request either")
	})
}

// Every public page of the tenant shows its branding, served under the page's own secret.
func TestBrandingOnEveryPage(t *testing.T) {
	// Many look-ups, more than one visitor's burst.
	st := newSite(t, &public.Config{LookupBurst: 1000})
	ctx := t.Context()
	st.setForm(t, tenant.RequestForm{Accent: "#0b5fff"})
	for _, f := range []struct {
		which  helpdesk.FormFile
		name   string
		format string
	}{{helpdesk.FormLogo, "logo.png", "png"}, {helpdesk.FormBackground, "background.jpg", "jpeg"}} {
		ten, err := st.desk.Tenant(ctx, st.admin)
		require.NoError(t, err)
		_, err = st.desk.SetFormFile(ctx, st.admin, ten.Version, f.which,
			&helpdesk.Upload{Name: f.name, Body: bytes.NewReader(brandingImage(t, f.format))})
		require.NoError(t, err)
	}

	ticketLink := st.submit(t, url.Values{"title": {"Pump alarms"}, "email": {"nina@northwind.example"}}, nil)
	page, err := st.desk.OpenRequesterLink(ctx, strings.TrimPrefix(ticketLink, "/requests/"))
	require.NoError(t, err)
	_, err = st.desk.Accept(ctx, st.agent, page.Ticket.ID)
	require.NoError(t, err)
	s, err := st.desk.Invite(ctx, st.agent, page.Ticket.ID, helpdesk.Invitation{})
	require.NoError(t, err)
	// The session link as the invitation carries it.
	sessionLink := "/sessions/" + secret.Link([]byte("the public tests' master key, 32"), "session", s.TenantID, s.ID, page.Ticket.LinkVersion)
	sent, err := st.desk.SendRequestLink(ctx, st.agent, st.dev.ID, helpdesk.NewRequestLink{
		Contact: ticketContact("Nina Nurse", "nina@northwind.example")})
	require.NoError(t, err)
	requestLink := "/request-links/" + sent.Token

	for _, c := range []struct{ name, page, base string }{
		{"the device page", "/c/" + st.code.Token, "/c/" + st.code.Token},
		{"the request form", "/c/" + st.code.Token + "/request", "/c/" + st.code.Token},
		{"the ticket page", ticketLink, ticketLink},
		{"the session page", sessionLink, sessionLink},
		{"a request link's form", requestLink, requestLink},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body := st.get(t, c.page)
			require.Equal(t, http.StatusOK, status)
			assert.NotContains(t, body, "style=")
			css := regexpFind(t, body, `href="(`+regexpQuote(c.base)+`/brand\.css\?v=[^"]+)"`)
			logo := regexpFind(t, body, `src="(`+regexpQuote(c.base)+`/brand/logo\?v=[^"]+)"`)

			res, err := st.client.Get(st.srv.URL + css)
			require.NoError(t, err)
			sheet := readBody(t, res)
			require.Equal(t, http.StatusOK, res.StatusCode)
			assert.Equal(t, "text/css; charset=utf-8", res.Header.Get("Content-Type"))
			assert.Contains(t, sheet, "--accent: #0b5fff")
			status, _ = st.get(t, css, "If-None-Match", res.Header.Get("ETag"))
			assert.Equal(t, http.StatusNotModified, status)
			background := regexpFind(t, sheet, `url\("(`+regexpQuote(c.base)+`/brand/background\?v=[^"]+)"\)`)

			for _, f := range []struct{ url, ctype, format string }{{logo, "image/png", "png"}, {background, "image/jpeg", "jpeg"}} {
				res, err := st.client.Get(st.srv.URL + f.url)
				require.NoError(t, err)
				got := readBody(t, res)
				require.Equal(t, http.StatusOK, res.StatusCode, f.url)
				assert.Equal(t, f.ctype, res.Header.Get("Content-Type"))
				assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
				assert.Equal(t, string(brandingImage(t, f.format)), got)
				status, _ := st.get(t, f.url, "If-None-Match", res.Header.Get("ETag"))
				assert.Equal(t, http.StatusNotModified, status)
			}
		})
	}
	t.Run("a wrong secret opens no branding", func(t *testing.T) {
		for _, base := range []string{"/requests/", "/sessions/", "/request-links/", "/c/"} {
			status, _ := st.get(t, base+device.NewToken()+"/brand.css")
			assert.Equal(t, http.StatusNotFound, status, base)
			status, _ = st.get(t, base+device.NewToken()+"/brand/logo")
			assert.Equal(t, http.StatusNotFound, status, base)
		}
		status, _ := st.get(t, ticketLink+"/brand/report")
		assert.Equal(t, http.StatusNotFound, status, "the report template is no branding")
	})
	t.Run("the access log names routes, never secrets", func(t *testing.T) {
		log := st.log.String()
		for _, secret := range []string{st.code.Token, strings.TrimPrefix(ticketLink, "/requests/"),
			strings.TrimPrefix(sessionLink, "/sessions/"), sent.Token} {
			assert.NotContains(t, log, secret)
		}
		assert.Contains(t, log, "/requests/{token}/brand.css")
	})
}

func regexpQuote(s string) string {
	return strings.NewReplacer(".", `\.`, "+", `\+`, "?", `\?`).Replace(s)
}

// TestInvitationEmailLinks opens the accept and refuse links an invitation e-mail carries
// (BASE/sessions/TOKEN/accept, /refuse): the session's page with its buttons, and nothing
// answered by opening a link.
func TestInvitationEmailLinks(t *testing.T) {
	st := newSite(t, nil)
	ctx := t.Context()
	ticketLink := st.submit(t, url.Values{"title": {"Pump alarms"}, "email": {"nina@northwind.example"}}, nil)
	page, err := st.desk.OpenRequesterLink(ctx, strings.TrimPrefix(ticketLink, "/requests/"))
	require.NoError(t, err)
	_, err = st.desk.Accept(ctx, st.agent, page.Ticket.ID)
	require.NoError(t, err)
	s, err := st.desk.Invite(ctx, st.agent, page.Ticket.ID, helpdesk.Invitation{At: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	link := "/sessions/" + secret.Link([]byte("the public tests' master key, 32"), "session", s.TenantID, s.ID, page.Ticket.LinkVersion)
	for _, action := range []string{"accept", "refuse"} {
		status, body := st.get(t, link+"/"+action)
		require.Equal(t, http.StatusOK, status, action)
		assert.Contains(t, body, `action="`+link+`/accept"`, action)
		assert.Contains(t, body, `action="`+link+`/refuse"`, action)
	}
	got, err := st.desk.Session(ctx, st.agent, s.ID)
	require.NoError(t, err)
	assert.Equal(t, ticket.SessionProposed, got.State, "opening a link answers nothing")
	status, _ := st.get(t, link+"/join")
	assert.Equal(t, http.StatusNotFound, status, "only the e-mail's links")
}

// A session's e-mail link answered twice (a double click, a second device) shows the session
// as it stands with the reason the second answer was refused.
func TestSessionLinkAnsweredTwice(t *testing.T) {
	for _, second := range []string{"accept", "refuse"} {
		t.Run(second, func(t *testing.T) {
			st := newSite(t, nil)
			ctx := t.Context()
			ticketLink := st.submit(t, url.Values{"title": {"Pump alarms"}, "email": {"nina@northwind.example"}}, nil)
			page, err := st.desk.OpenRequesterLink(ctx, strings.TrimPrefix(ticketLink, "/requests/"))
			require.NoError(t, err)
			_, err = st.desk.Accept(ctx, st.agent, page.Ticket.ID)
			require.NoError(t, err)
			s, err := st.desk.Invite(ctx, st.agent, page.Ticket.ID, helpdesk.Invitation{At: time.Now().Add(time.Hour)})
			require.NoError(t, err)
			link := "/sessions/" + secret.Link([]byte("the public tests' master key, 32"), "session", s.TenantID, s.ID, page.Ticket.LinkVersion)
			res := st.post(t, link+"/accept", nil, nil)
			require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
			res = st.post(t, link+"/"+second, url.Values{"reason": {"Too early"}}, nil)
			body := readBody(t, res)
			assert.Equal(t, http.StatusConflict, res.StatusCode, body)
			assert.Contains(t, body, "Call confirmed", "the page shows the session as it stands")
		})
	}
}
