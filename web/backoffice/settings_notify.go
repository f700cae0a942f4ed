package backoffice

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/web"
	"github.com/google/uuid"
)

// noticeTemplateRow is one of the tenant's own templates in the list.
type noticeTemplateRow struct {
	ID                                uuid.UUID
	Event, Channel, Language, Updated string
	Enabled                           bool
}

type noticeTemplatesView struct {
	Own                         []noticeTemplateRow
	Events, Channels, Languages []option
}

// channelFields says which template fields a channel uses (notify.Compile refuses the
// others).
type channelFields struct{ Subject, HTML, HeaderImage, Link bool }

func fieldsOf(ch notify.Channel) channelFields {
	switch ch {
	case notify.Email:
		return channelFields{Subject: true, HTML: true, HeaderImage: true}
	case notify.InApp, notify.Push:
		return channelFields{Subject: true, Link: true}
	}
	return channelFields{}
}

// previewView is a template rendered with sample data, with its SMS segments.
type previewView struct {
	Subject, Text, HTML, Link string
	SMS                       bool
	Encoding                  string
	Segments, Units           int
	// Problem says why the template cannot be rendered.
	Problem string
}

// noticeTemplateView is the editor of one template.
type noticeTemplateView struct {
	// ID is empty for a new template.
	ID                               string
	Version                          int64
	Event, Channel, Language         string
	EventLabel, ChannelLabel         string
	Subject, Text, HTML, HeaderImage string
	Link                             string
	Enabled                          bool
	Fields                           channelFields
	Tags                             []string
	Preview                          *previewView
	Problems                         map[string]string
	Notice, Problem                  string
	CanSave                          bool
	Action                           string
}

// previewData is what the preview fragment renders.
type previewData struct {
	L *web.Lang
	P *previewView
}

// PreviewFor returns the editor's preview for the page's template, in l.
func (v *noticeTemplateView) PreviewFor(l *web.Lang) previewData { return previewData{l, v.Preview} }

// mayEditTemplates reports whether the person may save ev's templates: account events'
// carry one-time sign-in links, and the policy keeps them to fewer people.
func mayEditTemplates(s *session, ev notify.Event) bool {
	act := tenant.ActNotifyTemplates
	if spec, ok := notify.Lookup(ev); ok && slices.Contains(spec.Tags, notify.TagAccountLink) {
		act = tenant.ActAccountTemplates
	}
	return tenant.Authorize(s.actor, act, nil) == nil
}

// templatesPage lists the tenant's own templates and offers to write one.
func (h *Handler) templatesPage(w http.ResponseWriter, r *http.Request, s *session) {
	own, err := h.desk.NotificationTemplates(r.Context(), s.actor, "")
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	l := s.l
	v := noticeTemplatesView{}
	for _, t := range own {
		v.Own = append(v.Own, noticeTemplateRow{ID: t.ID, Event: l.T("bo.event_name." + string(t.Event)),
			Channel: l.T("bo.channel." + string(t.Channel)), Language: t.Language, Enabled: t.Enabled, Updated: l.DateTime(t.UpdatedAt)})
	}
	for _, ev := range notify.Events() {
		v.Events = append(v.Events, option{string(ev), l.T("bo.event_name." + string(ev))})
	}
	for _, ch := range notify.Channels() {
		v.Channels = append(v.Channels, option{string(ch), l.T("bo.channel." + string(ch))})
	}
	for _, lang := range notify.DefaultLanguages() {
		v.Languages = append(v.Languages, option{lang, l.T("bo.settings.lang." + lang)})
	}
	h.render(w, r, s, http.StatusOK, "settings-templates", l.T("bo.templates.title"), v)
}

