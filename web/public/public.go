package public

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/web"
	"github.com/google/uuid"
)

//go:embed templates/*.html
var templates embed.FS

// Config tunes the public handler. The zero value is ready to use; a nil *Config means the
// zero value.
type Config struct {
	// Logger receives the access log (routes, never paths: they carry secrets) and failures.
	// Defaults to slog.Default().
	Logger *slog.Logger
	// Catalog holds the UI strings. Defaults to web.NewCatalog().
	Catalog *web.Catalog
	// LookupsPerMinute and LookupBurst limit the requests each client (web.ClientIP) may make
	// to pages named by a secret (codes, requester and session links), so that guessing
	// tokens meets 429 long before it could succeed (a token has 256 random bits: the limit
	// stops floods, not luck). Each page counts, and so does each branding file a page loads
	// under its secret until the browser has cached it; many visitors may share one address
	// (a hospital behind one NAT). Default to 300 a minute, bursts of 100.
	LookupsPerMinute float64
	LookupBurst      int
	// MaxRequestBytes caps one form post, its files included; larger posts are refused with
	// 413 before anything is stored. Defaults to 110 MiB (helpdesk.Config.MaxUploadSize's
	// default, and room for the form).
	MaxRequestBytes int64
	// EndCall, when set, offers "end call" on the join page and calls it with the session's
	// room: a demo without a real video provider (videotest.Fake) ends its room this way, and
	// the provider reports the end as its callback would.
	EndCall func(ctx context.Context, room string) error
	// Joined, when set, is told the room and identity of every join the join page makes: a
	// demo without a real video provider reports the participant as connected (the call goes
	// live), as the provider's callback would.
	Joined func(ctx context.Context, room, identity string) error
}

// Handler serves the public pages: a device's page behind its code, the request form, the
// requester's ticket page and the session links. Create it with New.
type Handler struct {
	desk  *helpdesk.Desk
	cfg   Config
	cat   *web.Catalog
	pages *web.Pages
	limit *web.Limiter
	mux   *http.ServeMux
	h     http.Handler
}

// New returns the public pages of desk as an http.Handler answering under "/": mount it at
// the root of the host the code URLs name (helpdesk.Config.BaseURL), or behind
// http.StripPrefix. Its routes:
//
//	GET  /c/{token}                      a device's page (or its PIN prompt)
//	POST /c/{token}/pin                  the PIN
//	GET  /c/{token}/request              the request form; POST submits it
//	GET  /c/{token}/brand.css            the tenant's branding stylesheet (accent, background)
//	GET  /c/{token}/brand/{file}         the tenant's logo or background (versioned by ?v=)
//	GET  /request-links/{token}          the request form a request link opens; POST submits it
//	GET  /requests/{token}               the requester's ticket page
//	POST /requests/{token}/{action}      message, upload, resolve, rate, reopen, call
//	POST /requests/{token}/sessions/{id}/{action}   accept, refuse, join a video call
//	GET  /requests/{token}/files/{id}    a file of the ticket
//	GET  /sessions/{token}               a video session's page
//	GET  /sessions/{token}/accept        the same page (the links of an invitation e-mail; also /refuse)
//	POST /sessions/{token}/{action}      accept, refuse, join, end
//	GET  /static/…                       stylesheet and images
//
// The branding routes of a code (brand.css, brand/{file}) answer under each link too, so that
// every public page of a tenant shows its branding, each authorised by the page's own secret:
// /requests/{token}/brand.css, /request-links/{token}/brand.css, /sessions/{token}/brand.css
// and their brand/{file}.
//
// It returns an error if the templates or the catalogue cannot be loaded.
func New(desk *helpdesk.Desk, cfg *Config) (*Handler, error) {
	if desk == nil {
		return nil, errors.New("public: New: nil desk")
	}
	c := Config{}
	if cfg != nil {
		c = *cfg
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Catalog == nil {
		var err error
		if c.Catalog, err = web.NewCatalog(); err != nil {
			return nil, err
		}
	}
	if c.LookupsPerMinute <= 0 {
		c.LookupsPerMinute = 300
	}
	if c.LookupBurst <= 0 {
		c.LookupBurst = 100
	}
	if c.MaxRequestBytes <= 0 {
		c.MaxRequestBytes = 110 << 20
	}
	pages, err := web.NewPages(c.Catalog, c.Logger, templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	h := &Handler{desk: desk, cfg: c, cat: c.Catalog, pages: pages, limit: web.NewLimiter(c.LookupsPerMinute, c.LookupBurst),
		mux: http.NewServeMux()}
	h.routes()
	h.h = web.AccessLog(c.Logger, web.Secure(h.mux))
	return h, nil
}

// ServeHTTP serves the public pages.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.h.ServeHTTP(w, r) }

func (h *Handler) routes() {
	m := h.mux
	m.Handle("GET /static/", http.StripPrefix("/static/", web.Static()))
	m.HandleFunc("GET /c/{token}", h.limited(h.devicePage))
	m.HandleFunc("POST /c/{token}/pin", h.limited(h.pinPost))
	m.HandleFunc("GET /c/{token}/request", h.limited(h.requestForm))
	m.HandleFunc("POST /c/{token}/request", h.limited(h.requestPost))
	for _, b := range []struct {
		base string
		open brandSource
	}{{"/c/{token}", h.codeBrand}, {"/requests/{token}", h.requesterBrand},
		{"/request-links/{token}", h.requestLinkBrand}, {"/sessions/{token}", h.sessionBrand}} {
		m.HandleFunc("GET "+b.base+"/brand.css", h.limited(h.brandStyle(b.open)))
		m.HandleFunc("GET "+b.base+"/brand/{file}", h.limited(h.brandFile(b.open)))
	}
	m.HandleFunc("GET /request-links/{token}", h.limited(h.linkForm))
	m.HandleFunc("POST /request-links/{token}", h.limited(h.linkPost))
	m.HandleFunc("GET /requests/{token}", h.limited(h.ticketPage))
	m.HandleFunc("POST /requests/{token}/{action}", h.limited(h.ticketPost))
	m.HandleFunc("POST /requests/{token}/sessions/{id}/{action}", h.limited(h.ticketSessionPost))
	m.HandleFunc("GET /requests/{token}/files/{id}", h.limited(h.file))
	m.HandleFunc("GET /sessions/{token}", h.limited(h.sessionPage))
	m.HandleFunc("GET /sessions/{token}/{action}", h.limited(h.sessionAnswerPage))
	m.HandleFunc("POST /sessions/{token}/{action}", h.limited(h.sessionPost))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.pages.Error(w, r, h.cat.For(w, r), fmt.Errorf("public: %w", storage.ErrNotFound))
	})
}

