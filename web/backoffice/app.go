package backoffice

import (
	"cmp"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"regexp"
	"strings"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/web"
	"github.com/google/uuid"
)

// manifestPath is where the web app's manifest is served; every signed-in page links it.
const manifestPath = "/manifest.webmanifest"

// defaultTheme is the web app's colour for a tenant without an accent colour of its own: the
// stylesheet's accent.
const defaultTheme = "#1a56db"

// hexColour is a colour as tenant.RequestForm.Accent keeps it.
var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// themeColor is the tenant's accent colour, or "" for the default.
func themeColor(ten *tenant.Tenant) string {
	if a := ten.Settings.Form.Accent; hexColour.MatchString(a) {
		return a
	}
	return ""
}

// appRoutes are the routes of the installable web app: manifest, service worker, push
// subscriptions, and the bell's count for the pages' script.
//
//	GET  /manifest.webmanifest           the web app's manifest: the tenant's name, icons,
//	                                     start at "/", standalone, the tenant's colour
//	GET  /sw.js                          the service worker (root scope): shows the Web Push
//	                                     messages the Desk sends, opens their link on a click
//	GET  /notifications/count            {"unread": n, "label": "n unread"} for the bell;
//	                                     401 with {"unread": 0} signed out
//	POST /profile/push                   subscribes this browser to the person's push
//	                                     notifications: JSON (PushSubscription.toJSON()) or a
//	                                     form (endpoint, p256dh, auth); 201 JSON or 303
//	POST /profile/push/{id}/delete       unsubscribes one of the person's browsers
func (h *Handler) appRoutes() []route {
	return []route{
		{"GET " + manifestPath, h.signedIn(h.manifest)},
		{"GET /sw.js", h.serviceWorker},
		{"GET /notifications/count", h.unreadCount},
		{"POST /profile/push", h.signedIn(h.pushAdd)},
		{"POST /profile/push/{id}/delete", h.signedIn(h.pushDelete)},
	}
}

// manifestIcon is one icon of the manifest.
type manifestIcon struct {
	Src     string `json:"src"`
	Sizes   string `json:"sizes"`
	Type    string `json:"type"`
	Purpose string `json:"purpose"`
}

// webManifest is the web app manifest (W3C Web Application Manifest) of the back office.
type webManifest struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	ShortName       string         `json:"short_name"`
	Description     string         `json:"description"`
	Lang            string         `json:"lang"`
	StartURL        string         `json:"start_url"`
	Scope           string         `json:"scope"`
	Display         string         `json:"display"`
	ThemeColor      string         `json:"theme_color"`
	BackgroundColor string         `json:"background_color"`
	Icons           []manifestIcon `json:"icons"`
}

// manifest makes the back office installable: the tenant's name, its colour, the icons. The
// pages link it with the person's cookies, so it names the tenant they work for.
func (h *Handler) manifest(w http.ResponseWriter, r *http.Request, s *session) {
	name := s.brand
	if name == "" {
		name = s.l.T("layout.service")
	}
	m := webManifest{ID: "/", Name: name, ShortName: name, Description: s.l.T("bo.app.description"), Lang: s.l.Code,
		StartURL: "/", Scope: "/", Display: "standalone", ThemeColor: cmp.Or(s.theme, defaultTheme), BackgroundColor: "#f4f5f7"}
	for _, size := range []string{"192", "512"} {
		for _, purpose := range []string{"any", "maskable"} {
			m.Icons = append(m.Icons, manifestIcon{Src: web.StaticURL("icon-" + size + ".png"), Sizes: size + "x" + size,
				Type: "image/png", Purpose: purpose})
		}
	}
	writeJSON(w, http.StatusOK, "application/manifest+json", m)
}

// serviceWorker serves web/static/sw.js at the root, so that its scope is the whole site;
// it is the same for everyone, signed in or not (a browser updates it in the background).
func (h *Handler) serviceWorker(w http.ResponseWriter, r *http.Request) {
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath, r2.URL.RawQuery = "/sw.js", "", ""
	web.Static().ServeHTTP(w, r2)
	// Static's Cache-Control is "no-cache" for an unversioned path: the browser checks for a
	// new worker with every registration.
}

