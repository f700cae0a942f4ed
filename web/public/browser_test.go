package public_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/internal/browsertest"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// browser is the one chromium of this test binary; each browser test opens tabs of its own.
var browser = browsertest.New()

func TestMain(m *testing.M) {
	code := m.Run()
	browser.Close()
	os.Exit(code)
}

// Selectors of what the pages show and offer.
const (
	selState    = ".state strong"
	selStatus   = "[role=status]"
	selAlert    = "[role=alert]"
	openRequest = `.actions a.button.primary[href$="/request"]`
	sendRequest = `form[action$="/request"] button[type=submit]`
)

// photoFile writes a small PNG to a temporary file for a file input, and returns its path.
func photoFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "alarm.png")
	require.NoError(t, os.WriteFile(path, photo(t), 0o600))
	return path
}

// fillRequest fills the request form as a requester would, with a photo.
func fillRequest(t *testing.T, tab *browsertest.Tab, title string) {
	t.Helper()
	tab.Fill("#title", title)
	tab.Fill("#description", "The occlusion alarm sounds every ten minutes.")
	tab.Fill("#name", "Nina Nurse")
	tab.Fill("#email", "nina@northwind.example")
	tab.Upload("#photos", photoFile(t))
}

// requesterLink returns the ticket behind the requester link the tab shows.
func requesterLink(t *testing.T, st *site, tab *browsertest.Tab) (string, *ticket.Ticket) {
	t.Helper()
	loc, err := chromedp.Run(tab.Context(), chromedp.Location())
	require.NoError(t, err)
	u, err := url.Parse(loc)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(u.Path, "/requests/"), loc)
	page, err := st.desk.OpenRequesterLink(t.Context(), strings.TrimPrefix(u.Path, "/requests/"))
	require.NoError(t, err)
	return u.Path, page.Ticket
}

// The whole way of a request, as a phone shows it: scan, report with a photo, follow the
// ticket while staff accept it and propose a call, accept the time, join, the call ends, rate.
func TestBrowserFullFlow(t *testing.T) {
	st := newSite(t, nil)
	ctx := t.Context()
	tab := browser.Tab(t, st.srv.URL)

	require.Equal(t, http.StatusOK, tab.Visit("device", "/c/"+st.code.Token))
	assert.Equal(t, "Pump 7", tab.Text("h1"))
	main := tab.Text("main")
	for _, want := range []string{"X200-0007", "Firmware", "2.4.1", "The pump beeps twice", "Report a problem", "Request a video call"} {
		assert.Contains(t, main, want)
	}
	assert.NotContains(t, main, "9911", "a private field on the public page")

	require.Equal(t, http.StatusOK, tab.Follow("form", openRequest))
	assert.Equal(t, "Report a problem", tab.Text("h1"))
	fillRequest(t, tab, "Pump alarms")
	require.Equal(t, http.StatusOK, tab.Follow("submitted", sendRequest))
	assert.Contains(t, tab.Text(selStatus), "your request was sent")
	assert.Equal(t, "Received, waiting for a technician", tab.Text(selState))
	assert.Contains(t, tab.Text(".files"), "alarm.png", "the photo came with the request")
	link, tk := requesterLink(t, st, tab)
	assert.Equal(t, "Pump alarms", tk.Title)
	assert.Equal(t, "Nina Nurse", tk.Requester.Name)
	files, err := st.desk.Attachments(ctx, st.agent, tk.ID, storage.PageRequest{})
	require.NoError(t, err)
	require.Len(t, files.Items, 1)
	assert.Equal(t, "image/png", files.Items[0].ContentType)

	// Staff take the request and propose a time for a video call.
	_, err = st.desk.Accept(ctx, st.agent, tk.ID)
	require.NoError(t, err)
	at := time.Now().Add(2 * time.Hour).UTC()
	_, err = st.desk.Invite(ctx, st.agent, tk.ID, helpdesk.Invitation{At: at})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, tab.Visit("proposed", link))
	assert.Equal(t, "Waiting for your answer", tab.Text(selState), "a proposed time waits for the requester")
	call := tab.Text(".call-session")
	assert.Contains(t, call, "A time was proposed")
	assert.Contains(t, call, at.Format("2006-01-02 15:04"))

	require.Equal(t, http.StatusOK, tab.Follow("accepted", `form[action$="/accept"] button`))
	assert.Contains(t, tab.Text(".call-session"), "Call confirmed")

	require.Equal(t, http.StatusOK, tab.Follow("joined", `form[action$="/join"] button`))
	assert.Equal(t, "You are in the call.", tab.Text(selStatus))
	got, err := st.desk.Ticket(ctx, st.agent, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, ticket.StateInProgress, got.State, "joining put the call live")

	require.Equal(t, http.StatusOK, tab.Follow("call-ended", `form[action$="/end"] button`))
	assert.Equal(t, "Done: please rate it", tab.Text(selState))
	assert.Contains(t, tab.Text(".call-session"), "Call ended")
	assert.Contains(t, tab.Text(".stars legend"), "How satisfied are you?")

	tab.Do(chromedp.Click(chromedp.CSS("#star4"), chromedp.NodeVisible))
	tab.Fill("#comment", "Quick and friendly")
	require.Equal(t, http.StatusOK, tab.Follow("rated", `form[action$="/rate"] button`))
	assert.Equal(t, "Thank you for your rating.", tab.Text(selStatus))
	assert.Equal(t, "Closed", tab.Text(selState))
	assert.Contains(t, tab.Text("main"), "Your rating: 4/5 · Quick and friendly")
	assert.Zero(t, tab.Count(`form[action$="/rate"]`), "no second rating")
	got, err = st.desk.Ticket(ctx, st.agent, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, ticket.StateClosed, got.State)
	require.NotNil(t, got.Rating)
	assert.Equal(t, 4, got.Rating.Stars)
}

