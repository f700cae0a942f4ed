package backoffice

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/web"
	"github.com/google/uuid"
)

// codesPageSize is how many codes the list shows at a time.
const codesPageSize = 25

// maxLogoForm bounds a posted code form with its logo.
const maxLogoForm = device.MaxLogoBytes + 64<<10

// operatorsOnly runs next for people the policy lets perform act at all (employees, for the
// actions these modules list by), and answers any other person not found: a module customer
// users never see, whose pages do not tell them it exists.
func (h *Handler) operatorsOnly(act tenant.Action, next func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return h.signedIn(func(w http.ResponseWriter, r *http.Request, s *session) {
		if tenant.Authorize(s.actor, act, nil) != nil {
			h.pages.Error(w, r, s.l, fmt.Errorf("backoffice: %s: %w", r.URL.Path, storage.ErrNotFound))
			return
		}
		next(w, r, s)
	})
}

// page is a signed-in person's page at path (its own, whatever path a refused form posted
// to), with the page's own scripts among the static files.
func (h *Handler) page(s *session, path, title string, data any, scripts ...string) web.Page {
	return s.page(web.Page{L: s.l, Title: title, Path: path, Data: data}, scripts...)
}

// pathID reads the {id} of a route; a malformed one is not found.
func pathID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return uuid.Nil, fmt.Errorf("backoffice: %q: %w", r.PathValue("id"), storage.ErrNotFound)
	}
	return id, nil
}

// problems are a form's refusals by field, in the reader's words.
type problems map[string]string

// fieldOf returns the form field a validation error names ("appearance.foreground" is the
// form's "foreground"), and whether err is one.
func fieldOf(err error) (string, *helpdesk.ValidationError) {
	var ve *helpdesk.ValidationError
	if !errors.As(err, &ve) {
		return "", nil
	}
	return strings.TrimPrefix(ve.Field, "appearance."), ve
}

// codeProblem words a refused code setting next to its field: an appearance that would not
// scan says why, one out of range what would do.
func codeProblem(s *session, err error) (problems, bool) {
	field, ve := fieldOf(err)
	if ve == nil {
		return nil, false
	}
	key := "bo.codes.invalid." + field
	if errors.Is(err, device.ErrUnscannable) {
		key = "bo.codes.unscannable." + field
	}
	if !has(s, key) {
		key = "error.invalid"
	}
	if field == "content" || field == "format" {
		field = "size"
	}
	return problems{field: s.l.T(key, "Min", device.MinSize, "Max", device.MaxSize,
		"MinZone", device.MinQuietZone, "MaxZone", device.MaxQuietZone, "MinLogo", device.MinLogoSize)}, true
}

// has reports whether the catalogue has the string id (T words a missing one "[id]").
func has(s *session, id string) bool { return !strings.HasPrefix(s.l.T(id), "[") }

// codeState names a code's state: active, inactive or expired.
func codeState(c *device.Code, now time.Time) string {
	switch {
	case !c.Active:
		return "inactive"
	case !c.Usable(now):
		return "expired"
	}
	return "active"
}

// codeRow is one line of the codes list.
type codeRow struct {
	ID                   uuid.UUID
	Device, State, Short string
	Actions              []string
	Expires              *time.Time
	Scans                int
}

type codesView struct {
	Device, State string
	Devices       []option
	Rows          []codeRow
	Next          string
	Filtered      bool
	CanCreate     bool
}

// deviceOptions lists the tenant's devices for a select, newest first.
func (h *Handler) deviceOptions(r *http.Request, s *session) ([]option, map[uuid.UUID]string, error) {
	page, err := h.desk.Devices(r.Context(), s.actor, storage.DeviceFilter{}, storage.PageRequest{Limit: storage.MaxPageSize})
	if err != nil {
		return nil, nil, err
	}
	names := map[uuid.UUID]string{}
	var out []option
	for _, d := range page.Items {
		label := d.Name
		if d.SerialNumber != "" {
			label += " (" + d.SerialNumber + ")"
		}
		names[d.ID] = label
		out = append(out, option{d.ID.String(), label})
	}
	return out, names, nil
}

// deviceName names device id as the person may read it, asking the Desk for one the list
// does not hold.
func (h *Handler) deviceName(r *http.Request, s *session, names map[uuid.UUID]string, id uuid.UUID) string {
	if n, ok := names[id]; ok {
		return n
	}
	n := ""
	if d, err := h.desk.Device(r.Context(), s.actor, id); err == nil {
		n = d.Name
	}
	names[id] = n
	return n
}

// actionLabels names a code's actions in the reader's words.
func actionLabels(s *session, actions []device.Action) []string {
	var out []string
	for _, a := range actions {
		out = append(out, s.l.T("bo.codes.action."+string(a)))
	}
	return out
}

// mayManageCodes reports whether the policy lets the person change codes.
func mayManageCodes(s *session) bool {
	return tenant.Authorize(s.actor, tenant.ActCodeManage, &tenant.Resource{Kind: tenant.KindOther, TenantID: s.actor.TenantID}) == nil
}

