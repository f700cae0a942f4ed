package backoffice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
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

// devicesPageSize is how many devices the list shows at a time.
const devicesPageSize = 25

// blankRows is how many empty rows a template's form offers for new fields and new content:
// with JavaScript off, saving brings as many fresh ones.
const blankRows = 2

// maxFormRows bounds the rows a posted template form is read for (the Desk allows 100 of
// each, the form adds its blank ones).
const maxFormRows = 110

// catalogRoutes are the routes of the Templates and Devices modules:
//
//	GET  /templates                      the device templates (operators' staff only: a
//	                                     customer's user finds no such page), each with its
//	                                     tickets, sessions and mean rating
//	GET  /templates/new                  the form for a new template; POST /templates creates
//	                                     it (admins and moderators, as the policy says)
//	GET  /templates/{id}                 a template: its statistics, its devices, and its name,
//	                                     description, custom fields and public content (text,
//	                                     documents, links, FAQ), in a form for those who may edit
//	POST /templates/{id}                 saves the template (version-checked)
//	GET  /devices                        the devices the person may see (a customer's user:
//	                                     their customer's), filtered by the query (template,
//	                                     customer, q for text), a page at a time (after), each
//	                                     with its statistics
//	GET  /devices/new                    the form for a new device (?template= shows that
//	                                     template's custom fields, ?customer= preselects the
//	                                     customer); POST /devices creates it
//	GET  /devices/{id}                   a device: facts, custom fields, statistics, its codes
//	                                     with their public URLs, its recent tickets, and the
//	                                     forms to edit and assign it for those who may;
//	                                     ?template= (with the form's other inputs) lays out the
//	                                     edit form with that template's custom fields
//	POST /devices/{id}                   saves the device (version-checked)
//	POST /devices/{id}/customer          assigns the device to a customer, or to none
func (h *Handler) catalogRoutes() []route {
	return []route{
		{"GET /templates", h.signedIn(h.operators(h.templates))},
		{"GET /templates/new", h.signedIn(h.operators(h.templateNew))},
		{"POST /templates", h.signedIn(h.operators(h.templateCreate))},
		{"GET /templates/{id}", h.signedIn(h.operators(h.templatePage))},
		{"POST /templates/{id}", h.signedIn(h.operators(h.templateSave))},
		{"GET /devices", h.signedIn(h.devices)},
		{"GET /devices/new", h.signedIn(h.deviceNew)},
		{"POST /devices", h.signedIn(h.deviceCreate)},
		{"GET /devices/{id}", h.signedIn(h.devicePage)},
		{"POST /devices/{id}", h.signedIn(h.deviceSave)},
		{"POST /devices/{id}/customer", h.signedIn(h.deviceAssign)},
	}
}

// operators guards the Templates module: people the policy never lets read templates
// (customers' users) find no such pages, as their menu shows them none.
func (h *Handler) operators(next func(http.ResponseWriter, *http.Request, *session)) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, s *session) {
		if !allows(s, tenant.ActTemplateRead, nil) {
			h.pages.Error(w, r, s.l, fmt.Errorf("backoffice: templates: %w", storage.ErrNotFound))
			return
		}
		next(w, r, s)
	}
}

// figures are a record's statistics, worded for the reader's language; Rating is empty
// without ratings.
type figures struct{ Tickets, Sessions, Rating string }

func worded(l *web.Lang, st storage.RecordStats) figures {
	f := figures{Tickets: l.Number(st.Tickets), Sessions: l.Number(st.Sessions)}
	if st.Ratings > 0 {
		f.Rating = l.Number(st.MeanRating)
	}
	return f
}

// statsByID asks one of the Desk's *StatsByID for ids, at most a page of them at a time.
func statsByID(ctx context.Context, actor tenant.Actor, ids []uuid.UUID,
	get func(context.Context, tenant.Actor, []uuid.UUID) (map[uuid.UUID]storage.RecordStats, error)) (map[uuid.UUID]storage.RecordStats, error) {
	all := map[uuid.UUID]storage.RecordStats{}
	for chunk := range slices.Chunk(ids, storage.MaxPageSize) {
		m, err := get(ctx, actor, chunk)
		if err != nil {
			return nil, err
		}
		for id, st := range m {
			all[id] = st
		}
	}
	return all, nil
}

