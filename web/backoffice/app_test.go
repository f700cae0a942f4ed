package backoffice_test

import (
	"crypto/ecdh"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/internal/webpushtest"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/notify/webpush"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/web/backoffice"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// browserKeys returns a browser's push keys as PushSubscription.toJSON() gives them.
func browserKeys(t *testing.T) (p256dh, auth string) {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	require.NoError(t, err)
	a := make([]byte, 16)
	_, _ = rand.Read(a)
	return base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString(a)
}

// subscription is the form of a browser's subscription to a made-up push endpoint.
func subscription(t *testing.T, label string) url.Values {
	p, a := browserKeys(t)
	return url.Values{"endpoint": {"https://push.example/" + url.PathEscape(label) + "/" + uuid.NewString()}, "p256dh": {p}, "auth": {a}}
}

// subscribe stores a browser subscription of a's and returns its ID.
func (w *world) subscribe(t *testing.T, a tenant.Actor, label string) uuid.UUID {
	t.Helper()
	f := subscription(t, label)
	sub, err := w.desk.AddPushSubscription(t.Context(), a, helpdesk.PushSubscriptionInput{Endpoint: f.Get("endpoint"),
		P256dh: f.Get("p256dh"), Auth: f.Get("auth"), UserAgent: label})
	require.NoError(t, err)
	return sub.ID
}

// pushSite serves the world's database through a second Desk that sends push notifications
// with a Web Push sender to a fake push service, as a deployment with VAPID keys does.
type pushSite struct {
	desk    *helpdesk.Desk
	url     string
	keys    webpush.Keys
	service *webpushtest.Service
}

func (w *world) pushSite(t *testing.T) *pushSite {
	t.Helper()
	keys, err := webpush.GenerateKeys()
	require.NoError(t, err)
	svc := webpushtest.New(keys.Public)
	t.Cleanup(svc.Close)
	sender, err := webpush.New(webpush.Config{VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private,
		Subscriber: "mailto:ops@acme.example", HTTPClient: svc.Client()})
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(nil)
	d, err := helpdesk.New(w.store, &helpdesk.Config{BaseURL: "http://" + srv.Listener.Addr().String(),
		SecretKeys: [][]byte{[]byte("the back office tests' key, 32 b")}, Blobs: blob.NewMem(),
		Logger: slog.New(slog.DiscardHandler), MaxConcurrentHashes: 16, AllowPrivateTargets: true, // the fake push service
		Notifiers: map[notify.Channel]notify.Notifier{notify.Push: sender}})
	require.NoError(t, err)
	h, err := backoffice.New(d, &backoffice.Config{Tenant: backoffice.SingleTenant(w.tenant.ID), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	return &pushSite{desk: d, url: srv.URL, keys: keys, service: svc}
}

// appRoutes are this module's routes in the walks of routes_test.go.
func appRoutes() module {
	get := func(p string) request {
		return func(*testing.T, *world, string) (string, url.Values) { return p, nil }
	}
	public := every(200)
	public[""] = 200
	count := every(200)
	count[""] = http.StatusUnauthorized
	return module{
		"GET /manifest.webmanifest": {target: get("/manifest.webmanifest"), want: every(200)},
		"GET /sw.js":                {target: get("/sw.js"), want: public},
		"GET /notifications/count":  {target: get("/notifications/count"), want: count},
		"POST /profile/push": {target: func(t *testing.T, _ *world, who string) (string, url.Values) {
			return "/profile/push", subscription(t, "walk of "+who)
		}, want: every(303)},
		"POST /profile/push/{id}/delete": {
			target: func(t *testing.T, w *world, who string) (string, url.Values) {
				id := uuid.New()
				if who != "" {
					id = w.subscribe(t, w.actors[who], "Walk browser")
				}
				return "/profile/push/" + id.String() + "/delete", url.Values{}
			},
			want: every(303),
			foreign: func(t *testing.T, w *world, who string) (string, url.Values) {
				a, label := w.admin2, "Other tenant's browser"
				if who == "customer_user" {
					a, label = w.actors["customer_user_y"], "Yarrow browser"
				}
				return "/profile/push/" + w.subscribe(t, a, label).String() + "/delete", url.Values{}
			}},
	}
}

func TestManifestAndServiceWorker(t *testing.T) {
	w := newWorld(t)
	t.Run("the manifest names the tenant", func(t *testing.T) {
		res, body := do(t, w.client(t, "agent"), "GET", w.srv.URL+"/manifest.webmanifest", nil)
		require.Equal(t, http.StatusOK, res.StatusCode, body)
		assert.Equal(t, "application/manifest+json; charset=utf-8", res.Header.Get("Content-Type"))
		var m struct {
			Name, StartURL, Display, ThemeColor, Scope string
			ShortName                                  string `json:"short_name"`
			Start                                      string `json:"start_url"`
			Theme                                      string `json:"theme_color"`
			Icons                                      []struct{ Src, Sizes, Type, Purpose string }
		}
		require.NoError(t, json.Unmarshal([]byte(body), &m))
		assert.Equal(t, "Acme Service", m.Name)
		assert.Equal(t, "/", m.Start)
		assert.Equal(t, "/", m.Scope)
		assert.Equal(t, "standalone", m.Display)
		assert.Equal(t, "#1a56db", m.Theme)
		sizes := map[string]bool{}
		for _, ic := range m.Icons {
			sizes[ic.Sizes] = true
			assert.Equal(t, "image/png", ic.Type)
			r, _ := do(t, w.browser(), "GET", w.srv.URL+ic.Src, nil)
			assert.Equal(t, http.StatusOK, r.StatusCode, ic.Src)
			assert.Equal(t, "image/png", r.Header.Get("Content-Type"), ic.Src)
		}
		assert.Equal(t, map[string]bool{"192x192": true, "512x512": true}, sizes)
	})
	t.Run("the tenant's accent colours the app", func(t *testing.T) {
		ten, err := w.desk.Tenant(t.Context(), w.admin)
		require.NoError(t, err)
		s := ten.Settings
		s.Form.Accent = "#0b5fff"
		_, err = w.desk.UpdateSettings(t.Context(), w.admin, ten.Version, s)
		require.NoError(t, err)
		_, body := do(t, w.client(t, "agent"), "GET", w.srv.URL+"/manifest.webmanifest", nil)
		assert.Contains(t, body, `"theme_color":"#0b5fff"`)
		_, body = do(t, w.client(t, "agent"), "GET", w.srv.URL+"/", nil)
		assert.Contains(t, body, `<meta name="theme-color" content="#0b5fff">`)
	})
	t.Run("every signed-in page links the manifest and loads the script", func(t *testing.T) {
		for _, p := range []string{"/", "/tickets", "/notifications", "/profile", w.expand("/tickets/{x}")} {
			_, body := do(t, w.client(t, "customer_user"), "GET", w.srv.URL+p, nil)
			assert.Contains(t, body, `<link rel="manifest" href="/manifest.webmanifest" crossorigin="use-credentials">`, p)
			assert.Regexp(t, `<script src="/static/backoffice\.js\?v=[0-9a-f]{12}" defer></script>`, body, p)
		}
		_, body := do(t, w.browser(), "GET", w.srv.URL+"/login", nil)
		assert.NotContains(t, body, "backoffice.js", "not on the sign-in page")
	})
	t.Run("the service worker at the root", func(t *testing.T) {
		res, body := do(t, w.browser(), "GET", w.srv.URL+"/sw.js", nil)
		require.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "text/javascript; charset=utf-8", res.Header.Get("Content-Type"))
		assert.Equal(t, "no-cache", res.Header.Get("Cache-Control"), "browsers look for a new worker")
		for _, s := range []string{"addEventListener('push'", "showNotification", "p.body", "p.link", "notificationclick", "openWindow"} {
			assert.Contains(t, body, s)
		}
	})
}

func TestUnreadCount(t *testing.T) {
	w := newWorld(t)
	c := w.client(t, "agent")
	count := func() (int, map[string]any) {
		res, body := do(t, c, "GET", w.srv.URL+"/notifications/count", nil)
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(body), &v), body)
		return res.StatusCode, v
	}
	status, v := count()
	require.Equal(t, http.StatusOK, status)
	before := int(v["unread"].(float64))
	w.inAppFor(t, w.actors["agent"], "Counted", "/")
	_, v = count()
	assert.Equal(t, float64(before+1), v["unread"])
	assert.Equal(t, fmt.Sprintf("%d unread", before+1), v["label"])
	_, err := w.desk.MarkAllRead(t.Context(), w.actors["agent"])
	require.NoError(t, err)
	_, v = count()
	assert.Equal(t, float64(0), v["unread"])
	assert.Equal(t, "", v["label"])

	res, body := do(t, w.browser(), "GET", w.srv.URL+"/notifications/count", nil)
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.JSONEq(t, `{"unread":0}`, body)
	assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))

	t.Run("the badge is a live region the script updates", func(t *testing.T) {
		w.inAppFor(t, w.actors["agent"], "Badge", "/")
		_, body := do(t, c, "GET", w.srv.URL+"/", nil)
		assert.Contains(t, body, `<span class="badge" id="bell-count" data-count="1" aria-live="polite">1 unread</span>`)
	})
	t.Run("marking read keeps its plain forms", func(t *testing.T) {
		_, body := do(t, c, "GET", w.srv.URL+"/notifications", nil)
		assert.Regexp(t, `<form method="post" action="/notifications/[0-9a-f-]+/read"><button class="link" type="submit">Mark as read</button></form>`, body)
		assert.Contains(t, body, `<form class="bell-readall" method="post" action="/notifications/read">`)
		assert.Contains(t, body, `<span class="bell-new"> · <strong>new</strong></span>`)
	})
}

