package backoffice

import (
	"cmp"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/web"
	"github.com/google/uuid"
)

//go:embed templates/*.html
var templates embed.FS

// SessionCookie names the cookie that keeps a signed-in person's session token.
const SessionCookie = "session"

// Config tunes the back office. Tenant is required.
type Config struct {
	// Tenant returns the tenant whose people sign in through request r: an application that
	// serves one operator returns its ID (see SingleTenant); one that serves several picks it
	// by host name. An error is shown as a page of its kind (helpdesk.KindOf).
	Tenant func(r *http.Request) (uuid.UUID, error)
	// Logger receives the access log (routes, never tokens) and internal errors. Defaults to
	// slog.Default().
	Logger *slog.Logger
	// Catalog holds the UI strings; defaults to web.NewCatalog().
	Catalog *web.Catalog
}

// SingleTenant returns a Config.Tenant for an application that serves one operator.
func SingleTenant(id uuid.UUID) func(*http.Request) (uuid.UUID, error) {
	return func(*http.Request) (uuid.UUID, error) { return id, nil }
}

// Handler is the back office. Make one with New.
type Handler struct {
	desk  *helpdesk.Desk
	cfg   Config
	cat   *web.Catalog
	pages *web.Pages
	h     http.Handler
	// secure says whether cookies are Secure whatever the request: the Desk's BaseURL is https,
	// so TLS may end at a proxy in front of the handler.
	secure bool
}

// ServeHTTP serves the back office.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.h.ServeHTTP(w, r) }

// New returns the back office of desk as an http.Handler answering under "/": mount it at the
// root of the host the Desk's BaseURL names, beside the public pages (web/public), whose paths
// it leaves alone (/c/, /requests/, /request-links/, /sessions/). Its routes:
//
//	GET  /                               the dashboard
//	GET  /login                          the sign-in form; POST signs in
//	POST /logout                         signs out
//	GET  /invitation/{token}             choose a password for an invitation; POST accepts it
//	GET  /reset-password                 ask for a reset link; POST sends it
//	GET  /reset-password/{token}         choose a new password; POST sets it
//	GET  /share-login/{token}            sign this device in; POST redeems the link
//	POST /offers/{id}/accept             accepts the ticket {id} offered to the person
//	GET  /notifications                  the bell: in-app notifications, newest first
//	POST /notifications/{id}/read        marks one read; POST /notifications/read marks all
//	GET  /profile                        the profile; POST /profile/password, /profile/share,
//	                                     /profile/preferences (language, push switch)
//	/profile/tokens…                     the person's own API tokens (tokenRoutes)
//	/tickets…, /sessions                 Tickets and Video Sessions (see ticketRoutes,
//	                                     sessionRoutes)
//	/templates…, /devices…               Templates and Devices (catalogRoutes)
//	/codes…, /customers…, /projects…     Codes, Customers, Projects (codeRoutes)
//	/company…                            My Company (companyRoutes, settingsRoutes)
//	/manifest.webmanifest, /sw.js, …     the installable web app (appRoutes)
//	GET  /static/…                       stylesheet and images
//
// It returns an error when Config.Tenant is missing or the templates do not load.
func New(desk *helpdesk.Desk, cfg *Config) (*Handler, error) {
	if desk == nil {
		return nil, errors.New("backoffice: New: nil desk")
	}
	if cfg == nil || cfg.Tenant == nil {
		return nil, errors.New("backoffice: New: Config.Tenant is required")
	}
	c := *cfg
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Catalog == nil {
		var err error
		if c.Catalog, err = web.NewCatalog(); err != nil {
			return nil, err
		}
	}
	pages, err := web.NewPages(c.Catalog, c.Logger, templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	h := &Handler{desk: desk, cfg: c, cat: c.Catalog, pages: pages,
		secure: strings.HasPrefix(desk.CodeURL(""), "https://")}
	m := http.NewServeMux()
	m.Handle("GET /static/", http.StripPrefix("/static/", web.Static()))
	for _, rt := range h.routes() {
		m.HandleFunc(rt.pattern, rt.handler)
	}
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.pages.Error(w, r, h.cat.For(w, r), fmt.Errorf("backoffice: %w", storage.ErrNotFound))
	})
	h.h = web.AccessLog(c.Logger, web.Secure(noStore(m)))
	return h, nil
}

