package main

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/internal/browsertest"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/web"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// browser is the one chromium of this test binary.
var browser = browsertest.New()

func TestMain(m *testing.M) {
	code := m.Run()
	browser.Close()
	os.Exit(code)
}

// startDemo serves the demo as main does, on a seeded SQLite file of the test's own, with its
// background work running, and returns it and its server's URL.
func startDemo(t *testing.T) (*demo, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	store, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "demo.db"))
	require.NoError(t, err)
	require.NoError(t, store.MigrateUp(ctx))
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	logger := slog.New(slog.DiscardHandler)
	d, err := newDemo(store, base, []byte("the demo test's key, 32 bytes ++"), blob.NewMem(), logger, false)
	require.NoError(t, err)
	d.world, err = seed(ctx, d.desk)
	require.NoError(t, err)
	srv.Config.Handler, err = d.handler(logger)
	require.NoError(t, err)
	srv.Start()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := d.desk.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("background work: %v", err)
		}
	}()
	t.Cleanup(func() {
		srv.Close()
		cancel()
		<-done
		store.Close()
	})
	return d, base
}

// waitForMail waits until the mailbox holds a message of event for to, as the background
// work delivers it.
func waitForMail(t *testing.T, box *mailbox, to string, event notify.Event) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range box.newest() {
			if m.To == to && m.Event == event {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s message to %s in the mailbox", event, to)
}

// photoPath writes a small PNG for the request form's file input.
func photoPath(t *testing.T) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 32, 24))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	img.Set(3, 3, color.NRGBA{R: 0xff, A: 0xff})
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	path := filepath.Join(t.TempDir(), "display.png")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o600))
	return path
}

// A new user's walk through the demo in each language of the UI, on a phone: from the start
// page to a device's page (the monitor once, behind its PIN), a request with a photo, the
// console's staff accepting it and proposing a call, the requester's e-mail in the mailbox
// leading to the ticket page, the call (proposed and accepted, or at once) joined and ended,
// which completes the ticket (in the last walks the requester reopens it and staff mark it
// done again from the console), rated and closed.
func TestBrowserDemoWalk(t *testing.T) {
	d, base := startDemo(t)
	cat, err := web.NewCatalog()
	require.NoError(t, err)
	photo := photoPath(t)
	for i, lang := range web.Languages {
		t.Run(lang, func(t *testing.T) {
			walk(t, d, base, cat.Lang(lang), i, photo)
		})
	}
}