func TestProfilePreferences(t *testing.T) {
	w := newWorld(t)
	user := func(who string) *tenant.User {
		u, err := w.desk.User(t.Context(), w.admin, w.actors[who].UserID)
		require.NoError(t, err)
		return u
	}
	w.run(t, []scenario{
		{name: "the profile offers the languages; push is not set up here", who: "agent", method: "GET", path: "/profile", status: 200,
			contains: []string{`action="/profile/preferences"`, `<option value="de" lang="de">Deutsch</option>`,
				`<option value="" selected>The organisation&#39;s language</option>`, "Push notifications are not set up on this server."},
			absent: []string{`name="push"`, "data-vapid-key"}},
		{name: "a language of the UI: saved, and the UI speaks it", who: "agent", method: "POST", path: "/profile/preferences",
			form: url.Values{"language": {"de"}}, status: http.StatusSeeOther,
			check: func(t *testing.T, w *world) {
				assert.Equal(t, "de", user("agent").Language)
				assert.False(t, user("agent").Push, "no switch on the form: push stays as it was")
			}},
		{name: "the profile in German", who: "agent", method: "GET", path: "/profile?lang=de", status: 200,
			contains: []string{`<html lang="de">`, `<option value="de" selected lang="de">Deutsch</option>`, "Einstellungen"}},
		{name: "a language that is none", who: "customer_user", method: "POST", path: "/profile/preferences",
			form: url.Values{"language": {"xx-nope"}}, status: http.StatusUnprocessableEntity,
			contains: []string{"Choose one of the languages listed.", `aria-invalid="true"`},
			check:    func(t *testing.T, w *world) { assert.Equal(t, "", user("customer_user").Language) }},
		{name: "back to the organisation's language", who: "agent", method: "POST", path: "/profile/preferences",
			form: url.Values{"language": {""}}, status: http.StatusSeeOther,
			check: func(t *testing.T, w *world) { assert.Equal(t, "", user("agent").Language) }},
	})
	t.Run("the redirect switches the UI", func(t *testing.T) {
		c := w.signedIn(t, "supervisor")
		res, _ := do(t, c, "POST", w.srv.URL+"/profile/preferences", url.Values{"language": {"pl"}})
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		assert.Equal(t, "/profile?lang=pl", res.Header.Get("Location"))
		_, body := do(t, c, "GET", w.srv.URL+res.Header.Get("Location"), nil)
		assert.Contains(t, body, `<html lang="pl">`)
		_, body = do(t, c, "GET", w.srv.URL+"/", nil)
		assert.Contains(t, body, `<html lang="pl">`, "kept for the next pages")
		_, body = do(t, w.signedIn(t, "supervisor"), "GET", w.srv.URL+"/", nil)
		assert.Contains(t, body, `<html lang="pl">`, "and on another device once signed in")
	})
	t.Run("a regional language from the library", func(t *testing.T) {
		lang := "fr-CH"
		_, err := w.desk.UpdateUser(t.Context(), w.actors["moderator"], w.actors["moderator"].UserID, helpdesk.UserEdit{Language: &lang})
		require.NoError(t, err)
		_, body := do(t, w.signedIn(t, "moderator"), "GET", w.srv.URL+"/", nil, "Accept-Language", "de")
		assert.Contains(t, body, `<html lang="fr">`)
	})
}

