package backoffice_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/internal/browsertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An admin words a notification template, watching its preview and SMS segments follow the
// typing, then sets the request form's welcome and the accent colour, and finds both on a
// device's public page.
func TestBrowserSettings(t *testing.T) {
	st := newSettingsSite(t, true)
	ctx := t.Context()
	tpl, err := st.desk.CreateTemplate(ctx, st.admin, helpdesk.NewTemplate{Name: "Pump X200"})
	require.NoError(t, err)
	dev, err := st.desk.CreateDevice(ctx, st.admin, helpdesk.NewDevice{Name: "Pump 7", SerialNumber: "X200-0007", TemplateID: tpl.ID})
	require.NoError(t, err)
	code, err := st.desk.CreateCode(ctx, st.admin, dev.ID, helpdesk.NewCode{Actions: []device.Action{device.ActionView, device.ActionOpenTicket}})
	require.NoError(t, err)

	b := browsertest.New()
	t.Cleanup(b.Close)
	tab := b.Tab(t, st.srv.URL)
	// Pages that are not this test's are only passed through, unchecked: a tab has a minute.
	submit := func(sel string) int {
		t.Helper()
		res, err := chromedp.RunResponse(tab.Context(), chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
		require.NoError(t, err, sel)
		return int(res.Status)
	}
	tab.Do(chromedp.Navigate(st.srv.URL + "/login"))
	tab.Fill("#email", "ada@acme.example")
	tab.Fill("#password", password)
	require.Equal(t, http.StatusOK, submit(`form[action="/login"] button[type=submit]`))

	// The template editor: the built-in SMS, one GSM-7 segment.
	require.Equal(t, http.StatusOK, tab.Visit("template editor", "/company/templates/new?event=ticket.accepted&channel=sms&language=en"))
	assert.Equal(t, "1", browsertest.Eval[string](tab, `document.querySelector(".segments").dataset.segments`))
	assert.Equal(t, "GSM-7", browsertest.Eval[string](tab, `document.querySelector(".segments").dataset.encoding`))
	tab.Do(chromedp.Evaluate[chromedp.Void](`window.samePage = true`))
	tab.Do(chromedp.Clear(chromedp.CSS("#t-text")))
	text := "Żółw gęś jaźń: " + strings.Repeat("ż", 60) + " {{.ticket_ref}}"
	tab.Fill("#t-text", text)
	// The preview follows the typing: a Polish text is UCS-2, longer than 70 units: two parts.
	tab.Do(chromedp.Poll[chromedp.Void](`document.querySelector(".segments")?.dataset.segments === "2"`,
		chromedp.WithPollingTimeout(10*time.Second)))
	assert.Equal(t, "UCS-2", browsertest.Eval[string](tab, `document.querySelector(".segments").dataset.encoding`))
	assert.Contains(t, tab.Text(".preview-text"), "Żółw gęś jaźń")
	assert.Contains(t, tab.Text(".preview-text"), "T-000123")
	assert.Contains(t, tab.Text(".segments"), "2 SMS segments (UCS-2")
	assert.True(t, browsertest.Eval[bool](tab, `window.samePage === true`), "the preview came without a page load")
	tab.Check("live preview")
	require.Equal(t, http.StatusOK, tab.Follow("template saved", `button[value=save]`))
	assert.Contains(t, tab.Text("[role=status]"), "The template is saved.")
	saved, err := st.desk.NotificationTemplates(ctx, st.admin, "")
	require.NoError(t, err)
	require.Len(t, saved, 1)
	assert.Equal(t, text, saved[0].Text)

	// The request form's welcome and the branding's accent colour. The settings page is long:
	// checked once as it opens, its forms are then sent without checking it again each time.
	require.Equal(t, http.StatusOK, tab.Visit("settings", "/company/settings"))
	tab.Fill(`[name="form.en.welcome"]`, "Welcome to Acme's pump service")
	require.Equal(t, http.StatusOK, submit(`#form button[type=submit]`))
	assert.Equal(t, "Saved.", tab.Text("#form [role=status]"))
	tab.Fill(`[name="form.accent"]`, "#0b5fff")
	require.Equal(t, http.StatusOK, submit(`#branding button[type=submit]`))
	assert.Equal(t, "Saved.", tab.Text("#branding [role=status]"))

	// The device's public page, as a visitor opens it, shows both.
	visitor := b.Tab(t, st.srv.URL)
	require.Equal(t, http.StatusOK, visitor.Visit("device page", "/c/"+code.Token))
	assert.Equal(t, "Welcome to Acme's pump service", visitor.Text(".welcome"))
	assert.Equal(t, "#0b5fff", browsertest.Eval[string](visitor, `getComputedStyle(document.documentElement).getPropertyValue("--accent").trim()`))
}

// The other pages of the module, with something on each, pass the checks on a phone: the
// templates list, the mail server with a failed test, failed notifications, the audit log.
func TestBrowserSettingsPages(t *testing.T) {
	st := newSettingsSite(t, false)
	ctx := t.Context()
	notifTemplate(t, st.desk, st.admin, "Done: {{.ticket_ref}}")
	_, err := st.desk.SetSMTP(ctx, st.admin, helpdesk.SMTPInput{Host: "smtp.acme.example", Username: "desk", Password: "wrong", From: "Acme <desk@acme.example>"})
	require.NoError(t, err)
	failed(t, st.store, st.tenant.ID, "Your request T-000042 is done")

	b := browsertest.New()
	t.Cleanup(b.Close)
	tab := b.Tab(t, st.srv.URL)
	tab.Do(chromedp.Navigate(st.srv.URL + "/login"))
	tab.Fill("#email", "ada@acme.example")
	tab.Fill("#password", password)
	res, err := chromedp.RunResponse(tab.Context(), chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`), chromedp.NodeVisible))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, int(res.Status))

	require.Equal(t, http.StatusOK, tab.Visit("templates", "/company/templates"))
	assert.Contains(t, tab.Text(".rows"), "Work done (rating asked)")
	require.Equal(t, http.StatusOK, tab.Visit("mail server", "/company/smtp"))
	tab.Fill("#to", "ada@acme.example")
	assert.Equal(t, http.StatusUnprocessableEntity, tab.Follow("failed test", `form[action="/company/smtp/test"] button`))
	assert.Contains(t, tab.Text("[role=alert]"), "signing in (user name and password)")
	require.Equal(t, http.StatusOK, tab.Visit("failed notifications", "/company/notifications"))
	assert.Contains(t, tab.Text(".rows"), "Your request T-000042 is done")
	assert.Equal(t, http.StatusOK, tab.Follow("retried", `form[action$="/retry"] button`))
	assert.Contains(t, tab.Text("[role=status]"), "will be sent again")
	require.Equal(t, http.StatusOK, tab.Visit("audit log", "/company/audit"))
	assert.Contains(t, tab.Text(".rows"), "notification.retried")

	// The longest words: the settings in Polish and the editor in German, on a phone.
	long := b.Tab(t, st.srv.URL)
	long.Do(chromedp.Navigate(st.srv.URL + "/login"))
	long.Fill("#email", "ada@acme.example")
	long.Fill("#password", password)
	res, err = chromedp.RunResponse(long.Context(), chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`), chromedp.NodeVisible))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, int(res.Status))
	require.Equal(t, http.StatusOK, long.Visit("settings in Polish", "/company/settings?lang=pl"))
	assert.Equal(t, "Ustawienia", long.Text("h1"))
	require.Equal(t, http.StatusOK, long.Visit("e-mail editor in German", "/company/templates/new?event=escalation.completed&channel=email&language=de&lang=de"))
	assert.Contains(t, long.Text("h1"), "Eskalation")
}