// unreadCount answers the bell's count as JSON, for the pages' script to update the badge
// without a reload: one UnreadCount, nothing else read.
func (h *Handler) unreadCount(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	var actor tenant.Actor
	c, err := r.Cookie(SessionCookie)
	if err == nil {
		actor, err = h.desk.Authenticate(r.Context(), c.Value)
	}
	if err != nil {
		status := web.Status(helpdesk.KindOf(err))
		if errors.Is(err, http.ErrNoCookie) {
			status = http.StatusUnauthorized
		}
		writeJSON(w, status, "", map[string]any{"unread": 0})
		return
	}
	n, err := h.desk.UnreadCount(r.Context(), actor)
	if err != nil {
		h.cfg.Logger.WarnContext(r.Context(), "unread count", "err", err)
		writeJSON(w, web.Status(helpdesk.KindOf(err)), "", map[string]any{"unread": 0})
		return
	}
	label := ""
	if n > 0 {
		label = l.N("bo.nav.unread", n)
	}
	writeJSON(w, http.StatusOK, "", map[string]any{"unread": n, "label": label})
}

// writeJSON writes v as JSON with status, as contentType (application/json when empty).
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	if contentType == "" {
		contentType = "application/json"
	}
	w.Header().Set("Content-Type", contentType+"; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// subscriptionJSON is a browser's PushSubscription.toJSON(), or the same fields flat.
type subscriptionJSON struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
	P256dh string `json:"p256dh"`
	Auth   string `json:"auth"`
}

// maxSubscriptionBody bounds a subscription's JSON: an endpoint of at most 2 KiB and two keys.
const maxSubscriptionBody = 8 << 10

// wantsJSON reports whether the request's body is JSON (the page's script), rather than a
// form.
func wantsJSON(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/json"
}

// pushAdd subscribes the browser that sends it to the person's push notifications. The
// page's script posts the subscription as JSON and gets JSON back; a form gets the profile.
func (h *Handler) pushAdd(w http.ResponseWriter, r *http.Request, s *session) {
	asJSON := wantsJSON(r)
	in := helpdesk.PushSubscriptionInput{UserAgent: browserLabel(r.UserAgent())}
	if asJSON {
		var sub subscriptionJSON
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxSubscriptionBody)).Decode(&sub); err != nil {
			writeJSON(w, http.StatusBadRequest, "", map[string]string{"error": s.l.T("bo.app.push.invalid")})
			return
		}
		in.Endpoint, in.P256dh, in.Auth = sub.Endpoint, cmp.Or(sub.Keys.P256dh, sub.P256dh), cmp.Or(sub.Keys.Auth, sub.Auth)
	} else {
		in.Endpoint, in.P256dh, in.Auth = r.PostFormValue("endpoint"), r.PostFormValue("p256dh"), r.PostFormValue("auth")
	}
	sub, err := h.desk.AddPushSubscription(r.Context(), s.actor, in)
	if err != nil {
		status, problem := pushProblem(s.l, err)
		switch {
		case asJSON:
			if status == 0 {
				status, problem = web.Status(helpdesk.KindOf(err)), s.l.T("error."+string(helpdesk.KindOf(err)))
			}
			writeJSON(w, status, "", map[string]string{"error": problem})
		case status == 0:
			h.pages.Error(w, r, s.l, err)
		default:
			h.renderProfile(w, r, s, status, profileView{PushProblem: problem})
		}
		return
	}
	if asJSON {
		writeJSON(w, http.StatusCreated, "", map[string]string{"id": sub.ID.String()})
		return
	}
	http.Redirect(w, r, "/profile#push", http.StatusSeeOther)
}

// pushProblem words what is wrong with a subscription for the person; status 0 when err is
// not theirs to fix.
func pushProblem(l *web.Lang, err error) (int, string) {
	var ve *helpdesk.ValidationError
	switch {
	case errors.Is(err, helpdesk.ErrTooManyPushSubscriptions):
		return http.StatusConflict, l.T("bo.app.push.toomany", "Max", helpdesk.MaxPushSubscriptions)
	case errors.As(err, &ve):
		return http.StatusUnprocessableEntity, l.T("bo.app.push.invalid")
	}
	return 0, ""
}

// pushDelete unsubscribes one of the person's browsers; another's is not found.
func (h *Handler) pushDelete(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.pages.Error(w, r, s.l, storage.ErrNotFound)
		return
	}
	if err := h.desk.RemovePushSubscription(r.Context(), s.actor, id); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/profile#push", http.StatusSeeOther)
}

// browserLabel names the browser and system of a User-Agent header the way a person knows
// them ("Firefox on Android"), for the list of their subscribed browsers; "" when it cannot.
func browserLabel(ua string) string {
	browser := ""
	for _, b := range []struct{ token, name string }{{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"SamsungBrowser/", "Samsung Internet"},
		{"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"}, {"CriOS/", "Chrome"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"}} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	system := ""
	for _, o := range []struct{ token, name string }{{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"},
		{"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"}} {
		if strings.Contains(ua, o.token) {
			system = o.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " · " + system
	case browser != "":
		return browser
	}
	return system
}