// limited answers 429 to a client past its rate of look-ups.
func (h *Handler) limited(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.limit.Allow(web.ClientIP(r)) {
			l := h.cat.For(w, r)
			h.pages.ErrorPage(w, r, http.StatusTooManyRequests, l, web.ErrorView{Message: l.T("error.throttled"), Hint: l.T("error.throttled.hint")})
			return
		}
		next(w, r)
	}
}

// page renders a page with the visitor's language.
func (h *Handler) page(w http.ResponseWriter, r *http.Request, l *web.Lang, status int, name, title string, data any) {
	h.pages.Render(w, r, status, name, web.Page{L: l, Title: title, Data: data})
}

// brandedPage renders a page of a code's device with the tenant's branding stylesheet.
func (h *Handler) brandedPage(w http.ResponseWriter, r *http.Request, l *web.Lang, status int, name, title string, b branding, data any) {
	page := web.Page{L: l, Title: title, Brand: b.Name, Data: data}
	if b.Style != "" {
		page.Styles = []string{b.Style}
	}
	h.pages.Render(w, r, status, name, page)
}

// ---------------------------------------------------------------------------------------------
// Device page and PIN

// pinCookie names the cookie that keeps a code's PIN for the pages under the code's path.
const pinCookie = "pin"

// openCode resolves the code of the request's path, with the PIN its cookie holds, counting a
// scan when count is set: the device page counts visits, the requests that follow do not.
func (h *Handler) openCode(r *http.Request, count bool) (*helpdesk.PublicPage, error) {
	pin := ""
	if c, err := r.Cookie(pinCookie); err == nil {
		pin = c.Value
	}
	if count {
		return h.desk.OpenCode(r.Context(), r.PathValue("token"), pin)
	}
	return h.desk.ResolveCode(r.Context(), r.PathValue("token"), pin)
}

// codeError renders what a visitor sees when a code does not open: the PIN prompt, or a page
// saying the code is unknown or no longer in use.
func (h *Handler) codeError(w http.ResponseWriter, r *http.Request, l *web.Lang, err error, tried bool) {
	switch {
	case errors.Is(err, helpdesk.ErrWrongPIN):
		status := http.StatusUnauthorized
		v := pinView{Action: "/c/" + r.PathValue("token") + "/pin"}
		if tried {
			v.Wrong = true
		}
		h.page(w, r, l, status, "pin", l.T("pin.title"), v)
	case errors.Is(err, helpdesk.ErrCodeUnusable):
		h.pages.ErrorPage(w, r, http.StatusGone, l, web.ErrorView{Message: l.T("code.unusable"), Hint: l.T("code.unusable.hint")})
	case helpdesk.KindOf(err) == helpdesk.KindNotFound:
		h.pages.ErrorPage(w, r, http.StatusNotFound, l, web.ErrorView{Message: l.T("code.unknown"), Hint: l.T("code.unknown.hint")})
	default:
		h.pages.Error(w, r, l, err)
	}
}

type pinView struct {
	Action string
	Wrong  bool
}

type deviceView struct {
	Token   string
	Device  *helpdesk.PublicDevice
	CanOpen bool
	CanCall bool
	// Texts are the form's texts in the visitor's language; Guide the guide's link.
	Texts tenant.FormTexts
	Guide string
	Brand branding
	// SignIn and Invited say the form is not open to code holders, and why.
	SignIn, Invited bool
}

func (h *Handler) devicePage(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	p, err := h.openCode(r, true)
	if err != nil {
		h.codeError(w, r, l, err, false)
		return
	}
	token := r.PathValue("token")
	v := deviceView{Token: token, Device: p.Device,
		CanOpen: slices.Contains(p.Actions, device.ActionOpenTicket), CanCall: slices.Contains(p.Actions, device.ActionRequestSession),
		Texts: p.Form.Text(l.Code), Guide: p.Form.GuideURL, Brand: brandOf("/c/"+token, p.Form)}
	switch p.Form.Visibility {
	case tenant.VisibilityCustomers:
		v.SignIn, v.CanOpen, v.CanCall = true, false, false
	case tenant.VisibilityInvited:
		v.Invited, v.CanOpen, v.CanCall = true, false, false
	}
	title := l.T("device.title")
	if p.Device != nil {
		title = p.Device.Name
	}
	h.brandedPage(w, r, l, http.StatusOK, "device", title, v.Brand, v)
}