// route is one of the back office's routes: a ServeMux pattern and its handler.
type route struct {
	pattern string
	handler http.HandlerFunc
}

// routes is the one table of the back office's routes (besides /static/ and the catch-all),
// gathered from each module's part of it: the tests walk it, so that a new route cannot go
// without its isolation case and its expectations for every role.
func (h *Handler) routes() []route {
	return slices.Concat(h.coreRoutes(), h.ticketRoutes(), h.sessionRoutes(), h.catalogRoutes(),
		h.codeRoutes(), h.companyRoutes(), h.settingsRoutes(), h.webhookRoutes(), h.appRoutes(), h.tokenRoutes())
}

// coreRoutes are signing in and out, the dashboard, the bell and the profile.
func (h *Handler) coreRoutes() []route {
	return []route{
		{"GET /login", h.loginForm},
		{"POST /login", h.loginPost},
		{"POST /logout", h.logout},
		{"GET /invitation/{token}", h.invitationForm},
		{"POST /invitation/{token}", h.invitationPost},
		{"GET /reset-password", h.resetRequestForm},
		{"POST /reset-password", h.resetRequestPost},
		{"GET /reset-password/{token}", h.resetForm},
		{"POST /reset-password/{token}", h.resetPost},
		{"GET /share-login/{token}", h.shareForm},
		{"POST /share-login/{token}", h.sharePost},
		{"GET /{$}", h.signedIn(h.dashboard)},
		{"POST /offers/{id}/accept", h.signedIn(h.acceptOffer)},
		{"GET /notifications", h.signedIn(h.bell)},
		{"POST /notifications/{id}/read", h.signedIn(h.bellRead)},
		{"POST /notifications/read", h.signedIn(h.bellReadAll)},
		{"GET /profile", h.signedIn(h.profile)},
		{"POST /profile/password", h.signedIn(h.passwordPost)},
		{"POST /profile/share", h.signedIn(h.sharePage)},
		{"POST /profile/preferences", h.signedIn(h.preferencesPost)},
	}
}

// noStore keeps the pages of signed-in people out of shared caches and the browser's history
// cache: they show a person's cases.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			w.Header().Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// nav is what the header shows a signed-in person.
type nav struct {
	Name   string
	Unread int
	// Customer says the person is a customer's user: the slimmed back office.
	Customer bool
	// Items are the modules the person may open, in the side menu's order.
	Items []navItem
}

// navItem is one module of the menu: its path and the message ID of its name.
type navItem struct{ Path, Label string }

// navItems lists the modules a person of actor's kind and role opens. The policy decides what
// each page then shows; this only leaves out modules that would show such a person nothing:
// customer users never see Templates, Customers or Codes, and My Company is for the people
// who manage one (an operator's admin and moderator, a customer's admin).
func navItems(actor tenant.Actor) []navItem {
	items := []navItem{{"/", "bo.nav.dashboard"}, {"/tickets", "bo.nav.tickets"}, {"/sessions", "bo.nav.sessions"},
		{"/devices", "bo.nav.devices"}}
	if actor.Kind == tenant.ActorEmployee {
		items = append(items, navItem{"/templates", "bo.nav.templates"}, navItem{"/customers", "bo.nav.customers"},
			navItem{"/codes", "bo.nav.codes"})
	}
	switch actor.Role {
	case tenant.RoleAdmin, tenant.RoleModerator, tenant.RoleCustomerAdmin:
		items = append(items, navItem{"/company", "bo.nav.company"})
	}
	return items
}

