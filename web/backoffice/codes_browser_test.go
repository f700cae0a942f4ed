package backoffice_test

import (
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/internal/browsertest"
	"github.com/deskkit/helpdesk/web/public"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// setInput sets a field's value as a person's choice would and fires its input and change
// events (a colour picker or a select cannot be typed into).
func setInput(t *testing.T, tab *browsertest.Tab, id, value string) {
	t.Helper()
	browsertest.Eval[bool](tab, `(() => { const e = document.getElementById(`+jsString(id)+`); e.value = `+jsString(value)+`;
		e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`)
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// waitFor polls a JavaScript condition until it holds or the time is up.
func waitFor(t *testing.T, tab *browsertest.Tab, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !browsertest.Eval[bool](tab, cond) {
		if time.Now().After(deadline) {
			t.Fatalf("browser: waited in vain for %s (%s)", what, cond)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// An admin configures a code's QR image in the browser: the live preview follows the colours,
// the error-correction level and an uploaded logo; saved, the downloaded PNG decodes with the
// new level, and the code's URL opens the device's page. Every page passes axe at phone width.
func TestBrowserCodeConfigurator(t *testing.T) {
	w := newWorld(t)
	c := w.code(t, "Xylo pump", false, helpdesk.NewCode{Actions: []device.Action{device.ActionView, device.ActionOpenTicket}})
	pub, err := public.New(w.desk, &public.Config{})
	require.NoError(t, err)
	bo := w.srv.Config.Handler
	mux := http.NewServeMux()
	mux.Handle("/", bo)
	mux.Handle("/c/", pub)
	w.srv.Config.Handler = mux // the public pages beside the back office, as an application mounts them

	b := browsertest.New()
	t.Cleanup(b.Close)
	tab := b.Tab(t, w.srv.URL)
	require.Equal(t, http.StatusOK, tab.Visit("sign in", "/login?next=/codes"))
	tab.Fill("#email", "ada@acme.example")
	tab.Fill("#password", password)
	require.Equal(t, http.StatusOK, tab.Follow("codes", "form button[type=submit]"))
	assert.Contains(t, tab.Text("main"), "Xylo pump")
	require.Equal(t, http.StatusOK, tab.Visit("new code", "/codes/new?device="+c.DeviceID.String()))
	require.Equal(t, http.StatusOK, tab.Visit("customers", "/customers"))
	require.Equal(t, http.StatusOK, tab.Visit("customer", "/customers/"+w.x.ID.String()))
	require.Equal(t, http.StatusOK, tab.Visit("projects", "/projects"))

	base := "/codes/" + c.ID.String()
	require.Equal(t, http.StatusOK, tab.Visit("code", base))
	before := browsertest.Eval[string](tab, `document.getElementById("qr-preview").src`)
	require.Contains(t, before, base+"/qr.png", "the saved image at first")

	// An unscannable choice is told next to its field, and the preview is not replaced.
	setInput(t, tab, "fg", "#dddddd")
	waitFor(t, tab, "the contrast problem", `!document.getElementById("problem-foreground").hidden`)
	assert.Contains(t, tab.Text("#problem-foreground"), "Too little contrast")
	assert.Equal(t, before, browsertest.Eval[string](tab, `document.getElementById("qr-preview").src`))

	setInput(t, tab, "fg", "#1b3a5c")
	setInput(t, tab, "bg", "#f5e9c8")
	setInput(t, tab, "ec", "H")
	logo := filepath.Join(t.TempDir(), "logo.png")
	require.NoError(t, os.WriteFile(logo, logoPNG(t, 96, 96), 0o600))
	tab.Upload("#logo", logo)
	waitFor(t, tab, "the live preview", `document.getElementById("qr-preview").src.startsWith("data:image/png")`+
		` && document.getElementById("problem-foreground").hidden && !document.getElementById("code-form").hasAttribute("aria-busy")`)
	src := browsertest.Eval[string](tab, `document.getElementById("qr-preview").src`)
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, "data:image/png;base64,"))
	require.NoError(t, err)
	text, level := decodePNG(t, raw)
	assert.Equal(t, w.desk.CodeURL(c.Token), text)
	assert.Equal(t, "H", level, "the preview draws the chosen level")
	assert.Contains(t, browsertest.Eval[string](tab, `document.getElementById("download-png").href`), "ec=H", "the downloads follow")
	assert.Equal(t, device.CorrectionMedium, w.getCode(t, c.ID.String()).Appearance.Correction, "nothing saved yet")
	tab.Check("live preview")

	require.Equal(t, http.StatusOK, tab.Follow("saved", "#code-form button.primary"))
	assert.Contains(t, tab.Text("[role=status]"), "The code is saved.")
	saved := w.getCode(t, c.ID.String())
	assert.Equal(t, device.CorrectionHigh, saved.Appearance.Correction)
	assert.Equal(t, "#1b3a5c", saved.Appearance.Foreground)
	assert.NotEmpty(t, saved.Appearance.Logo)

	// The download, as the browser fetches it with the signed-in session.
	png := browsertest.Eval[string](tab, `fetch(document.getElementById("download-png").href).then(r => r.arrayBuffer()).then(b => {
		let s = ""; for (const x of new Uint8Array(b)) s += String.fromCharCode(x); return btoa(s); })`)
	raw, err = base64.StdEncoding.DecodeString(png)
	require.NoError(t, err)
	text, level = decodePNG(t, raw)
	assert.Equal(t, w.desk.CodeURL(c.Token), text)
	assert.Equal(t, "H", level)

	// The code's URL opens the device's public page.
	href := browsertest.Eval[string](tab, `document.querySelector(".code-url a").href`)
	require.Equal(t, w.desk.CodeURL(c.Token), href)
	require.Equal(t, http.StatusOK, tab.Visit("device page", strings.TrimPrefix(href, w.srv.URL)))
	loc, err := chromedp.Run(tab.Context(), chromedp.Location())
	require.NoError(t, err)
	assert.Equal(t, href, loc)
	assert.Equal(t, "Xylo pump", tab.Text("h1"))
}
