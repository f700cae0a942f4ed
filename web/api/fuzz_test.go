package api_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/video/videotest"
	"github.com/deskkit/helpdesk/web/api"
	"github.com/stretchr/testify/require"
)

// fuzzSkipped are the operations FuzzAPIBodies leaves out: those that reach out to a server
// the body names (a mail server's or a webhook's test, a replay), and those that would lock
// the fuzzing admin out (their own role, account or token).
var fuzzSkipped = map[string]bool{"testMailServer": true, "testWebhook": true, "replayWebhookDelivery": true,
	"editUser": true, "deactivateUser": true, "revokeAPIToken": true}

// FuzzAPIBodies sends random JSON bodies, Content-Types, If-Match and Idempotency-Key headers
// and path parameters to every operation that takes a body (POST, PUT, PATCH), as an admin's
// API token or without credentials on public paths. Every answer is a success or a problem
// (application/problem+json whose status is the answer's) other than 500; If-Match's reader
// gives back the version of every ETag the API writes.
func FuzzAPIBodies(f *testing.F) {
	ctx := f.Context()
	s, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(f.TempDir(), "fuzz.db"))
	require.NoError(f, err)
	f.Cleanup(func() { _ = s.Close() })
	require.NoError(f, s.MigrateUp(ctx))
	d, err := helpdesk.New(s, &helpdesk.Config{BaseURL: "http://desk.example", SecretKeys: [][]byte{[]byte(secretKey)},
		Blobs: blob.NewMem(), Video: videotest.NewFake(), Logger: slog.New(slog.DiscardHandler), MaxConcurrentHashes: 16,
		TenantMailer: settingsMailer})
	require.NoError(f, err)
	h, err := api.New(d, &api.Config{Logger: slog.New(slog.DiscardHandler), MaxBody: 64 << 10, MaxUpload: 64 << 10})
	require.NoError(f, err)
	ten, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Service", Language: "en"})
	require.NoError(f, err)
	u, _, err := d.CreateUser(ctx, tenant.SystemFor(ten.ID), helpdesk.NewUser{Email: "admin@example.com", Name: "Ada Admin",
		Role: tenant.RoleAdmin, Password: pw})
	require.NoError(f, err)
	admin := tenant.Employee(ten.ID, u.ID, tenant.RoleAdmin, u.Name)
	_, bearer, err := d.CreateAPIToken(ctx, admin, helpdesk.NewAPIToken{Name: "Fuzz",
		Scopes: tenant.ScopeRead | tenant.ScopeWrite | tenant.ScopeAdmin, ExpiresAt: time.Now().Add(24 * time.Hour)})
	require.NoError(f, err)
	sub, err := d.SubmitTicket(ctx, admin, helpdesk.NewTicket{Title: "Pump alarms", Description: "Beeps",
		Requester: ticket.Contact{Name: "Nina", Email: "nina@northwind.example"}})
	require.NoError(f, err)
	// Path parameters: a record that exists, the admin, and the requester's token.
	ids := []string{sub.ID.String(), u.ID.String(), sub.RequesterToken}

	var ops []api.Op
	for _, o := range api.Ops() {
		if o.Method != http.MethodGet && o.Method != http.MethodDelete && !fuzzSkipped[o.ID] {
			ops = append(ops, o)
		}
	}
	byID := map[string]uint8{}
	for i, o := range ops {
		byID[o.ID] = uint8(i)
	}
	for _, s := range []struct {
		op                   string
		body, ctype, ifMatch string
		param, idem          string
	}{
		{"createTicket", `{"title":"Alarm","requester":{"name":"Nina","email":"nina@northwind.example"}}`, "application/json", "", "", "k1"},
		{"createTicket", `{"title":1}`, "application/json", "", "", ""},
		{"createTicket", `{"title":"x","nope":true}`, "", "", "", ""},
		{"createTicket", `{"title":"x"}{"title":"y"}`, "application/json", "", "", ""},
		{"createTicket", `[`, "application/json; charset=utf-8", "", "", ""},
		{"createTicket", `{"title":"x"}`, "text/plain", "", "", ""},
		{"createTicket", `{"title":"x"}`, "application/json; =", "", "", ""},
		{"editTicket", `{"title":"New title"}`, "application/json", `"1"`, "", ""},
		{"editTicket", `{"title":"New title"}`, "application/json", `W/"1"`, "", ""},
		{"editTicket", `{"title":"New title"}`, "application/json", `"-1"`, "", ""},
		{"editTicket", `{"title":"New title"}`, "application/json", `"99999999999999999999"`, "", ""},
		{"editTicket", `{"priority_id":"not-a-uuid","due_at":"yesterday"}`, "application/json", "*", "", ""},
		{"postMessage", `{"body":"Hello","attachments":[{"name":"a.txt","content":"aGk="}]}`, "application/json", "", "", ""},
		{"postMessage", `{"body":"Hello","attachments":[{"name":"a.txt","content":"!!"}]}`, "application/json", "", "", ""},
		{"fireTicketEvent", `{"event":"close","reason":"done"}`, "application/json", "", "", ""},
		{"uploadMedia", "\x89PNG\r\n\x1a\n", "image/png", "", "", ""},
		{"setTicketStatus", `{"status_id":"00000000-0000-0000-0000-000000000000"}`, "application/json", "", "x", ""},
		{"inviteToSession", `{"at":"2026-13-45T25:61:00Z"}`, "application/json", "", "", ""},
		{"openTicketByCode", `{"title":"x"}`, "application/json", "", "", ""},
		{"postRequesterMessage", `{"body":"Hi"}`, "application/json", "", "", ""},
		{"createWebhook", `{"url":"http://127.0.0.1:1/x","events":["ticket.closed"]}`, "application/json", "", "", ""},
		{"updateSettings", `{"language":"xx","time_zone":"Mars/Olympus"}`, "application/json", "", "", ""},
		{"createNotificationTemplate", `{"event":"comment.added","channel":"email","language":"en","subject":"s","text":"t","html":"<a href=\"{{.ticket_link}}"}`, "application/json", "", "", ""},
		{"previewNotificationTemplate", `{"event":"comment.added","channel":"sms","language":"en","text":"{{.comment}}"}`, "application/json", "", "", ""},
		{"createAPIToken", `{"name":"t","scopes":["read"],"expires_at":"9999-12-31T23:59:59Z"}`, "application/json", "", "", ""},
		{"createStatus", `{"name":"","state":"open"}`, "application/json", "", "", "\x00"},
		{"setSupportPlan", `{"until":"2026-01-01T00:00:00+25:00"}`, "application/json", "", "", ""},
		{"createDevice", `{"name":"P","template_id":null,"fields":{"a":1}}`, "application/json", "", "", ""},
		{"createCode", `{"actions":["view"],"appearance":{"size":-1,"foreground":"#zzzzzz"}}`, "application/json", "", "", ""},
	} {
		i, ok := byID[s.op]
		require.True(f, ok, s.op)
		f.Add(i, []byte(s.body), s.ctype, s.ifMatch, s.param, s.idem, uint8(0))
	}
	for _, v := range []int64{1, 2, 41, 1 << 40} {
		f.Add(byID["editTicket"], []byte(`{}`), "", api.ETagOf(v), "", "", uint8(0))
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte, ctype, ifMatch, param, idem string, pick uint8) {
		if v, anyVersion, err := api.ParseIfMatch(ifMatch); err == nil && !anyVersion {
			if got, _, err := api.ParseIfMatch(api.ETagOf(v)); err != nil || got != v {
				t.Fatalf("If-Match %q reads as %d, whose ETag %s reads as %d, %v", ifMatch, v, api.ETagOf(v), got, err)
			}
		}
		o := ops[int(which)%len(ops)]
		path := o.Path
		for strings.Contains(path, "{") {
			i, j := strings.Index(path, "{"), strings.Index(path, "}")
			v := param
			if pick%4 < 3 {
				v = ids[int(pick)%len(ids)]
			}
			path = path[:i] + url.PathEscape(v) + path[j+1:]
			pick /= 4
		}
		req := httptest.NewRequestWithContext(t.Context(), o.Method, "http://desk.example"+api.Prefix+path, bytes.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		if idem != "" {
			req.Header.Set("Idempotency-Key", idem)
		}
		if !strings.HasPrefix(o.Path, "/public/") {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		res := rec.Result()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s (%q, If-Match %q, Idempotency-Key %q) %q: %d %s", o.Method, path, ctype, ifMatch, idem, body, res.StatusCode, rec.Body)
		}
		if res.StatusCode >= 400 {
			var p api.Problem
			if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("%s %s: %d answered as %q: %s", o.Method, path, res.StatusCode, ct, rec.Body)
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != res.StatusCode || p.Code == "" {
				t.Fatalf("%s %s: %d with problem %s (%v)", o.Method, path, res.StatusCode, rec.Body, err)
			}
		}
	})
}