// codes lists the tenant's codes, filtered by device and state, a page at a time.
func (h *Handler) codes(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	v := codesView{Device: q.Get("device"), State: q.Get("state"), CanCreate: mayManageCodes(s)}
	f := storage.CodeFilter{DeviceID: parseID(v.Device)}
	switch v.State {
	case "active":
		f.Active = new(true)
	case "inactive":
		f.Active = new(false)
	default:
		v.State = ""
	}
	page, err := h.desk.CodesPage(r.Context(), s.actor, f, storage.PageRequest{Limit: codesPageSize, After: q.Get("after")})
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	var names map[uuid.UUID]string
	if v.Devices, names, err = h.deviceOptions(r, s); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	now := time.Now()
	for _, c := range page.Items {
		v.Rows = append(v.Rows, codeRow{ID: c.ID, Device: h.deviceName(r, s, names, c.DeviceID), State: codeState(c, now),
			Short: c.ID.String()[:8], Actions: actionLabels(s, c.Actions), Expires: c.ExpiresAt, Scans: int(c.ScanCount)})
	}
	params := url.Values{}
	if f.DeviceID != uuid.Nil {
		params.Set("device", f.DeviceID.String())
	}
	if v.State != "" {
		params.Set("state", v.State)
	}
	v.Filtered = len(params) > 0
	if page.Next != "" {
		params.Set("after", page.Next)
		v.Next = "/codes?" + params.Encode()
	}
	h.render(w, r, s, http.StatusOK, "codes", s.l.T("bo.codes.title"), v)
}

// codeForm is what the new code's form holds.
type codeForm struct {
	Device, Expires string
	Actions         map[device.Action]bool
}

type codeNewView struct {
	Form     codeForm
	Devices  []option
	Actions  []option
	Problems problems
}

// actionOptions lists every action a code may offer.
func actionOptions(s *session) []option {
	var out []option
	for _, a := range device.Actions() {
		out = append(out, option{string(a), s.l.T("bo.codes.action." + string(a))})
	}
	return out
}

// codeNew shows the form for a new code, for the device the query names, to whoever the
// policy lets make one.
func (h *Handler) codeNew(w http.ResponseWriter, r *http.Request, s *session) {
	if !mayManageCodes(s) {
		h.pages.Error(w, r, s.l, fmt.Errorf("backoffice: new code: %w", helpdesk.ErrForbidden))
		return
	}
	f := codeForm{Device: r.URL.Query().Get("device"), Actions: map[device.Action]bool{device.ActionView: true, device.ActionOpenTicket: true}}
	h.renderCodeNew(w, r, s, http.StatusOK, f, nil)
}

func (h *Handler) renderCodeNew(w http.ResponseWriter, r *http.Request, s *session, status int, f codeForm, p problems) {
	devices, _, err := h.deviceOptions(r, s)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	h.pages.Render(w, r, status, "code_new", h.page(s, "/codes/new", s.l.T("bo.codes.new"),
		codeNewView{Form: f, Devices: devices, Actions: actionOptions(s), Problems: p}))
}

// parseActions reads the checked actions of a form.
func parseActions(r *http.Request) ([]device.Action, map[device.Action]bool) {
	var out []device.Action
	set := map[device.Action]bool{}
	for _, a := range r.Form["action"] {
		act := device.Action(a)
		if !set[act] {
			out = append(out, act)
			set[act] = true
		}
	}
	return out, set
}

// parseDate reads a form's date ("2027-01-31") as that day's start in UTC; nil when empty.
func parseDate(s string) (*time.Time, bool) {
	if strings.TrimSpace(s) == "" {
		return nil, true
	}
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return nil, false
	}
	return &t, true
}

