package backoffice_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/web/backoffice"
	"github.com/deskkit/helpdesk/web/public"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// admins expects ok of the admin and 403 of everyone else signed in.
func admins(ok int) map[string]int {
	m := every(http.StatusForbidden)
	m["admin"] = ok
	return m
}

// managers expects ok of the admin and the moderator and 403 of everyone else signed in.
func managers(ok int) map[string]int {
	m := admins(ok)
	m["moderator"] = ok
	return m
}

// unique numbers what the tests create, so that each request of a walk has its own.
var unique atomic.Int64

// version returns the tenant's settings version as an admin reads it now.
func (w *world) version(t *testing.T) string {
	t.Helper()
	ten, err := w.desk.Tenant(t.Context(), w.admin)
	require.NoError(t, err)
	return fmt.Sprint(ten.Version)
}

// notifTemplate saves an SMS template of ticket.done for actor's tenant, in a language of its
// own, with text.
func notifTemplate(t *testing.T, d *helpdesk.Desk, actor tenant.Actor, text string) *notify.Template {
	t.Helper()
	tp, err := d.SaveNotificationTemplate(t.Context(), actor, notify.Template{Event: notify.TicketDone, Channel: notify.SMS,
		Language: fmt.Sprintf("en-t%d", unique.Add(1)), Text: text, Enabled: true})
	require.NoError(t, err)
	return tp
}

// failed stores a failed e-mail notification of tenant tid, with subject.
func failed(t *testing.T, st storage.Store, tid uuid.UUID, subject string) *notify.Notification {
	t.Helper()
	id := uuid.Must(uuid.NewV7())
	now := time.Now().UTC()
	n := &notify.Notification{Message: notify.Message{ID: id, IdempotencyKey: id.String(), TenantID: tid, Event: notify.TicketDone,
		Channel: notify.Email, To: notify.Address{Name: "Tess", Email: "tess@req.example"}, Language: "en", Subject: subject, Text: "Done."},
		Status: notify.StatusFailed, Attempts: 5, LastError: "550 mailbox unavailable", NextAttemptAt: now, CreatedAt: now}
	require.NoError(t, st.EnqueueNotifications(t.Context(), []*notify.Notification{n}))
	return n
}

// defaultSwitches are the event switches' fields as the catalogue switches them on, so that
// the walks' save changes no one else's notifications.
func defaultSwitches() []string {
	var kv []string
	for _, spec := range notify.Catalogue() {
		for _, ch := range spec.Channels {
			kv = append(kv, "ev."+string(spec.Event)+"."+string(ch), "on")
		}
	}
	return kv
}