func (h *Handler) pinPost(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	token := r.PathValue("token")
	pin := strings.TrimSpace(r.PostFormValue("pin"))
	if _, err := h.desk.ResolveCode(r.Context(), token, pin); err != nil {
		h.codeError(w, r, l, err, true)
		return
	}
	// Secure when the request came over TLS, or the site's public address is https (TLS then
	// ends at a proxy in front of the handler).
	secure := r.TLS != nil || strings.HasPrefix(h.desk.CodeURL(""), "https://")
	http.SetCookie(w, &http.Cookie{Name: pinCookie, Value: pin, Path: "/c/" + token, HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/c/"+token, http.StatusSeeOther)
}

// ---------------------------------------------------------------------------------------------
// Request form

type requestView struct {
	Action  string
	Back    string
	Device  *helpdesk.PublicDevice
	Form    requestForm
	CanCall bool
	// CanUpload offers photos with the request (the code offers upload_media).
	CanUpload bool
	// Hint is the form's request hint in the visitor's language; Types the type list; Terms
	// the terms to accept; Invited says a request link opened the form.
	Hint    string
	Types   []string
	Terms   string
	Invited bool
	// Problems holds each invalid field's message; Problem the form's as a whole.
	Problems map[string]string
	Problem  string
	Brand    branding
}

type requestForm struct {
	Title, Description, Name, Email, Phone, Type string
	Call, Terms                                  bool
}

func (h *Handler) requestForm(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	p, err := h.openCode(r, false)
	if err != nil {
		h.codeError(w, r, l, err, false)
		return
	}
	h.renderForm(w, r, l, p, http.StatusOK, requestForm{Call: r.URL.Query().Get("call") == "1"}, nil)
}

// closedForm renders what a visitor of a code sees when the form is not theirs to use: a page
// asking them to sign in (401), or one explaining a request link is needed (403).
func (h *Handler) closedForm(w http.ResponseWriter, r *http.Request, l *web.Lang, vis tenant.Visibility) bool {
	back := "/c/" + r.PathValue("token")
	switch vis {
	case tenant.VisibilityCustomers:
		h.pages.ErrorPage(w, r, http.StatusUnauthorized, l, web.ErrorView{Message: l.T("device.signin"), Hint: l.T("device.signin.hint"),
			Back: back, BackLabel: l.T("request.back")})
	case tenant.VisibilityInvited:
		h.pages.ErrorPage(w, r, http.StatusForbidden, l, web.ErrorView{Message: l.T("device.invited"), Hint: l.T("device.invited.hint"),
			Back: back, BackLabel: l.T("request.back")})
	default:
		return false
	}
	return true
}

// formView fills what the request form shows of the tenant's form.
func formView(l *web.Lang, v *requestView, f *helpdesk.PublicForm) {
	v.Hint = f.Text(l.Code).RequestHint
	if v.Hint == "" {
		v.Hint = l.T("request.hint")
	}
	v.Types, v.Terms = f.Types, f.TermsURL
}

func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, l *web.Lang, p *helpdesk.PublicPage, status int, f requestForm, err error) {
	token := r.PathValue("token")
	if h.closedForm(w, r, l, p.Form.Visibility) {
		return
	}
	canOpen := slices.Contains(p.Actions, device.ActionOpenTicket)
	canCall := slices.Contains(p.Actions, device.ActionRequestSession)
	if !canOpen && !canCall {
		h.pages.ErrorPage(w, r, http.StatusForbidden, l, web.ErrorView{Message: l.T("request.closed"), Back: "/c/" + token, BackLabel: l.T("request.back")})
		return
	}
	v := requestView{Action: "/c/" + token + "/request", Back: "/c/" + token, Device: p.Device, Form: f, CanCall: canCall,
		CanUpload: slices.Contains(p.Actions, device.ActionUploadMedia), Brand: brandOf("/c/"+token, p.Form)}
	formView(l, &v, p.Form)
	if !canOpen {
		v.Form.Call = true
	}
	if err != nil {
		v.Problems, v.Problem = problems(l, err)
	}
	h.brandedPage(w, r, l, status, "request", l.T("request.title"), v.Brand, v)
}

func (h *Handler) requestPost(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxRequestBytes)
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		h.tooLarge(w, r, l, err)
		return
	}
	p, err := h.openCode(r, false)
	if err != nil {
		h.codeError(w, r, l, err, false)
		return
	}
	if h.closedForm(w, r, l, p.Form.Visibility) {
		return
	}
	f := formValues(r)
	holder := p.Actor
	holder.Name = strings.TrimSpace(f.Name)
	in := f.ticket(l)
	if !slices.Contains(p.Actions, device.ActionOpenTicket) {
		in.RequestSession = true
	}
	sub, err := h.desk.SubmitTicket(r.Context(), holder, in)
	if err != nil {
		status := web.Status(helpdesk.KindOf(err))
		if helpdesk.KindOf(err) == helpdesk.KindInvalid || errors.Is(err, helpdesk.ErrSupportLapsed) || errors.Is(err, helpdesk.ErrNotOffered) {
			h.renderForm(w, r, l, p, status, f, err)
			return
		}
		h.codeError(w, r, l, err, false)
		return
	}
	h.submitted(w, r, sub)
}