// TestPushFromTheProfile: with VAPID keys, the profile switches push on and subscribes this
// browser (as the page's script posts it), lists the browsers and removes one; a new request
// then reaches the subscribed browser through the push service.
func TestPushFromTheProfile(t *testing.T) {
	w := newWorld(t)
	ps := w.pushSite(t)
	agent := w.client(t, "agent")
	get := func(c *http.Client, p string) string {
		res, body := do(t, c, "GET", ps.url+p, nil)
		require.Equal(t, http.StatusOK, res.StatusCode, body)
		return body
	}
	body := get(agent, "/profile")
	assert.Contains(t, body, `data-vapid-key="`+ps.keys.Public+`"`)
	assert.Contains(t, body, `<input id="push" name="push" type="checkbox" value="on" aria-describedby="push-hint">`, "off by default")
	assert.Contains(t, body, "No browser receives your push notifications yet.")
	assert.NotContains(t, body, "not set up")

	res, _ := do(t, agent, "POST", ps.url+"/profile/preferences", url.Values{"language": {"en"}, "push-shown": {"1"}, "push": {"on"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	u, err := w.desk.User(t.Context(), w.admin, w.actors["agent"].UserID)
	require.NoError(t, err)
	assert.True(t, u.Push, "switched on")

	browser := ps.service.NewBrowser()
	post := func(c *http.Client, body string, header ...string) (*http.Response, string) {
		req, err := http.NewRequest("POST", ps.url+"/profile/push", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := c.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	res, created := post(agent, `{"endpoint":"`+browser.Endpoint+`","expirationTime":null,"keys":{"p256dh":"`+browser.P256dh+`","auth":"`+browser.Auth+`"}}`)
	require.Equal(t, http.StatusCreated, res.StatusCode, created)
	assert.Contains(t, created, `"id":"`)

	res, problem := post(agent, `{"endpoint":"http://insecure.example/x","keys":{"p256dh":"`+browser.P256dh+`","auth":"`+browser.Auth+`"}}`)
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.JSONEq(t, `{"error":"This browser's subscription is not valid."}`, problem)
	res, _ = post(agent, `not json`)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	res, _ = post(agent, `{}`, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "no subscription from another site")

	body = get(agent, "/profile")
	assert.Contains(t, body, "Firefox · Android")
	sum := sha256.Sum256([]byte(browser.Endpoint))
	assert.Contains(t, body, `<li data-push-tag="`+hex.EncodeToString(sum[:8])+`">`, "the script finds this browser's row")
	assert.NotContains(t, body, browser.Endpoint, "the endpoint, a capability, stays out of the page")
	assert.Contains(t, body, `<input id="push" name="push" type="checkbox" value="on" checked`)
	assert.NotContains(t, body, "No browser receives")

	// A new request is offered to the agent, whose browser hears of it.
	tk, err := ps.desk.SubmitTicket(t.Context(), w.actors["customer_user"], helpdesk.NewTicket{Title: "Pushed pump",
		Requester: ticket.Contact{Name: "Req", Email: "req@req.example"}})
	require.NoError(t, err)
	_, err = ps.desk.DispatchOnce(t.Context())
	require.NoError(t, err)
	var payload string
	for _, p := range ps.service.Received() {
		require.Empty(t, p.Problem)
		if p.Endpoint == browser.Endpoint {
			payload = string(p.Payload)
		}
	}
	require.NotEmpty(t, payload, "the subscribed browser got the push")
	assert.Contains(t, payload, `"link":"`+ps.url+"/tickets/"+tk.ID.String()+`"`)

	// Removing it, with the form the list shows.
	subs, err := w.desk.PushSubscriptions(t.Context(), w.actors["agent"])
	require.NoError(t, err)
	require.Len(t, subs, 1)
	assert.Contains(t, body, `action="/profile/push/`+subs[0].ID.String()+`/delete"`)
	res, _ = do(t, agent, "POST", ps.url+"/profile/push/"+subs[0].ID.String()+"/delete", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Contains(t, get(agent, "/profile"), "No browser receives your push notifications yet.")
	res, _ = do(t, agent, "POST", ps.url+"/profile/push/"+subs[0].ID.String()+"/delete", url.Values{})
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "gone")
	res, _ = do(t, agent, "POST", ps.url+"/profile/push/not-an-id/delete", url.Values{})
	assert.Equal(t, http.StatusNotFound, res.StatusCode)

	t.Run("a form, and its problems next to the list", func(t *testing.T) {
		c := w.client(t, "customer_user")
		f := subscription(t, "form")
		res, _ := do(t, c, "POST", ps.url+"/profile/push", f)
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		f.Set("auth", "short")
		res, body := do(t, c, "POST", ps.url+"/profile/push", f)
		assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		assert.Contains(t, body, "This browser&#39;s subscription is not valid.")
		for range helpdesk.MaxPushSubscriptions - 1 {
			w.subscribe(t, w.actors["customer_user"], "more")
		}
		res, body = do(t, c, "POST", ps.url+"/profile/push", subscription(t, "one too many"))
		assert.Equal(t, http.StatusConflict, res.StatusCode)
		assert.Contains(t, body, "At most 10 browsers receive your notifications: remove one first.")
	})
	t.Run("another person's browser is not found", func(t *testing.T) {
		theirs := w.subscribe(t, w.actors["agent2"], "Agent two's browser")
		res, _ := do(t, agent, "POST", ps.url+"/profile/push/"+theirs.String()+"/delete", url.Values{})
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
		subs, err := w.desk.PushSubscriptions(t.Context(), w.actors["agent2"])
		require.NoError(t, err)
		assert.Len(t, subs, 1, "still theirs")
	})
}

func TestBrowserLabel(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36":                   "Chrome · Android",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1": "Safari · iOS",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0":           "Edge · Windows",
		"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0":                                                                  "Firefox · Linux",
		"curl/8.0": "",
	} {
		assert.Equal(t, want, backoffice.BrowserLabel(ua), ua)
	}
}
