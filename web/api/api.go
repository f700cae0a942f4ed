package api

import (
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/web"
)

// Prefix is the path the API answers under.
const Prefix = "/api/v1"

// SessionCookie names the back office's session cookie, which the API also accepts (for
// scripts of the back office's own pages); such requests must pass the CSRF rule.
const SessionCookie = "session"

// Config tunes the API. The zero value is usable.
type Config struct {
	// Logger receives internal errors. Defaults to slog.Default().
	Logger *slog.Logger
	// MaxBody caps a JSON request body in bytes. Defaults to 1 MiB.
	MaxBody int64
	// MaxUpload caps an uploaded file in bytes. Defaults to 32 MiB.
	MaxUpload int64
}

// Handler is the JSON API. Make one with New.
type Handler struct {
	desk *helpdesk.Desk
	cfg  Config
	ops  []operation
	mux  *http.ServeMux
	doc  []byte
	cop  *http.CrossOriginProtection
}

// New returns the JSON API of desk, answering under Prefix ("/api/v1"): mount it there, on the
// host of the Desk's BaseURL. Its operations and their shapes are in its OpenAPI document,
// served at /api/v1/openapi.json (Document). Requests authenticate with an API token
// (Authorization: Bearer hdt_…) or the back office's session cookie; public operations (under
// /api/v1/public/) take the code or link token in their path instead.
func New(desk *helpdesk.Desk, cfg *Config) (*Handler, error) {
	if desk == nil {
		return nil, errors.New("api: New: nil desk")
	}
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.MaxBody <= 0 {
		c.MaxBody = 1 << 20
	}
	if c.MaxUpload <= 0 {
		c.MaxUpload = 32 << 20
	}
	h := &Handler{desk: desk, cfg: c, ops: operations(), mux: http.NewServeMux(), cop: http.NewCrossOriginProtection()}
	doc, err := Document()
	if err != nil {
		return nil, err
	}
	h.doc = doc
	h.mux.HandleFunc("GET "+Prefix+"/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(h.doc)
	})
	for i := range h.ops {
		o := &h.ops[i]
		h.mux.HandleFunc(o.method+" "+Prefix+o.path, func(w http.ResponseWriter, r *http.Request) { h.serve(o, w, r) })
	}
	h.mux.HandleFunc(Prefix+"/", h.unmatched)
	return h, nil
}

// unmatched answers a request no operation takes: 405 with Allow when its path is an
// operation's with another method, 404 otherwise.
func (h *Handler) unmatched(w http.ResponseWriter, r *http.Request) {
	var allow []string
	path := strings.TrimPrefix(r.URL.Path, Prefix)
	for _, o := range h.ops {
		if pathMatches(o.path, path) && !slices.Contains(allow, o.method) {
			allow = append(allow, o.method)
		}
	}
	if len(allow) == 0 {
		writeProblem(w, &apiError{status: http.StatusNotFound, kind: helpdesk.KindNotFound, detail: "no such operation"})
		return
	}
	if slices.Contains(allow, http.MethodGet) {
		allow = append(allow, http.MethodHead)
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeProblem(w, &apiError{status: http.StatusMethodNotAllowed, kind: kindMethod,
		detail: r.Method + " is not an operation of " + path + "; it takes " + strings.Join(allow, ", ")})
}

// pathMatches reports whether path fits an operation's path template.
func pathMatches(tmpl, path string) bool {
	ts, ps := strings.Split(tmpl, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if !strings.HasPrefix(ts[i], "{") && ts[i] != ps[i] {
			return false
		}
	}
	return true
}

// ServeHTTP serves the API.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	h.mux.ServeHTTP(w, r)
}

// serve runs one operation: authenticate, decode, call, answer.
func (h *Handler) serve(o *operation, w http.ResponseWriter, r *http.Request) {
	c := &call{ctx: r.Context(), w: w, r: r, h: h, op: o}
	var err error
	if o.public {
		c.actor, err = o.resolve(c)
	} else {
		c.actor, err = h.authenticate(r)
	}
	if err != nil {
		if !o.public && problemFor(err).Status == http.StatusUnauthorized {
			// Public operations' credential is their path's token, not a bearer token.
			w.Header().Set("WWW-Authenticate", `Bearer realm="helpdesk"`)
		}
		h.fail(w, o, err)
		return
	}
	if r.Method == http.MethodPost && r.Header.Get("Idempotency-Key") != "" {
		h.idempotent(c, o)
		return
	}
	h.run(c, o)
}

// run calls the operation and writes its answer.
func (h *Handler) run(c *call, o *operation) {
	out, err := o.serve(c)
	if err != nil {
		h.fail(c.w, o, err)
		return
	}
	c.write(o, out)
}

// fail answers err as a problem, logging what an operator must see: an internal error, and a
// lost connection to the database or another service (a warning: the client is told to retry).
func (h *Handler) fail(w http.ResponseWriter, o *operation, err error) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
	case helpdesk.KindOf(err) == helpdesk.KindInternal:
		h.cfg.Logger.Error("api: "+o.id, "err", err)
	case web.LostConnection(err):
		h.cfg.Logger.Warn("api: "+o.id+": unavailable", "err", err)
	}
	writeProblem(w, err)
}

// authenticate finds the actor of a request: its bearer token, else its session cookie, which
// must then pass the cross-origin rule on unsafe methods (a form another site posts carries
// the cookie, never the token).
func (h *Handler) authenticate(r *http.Request) (tenant.Actor, error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, token, ok := strings.Cut(auth, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return tenant.Actor{}, &apiError{status: http.StatusUnauthorized, kind: helpdesk.KindUnauthenticated,
				detail: "the Authorization header must be: Bearer <API token>"}
		}
		return h.desk.AuthenticateAPIToken(r.Context(), strings.TrimSpace(token))
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return tenant.Actor{}, &apiError{status: http.StatusUnauthorized, kind: helpdesk.KindUnauthenticated,
			detail: "send an API token: Authorization: Bearer <token>"}
	}
	if err := h.cop.Check(r); err != nil {
		return tenant.Actor{}, &apiError{status: http.StatusForbidden, kind: helpdesk.KindForbidden,
			detail: "a cross-origin request cannot use the session cookie: " + err.Error()}
	}
	return h.desk.Authenticate(r.Context(), c.Value)
}