// problemPart finds the row and the input of a refused field as the Desk names it:
// "fields[2].key", "blocks[0].url".
var problemPart = regexp.MustCompile(`^(fields|blocks)\[(\d+)\]\.(\w+)`)

// fieldProblem words a refused input for the form: the input the Desk names and the
// sentence for it; ok is false for any other error.
func fieldProblem(l *web.Lang, err error) (field, msg string, ok bool) {
	var ve *helpdesk.ValidationError
	if !errors.As(err, &ve) {
		return "", "", false
	}
	part := ve.Field
	switch m := problemPart.FindStringSubmatch(ve.Field); {
	case m != nil:
		part = m[3]
	case strings.HasPrefix(ve.Field, "fields."):
		part = "value" // a device's custom field value
	}
	id := "error.invalid"
	if slices.Contains(problemParts, part) {
		id = "bo.catalog.problem." + part
	}
	return ve.Field, l.T(id), true
}

// problemParts are the inputs with a sentence of their own (bo.catalog.problem.PART).
var problemParts = []string{"name", "description", "fields", "blocks", "key", "label", "type", "options", "kind",
	"title", "body", "url", "serial_number", "location", "value"}

// ---- Templates

// templateRow is one line of the templates list.
type templateRow struct {
	ID                uuid.UUID
	Name, Description string
	Fields, Blocks    int
	Stats             figures
	Updated           time.Time
}

type templatesView struct {
	Rows      []templateRow
	CanCreate bool
}