// formValues reads the request form.
func formValues(r *http.Request) requestForm {
	return requestForm{Title: r.FormValue("title"), Description: r.FormValue("description"), Name: r.FormValue("name"),
		Email: r.FormValue("email"), Phone: r.FormValue("phone"), Type: r.FormValue("type"),
		Call: r.FormValue("call") == "1", Terms: r.FormValue("terms") == "1"}
}

// ticket is the submission the form asks for.
func (f requestForm) ticket(l *web.Lang) helpdesk.NewTicket {
	return helpdesk.NewTicket{Title: f.Title, Description: f.Description, RequestSession: f.Call, Type: f.Type,
		AcceptTerms: f.Terms, Requester: ticket.Contact{Name: f.Name, Email: f.Email, Phone: f.Phone, Language: l.Code}}
}

// submitted uploads the photos that came with a request, as its requester through the new
// link (the Desk refuses them when the code does not offer uploads), and goes to the ticket.
func (h *Handler) submitted(w http.ResponseWriter, r *http.Request, sub *helpdesk.Submitted) {
	if files := fileParts(r, "photos"); len(files) > 0 {
		link, err := h.desk.OpenRequesterLink(r.Context(), sub.RequesterToken)
		if err == nil {
			for _, fh := range files {
				if err := h.upload(r.Context(), link.Actor, sub.ID, fh); err != nil {
					h.cfg.Logger.InfoContext(r.Context(), "upload with request refused", "err", err)
					break
				}
			}
		}
	}
	http.Redirect(w, r, "/requests/"+sub.RequesterToken+"?new=1", http.StatusSeeOther)
}

// fileParts returns the files of a multipart field that hold something.
func fileParts(r *http.Request, field string) []*multipart.FileHeader {
	if r.MultipartForm == nil {
		return nil
	}
	var out []*multipart.FileHeader
	for _, fh := range r.MultipartForm.File[field] {
		if fh.Size > 0 {
			out = append(out, fh)
		}
	}
	return out
}

func (h *Handler) upload(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID, fh *multipart.FileHeader) error {
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = h.desk.UploadMedia(ctx, actor, ticketID, helpdesk.Upload{Name: fh.Filename, Body: f})
	return err
}

func (h *Handler) tooLarge(w http.ResponseWriter, r *http.Request, l *web.Lang, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		h.pages.ErrorPage(w, r, http.StatusRequestEntityTooLarge, l, web.ErrorView{Message: l.T("error.too_large"), Hint: l.T("error.too_large.hint")})
		return
	}
	h.pages.ErrorPage(w, r, http.StatusBadRequest, l, web.ErrorView{Message: l.T("error.invalid"), Hint: l.T("error.invalid.hint")})
}

// problems turns a Desk error into messages for the form: per field where the error names
// one, else for the form as a whole. The Desk's own words are English; the visitor reads
// their language's, picked by field.
func problems(l *web.Lang, err error) (map[string]string, string) {
	var ve *helpdesk.ValidationError
	switch {
	case errors.As(err, &ve):
		field := ve.Field
		if i := strings.IndexByte(field, '.'); i > 0 && field[:i] == "requester" {
			field = field[i+1:]
		}
		switch field {
		case "title", "description", "name", "email", "phone", "body", "stars", "comment", "file", "type", "accept_terms":
			return map[string]string{field: l.T("form." + field + ".invalid")}, ""
		case "requester":
			return map[string]string{"email": l.T("form.reach.invalid")}, ""
		}
		return nil, l.T("error.invalid")
	case errors.Is(err, helpdesk.ErrSupportLapsed):
		return nil, l.T("request.lapsed")
	case errors.Is(err, helpdesk.ErrNotOffered):
		return nil, l.T("request.not_offered")
	}
	return nil, l.T("error." + string(helpdesk.KindOf(err)))
}

// ---------------------------------------------------------------------------------------------
// The requester's ticket page

type ticketView struct {
	Token string
	New   bool
	// SupportEmail is shown after submitting.
	SupportEmail string
	Ticket       *ticket.Ticket
	State        string
	Messages     []*ticket.Message
	Older        string
	History      []historyLine
	Stars        []int
	Files        []*ticket.Attachment
	Sessions     []sessionLine
	// What the page offers, as the ticket's state, the tenant's offer and the code the
	// ticket came through allow (helpdesk.RequesterPage.Actions).
	CanPost, CanResolve, CanRate, CanReopen, CanUpload, CanCall bool
	Brand                                                       branding
	Problems                                                    map[string]string
	Problem                                                     string
	Done                                                        string
}

func (h *Handler) openLink(r *http.Request) (*helpdesk.RequesterPage, error) {
	return h.desk.OpenRequesterLink(r.Context(), r.PathValue("token"))
}