// templateFromForm reads the template the editor posted.
func templateFromForm(r *http.Request) notify.Template {
	t := notify.Template{Event: notify.Event(r.PostFormValue("event")), Channel: notify.Channel(r.PostFormValue("channel")),
		Language: strings.TrimSpace(r.PostFormValue("language")), Text: r.PostFormValue("text"), Enabled: r.PostFormValue("enabled") != ""}
	f := fieldsOf(t.Channel)
	if f.Subject {
		t.Subject = r.PostFormValue("subject")
	}
	if f.HTML {
		t.HTML = r.PostFormValue("html")
	}
	if f.HeaderImage {
		t.HeaderImage = strings.TrimSpace(r.PostFormValue("header_image"))
	}
	if f.Link {
		t.Link = strings.TrimSpace(r.PostFormValue("link"))
	}
	t.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	return t
}

// templateEditor builds the editor of t.
func templateEditor(s *session, t notify.Template) *noticeTemplateView {
	l := s.l
	v := &noticeTemplateView{Version: t.Version, Event: string(t.Event), Channel: string(t.Channel), Language: t.Language,
		EventLabel: l.T("bo.event_name." + string(t.Event)), ChannelLabel: l.T("bo.channel." + string(t.Channel)),
		Subject: t.Subject, Text: t.Text, HTML: t.HTML, HeaderImage: t.HeaderImage, Link: t.Link, Enabled: t.Enabled,
		Fields: fieldsOf(t.Channel), Problems: map[string]string{}, CanSave: mayEditTemplates(s, t.Event), Action: "/company/templates"}
	if t.ID != uuid.Nil {
		v.ID = t.ID.String()
		v.Action = "/company/templates/" + v.ID
	}
	if spec, ok := notify.Lookup(t.Event); ok {
		for _, tag := range spec.Tags {
			v.Tags = append(v.Tags, "{{."+string(tag)+"}}")
		}
	}
	return v
}

// noticeTemplateNew opens the editor of a new template, filled in from the built-in one of the
// event, channel and language the query names.
func (h *Handler) noticeTemplateNew(w http.ResponseWriter, r *http.Request, s *session) {
	if err := mayManage(s, tenant.ActNotifyTemplates); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	q := r.URL.Query()
	ev, ch, lang := notify.Event(q.Get("event")), notify.Channel(q.Get("channel")), q.Get("language")
	t, ok := notify.Default(ev, ch, lang)
	if !ok {
		if t, ok = notify.Default(ev, ch, "en"); !ok || !notify.ValidLanguage(lang) {
			h.pages.Error(w, r, s.l, fmt.Errorf("backoffice: no template for %q on %q: %w", ev, ch, storage.ErrNotFound))
			return
		}
		t.Language = lang
	}
	t.ID, t.Version, t.Enabled = uuid.Nil, 0, true
	v := templateEditor(s, t)
	v.Preview = h.preview(r, s, t)
	h.renderNoticeTemplate(w, r, s, http.StatusOK, v)
}

// ownTemplate returns the tenant's template {id}: not found when the tenant has no such.
func (h *Handler) ownTemplate(r *http.Request, s *session) (*notify.Template, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return nil, fmt.Errorf("backoffice: template %q: %w", r.PathValue("id"), storage.ErrNotFound)
	}
	own, err := h.desk.NotificationTemplates(r.Context(), s.actor, "")
	if err != nil {
		return nil, err
	}
	for _, t := range own {
		if t.ID == id {
			return t, nil
		}
	}
	return nil, fmt.Errorf("backoffice: template %s: %w", id, storage.ErrNotFound)
}

// templateEdit opens the editor of one of the tenant's templates.
func (h *Handler) templateEdit(w http.ResponseWriter, r *http.Request, s *session) {
	t, err := h.ownTemplate(r, s)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v := templateEditor(s, *t)
	if r.URL.Query().Get("saved") != "" {
		v.Notice = s.l.T("bo.templates.saved")
	}
	v.Preview = h.preview(r, s, *t)
	h.renderNoticeTemplate(w, r, s, http.StatusOK, v)
}

