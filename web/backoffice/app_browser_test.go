package backoffice_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/internal/browsertest"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/web/backoffice"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// phoneTab opens a phone's tab on the world's server (a chromium of the test's own, closed
// with it) and signs who in ("" stays signed out).
func (w *world) phoneTab(t *testing.T, who string, opts ...browsertest.TabOption) *browsertest.Tab {
	t.Helper()
	return w.phoneTabOn(t, w.srv.URL, who, opts...)
}

// phoneTabOn is phoneTab on the back office at base.
func (w *world) phoneTabOn(t *testing.T, base, who string, opts ...browsertest.TabOption) *browsertest.Tab {
	t.Helper()
	b := browsertest.New()
	t.Cleanup(b.Close)
	tab := b.Tab(t, base, opts...)
	if who == "" {
		return tab
	}
	email, p := who+"@acme.example", pw
	if who == "admin" {
		email, p = "ada@acme.example", password
	}
	tab.Visit("sign-in form", "/login")
	tab.Fill("#email", email)
	tab.Fill("#password", p)
	require.Equal(t, http.StatusOK, tab.Follow("dashboard as "+who, `form[action="/login"] button[type=submit]`))
	return tab
}

// A customer's user works in the slimmed back office on a phone: the menu behind its button
// without Templates, Customers or Codes, their customer's tickets only, one of them opened and
// answered.
func TestBrowserCustomerUserPhone(t *testing.T) {
	w := newWorld(t)
	tab := w.phoneTab(t, "customer_user")
	assert.False(t, browsertest.Eval[bool](tab, `document.getElementById('bo-menu').open`), "collapsed at 390 px")
	assert.True(t, browsertest.Eval[bool](tab, `getComputedStyle(document.querySelector('#bo-menu > summary')).display !== 'none'`))
	tab.Do(chromedp.Click(chromedp.CSS("#bo-menu > summary"), chromedp.NodeVisible))
	menu := browsertest.Eval[[]string](tab, `[...document.querySelectorAll('#bo-menu .bo-nav a')].map(a => a.getAttribute('href'))`)
	assert.Equal(t, []string{"/", "/tickets", "/sessions", "/devices", "/profile"}, menu, "no Templates, Customers or Codes")
	assert.Equal(t, "/", browsertest.Eval[string](tab, `document.querySelector('#bo-menu a[aria-current=page]').getAttribute('href')`))

	require.Equal(t, http.StatusOK, tab.Follow("tickets", `#bo-menu a[href="/tickets"]`))
	list := tab.Text("main")
	assert.Contains(t, list, "Xylo pump alarms")
	assert.Contains(t, list, "Xylo boiler leaks")
	assert.NotContains(t, list, "Yarrow")
	assert.NotContains(t, list, "Case to")
	assert.Equal(t, "/tickets", browsertest.Eval[string](tab, `document.querySelector('#bo-menu a[aria-current=page]').getAttribute('href')`))

	require.Equal(t, http.StatusOK, tab.Follow("a ticket of theirs", `a[href="/tickets/`+w.tickets["x"].ID.String()+`"]`))
	assert.Contains(t, tab.Text("h1"), "Xylo pump alarms")
	assert.NotContains(t, tab.Text("main"), "internal note")
	tab.Fill("#body", "The pump beeps again since this morning.")
	require.Equal(t, http.StatusOK, tab.Follow("message posted", `#reply button[type=submit]`))
	assert.Contains(t, tab.Text("#messages"), "The pump beeps again since this morning.")
}

// getPages are the back office's pages to visit: each GET route of the table, its wildcards
// filled with objects of the world, except routes that answer no page (files, the manifest,
// the service worker, the bell's count).
func (w *world) getPages(t *testing.T) []string {
	t.Helper()
	h, err := backoffice.New(w.desk, &backoffice.Config{Tenant: backoffice.SingleTenant(w.tenant.ID)})
	require.NoError(t, err)
	fill := strings.NewReplacer("{$}", "", "{token}", "not-a-token", "{id}", w.tickets["x"].ID.String())
	var out []string
	for _, p := range backoffice.Patterns(h) {
		method, path, _ := strings.Cut(p, " ")
		switch {
		case method != http.MethodGet, strings.Contains(path, "/files/"), path == "/manifest.webmanifest", path == "/sw.js",
			path == "/notifications/count":
			continue
		case strings.Contains(path, "{id}") && !strings.HasPrefix(path, "/tickets/"):
			// another module's object: its own browser tests visit it
			t.Logf("not visited: %s", p)
			continue
		}
		out = append(out, fill.Replace(path))
	}
	return out
}