func (h *Handler) linkError(w http.ResponseWriter, r *http.Request, l *web.Lang, err error) {
	if errors.Is(err, helpdesk.ErrInvalidLink) {
		h.pages.ErrorPage(w, r, http.StatusNotFound, l, web.ErrorView{Message: l.T("link.invalid"), Hint: l.T("link.invalid.hint")})
		return
	}
	h.pages.Error(w, r, l, err)
}

func (h *Handler) ticketPage(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	link, err := h.openLink(r)
	if err != nil {
		h.linkError(w, r, l, err)
		return
	}
	h.renderTicket(w, r, l, link, http.StatusOK, nil, r.URL.Query().Get("done"))
}

func (h *Handler) renderTicket(w http.ResponseWriter, r *http.Request, l *web.Lang, link *helpdesk.RequesterPage, status int, failed error, done string) {
	ctx := r.Context()
	t := link.Ticket
	v := ticketView{Token: r.PathValue("token"), New: r.URL.Query().Get("new") == "1", Ticket: t,
		State: l.T("state." + string(t.State)), Done: done}
	if link.Form != nil {
		v.SupportEmail = link.Form.SupportEmail
		v.Brand = brandOf("/requests/"+v.Token, link.Form)
	}
	ms, err := h.desk.Messages(ctx, link.Actor, t.ID, storage.PageRequest{After: r.URL.Query().Get("after")})
	if err != nil {
		h.pages.Error(w, r, l, err)
		return
	}
	v.Messages, v.Older = ms.Items, ms.Next
	if hs, err := h.desk.History(ctx, link.Actor, t.ID, storage.PageRequest{}); err == nil {
		for _, e := range hs.Items {
			v.History = append(v.History, describe(l, e))
		}
	}
	v.Stars = []int{1, 2, 3, 4, 5}
	if fs, err := h.desk.Attachments(ctx, link.Actor, t.ID, storage.PageRequest{}); err == nil {
		v.Files = fs.Items
	}
	if ss, err := h.desk.Sessions(ctx, link.Actor, t.ID, storage.PageRequest{}); err == nil {
		for _, s := range ss.Items {
			v.Sessions = append(v.Sessions, sessionLine{Session: s, State: l.T("session." + string(s.State)),
				CanAnswer: s.State == ticket.SessionProposed, CanJoin: joinable(s.State)})
		}
	}
	active := !t.State.Terminal()
	v.CanPost = active
	v.CanUpload = (active || t.State == ticket.StateDone) && link.Offers(device.ActionUploadMedia)
	v.CanResolve = slices.Contains([]ticket.State{ticket.StateAssigned, ticket.StateInProgress, ticket.StateWaiting, ticket.StateDone}, t.State)
	v.CanRate = t.State == ticket.StateDone
	v.CanReopen = t.State == ticket.StateDone || t.State == ticket.StateClosed
	v.CanCall = active && link.Offers(device.ActionRequestSession)
	if failed != nil {
		v.Problems, v.Problem = problems(l, failed)
	}
	h.brandedPage(w, r, l, status, "ticket", l.T("ticket.title", "Ref", t.Ref()), v.Brand, v)
}

// sessionLine is one video session on the ticket page, with what the requester may do.
type sessionLine struct {
	Session            *ticket.Session
	State              string
	CanAnswer, CanJoin bool
}

// joinable says whether a call can be joined in session state s.
func joinable(s ticket.SessionState) bool {
	return s == ticket.SessionInvited || s == ticket.SessionConfirmed || s == ticket.SessionInProgress
}

// historyLine is one entry of a ticket's history as the requester reads it.
type historyLine struct {
	At        time.Time
	Who, What string
}

// describe says in the visitor's words what a history entry changed: the new state, or what
// was done.
func describe(l *web.Lang, e *ticket.HistoryEntry) historyLine {
	line := historyLine{At: e.At, Who: e.Actor.Name}
	switch e.Actor.Kind {
	case tenant.ActorSystem:
		line.Who = l.T("layout.service") // timers and the video provider act as the service desk
	case tenant.ActorCodeHolder, tenant.ActorRequesterLink:
		line.Who = l.T("history.you") // the page's reader opened the ticket and holds its link
	}
	switch {
	case strings.HasPrefix(e.Action, "session.") && e.To != "" && e.From != e.To:
		line.What = l.T("session." + e.To)
	case !strings.HasPrefix(e.Action, "session.") && e.To != "" && e.From != e.To:
		line.What = l.T("state." + e.To)
	case e.Action == "message" || e.Action == "media":
		line.What = l.T("history." + e.Action)
	default:
		line.What = l.T("history.change")
	}
	return line
}