func (h *Handler) renderNoticeTemplate(w http.ResponseWriter, r *http.Request, s *session, status int, v *noticeTemplateView) {
	title := s.l.T("bo.templates.edit", "Event", v.EventLabel, "Channel", v.ChannelLabel, "Language", v.Language)
	path := v.Action
	if v.ID == "" {
		path = "/company/templates/new"
	}
	h.pages.Render(w, r, status, "settings-template", s.page(web.Page{L: s.l, Title: title, Path: path, Data: v}, "bo-settings.js"))
}

// preview renders t with sample data for the editor; a template that cannot be rendered
// gives a preview that says why.
func (h *Handler) preview(r *http.Request, s *session, t notify.Template) *previewView {
	p, err := h.desk.PreviewNotificationTemplate(r.Context(), s.actor, t)
	if err != nil {
		_, msg := templateProblem(s.l, err)
		return &previewView{Problem: msg}
	}
	v := &previewView{Subject: p.Subject, Text: p.Text, Link: p.Link, SMS: t.Channel == notify.SMS,
		Encoding: p.Segments.Encoding, Segments: p.Segments.Segments, Units: p.Segments.Units}
	if t.Channel == notify.Email {
		v.HTML = p.HTML
	}
	return v
}

// templateProblem words a refused template: the field at fault and the sentence.
func templateProblem(l *web.Lang, err error) (field, msg string) {
	var te *notify.TemplateError
	if !errors.As(err, &te) {
		return "", l.T("error." + string(helpdesk.KindOf(err)))
	}
	field = te.Field
	if te.Tag != "" {
		tags := make([]string, len(te.Valid))
		for i, t := range te.Valid {
			tags[i] = "{{." + string(t) + "}}"
		}
		return field, l.T("bo.templates.problem.tag", "Tag", "{{."+te.Tag+"}}", "Tags", strings.Join(tags, " "))
	}
	return field, l.T("bo.templates.problem.field")
}

// noticeTemplateSave saves the editor's template (a new one on /company/templates), or previews it
// when the Preview button was pressed (action=preview), the input kept either way.
func (h *Handler) noticeTemplateSave(w http.ResponseWriter, r *http.Request, s *session) {
	t := templateFromForm(r)
	if r.PathValue("id") != "" {
		old, err := h.ownTemplate(r, s)
		if err != nil {
			h.pages.Error(w, r, s.l, err)
			return
		}
		t.ID, t.Event, t.Channel, t.Language = old.ID, old.Event, old.Channel, old.Language
		t = withChannelFields(t)
	} else if err := mayManage(s, tenant.ActNotifyTemplates); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	if !t.Event.Valid() || !t.Channel.Valid() {
		h.pages.Error(w, r, s.l, fmt.Errorf("backoffice: template of %q on %q: %w", t.Event, t.Channel, helpdesk.ErrInvalid))
		return
	}
	v := templateEditor(s, t)
	if r.PostFormValue("action") == "preview" {
		v.Preview = h.preview(r, s, t)
		status := http.StatusOK
		if v.Preview.Problem != "" {
			status = http.StatusUnprocessableEntity
		}
		h.renderNoticeTemplate(w, r, s, status, v)
		return
	}
	saved, err := h.desk.SaveNotificationTemplate(r.Context(), s.actor, t)
	switch kind := helpdesk.KindOf(err); kind {
	case "":
		http.Redirect(w, r, "/company/templates/"+saved.ID.String()+"?saved=1", http.StatusSeeOther)
		return
	case helpdesk.KindInvalid:
		field, msg := templateProblem(s.l, err)
		v.Problems[field] = msg
		v.Problem = s.l.T("bo.settings.problem.fields")
		if !slices.Contains([]string{"subject", "text", "html", "header_image", "link"}, field) {
			v.Problem = msg
		}
		h.renderNoticeTemplate(w, r, s, http.StatusUnprocessableEntity, v)
	case helpdesk.KindConflict:
		v.Problem = s.l.T("bo.templates.problem.conflict")
		if t.ID != uuid.Nil {
			if cur, err := h.ownTemplate(r, s); err == nil {
				v.Version = cur.Version
			}
		}
		h.renderNoticeTemplate(w, r, s, http.StatusConflict, v)
	default:
		h.pages.Error(w, r, s.l, err)
	}
}