// axe finds no serious or critical problem on any page of the back office, for an admin and
// for a customer's user, on a phone; no page scrolls sideways.
func TestBrowserEveryPage(t *testing.T) {
	w := newWorld(t)
	w.inAppFor(t, w.admin, "A notification to list", "/tickets")
	w.inAppFor(t, w.actors["customer_user"], "A notification to list", "/tickets")
	pages := w.getPages(t)
	require.Contains(t, pages, "/profile")
	for _, who := range []string{"admin", "customer_user"} {
		t.Run(who, func(t *testing.T) {
			// Many pages, each checked by axe, in one tab: more than a tab's usual minute.
			tab := w.phoneTab(t, who, browsertest.WithTimeout(3*time.Minute))
			for _, p := range pages {
				status := tab.Visit(who+" "+p, p)
				assert.Less(t, status, 500, p)
			}
			tab.Visit(who+" back on the dashboard", "/") // the last page may be a refusal, without the menu
			tab.Do(chromedp.Click(chromedp.CSS("#bo-menu > summary"), chromedp.NodeVisible))
			tab.Check(who + " the menu open")
		})
	}
	t.Run("signed out", func(t *testing.T) {
		tab := w.phoneTab(t, "")
		for _, p := range []string{"/login", "/reset-password", "/reset-password/not-a-token", "/invitation/not-a-token", "/share-login/not-a-token"} {
			tab.Visit("signed out "+p, p)
		}
	})
}