func (h *Handler) ticketPost(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxRequestBytes)
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		h.tooLarge(w, r, l, err)
		return
	}
	link, err := h.openLink(r)
	if err != nil {
		h.linkError(w, r, l, err)
		return
	}
	ctx, a, id := r.Context(), link.Actor, link.Ticket.ID
	action := r.PathValue("action")
	switch action {
	case "message":
		in := helpdesk.NewMessage{Body: r.FormValue("body")}
		files := fileParts(r, "files")
		for _, fh := range files {
			f, ferr := fh.Open()
			if ferr != nil {
				err = ferr
				break
			}
			defer f.Close()
			in.Attachments = append(in.Attachments, helpdesk.Upload{Name: fh.Filename, Body: f})
		}
		if err == nil {
			_, err = h.desk.PostMessage(ctx, a, id, in)
		}
	case "upload":
		files := fileParts(r, "files")
		if len(files) == 0 {
			err = &helpdesk.ValidationError{Field: "file", Problem: "choose a photo or video"}
		}
		for _, fh := range files {
			if err = h.upload(ctx, a, id, fh); err != nil {
				break
			}
		}
	case "resolve":
		_, err = h.desk.Close(ctx, a, id, strings.TrimSpace(r.FormValue("reason")))
	case "rate":
		stars, _ := strconv.Atoi(r.FormValue("stars"))
		_, err = h.desk.Rate(ctx, a, id, stars, r.FormValue("comment"))
	case "reopen":
		_, err = h.desk.Transition(ctx, a, id, ticket.EventReopen, helpdesk.Change{})
	case "call":
		_, err = h.desk.RequestSession(ctx, a, id)
	default:
		h.pages.Error(w, r, l, fmt.Errorf("public: action %q: %w", action, storage.ErrNotFound))
		return
	}
	if err != nil {
		if errors.Is(err, helpdesk.ErrInvalidLink) {
			h.linkError(w, r, l, err)
			return
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.tooLarge(w, r, l, err)
			return
		}
		if fresh, lerr := h.openLink(r); lerr == nil {
			link = fresh
		}
		h.renderTicket(w, r, l, link, web.Status(helpdesk.KindOf(err)), err, "")
		return
	}
	http.Redirect(w, r, "/requests/"+r.PathValue("token")+"?done="+action, http.StatusSeeOther)
}

func (h *Handler) file(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	link, err := h.openLink(r)
	if err != nil {
		h.linkError(w, r, l, err)
		return
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.pages.Error(w, r, l, fmt.Errorf("public: file: %w", storage.ErrNotFound))
		return
	}
	a, rc, err := h.desk.OpenAttachment(r.Context(), link.Actor, id)
	if err != nil {
		h.pages.Error(w, r, l, err)
		return
	}
	defer rc.Close()
	serveFile(w, a, rc)
}

// ---------------------------------------------------------------------------------------------
// Session links

type sessionView struct {
	// Back is the page the session's forms post under and return to: the session link's or
	// the ticket's.
	Back    string
	Session *ticket.Session
	State   string
	// What the page offers.
	CanAnswer, CanJoin bool
	// Joined is set on the join page, EndAction to end a demo call.
	Joined    bool
	Room      string
	CanEnd    bool
	EndAction string
	Problem   string
	Brand     branding
}

func (h *Handler) sessionPage(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	actor, s, err := h.desk.OpenSessionLink(r.Context(), r.PathValue("token"))
	if err != nil {
		h.linkError(w, r, l, err)
		return
	}
	h.renderSession(w, r, l, http.StatusOK, actor, s, nil)
}

// sessionAnswerPage answers the accept and refuse links of an invitation e-mail: opening a link
// changes nothing (mail scanners open links too), it shows the session's page, whose buttons
// answer.
func (h *Handler) sessionAnswerPage(w http.ResponseWriter, r *http.Request) {
	switch r.PathValue("action") {
	case "accept", "refuse":
		h.sessionPage(w, r)
	default:
		h.pages.Error(w, r, h.cat.For(w, r), fmt.Errorf("public: %w", storage.ErrNotFound))
	}
}

func (h *Handler) renderSession(w http.ResponseWriter, r *http.Request, l *web.Lang, status int, actor tenant.Actor, s *ticket.Session, failed error) {
	back := "/sessions/" + r.PathValue("token")
	v := sessionView{Back: back, Session: s, State: l.T("session." + string(s.State)),
		CanAnswer: s.State == ticket.SessionProposed, CanJoin: joinable(s.State), Brand: h.brandFor(r.Context(), back, actor)}
	if failed != nil {
		_, v.Problem = problems(l, failed)
		if v.Problem == "" {
			v.Problem = l.T("error.invalid")
		}
	}
	h.brandedPage(w, r, l, status, "session", l.T("session.title"), v.Brand, v)
}

func (h *Handler) sessionPost(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	actor, s, err := h.desk.OpenSessionLink(r.Context(), r.PathValue("token"))
	if err != nil {
		h.linkError(w, r, l, err)
		return
	}
	back := "/sessions/" + r.PathValue("token")
	h.sessionAction(w, r, l, actor, s, back, func(status int, s *ticket.Session, err error) {
		h.renderSession(w, r, l, status, actor, s, err)
	})
}

// ticketSessionPost answers or joins a session from the requester's ticket page.
func (h *Handler) ticketSessionPost(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	link, err := h.openLink(r)
	if err != nil {
		h.linkError(w, r, l, err)
		return
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.pages.Error(w, r, l, fmt.Errorf("public: session: %w", storage.ErrNotFound))
		return
	}
	s := &ticket.Session{ID: id}
	back := "/requests/" + r.PathValue("token")
	h.sessionAction(w, r, l, link.Actor, s, back, func(status int, _ *ticket.Session, err error) {
		if fresh, lerr := h.openLink(r); lerr == nil {
			link = fresh
		}
		h.renderTicket(w, r, l, link, status, err, "")
	})
}

