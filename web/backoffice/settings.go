package backoffice

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/web"
)

// settingsRoutes are the routes of My Company's settings: event switches, durations, offer, request form, branding, notification templates, SMTP, failed notifications, the audit log.
//
//	GET  /company/settings                    the tenant's settings, a form per section (admins)
//	POST /company/settings/events             the event switches per channel
//	POST /company/settings/durations          the timers, in minutes, hours or days
//	POST /company/settings/offer              what requesters may start, how staff invite
//	POST /company/settings/general            self-registration, the requester link's days,
//	                                          the support link, the quotas
//	POST /company/settings/form               the request form: visibility, texts per
//	                                          language, types, links, support e-mail
//	POST /company/settings/report             the report template file (or remove=1)
//	POST /company/settings/branding           the accent colour, logo (PNG), background (JPEG)
//	GET  /company/settings/files/report       the report template, downloaded
//	GET  /company/templates                   the notification templates: the tenant's own,
//	                                          and a form to write one (admins, moderators)
//	GET  /company/templates/new               a new template for ?event, ?channel, ?language,
//	                                          filled in from the built-in one
//	POST /company/templates                   saves a new template (action=preview previews)
//	POST /company/templates/preview           the preview of the posted template, an HTML
//	                                          fragment (the editor's script asks for it)
//	GET  /company/templates/{id}              edits one of the tenant's templates
//	POST /company/templates/{id}              saves it (action=preview previews)
//	POST /company/templates/{id}/delete       deletes it: the built-in one is sent again
//	GET  /company/smtp                        the tenant's own mail server (admins)
//	POST /company/smtp                        sets it (an empty password keeps the stored one)
//	POST /company/smtp/delete                 removes it: the Desk's mailer sends again
//	POST /company/smtp/test                   sends a test message, says which step failed
//	GET  /company/notifications               failed notifications, a page at a time (after)
//	POST /company/notifications/{id}/retry    sends a failed notification again
//	GET  /company/audit                       the audit log, a page at a time (after)
func (h *Handler) settingsRoutes() []route {
	return []route{
		{"GET /company/settings", h.signedIn(h.settingsPage)},
		{"POST /company/settings/events", h.signedIn(h.settingsSection(sectionEvents))},
		{"POST /company/settings/durations", h.signedIn(h.settingsSection(sectionDurations))},
		{"POST /company/settings/offer", h.signedIn(h.settingsSection(sectionOffer))},
		{"POST /company/settings/general", h.signedIn(h.settingsSection(sectionGeneral))},
		{"POST /company/settings/form", h.signedIn(h.settingsSection(sectionForm))},
		{"POST /company/settings/report", h.signedIn(h.settingsReport)},
		{"POST /company/settings/branding", h.signedIn(h.settingsBranding)},
		{"GET /company/settings/files/report", h.signedIn(h.settingsReportFile)},
		{"GET /company/templates", h.signedIn(h.templatesPage)},
		{"GET /company/templates/new", h.signedIn(h.noticeTemplateNew)},
		{"POST /company/templates", h.signedIn(h.noticeTemplateSave)},
		{"POST /company/templates/preview", h.signedIn(h.templatePreview)},
		{"GET /company/templates/{id}", h.signedIn(h.templateEdit)},
		{"POST /company/templates/{id}", h.signedIn(h.noticeTemplateSave)},
		{"POST /company/templates/{id}/delete", h.signedIn(h.templateDelete)},
		{"GET /company/smtp", h.signedIn(h.smtpPage)},
		{"POST /company/smtp", h.signedIn(h.smtpSave)},
		{"POST /company/smtp/delete", h.signedIn(h.smtpDelete)},
		{"POST /company/smtp/test", h.signedIn(h.smtpTest)},
		{"GET /company/notifications", h.signedIn(h.outboxPage)},
		{"POST /company/notifications/{id}/retry", h.signedIn(h.outboxRetry)},
		{"GET /company/audit", h.signedIn(h.auditPage)},
	}
}

// The sections of the settings page, each a form of its own.
const (
	sectionEvents    = "events"
	sectionDurations = "durations"
	sectionOffer     = "offer"
	sectionGeneral   = "general"
	sectionForm      = "form"
	sectionReport    = "report"
	sectionBranding  = "branding"
)