// walk is one requester's and the staff's way through the demo in language l; the i-th walk
// rates i+1 stars, and the second goes through the monitor's PIN.
func walk(t *testing.T, d *demo, base string, l *web.Lang, i int, photo string) {
	lang := l.Code
	tab := browser.Tab(t, base)
	inLang := func(step string) {
		t.Helper()
		assert.Equal(t, lang, browsertest.Eval[string](tab, "document.documentElement.lang"), step)
	}
	title := "Display shows E-12 (" + lang + ")"
	email := "nina." + lang + "@northwind.example"
	stars := i + 1

	// The start page lists the devices' codes, the mailbox and the requests.
	require.Equal(t, http.StatusOK, tab.Visit("start", "/?lang="+lang))
	inLang("start")
	assert.Equal(t, "Helpdesk demo", tab.Text("h1"))
	start := tab.Text("main")
	for _, want := range []string{"Pump 7, ward 3", "Monitor 2, ICU", "PIN 2468", "mailbox", "Sam Agent"} {
		assert.Contains(t, start, want)
	}
	assert.Equal(t, 2, tab.Count(".codes img"), "a QR image per device")

	// A device's page; the second walk takes the monitor, behind its PIN.
	device, serial := "Pump 7, ward 3", "X200-0007"
	if i == 1 {
		device, serial = "Monitor 2, ICU", "M5-0202"
		assert.Equal(t, http.StatusUnauthorized, tab.Follow("pin", `.codes li:nth-child(2) p a[href*="/c/"]`))
		assert.Equal(t, l.T("pin.title"), tab.Text("h1"))
		assert.NotContains(t, tab.Text("main"), device, "nothing of the device before the PIN")
		tab.Fill("#pin", "2468")
		require.Equal(t, http.StatusOK, tab.Follow("pin-right", "main form button[type=submit]"))
	} else {
		require.Equal(t, http.StatusOK, tab.Follow("device", `.codes li:nth-child(1) p a[href*="/c/"]`))
	}
	inLang("device")
	assert.Equal(t, device, tab.Text("h1"))
	assert.Contains(t, tab.Text("main"), serial)

	// The request form, filled in with a photo.
	require.Equal(t, http.StatusOK, tab.Follow("form", `.actions a.button.primary[href$="/request"]`))
	inLang("form")
	assert.Equal(t, l.T("request.title"), tab.Text("h1"))
	tab.Fill("#title", title)
	tab.Do(chromedp.SetValue(chromedp.CSS("#type"), "Malfunction"))
	tab.Fill("#description", "Error E-12 since this morning.")
	tab.Fill("#name", "Nina Nurse")
	tab.Fill("#email", email)
	tab.Upload("#photos", photo)
	tab.Do(chromedp.Click(chromedp.CSS("#terms"), chromedp.NodeVisible))
	require.Equal(t, http.StatusOK, tab.Follow("submitted", `form[action$="/request"] button[type=submit]`))
	inLang("submitted")
	assert.Contains(t, tab.Text("[role=status]"), "support@acme.example", "the support address after submitting")
	assert.Equal(t, l.T("state.open"), tab.Text(".state strong"))
	assert.Equal(t, title, tab.Text("main h2"))
	assert.Contains(t, tab.Text(".files"), "display.png", "the photo came with the request")
	loc, err := chromedp.Run(tab.Context(), chromedp.Location())
	require.NoError(t, err)
	u, err := url.Parse(loc)
	require.NoError(t, err)
	ticketPath := u.Path
	link, err := d.desk.OpenRequesterLink(t.Context(), strings.TrimPrefix(ticketPath, "/requests/"))
	require.NoError(t, err)
	tk := link.Ticket
	assert.Equal(t, lang, tk.Requester.Language)
	row := "#t-" + tk.ID.String()

	// Staff accept it and invite to a call, from the console on the start page.
	console := func(step, action string, want ticket.State) {
		t.Helper()
		require.Equal(t, http.StatusOK, tab.Follow(step, row+` form[action$="/`+action+`"] button`))
		if tab.Count("main > .problem") > 0 {
			t.Fatalf("%s: the console reports a problem: %s", step, tab.Text("main > .problem"))
		}
		require.Equal(t, l.T("state."+string(want)), tab.Text(row+" .state"), step)
	}
	require.Equal(t, http.StatusOK, tab.Visit("console", "/demo/"))
	assert.Contains(t, tab.Text(row), title)
	assert.Contains(t, tab.Text(row), "Nina Nurse")
	assert.Equal(t, l.T("state.open"), tab.Text(row+" .state"))
	if i == 0 {
		// The staff's e-mails link the ticket's back-office page: the console's row here.
		require.Equal(t, http.StatusOK, tab.Visit("staff-link", "/tickets/"+tk.ID.String()))
		loc, err := chromedp.Run(tab.Context(), chromedp.Location())
		require.NoError(t, err)
		assert.Equal(t, base+"/demo/#t-"+tk.ID.String(), loc)
	}
	console("accepted", "accept", ticket.StateAssigned)
	// Odd walks invite to a call now, even ones propose a time.
	invite := i%2 == 1
	if invite {
		console("invited", "invite", ticket.StateWaiting)
	} else {
		console("proposed", "propose", ticket.StateWaiting)
	}

	// The requester's e-mails, in the mailbox: the link leads to the ticket page.
	waitForMail(t, d.box, email, notify.InvitationSent)
	require.Equal(t, http.StatusOK, tab.Follow("mailbox", `a[href="/demo/mailbox"]`))
	require.Equal(t, http.StatusOK, tab.Follow("mailbox-to", `.mail a.to[href$="`+url.QueryEscape(email)+`"]`))
	mails := tab.Text("main")
	assert.Contains(t, mails, "Messages to "+email)
	assert.NotContains(t, mails, "sam@acme.example", "only the requester's messages")
	assert.Contains(t, mails, string(notify.InvitationSent))
	assert.Contains(t, mails, string(notify.TicketAccepted))
	assert.Contains(t, mails, tk.Ref())
	require.Equal(t, http.StatusOK, tab.Follow("from-mail", `.mail a[href$="`+ticketPath+`"]`))
	inLang("from-mail")
	assert.Equal(t, l.T("state.waiting"), tab.Text(".state strong"), "a call waits for the requester")
	if invite {
		assert.Contains(t, tab.Text(".call-session"), l.T("session.invited"))
	} else {
		// The requester accepts the proposed time.
		assert.Contains(t, tab.Text(".call-session"), l.T("session.proposed"))
		require.Equal(t, http.StatusOK, tab.Follow("time-accepted", `.call-session form[action$="/accept"] button`))
		assert.Contains(t, tab.Text(".call-session"), l.T("session.confirmed"))
	}

	// The requester joins the call and ends it (the demo's video is a fake).
	require.Equal(t, http.StatusOK, tab.Follow("joined", `.call-session form[action$="/join"] button`))
	inLang("joined")
	assert.Equal(t, l.T("session.joined"), tab.Text("[role=status]"))
	assert.Equal(t, l.T("session.demo"), tab.Text(".call .muted"))
	require.Equal(t, http.StatusOK, tab.Follow("call-ended", `.call form button`))
	inLang("call-ended")
	assert.Contains(t, tab.Text(".call-session"), l.T("session.done"))
	assert.Equal(t, l.T("state.done"), tab.Text(".state strong"), "the call's end completes the ticket")

	// Staff see it done in the console, with nothing left but closing it.
	require.Equal(t, http.StatusOK, tab.Visit("console-call-ended", "/demo/"))
	assert.Equal(t, l.T("state.done"), tab.Text(row+" .state"))
	assert.Zero(t, tab.Count(row+` form[action$="/complete"]`), "done already")
	assert.Equal(t, 1, tab.Count(row+` form[action$="/close"]`))

	// In the last walks the requester finds the problem back and reopens the request, and
	// staff mark it done again from the console.
	if i >= 3 {
		require.Equal(t, http.StatusOK, tab.Visit("to-reopen", ticketPath))
		require.Equal(t, http.StatusOK, tab.Follow("reopened", `form[action$="/reopen"] button`))
		assert.Equal(t, l.T("ticket.done.reopen"), tab.Text("[role=status]"))
		assert.Equal(t, l.T("state.assigned"), tab.Text(".state strong"))
		require.Equal(t, http.StatusOK, tab.Visit("console-reopened", "/demo/"))
		assert.Equal(t, l.T("state.assigned"), tab.Text(row+" .state"))
		console("done", "complete", ticket.StateDone)
	}

	// The requester rates it from the ticket page, and it is closed.
	require.Equal(t, http.StatusOK, tab.Visit("to-rate", ticketPath))
	assert.Equal(t, l.T("ticket.rate"), tab.Text(".stars legend"))
	tab.Do(chromedp.Click(chromedp.CSS("#star"+strconv.Itoa(stars)), chromedp.NodeVisible))
	tab.Fill("#comment", "Thank you ("+lang+")")
	require.Equal(t, http.StatusOK, tab.Follow("rated", `form[action$="/rate"] button`))
	assert.Equal(t, l.T("ticket.done.rate"), tab.Text("[role=status]"))
	assert.Equal(t, l.T("state.closed"), tab.Text(".state strong"))
	assert.Contains(t, tab.Text("main"), strconv.Itoa(stars)+"/5 · Thank you ("+lang+")")
	assert.Zero(t, tab.Count(`form[action$="/rate"]`), "no second rating")

	require.Equal(t, http.StatusOK, tab.Visit("console-closed", "/demo/"))
	assert.Equal(t, l.T("state.closed"), tab.Text(row+" .state"))
	assert.Zero(t, tab.Count(row+" form"), "nothing left to do")
	got, err := d.desk.Ticket(t.Context(), d.world.Agent, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, ticket.StateClosed, got.State)
	require.NotNil(t, got.Rating)
	assert.Equal(t, stars, got.Rating.Stars)
}