// sessionAction accepts, refuses, joins or (in a demo) ends session s as actor, then sends the
// visitor back, or to the join page; failed renders the page again with the error.
func (h *Handler) sessionAction(w http.ResponseWriter, r *http.Request, l *web.Lang, actor tenant.Actor, s *ticket.Session,
	back string, failed func(status int, s *ticket.Session, err error)) {
	ctx := r.Context()
	var err error
	// answer moves the session on; a refused answer (one already given, say) leaves s as it
	// was, for the page that says why.
	answer := func(ev ticket.SessionEvent, change helpdesk.SessionChange) {
		var next *ticket.Session
		if next, err = h.desk.SessionTransition(ctx, actor, s.ID, ev, change); err == nil {
			s = next
		}
	}
	switch action := r.PathValue("action"); action {
	case "accept":
		answer(ticket.SessionEventAccept, helpdesk.SessionChange{})
	case "refuse":
		answer(ticket.SessionEventRefuse, helpdesk.SessionChange{Reason: r.PostFormValue("reason")})
	case "join":
		grant, jerr := h.desk.JoinSession(ctx, actor, s.ID)
		if jerr != nil {
			err = jerr
			break
		}
		if h.cfg.Joined != nil {
			if err := h.cfg.Joined(ctx, grant.Room, grant.Identity); err != nil {
				h.cfg.Logger.WarnContext(ctx, "report join", "err", err)
			}
		}
		v := sessionView{Back: back, Session: s, Joined: true, Room: grant.Room, CanEnd: h.cfg.EndCall != nil,
			EndAction: back + "/end", Brand: h.brandFor(ctx, back, actor)}
		if strings.HasPrefix(back, "/requests/") {
			v.EndAction = back + "/sessions/" + s.ID.String() + "/end"
		}
		h.brandedPage(w, r, l, http.StatusOK, "session", l.T("session.title"), v.Brand, v)
		return
	case "end":
		if h.cfg.EndCall == nil {
			err = fmt.Errorf("public: end call: %w", storage.ErrNotFound)
			break
		}
		// The session as it stands now: joining made its room.
		var cur *ticket.Session
		if cur, err = h.sessionOf(ctx, actor, s.ID); err == nil {
			if cur.Room == "" {
				err = fmt.Errorf("public: end call: %w", storage.ErrNotFound)
			} else {
				err = h.cfg.EndCall(ctx, cur.Room)
			}
		}
	default:
		h.pages.Error(w, r, l, fmt.Errorf("public: action %q: %w", action, storage.ErrNotFound))
		return
	}
	if err != nil {
		failed(web.Status(helpdesk.KindOf(err)), s, err)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// sessionOf reads one session of the actor's ticket.
func (h *Handler) sessionOf(ctx context.Context, actor tenant.Actor, id uuid.UUID) (*ticket.Session, error) {
	p := storage.PageRequest{Limit: storage.MaxPageSize}
	for {
		page, err := h.desk.Sessions(ctx, actor, actor.TicketID, p)
		if err != nil {
			return nil, err
		}
		for _, s := range page.Items {
			if s.ID == id {
				return s, nil
			}
		}
		if page.Next == "" {
			return nil, fmt.Errorf("public: session %s: %w", id, storage.ErrNotFound)
		}
		p.After = page.Next
	}
}

// ---------------------------------------------------------------------------------------------
// Branding

// branding is what a page needs to show a tenant's branding.
type branding struct {
	// Style is the URL of the tenant's stylesheet; Logo of its logo; both empty without.
	Style, Logo string
	// Name is the tenant's name, shown in the page's header.
	Name string
}

// brandOf returns the branding URLs of form f under base, the path of the page's secret
// ("/c/{token}", "/requests/{token}", …), versioned by their content so that a browser may
// keep them until they change.
func brandOf(base string, f *helpdesk.PublicForm) branding {
	var b branding
	if f == nil {
		return b
	}
	b.Name = f.Operator
	if f.Accent != "" || f.Background != nil {
		b.Style = base + "/brand.css?v=" + styleVersion(f)
	}
	if f.Logo != nil {
		b.Logo = base + "/brand/logo?v=" + f.Logo.Digest[:16]
	}
	return b
}

// brandFor returns the branding of actor's tenant under base. Branding is decoration: a
// failure to read it is logged and the page shown without.
func (h *Handler) brandFor(ctx context.Context, base string, actor tenant.Actor) branding {
	f, err := h.desk.PublicForm(ctx, actor)
	if err != nil {
		h.cfg.Logger.WarnContext(ctx, "read branding", "err", err)
		return branding{}
	}
	return brandOf(base, f)
}

// styleVersion names the content of a form's stylesheet.
func styleVersion(f *helpdesk.PublicForm) string {
	v := strings.TrimPrefix(f.Accent, "#")
	if f.Background != nil {
		v += "-" + f.Background.Digest[:16]
	}
	return v
}

// brandSource opens the secret a branding request came under (a code, a requester link, a
// request link, a session link) into an actor of its tenant and the tenant's form. It answers
// the request itself and returns false when the secret does not open.
type brandSource func(w http.ResponseWriter, r *http.Request, l *web.Lang) (tenant.Actor, *helpdesk.PublicForm, bool)

func (h *Handler) codeBrand(w http.ResponseWriter, r *http.Request, l *web.Lang) (tenant.Actor, *helpdesk.PublicForm, bool) {
	p, err := h.openCode(r, false)
	if err != nil {
		h.codeError(w, r, l, err, false)
		return tenant.Actor{}, nil, false
	}
	return p.Actor, p.Form, true
}

func (h *Handler) requesterBrand(w http.ResponseWriter, r *http.Request, l *web.Lang) (tenant.Actor, *helpdesk.PublicForm, bool) {
	p, err := h.openLink(r)
	if err != nil {
		h.linkError(w, r, l, err)
		return tenant.Actor{}, nil, false
	}
	return p.Actor, p.Form, true
}

func (h *Handler) requestLinkBrand(w http.ResponseWriter, r *http.Request, l *web.Lang) (tenant.Actor, *helpdesk.PublicForm, bool) {
	p, err := h.desk.OpenRequestLink(r.Context(), r.PathValue("token"))
	if err != nil {
		h.linkError(w, r, l, err)
		return tenant.Actor{}, nil, false
	}
	return p.Actor, p.Form, true
}

func (h *Handler) sessionBrand(w http.ResponseWriter, r *http.Request, l *web.Lang) (tenant.Actor, *helpdesk.PublicForm, bool) {
	actor, _, err := h.desk.OpenSessionLink(r.Context(), r.PathValue("token"))
	if err == nil {
		var f *helpdesk.PublicForm
		if f, err = h.desk.PublicForm(r.Context(), actor); err == nil {
			return actor, f, true
		}
	}
	h.linkError(w, r, l, err)
	return tenant.Actor{}, nil, false
}

// brandStyle serves the tenant's stylesheet, as the secret open opens it: the accent colour
// and the background image. The CSP forbids inline styles, so branding comes as a
// stylesheet of the handler's own.
func (h *Handler) brandStyle(open brandSource) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l := h.cat.For(w, r)
		_, f, ok := open(w, r, l)
		if !ok {
			return
		}
		base := strings.TrimSuffix(r.URL.Path, "/brand.css")
		var b strings.Builder
		if a := f.Accent; a != "" {
			fmt.Fprintf(&b, ":root { --accent: %s; --accent-ink: #ffffff; }\n", a)
		}
		if bg := f.Background; bg != nil {
			fmt.Fprintf(&b, ".hero { --brand-background: url(\"%s/brand/background?v=%s\"); }\n", base, bg.Digest[:16])
		}
		etag := `"` + styleVersion(f) + `"`
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "private, max-age=86400")
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = io.WriteString(w, b.String())
	}
}