// codeCreate makes a code for a device and opens its page.
func (h *Handler) codeCreate(w http.ResponseWriter, r *http.Request, s *session) {
	_ = r.ParseForm()
	actions, set := parseActions(r)
	f := codeForm{Device: r.PostFormValue("device"), Expires: r.PostFormValue("expires"), Actions: set}
	expires, ok := parseDate(f.Expires)
	switch {
	case !ok:
		h.renderCodeNew(w, r, s, http.StatusUnprocessableEntity, f, problems{"expires": s.l.T("bo.codes.invalid.expires_at")})
		return
	case len(actions) == 0:
		h.renderCodeNew(w, r, s, http.StatusUnprocessableEntity, f, problems{"actions": s.l.T("bo.codes.invalid.actions")})
		return
	}
	devID, err := uuid.Parse(f.Device)
	if err != nil {
		h.renderCodeNew(w, r, s, http.StatusUnprocessableEntity, f, problems{"device": s.l.T("bo.codes.invalid.device")})
		return
	}
	c, err := h.desk.CreateCode(r.Context(), s.actor, devID, helpdesk.NewCode{Actions: actions, ExpiresAt: expires, PIN: r.PostFormValue("pin")})
	if err != nil {
		if p, ok := codeProblem(s, err); ok {
			if _, exp := p["expires_at"]; exp {
				p = problems{"expires": p["expires_at"]}
			}
			h.renderCodeNew(w, r, s, http.StatusUnprocessableEntity, f, p)
			return
		}
		if helpdesk.KindOf(err) == helpdesk.KindNotFound {
			h.renderCodeNew(w, r, s, http.StatusUnprocessableEntity, f, problems{"device": s.l.T("bo.codes.invalid.device")})
			return
		}
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/codes/"+c.ID.String(), http.StatusSeeOther)
}

// appearanceForm is the QR configurator's inputs as the form or the query carries them.
type appearanceForm struct {
	Foreground, Background, Size, QuietZone, Correction, LogoSize string
	RemoveLogo                                                    bool
}

// query returns the appearance as URL parameters, for the download links.
func (a appearanceForm) query() string {
	v := url.Values{"fg": {a.Foreground}, "bg": {a.Background}, "size": {a.Size}, "quiet": {a.QuietZone}, "ec": {a.Correction}}
	if a.LogoSize != "" {
		v.Set("logo_size", a.LogoSize)
	}
	if a.RemoveLogo {
		v.Set("logo", "remove")
	}
	return v.Encode()
}

// appearanceOf is the form of a saved appearance.
func appearanceOf(a device.Appearance) appearanceForm {
	a = a.WithDefaults()
	f := appearanceForm{Foreground: a.Foreground, Background: a.Background, Size: strconv.Itoa(a.Size),
		QuietZone: strconv.Itoa(a.QuietZone), Correction: string(a.Correction)}
	if a.LogoSize != 0 {
		f.LogoSize = strconv.Itoa(a.LogoSize)
	}
	return f
}

// readAppearance reads the configurator's inputs from vals (a form or a query).
func readAppearance(vals url.Values) appearanceForm {
	return appearanceForm{Foreground: strings.TrimSpace(vals.Get("fg")), Background: strings.TrimSpace(vals.Get("bg")),
		Size: strings.TrimSpace(vals.Get("size")), QuietZone: strings.TrimSpace(vals.Get("quiet")),
		Correction: vals.Get("ec"), LogoSize: strings.TrimSpace(vals.Get("logo_size")), RemoveLogo: vals.Get("logo") == "remove" || vals.Get("remove_logo") != ""}
}

// appearance turns the inputs into an appearance, or names the field that is not a number.
func (a appearanceForm) appearance(s *session) (device.Appearance, problems) {
	out := device.Appearance{Foreground: strings.ToLower(a.Foreground), Background: strings.ToLower(a.Background),
		Correction: device.ErrorCorrection(a.Correction)}
	for _, n := range []struct {
		field, in string
		to        *int
	}{{"size", a.Size, &out.Size}, {"quiet_zone", a.QuietZone, &out.QuietZone}, {"logo_size", a.LogoSize, &out.LogoSize}} {
		if n.in == "" {
			continue
		}
		v, err := strconv.Atoi(n.in)
		if err != nil {
			p, _ := codeProblem(s, &helpdesk.ValidationError{Field: n.field, Err: device.ErrInvalidAppearance})
			return out, p
		}
		*n.to = v
	}
	return out, nil
}

// settingsForm is the code's settings as its form holds them.
type settingsForm struct {
	Expires   string
	Actions   map[device.Action]bool
	RemovePIN bool
}

type codeView struct {
	Code               *device.Code
	Device, State, URL string
	Manage             bool
	Settings           settingsForm
	Appearance         appearanceForm
	Actions            []option
	Levels             []option
	Problems           problems
	HasLogo, HasPIN    bool
	MinSize, MaxSize   int
	MinZone, MaxZone   int
	Notice             string
	Preview            template.URL
	PreviewSrc         string
	PNG, SVG           string
	LogoData           string
	PreviewOnly        bool
}

// code reads the code of a route's {id}, as the person may read it, or answers the error.
func (h *Handler) code(w http.ResponseWriter, r *http.Request, s *session) (*device.Code, bool) {
	id, err := pathID(r)
	if err == nil {
		var c *device.Code
		if c, err = h.desk.Code(r.Context(), s.actor, id); err == nil {
			return c, true
		}
	}
	h.pages.Error(w, r, s.l, err)
	return nil, false
}

// codePage shows a code: its URL and facts, its settings and the QR configurator.
func (h *Handler) codePage(w http.ResponseWriter, r *http.Request, s *session) {
	c, ok := h.code(w, r, s)
	if !ok {
		return
	}
	v := h.codeView(r, s, c)
	if r.URL.Query().Get("saved") != "" {
		v.Notice = s.l.T("bo.codes.saved")
	}
	h.renderCode(w, r, s, http.StatusOK, v)
}

// codeView fills the page of code c as saved.
func (h *Handler) codeView(r *http.Request, s *session, c *device.Code) *codeView {
	v := &codeView{Code: c, State: codeState(c, time.Now()), URL: h.desk.CodeURL(c.Token), Manage: mayManageCodes(s),
		Appearance: appearanceOf(c.Appearance), Actions: actionOptions(s), HasLogo: c.Appearance.Logo != "", HasPIN: c.PINHash != "",
		MinSize: device.MinSize, MaxSize: device.MaxSize, MinZone: device.MinQuietZone, MaxZone: device.MaxQuietZone}
	v.Settings = settingsForm{Actions: map[device.Action]bool{}}
	for _, a := range c.Actions {
		v.Settings.Actions[a] = true
	}
	if c.ExpiresAt != nil {
		v.Settings.Expires = c.ExpiresAt.UTC().Format("2006-01-02")
	}
	for _, l := range []device.ErrorCorrection{device.CorrectionLow, device.CorrectionMedium, device.CorrectionQuartile, device.CorrectionHigh} {
		v.Levels = append(v.Levels, option{string(l), s.l.T("bo.codes.ec." + string(l))})
	}
	if d, err := h.desk.Device(r.Context(), s.actor, c.DeviceID); err == nil {
		v.Device = d.Name
	}
	base := "/codes/" + c.ID.String()
	v.PNG, v.SVG = base+"/qr.png", base+"/qr.svg"
	v.PreviewSrc = v.PNG + "?v=" + strconv.FormatInt(c.Version, 10)
	return v
}

func (h *Handler) renderCode(w http.ResponseWriter, r *http.Request, s *session, status int, v *codeView) {
	title := s.l.T("bo.codes.code", "Device", v.Device, "Short", v.Code.ID.String()[:8])
	h.pages.Render(w, r, status, "code", h.page(s, "/codes/"+v.Code.ID.String(), title, v, "bo-codes.js"))
}

// readLogo reads the form's logo: a new file, else one an earlier preview carried along.
func readLogo(r *http.Request) ([]byte, error) {
	if f, _, err := r.FormFile("logo"); err == nil {
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, device.MaxLogoBytes+1))
		if err != nil {
			return nil, err
		}
		if len(data) > 0 {
			return data, nil
		}
	}
	if s := r.PostFormValue("logo_data"); s != "" {
		data, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return []byte{}, nil // not an image: DecodeLogo refuses it
		}
		return data, nil
	}
	return nil, nil
}