// session is a signed-in request: the actor, the language and the header's data.
type session struct {
	actor tenant.Actor
	l     *web.Lang
	nav   *nav
	// brand is the tenant's name, shown in the header, and theme its accent colour.
	brand, theme string
}

// signedIn runs next for a signed-in person, and leads anyone else to /login and back.
func (h *Handler) signedIn(next func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, l, ok := h.authenticate(w, r)
		if !ok {
			return
		}
		s := &session{actor: actor, l: l, nav: &nav{Name: actor.Name, Customer: actor.Kind == tenant.ActorCustomerUser,
			Items: navItems(actor)}}
		if ten, err := h.desk.Tenant(r.Context(), actor); err == nil {
			s.brand, s.theme = ten.Name, themeColor(ten)
		} else {
			h.cfg.Logger.WarnContext(r.Context(), "read tenant", "err", err)
		}
		if n, err := h.desk.UnreadCount(r.Context(), actor); err == nil {
			s.nav.Unread = n
		} else {
			h.cfg.Logger.WarnContext(r.Context(), "unread count", "err", err)
		}
		next(w, r, s)
	}
}

// authenticate returns the actor of the request's session and the request's language. For
// anyone not signed in it answers itself (a GET is led to /login and back, anything else
// refused) and returns false.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) (tenant.Actor, *web.Lang, bool) {
	l := h.cat.For(w, r)
	c, err := r.Cookie(SessionCookie)
	var actor tenant.Actor
	if err == nil {
		actor, err = h.desk.Authenticate(r.Context(), c.Value)
	}
	switch {
	case err == nil:
		return actor, l, true
	case errors.Is(err, http.ErrNoCookie) || helpdesk.KindOf(err) == helpdesk.KindUnauthenticated:
		h.clearSession(w)
		if r.Method != http.MethodGet {
			h.pages.Error(w, r, l, fmt.Errorf("backoffice: %w", helpdesk.ErrUnauthenticated))
			return actor, l, false
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	default:
		h.pages.Error(w, r, l, err)
	}
	return actor, l, false
}

// render writes a signed-in person's page; scripts names the page's own scripts among the
// static files (web.StaticURL), which only enhance it.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, s *session, status int, name, title string, data any, scripts ...string) {
	h.pages.Render(w, r, status, name, s.page(web.Page{L: s.l, Title: title, Path: r.URL.Path, Data: data}, scripts...))
}

// page completes pg as every signed-in page has it: the header (brand, menu, bell), the web
// app's manifest and colour, and backoffice.js (the service worker, the bell, local times,
// the menu) before the page's own scripts.
func (s *session) page(pg web.Page, scripts ...string) web.Page {
	pg.Brand, pg.Nav, pg.Manifest, pg.ThemeColor = s.brand, s.nav, manifestPath, cmp.Or(s.theme, defaultTheme)
	pg.Scripts = []string{web.StaticURL("backoffice.js")}
	for _, sc := range scripts {
		pg.Scripts = append(pg.Scripts, web.StaticURL(sc))
	}
	return pg
}

// renderOut writes a page for someone not signed in.
func (h *Handler) renderOut(w http.ResponseWriter, r *http.Request, l *web.Lang, status int, name, title string, data any) {
	h.pages.Render(w, r, status, name, web.Page{L: l, Title: title, Path: r.URL.Path, Data: data})
}

// startSession keeps a new session's token in the cookie, and the person's own language (their
// profile's) as the UI's.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, in *helpdesk.SignedIn) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: in.Token, Path: "/", Expires: in.ExpiresAt,
		HttpOnly: true, Secure: h.secure || r.TLS != nil, SameSite: http.SameSiteLaxMode})
	if in.User != nil && in.User.Language != "" {
		web.RememberLanguage(w, r, in.User.Language)
	}
}

func (h *Handler) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// localPath returns next when it is a path of this site ("/…", not "//host"), else "/".
func localPath(next string) string {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.HasPrefix(next, "/\\") {
		return next
	}
	return "/"
}