// durationField is one of the timers of tenant.Durations, as the page names it.
type durationField struct {
	Key string
	get func(*tenant.Durations) *time.Duration
}

var durationFields = []durationField{
	{"invitation_expiry", func(d *tenant.Durations) *time.Duration { return &d.InvitationExpiry }},
	{"reminder_before", func(d *tenant.Durations) *time.Duration { return &d.ReminderBefore }},
	{"max_acknowledgment", func(d *tenant.Durations) *time.Duration { return &d.MaxAcknowledgment }},
	{"max_expiration", func(d *tenant.Durations) *time.Duration { return &d.MaxExpiration }},
	{"offer_timeout", func(d *tenant.Durations) *time.Duration { return &d.OfferTimeout }},
	{"media_transfer", func(d *tenant.Durations) *time.Duration { return &d.MediaTransfer }},
}

// durationUnits are the units a timer is entered in.
var durationUnits = []struct {
	Key string
	D   time.Duration
}{{"m", time.Minute}, {"h", time.Hour}, {"d", 24 * time.Hour}}

// offerBoxes are the offer's switches: the field's key and where it lives.
var offerBoxes = []struct {
	Key string
	get func(*tenant.Offer) *bool
}{
	{"offer.contact_agent", func(o *tenant.Offer) *bool { return &o.ContactAgent }},
	{"offer.media_upload", func(o *tenant.Offer) *bool { return &o.MediaUpload }},
	{"offer.conference", func(o *tenant.Offer) *bool { return &o.Conference }},
	{"offer.planning", func(o *tenant.Offer) *bool { return &o.Planning }},
	{"offer.invite_email", func(o *tenant.Offer) *bool { return &o.InviteByEmail }},
	{"offer.invite_sms", func(o *tenant.Offer) *bool { return &o.InviteBySMS }},
}

// quotaFields are the quotas entered as whole numbers (bytes per ticket is entered in MB).
var quotaFields = []struct {
	Key string
	get func(*tenant.Quotas) *int
	def int
}{
	{"quota.tickets_per_code_hour", func(q *tenant.Quotas) *int { return &q.TicketsPerCodeHour }, tenant.DefaultTicketsPerCodeHour},
	{"quota.files_per_ticket", func(q *tenant.Quotas) *int { return &q.FilesPerTicket }, tenant.DefaultFilesPerTicket},
	{"quota.open_sessions_per_ticket", func(q *tenant.Quotas) *int { return &q.OpenSessionsPerTicket }, tenant.DefaultOpenSessionsPerTicket},
}

// textNames are the request form's texts of each language.
var textNames = []string{"welcome", "request_hint", "help"}

// eventRow is one event of the switches: its checkboxes per channel.
type eventRow struct {
	Event, Label string
	Boxes        []eventBox
}

// eventBox is one checkbox of the switches.
type eventBox struct {
	Name, Label string
	On          bool
}

// durationRow is one timer of the durations form.
type durationRow struct {
	Key, Label, Default string
}

// settingsView is the settings page. In holds every field's value as the page shows it (the
// stored settings, or the refused input of the section that was posted); Problems the
// problem of a field by its name.
type settingsView struct {
	Version  int64
	In       map[string]string
	Problems map[string]string
	// Section is the section a Notice or Problem is about.
	Section, Notice, Problem string
	Events                   []eventRow
	Channels                 []option
	Durations                []durationRow
	Units                    []option
	Quotas                   []durationRow
	Visibilities             []option
	Languages                []option
	Offer                    []option
	Logo, Background, Report *tenant.File
	MaxMB                    int
}

// sectionStatus is what a section shows above its fields: the notice or problem of the
// page, when they are about it.
type sectionStatus struct {
	Show            bool
	Notice, Problem string
}

// Status returns what section shows above its fields.
func (v *settingsView) Status(section string) sectionStatus {
	return sectionStatus{Show: v.Section == section, Notice: v.Notice, Problem: v.Problem}
}

// TextNames are the request form's texts of each language.
func (v *settingsView) TextNames() []string { return textNames }

// LinkFields are the request form's links and support address.
func (v *settingsView) LinkFields() []string {
	return []string{"form.terms_url", "form.guide_url", "form.support_email"}
}