// parseCodeForm reads the settings and the appearance a code's form posts.
func parseCodeForm(w http.ResponseWriter, r *http.Request, s *session) (helpdesk.CodeSettings, settingsForm, appearanceForm, problems) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLogoForm)
	if err := r.ParseMultipartForm(2 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		p, _ := codeProblem(s, &helpdesk.ValidationError{Field: "logo", Err: device.ErrInvalidAppearance})
		return helpdesk.CodeSettings{}, settingsForm{}, appearanceForm{}, p
	}
	actions, set := parseActions(r)
	sf := settingsForm{Expires: r.PostFormValue("expires"), Actions: set, RemovePIN: r.PostFormValue("remove_pin") != ""}
	af := readAppearance(r.PostForm)
	in := helpdesk.CodeSettings{Actions: actions, SetExpiry: true, RemoveLogo: af.RemoveLogo}
	var p problems
	if len(actions) == 0 {
		p = problems{"actions": s.l.T("bo.codes.invalid.actions")}
	}
	var ok bool
	if in.ExpiresAt, ok = parseDate(sf.Expires); !ok {
		p = problems{"expires": s.l.T("bo.codes.invalid.expires_at")}
	}
	if pin := r.PostFormValue("pin"); pin != "" || sf.RemovePIN {
		in.PIN, in.SetPIN = pin, true
		if sf.RemovePIN {
			in.PIN = ""
		}
	}
	a, ap := af.appearance(s)
	if ap != nil {
		p = ap
	}
	in.Appearance = a
	logo, err := readLogo(r)
	if err != nil {
		p, _ = codeProblem(s, &helpdesk.ValidationError{Field: "logo", Err: device.ErrInvalidAppearance})
	}
	if logo != nil && !af.RemoveLogo {
		in.Logo = logo
	}
	return in, sf, af, p
}

// codeSave saves a code's settings and appearance; with the Preview button it draws them
// instead, on the page, and saves nothing.
func (h *Handler) codeSave(w http.ResponseWriter, r *http.Request, s *session) {
	c, ok := h.code(w, r, s)
	if !ok {
		return
	}
	in, sf, af, p := parseCodeForm(w, r, s)
	v := h.codeView(r, s, c)
	v.Settings, v.Appearance = sf, af
	if in.Logo != nil {
		v.LogoData = base64.StdEncoding.EncodeToString(in.Logo)
	}
	v.PNG += "?" + af.query()
	v.SVG += "?" + af.query()
	if p != nil {
		v.Problems = p
		h.renderCode(w, r, s, http.StatusUnprocessableEntity, v)
		return
	}
	if r.PostFormValue("preview") != "" {
		img, err := h.desk.PreviewCode(r.Context(), s.actor, c.ID, device.FormatPNG, in)
		if err != nil {
			h.codeRefused(w, r, s, v, err)
			return
		}
		v.Preview = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(img.Data))
		v.PreviewOnly = true
		h.renderCode(w, r, s, http.StatusOK, v)
		return
	}
	if _, err := h.desk.UpdateCode(r.Context(), s.actor, c.ID, in); err != nil {
		h.codeRefused(w, r, s, v, err)
		return
	}
	http.Redirect(w, r, "/codes/"+c.ID.String()+"?saved=1", http.StatusSeeOther)
}

// codeRefused shows the code's page again with the reason a change was refused next to its
// field, or the error page.
func (h *Handler) codeRefused(w http.ResponseWriter, r *http.Request, s *session, v *codeView, err error) {
	p, ok := codeProblem(s, err)
	if !ok {
		h.pages.Error(w, r, s.l, err)
		return
	}
	if msg, exp := p["expires_at"]; exp {
		p = problems{"expires": msg}
	}
	v.Problems = p
	h.renderCode(w, r, s, http.StatusUnprocessableEntity, v)
}

// codeActive switches a code on or off.
func (h *Handler) codeActive(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	if _, err := h.desk.SetCodeActive(r.Context(), s.actor, id, r.PostFormValue("active") == "1"); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/codes/"+id.String(), http.StatusSeeOther)
}