// withChannelFields drops the fields t's channel does not use, which a form may carry.
func withChannelFields(t notify.Template) notify.Template {
	f := fieldsOf(t.Channel)
	if !f.Subject {
		t.Subject = ""
	}
	if !f.HTML {
		t.HTML = ""
	}
	if !f.HeaderImage {
		t.HeaderImage = ""
	}
	if !f.Link {
		t.Link = ""
	}
	return t
}

// previewFragment is the template of the preview fragment, parsed from the editor's page.
var previewFragment = sync.OnceValues(func() (*template.Template, error) {
	return template.New("fragment").Funcs(template.FuncMap{"static": web.StaticURL, "within": web.Within}).
		ParseFS(templates, "templates/settings-template.html")
})

// templatePreview answers the editor's script with the preview of the posted template: an
// HTML fragment, as the editor's page shows it.
func (h *Handler) templatePreview(w http.ResponseWriter, r *http.Request, s *session) {
	if err := mayManage(s, tenant.ActNotifyTemplates); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	t := withChannelFields(templateFromForm(r))
	p := h.preview(r, s, t)
	tmpl, err := previewFragment()
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, "preview", previewData{s.l, p}); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	status := http.StatusOK
	if p.Problem != "" {
		status = http.StatusUnprocessableEntity
	}
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// templateDelete deletes one of the tenant's templates: the built-in one is sent again.
func (h *Handler) templateDelete(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.pages.Error(w, r, s.l, fmt.Errorf("backoffice: template %q: %w", r.PathValue("id"), storage.ErrNotFound))
		return
	}
	if err := h.desk.DeleteNotificationTemplate(r.Context(), s.actor, id); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/company/templates", http.StatusSeeOther)
}

// smtpView is the page of the tenant's own mail server.
type smtpView struct {
	Has                                  bool
	Host, Port, Security, Username, From string
	PasswordSet                          bool
	Securities                           []option
	Problems                             map[string]string
	Notice, Problem                      string
	// To is the test message's address; Step and Detail say where a test send failed.
	To, Step, Detail string
}

// smtpPage shows the tenant's mail server, a notice after a change or a test (?done=).
func (h *Handler) smtpPage(w http.ResponseWriter, r *http.Request, s *session) {
	v := &smtpView{}
	if done := r.URL.Query().Get("done"); done == "saved" || done == "deleted" || done == "tested" {
		v.Notice = s.l.T("bo.smtp." + done)
	}
	h.renderSMTP(w, r, s, http.StatusOK, v, true)
}

// renderSMTP writes the SMTP page; with stored, the form shows the stored server.
func (h *Handler) renderSMTP(w http.ResponseWriter, r *http.Request, s *session, status int, v *smtpView, stored bool) {
	cur, err := h.desk.SMTP(r.Context(), s.actor)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	if v.Problems == nil {
		v.Problems = map[string]string{}
	}
	if cur != nil {
		v.Has, v.PasswordSet = true, cur.PasswordSet
		if stored {
			v.Host, v.Security, v.Username, v.From = cur.Host, cur.Security, cur.Username, cur.From
			if cur.Port > 0 {
				v.Port = strconv.Itoa(cur.Port)
			}
		}
	}
	if v.Security == "" {
		v.Security = "starttls"
	}
	for _, sec := range []string{"starttls", "tls", "plain"} {
		v.Securities = append(v.Securities, option{sec, s.l.T("bo.smtp.security." + sec)})
	}
	h.render(w, r, s, status, "settings-smtp", s.l.T("bo.smtp.title"), v)
}