// Images are the branding's images, by field name.
func (v *settingsView) Images() []string { return []string{"logo", "background"} }

// File returns the stored branding image of field name ("logo", "background"), or nil.
func (v *settingsView) File(name string) *tenant.File {
	if name == "logo" {
		return v.Logo
	}
	return v.Background
}

// mayManage returns the policy's refusal when the person may not perform act at all. The
// settings pages read what every person of the tenant may read (Desk.Tenant), and their
// forms may be shown again with the stored settings before the Desk is asked: they ask the
// policy first, so that nobody who may not change the settings is shown them. The Desk
// checks again when it changes them.
func mayManage(s *session, act tenant.Action) error {
	if err := tenant.Authorize(s.actor, act, nil); err != nil {
		return fmt.Errorf("backoffice: %w", err)
	}
	return nil
}

// settingsPage shows the settings, a notice after a section was saved (?saved=section).
func (h *Handler) settingsPage(w http.ResponseWriter, r *http.Request, s *session) {
	if err := mayManage(s, tenant.ActTenantSettings); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	ten, err := h.desk.Tenant(r.Context(), s.actor)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v := h.settingsView(s, ten)
	if sec := r.URL.Query().Get("saved"); sec != "" {
		v.Section, v.Notice = sec, s.l.T("bo.settings.saved")
	}
	h.renderSettings(w, r, s, http.StatusOK, v)
}

func (h *Handler) renderSettings(w http.ResponseWriter, r *http.Request, s *session, status int, v *settingsView) {
	h.pages.Render(w, r, status, "settings", s.page(web.Page{L: s.l, Title: s.l.T("bo.settings.title"), Path: "/company/settings", Data: v}))
}

// settingsView builds the page's view of ten's settings.
func (h *Handler) settingsView(s *session, ten *tenant.Tenant) *settingsView {
	l := s.l
	st := ten.Settings
	v := &settingsView{Version: ten.Version, In: settingsInput(st), Problems: map[string]string{},
		Logo: st.Form.Logo, Background: st.Form.Background, Report: st.Form.Report, MaxMB: helpdesk.MaxBrandingBytes >> 20}
	for _, ch := range notify.Channels() {
		v.Channels = append(v.Channels, option{string(ch), l.T("bo.channel." + string(ch))})
	}
	for _, ev := range notify.Events() {
		row := eventRow{Event: string(ev), Label: l.T("bo.event_name." + string(ev))}
		for _, ch := range notify.Channels() {
			name := "ev." + string(ev) + "." + string(ch)
			row.Boxes = append(row.Boxes, eventBox{Name: name, Label: l.T("bo.channel." + string(ch))})
		}
		v.Events = append(v.Events, row)
	}
	defs := tenant.Durations{}.WithDefaults()
	for _, f := range durationFields {
		v.Durations = append(v.Durations, durationRow{Key: f.Key, Label: l.T("bo.settings.dur." + f.Key), Default: duration(l, *f.get(&defs))})
	}
	for _, u := range durationUnits {
		v.Units = append(v.Units, option{u.Key, l.T("bo.settings.unit." + u.Key)})
	}
	for _, q := range quotaFields {
		v.Quotas = append(v.Quotas, durationRow{Key: q.Key, Label: l.T("bo.settings." + q.Key), Default: l.Number(q.def)})
	}
	v.Quotas = append(v.Quotas, durationRow{Key: "quota.mb_per_ticket", Label: l.T("bo.settings.quota.mb_per_ticket"),
		Default: l.Number(tenant.DefaultBytesPerTicket >> 20)})
	for _, vis := range []tenant.Visibility{tenant.VisibilityPublic, tenant.VisibilityCustomers, tenant.VisibilityInvited} {
		v.Visibilities = append(v.Visibilities, option{string(vis), l.T("bo.settings.visibility." + string(vis))})
	}
	for _, lang := range tenant.FormLanguages {
		v.Languages = append(v.Languages, option{lang, l.T("bo.settings.lang." + lang)})
	}
	for _, b := range offerBoxes {
		v.Offer = append(v.Offer, option{b.Key, l.T("bo.settings." + b.Key)})
	}
	return v
}