// templates lists the tenant's templates with their statistics.
func (h *Handler) templates(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	ts, err := h.desk.Templates(ctx, s.actor)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	ids := make([]uuid.UUID, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	stats, err := statsByID(ctx, s.actor, ids, h.desk.TemplateStatsByID)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v := templatesView{CanCreate: allows(s, tenant.ActTemplateManage, nil)}
	for _, t := range ts {
		v.Rows = append(v.Rows, templateRow{ID: t.ID, Name: t.Name, Description: t.Description, Fields: len(t.Fields),
			Blocks: len(t.Blocks), Stats: worded(s.l, stats[t.ID]), Updated: t.UpdatedAt})
	}
	h.render(w, r, s, http.StatusOK, "templates", s.l.T("bo.catalog.templates.title"), v)
}

// fieldRow is one custom-field definition in a template's form.
type fieldRow struct {
	Key, Label, Type string
	// Options are a select field's choices, one a line.
	Options          string
	Required, Public bool
	Problem          string
}

// blockRow is one piece of public content in a template's form.
type blockRow struct {
	Kind, Title, Body, URL string
	Problem                string
}

// templateForm is what a template's form shows: the values, kept as typed when refused, and
// the problems next to their inputs.
type templateForm struct {
	Name, Description string
	Version           int64
	Fields            []fieldRow
	Blocks            []blockRow
	// Problems holds the problems of name, description, and of the lists as a whole (fields,
	// blocks); Problem one of the whole form.
	Problems map[string]string
	Problem  string
}

// withBlanks adds the empty rows for a new field and new content.
func (f *templateForm) withBlanks() {
	for range blankRows {
		f.Fields = append(f.Fields, fieldRow{Type: string(device.FieldText)})
		f.Blocks = append(f.Blocks, blockRow{Kind: string(device.BlockText)})
	}
}

func templateFormOf(t *device.Template) templateForm {
	f := templateForm{Name: t.Name, Description: t.Description, Version: t.Version}
	for _, d := range t.Fields {
		f.Fields = append(f.Fields, fieldRow{Key: d.Key, Label: d.Label, Type: string(d.Type),
			Options: strings.Join(d.Options, "\n"), Required: d.Required, Public: d.Public})
	}
	for _, b := range t.Blocks {
		f.Blocks = append(f.Blocks, blockRow{Kind: string(b.Kind), Title: b.Title, Body: b.Body, URL: b.URL})
	}
	return f
}

// rowCount reads how many rows of a list the form had.
func rowCount(r *http.Request, name string) int {
	n, _ := strconv.Atoi(r.PostFormValue(name))
	return min(max(n, 0), maxFormRows)
}

// lines splits a textarea's value into its non-empty lines, trimmed.
func lines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// parseTemplateForm reads a posted template form: its rows in order, empty ones left out
// (clearing a row removes it), and the template they make.
func parseTemplateForm(r *http.Request) (templateForm, helpdesk.NewTemplate) {
	f := templateForm{Name: r.PostFormValue("name"), Description: r.PostFormValue("description")}
	f.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	in := helpdesk.NewTemplate{Name: f.Name, Description: f.Description}
	for i := range rowCount(r, "fields") {
		p := "field." + strconv.Itoa(i) + "."
		row := fieldRow{Key: strings.TrimSpace(r.PostFormValue(p + "key")), Label: r.PostFormValue(p + "label"),
			Type: r.PostFormValue(p + "type"), Options: r.PostFormValue(p + "options"),
			Required: r.PostFormValue(p+"required") != "", Public: r.PostFormValue(p+"public") != ""}
		if row.Key == "" && strings.TrimSpace(row.Label) == "" {
			continue
		}
		def := device.FieldDef{Key: row.Key, Label: row.Label, Type: device.FieldType(row.Type), Required: row.Required, Public: row.Public}
		if def.Type == device.FieldSelect {
			def.Options = lines(row.Options) // other types have none: what was typed there is left
		}
		f.Fields = append(f.Fields, row)
		in.Fields = append(in.Fields, def)
	}
	for i := range rowCount(r, "blocks") {
		p := "block." + strconv.Itoa(i) + "."
		row := blockRow{Kind: r.PostFormValue(p + "kind"), Title: r.PostFormValue(p + "title"),
			Body: r.PostFormValue(p + "body"), URL: strings.TrimSpace(r.PostFormValue(p + "url"))}
		if strings.TrimSpace(row.Title) == "" && strings.TrimSpace(row.Body) == "" && row.URL == "" {
			continue
		}
		f.Blocks = append(f.Blocks, row)
		in.Blocks = append(in.Blocks, device.Block{Kind: device.BlockKind(row.Kind), Title: row.Title, Body: row.Body, URL: row.URL})
	}
	return f, in
}

// refuse places a refusal of the Desk in the template's form: next to the row or input it
// names, or over the form. It returns the status, or 0 when err is not the form's to show.
func (f *templateForm) refuse(l *web.Lang, err error) int {
	if errors.Is(err, storage.ErrConflict) {
		f.Problem = l.T("bo.catalog.problem.conflict")
		return http.StatusConflict
	}
	field, msg, ok := fieldProblem(l, err)
	if !ok {
		return 0
	}
	f.Problems = map[string]string{}
	if m := problemPart.FindStringSubmatch(field); m != nil {
		i, _ := strconv.Atoi(m[2])
		switch {
		case m[1] == "fields" && i < len(f.Fields):
			f.Fields[i].Problem = msg
		case m[1] == "blocks" && i < len(f.Blocks):
			f.Blocks[i].Problem = msg
		default:
			f.Problem = msg
		}
		return http.StatusUnprocessableEntity
	}
	switch field {
	case "name", "description", "fields", "blocks":
		f.Problems[field] = msg
	default:
		f.Problem = msg
	}
	return http.StatusUnprocessableEntity
}

// deviceLink is a device a page links to.
type deviceLink struct {
	ID                   uuid.UUID
	Name, Serial, Detail string
}

type templateView struct {
	// Template is nil on the form for a new one.
	Template *device.Template
	Stats    figures
	Devices  []deviceLink
	// MoreDevices lists all of the template's devices, when there are more than shown.
	MoreDevices string
	CanEdit     bool
	Form        templateForm
	FieldTypes  []option
	BlockKinds  []option
}

// choices fills in the selects of the template's form.
func (v *templateView) choices(l *web.Lang) {
	for _, t := range []device.FieldType{device.FieldText, device.FieldNumber, device.FieldDate, device.FieldSelect} {
		v.FieldTypes = append(v.FieldTypes, option{string(t), l.T("bo.catalog.field." + string(t))})
	}
	for _, k := range []device.BlockKind{device.BlockText, device.BlockDocument, device.BlockLink, device.BlockFAQ} {
		v.BlockKinds = append(v.BlockKinds, option{string(k), l.T("bo.catalog.block." + string(k))})
	}
}

// templateNew shows the form for a new template, to those the policy lets create one.
func (h *Handler) templateNew(w http.ResponseWriter, r *http.Request, s *session) {
	if err := tenant.Authorize(s.actor, tenant.ActTemplateManage, nil); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v := templateView{CanEdit: true}
	v.Form.withBlanks()
	h.renderTemplateForm(w, r, s, http.StatusOK, v)
}

func (h *Handler) renderTemplateForm(w http.ResponseWriter, r *http.Request, s *session, status int, v templateView) {
	v.choices(s.l)
	title, path := s.l.T("bo.catalog.templates.new"), "/templates/new"
	if v.Template != nil {
		title, path = v.Template.Name, "/templates/"+v.Template.ID.String()
	}
	h.pages.Render(w, r, status, "template", s.page(web.Page{L: s.l, Title: title, Path: path, Data: v}))
}

// templateCreate creates a template from the form.
func (h *Handler) templateCreate(w http.ResponseWriter, r *http.Request, s *session) {
	f, in := parseTemplateForm(r)
	t, err := h.desk.CreateTemplate(r.Context(), s.actor, in)
	if err == nil {
		http.Redirect(w, r, "/templates/"+t.ID.String(), http.StatusSeeOther)
		return
	}
	status := f.refuse(s.l, err)
	if status == 0 {
		h.pages.Error(w, r, s.l, err)
		return
	}
	f.withBlanks()
	h.renderTemplateForm(w, r, s, status, templateView{CanEdit: true, Form: f})
}

// templatePage shows a template, in its form for those who may edit it.
func (h *Handler) templatePage(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	h.renderTemplate(w, r, s, id, http.StatusOK, nil)
}

// renderTemplate writes the page of template id with status; form, when not nil, is a refused
// form to show again instead of the template as stored.
func (h *Handler) renderTemplate(w http.ResponseWriter, r *http.Request, s *session, id uuid.UUID, status int, form *templateForm) {
	ctx := r.Context()
	t, err := h.desk.Template(ctx, s.actor, id)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	st, err := h.desk.TemplateStats(ctx, s.actor, id)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v := templateView{Template: t, Stats: worded(s.l, st), CanEdit: allows(s, tenant.ActTemplateManage, nil)}
	devs, err := h.desk.Devices(ctx, s.actor, storage.DeviceFilter{TemplateID: id}, storage.PageRequest{Limit: 10})
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	for _, d := range devs.Items {
		v.Devices = append(v.Devices, deviceLink{ID: d.ID, Name: d.Name, Serial: d.SerialNumber})
	}
	if devs.Next != "" {
		v.MoreDevices = "/devices?" + url.Values{"template": {id.String()}}.Encode()
	}
	if form != nil {
		v.Form = *form
	} else {
		v.Form = templateFormOf(t)
	}
	v.Form.withBlanks()
	h.renderTemplateForm(w, r, s, status, v)
}

// templateSave saves a template's form.
func (h *Handler) templateSave(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	f, in := parseTemplateForm(r)
	_, err = h.desk.UpdateTemplate(r.Context(), s.actor, &device.Template{ID: id, Name: in.Name, Description: in.Description,
		Fields: in.Fields, Blocks: in.Blocks, Version: f.Version})
	if err == nil {
		http.Redirect(w, r, "/templates/"+id.String(), http.StatusSeeOther)
		return
	}
	status := f.refuse(s.l, err)
	if status == 0 {
		h.pages.Error(w, r, s.l, err)
		return
	}
	h.renderTemplate(w, r, s, id, status, &f)
}

// ---- Devices

// deviceFilters are the devices list's filters as the query carries them.
type deviceFilters struct{ Template, Customer, Text string }

func (f deviceFilters) query() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"template": f.Template, "customer": f.Customer, "q": f.Text} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// deviceListRow is one line of the devices list.
type deviceListRow struct {
	ID, CustomerID                             uuid.UUID
	Name, Serial, Location, Template, Customer string
	Stats                                      figures
}