// settingsRoutes are this module's routes in the walks of routes_test.go.
func settingsRoutes() module {
	plain := func(path string) request {
		return func(*testing.T, *world, string) (string, url.Values) { return path, nil }
	}
	section := func(path string, kv ...string) request {
		return func(t *testing.T, w *world, _ string) (string, url.Values) {
			v := url.Values{"version": {w.version(t)}}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return path, v
		}
	}
	report := func(t *testing.T, w *world, _ string) (string, url.Values) {
		ten, err := w.desk.Tenant(t.Context(), w.admin)
		require.NoError(t, err)
		if ten.Settings.Form.Report == nil {
			_, err = w.desk.SetFormFile(t.Context(), w.admin, ten.Version, helpdesk.FormReport,
				&helpdesk.Upload{Name: "report.txt", Body: strings.NewReader("the report template")})
			require.NoError(t, err)
		}
		return "/company/settings/files/report", nil
	}
	templateForm := func(tp *notify.Template) url.Values {
		return url.Values{"event": {string(tp.Event)}, "channel": {string(tp.Channel)}, "language": {tp.Language},
			"text": {"Walk {{.ticket_ref}}"}, "enabled": {"on"}, "version": {fmt.Sprint(tp.Version)}}
	}
	// onTemplate requests path with {id} as a new template of the tenant's; foreignTemplate
	// as the other tenant's (customer users never see the module: no foreign case for them).
	onTemplate := func(path string, withForm bool) request {
		return func(t *testing.T, w *world, _ string) (string, url.Values) {
			tp := notifTemplate(t, w.desk, w.admin, "Done: {{.ticket_ref}}")
			var v url.Values
			if withForm {
				v = templateForm(tp)
			}
			return strings.ReplaceAll(path, "{id}", tp.ID.String()), v
		}
	}
	foreignTemplate := func(path string, withForm bool) request {
		return func(t *testing.T, w *world, who string) (string, url.Values) {
			if who == "customer_user" {
				return "", nil
			}
			tp := notifTemplate(t, w.desk, w.admin2, "Other tenant's text {{.ticket_ref}}")
			var v url.Values
			if withForm {
				v = templateForm(tp)
			}
			return strings.ReplaceAll(path, "{id}", tp.ID.String()), v
		}
	}
	newTemplate := func(t *testing.T, w *world, _ string) (string, url.Values) {
		return "/company/templates", url.Values{"event": {"ticket.done"}, "channel": {"sms"},
			"language": {fmt.Sprintf("en-w%d", unique.Add(1))}, "text": {"Done {{.ticket_ref}}"}, "enabled": {"on"}}
	}
	retry := func(t *testing.T, w *world, _ string) (string, url.Values) {
		n := failed(t, w.store, w.tenant.ID, "Walk failure")
		return "/company/notifications/" + n.ID.String() + "/retry", url.Values{}
	}
	foreignRetry := func(t *testing.T, w *world, who string) (string, url.Values) {
		if who == "customer_user" {
			return "", nil
		}
		n := failed(t, w.store, w.admin2.TenantID, "Other tenant's failure")
		return "/company/notifications/" + n.ID.String() + "/retry", url.Values{}
	}
	return module{
		"GET /company/settings":            {target: plain("/company/settings"), want: admins(200)},
		"POST /company/settings/events":    {target: section("/company/settings/events", defaultSwitches()...), want: admins(303)},
		"POST /company/settings/durations": {target: section("/company/settings/durations", "dur.offer_timeout", "45", "dur.offer_timeout.unit", "m"), want: admins(303)},
		"POST /company/settings/offer": {target: section("/company/settings/offer", "offer.contact_agent", "on", "offer.media_upload", "on",
			"offer.planning", "on", "offer.invite_email", "on", "offer.invite_sms", "on"), want: admins(303)},
		"POST /company/settings/general":      {target: section("/company/settings/general", "public_access_days", "10"), want: admins(303)},
		"POST /company/settings/form":         {target: section("/company/settings/form", "form.en.welcome", "Hello"), want: admins(303)},
		"POST /company/settings/report":       {target: section("/company/settings/report", "remove", "1"), want: admins(303)},
		"POST /company/settings/branding":     {target: section("/company/settings/branding", "form.accent", "#0b5fff"), want: admins(303)},
		"GET /company/settings/files/report":  {target: report, want: admins(200)},
		"GET /company/templates":              {target: plain("/company/templates"), want: managers(200)},
		"GET /company/templates/new":          {target: plain("/company/templates/new?event=ticket.done&channel=sms&language=de"), want: managers(200)},
		"POST /company/templates":             {target: newTemplate, want: managers(303)},
		"POST /company/templates/preview":     {target: section("/company/templates/preview", "event", "ticket.done", "channel", "sms", "language", "en", "text", "Hi {{.ticket_ref}}"), want: managers(200)},
		"GET /company/templates/{id}":         {target: onTemplate("/company/templates/{id}", false), want: managers(200), foreign: foreignTemplate("/company/templates/{id}", false)},
		"POST /company/templates/{id}":        {target: onTemplate("/company/templates/{id}", true), want: managers(303), foreign: foreignTemplate("/company/templates/{id}", true)},
		"POST /company/templates/{id}/delete": {target: onTemplate("/company/templates/{id}/delete", true), want: managers(303), foreign: foreignTemplate("/company/templates/{id}/delete", true)},
		"GET /company/smtp":                   {target: plain("/company/smtp"), want: admins(200)},
		// The world's Desk has no Config.TenantMailer: own mail servers are unavailable there.
		"POST /company/smtp":                     {target: section("/company/smtp", "host", "smtp.acme.example", "from", "desk@acme.example"), want: admins(503)},
		"POST /company/smtp/delete":              {target: section("/company/smtp/delete"), want: admins(303)},
		"POST /company/smtp/test":                {target: section("/company/smtp/test", "to", "ada@acme.example"), want: admins(422)},
		"GET /company/notifications":             {target: plain("/company/notifications"), want: managers(200)},
		"POST /company/notifications/{id}/retry": {target: retry, want: managers(303), foreign: foreignRetry},
		"GET /company/audit":                     {target: plain("/company/audit?after="), want: managers(200)},
	}
}