// What a phone shows for a code that does not simply open: a PIN, an unknown, expired or
// foreign code, a device whose support plan has lapsed.
func TestBrowserCodes(t *testing.T) {
	st := newSite(t, nil)
	ctx := t.Context()

	t.Run("a PIN, wrong then right", func(t *testing.T) {
		locked := st.newCode(t, helpdesk.NewCode{PIN: "4711"})
		tab := browser.Tab(t, st.srv.URL)
		assert.Equal(t, http.StatusUnauthorized, tab.Visit("pin", "/c/"+locked.Token))
		assert.Equal(t, "Enter the PIN", tab.Text("h1"))
		assert.NotContains(t, tab.Text("main"), "Pump 7", "nothing of the device before the PIN")
		tab.Fill("#pin", "0000")
		assert.Equal(t, http.StatusUnauthorized, tab.Follow("pin-wrong", "main form button[type=submit]"))
		assert.Contains(t, tab.Text(selAlert), "This PIN does not open the page")
		assert.NotContains(t, tab.Text("main"), "Pump 7")
		tab.Fill("#pin", "4711")
		assert.Equal(t, http.StatusOK, tab.Follow("pin-right", "main form button[type=submit]"))
		assert.Equal(t, "Pump 7", tab.Text("h1"))
		assert.Equal(t, http.StatusOK, tab.Follow("pin-form", openRequest), "the PIN is kept for the code's pages")
	})
	t.Run("an unknown code or link", func(t *testing.T) {
		tab := browser.Tab(t, st.srv.URL)
		assert.Equal(t, http.StatusNotFound, tab.Visit("unknown-code", "/c/"+device.NewToken()))
		assert.Equal(t, "This code is unknown.", tab.Text("h1"))
		assert.Contains(t, tab.Text("main"), "Scan the code on the device again")
		assert.Equal(t, http.StatusNotFound, tab.Visit("unknown-link", "/requests/"+device.NewToken()))
		assert.Equal(t, "This link does not work (any more).", tab.Text("h1"))
		assert.Equal(t, http.StatusNotFound, tab.Visit("no-page", "/nowhere"))
		assert.Equal(t, "This page does not exist.", tab.Text("h1"))
	})
	t.Run("another operator's code", func(t *testing.T) {
		other := newSite(t, nil)
		tab := browser.Tab(t, st.srv.URL)
		assert.Equal(t, http.StatusNotFound, tab.Visit("foreign-code", "/c/"+other.code.Token))
		assert.Equal(t, "This code is unknown.", tab.Text("h1"))
		assert.NotContains(t, tab.Text("main"), "Pump 7")
	})
	t.Run("an expired code", func(t *testing.T) {
		end := time.Now().Add(time.Hour)
		c := st.newCode(t, helpdesk.NewCode{ExpiresAt: &end})
		// Its hour has passed: the store holds it as a day later would find it.
		require.NoError(t, st.store.InTx(ctx, func(q storage.Queries) error {
			stored, err := q.GetCodeByToken(ctx, c.Token)
			if err != nil {
				return err
			}
			past := time.Now().Add(-time.Minute).UTC()
			stored.ExpiresAt = &past
			return q.UpdateCode(ctx, stored)
		}))
		tab := browser.Tab(t, st.srv.URL)
		assert.Equal(t, http.StatusGone, tab.Visit("expired", "/c/"+c.Token))
		assert.Equal(t, "This code is no longer in use.", tab.Text("h1"))
		assert.NotContains(t, tab.Text("main"), "Pump 7")
	})
	t.Run("a lapsed support plan", func(t *testing.T) {
		tab := browser.Tab(t, st.srv.URL)
		require.Equal(t, http.StatusOK, tab.Visit("device", "/c/"+st.code.Token))
		require.Equal(t, http.StatusOK, tab.Follow("form", openRequest))
		past := time.Now().Add(-time.Hour)
		_, err := st.desk.SetSupportPlan(ctx, st.admin, st.cust.ID, &past)
		require.NoError(t, err)
		t.Cleanup(func() { _, _ = st.desk.SetSupportPlan(ctx, st.admin, st.cust.ID, nil) })
		fillRequest(t, tab, "Pump alarms")
		assert.Equal(t, http.StatusForbidden, tab.Follow("lapsed", sendRequest))
		assert.Contains(t, tab.Text(selAlert), "Support for this device has ended")
		assert.Equal(t, "Pump alarms", browsertest.Eval[string](tab, "document.getElementById('title').value"), "what was entered is kept")
		assert.NotContains(t, tab.Text("main"), "Northwind")
		n, err := st.desk.CountTickets(ctx, st.admin, storage.CountFilter{})
		require.NoError(t, err)
		assert.Empty(t, n, "nothing stored")
	})
}