type devicesView struct {
	Filters deviceFilters
	// Staff says the person is an employee: the filters by template and customer.
	Staff               bool
	Templates           []option
	Customers           []option
	Rows                []deviceListRow
	Next                string
	Filtered, CanCreate bool
}

// names are the names of the templates and customers the person may read, by ID.
type names struct {
	templates []*device.Template
	customers []*tenant.Customer
}

// catalogNames reads the templates and customers an employee's pages name; a customer's
// user reads neither.
func (h *Handler) catalogNames(ctx context.Context, s *session) (*names, error) {
	n := &names{}
	if s.actor.Kind != tenant.ActorEmployee {
		return n, nil
	}
	var err error
	if n.templates, err = h.desk.Templates(ctx, s.actor); err != nil {
		return nil, err
	}
	if n.customers, err = h.desk.Customers(ctx, s.actor); err != nil {
		return nil, err
	}
	return n, nil
}

func (n *names) template(id uuid.UUID) *device.Template {
	for _, t := range n.templates {
		if t.ID == id {
			return t
		}
	}
	return nil
}

func (n *names) customer(id uuid.UUID) string {
	for _, c := range n.customers {
		if c.ID == id {
			return c.Name
		}
	}
	return ""
}

func (n *names) options() (templates, customers []option) {
	for _, t := range n.templates {
		templates = append(templates, option{t.ID.String(), t.Name})
	}
	for _, c := range n.customers {
		customers = append(customers, option{c.ID.String(), c.Name})
	}
	return templates, customers
}