// settingsInput returns every field of the settings page as the form shows st.
func settingsInput(st tenant.Settings) map[string]string {
	in := map[string]string{}
	box := func(on bool) string {
		if on {
			return "on"
		}
		return ""
	}
	for _, ev := range notify.Events() {
		for _, ch := range notify.Channels() {
			in["ev."+string(ev)+"."+string(ch)] = box(st.Notifications.On(ev, ch))
		}
	}
	defs := tenant.Durations{}.WithDefaults()
	for _, f := range durationFields {
		d := *f.get(&st.Durations)
		shown := d
		if d <= 0 {
			shown = *f.get(&defs) // an empty field, in the unit of its default
		}
		for i := len(durationUnits) - 1; i >= 0; i-- {
			u := durationUnits[i]
			if shown%u.D == 0 || i == 0 {
				in["dur."+f.Key+".unit"] = u.Key
				if d > 0 {
					in["dur."+f.Key] = strconv.FormatInt(int64(d/u.D), 10)
				}
				break
			}
		}
	}
	o := st.EffectiveOffer()
	for _, b := range offerBoxes {
		in[b.Key] = box(*b.get(&o))
	}
	in["offer.max_media"] = strconv.Itoa(o.MaxMedia)
	in["self_registration"] = box(st.SelfRegistration)
	if st.PublicAccessDays > 0 {
		in["public_access_days"] = strconv.Itoa(st.PublicAccessDays)
	}
	if st.NotificationRetentionDays > 0 {
		in["notification_retention_days"] = strconv.Itoa(st.NotificationRetentionDays)
	}
	in["support_link"] = st.SupportLink
	for _, q := range quotaFields {
		if n := *q.get(&st.Quotas); n > 0 {
			in[q.Key] = strconv.Itoa(n)
		}
	}
	if st.Quotas.BytesPerTicket > 0 {
		in["quota.mb_per_ticket"] = strconv.FormatInt(st.Quotas.BytesPerTicket>>20, 10)
	}
	f := st.Form
	in["form.visibility"] = string(f.Visibility.Effective())
	for _, lang := range tenant.FormLanguages {
		t := f.Texts[lang]
		in["form."+lang+".welcome"], in["form."+lang+".request_hint"], in["form."+lang+".help"] = t.Welcome, t.RequestHint, t.Help
	}
	in["form.types"] = strings.Join(f.Types, "\n")
	in["form.terms_url"], in["form.guide_url"], in["form.support_email"] = f.TermsURL, f.GuideURL, f.SupportEmail
	in["form.accent"] = f.Accent
	return in
}

// sectionKeys lists the fields of a section's form.
func sectionKeys(section string) []string {
	var keys []string
	switch section {
	case sectionEvents:
		for _, ev := range notify.Events() {
			for _, ch := range notify.Channels() {
				keys = append(keys, "ev."+string(ev)+"."+string(ch))
			}
		}
	case sectionDurations:
		for _, f := range durationFields {
			keys = append(keys, "dur."+f.Key, "dur."+f.Key+".unit")
		}
	case sectionOffer:
		for _, b := range offerBoxes {
			keys = append(keys, b.Key)
		}
		keys = append(keys, "offer.max_media")
	case sectionGeneral:
		keys = append(keys, "self_registration", "public_access_days", "support_link", "quota.mb_per_ticket")
		for _, q := range quotaFields {
			keys = append(keys, q.Key)
		}
	case sectionForm:
		keys = append(keys, "form.visibility", "form.types", "form.terms_url", "form.guide_url", "form.support_email")
		for _, lang := range tenant.FormLanguages {
			for _, n := range textNames {
				keys = append(keys, "form."+lang+"."+n)
			}
		}
	case sectionBranding:
		keys = append(keys, "form.accent")
	}
	return keys
}

// fieldProblems collects the problems of a section's input the handler finds before the
// Desk is asked: numbers that are not whole numbers in range.
type fieldProblems map[string]string