// The menu and the bell with the keyboard alone: the menu opens from its button and closes
// with Escape, the bell's page marks a notification read without a reload and the badge
// follows; times are the reader's.
func TestBrowserMenuAndBellKeyboard(t *testing.T) {
	w := newWorld(t)
	first := w.inAppFor(t, w.admin, "First to read", "/tickets")
	w.inAppFor(t, w.admin, "Second to read", "/tickets")
	tab := w.phoneTab(t, "admin")
	tab.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Tokyo"})
		return err
	}))
	tab.Visit("dashboard in Tokyo", "/")
	badge := func() string {
		return browsertest.Eval[string](tab, `document.getElementById('bell-count').textContent`)
	}
	require.Equal(t, "2 unread", badge())

	// Tab from the top: the skip link, the bell, the menu's button.
	focused := func() string {
		return browsertest.Eval[string](tab, `(e => e.id || e.getAttribute('href') || e.tagName.toLowerCase())(document.activeElement)`)
	}
	press := func(keys ...string) {
		for _, k := range keys {
			tab.Do(chromedp.KeyEvent(k))
		}
	}
	tab.Do(chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`))
	press(kb.Tab)
	assert.Equal(t, "#main", focused(), "the skip link first")
	press(kb.Tab)
	assert.Equal(t, "/notifications", focused(), "then the bell")
	press(kb.Tab)
	assert.Equal(t, "summary", focused(), "then the menu's button")
	press(kb.Enter)
	assert.True(t, browsertest.Eval[bool](tab, `document.getElementById('bo-menu').open`), "Enter opens the menu")
	press(kb.Tab)
	assert.Equal(t, "/", focused(), "into the menu: the current entry")
	assert.Equal(t, "page", browsertest.Eval[string](tab, `document.activeElement.getAttribute('aria-current')`))
	press(kb.Escape)
	assert.False(t, browsertest.Eval[bool](tab, `document.getElementById('bo-menu').open`), "Escape closes it")
	assert.Equal(t, "summary", focused(), "back on its button")

	// Times in the reader's zone, the UTC kept in the title.
	tab.Visit("the bell", "/notifications")
	tm := browsertest.Eval[map[string]string](tab, `(t => ({text: t.textContent, title: t.title, at: t.getAttribute('datetime')}))(document.querySelector('li.message time'))`)
	assert.Contains(t, tm["title"], "UTC")
	assert.NotContains(t, tm["text"], "UTC")
	want := browsertest.Eval[string](tab, `new Intl.DateTimeFormat('en', {dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Tokyo'}).format(new Date(`+"`"+tm["at"]+"`"+`))`)
	assert.Equal(t, want, tm["text"], "Tokyo's time")

	// Mark the first read with the keyboard: no reload, the list and the badge follow.
	tab.Do(chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`))
	sel := `form[action="/notifications/` + first.ID.String() + `/read"] button`
	tab.Do(chromedp.Focus(chromedp.CSS(sel)))
	press(kb.Enter)
	_, err := chromedp.Run(tab.Context(), chromedp.Poll[bool](`document.getElementById('bell-count').textContent === '1 unread'`,
		chromedp.WithPollingTimeout(10*time.Second)))
	require.NoError(t, err, "the badge follows")
	assert.True(t, browsertest.Eval[bool](tab, `window.notReloaded === true`), "no reload")
	assert.Equal(t, 1, tab.Count("li.message.unread"))
	assert.Equal(t, 0, tab.Count(sel))
	assert.NotEqual(t, "body", focused(), "the focus stays on the list")
	n, err := w.desk.UnreadCount(t.Context(), w.admin)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "marked on the server")

	// A notification from elsewhere shows on the badge once the tab is looked at again.
	w.inAppFor(t, w.admin, "Third, meanwhile", "/tickets")
	tab.Do(chromedp.Evaluate[chromedp.Void](`document.dispatchEvent(new Event('visibilitychange'))`))
	_, err = chromedp.Run(tab.Context(), chromedp.Poll[bool](`document.getElementById('bell-count').textContent === '2 unread'`,
		chromedp.WithPollingTimeout(10*time.Second)))
	require.NoError(t, err, "the badge counts the new one")

	// Mark all read: the button goes, the badge empties.
	tab.Do(chromedp.Focus(chromedp.CSS(`form.bell-readall button`)))
	press(kb.Enter)
	_, err = chromedp.Run(tab.Context(), chromedp.Poll[bool](`document.getElementById('bell-count').textContent === ''`,
		chromedp.WithPollingTimeout(10*time.Second)))
	require.NoError(t, err)
	assert.Equal(t, 0, tab.Count("li.message.unread"))
	assert.Equal(t, 0, tab.Count("form.bell-readall"))
	tab.Check("all read")

	// The service worker is registered for the whole site.
	scope, err := chromedp.Run(tab.Context(), chromedp.Evaluate[string](`navigator.serviceWorker.ready.then(r => r.scope)`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	assert.Equal(t, w.srv.URL+"/", scope)
}

// Without JavaScript the menu is a <details> that opens from its button, and marking read is
// a form that reloads the list.
func TestBrowserWithoutScript(t *testing.T) {
	w := newWorld(t)
	first := w.inAppFor(t, w.admin, "Read me", "/tickets")
	tab := w.phoneTab(t, "admin", browsertest.WithoutScript())
	tab.Do(chromedp.Click(chromedp.CSS("#bo-menu > summary"), chromedp.NodeVisible))
	assert.True(t, browsertest.Eval[bool](tab, `document.getElementById('bo-menu').open`))
	require.Equal(t, http.StatusOK, tab.Follow("the bell", `a.bell`))
	require.Equal(t, http.StatusOK, tab.Follow("marked read", `form[action="/notifications/`+first.ID.String()+`/read"] button`))
	assert.Equal(t, 0, tab.Count(`form[action="/notifications/`+first.ID.String()+`/read"]`))
}

// pushStub stands in for the browser's push service, which a headless chromium has none of:
// PushManager subscribes to the endpoint and keys of a fake push service's browser, and
// remembers it (and the key it was given) across reloads.
const pushStub = `(() => {
	const sub = {endpoint: %q, options: {applicationServerKey: null},
		toJSON() { return {endpoint: this.endpoint, expirationTime: null, keys: {p256dh: %q, auth: %q}}; },
		async unsubscribe() { localStorage.removeItem('sub'); return true; }};
	PushManager.prototype.getSubscription = async function () { return localStorage.getItem('sub') ? sub : null; };
	PushManager.prototype.subscribe = async function (o) {
		localStorage.setItem('sub', '1');
		localStorage.setItem('key', btoa(String.fromCharCode(...new Uint8Array(o.applicationServerKey))));
		return sub;
	};
})()`

// With push set up, an agent's phone subscribes from the profile: the script asks for the
// subscription with the server's VAPID key and posts it; the list marks this browser. With
// push switched on, a new request reaches the push service, and the service worker shows
// what it delivers and opens its link.
func TestBrowserPushThisBrowser(t *testing.T) {
	w := newWorld(t)
	ps := w.pushSite(t)
	tab := w.phoneTabOn(t, ps.url, "agent")
	ctx := tab.Context()
	pb := ps.service.NewBrowser()
	_, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "notifications"}, Setting: browser.PermissionSettingGranted,
		Origin: ps.url, BrowserContextID: chromedp.FromContext(ctx).BrowserContextID})
	require.NoError(t, err)
	_, err = chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: fmt.Sprintf(pushStub, pb.Endpoint, pb.P256dh, pb.Auth)})
	require.NoError(t, err)

	tab.Visit("profile", "/profile")
	assert.True(t, browsertest.Eval[bool](tab, `document.querySelector('[data-push-nojs]').hidden`), "the script's button instead")
	require.Equal(t, http.StatusOK, tab.Follow("subscribed", `[data-push-subscribe]`), "the page reloads once subscribed")
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`(e => e && !e.hidden)(document.querySelector('.this-browser'))`,
		chromedp.WithPollingTimeout(15*time.Second)))
	require.NoError(t, err, "this browser is marked in the list")
	assert.True(t, browsertest.Eval[bool](tab, `document.querySelector('[data-push-subscribe]').hidden`))
	assert.Equal(t, "This browser receives your push notifications.", tab.Text("[data-push-status]"))
	key, err := base64.RawURLEncoding.DecodeString(ps.keys.Public)
	require.NoError(t, err)
	assert.Equal(t, base64.StdEncoding.EncodeToString(key), browsertest.Eval[string](tab, `localStorage.getItem('key')`),
		"subscribed with the server's VAPID key")
	subs, err := w.desk.PushSubscriptions(t.Context(), w.actors["agent"])
	require.NoError(t, err)
	require.Len(t, subs, 1)
	assert.Equal(t, pb.Endpoint, subs[0].Endpoint)
	assert.Equal(t, "Chrome · Android", subs[0].UserAgent)

	tab.Do(chromedp.Click(chromedp.CSS(`#push`), chromedp.NodeVisible))
	require.Equal(t, http.StatusOK, tab.Follow("push on", `#preferences button[type=submit]`))
	tk, err := ps.desk.SubmitTicket(t.Context(), w.actors["customer_user"], helpdesk.NewTicket{Title: "Pushed to the phone",
		Requester: ticket.Contact{Name: "Req", Email: "req@req.example"}})
	require.NoError(t, err)
	_, err = ps.desk.DispatchOnce(t.Context())
	require.NoError(t, err)
	var payload []byte
	for _, p := range ps.service.Received() {
		if p.Endpoint == pb.Endpoint {
			payload = p.Payload
		}
	}
	require.NotEmpty(t, payload, "the push service got the message for this browser")

	// The push service's delivery, handed to the service worker as the browser would.
	regs := make(chan serviceworker.RegistrationID, 8)
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*serviceworker.EventWorkerRegistrationUpdated); ok {
			for _, r := range e.Registrations {
				if r.ScopeURL == ps.url+"/" && !r.IsDeleted {
					select {
					case regs <- r.RegistrationID:
					default:
					}
				}
			}
		}
	}))
	_, err = chromedp.Call(ctx, serviceworker.Enable, cdp.Empty{})
	require.NoError(t, err)
	var reg serviceworker.RegistrationID
	select {
	case reg = <-regs:
	case <-time.After(10 * time.Second):
		t.Fatal("no service worker registered for the site")
	}
	_, err = chromedp.Call(ctx, serviceworker.DeliverPushMessage, serviceworker.DeliverPushMessageParams{Origin: ps.url,
		RegistrationID: reg, Data: string(payload)})
	require.NoError(t, err)
	shown, err := chromedp.Run(ctx, chromedp.Poll[[]string](`navigator.serviceWorker.ready.then(r => r.getNotifications())
		.then(ns => ns.length ? ns.map(n => [n.title, n.body, n.data.link].join(' | ')) : false)`,
		chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(200*time.Millisecond)))
	require.NoError(t, err, "the worker shows the notification")
	require.Len(t, shown, 1)
	assert.Contains(t, shown[0], "Pushed to the phone")
	assert.Contains(t, shown[0], " | "+ps.url+"/tickets/"+tk.ID.String())
}