// devices lists the devices the person may see (a customer's user: their customer's, as the
// Desk scopes it), filtered by the query, a page at a time, with their statistics.
func (h *Handler) devices(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, q := r.Context(), r.URL.Query()
	fl := deviceFilters{Template: q.Get("template"), Customer: q.Get("customer"), Text: strings.TrimSpace(q.Get("q"))}
	v := devicesView{Filters: fl, Staff: s.actor.Kind == tenant.ActorEmployee, CanCreate: allows(s, tenant.ActDeviceManage, nil)}
	f := storage.DeviceFilter{Text: fl.Text}
	if v.Staff {
		f.TemplateID, f.CustomerID = parseID(fl.Template), parseID(fl.Customer)
	}
	page, err := h.desk.Devices(ctx, s.actor, f, storage.PageRequest{Limit: devicesPageSize, After: q.Get("after")})
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	n, err := h.catalogNames(ctx, s)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v.Templates, v.Customers = n.options()
	ids := make([]uuid.UUID, len(page.Items))
	for i, d := range page.Items {
		ids[i] = d.ID
	}
	stats, err := h.desk.DeviceStatsByID(ctx, s.actor, ids)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	for _, d := range page.Items {
		row := deviceListRow{ID: d.ID, CustomerID: d.CustomerID, Name: d.Name, Serial: d.SerialNumber, Location: d.Location,
			Customer: n.customer(d.CustomerID), Stats: worded(s.l, stats[d.ID])}
		if t := n.template(d.TemplateID); t != nil {
			row.Template = t.Name
		}
		v.Rows = append(v.Rows, row)
	}
	params := fl.query()
	v.Filtered = len(params) > 0
	if page.Next != "" {
		params.Set("after", page.Next)
		v.Next = "/devices?" + params.Encode()
	}
	h.render(w, r, s, http.StatusOK, "devices", s.l.T("bo.catalog.devices.title"), v)
}

// fieldInput is one custom field in a device's form: its template's definition and the value.
type fieldInput struct {
	Key, Label, Type, Value string
	Required                bool
	Options                 []string
	Problem                 string
}