// number reads the whole number of field key (empty is 0) within [0, max].
func (p fieldProblems) number(l *web.Lang, form url.Values, key string, limit int64) int64 {
	raw := strings.TrimSpace(form.Get(key))
	if raw == "" {
		return 0
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 || n > limit {
		p[key] = l.T("bo.settings.problem.number", "Max", l.Number(limit))
		return 0
	}
	return n
}

// applySection returns st with the section's fields of form set in it.
func applySection(l *web.Lang, section string, st tenant.Settings, form url.Values, p fieldProblems) tenant.Settings {
	switch section {
	case sectionEvents:
		sw := notify.Switches{}
		for _, ev := range notify.Events() {
			for _, ch := range notify.Channels() {
				sw.Set(ev, ch, form.Get("ev."+string(ev)+"."+string(ch)) != "")
			}
		}
		st.Notifications = sw
	case sectionDurations:
		for _, f := range durationFields {
			unit := time.Hour
			for _, u := range durationUnits {
				if form.Get("dur."+f.Key+".unit") == u.Key {
					unit = u.D
				}
			}
			n := p.number(l, form, "dur."+f.Key, int64(3650*24*time.Hour/unit))
			*f.get(&st.Durations) = time.Duration(n) * unit
		}
	case sectionOffer:
		o := tenant.Offer{}
		for _, b := range offerBoxes {
			*b.get(&o) = form.Get(b.Key) != ""
		}
		o.MaxMedia = int(p.number(l, form, "offer.max_media", 1000))
		st.Offer = &o
	case sectionGeneral:
		st.SelfRegistration = form.Get("self_registration") != ""
		st.PublicAccessDays = int(p.number(l, form, "public_access_days", 3650))
		st.NotificationRetentionDays = int(p.number(l, form, "notification_retention_days", tenant.MaxNotificationRetentionDays))
		st.SupportLink = strings.TrimSpace(form.Get("support_link"))
		for _, q := range quotaFields {
			*q.get(&st.Quotas) = int(p.number(l, form, q.Key, 1_000_000))
		}
		st.Quotas.BytesPerTicket = p.number(l, form, "quota.mb_per_ticket", 1<<20) << 20
	case sectionForm:
		f := &st.Form
		f.Visibility = tenant.Visibility(form.Get("form.visibility"))
		f.Texts = map[string]tenant.FormTexts{}
		for _, lang := range tenant.FormLanguages {
			t := tenant.FormTexts{Welcome: form.Get("form." + lang + ".welcome"), RequestHint: form.Get("form." + lang + ".request_hint"),
				Help: form.Get("form." + lang + ".help")}
			if t != (tenant.FormTexts{}) {
				f.Texts[lang] = t
			}
		}
		f.Types = nil
		for _, ty := range strings.Split(form.Get("form.types"), "\n") {
			if ty = strings.TrimSpace(ty); ty != "" {
				f.Types = append(f.Types, ty)
			}
		}
		f.TermsURL, f.GuideURL, f.SupportEmail = form.Get("form.terms_url"), form.Get("form.guide_url"), form.Get("form.support_email")
	case sectionBranding:
		st.Form.Accent = form.Get("form.accent")
	}
	return st
}

// settingsSection saves one section of the settings: the stored settings with the section's
// fields replaced, under the version the form was read at.
func (h *Handler) settingsSection(section string) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, s *session) {
		if err := mayManage(s, tenant.ActTenantSettings); err != nil {
			h.pages.Error(w, r, s.l, err)
			return
		}
		if err := r.ParseForm(); err != nil {
			h.pages.Error(w, r, s.l, fmt.Errorf("backoffice: settings form: %w", helpdesk.ErrInvalid))
			return
		}
		ten, err := h.desk.Tenant(r.Context(), s.actor)
		if err != nil {
			h.pages.Error(w, r, s.l, err)
			return
		}
		p := fieldProblems{}
		st := applySection(s.l, section, ten.Settings, r.PostForm, p)
		if len(p) == 0 {
			version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
			_, err = h.desk.UpdateSettings(r.Context(), s.actor, version, st)
			if err == nil {
				http.Redirect(w, r, "/company/settings?saved="+section+"#"+section, http.StatusSeeOther)
				return
			}
		}
		h.settingsRefused(w, r, s, ten, section, p, err)
	}
}

