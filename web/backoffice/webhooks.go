package backoffice

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/web"
	"github.com/deskkit/helpdesk/webhook"
	"github.com/google/uuid"
)

// webhookRoutes are the routes of My Company's webhooks (admins). A secret is shown once, on
// the answer to the POST that made it, which no cache keeps (Cache-Control: no-store); every
// other change redirects.
//
//	GET  /company/webhooks                          the endpoints (URL, events, on or off and
//	                                                why, the last attempt) and the form to add one
//	POST /company/webhooks                          adds one: shows its secret once
//	GET  /company/webhooks/{id}                     an endpoint: edit, switch on or off, rotate,
//	                                                test send (?tested= shows the outcome),
//	                                                delete, and its delivery log (after pages on)
//	POST /company/webhooks/{id}                     saves it (version, url, description, events
//	                                                or all, active)
//	POST /company/webhooks/{id}/rotate              a new secret, shown once; the old one signs
//	                                                beside it for a day
//	POST /company/webhooks/{id}/test                sends webhook.test now
//	POST /company/webhooks/{id}/delete              deletes it (confirm=yes)
//	POST /company/webhooks/deliveries/{id}/replay   sends a delivery again, same webhook-id
func (h *Handler) webhookRoutes() []route {
	return []route{
		{"GET /company/webhooks", h.signedIn(h.webhooksPage)},
		{"POST /company/webhooks", h.signedIn(h.webhookCreate)},
		{"GET /company/webhooks/{id}", h.signedIn(h.webhookPage)},
		{"POST /company/webhooks/{id}", h.signedIn(h.webhookSave)},
		{"POST /company/webhooks/{id}/rotate", h.signedIn(h.webhookRotate)},
		{"POST /company/webhooks/{id}/test", h.signedIn(h.webhookTest)},
		{"POST /company/webhooks/{id}/delete", h.signedIn(h.webhookDelete)},
		{"POST /company/webhooks/deliveries/{id}/replay", h.signedIn(h.webhookReplay)},
	}
}

// webhookLogPageSize is how many deliveries an endpoint's log shows at a time.
const webhookLogPageSize = 25

// hookEventGroup is a group of the event checkboxes.
type hookEventGroup struct {
	Label  string
	Events []hookEventBox
}

type hookEventBox struct {
	Value, Label string
	Checked      bool
}

// hookEventGroups groups the catalogue's events by what they are about, checking those of chosen.
func hookEventGroups(s *session, chosen []notify.Event) []hookEventGroup {
	order := []string{"ticket", "comment", "session", "escalation", "account", "webhook"}
	groups := map[string][]hookEventBox{}
	for _, ev := range notify.Events() {
		g, _, _ := strings.Cut(string(ev), ".")
		switch g {
		case "invitation":
			g = "session"
		case "user", "password", "request_link":
			g = "account"
		}
		groups[g] = append(groups[g], hookEventBox{Value: string(ev), Label: s.l.T("bo.event_name." + string(ev)),
			Checked: slices.Contains(chosen, ev)})
	}
	var out []hookEventGroup
	for _, g := range order {
		if len(groups[g]) > 0 {
			out = append(out, hookEventGroup{Label: s.l.T("bo.webhooks.group." + g), Events: groups[g]})
		}
	}
	return out
}

// webhookForm is the create or edit form as shown (again).
type webhookForm struct {
	// L is the page's language, for the shared fields' template.
	L                *web.Lang
	URL, Description string
	All, Active      bool
	Groups           []hookEventGroup
	Problems         map[string]string
}

// formEvents reads the event checkboxes; "all" (or none ticked) is every event.
func formEvents(r *http.Request) (all bool, events []notify.Event) {
	all = r.PostFormValue("all") == "on" // parses the form
	for _, v := range r.PostForm["event"] {
		events = append(events, notify.Event(v))
	}
	all = all || len(events) == 0
	if all {
		events = nil
	}
	return all, events
}

// webhookProblems turns a Desk refusal into the form's problems; false for any other error.
func webhookProblems(s *session, err error, f *webhookForm) bool {
	var ve *helpdesk.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	switch ve.Field {
	case "url", "description", "events":
		f.Problems[ve.Field] = s.l.T("bo.webhooks.problem."+ve.Field, "Detail", ve.Problem)
	default:
		f.Problems[""] = ve.Problem
	}
	return true
}