// brandFile serves the tenant's logo or background, as any visitor holding the secret open
// opens may see them.
func (h *Handler) brandFile(open brandSource) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l := h.cat.For(w, r)
		actor, _, ok := open(w, r, l)
		if !ok {
			return
		}
		which := helpdesk.FormFile(r.PathValue("file"))
		if which != helpdesk.FormLogo && which != helpdesk.FormBackground {
			h.pages.Error(w, r, l, fmt.Errorf("public: brand %q: %w", which, storage.ErrNotFound))
			return
		}
		f, rc, err := h.desk.OpenFormFile(r.Context(), actor, which)
		if err != nil {
			h.pages.Error(w, r, l, err)
			return
		}
		defer rc.Close()
		etag := `"` + f.Digest + `"`
		w.Header().Set("ETag", etag)
		w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", f.ContentType)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Length", strconv.FormatInt(f.Size, 10))
		_, _ = io.Copy(w, rc)
	}
}

// ---------------------------------------------------------------------------------------------
// Request links

// linkForm shows the request form a request link opens.
func (h *Handler) linkForm(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	p, err := h.desk.OpenRequestLink(r.Context(), r.PathValue("token"))
	if err != nil {
		h.linkError(w, r, l, err)
		return
	}
	f := requestForm{Name: p.Contact.Name, Email: p.Contact.Email, Phone: p.Contact.Phone}
	h.renderLinkForm(w, r, l, p, http.StatusOK, f, nil)
}

func (h *Handler) renderLinkForm(w http.ResponseWriter, r *http.Request, l *web.Lang, p *helpdesk.RequestLinkPage, status int, f requestForm, err error) {
	base := "/request-links/" + r.PathValue("token")
	v := requestView{Action: base, Device: p.Device, Form: f, CanUpload: slices.Contains(p.Actions, device.ActionUploadMedia),
		Invited: true, Brand: brandOf(base, p.Form)}
	formView(l, &v, p.Form)
	if err != nil {
		v.Problems, v.Problem = problems(l, err)
	}
	h.brandedPage(w, r, l, status, "request", l.T("request.title"), v.Brand, v)
}

// linkPost submits the request form of a request link.
func (h *Handler) linkPost(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxRequestBytes)
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		h.tooLarge(w, r, l, err)
		return
	}
	p, err := h.desk.OpenRequestLink(r.Context(), r.PathValue("token"))
	if err != nil {
		h.linkError(w, r, l, err)
		return
	}
	f := formValues(r)
	sub, err := h.desk.SubmitTicket(r.Context(), p.Actor, f.ticket(l))
	if err != nil {
		if errors.Is(err, helpdesk.ErrInvalidLink) {
			h.linkError(w, r, l, err)
			return
		}
		h.renderLinkForm(w, r, l, p, web.Status(helpdesk.KindOf(err)), f, err)
		return
	}
	h.submitted(w, r, sub)
}