func TestSettingsPage(t *testing.T) {
	w := newWorld(t)
	settings := func(t *testing.T) tenant.Settings {
		ten, err := w.desk.Tenant(t.Context(), w.admin)
		require.NoError(t, err)
		return ten.Settings
	}
	v := func(kv ...string) url.Values {
		out := url.Values{"version": {"{v}"}}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	w.runVersioned(t, []scenario{
		{name: "signed out: to the sign-in form", method: "GET", path: "/company/settings", status: http.StatusSeeOther},
		{name: "admin: every section", who: "admin", method: "GET", path: "/company/settings", status: 200,
			contains: []string{`action="/company/settings/events"`, `name="ev.ticket.requested.email" value="on" checked`, `name="ev.ticket.accepted.sms" value="on" checked`,
				`action="/company/settings/durations"`, "Default: 30 min", `<option value="m" selected>`, `action="/company/settings/offer"`, `action="/company/settings/general"`,
				`action="/company/settings/form"`, `name="form.pl.welcome"`, `action="/company/settings/report"`, `action="/company/settings/branding"`,
				`name="logo" type="file" accept="image/png"`, `href="/company/templates"`},
			absent: []string{`name="ev.ticket.requested.sms" value="on" checked`, "[bo."}},
		{name: "a moderator may not change settings", who: "moderator", method: "GET", path: "/company/settings", status: 403,
			absent: []string{`action="/company/settings/events"`}},
		{name: "a customer admin neither", who: "customer_admin", method: "GET", path: "/company/settings", status: 403},
		{name: "event switches", who: "admin", method: "POST", path: "/company/settings/events", form: v("ev.ticket.requested.sms", "on", "ev.ticket.done.email", "on"), status: 303,
			check: func(t *testing.T, w *world) {
				sw := settings(t).Notifications
				assert.True(t, sw.On(notify.TicketRequested, notify.SMS))
				assert.True(t, sw.On(notify.TicketDone, notify.Email))
				assert.False(t, sw.On(notify.TicketRequested, notify.Email), "an unchecked box switches off")
			}},
		{name: "the saved notice, the switches kept", who: "admin", method: "GET", path: "/company/settings?saved=events", status: 200,
			contains: []string{"Saved.", `name="ev.ticket.requested.sms" value="on" checked`}},
		{name: "durations in the reader's units", who: "admin", method: "POST", path: "/company/settings/durations",
			form: v("dur.offer_timeout", "2", "dur.offer_timeout.unit", "h", "dur.max_expiration", "5", "dur.max_expiration.unit", "d", "dur.reminder_before", ""), status: 303,
			check: func(t *testing.T, w *world) {
				d := settings(t).Durations
				assert.Equal(t, 2*time.Hour, d.OfferTimeout)
				assert.Equal(t, 5*24*time.Hour, d.MaxExpiration)
				assert.Zero(t, d.ReminderBefore, "empty keeps the default")
			}},
		{name: "durations shown back in their unit", who: "admin", method: "GET", path: "/company/settings", status: 200,
			contains: []string{`name="dur.offer_timeout" inputmode="numeric" value="2"`, `name="dur.max_expiration" inputmode="numeric" value="5"`}},
		{name: "a duration that is not a number: kept, next to its field", who: "admin", method: "POST", path: "/company/settings/durations",
			form: v("dur.offer_timeout", "soon", "dur.offer_timeout.unit", "m"), status: 422,
			contains: []string{`value="soon" aria-describedby="dur.offer_timeout-hint" aria-invalid="true"`, "Enter a whole number", "Please correct the marked fields."},
			check:    func(t *testing.T, w *world) { assert.Equal(t, 2*time.Hour, settings(t).Durations.OfferTimeout) }},
		{name: "offer", who: "admin", method: "POST", path: "/company/settings/offer", form: v("offer.media_upload", "on", "offer.max_media", "3"), status: 303,
			check: func(t *testing.T, w *world) {
				o := settings(t).EffectiveOffer()
				assert.True(t, o.MediaUpload)
				assert.False(t, o.ContactAgent)
				assert.Equal(t, 3, o.MaxMedia)
			}},
		{name: "general: a bad support link next to its field", who: "admin", method: "POST", path: "/company/settings/general",
			form: v("support_link", "ftp://x", "public_access_days", "12"), status: 422,
			contains: []string{`value="ftp://x" aria-invalid="true"`, "Enter a link starting with http", `value="12"`}},
		{name: "general", who: "admin", method: "POST", path: "/company/settings/general",
			form: v("self_registration", "on", "public_access_days", "12", "notification_retention_days", "30", "quota.files_per_ticket", "7",
				"quota.mb_per_ticket", "100"), status: 303,
			check: func(t *testing.T, w *world) {
				st := settings(t)
				assert.True(t, st.SelfRegistration)
				assert.Equal(t, 12, st.PublicAccessDays)
				assert.Equal(t, 30, st.NotificationRetentionDays)
				assert.Equal(t, 7, st.Quotas.FilesPerTicket)
				assert.Equal(t, int64(100<<20), st.Quotas.BytesPerTicket)
			}},
		{name: "the notification retention shown back", who: "admin", method: "GET", path: "/company/settings", status: 200,
			contains: []string{`name="notification_retention_days" inputmode="numeric" value="30" placeholder="90"`}},
		{name: "a notification retention beyond ten years, next to its field", who: "admin", method: "POST", path: "/company/settings/general",
			form: v("notification_retention_days", "4000"), status: 422,
			contains: []string{`placeholder="90" aria-invalid="true">`, "Enter a whole number from 0 to 3,650."},
			check:    func(t *testing.T, w *world) { assert.Equal(t, 30, settings(t).NotificationRetentionDays) }},
		{name: "the request form", who: "admin", method: "POST", path: "/company/settings/form",
			form: v("form.visibility", "customers", "form.en.welcome", "Welcome to Acme", "form.de.welcome", "Willkommen", "form.types", "Leak\nNoise\n\n",
				"form.terms_url", "https://acme.example/terms", "form.support_email", "help@acme.example"), status: 303,
			check: func(t *testing.T, w *world) {
				f := settings(t).Form
				assert.Equal(t, tenant.VisibilityCustomers, f.Visibility)
				assert.Equal(t, "Welcome to Acme", f.Texts["en"].Welcome)
				assert.Equal(t, "Willkommen", f.Texts["de"].Welcome)
				assert.Equal(t, []string{"Leak", "Noise"}, f.Types)
				assert.Equal(t, "help@acme.example", f.SupportEmail)
			}},
		{name: "a bad support e-mail, the input kept", who: "admin", method: "POST", path: "/company/settings/form",
			form: v("form.en.welcome", "Changed welcome", "form.support_email", "nobody"), status: 422,
			contains: []string{"Changed welcome", `value="nobody" aria-invalid="true"`, "Enter an e-mail address."},
			check:    func(t *testing.T, w *world) { assert.Equal(t, "Welcome to Acme", settings(t).Form.Texts["en"].Welcome) }},
		{name: "a stale version is told, the input kept", who: "admin", method: "POST", path: "/company/settings/form",
			form: url.Values{"version": {"1"}, "form.en.welcome": {"Stale welcome"}}, status: 409,
			contains: []string{"Someone changed the settings since you opened this page", "Stale welcome"},
			check:    func(t *testing.T, w *world) { assert.Equal(t, "Welcome to Acme", settings(t).Form.Texts["en"].Welcome) }},
		{name: "an accent too light, next to its field", who: "admin", method: "POST", path: "/company/settings/branding", form: v("form.accent", "#ffff00"), status: 422,
			contains: []string{`value="#ffff00"`, "This colour is too light"},
			check:    func(t *testing.T, w *world) { assert.Empty(t, settings(t).Form.Accent) }},
		{name: "an accent", who: "admin", method: "POST", path: "/company/settings/branding", form: v("form.accent", "#0B5FFF"), status: 303,
			check: func(t *testing.T, w *world) { assert.Equal(t, "#0b5fff", settings(t).Form.Accent) }},
		{name: "a moderator's refused input shows no settings", who: "moderator", method: "POST", path: "/company/settings/durations",
			form: v("dur.offer_timeout", "soon"), status: 403, absent: []string{"dur.offer_timeout", "Welcome to Acme"}},
		{name: "a moderator may not save", who: "moderator", method: "POST", path: "/company/settings/form", form: v("form.en.welcome", "Mod"), status: 403,
			check: func(t *testing.T, w *world) { assert.Equal(t, "Welcome to Acme", settings(t).Form.Texts["en"].Welcome) }},
	})

	t.Run("branding images and the report template", func(t *testing.T) {
		c := w.client(t, "admin")
		small := pngOf(t, 10, 10)
		res, body := postFiles(t, c, w.srv.URL+"/company/settings/branding", url.Values{"version": {w.version(t)}, "form.accent": {"#0b5fff"}},
			map[string][]byte{"logo": small})
		assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		assert.Contains(t, body, "This image cannot be used")
		assert.Contains(t, body, `name="logo" type="file" accept="image/png" aria-invalid="true"`)
		assert.Nil(t, settings(t).Form.Logo)

		res, body = postFiles(t, c, w.srv.URL+"/company/settings/branding", url.Values{"version": {"1"}, "form.accent": {"#0b5fff"}},
			map[string][]byte{"logo": pngOf(t, 1024, 680)})
		assert.Equal(t, http.StatusConflict, res.StatusCode, "a stale version")
		assert.Contains(t, body, "Someone changed the settings")
		assert.Nil(t, settings(t).Form.Logo)

		res, _ = postFiles(t, c, w.srv.URL+"/company/settings/branding", url.Values{"version": {w.version(t)}, "form.accent": {"#0b5fff"}},
			map[string][]byte{"logo": pngOf(t, 1024, 680)})
		assert.Equal(t, http.StatusSeeOther, res.StatusCode)
		require.NotNil(t, settings(t).Form.Logo)
		assert.Equal(t, 1024, settings(t).Form.Logo.Width)

		res, _ = postFiles(t, c, w.srv.URL+"/company/settings/branding", url.Values{"version": {w.version(t)}, "form.accent": {"#0b5fff"}, "remove_logo": {"1"}}, nil)
		assert.Equal(t, http.StatusSeeOther, res.StatusCode)
		assert.Nil(t, settings(t).Form.Logo)

		res, _ = postFiles(t, c, w.srv.URL+"/company/settings/report", url.Values{"version": {w.version(t)}},
			map[string][]byte{"report": []byte("%PDF-1.4 the report")})
		assert.Equal(t, http.StatusSeeOther, res.StatusCode)
		require.NotNil(t, settings(t).Form.Report)
		res, body = do(t, c, "GET", w.srv.URL+"/company/settings/files/report", nil)
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "%PDF-1.4 the report", body)
		assert.Contains(t, res.Header.Get("Content-Disposition"), "attachment")
	})
}