// smtpSave sets the tenant's mail server; an empty password keeps the stored one.
func (h *Handler) smtpSave(w http.ResponseWriter, r *http.Request, s *session) {
	v := &smtpView{Host: r.PostFormValue("host"), Port: strings.TrimSpace(r.PostFormValue("port")), Security: r.PostFormValue("security"),
		Username: r.PostFormValue("username"), From: r.PostFormValue("from"), Problems: map[string]string{}}
	port := 0
	if v.Port != "" {
		var err error
		if port, err = strconv.Atoi(v.Port); err != nil || port < 1 || port > 65535 {
			v.Problems["port"] = s.l.T("bo.settings.problem.number", "Max", s.l.Number(65535))
		}
	}
	if len(v.Problems) == 0 {
		_, err := h.desk.SetSMTP(r.Context(), s.actor, helpdesk.SMTPInput{Host: v.Host, Port: port, Security: v.Security,
			Username: v.Username, Password: r.PostFormValue("password"), From: v.From})
		if err == nil {
			http.Redirect(w, r, "/company/smtp?done=saved", http.StatusSeeOther)
			return
		}
		var ve *helpdesk.ValidationError
		if !errors.As(err, &ve) {
			h.pages.Error(w, r, s.l, err)
			return
		}
		switch ve.Field {
		case "host", "port", "security", "password", "from":
			v.Problems[ve.Field] = s.l.T("bo.smtp.problem." + ve.Field)
		default:
			v.Problem, v.Detail = s.l.T("bo.smtp.problem.smtp"), ve.Problem
		}
	}
	if v.Problem == "" {
		v.Problem = s.l.T("bo.settings.problem.fields")
	}
	h.renderSMTP(w, r, s, http.StatusUnprocessableEntity, v, false)
}

