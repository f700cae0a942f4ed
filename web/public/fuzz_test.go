package public_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/web/public"
	"github.com/stretchr/testify/require"
)

// The public forms FuzzPublicForms posts to, by the fuzzed route number.
const (
	routeRequest     = iota // POST /c/{token}/request
	routePIN                // POST /c/{token}/pin
	routeMessage            // POST /requests/{token}/message
	routeResolve            // POST /requests/{token}/resolve
	routeRate               // POST /requests/{token}/rate
	routeTicketRaw          // POST /requests/{token}/{action}, the action fuzzed
	routeTicketCall         // POST /requests/{token}/sessions/{id}/refuse
	routeSession            // POST /sessions/{token}/{action}, the action fuzzed
	routeRequestLink        // POST /request-links/{token} of a fresh link
	routes
)

// FuzzPublicForms posts random forms, and random bodies under a form's content type, to every
// form of the public pages: the request form, the PIN prompt, the requester's ticket page
// (message, resolve, rate and any other action), a session's answer from the ticket page and
// from its e-mail link, and a request link's form. No answer is a server error; a request form
// that is answered with a redirect has opened a ticket that the requester's link shows.
func FuzzPublicForms(f *testing.F) {
	st := newSite(f, &public.Config{LookupsPerMinute: 1e9, LookupBurst: 1 << 30})
	ctx := f.Context()
	// A ticket with a proposed video session, for the ticket page's and the session's forms.
	ticketLink := st.submit(f, url.Values{"title": {"Pump alarms"}, "email": {"nina@northwind.example"}}, nil)
	page, err := st.desk.OpenRequesterLink(ctx, strings.TrimPrefix(ticketLink, "/requests/"))
	require.NoError(f, err)
	_, err = st.desk.Accept(ctx, st.agent, page.Ticket.ID)
	require.NoError(f, err)
	s, err := st.desk.Invite(ctx, st.agent, page.Ticket.ID, helpdesk.Invitation{At: time.Now().Add(time.Hour)})
	require.NoError(f, err)
	sessionLink := "/sessions/" + secret.Link([]byte("the public tests' master key, 32"), "session", s.TenantID, s.ID, page.Ticket.LinkVersion)
	sessionOnPage := ticketLink + "/sessions/" + s.ID.String()

	for _, s := range []struct {
		route                                          uint8
		title, description, name, email, phone, action string
		flags                                          uint8
		raw                                            []byte
	}{
		{routeRequest, "Pump alarms", "Beeps twice", "Nina", "nina@northwind.example", "+4930123456", "", 3, nil},
		{routeRequest, "", "", "", "", "", "", 0, nil},
		{routeRequest, strings.Repeat("T", 300), "d", "n", "not-an-email", "12", "", 1, nil},
		{routeRequest, " \t\n", "\x00", "<script>", "a@b", "+", "", 2, nil},
		{routeRequest, "Alarm", "", "", "x@y.example", "", "", 4, []byte("--B\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nA\r\n--B--\r\n")},
		{routeRequest, "", "", "", "", "", "", 4, []byte("--B\r\nContent-Disposition: form-data; name=\"files\"; filename=\"../x.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--B")},
		{routeRequest, "", "", "", "", "", "", 8, []byte("title=%zz&email=%")},
		{routePIN, "1234", "", "", "", "", "", 0, nil},
		{routePIN, "99119911991199119911", "", "", "", "", "", 0, nil},
		{routeMessage, "", "Hello, is there news?", "", "", "", "", 0, nil},
		{routeMessage, "", "", "", "", "", "", 4, []byte("--B\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n\r\nhi\r\n--B--\r\n")},
		{routeResolve, "", "Fixed, thanks", "", "", "", "", 0, nil},
		{routeRate, "", "Good", "", "", "5", "", 0, nil},
		{routeRate, "", "", "", "", "-9223372036854775809", "", 0, nil},
		{routeTicketRaw, "", "", "", "", "", "reopen", 0, nil},
		{routeTicketRaw, "", "", "", "", "", "call", 0, nil},
		{routeTicketRaw, "", "", "", "", "", "upload", 0, nil},
		{routeTicketCall, "", "Not at that time", "", "", "", "", 0, nil},
		{routeSession, "", "", "", "", "", "accept", 0, nil},
		{routeSession, "", "Too early", "", "", "", "refuse", 0, nil},
		{routeSession, "", "", "", "", "", "join", 0, nil},
		{routeRequestLink, "Alarm", "Since noon", "", "", "", "", 0, nil},
		{routeRequestLink, "", "", "", "", "", "", 0, nil},
	} {
		f.Add(s.route, s.title, s.description, s.name, s.email, s.phone, s.action, s.flags, s.raw)
	}
	f.Fuzz(func(t *testing.T, route uint8, title, description, name, email, phone, action string, flags uint8, raw []byte) {
		form := url.Values{}
		var path string
		switch route % routes {
		case routeRequest, routeRequestLink:
			path = "/c/" + st.code.Token + "/request"
			form = url.Values{"title": {title}, "description": {description}, "name": {name}, "email": {email},
				"phone": {phone}, "type": {action}}
			if flags&1 != 0 {
				form.Set("call", "1")
			}
			if flags&2 != 0 {
				form.Set("terms", "1")
			}
			if route%routes == routeRequestLink {
				sent, err := st.desk.SendRequestLink(ctx, st.admin, st.dev.ID, helpdesk.NewRequestLink{
					Contact: ticket.Contact{Name: "Nina", Email: "nina@northwind.example"}})
				require.NoError(t, err)
				path = "/request-links/" + sent.Token
			}
		case routePIN:
			path, form = "/c/"+st.code.Token+"/pin", url.Values{"pin": {title}}
		case routeMessage:
			path, form = ticketLink+"/message", url.Values{"body": {description}}
		case routeResolve:
			path, form = ticketLink+"/resolve", url.Values{"reason": {description}}
		case routeRate:
			path, form = ticketLink+"/rate", url.Values{"stars": {phone}, "comment": {description}}
		case routeTicketRaw:
			path, form = ticketLink+"/"+url.PathEscape(action), url.Values{"body": {description}, "reason": {description}}
		case routeTicketCall:
			path, form = sessionOnPage+"/refuse", url.Values{"reason": {description}}
		case routeSession:
			path, form = sessionLink+"/"+url.PathEscape(action), url.Values{"reason": {description}}
		}
		res := post(t, st, path, form, flags, raw)
		body := readBody(t, res)
		if res.StatusCode >= 500 {
			t.Fatalf("POST %s %q: %d\n%s", path, form, res.StatusCode, body)
		}
		if (route%routes == routeRequest || route%routes == routeRequestLink) && res.StatusCode == http.StatusSeeOther {
			loc, err := url.Parse(res.Header.Get("Location"))
			require.NoError(t, err)
			if !strings.HasPrefix(loc.Path, "/requests/") {
				t.Fatalf("a submitted request form leads to %s", loc)
			}
			if status, _ := st.get(t, loc.Path); status != http.StatusOK {
				t.Fatalf("the link a submitted request form leads to answers %d", status)
			}
		}
	})
}

// post sends form to path as st.post does, or with flags&4 raw as a multipart body (boundary
// "B"), with flags&8 raw as a URL-encoded body.
func post(t *testing.T, st *site, path string, form url.Values, flags uint8, raw []byte) *http.Response {
	t.Helper()
	var ctype string
	switch {
	case flags&4 != 0:
		ctype = "multipart/form-data; boundary=B"
	case flags&8 != 0:
		ctype = "application/x-www-form-urlencoded"
	default:
		return st.post(t, path, form, nil)
	}
	req, err := http.NewRequest(http.MethodPost, st.srv.URL+path, io.NopCloser(bytes.NewReader(raw)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Origin", st.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := st.client.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { res.Body.Close() })
	return res
}