// webhookRow is one endpoint of the list.
type webhookRow struct {
	ID                       uuid.UUID
	URL, Description, Events string
	Active                   bool
	DisabledReason           string
	LastAt                   *time.Time
	LastStatus               int
	LastError                string
}

type webhooksView struct {
	Rows []webhookRow
	Form webhookForm
	// Secret is a new endpoint's secret, shown once; ID its page.
	Secret string
	ID     uuid.UUID
}

func (s *session) eventsLine(e *webhook.Endpoint) string {
	if len(e.Events) == 0 {
		return s.l.T("bo.webhooks.events.all")
	}
	names := make([]string, len(e.Events))
	for i, ev := range e.Events {
		names[i] = s.l.T("bo.event_name." + string(ev))
	}
	return strings.Join(names, ", ")
}

// webhooksPage lists the tenant's endpoints and offers the form to add one.
func (h *Handler) webhooksPage(w http.ResponseWriter, r *http.Request, s *session) {
	h.renderWebhooks(w, r, s, http.StatusOK, &webhooksView{Form: webhookForm{All: true, Groups: hookEventGroups(s, nil), Problems: map[string]string{}}})
}

func (h *Handler) renderWebhooks(w http.ResponseWriter, r *http.Request, s *session, status int, v *webhooksView) {
	es, err := h.desk.Webhooks(r.Context(), s.actor)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	for _, e := range es {
		v.Rows = append(v.Rows, webhookRow{ID: e.ID, URL: e.URL, Description: e.Description, Events: s.eventsLine(e),
			Active: e.Active, DisabledReason: e.DisabledReason, LastAt: e.LastAttemptAt, LastStatus: e.LastStatus, LastError: e.LastError})
	}
	v.Form.L = s.l
	if v.Secret != "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	h.render(w, r, s, status, "company_webhooks", s.l.T("bo.webhooks.title"), v)
}

// webhookCreate adds an endpoint and shows its secret, this once.
func (h *Handler) webhookCreate(w http.ResponseWriter, r *http.Request, s *session) {
	all, events := formEvents(r)
	f := webhookForm{URL: r.PostFormValue("url"), Description: r.PostFormValue("description"), All: all,
		Groups: hookEventGroups(s, events), Problems: map[string]string{}}
	e, secret, err := h.desk.CreateWebhook(r.Context(), s.actor, helpdesk.NewWebhook{URL: f.URL, Description: f.Description, Events: events})
	switch {
	case err == nil:
		h.renderWebhooks(w, r, s, http.StatusOK, &webhooksView{Form: webhookForm{All: true, Groups: hookEventGroups(s, nil),
			Problems: map[string]string{}}, Secret: secret, ID: e.ID})
	case webhookProblems(s, err, &f):
		h.renderWebhooks(w, r, s, http.StatusUnprocessableEntity, &webhooksView{Form: f})
	default:
		h.pages.Error(w, r, s.l, err)
	}
}

// deliveryRow is one line of an endpoint's delivery log.
type deliveryRow struct {
	ID                uuid.UUID
	At                time.Time
	Event, State      string
	Attempts, Status  int
	Error             string
	Replay, Highlight bool
}

type webhookView struct {
	ID               uuid.UUID
	Version          int64
	URL, Description string
	Active           bool
	DisabledReason   string
	DisabledAt       *time.Time
	PreviousUntil    *time.Time
	Form             webhookForm
	// EventValues are the stored events, for the switch form's hidden fields.
	EventValues []string
	Log         []deliveryRow
	Next        string
	// Secret is a rotated secret, shown once; Tested the test send's outcome.
	Secret          string
	Tested          *deliveryRow
	Notice, Problem string
}

// webhookPage shows an endpoint, its forms and its delivery log; ?done= says what just
// happened, ?tested= which delivery was the test send.
func (h *Handler) webhookPage(w http.ResponseWriter, r *http.Request, s *session) {
	v := &webhookView{}
	switch done := r.URL.Query().Get("done"); done {
	case "saved", "replayed":
		v.Notice = s.l.T("bo.webhooks." + done)
	}
	h.renderWebhook(w, r, s, http.StatusOK, v)
}