// smtpDelete removes the tenant's mail server (none to remove is done as well).
func (h *Handler) smtpDelete(w http.ResponseWriter, r *http.Request, s *session) {
	if err := h.desk.DeleteSMTP(r.Context(), s.actor); err != nil && helpdesk.KindOf(err) != helpdesk.KindNotFound {
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/company/smtp?done=deleted", http.StatusSeeOther)
}

// smtpTest sends a test message and says which step of the submission failed.
func (h *Handler) smtpTest(w http.ResponseWriter, r *http.Request, s *session) {
	to := strings.TrimSpace(r.PostFormValue("to"))
	err := h.desk.TestSMTP(r.Context(), s.actor, to)
	if err == nil {
		http.Redirect(w, r, "/company/smtp?done=tested", http.StatusSeeOther)
		return
	}
	v := &smtpView{To: to, Problems: map[string]string{}}
	var te *helpdesk.SMTPTestError
	var ve *helpdesk.ValidationError
	switch {
	case errors.As(err, &te):
		step := te.Step
		if !slices.Contains([]string{"connect", "tls", "auth", "from", "recipient", "data"}, step) {
			step = "unknown"
		}
		v.Step, v.Detail = s.l.T("bo.smtp.step."+step), te.Err.Error()
		v.Problem = s.l.T("bo.smtp.test.failed", "Step", v.Step)
	case errors.As(err, &ve) && ve.Field == "to":
		v.Problems["to"] = s.l.T("bo.settings.problem.email")
		v.Problem = s.l.T("bo.settings.problem.fields")
	case errors.As(err, &ve):
		v.Problem = s.l.T("bo.smtp.test.none")
	default:
		h.pages.Error(w, r, s.l, err)
		return
	}
	h.renderSMTP(w, r, s, http.StatusUnprocessableEntity, v, true)
}

// outboxPageSize is how many failed notifications the page shows at a time.
const outboxPageSize = 25

// outboxRow is one failed notification.
type outboxRow struct {
	ID                                 uuid.UUID
	Event, Channel, To, Error, Subject string
	Attempts                           int
	At                                 time.Time
}

type outboxView struct {
	Rows         []outboxRow
	Channel      string
	Channels     []option
	Next, Notice string
	Filtered     bool
}

// outboxPage lists the failed notifications, newest first, by channel (?channel=), a page at
// a time (?after=).
func (h *Handler) outboxPage(w http.ResponseWriter, r *http.Request, s *session) {
	q, l := r.URL.Query(), s.l
	f := storage.NotificationFilter{Status: notify.StatusFailed}
	v := outboxView{}
	if ch := notify.Channel(q.Get("channel")); ch.Valid() {
		f.Channel, v.Channel, v.Filtered = ch, string(ch), true
	}
	page, err := h.desk.Notifications(r.Context(), s.actor, f, storage.PageRequest{Limit: outboxPageSize, After: q.Get("after")})
	if err != nil {
		h.pages.Error(w, r, l, err)
		return
	}
	for _, ch := range notify.Channels() {
		v.Channels = append(v.Channels, option{string(ch), l.T("bo.channel." + string(ch))})
	}
	for _, n := range page.Items {
		to := n.To.Name
		switch n.Channel {
		case notify.Email:
			to = strings.TrimSpace(to + " " + n.To.Email)
		case notify.SMS:
			to = strings.TrimSpace(to + " " + n.To.Phone)
		}
		v.Rows = append(v.Rows, outboxRow{ID: n.ID, Event: l.T("bo.event_name." + string(n.Event)), Channel: l.T("bo.channel." + string(n.Channel)),
			To: to, Error: n.LastError, Subject: n.Subject, Attempts: n.Attempts, At: n.CreatedAt})
	}
	if page.Next != "" {
		p := url.Values{"after": {page.Next}}
		if v.Channel != "" {
			p.Set("channel", v.Channel)
		}
		v.Next = "/company/notifications?" + p.Encode()
	}
	if q.Get("retried") != "" {
		v.Notice = l.T("bo.outbox.retried")
	}
	h.render(w, r, s, http.StatusOK, "settings-notifications", l.T("bo.outbox.title"), v)
}

// outboxRetry sends a failed notification again.
func (h *Handler) outboxRetry(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.pages.Error(w, r, s.l, fmt.Errorf("backoffice: notification %q: %w", r.PathValue("id"), storage.ErrNotFound))
		return
	}
	if _, err := h.desk.RetryNotification(r.Context(), s.actor, id); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/company/notifications?retried=1", http.StatusSeeOther)
}

// auditPageSize is how many entries of the audit log the page shows at a time.
const auditPageSize = 50

// maxAuditDetail is how much of an entry's detail the log shows.
const maxAuditDetail = 300

// auditRow is one entry of the audit log.
type auditRow struct {
	At                          time.Time
	Who, Action, Entity, Detail string
}

type auditView struct {
	Rows []auditRow
	Next string
}

// auditPage shows the audit log, newest first, a page at a time (?after=): the Desk's log
// has no other filter.
func (h *Handler) auditPage(w http.ResponseWriter, r *http.Request, s *session) {
	page, err := h.desk.AuditLog(r.Context(), s.actor, storage.PageRequest{Limit: auditPageSize, After: r.URL.Query().Get("after")})
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v := auditView{}
	for _, e := range page.Items {
		who := e.Actor.Name
		if e.Actor.Kind == tenant.ActorSystem || who == "" {
			who = s.l.T("layout.service")
		}
		d := e.Detail
		if r := []rune(d); len(r) > maxAuditDetail {
			d = string(r[:maxAuditDetail]) + "…"
		}
		v.Rows = append(v.Rows, auditRow{At: e.At, Who: who, Action: e.Action, Entity: e.Entity, Detail: d})
	}
	if page.Next != "" {
		v.Next = "/company/audit?" + url.Values{"after": {page.Next}}.Encode()
	}
	h.render(w, r, s, http.StatusOK, "settings-audit", s.l.T("bo.audit.title"), v)
}
