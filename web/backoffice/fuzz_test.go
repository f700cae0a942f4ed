package backoffice_test

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/stretchr/testify/require"
)

// fuzzLockout are the routes FuzzBackofficeForms leaves out: those that would sign the
// fuzzing admin out or change their own account.
var fuzzLockout = []string{"POST /logout", "POST /profile/password", "POST /company/users/{id}/role",
	"POST /company/users/{id}/deactivate", "POST /profile/share"}

// FuzzBackofficeForms sends random forms (URL-encoded bodies for POST, query strings for GET)
// to every route of the back office, signed in as an admin, with path parameters naming
// records that exist or random text: the parsers of numbers, dates, lists, rows and QR
// appearances they hold must answer every input with a page (re-rendered with its problems)
// or a redirect, never a server error.
func FuzzBackofficeForms(f *testing.F) {
	st := newSite(f)
	ctx := f.Context()
	c := st.browser()
	require.Equal(f, http.StatusSeeOther, st.signIn(f, c, "ada@acme.example", password).StatusCode)
	cust, err := st.desk.CreateCustomer(ctx, st.admin, helpdesk.NewCustomer{Name: "Northwind"})
	require.NoError(f, err)
	tpl, err := st.desk.CreateTemplate(ctx, st.admin, helpdesk.NewTemplate{Name: "Pump",
		Fields: []device.FieldDef{{Key: "fw", Label: "Firmware", Type: device.FieldText}}})
	require.NoError(f, err)
	dev, err := st.desk.CreateDevice(ctx, st.admin, helpdesk.NewDevice{Name: "Pump 7", TemplateID: tpl.ID, CustomerID: cust.ID})
	require.NoError(f, err)
	code, err := st.desk.CreateCode(ctx, st.admin, dev.ID, helpdesk.NewCode{Actions: []device.Action{device.ActionView, device.ActionOpenTicket}})
	require.NoError(f, err)
	sub, err := st.desk.SubmitTicket(ctx, st.admin, helpdesk.NewTicket{Title: "Pump alarms", Requester: ticket.Contact{Name: "Nina", Email: "nina@northwind.example"}})
	require.NoError(f, err)
	ids := []string{sub.ID.String(), code.ID.String(), dev.ID.String(), cust.ID.String(), tpl.ID.String()}

	var routes []string
	for r := range modules() {
		if !slices.Contains(fuzzLockout, r) {
			routes = append(routes, r)
		}
	}
	slices.Sort(routes)
	index := func(route string) uint8 {
		i := slices.Index(routes, route)
		require.GreaterOrEqual(f, i, 0, route)
		return uint8(i)
	}
	for _, s := range []struct {
		route, form string
		pick        uint8
	}{
		{"POST /templates", "name=Pump&fields=2&field.0.key=fw&field.0.label=Firmware&field.0.type=select&field.0.options=a%0Ab&blocks=1&block.0.kind=link&block.0.url=http://x", 0},
		{"POST /templates/{id}", "name=Pump&version=-1&fields=99999999999999999999&blocks=-3", 4},
		{"POST /devices", "name=P&template=" + tpl.ID.String() + "&customer=nope&field.fw=1", 0},
		{"POST /codes", "device=" + dev.ID.String() + "&action=view&action=view&action=bogus&expires=2027-02-30", 0},
		{"POST /codes/{id}", "action=view&expires=31/01/2027&fg=%23000000&bg=%23FFFFFF&size=99999999999999999999&quiet=-1&ec=Z&logo_size=1e3&pin=12", 1},
		{"POST /codes/{id}/preview", "action=view&fg=%23123&bg=white&size=64&quiet=16&ec=H&logo_size=25", 1},
		{"GET /codes/{id}/qr.png", "size=4096&fg=%23000000&bg=%23ffffff&ec=L&quiet=4", 1},
		{"GET /codes/{id}/qr.svg", "size=-5&fg=%23zzzzzz&logo_size=99", 1},
		{"POST /customers/{id}/plan", "until=2026-13-01&plan=gold", 3},
		{"POST /company/webhooks", "url=http://127.0.0.1:1/x&event=ticket.closed&event=bogus&all=off", 0},
		{"POST /company/statuses", "name=&state=open&color=%23zz", 0},
		{"POST /company/priorities", "name=Urgent&level=-99999999999999999999", 0},
		{"POST /company/settings", "language=xx&time_zone=Mars%2FOlympus&auto_close_days=-1", 0},
		{"GET /tickets", "state=open&state=bogus&from=2026-01-01&to=yesterday&customer=nope&page=-1&q=%00", 0},
		{"GET /tickets/{id}", "page=99999999999999999999", 0},
		{"GET /company/audit", "from=2026-02-30&before=x&limit=-1", 0},
		{"GET /sessions", "from=2026-01-01T25:00&state=x", 0},
		{"POST /tickets/{id}/messages", "body=Hello&internal=1", 0},
		{"POST /login", "email=a%00b@acme.example&password=x", 0},
		{"POST /reset-password", "email=%ff", 0},
		{"POST /company/templates", "event=comment.added&channel=email&language=en&subject=s&text=t&html=%3Ca+href%3D%22%7B%7B.ticket_link%7D%7D", 0},
	} {
		if slices.Contains(routes, s.route) {
			f.Add(index(s.route), s.form, s.pick, "")
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, form string, pick uint8, param string) {
		route := routes[int(which)%len(routes)]
		method, path, _ := strings.Cut(route, " ")
		for strings.Contains(path, "{") {
			i, j := strings.Index(path, "{"), strings.Index(path, "}")
			v := param
			if int(pick)%(len(ids)+1) < len(ids) {
				v = ids[int(pick)%(len(ids)+1)]
			}
			path = path[:i] + url.PathEscape(v) + path[j+1:]
		}
		path = strings.Replace(path, "{$}", "", 1)
		var body io.Reader
		target := st.srv.URL + path
		if method == http.MethodGet {
			target += "?" + form
		} else {
			body = strings.NewReader(form)
		}
		req, err := http.NewRequestWithContext(t.Context(), method, target, body)
		if err != nil {
			return // not a request a client can send
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		res, err := c.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s %q: %d\n%s", method, path, form, res.StatusCode, b)
		}
	})
}