// runVersioned runs cases one after the other, each form's version "{v}" replaced with the
// tenant's settings version as it is when the case runs.
func (w *world) runVersioned(t *testing.T, cases []scenario) {
	t.Helper()
	for _, sc := range cases {
		if sc.form.Get("version") == "{v}" {
			f := url.Values{}
			for k, vs := range sc.form {
				f[k] = vs
			}
			f.Set("version", w.version(t))
			sc.form = f
		}
		w.run(t, []scenario{sc})
	}
}

// pngOf draws a PNG of w×h pixels.
func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

// postFiles posts a multipart form with fields and files (field name → content).
func postFiles(t *testing.T, c *http.Client, target string, fields url.Values, files map[string][]byte) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			require.NoError(t, mw.WriteField(k, v))
		}
	}
	for name, data := range files {
		fw, err := mw.CreateFormFile(name, name+".bin")
		require.NoError(t, err)
		_, _ = fw.Write(data)
	}
	require.NoError(t, mw.Close())
	req, err := http.NewRequest("POST", target, &b)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(res.Body)
	return res, out.String()
}

func TestNotificationTemplatesPages(t *testing.T) {
	w := newWorld(t)
	own := notifTemplate(t, w.desk, w.admin, "Done: {{.ticket_ref}}")
	other := notifTemplate(t, w.desk, w.admin2, "Other tenant's text")
	ownPath := "/company/templates/" + own.ID.String()
	tmpl := func(t *testing.T, id uuid.UUID) *notify.Template {
		all, err := w.desk.NotificationTemplates(t.Context(), w.admin, "")
		require.NoError(t, err)
		for _, tp := range all {
			if tp.ID == id {
				return tp
			}
		}
		return nil
	}
	form := func(kv ...string) url.Values {
		v := url.Values{"version": {"1"}, "enabled": {"on"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	long := strings.Repeat("a", 160) + "{{.ticket_ref}}" // 160 + T-000123 (8): two GSM-7 segments
	w.run(t, []scenario{
		{name: "the list: own templates and the new form", who: "moderator", method: "GET", path: "/company/templates", status: 200,
			contains: []string{`href="` + ownPath + `"`, "Work done (rating asked)", `action="/company/templates/new"`, `<option value="request_link.sent">`},
			absent:   []string{other.ID.String()}},
		{name: "a new template from the built-in one, with its preview and segments", who: "admin", method: "GET",
			path: "/company/templates/new?event=ticket.accepted&channel=sms&language=de", status: 200,
			contains: []string{`name="language" value="de"`, `action="/company/templates"`, "T-000123", "SMS segment", `data-encoding="GSM-7"`, "bo-settings.js", `id="t-preview-button"`},
			absent:   []string{`name="subject"`, `name="html"`}},
		{name: "an unknown event", who: "admin", method: "GET", path: "/company/templates/new?event=nope&channel=sms&language=en", status: 404},
		{name: "an e-mail template has a subject and HTML", who: "admin", method: "GET", path: "/company/templates/new?event=ticket.done&channel=email&language=en", status: 200,
			contains: []string{`name="subject"`, `name="html"`, `name="header_image"`, `sandbox`}},
		{name: "the editor of an own template", who: "admin", method: "GET", path: ownPath, status: 200,
			contains: []string{"Done: {{.ticket_ref}}", "Done: T-000123", `action="` + ownPath + `/delete"`, `data-segments="1"`}},
		{name: "another tenant's template is not found", who: "admin", method: "GET", path: "/company/templates/" + other.ID.String(), status: 404,
			absent: []string{"Other tenant"}},
		{name: "a malformed ID", who: "admin", method: "GET", path: "/company/templates/nope", status: 404},
		{name: "preview with JavaScript off: nothing stored, the input kept", who: "admin", method: "POST", path: ownPath,
			form: form("action", "preview", "text", long), status: 200,
			contains: []string{strings.Repeat("a", 160) + "T-000123", `data-segments="2"`, "2 SMS segments (GSM-7, 168 units)"},
			check:    func(t *testing.T, w *world) { assert.Equal(t, "Done: {{.ticket_ref}}", tmpl(t, own.ID).Text) }},
		{name: "the preview fragment: UCS-2 counts", who: "moderator", method: "POST", path: "/company/templates/preview",
			form: url.Values{"event": {"ticket.done"}, "channel": {"sms"}, "language": {"en"}, "text": {"Zażółć {{.ticket_ref}}"}}, status: 200,
			contains: []string{"Zażółć T-000123", `data-encoding="UCS-2"`, "1 SMS segment (UCS-2, 15 units)"}, absent: []string{"<html", "<main"}},
		{name: "the preview fragment: an unknown tag", who: "admin", method: "POST", path: "/company/templates/preview",
			form: url.Values{"event": {"ticket.done"}, "channel": {"sms"}, "language": {"en"}, "text": {"Hi {{.nope}}"}}, status: 422,
			contains: []string{"{{.nope}} is not a tag of this event", "{{.ticket_ref}}"}},
		{name: "the preview is staff's", who: "agent", method: "POST", path: "/company/templates/preview",
			form: url.Values{"event": {"ticket.done"}, "channel": {"sms"}, "language": {"en"}, "text": {"Hi"}}, status: 403},
		{name: "save: an unknown tag next to the field, the input kept", who: "admin", method: "POST", path: ownPath,
			form: form("text", "Bye {{.nope}}"), status: 422,
			contains: []string{"Bye {{.nope}}</textarea>", "is not a tag of this event", `aria-invalid="true"`},
			check:    func(t *testing.T, w *world) { assert.Equal(t, "Done: {{.ticket_ref}}", tmpl(t, own.ID).Text) }},
		{name: "save", who: "moderator", method: "POST", path: ownPath, form: form("text", "Finished: {{.ticket_ref}}"), status: 303,
			check: func(t *testing.T, w *world) {
				tp := tmpl(t, own.ID)
				assert.Equal(t, "Finished: {{.ticket_ref}}", tp.Text)
				assert.True(t, tp.Enabled)
			}},
		{name: "a stale version is told, the input kept", who: "admin", method: "POST", path: ownPath, form: form("text", "Late {{.ticket_ref}}"), status: 409,
			contains: []string{"This template was changed meanwhile", "Late {{.ticket_ref}}</textarea>", `name="version" value="2"`},
			check:    func(t *testing.T, w *world) { assert.Equal(t, "Finished: {{.ticket_ref}}", tmpl(t, own.ID).Text) }},
		{name: "a new one", who: "admin", method: "POST", path: "/company/templates",
			form: url.Values{"event": {"ticket.accepted"}, "channel": {"inapp"}, "language": {"fr"}, "subject": {"Pris en charge"},
				"text": {"{{.ticket_ref}} est pris en charge"}, "link": {"{{.ticket_link}}"}, "enabled": {"on"}}, status: 303,
			check: func(t *testing.T, w *world) {
				all, err := w.desk.NotificationTemplates(t.Context(), w.admin, notify.TicketAccepted)
				require.NoError(t, err)
				require.Len(t, all, 1)
				assert.Equal(t, "Pris en charge", all[0].Subject)
			}},
		{name: "the same again: a conflict, kept", who: "admin", method: "POST", path: "/company/templates",
			form: url.Values{"event": {"ticket.accepted"}, "channel": {"inapp"}, "language": {"fr"}, "subject": {"Encore"}, "text": {"Encore"}}, status: 409,
			contains: []string{"Encore</textarea>"}},
		{name: "a moderator edits no account template", who: "moderator", method: "GET", path: "/company/templates/new?event=user.invited&channel=email&language=en", status: 200,
			absent: []string{`value="save"`}},
		{name: "nor saves one", who: "moderator", method: "POST", path: "/company/templates",
			form: url.Values{"event": {"user.invited"}, "channel": {"email"}, "language": {"en"}, "subject": {"Hi"}, "text": {"{{.account_link}}"}}, status: 403},
		{name: "an agent sees no templates", who: "agent", method: "GET", path: "/company/templates", status: 403},
		{name: "delete: the built-in one again", who: "admin", method: "POST", path: ownPath + "/delete", form: url.Values{}, status: 303,
			check: func(t *testing.T, w *world) { assert.Nil(t, tmpl(t, own.ID)) }},
		{name: "another tenant's is not deleted", who: "admin", method: "POST", path: "/company/templates/" + other.ID.String() + "/delete", form: url.Values{}, status: 404,
			check: func(t *testing.T, w *world) {
				all, err := w.desk.NotificationTemplates(t.Context(), w.admin2, "")
				require.NoError(t, err)
				assert.Len(t, all, 1)
			}},
	})
}

// fakeMailer is a tenant's mail server that refuses the sign-in for the password "wrong".
type fakeMailer struct{ s notify.SMTPSettings }

func (m fakeMailer) Send(context.Context, *notify.Message) (notify.Receipt, error) {
	return notify.Receipt{}, nil
}

func (m fakeMailer) Check(_ context.Context, to string) error {
	if m.s.Password == "wrong" {
		return &stepError{step: "auth", err: errors.New("535 5.7.8 authentication failed")}
	}
	return nil
}

type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string      { return e.err.Error() }
func (e *stepError) FailedStep() string { return e.step }

// newSettingsSite is a site whose Desk sends through tenants' own mail servers (a
// fakeMailer's), serving the public pages (web/public) beside the back office when public is
// set, as an application mounts them.
func newSettingsSite(t *testing.T, withPublic bool) *site {
	t.Helper()
	ctx := t.Context()
	s, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "settings.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.MigrateUp(ctx))
	srv := httptest.NewUnstartedServer(nil)
	d, err := helpdesk.New(s, &helpdesk.Config{BaseURL: "http://" + srv.Listener.Addr().String(),
		SecretKeys: [][]byte{[]byte("the back office tests' key, 32 b")}, Blobs: blob.NewMem(), Logger: slog.New(slog.DiscardHandler),
		MaxConcurrentHashes: 16, TenantMailer: func(st notify.SMTPSettings) (notify.Mailer, error) { return fakeMailer{st}, nil }})
	require.NoError(t, err)
	op, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Service", Language: "en"})
	require.NoError(t, err)
	u, _, err := d.CreateUser(ctx, tenant.SystemFor(op.ID), helpdesk.NewUser{Email: "ada@acme.example", Name: "Ada Admin",
		Role: tenant.RoleAdmin, Password: password})
	require.NoError(t, err)
	st := &site{store: s, desk: d, tenant: op, admin: tenant.Employee(op.ID, u.ID, tenant.RoleAdmin, u.Name), log: &bytes.Buffer{}}
	logger := slog.New(slog.NewTextHandler(st.log, nil))
	bo, err := backoffice.New(d, &backoffice.Config{Tenant: backoffice.SingleTenant(op.ID), Logger: logger})
	require.NoError(t, err)
	srv.Config.Handler = bo
	if withPublic {
		pub, err := public.New(d, &public.Config{Logger: logger})
		require.NoError(t, err)
		m := http.NewServeMux()
		m.Handle("/c/", pub)
		m.Handle("/", bo)
		srv.Config.Handler = m
	}
	srv.Start()
	t.Cleanup(srv.Close)
	st.srv = srv
	return st
}

func TestSMTPPage(t *testing.T) {
	st := newSettingsSite(t, false)
	none := &ticket.Attachment{}
	w := &world{site: st, clients: map[string]*http.Client{}, file: none, intFile: none, yFile: none, otherFile: none}
	stored := func(t *testing.T) *tenant.SMTP {
		s, err := st.desk.SMTP(t.Context(), st.admin)
		require.NoError(t, err)
		return s
	}
	server := url.Values{"host": {"smtp.acme.example"}, "port": {"587"}, "security": {"starttls"}, "username": {"desk"},
		"password": {"s3cret-pass"}, "from": {"Acme <desk@acme.example>"}}
	with := func(kv ...string) url.Values {
		v := url.Values{}
		for k, vs := range server {
			v[k] = vs
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	w.run(t, []scenario{
		{name: "none yet", who: "admin", method: "GET", path: "/company/smtp", status: 200,
			contains: []string{"mail server. Set your own here.", `action="/company/smtp/test"`}, absent: []string{`action="/company/smtp/delete"`}},
		{name: "a port that is no number, kept", who: "admin", method: "POST", path: "/company/smtp", form: with("port", "abc"), status: 422,
			contains: []string{`value="abc" placeholder="587" aria-invalid="true"`, `value="smtp.acme.example"`},
			check:    func(t *testing.T, w *world) { assert.Nil(t, stored(t)) }},
		{name: "a sender that is no address, next to its field", who: "admin", method: "POST", path: "/company/smtp", form: with("from", "nobody"), status: 422,
			contains: []string{"Enter the sender as an e-mail address"}},
		{name: "set", who: "admin", method: "POST", path: "/company/smtp", form: server, status: 303,
			check: func(t *testing.T, w *world) {
				s := stored(t)
				require.NotNil(t, s)
				assert.Equal(t, "smtp.acme.example", s.Host)
				assert.True(t, s.PasswordSet)
			}},
		{name: "shown without the password", who: "admin", method: "GET", path: "/company/smtp?done=saved", status: 200,
			contains: []string{"The mail server is saved.", `value="smtp.acme.example"`, "A password is stored", `action="/company/smtp/delete"`},
			absent:   []string{"s3cret-pass"}},
		{name: "an empty password keeps the stored one", who: "admin", method: "POST", path: "/company/smtp", form: with("password", "", "port", "2525"), status: 303,
			check: func(t *testing.T, w *world) {
				s := stored(t)
				assert.Equal(t, 2525, s.Port)
				assert.True(t, s.PasswordSet)
			}},
		{name: "a test send", who: "admin", method: "POST", path: "/company/smtp/test", form: url.Values{"to": {"ada@acme.example"}}, status: 303},
		{name: "a test to no address", who: "admin", method: "POST", path: "/company/smtp/test", form: url.Values{"to": {"ada"}}, status: 422,
			contains: []string{`value="ada" required aria-invalid="true"`}},
		{name: "a wrong password", who: "admin", method: "POST", path: "/company/smtp", form: with("password", "wrong"), status: 303},
		{name: "the test names the step that failed", who: "admin", method: "POST", path: "/company/smtp/test", form: url.Values{"to": {"ada@acme.example"}}, status: 422,
			contains: []string{"the step that failed is signing in (user name and password)", "535 5.7.8 authentication failed"}, absent: []string{"wrong"}},
		{name: "delete", who: "admin", method: "POST", path: "/company/smtp/delete", form: url.Values{}, status: 303,
			check: func(t *testing.T, w *world) { assert.Nil(t, stored(t)) }},
	})
}

func TestFailedNotificationsAndAudit(t *testing.T) {
	w := newWorld(t)
	for i := range 27 {
		failed(t, w.store, w.tenant.ID, fmt.Sprintf("Failure %02d", i))
	}
	agents := failed(t, w.store, w.tenant.ID, "Failure 27")
	last := failed(t, w.store, w.tenant.ID, "Newest failure")
	failed(t, w.store, w.admin2.TenantID, "Other tenant's failure")
	sent := failed(t, w.store, w.tenant.ID, "Delivered fine")
	_, err := w.store.RetryNotification(t.Context(), w.tenant.ID, sent.ID, time.Now().Add(time.Hour)) // pending, not failed
	require.NoError(t, err)
	status := func(t *testing.T, id uuid.UUID) notify.Status {
		n, err := w.store.GetNotification(t.Context(), w.tenant.ID, id)
		require.NoError(t, err)
		return n.Status
	}
	w.run(t, []scenario{
		{name: "failed, newest first, with their error and a retry button", who: "moderator", method: "GET", path: "/company/notifications", status: 200,
			contains: []string{"Newest failure", "550 mailbox unavailable", "5 attempts", "tess@req.example", `action="/company/notifications/` + last.ID.String() + `/retry"`, "after="},
			absent:   []string{"Other tenant", "Failure 00", "Delivered fine"}},
		{name: "a channel filter", who: "admin", method: "GET", path: "/company/notifications?channel=sms", status: 200,
			contains: []string{"No failed notifications.", `<option value="sms" selected>`}, absent: []string{"Newest failure"}},
		{name: "a bad cursor", who: "admin", method: "GET", path: "/company/notifications?after=garbage", status: 422},
		{name: "a supervisor may not see them", who: "supervisor", method: "GET", path: "/company/notifications", status: 403},
		{name: "retry", who: "admin", method: "POST", path: "/company/notifications/" + last.ID.String() + "/retry", form: url.Values{}, status: 303,
			check: func(t *testing.T, w *world) { assert.Equal(t, notify.StatusPending, status(t, last.ID)) }},
		{name: "not twice", who: "admin", method: "POST", path: "/company/notifications/" + last.ID.String() + "/retry", form: url.Values{}, status: 409},
		{name: "an agent may not retry", who: "agent", method: "POST", path: "/company/notifications/" + agents.ID.String() + "/retry", form: url.Values{}, status: 403,
			check: func(t *testing.T, w *world) { assert.Equal(t, notify.StatusFailed, status(t, agents.ID)) }},
		{name: "the audit log shows the retry", who: "moderator", method: "GET", path: "/company/audit", status: 200,
			contains: []string{"notification.retried", "Ada Admin", "customer.created"}, absent: []string{"Other tenant"}},
		{name: "a customer admin sees no audit log", who: "customer_admin", method: "GET", path: "/company/audit", status: 403},
	})

	t.Run("the next page keeps the filter", func(t *testing.T) {
		_, body := do(t, w.client(t, "admin"), "GET", w.srv.URL+"/company/notifications?channel=email", nil)
		m := regexp.MustCompile(`href="(/company/notifications\?[^"]*after=[^"]*)"`).FindStringSubmatch(body)
		require.NotNil(t, m)
		next := strings.ReplaceAll(m[1], "&amp;", "&")
		assert.Contains(t, next, "channel=email")
		_, body = do(t, w.client(t, "admin"), "GET", w.srv.URL+next, nil)
		assert.Contains(t, body, "Failure 00")
		assert.NotContains(t, body, "Newest failure")
	})
}