// settingsRefused shows the settings page again after section's input was refused, with the
// input kept and the problem next to its field, or above the section: a stale version (the
// page then carries the current one, so that saving again overwrites knowingly), or a
// problem of no field. Errors that are not the input's go to the error page.
func (h *Handler) settingsRefused(w http.ResponseWriter, r *http.Request, s *session, ten *tenant.Tenant, section string, p fieldProblems, err error) {
	kind := helpdesk.KindOf(err)
	if len(p) == 0 && kind != helpdesk.KindInvalid && kind != helpdesk.KindConflict {
		h.pages.Error(w, r, s.l, err)
		return
	}
	if kind == helpdesk.KindConflict {
		if fresh, rerr := h.desk.Tenant(r.Context(), s.actor); rerr == nil {
			ten = fresh
		}
	}
	v := h.settingsView(s, ten)
	for _, k := range sectionKeys(section) {
		v.In[k] = r.PostFormValue(k)
	}
	v.Section = section
	status := http.StatusUnprocessableEntity
	switch {
	case len(p) > 0:
		v.Problems = p
		v.Problem = s.l.T("bo.settings.problem.fields")
	case kind == helpdesk.KindConflict:
		status, v.Problem = http.StatusConflict, s.l.T("bo.settings.problem.stale")
	default:
		key, msg := settingsProblem(s.l, err)
		if key != "" {
			v.Problems[key] = msg
			v.Problem = s.l.T("bo.settings.problem.fields")
		} else {
			v.Problem = msg
		}
	}
	h.renderSettings(w, r, s, status, v)
}

// settingsProblem words a refusal of the Desk's for the settings page: the field it is about
// (as the page names it; empty for the section) and the sentence.
func settingsProblem(l *web.Lang, err error) (key, msg string) {
	var ve *helpdesk.ValidationError
	if !errors.As(err, &ve) {
		return "", l.T("error.invalid")
	}
	f := ve.Field
	switch {
	case errors.Is(err, helpdesk.ErrAccentTooLight):
		return "form.accent", l.T("bo.settings.problem.accent_light")
	case f == "form.accent":
		return f, l.T("bo.settings.problem.colour")
	case f == "support_link" || f == "form.terms_url" || f == "form.guide_url":
		return f, l.T("bo.settings.problem.url")
	case f == "form.support_email":
		return f, l.T("bo.settings.problem.email")
	case strings.HasPrefix(f, "form.types"):
		return "form.types", l.T("bo.settings.problem.types", "Max", helpdesk.MaxFormTypes)
	case strings.HasPrefix(f, "form.texts."):
		return "form." + strings.TrimPrefix(f, "form.texts."), l.T("bo.settings.problem.long")
	case f == "form.visibility":
		return f, l.T("error.invalid")
	case f == "public_access_days":
		return f, l.T("bo.settings.problem.number", "Max", l.Number(3650))
	case f == "file":
		return "file", l.T("bo.settings.problem.file", "Width", helpdesk.MinBrandingWidth, "Height", helpdesk.MinBrandingHeight,
			"MB", helpdesk.MaxBrandingBytes>>20)
	}
	return "", l.T("error.invalid")
}

// maxBrandingPost bounds a branding or report form with its files.
const maxBrandingPost = 120 << 20

// formFile returns the file posted in field name, or nil when none was chosen; the caller
// closes it.
func formFile(r *http.Request, name string) (*helpdesk.Upload, io.Closer, error) {
	if r.MultipartForm == nil {
		return nil, nil, nil
	}
	f, fh, err := r.FormFile(name)
	if errors.Is(err, http.ErrMissingFile) || err == nil && fh.Size == 0 {
		if f != nil {
			_ = f.Close()
		}
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("backoffice: %s: %w", name, helpdesk.ErrInvalid)
	}
	return &helpdesk.Upload{Name: fh.Filename, Body: f}, f, nil
}

// parseMultipart reads a form that may carry files.
func parseMultipart(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBrandingPost)
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return fmt.Errorf("backoffice: settings files: %w", helpdesk.ErrInvalid)
	}
	return nil
}