// deviceForm is what a device's form shows, kept as typed when refused.
type deviceForm struct {
	Name, Serial, Location, Template, Customer string
	Version                                    int64
	Fields                                     []fieldInput
	// Problems holds the problems of name, serial_number, location and template; Problem one
	// of the whole form.
	Problems map[string]string
	Problem  string
}

// refuse places a refusal of the Desk in the device's form and returns its status, or 0 when
// err is not the form's to show.
func (f *deviceForm) refuse(l *web.Lang, err error) int {
	if errors.Is(err, storage.ErrConflict) {
		f.Problem = l.T("bo.catalog.problem.conflict")
		return http.StatusConflict
	}
	field, msg, ok := fieldProblem(l, err)
	if !ok {
		return 0
	}
	f.Problems = map[string]string{}
	if key, ok := strings.CutPrefix(field, "fields."); ok {
		for i := range f.Fields {
			if f.Fields[i].Key == key {
				f.Fields[i].Problem = msg
				return http.StatusUnprocessableEntity
			}
		}
	}
	switch field {
	case "name", "serial_number", "location":
		f.Problems[field] = msg
	default:
		f.Problem = msg
	}
	return http.StatusUnprocessableEntity
}

// withTemplate lays out the custom fields of template t (nil for none) with the values of vals.
func (f *deviceForm) withTemplate(t *device.Template, vals map[string]string) {
	f.Fields = nil
	if t == nil {
		return
	}
	for _, d := range t.Fields {
		f.Fields = append(f.Fields, fieldInput{Key: d.Key, Label: d.Label, Type: string(d.Type), Value: vals[d.Key],
			Required: d.Required, Options: d.Options})
	}
}

// deviceCodeRow is one of a device's codes.
type deviceCodeRow struct {
	ID      uuid.UUID
	URL     string
	Usable  bool
	Expires *time.Time
	Scans   int
}

// deviceTicket is one of a device's recent tickets.
type deviceTicket struct {
	ID                uuid.UUID
	Ref, Title, State string
	Updated           time.Time
}

type deviceView struct {
	// Device is nil on the form for a new one.
	Device             *device.Device
	Template, Customer string
	Fields             []helpdesk.DeviceField
	Stats              figures
	ShowCodes          bool
	Codes              []deviceCodeRow
	Tickets            []deviceTicket
	CanEdit, CanAssign bool
	// LinkCustomer links the customer's name to its page (staff).
	LinkCustomer         bool
	Form                 deviceForm
	Templates, Customers []option
	// Preview is the path a form's "show the fields" button asks again with the values.
	Preview string
}

// deviceNew shows the form for a new device, to those the policy lets create one; ?template=
// (and the form's other inputs) come back from its button that shows a template's fields.
func (h *Handler) deviceNew(w http.ResponseWriter, r *http.Request, s *session) {
	if err := tenant.Authorize(s.actor, tenant.ActDeviceManage, nil); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	q := r.URL.Query()
	f := deviceForm{Name: q.Get("name"), Serial: q.Get("serial"), Location: q.Get("location"), Template: q.Get("template"), Customer: q.Get("customer")}
	h.renderDeviceForm(w, r, s, http.StatusOK, &deviceView{Form: f}, fieldValues(q))
}

// fieldValues reads the custom field values a form carries ("field.KEY").
func fieldValues(v url.Values) map[string]string {
	out := map[string]string{}
	for k, vs := range v {
		if key, ok := strings.CutPrefix(k, "field."); ok && len(vs) > 0 {
			out[key] = vs[0]
		}
	}
	return out
}

// renderDeviceForm writes the form for a new device, with the fields of the template it names.
func (h *Handler) renderDeviceForm(w http.ResponseWriter, r *http.Request, s *session, status int, v *deviceView, vals map[string]string) {
	ctx := r.Context()
	if err := h.deviceChoices(ctx, s, v, vals); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v.CanEdit, v.Preview = true, "/devices/new"
	h.pages.Render(w, r, status, "device", s.page(web.Page{L: s.l, Title: s.l.T("bo.catalog.devices.new"), Path: "/devices/new", Data: v}))
}