// On a phone without JavaScript, a customer's user makes an API token on the profile's page:
// the secret is on the answer, the list shows the token, and revoking it is a form.
func TestBrowserTokensWithoutScript(t *testing.T) {
	w := newWorld(t)
	tab := w.phoneTab(t, "customer_user", browsertest.WithoutScript())
	tab.Visit("the profile", "/profile")
	require.Equal(t, http.StatusOK, tab.Follow("API tokens", `a[href="/profile/tokens"]`))
	assert.Equal(t, 0, tab.Count(`input[value="admin"]`), "no admin scope for a customer user")
	tab.Fill("#token-name", "Phone sync")
	tab.Do(chromedp.Click(chromedp.CSS("#scope-write"), chromedp.NodeVisible))
	require.Equal(t, http.StatusOK, tab.Follow("token created", `#new-token button[type=submit]`))
	secret := browsertest.Eval[string](tab, `document.getElementById('token-secret').value`)
	actor, err := w.desk.AuthenticateAPIToken(t.Context(), secret)
	require.NoError(t, err)
	assert.Equal(t, w.actors["customer_user"].UserID, actor.UserID)
	assert.Contains(t, tab.Text("main"), "Phone sync")
	require.Equal(t, http.StatusOK, tab.Follow("revoked", `form[action$="/revoke"] button`))
	assert.Equal(t, 0, tab.Count(`form[action$="/revoke"]`))
	assert.Equal(t, 0, tab.Count(`#token-secret`), "the secret is gone after the redirect")
	_, err = w.desk.AuthenticateAPIToken(t.Context(), secret)
	assert.ErrorIs(t, err, helpdesk.ErrUnauthenticated)
}