func (h *Handler) renderWebhook(w http.ResponseWriter, r *http.Request, s *session, status int, v *webhookView) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	ctx := r.Context()
	e, err := h.desk.Webhook(ctx, s.actor, id)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	log, err := h.desk.WebhookDeliveries(ctx, s.actor, id, storage.PageRequest{Limit: webhookLogPageSize, After: r.URL.Query().Get("after")})
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v.ID, v.Version, v.URL, v.Description, v.Active = e.ID, e.Version, e.URL, e.Description, e.Active
	v.DisabledReason, v.DisabledAt, v.PreviousUntil = e.DisabledReason, e.DisabledAt, e.PreviousSecretUntil
	if v.PreviousUntil != nil && !v.PreviousUntil.After(time.Now()) {
		v.PreviousUntil = nil
	}
	for _, ev := range e.Events {
		v.EventValues = append(v.EventValues, string(ev))
	}
	if v.Form.Problems == nil {
		v.Form = webhookForm{URL: e.URL, Description: e.Description, All: len(e.Events) == 0, Active: e.Active,
			Groups: hookEventGroups(s, e.Events), Problems: map[string]string{}}
	}
	tested, _ := uuid.Parse(r.URL.Query().Get("tested"))
	for _, d := range log.Items {
		at := d.CreatedAt
		if d.LastAttemptAt != nil {
			at = *d.LastAttemptAt
		}
		row := deliveryRow{ID: d.ID, At: at, Event: d.Event, State: s.l.T("bo.webhooks.state." + string(d.State)),
			Attempts: d.Attempts, Status: d.LastStatus, Error: d.LastError, Replay: e.Active && d.State != webhook.Pending,
			Highlight: d.ID == tested}
		if row.Highlight {
			v.Tested = &row
		}
		v.Log = append(v.Log, row)
	}
	if log.Next != "" {
		v.Next = "/company/webhooks/" + id.String() + "?" + url.Values{"after": {log.Next}}.Encode()
	}
	v.Form.L = s.l
	if v.Secret != "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	h.render(w, r, s, status, "company_webhook", e.URL, v)
}

// webhookSave saves an endpoint's settings: its URL, description, events and whether it is on.
func (h *Handler) webhookSave(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	all, events := formEvents(r)
	f := webhookForm{URL: r.PostFormValue("url"), Description: r.PostFormValue("description"), All: all,
		Active: r.PostFormValue("active") == "on", Groups: hookEventGroups(s, events), Problems: map[string]string{}}
	_, err = h.desk.UpdateWebhook(r.Context(), s.actor, id, helpdesk.WebhookEdit{Version: formVersion(r), URL: f.URL,
		Description: f.Description, Events: events, Active: f.Active})
	switch {
	case err == nil:
		http.Redirect(w, r, "/company/webhooks/"+id.String()+"?done=saved", http.StatusSeeOther)
	case webhookProblems(s, err, &f):
		h.renderWebhook(w, r, s, http.StatusUnprocessableEntity, &webhookView{Form: f, Problem: s.l.T("bo.settings.problem.fields")})
	default:
		h.pages.Error(w, r, s.l, err)
	}
}

// webhookRotate gives the endpoint a new secret and shows it, this once.
func (h *Handler) webhookRotate(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	secret, err := h.desk.RotateWebhookSecret(r.Context(), s.actor, id, 0)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	h.renderWebhook(w, r, s, http.StatusOK, &webhookView{Secret: secret})
}

// webhookTest sends a test message; the page then shows the outcome.
func (h *Handler) webhookTest(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	d, err := h.desk.TestWebhook(r.Context(), s.actor, id)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/company/webhooks/"+id.String()+"?tested="+d.ID.String(), http.StatusSeeOther)
}

// webhookDelete deletes the endpoint once the box confirming it is ticked.
func (h *Handler) webhookDelete(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		h.renderWebhook(w, r, s, http.StatusUnprocessableEntity, &webhookView{Problem: s.l.T("bo.webhooks.delete.confirm.missing")})
		return
	}
	if err := h.desk.DeleteWebhook(r.Context(), s.actor, id); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/company/webhooks", http.StatusSeeOther)
}

// webhookReplay sends a delivery again under its webhook-id.
func (h *Handler) webhookReplay(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	d, err := h.desk.ReplayWebhookDelivery(r.Context(), s.actor, id)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/company/webhooks/"+d.EndpointID.String()+"?done=replayed", http.StatusSeeOther)
}

// formVersion reads the form's version field (0 when missing, which the Desk finds stale).
func formVersion(r *http.Request) int64 {
	v, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	return v
}