// deviceChoices fills in the form's selects and the custom fields of the template it names.
func (h *Handler) deviceChoices(ctx context.Context, s *session, v *deviceView, vals map[string]string) error {
	n, err := h.catalogNames(ctx, s)
	if err != nil {
		return err
	}
	v.Templates, v.Customers = n.options()
	var t *device.Template
	if id := parseID(v.Form.Template); id != uuid.Nil {
		if t, err = h.desk.Template(ctx, s.actor, id); err != nil {
			return err
		}
	}
	problems := v.Form.Fields
	v.Form.withTemplate(t, vals)
	// Keep the problems a refusal placed next to the template's fields.
	for i := range v.Form.Fields {
		for _, old := range problems {
			if old.Key == v.Form.Fields[i].Key {
				v.Form.Fields[i].Problem = old.Problem
			}
		}
	}
	return nil
}

// parseDeviceForm reads a posted device form; the custom fields are those of the template it
// names, which it reads.
func (h *Handler) parseDeviceForm(r *http.Request, s *session) (deviceForm, helpdesk.NewDevice, error) {
	f := deviceForm{Name: r.PostFormValue("name"), Serial: r.PostFormValue("serial"), Location: r.PostFormValue("location"),
		Template: r.PostFormValue("template"), Customer: r.PostFormValue("customer")}
	f.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	in := helpdesk.NewDevice{Name: f.Name, SerialNumber: f.Serial, Location: f.Location, TemplateID: parseID(f.Template),
		CustomerID: parseID(f.Customer), Fields: map[string]string{}}
	if in.TemplateID == uuid.Nil {
		return f, in, nil
	}
	t, err := h.desk.Template(r.Context(), s.actor, in.TemplateID)
	if err != nil {
		return f, in, err
	}
	f.withTemplate(t, fieldValues(r.PostForm))
	for _, fi := range f.Fields {
		if v := strings.TrimSpace(fi.Value); v != "" {
			in.Fields[fi.Key] = v
		}
	}
	return f, in, nil
}

// deviceCreate creates a device from the form.
func (h *Handler) deviceCreate(w http.ResponseWriter, r *http.Request, s *session) {
	f, in, err := h.parseDeviceForm(r, s)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	dev, err := h.desk.CreateDevice(r.Context(), s.actor, in)
	if err == nil {
		http.Redirect(w, r, "/devices/"+dev.ID.String(), http.StatusSeeOther)
		return
	}
	status := f.refuse(s.l, err)
	if status == 0 {
		h.pages.Error(w, r, s.l, err)
		return
	}
	h.renderDeviceForm(w, r, s, status, &deviceView{Form: f}, fieldValues(r.PostForm))
}

// devicePage shows a device; ?template= (with the form's other inputs) shows the edit form
// with that template's fields.
func (h *Handler) devicePage(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	var form *deviceForm
	if q := r.URL.Query(); q.Has("template") {
		form = &deviceForm{Name: q.Get("name"), Serial: q.Get("serial"), Location: q.Get("location"), Template: q.Get("template")}
		form.Version, _ = strconv.ParseInt(q.Get("version"), 10, 64)
		h.renderDevice(w, r, s, id, http.StatusOK, form, fieldValues(q))
		return
	}
	h.renderDevice(w, r, s, id, http.StatusOK, nil, nil)
}