// The request goes through with JavaScript off: forms post, the server redirects.
func TestBrowserWithoutScript(t *testing.T) {
	st := newSite(t, nil)
	tab := browser.Tab(t, st.srv.URL, browsertest.WithoutScript())
	require.Equal(t, http.StatusOK, tab.Visit("device", "/c/"+st.code.Token))
	require.Equal(t, http.StatusOK, tab.Follow("form", openRequest))
	fillRequest(t, tab, "Pump alarms, no script")
	require.Equal(t, http.StatusOK, tab.Follow("submitted", sendRequest))
	assert.Contains(t, tab.Text(selStatus), "your request was sent")
	assert.Equal(t, "Received, waiting for a technician", tab.Text(selState))
	assert.Contains(t, tab.Text(".files"), "alarm.png")
	_, tk := requesterLink(t, st, tab)
	assert.Equal(t, "Pump alarms, no script", tk.Title)
}

// The walk from the scan to the ticket page in each language of the UI: the page says it is
// in that language, and no string is missing.
func TestBrowserEveryLanguage(t *testing.T) {
	st := newSite(t, nil)
	for _, lang := range []string{"en", "de", "fr", "es", "pl"} {
		t.Run(lang, func(t *testing.T) {
			tab := browser.Tab(t, st.srv.URL)
			inLang := func(step string) {
				t.Helper()
				assert.Equal(t, lang, browsertest.Eval[string](tab, "document.documentElement.lang"), step)
				html := browsertest.Eval[string](tab, "document.documentElement.outerHTML")
				assert.Empty(t, missingString.FindAllString(html, -1), "%s: missing strings", step)
			}
			require.Equal(t, http.StatusOK, tab.Visit("device", "/c/"+st.code.Token+"?lang="+lang))
			inLang("device")
			require.Equal(t, http.StatusOK, tab.Follow("form", openRequest))
			inLang("form")
			if lang != "en" {
				assert.NotEqual(t, "Send request", tab.Text(sendRequest), "the form is translated")
			}
			fillRequest(t, tab, "Pump alarms ("+lang+")")
			require.Equal(t, http.StatusOK, tab.Follow("submitted", sendRequest))
			inLang("ticket")
			_, tk := requesterLink(t, st, tab)
			assert.Equal(t, lang, tk.Requester.Language, "the requester's language is the page's")
		})
	}
}

// A tenant whose form is for signed-in customers: the device page still shows the device,
// and in place of the request form the visitor reads how to sign in.
func TestBrowserCustomersVisibility(t *testing.T) {
	st := newSite(t, nil)
	st.setForm(t, tenant.RequestForm{Visibility: tenant.VisibilityCustomers})
	tab := browser.Tab(t, st.srv.URL)

	require.Equal(t, http.StatusOK, tab.Visit("device", "/c/"+st.code.Token))
	assert.Equal(t, "Pump 7", tab.Text("h1"))
	assert.Contains(t, tab.Text(".device"), "X200-0007", "the device's information shows")
	assert.Contains(t, tab.Text(".notice"), "Only signed-in users")
	assert.Zero(t, tab.Count(openRequest), "no way to the form")
	assert.Zero(t, tab.Count(`a[href$="/request?call=1"]`), "no call either")

	assert.Equal(t, http.StatusUnauthorized, tab.Visit("form", "/c/"+st.code.Token+"/request"))
	assert.Contains(t, tab.Text("main"), "Sign in to your company")
	assert.Zero(t, tab.Count(`form[action$="/request"]`), "the form is not shown")
	require.Equal(t, http.StatusOK, tab.Follow("back", `main a[href="/c/`+st.code.Token+`"]`))
	assert.Equal(t, "Pump 7", tab.Text("h1"))
}