// settingsBranding saves the branding: the accent colour, then a new logo or background
// (or removes them), each under the version the previous step left.
func (h *Handler) settingsBranding(w http.ResponseWriter, r *http.Request, s *session) {
	if err := mayManage(s, tenant.ActTenantSettings); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	if err := parseMultipart(w, r); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	ctx := r.Context()
	ten, err := h.desk.Tenant(ctx, s.actor)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	p := fieldProblems{}
	st := applySection(s.l, sectionBranding, ten.Settings, r.PostForm, p)
	next := ten
	if st.Form.Accent != ten.Settings.Form.Accent {
		if next, err = h.desk.UpdateSettings(ctx, s.actor, version, st); err != nil {
			h.settingsRefused(w, r, s, ten, sectionBranding, p, err)
			return
		}
		version = next.Version
	}
	for _, f := range []struct {
		which helpdesk.FormFile
		field string
	}{{helpdesk.FormLogo, "logo"}, {helpdesk.FormBackground, "background"}} {
		up, c, err := formFile(r, f.field)
		if err == nil && up == nil && r.PostFormValue("remove_"+f.field) == "" {
			continue
		}
		if err == nil {
			var set *tenant.Tenant
			if set, err = h.desk.SetFormFile(ctx, s.actor, version, f.which, up); err == nil {
				next, version = set, set.Version
			}
		}
		if c != nil {
			_ = c.Close()
		}
		if err != nil {
			if key, _ := settingsProblem(s.l, err); key == "file" {
				h.fileRefused(w, r, s, next, sectionBranding, f.field, err)
				return
			}
			h.settingsRefused(w, r, s, next, sectionBranding, p, err)
			return
		}
	}
	http.Redirect(w, r, "/company/settings?saved="+sectionBranding+"#"+sectionBranding, http.StatusSeeOther)
}

// fileRefused shows the settings page with a refused file's problem next to its field.
func (h *Handler) fileRefused(w http.ResponseWriter, r *http.Request, s *session, ten *tenant.Tenant, section, field string, err error) {
	v := h.settingsView(s, ten)
	for _, k := range sectionKeys(section) {
		v.In[k] = r.PostFormValue(k)
	}
	_, msg := settingsProblem(s.l, err)
	if field == "report" {
		msg = s.l.T("bo.settings.problem.report")
	}
	v.Section, v.Problem, v.Problems[field] = section, s.l.T("bo.settings.problem.fields"), msg
	h.renderSettings(w, r, s, http.StatusUnprocessableEntity, v)
}

// settingsReport stores the report template attached to every new ticket, or removes it.
func (h *Handler) settingsReport(w http.ResponseWriter, r *http.Request, s *session) {
	if err := mayManage(s, tenant.ActTenantSettings); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	if err := parseMultipart(w, r); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	up, c, err := formFile(r, "report")
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	if c != nil {
		defer c.Close()
	}
	if up == nil && r.PostFormValue("remove") == "" {
		http.Redirect(w, r, "/company/settings#"+sectionReport, http.StatusSeeOther)
		return
	}
	if _, err := h.desk.SetFormFile(r.Context(), s.actor, version, helpdesk.FormReport, up); err != nil {
		cur, rerr := h.desk.Tenant(r.Context(), s.actor)
		if rerr != nil {
			h.pages.Error(w, r, s.l, rerr)
			return
		}
		if key, _ := settingsProblem(s.l, err); key == "file" {
			h.fileRefused(w, r, s, cur, sectionReport, "report", err)
			return
		}
		h.settingsRefused(w, r, s, cur, sectionReport, fieldProblems{}, err)
		return
	}
	http.Redirect(w, r, "/company/settings?saved="+sectionReport+"#"+sectionReport, http.StatusSeeOther)
}

// settingsReportFile downloads the report template.
func (h *Handler) settingsReportFile(w http.ResponseWriter, r *http.Request, s *session) {
	if err := mayManage(s, tenant.ActTenantSettings); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	f, rc, err := h.desk.OpenFormFile(r.Context(), s.actor, helpdesk.FormReport)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	defer rc.Close()
	hd := w.Header()
	hd.Set("Content-Type", f.ContentType)
	hd.Set("Content-Disposition", mimeAttachment(f.Name))
	hd.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	_, _ = io.Copy(w, rc)
}

// mimeAttachment is a Content-Disposition that downloads a file named name.
func mimeAttachment(name string) string {
	return "attachment; filename*=UTF-8''" + url.PathEscape(name)
}