// renderDevice writes the page of device id with status; form, when not nil, is the edit
// form to show instead of the device as stored, with the custom field values vals.
func (h *Handler) renderDevice(w http.ResponseWriter, r *http.Request, s *session, id uuid.UUID, status int, form *deviceForm, vals map[string]string) {
	ctx, l := r.Context(), s.l
	dev, err := h.desk.Device(ctx, s.actor, id)
	if err != nil {
		h.pages.Error(w, r, l, err)
		return
	}
	st, err := h.desk.DeviceStats(ctx, s.actor, id)
	if err != nil {
		h.pages.Error(w, r, l, err)
		return
	}
	res := tenant.Resource{Kind: tenant.KindDevice, TenantID: dev.TenantID, ID: dev.ID, CustomerID: dev.CustomerID}
	v := &deviceView{Device: dev, Stats: worded(l, st),
		CanEdit:      tenant.Authorize(s.actor, tenant.ActDeviceManage, &res) == nil,
		ShowCodes:    tenant.Authorize(s.actor, tenant.ActCodeList, &res) == nil,
		LinkCustomer: s.actor.Kind == tenant.ActorEmployee}
	v.CanAssign = v.CanEdit
	if dev.TemplateID != uuid.Nil && allows(s, tenant.ActTemplateRead, nil) {
		t, err := h.desk.Template(ctx, s.actor, dev.TemplateID)
		if err != nil {
			h.pages.Error(w, r, l, err)
			return
		}
		v.Template = t.Name
	}
	if v.Fields, err = h.desk.DeviceFields(ctx, s.actor, dev.ID); err != nil {
		h.pages.Error(w, r, l, err)
		return
	}
	if dev.CustomerID != uuid.Nil {
		if c, err := h.desk.Customer(ctx, s.actor, dev.CustomerID); err == nil {
			v.Customer = c.Name
		}
	}
	if v.ShowCodes {
		codes, err := h.desk.Codes(ctx, s.actor, dev.ID)
		if err != nil {
			h.pages.Error(w, r, l, err)
			return
		}
		now := time.Now()
		for _, c := range codes {
			v.Codes = append(v.Codes, deviceCodeRow{ID: c.ID, URL: h.desk.CodeURL(c.Token), Usable: c.Usable(now), Expires: c.ExpiresAt, Scans: int(c.ScanCount)})
		}
	}
	tks, err := h.desk.Tickets(ctx, s.actor, storage.TicketFilter{DeviceID: dev.ID}, storage.PageRequest{Limit: 10})
	if err != nil {
		h.pages.Error(w, r, l, err)
		return
	}
	for _, tk := range tks.Items {
		v.Tickets = append(v.Tickets, deviceTicket{ID: tk.ID, Ref: tk.Ref(), Title: tk.Title, State: l.T("bo.state." + string(tk.State)), Updated: tk.UpdatedAt})
	}
	if v.CanEdit {
		if form == nil {
			form = &deviceForm{Name: dev.Name, Serial: dev.SerialNumber, Location: dev.Location, Version: dev.Version}
			if dev.TemplateID != uuid.Nil {
				form.Template = dev.TemplateID.String()
			}
			vals = dev.Fields
		}
		form.Customer = ""
		if dev.CustomerID != uuid.Nil {
			form.Customer = dev.CustomerID.String()
		}
		v.Form = *form
		if err := h.deviceChoices(ctx, s, v, vals); err != nil {
			h.pages.Error(w, r, l, err)
			return
		}
		v.Preview = "/devices/" + dev.ID.String()
	}
	base := "/devices/" + dev.ID.String()
	h.pages.Render(w, r, status, "device", s.page(web.Page{L: l, Title: dev.Name, Path: base, Data: v}))
}

// deviceSave saves a device's form: what the form holds replaces the device's name, serial
// number, location, template and custom field values; its project and customer stay.
func (h *Handler) deviceSave(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	ctx := r.Context()
	cur, err := h.desk.Device(ctx, s.actor, id)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	f, in, err := h.parseDeviceForm(r, s)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	_, err = h.desk.UpdateDevice(ctx, s.actor, &device.Device{ID: id, Name: in.Name, SerialNumber: in.SerialNumber,
		Location: in.Location, TemplateID: in.TemplateID, ProjectID: cur.ProjectID, Fields: in.Fields, Version: f.Version})
	if err == nil {
		http.Redirect(w, r, "/devices/"+id.String(), http.StatusSeeOther)
		return
	}
	status := f.refuse(s.l, err)
	if status == 0 {
		h.pages.Error(w, r, s.l, err)
		return
	}
	h.renderDevice(w, r, s, id, status, &f, fieldValues(r.PostForm))
}

// deviceAssign assigns the device to the customer the form names, or to none.
func (h *Handler) deviceAssign(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	if _, err := h.desk.AssignDevice(r.Context(), s.actor, id, parseID(r.PostFormValue("customer"))); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/devices/"+id.String(), http.StatusSeeOther)
}