// codeImage sends the code's QR image as a download: as saved, or, when the query carries
// the configurator's inputs (fg, bg, size, quiet, ec, logo_size, logo=remove), as they
// would draw it.
func (h *Handler) codeImage(f device.Format) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, s *session) {
		id, err := pathID(r)
		if err != nil {
			h.pages.Error(w, r, s.l, err)
			return
		}
		q := r.URL.Query()
		var img *helpdesk.Image
		if q.Has("fg") || q.Has("bg") || q.Has("size") || q.Has("quiet") || q.Has("ec") || q.Has("logo_size") || q.Has("logo") {
			af := readAppearance(q)
			a, p := af.appearance(s)
			if p != nil {
				h.pages.Error(w, r, s.l, fmt.Errorf("backoffice: appearance: %w", helpdesk.ErrInvalid))
				return
			}
			img, err = h.desk.PreviewCode(r.Context(), s.actor, id, f, helpdesk.CodeSettings{Appearance: a, RemoveLogo: af.RemoveLogo})
		} else {
			img, err = h.desk.CodeImage(r.Context(), s.actor, id, f)
		}
		if err != nil {
			h.pages.Error(w, r, s.l, err)
			return
		}
		hd := w.Header()
		hd.Set("Content-Type", img.ContentType)
		hd.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="code-%s.%s"`, id.String()[:8], f))
		hd.Set("Content-Length", strconv.Itoa(len(img.Data)))
		hd.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'")
		_, _ = w.Write(img.Data)
	}
}

// codePreview draws the configurator's posted inputs, logo included, as a PNG for the page's
// script; a refusal is JSON naming the field and the problem in the reader's words (422).
func (h *Handler) codePreview(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	in, _, _, p := parseCodeForm(w, r, s)
	delete(p, "actions") // the preview draws: the settings are checked on saving
	delete(p, "expires")
	if len(p) == 0 {
		img, err := h.desk.PreviewCode(r.Context(), s.actor, id, device.FormatPNG, in)
		if err == nil {
			w.Header().Set("Content-Type", img.ContentType)
			w.Header().Set("Content-Length", strconv.Itoa(len(img.Data)))
			_, _ = w.Write(img.Data)
			return
		}
		var ok bool
		if p, ok = codeProblem(s, err); !ok {
			h.pages.Error(w, r, s.l, err)
			return
		}
	}
	out := map[string]string{}
	for k, v := range p {
		out["field"], out["problem"] = k, v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnprocessableEntity)
	_ = json.NewEncoder(w).Encode(out)
}

// codeRoutes are the routes of the Codes module, and of Customers and Projects
// (customerRoutes), for the operator's staff; customer users find none of them.
//
//	GET  /codes                     the tenant's codes: device, state, actions, expiry, scans;
//	                                filtered by the query (device, state: active or inactive),
//	                                a page at a time (after)
//	GET  /codes/new                 the form for a new code (?device={id} chooses the device)
//	POST /codes                     creates a code (device, action, expires, pin)
//	GET  /codes/{id}                a code: its URL and scans, its settings and the QR
//	                                configurator with a preview
//	POST /codes/{id}                saves its settings and appearance (action, expires, pin,
//	                                remove_pin, fg, bg, size, quiet, ec, logo_size, logo file or
//	                                logo=remove); with preview set, shows them drawn instead
//	POST /codes/{id}/active         switches it on (active=1) or off
//	POST /codes/{id}/preview        the configurator's inputs drawn as a PNG, for the script
//	GET  /codes/{id}/qr.png         its QR image to download, as saved or as the query's
//	GET  /codes/{id}/qr.svg         configurator inputs draw it
func (h *Handler) codeRoutes() []route {
	codes := func(next func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
		return h.operatorsOnly(tenant.ActCodeList, next)
	}
	return append([]route{
		{"GET /codes", codes(h.codes)},
		{"GET /codes/new", codes(h.codeNew)},
		{"POST /codes", codes(h.codeCreate)},
		{"GET /codes/{id}", codes(h.codePage)},
		{"POST /codes/{id}", codes(h.codeSave)},
		{"POST /codes/{id}/active", codes(h.codeActive)},
		{"POST /codes/{id}/preview", codes(h.codePreview)},
		{"GET /codes/{id}/qr.png", codes(h.codeImage(device.FormatPNG))},
		{"GET /codes/{id}/qr.svg", codes(h.codeImage(device.FormatSVG))},
	}, h.customerRoutes()...)
}

// Has reports whether the settings check action a.
func (f settingsForm) Has(a string) bool { return f.Actions[device.Action(a)] }

// Has reports whether the new code's form checks action a.
func (f codeForm) Has(a string) bool { return f.Actions[device.Action(a)] }

// customersPageSize is how many customers the list shows at a time.
const customersPageSize = 25

// customerRoutes are the routes of Customers and Projects, for the operator's staff.
//
//	GET  /customers                 the customers with their statistics (tickets, sessions,
//	                                mean rating), a page at a time (after)
//	GET  /customers/new             the form for a new customer; POST /customers creates it
//	GET  /customers/{id}            a customer: details, statistics, support plan, project,
//	                                devices and users, and the forms to change them
//	POST /customers/{id}            saves its name, language, project and department
//	POST /customers/{id}/plan       sets the end of its support plan (until; empty: none)
//	GET  /projects                  the projects, with the form for a new one
//	POST /projects                  creates a project (name, customer)
//	GET  /projects/{id}             a project's form; POST saves it
func (h *Handler) customerRoutes() []route {
	customers := func(next func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
		return h.operatorsOnly(tenant.ActCustomerList, next)
	}
	projects := func(next func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
		return h.operatorsOnly(tenant.ActOrgRead, next)
	}
	return []route{
		{"GET /customers", customers(h.customers)},
		{"GET /customers/new", customers(h.customerNew)},
		{"POST /customers", customers(h.customerCreate)},
		{"GET /customers/{id}", customers(h.customerPage)},
		{"POST /customers/{id}", customers(h.customerSave)},
		{"POST /customers/{id}/plan", customers(h.customerPlan)},
		{"GET /projects", projects(h.projects)},
		{"POST /projects", projects(h.projectCreate)},
		{"GET /projects/{id}", projects(h.projectPage)},
		{"POST /projects/{id}", projects(h.projectSave)},
	}
}

// customerRow is one line of the customers list.
type customerRow struct {
	ID                uuid.UUID
	Name, Project     string
	Plan              string
	Lapsed            bool
	Tickets, Sessions int
	Rating            string
}

type customersView struct {
	Rows      []customerRow
	Next      string
	CanCreate bool
}

// planOf words a customer's support plan: unlimited, until a day, or lapsed.
func planOf(s *session, c *tenant.Customer, now time.Time) (string, bool) {
	switch {
	case c.SupportUntil == nil:
		return s.l.T("bo.customers.plan.unlimited"), false
	case !now.Before(*c.SupportUntil):
		return s.l.T("bo.customers.plan.lapsed", "Date", s.l.Date(*c.SupportUntil)), true
	}
	return s.l.T("bo.customers.plan.until", "Date", s.l.Date(*c.SupportUntil)), false
}

// projectNames maps the tenant's projects to their names.
func projectNames(ps []*tenant.Project) map[uuid.UUID]string {
	m := map[uuid.UUID]string{}
	for _, p := range ps {
		m[p.ID] = p.Name
	}
	return m
}

// mayDo reports whether the policy lets the person perform act on the tenant's records.
func mayDo(s *session, act tenant.Action) bool {
	return tenant.Authorize(s.actor, act, &tenant.Resource{Kind: tenant.KindOther, TenantID: s.actor.TenantID}) == nil
}

// customers lists the customers by name with their statistics, a page at a time: after is the
// last customer's ID of the page before.
func (h *Handler) customers(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	all, err := h.desk.Customers(ctx, s.actor)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	start := 0
	if after := r.URL.Query().Get("after"); after != "" {
		i := slices.IndexFunc(all, func(c *tenant.Customer) bool { return c.ID.String() == after })
		if i < 0 {
			h.pages.Error(w, r, s.l, fmt.Errorf("backoffice: customers after %q: %w", after, storage.ErrInvalidCursor))
			return
		}
		start = i + 1
	}
	cs := all[start:min(len(all), start+customersPageSize)]
	ids := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	stats, err := h.desk.CustomerStatsByID(ctx, s.actor, ids)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	ps, err := h.desk.Projects(ctx, s.actor)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	pn := projectNames(ps)
	v := customersView{CanCreate: mayDo(s, tenant.ActCustomerCreate)}
	now := time.Now()
	for _, c := range cs {
		st := stats[c.ID]
		row := customerRow{ID: c.ID, Name: c.Name, Project: pn[c.ProjectID], Tickets: st.Tickets, Sessions: st.Sessions}
		row.Plan, row.Lapsed = planOf(s, c, now)
		if st.Ratings > 0 {
			row.Rating = s.l.Number(st.MeanRating, 1)
		}
		v.Rows = append(v.Rows, row)
	}
	if start+customersPageSize < len(all) {
		v.Next = "/customers?" + url.Values{"after": {cs[len(cs)-1].ID.String()}}.Encode()
	}
	h.render(w, r, s, http.StatusOK, "customers", s.l.T("bo.customers.title"), v)
}

// customerForm is what a customer's form holds.
type customerForm struct {
	Name, Language, Project, Department, Until string
	Version                                    int64
}

type customerFormView struct {
	Form                             customerForm
	Languages, Projects, Departments []option
	Problems                         problems
}

// customerOptions fills the selects of a customer's form.
func (h *Handler) customerOptions(r *http.Request, s *session, v *customerFormView) error {
	for _, l := range web.Languages {
		v.Languages = append(v.Languages, option{l, web.LanguageNames[l]})
	}
	ps, err := h.desk.Projects(r.Context(), s.actor)
	if err != nil {
		return err
	}
	for _, p := range ps {
		v.Projects = append(v.Projects, option{p.ID.String(), p.Name})
	}
	ds, err := h.desk.Departments(r.Context(), s.actor)
	if err != nil {
		return err
	}
	for _, d := range ds {
		v.Departments = append(v.Departments, option{d.ID.String(), d.Name})
	}
	return nil
}

// customerProblem words a refused customer change next to its field.
func customerProblem(s *session, err error) (problems, bool) {
	field, ve := fieldOf(err)
	switch {
	case ve != nil:
		switch field {
		case "project_id":
			field = "project"
		case "support_until":
			field = "until"
		}
		key := "bo.customers.invalid." + field
		if !has(s, key) {
			key = "error.invalid"
		}
		return problems{field: s.l.T(key)}, true
	case helpdesk.KindOf(err) == helpdesk.KindConflict:
		return problems{"form": s.l.T("bo.customers.conflict")}, true
	}
	return nil, false
}

// customerNew shows the form for a new customer to whoever the policy lets make one.
func (h *Handler) customerNew(w http.ResponseWriter, r *http.Request, s *session) {
	if !mayDo(s, tenant.ActCustomerCreate) {
		h.pages.Error(w, r, s.l, fmt.Errorf("backoffice: new customer: %w", helpdesk.ErrForbidden))
		return
	}
	h.renderCustomerNew(w, r, s, http.StatusOK, customerForm{}, nil)
}

func (h *Handler) renderCustomerNew(w http.ResponseWriter, r *http.Request, s *session, status int, f customerForm, p problems) {
	v := customerFormView{Form: f, Problems: p}
	if err := h.customerOptions(r, s, &v); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	h.pages.Render(w, r, status, "customer_new", h.page(s, "/customers/new", s.l.T("bo.customers.new"), v))
}

// readCustomerForm reads a customer's form.
func readCustomerForm(r *http.Request) customerForm {
	f := customerForm{Name: r.PostFormValue("name"), Language: r.PostFormValue("language"), Project: r.PostFormValue("project"),
		Department: r.PostFormValue("department"), Until: r.PostFormValue("until")}
	f.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	return f
}

// customerCreate creates a customer and opens its page.
func (h *Handler) customerCreate(w http.ResponseWriter, r *http.Request, s *session) {
	f := readCustomerForm(r)
	until, ok := parseDate(f.Until)
	if !ok {
		h.renderCustomerNew(w, r, s, http.StatusUnprocessableEntity, f, problems{"until": s.l.T("bo.customers.invalid.until")})
		return
	}
	c, err := h.desk.CreateCustomer(r.Context(), s.actor, helpdesk.NewCustomer{Name: f.Name, Language: f.Language,
		ProjectID: parseID(f.Project), DepartmentID: parseID(f.Department), SupportUntil: until})
	if err != nil {
		if p, ok := customerProblem(s, err); ok {
			h.renderCustomerNew(w, r, s, http.StatusUnprocessableEntity, f, p)
			return
		}
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/customers/"+c.ID.String(), http.StatusSeeOther)
}

// personRow is a customer's user in the customer's page.
type personRow struct {
	Name, Email, Role, Status string
}

// deviceRow is a customer's device in the customer's page.
type deviceRow struct {
	ID                 uuid.UUID
	Name, SerialNumber string
}

type customerView struct {
	customerFormView
	Customer                            *tenant.Customer
	Project, Department, Language, Plan string
	Lapsed                              bool
	Stats                               storage.RecordStats
	Rating                              string
	Devices                             []deviceRow
	MoreDevices                         bool
	Users                               []personRow
	CanEdit                             bool
	PlanProblem, Notice                 string
}

// customerPage shows a customer.
func (h *Handler) customerPage(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	var notice string
	if r.URL.Query().Get("saved") != "" {
		notice = s.l.T("bo.customers.saved")
	}
	h.renderCustomer(w, r, s, id, http.StatusOK, nil, nil, notice)
}

// renderCustomer writes the page of customer id; form, when set, is a refused edit to show
// again with its problems.
func (h *Handler) renderCustomer(w http.ResponseWriter, r *http.Request, s *session, id uuid.UUID, status int, form *customerForm, p problems, notice string) {
	ctx := r.Context()
	c, err := h.desk.Customer(ctx, s.actor, id)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v := customerView{Customer: c, CanEdit: mayDo(s, tenant.ActCustomerUpdate), Notice: notice}
	v.Problems = p
	if msg, ok := p["until"]; ok {
		v.PlanProblem = msg
	}
	if err := h.customerOptions(r, s, &v.customerFormView); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v.Form = customerForm{Name: c.Name, Language: c.Language, Project: idOrEmpty(c.ProjectID), Department: idOrEmpty(c.DepartmentID), Version: c.Version}
	if c.SupportUntil != nil {
		v.Form.Until = c.SupportUntil.UTC().Format("2006-01-02")
	}
	if form != nil {
		v.Form = *form
	}
	for _, o := range v.Projects {
		if o.Value == idOrEmpty(c.ProjectID) {
			v.Project = o.Label
		}
	}
	for _, o := range v.Departments {
		if o.Value == idOrEmpty(c.DepartmentID) {
			v.Department = o.Label
		}
	}
	v.Language = web.LanguageNames[c.Language]
	v.Plan, v.Lapsed = planOf(s, c, time.Now())
	if v.Stats, err = h.desk.CustomerStats(ctx, s.actor, c.ID); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	if v.Stats.Ratings > 0 {
		v.Rating = s.l.Number(v.Stats.MeanRating, 1)
	}
	devs, err := h.desk.Devices(ctx, s.actor, storage.DeviceFilter{CustomerID: c.ID}, storage.PageRequest{Limit: 50})
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	for _, d := range devs.Items {
		v.Devices = append(v.Devices, deviceRow{ID: d.ID, Name: d.Name, SerialNumber: d.SerialNumber})
	}
	v.MoreDevices = devs.Next != ""
	users, err := h.desk.Users(ctx, s.actor, storage.UserFilter{CustomerID: c.ID}, storage.PageRequest{Limit: storage.MaxPageSize})
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	for _, u := range users.Items {
		v.Users = append(v.Users, personRow{Name: u.Name, Email: u.Email, Role: s.l.T("bo.customers.role." + string(u.Role)),
			Status: s.l.T("bo.customers.status." + string(u.Status))})
	}
	h.pages.Render(w, r, status, "customer", h.page(s, "/customers/"+c.ID.String(), c.Name, v))
}

func idOrEmpty(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

// customerSave saves a customer's name, language, project and department.
func (h *Handler) customerSave(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	f := readCustomerForm(r)
	_, err = h.desk.UpdateCustomer(r.Context(), s.actor, &tenant.Customer{ID: id, Name: f.Name, Language: f.Language,
		ProjectID: parseID(f.Project), DepartmentID: parseID(f.Department), Version: f.Version})
	if err != nil {
		if p, ok := customerProblem(s, err); ok {
			h.renderCustomer(w, r, s, id, web.Status(helpdesk.KindOf(err)), &f, p, "")
			return
		}
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/customers/"+id.String()+"?saved=1", http.StatusSeeOther)
}

// customerPlan sets or removes the end of a customer's support plan.
func (h *Handler) customerPlan(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	until, ok := parseDate(r.PostFormValue("until"))
	if !ok {
		h.renderCustomer(w, r, s, id, http.StatusUnprocessableEntity, nil, problems{"until": s.l.T("bo.customers.invalid.until")}, "")
		return
	}
	if _, err := h.desk.SetSupportPlan(r.Context(), s.actor, id, until); err != nil {
		if p, ok := customerProblem(s, err); ok {
			h.renderCustomer(w, r, s, id, web.Status(helpdesk.KindOf(err)), nil, p, "")
			return
		}
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/customers/"+id.String()+"?saved=1", http.StatusSeeOther)
}

// projectRow is one line of the projects list.
type projectRow struct {
	ID             uuid.UUID
	Name, Customer string
}

// projectForm is what a project's form holds.
type projectForm struct {
	Name, Customer string
	Version        int64
}

type projectsView struct {
	Rows      []projectRow
	CanManage bool
	Form      projectForm
	Customers []option
	Problems  problems
	Project   *tenant.Project
	Notice    string
}

// projectProblem words a refused project change next to its field.
func projectProblem(s *session, err error) (problems, bool) {
	field, ve := fieldOf(err)
	switch {
	case ve != nil && field == "name":
		return problems{"name": s.l.T("bo.customers.invalid.name")}, true
	case ve != nil:
		return problems{"form": s.l.T("error.invalid")}, true
	case helpdesk.KindOf(err) == helpdesk.KindConflict:
		return problems{"form": s.l.T("bo.customers.conflict")}, true
	}
	return nil, false
}

// projectsData reads the projects and the customers' names.
func (h *Handler) projectsData(r *http.Request, s *session, v *projectsView) ([]*tenant.Project, error) {
	ps, err := h.desk.Projects(r.Context(), s.actor)
	if err != nil {
		return nil, err
	}
	cs, err := h.desk.Customers(r.Context(), s.actor)
	if err != nil {
		return nil, err
	}
	names := map[uuid.UUID]string{}
	for _, c := range cs {
		names[c.ID] = c.Name
		v.Customers = append(v.Customers, option{c.ID.String(), c.Name})
	}
	for _, p := range ps {
		v.Rows = append(v.Rows, projectRow{ID: p.ID, Name: p.Name, Customer: names[p.CustomerID]})
	}
	v.CanManage = mayDo(s, tenant.ActOrgManage)
	return ps, nil
}

// projects lists the projects, with the form for a new one.
func (h *Handler) projects(w http.ResponseWriter, r *http.Request, s *session) {
	h.renderProjects(w, r, s, http.StatusOK, projectForm{}, nil)
}

func (h *Handler) renderProjects(w http.ResponseWriter, r *http.Request, s *session, status int, f projectForm, p problems) {
	v := projectsView{Form: f, Problems: p}
	if _, err := h.projectsData(r, s, &v); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	h.pages.Render(w, r, status, "projects", h.page(s, "/projects", s.l.T("bo.projects.title"), v))
}

// projectCreate creates a project.
func (h *Handler) projectCreate(w http.ResponseWriter, r *http.Request, s *session) {
	f := projectForm{Name: r.PostFormValue("name"), Customer: r.PostFormValue("customer")}
	if _, err := h.desk.CreateProject(r.Context(), s.actor, helpdesk.NewProject{Name: f.Name, CustomerID: parseID(f.Customer)}); err != nil {
		if p, ok := projectProblem(s, err); ok {
			h.renderProjects(w, r, s, web.Status(helpdesk.KindOf(err)), f, p)
			return
		}
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/projects", http.StatusSeeOther)
}

// projectPage shows a project's form.
func (h *Handler) projectPage(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	h.renderProject(w, r, s, id, http.StatusOK, nil, nil)
}

func (h *Handler) renderProject(w http.ResponseWriter, r *http.Request, s *session, id uuid.UUID, status int, f *projectForm, p problems) {
	v := projectsView{Problems: p}
	ps, err := h.projectsData(r, s, &v)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	i := slices.IndexFunc(ps, func(p *tenant.Project) bool { return p.ID == id })
	if i < 0 {
		h.pages.Error(w, r, s.l, fmt.Errorf("backoffice: project %s: %w", id, storage.ErrNotFound))
		return
	}
	v.Project = ps[i]
	v.Form = projectForm{Name: v.Project.Name, Customer: idOrEmpty(v.Project.CustomerID), Version: v.Project.Version}
	if f != nil {
		v.Form = *f
	}
	if r.URL.Query().Get("saved") != "" {
		v.Notice = s.l.T("bo.projects.saved")
	}
	h.pages.Render(w, r, status, "project", h.page(s, "/projects/"+id.String(), v.Project.Name, v))
}

// projectSave saves a project's name and customer.
func (h *Handler) projectSave(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	f := projectForm{Name: r.PostFormValue("name"), Customer: r.PostFormValue("customer")}
	f.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	_, err = h.desk.UpdateProject(r.Context(), s.actor, &tenant.Project{ID: id, Name: f.Name, CustomerID: parseID(f.Customer), Version: f.Version})
	if err != nil {
		if p, ok := projectProblem(s, err); ok {
			h.renderProject(w, r, s, id, web.Status(helpdesk.KindOf(err)), &f, p)
			return
		}
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/projects/"+id.String()+"?saved=1", http.StatusSeeOther)
}
