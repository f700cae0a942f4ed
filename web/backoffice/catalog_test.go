package backoffice_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/internal/browsertest"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// catalogFixture is what the Templates and Devices tests act on, beside the world's people.
type catalogFixture struct {
	// pump is a template with custom fields and public content; bare one without either.
	pump, bare *device.Template
	// xpump is X's device of the pump template, with a code and a ticket; ypump customer Y's;
	// spare is unassigned.
	xpump, ypump, spare *device.Device
	code                *device.Code
	xticket             *ticket.Ticket
	// The second tenant's template and device.
	otherTemplate *device.Template
	otherDevice   *device.Device
}

var (
	catalogsMu sync.Mutex
	catalogs   = map[*world]*catalogFixture{}
)

// catalog returns the world's templates, devices and codes, made on first use.
func (w *world) catalog(t *testing.T) *catalogFixture {
	t.Helper()
	catalogsMu.Lock()
	defer catalogsMu.Unlock()
	if c, ok := catalogs[w]; ok {
		return c
	}
	ctx := t.Context()
	c := &catalogFixture{}
	var err error
	c.pump, err = w.desk.CreateTemplate(ctx, w.admin, helpdesk.NewTemplate{Name: "Pump T1", Description: "Feed pumps of the T line",
		Fields: []device.FieldDef{
			{Key: "voltage", Label: "Supply voltage", Type: device.FieldNumber, Required: true, Public: true},
			{Key: "installed", Label: "Installed on", Type: device.FieldDate},
			{Key: "colour", Label: "Housing colour", Type: device.FieldSelect, Options: []string{"red", "blue"}},
		},
		Blocks: []device.Block{
			{Kind: device.BlockText, Title: "Safety first", Body: "Switch the pump off before opening it."},
			{Kind: device.BlockLink, Title: "Spare parts shop", URL: "https://parts.example/t1"},
			{Kind: device.BlockFAQ, Title: "Why does it hum?", Body: "The motor starts."},
		}})
	require.NoError(t, err)
	c.bare, err = w.desk.CreateTemplate(ctx, w.admin, helpdesk.NewTemplate{Name: "Bare box"})
	require.NoError(t, err)
	c.xpump, err = w.desk.CreateDevice(ctx, w.admin, helpdesk.NewDevice{Name: "Xylo pump 7", SerialNumber: "XP-0007", Location: "Hall 2",
		TemplateID: c.pump.ID, CustomerID: w.x.ID, Fields: map[string]string{"voltage": "230", "installed": "2025-03-01"}})
	require.NoError(t, err)
	c.ypump, err = w.desk.CreateDevice(ctx, w.admin, helpdesk.NewDevice{Name: "Yarrow pump 9", SerialNumber: "YP-0009",
		TemplateID: c.pump.ID, CustomerID: w.y.ID, Fields: map[string]string{"voltage": "110"}})
	require.NoError(t, err)
	c.spare, err = w.desk.CreateDevice(ctx, w.admin, helpdesk.NewDevice{Name: "Spare compressor", SerialNumber: "SC-1"})
	require.NoError(t, err)
	c.code, err = w.desk.CreateCode(ctx, w.admin, c.xpump.ID, helpdesk.NewCode{})
	require.NoError(t, err)
	tk, err := w.desk.SubmitTicket(ctx, w.actors["customer_user"], helpdesk.NewTicket{Title: "Xylo pump 7 leaks", DeviceID: c.xpump.ID,
		Requester: ticket.Contact{Name: "X", Email: "x@req.example"}})
	require.NoError(t, err)
	c.xticket = tk.Ticket
	_, err = w.desk.SubmitTicket(ctx, w.actors["customer_user_y"], helpdesk.NewTicket{Title: "Yarrow pump 9 stopped", DeviceID: c.ypump.ID,
		Requester: ticket.Contact{Name: "Y", Email: "y@req.example"}})
	require.NoError(t, err)
	c.otherTemplate, err = w.desk.CreateTemplate(ctx, w.admin2, helpdesk.NewTemplate{Name: "Other tenant's template"})
	require.NoError(t, err)
	c.otherDevice, err = w.desk.CreateDevice(ctx, w.admin2, helpdesk.NewDevice{Name: "Other tenant's device", TemplateID: c.otherTemplate.ID})
	require.NoError(t, err)
	catalogs[w] = c
	t.Cleanup(func() {
		catalogsMu.Lock()
		delete(catalogs, w)
		catalogsMu.Unlock()
	})
	return c
}

// cx replaces {pump}, {bare}, {xpump}, {ypump}, {spare}, {code}, {xticket}, {othertemplate},
// {otherdevice}, {x} and {y} (the customers) in s, and the world's own names.
func (w *world) cx(t *testing.T, s string) string {
	c := w.catalog(t)
	return w.expand(strings.NewReplacer("{pump}", c.pump.ID.String(), "{bare}", c.bare.ID.String(), "{xpump}", c.xpump.ID.String(),
		"{ypump}", c.ypump.ID.String(), "{spare}", c.spare.ID.String(), "{code}", c.code.ID.String(), "{xticket}", c.xticket.ID.String(),
		"{othertemplate}", c.otherTemplate.ID.String(), "{otherdevice}", c.otherDevice.ID.String(),
		"{cx}", w.x.ID.String(), "{cy}", w.y.ID.String()).Replace(s))
}

// runCatalog runs scenarios with the catalogue's names expanded in paths, forms and
// expectations.
func (w *world) runCatalog(t *testing.T, cases []scenario) {
	t.Helper()
	for i := range cases {
		sc := &cases[i]
		sc.path = w.cx(t, sc.path)
		for j := range sc.contains {
			sc.contains[j] = w.cx(t, sc.contains[j])
		}
		for j := range sc.absent {
			sc.absent[j] = w.cx(t, sc.absent[j])
		}
		if sc.form != nil {
			f := url.Values{}
			for k, vs := range sc.form {
				for _, v := range vs {
					f.Add(k, w.cx(t, v))
				}
			}
			sc.form = f
		}
	}
	w.run(t, cases)
}

func (w *world) template(t *testing.T, id uuid.UUID) *device.Template {
	t.Helper()
	tp, err := w.desk.Template(t.Context(), w.admin, id)
	require.NoError(t, err)
	return tp
}

func (w *world) storedDevice(t *testing.T, id uuid.UUID) *device.Device {
	t.Helper()
	d, err := w.desk.Device(t.Context(), w.admin, id)
	require.NoError(t, err)
	return d
}

// templateForm is a posted template form: name, version, and rows of fields and blocks as
// "key|label|type|options|required|public" and "kind|title|body|url".
func templateForm(name string, version int64, fields, blocks []string) url.Values {
	v := url.Values{"name": {name}, "description": {"About " + name}, "version": {strconv.FormatInt(version, 10)},
		"fields": {strconv.Itoa(len(fields))}, "blocks": {strconv.Itoa(len(blocks))}}
	for i, f := range fields {
		p := strings.Split(f+"|||||", "|")
		pre := fmt.Sprintf("field.%d.", i)
		v.Set(pre+"key", p[0])
		v.Set(pre+"label", p[1])
		v.Set(pre+"type", p[2])
		v.Set(pre+"options", strings.ReplaceAll(p[3], ",", "\n"))
		if p[4] != "" {
			v.Set(pre+"required", "1")
		}
		if p[5] != "" {
			v.Set(pre+"public", "1")
		}
	}
	for i, b := range blocks {
		p := strings.Split(b+"|||", "|")
		pre := fmt.Sprintf("block.%d.", i)
		v.Set(pre+"kind", p[0])
		v.Set(pre+"title", p[1])
		v.Set(pre+"body", p[2])
		v.Set(pre+"url", p[3])
	}
	return v
}

func TestCatalogTemplates(t *testing.T) {
	w := newWorld(t)
	w.runCatalog(t, []scenario{
		{name: "signed out: to the sign-in form", method: "GET", path: "/templates", status: http.StatusSeeOther},
		{name: "admin: the list with statistics and the button to create", who: "admin", method: "GET", path: "/templates", status: 200,
			contains: []string{`href="/templates/{pump}"`, "Pump T1", "Feed pumps of the T line", "3 custom fields", "3 pieces of content",
				"Bare box", `href="/templates/new"`, "Tickets</dt><dd>2</dd>", "Tickets</dt><dd>0</dd>", `aria-current="page">Templates`},
			absent: []string{"Other tenant", "[bo."}},
		{name: "an agent reads the list, without the button", who: "agent", method: "GET", path: "/templates", status: 200,
			contains: []string{"Pump T1"}, absent: []string{`href="/templates/new"`}},
		{name: "a customer's user finds no templates", who: "customer_user", method: "GET", path: "/templates", status: 404,
			absent: []string{"Pump T1", `href="/templates"`}},
		{name: "a customer's admin neither", who: "customer_admin", method: "GET", path: "/templates/{pump}", status: 404,
			absent: []string{"Pump T1", "Safety first"}},
		{name: "nor has the menu entry", who: "customer_user", method: "GET", path: "/devices", status: 200,
			absent: []string{`href="/templates"`}},
		{name: "admin: the template's form, statistics and devices", who: "admin", method: "GET", path: "/templates/{pump}", status: 200,
			contains: []string{"<h1>Pump T1</h1>", `action="/templates/{pump}"`, `name="version" value="1"`, `value="voltage"`, `value="Supply voltage"`,
				`value="number" selected`, "red\nblue</textarea>", `name="field.0.required" type="checkbox" value="1" checked`,
				`value="Safety first"`, "Switch the pump off", `value="https://parts.example/t1"`, `value="faq" selected`,
				`href="/devices/{xpump}"`, "Xylo pump 7", "Yarrow pump 9", "Tickets</dt><dd>2</dd>", `name="field.3.key"`, `name="field.4.key"`},
			absent: []string{"field.5.key", "[bo."}},
		{name: "a supervisor reads it, with no form", who: "supervisor", method: "GET", path: "/templates/{pump}", status: 200,
			contains: []string{"Supply voltage", "Number", "Required", "Shown on the public page", "red, blue", "Safety first",
				`href="https://parts.example/t1"`, "Why does it hum?"},
			absent: []string{"<form class=\"card form\" method=\"post\"", `name="version"`}},
		{name: "another tenant's template is not found", who: "admin", method: "GET", path: "/templates/{othertemplate}", status: 404,
			absent: []string{"Other tenant"}},
		{name: "a malformed ID", who: "admin", method: "GET", path: "/templates/nope", status: 404},
		{name: "the form for a new one", who: "moderator", method: "GET", path: "/templates/new", status: 200,
			contains: []string{`action="/templates"`, `name="field.0.key"`, `name="field.1.key"`, `name="block.1.kind"`, `name="fields" value="2"`}},
		{name: "not for a supervisor", who: "supervisor", method: "GET", path: "/templates/new", status: 403},
		{name: "a moderator creates one", who: "moderator", method: "POST", path: "/templates", status: 303,
			form: templateForm("Boiler B2", 0, []string{"pressure|Pressure|number||1|1", "|||", "fuel|Fuel|select|gas,oil||"},
				[]string{"document|Manual||https://docs.example/b2.pdf", "||||"}),
			check: func(t *testing.T, w *world) {
				ts, err := w.desk.Templates(t.Context(), w.admin)
				require.NoError(t, err)
				var b *device.Template
				for _, tp := range ts {
					if tp.Name == "Boiler B2" {
						b = tp
					}
				}
				require.NotNil(t, b)
				assert.Equal(t, "About Boiler B2", b.Description)
				require.Len(t, b.Fields, 2, "the empty row is left out")
				assert.Equal(t, device.FieldDef{Key: "pressure", Label: "Pressure", Type: device.FieldNumber, Required: true, Public: true}, b.Fields[0])
				assert.Equal(t, []string{"gas", "oil"}, b.Fields[1].Options)
				assert.Equal(t, []device.Block{{Kind: device.BlockDocument, Title: "Manual", URL: "https://docs.example/b2.pdf"}}, b.Blocks)
			}},
		{name: "a supervisor may not create one", who: "supervisor", method: "POST", path: "/templates", status: 403,
			form: templateForm("Sneaky", 0, nil, nil)},
		{name: "a customer's user finds nothing to post to", who: "customer_admin", method: "POST", path: "/templates", status: 404,
			form: templateForm("Sneaky", 0, nil, nil)},
		{name: "a bad key is shown next to its row, the input kept", who: "admin", method: "POST", path: "/templates", status: 422,
			form:     templateForm("Fridge F3", 0, []string{"temp|Temperature|number", "Bad Key|Label|text"}, []string{"link|Shop||ftp://nope"}),
			contains: []string{`value="Fridge F3"`, `value="Bad Key"`, "Please give a key of lower-case letters", `id="f1-problem"`, `value="ftp://nope"`},
			absent:   []string{`id="f0-problem"`}},
		{name: "a link without an address is shown next to its row", who: "admin", method: "POST", path: "/templates", status: 422,
			form:     templateForm("Fridge F3", 0, nil, []string{"text|Intro|Hello", "link|Shop||ftp://nope"}),
			contains: []string{`id="b1-problem"`, "Please give an address starting with https://"}, absent: []string{`id="b0-problem"`}},
		{name: "a select without choices", who: "admin", method: "POST", path: "/templates", status: 422,
			form: templateForm("Fridge F3", 0, []string{"mode|Mode|select"}, nil), contains: []string{"needs its choices"}},
		{name: "a name is required", who: "admin", method: "POST", path: "/templates", status: 422,
			form: templateForm(" ", 0, nil, nil), contains: []string{`id="t-name-problem"`, "Please give a name", `aria-invalid="true"`}},
		{name: "the admin edits the template", who: "admin", method: "POST", path: "/templates/{bare}", status: 303,
			form: templateForm("Bare box v2", 1, []string{"size|Size|text"}, []string{"faq|Is it empty?|Yes."}),
			check: func(t *testing.T, w *world) {
				b := w.template(t, w.catalog(t).bare.ID)
				assert.Equal(t, "Bare box v2", b.Name)
				assert.Equal(t, int64(2), b.Version)
				assert.Equal(t, []device.FieldDef{{Key: "size", Label: "Size", Type: device.FieldText}}, b.Fields)
				assert.Equal(t, []device.Block{{Kind: device.BlockFAQ, Title: "Is it empty?", Body: "Yes."}}, b.Blocks)
			}},
		{name: "a stale form is refused, kept, and says so", who: "moderator", method: "POST", path: "/templates/{bare}", status: 409,
			form:     templateForm("Bare box v3", 1, nil, nil),
			contains: []string{"Someone else has changed this", `value="Bare box v3"`},
			check:    func(t *testing.T, w *world) { assert.Equal(t, "Bare box v2", w.template(t, w.catalog(t).bare.ID).Name) }},
		{name: "an agent may not edit", who: "agent", method: "POST", path: "/templates/{bare}", status: 403,
			form:  templateForm("Agent's box", 2, nil, nil),
			check: func(t *testing.T, w *world) { assert.Equal(t, "Bare box v2", w.template(t, w.catalog(t).bare.ID).Name) }},
		{name: "another tenant's template is not edited", who: "admin", method: "POST", path: "/templates/{othertemplate}", status: 404,
			form: templateForm("Taken over", 1, nil, nil), absent: []string{"Other tenant"},
			check: func(t *testing.T, w *world) {
				o, err := w.desk.Template(t.Context(), w.admin2, w.catalog(t).otherTemplate.ID)
				require.NoError(t, err)
				assert.Equal(t, "Other tenant's template", o.Name)
			}},
		{name: "a refused edit shows the template's page with the problem", who: "admin", method: "POST", path: "/templates/{pump}", status: 422,
			form:     templateForm("Pump T1", 1, []string{"voltage|Supply voltage|number||1|1", "voltage|Again|text"}, nil),
			contains: []string{`id="f1-problem"`, "Xylo pump 7", "Tickets</dt><dd>2</dd>", `value="Again"`}},
	})
}

func TestCatalogDevices(t *testing.T) {
	w := newWorld(t)
	c := w.catalog(t)
	w.runCatalog(t, []scenario{
		{name: "signed out: to the sign-in form", method: "GET", path: "/devices", status: http.StatusSeeOther},
		{name: "admin: every device with its template, customer and statistics", who: "admin", method: "GET", path: "/devices", status: 200,
			contains: []string{`href="/devices/{xpump}"`, "Xylo pump 7", "XP-0007", "Pump T1", "Hall 2", `href="/customers/{cx}"`, "Xylo Works",
				"Yarrow pump 9", "Spare compressor", "Tickets</dt><dd>1</dd>", `href="/devices/new"`, `name="template"`, `name="customer"`, "3 devices on this page"},
			absent: []string{"Other tenant", "[bo."}},
		{name: "a template filter", who: "agent", method: "GET", path: "/devices?template={pump}", status: 200,
			contains: []string{"Xylo pump 7", "Yarrow pump 9", `value="{pump}" selected`, "Clear the filters"}, absent: []string{"Spare compressor", `href="/devices/new"`}},
		{name: "a customer filter", who: "supervisor", method: "GET", path: "/devices?customer={cy}", status: 200,
			contains: []string{"Yarrow pump 9"}, absent: []string{"Xylo pump 7", "Spare compressor"}},
		{name: "a text filter on the serial number", who: "admin", method: "GET", path: "/devices?q=sc-1", status: 200,
			contains: []string{"Spare compressor", `value="sc-1"`}, absent: []string{"Xylo pump 7"}},
		{name: "a customer's user sees their customer's, without the staff's filters", who: "customer_user", method: "GET", path: "/devices", status: 200,
			contains: []string{"Xylo pump 7", "XP-0007", "Tickets</dt><dd>1</dd>"},
			absent:   []string{"Yarrow", "Spare compressor", `name="template"`, `name="customer"`, "Pump T1", `href="/devices/new"`, "/customers/"}},
		{name: "and cannot widen the scope", who: "customer_user", method: "GET", path: "/devices?customer={cy}&template={pump}", status: 200,
			contains: []string{"Xylo pump 7"}, absent: []string{"Yarrow"}},
		{name: "a bad cursor", who: "admin", method: "GET", path: "/devices?after=garbage", status: http.StatusUnprocessableEntity},
		{name: "admin: the device's page", who: "admin", method: "GET", path: "/devices/{xpump}", status: 200,
			contains: []string{"<h1>Xylo pump 7</h1>", "XP-0007", "Hall 2", `href="/templates/{pump}"`, `href="/customers/{cx}"`, "Supply voltage</dt><dd>230</dd>",
				"Installed on</dt><dd>2025-03-01</dd>", `href="/codes/{code}"`, "Code (active)", w.srv.URL + "/c/" + c.code.Token, "Scanned 0 times",
				`href="/tickets/{xticket}"`, "Xylo pump 7 leaks", "Tickets</dt><dd>1</dd>",
				`action="/devices/{xpump}"`, `action="/devices/{xpump}/customer"`, `name="version" value="1"`, `name="field.voltage" value="230"`,
				`type="number"`, `type="date"`, `value="2025-03-01"`, `formmethod="get"`},
			absent: []string{"Yarrow pump 9 stopped", "[bo."}},
		{name: "an agent reads it, with codes, without forms", who: "agent", method: "GET", path: "/devices/{xpump}", status: 200,
			contains: []string{"Supply voltage</dt><dd>230</dd>", `href="/codes/{code}"`}, absent: []string{`action="/devices/{xpump}`, `name="version"`}},
		{name: "a customer's user reads their customer's device: no codes, no forms, no template", who: "customer_user", method: "GET", path: "/devices/{xpump}", status: 200,
			contains: []string{"Xylo pump 7", "Xylo Works", "Supply voltage</dt><dd>230</dd>", "Housing colour</dt><dd>–</dd>", "Xylo pump 7 leaks", `href="/tickets/{xticket}"`},
			absent:   []string{"/codes/", "/c/", `action="/devices`, "/templates/", "/customers/", "Pump T1"}},
		{name: "not another customer's", who: "customer_user", method: "GET", path: "/devices/{ypump}", status: 404, absent: []string{"Yarrow"}},
		{name: "not an unassigned one", who: "customer_admin", method: "GET", path: "/devices/{spare}", status: 404},
		{name: "not another tenant's", who: "admin", method: "GET", path: "/devices/{otherdevice}", status: 404, absent: []string{"Other tenant"}},
		{name: "a malformed ID", who: "admin", method: "GET", path: "/devices/nope", status: 404},
		{name: "the form for a new device", who: "admin", method: "GET", path: "/devices/new", status: 200,
			contains: []string{`action="/devices"`, `name="customer"`, "Xylo Works", `name="template"`, "Pump T1"}, absent: []string{`name="field.`}},
		{name: "with a template's fields, the input kept", who: "admin", method: "GET", path: "/devices/new?template={pump}&name=Half+typed", status: 200,
			contains: []string{`value="Half typed"`, `name="field.voltage"`, "Supply voltage", `name="field.colour"`, `<option>red</option>`}},
		{name: "not for an agent", who: "agent", method: "GET", path: "/devices/new", status: 403},
		{name: "not for a customer", who: "customer_admin", method: "GET", path: "/devices/new", status: 403},
		{name: "a moderator creates one for X", who: "moderator", method: "POST", path: "/devices", status: 303,
			form: url.Values{"name": {"Xylo pump 8"}, "serial": {"XP-0008"}, "location": {"Roof"}, "template": {"{pump}"}, "customer": {"{cx}"},
				"field.voltage": {"400"}, "field.colour": {"blue"}, "field.installed": {""}, "field.sneaky": {"x"}},
			check: func(t *testing.T, w *world) {
				page, err := w.desk.Devices(t.Context(), w.admin, storage.DeviceFilter{Text: "XP-0008"}, storage.PageRequest{})
				require.NoError(t, err)
				require.Len(t, page.Items, 1)
				d := page.Items[0]
				assert.Equal(t, w.x.ID, d.CustomerID)
				assert.Equal(t, w.catalog(t).pump.ID, d.TemplateID)
				assert.Equal(t, map[string]string{"voltage": "400", "colour": "blue"}, d.Fields, "only the template's fields, empty ones left out")
			}},
		{name: "a required field is shown next to its input", who: "admin", method: "POST", path: "/devices", status: 422,
			form:     url.Values{"name": {"Pump no volts"}, "template": {"{pump}"}, "field.colour": {"blue"}},
			contains: []string{`value="Pump no volts"`, `id="v-voltage-problem"`, `<option selected>blue</option>`}},
		{name: "a bad date is shown next to its input", who: "admin", method: "POST", path: "/devices", status: 422,
			form:     url.Values{"name": {"Pump bad date"}, "template": {"{pump}"}, "field.voltage": {"5"}, "field.installed": {"yesterday"}},
			contains: []string{`id="v-installed-problem"`, "Please fill this in as its type asks"}, absent: []string{`id="v-voltage-problem"`}},
		{name: "a name is required", who: "admin", method: "POST", path: "/devices", status: 422,
			form: url.Values{"name": {""}}, contains: []string{`id="d-name-problem"`}},
		{name: "an agent may not create", who: "agent", method: "POST", path: "/devices", status: 403, form: url.Values{"name": {"Agent's"}}},
		{name: "another tenant's template is not found", who: "admin", method: "POST", path: "/devices", status: 404,
			form: url.Values{"name": {"Borrowed"}, "template": {"{othertemplate}"}}, absent: []string{"Other tenant"}},
		{name: "the admin edits the spare", who: "admin", method: "POST", path: "/devices/{spare}", status: 303,
			form: url.Values{"name": {"Spare compressor 2"}, "serial": {"SC-2"}, "location": {"Store"}, "version": {"1"}, "template": {"{bare}"}},
			check: func(t *testing.T, w *world) {
				d := w.storedDevice(t, w.catalog(t).spare.ID)
				assert.Equal(t, "Spare compressor 2", d.Name)
				assert.Equal(t, "SC-2", d.SerialNumber)
				assert.Equal(t, "Store", d.Location)
				assert.Equal(t, w.catalog(t).bare.ID, d.TemplateID)
			}},
		{name: "a stale form is refused and says so", who: "moderator", method: "POST", path: "/devices/{spare}", status: 409,
			form:     url.Values{"name": {"Spare compressor 3"}, "version": {"1"}},
			contains: []string{"Someone else has changed this", `value="Spare compressor 3"`},
			check: func(t *testing.T, w *world) {
				assert.Equal(t, "Spare compressor 2", w.storedDevice(t, w.catalog(t).spare.ID).Name)
			}},
		{name: "the edit form with another template's fields", who: "admin", method: "GET", path: "/devices/{spare}?template={pump}&name=Renamed&version=2", status: 200,
			contains: []string{`value="Renamed"`, `name="field.voltage"`, `name="version" value="2"`}},
		{name: "a refused edit keeps the page and the problem", who: "admin", method: "POST", path: "/devices/{xpump}", status: 422,
			form:     url.Values{"name": {"Xylo pump 7"}, "version": {"1"}, "template": {"{pump}"}, "field.voltage": {"lots"}},
			contains: []string{`id="v-voltage-problem"`, `value="lots"`, "Xylo pump 7 leaks"}},
		{name: "a customer's user may not edit their device", who: "customer_user", method: "POST", path: "/devices/{xpump}", status: 403,
			form: url.Values{"name": {"Mine now"}, "version": {"1"}}},
		{name: "nor another customer's", who: "customer_user", method: "POST", path: "/devices/{ypump}", status: 404,
			form: url.Values{"name": {"Mine now"}, "version": {"1"}}, absent: []string{"Yarrow"}},
		{name: "the admin assigns the spare to Y", who: "admin", method: "POST", path: "/devices/{spare}/customer", status: 303,
			form: url.Values{"customer": {"{cy}"}},
			check: func(t *testing.T, w *world) {
				assert.Equal(t, w.y.ID, w.storedDevice(t, w.catalog(t).spare.ID).CustomerID)
			}},
		{name: "and back to none", who: "moderator", method: "POST", path: "/devices/{spare}/customer", status: 303,
			form: url.Values{"customer": {""}},
			check: func(t *testing.T, w *world) {
				assert.Equal(t, uuid.Nil, w.storedDevice(t, w.catalog(t).spare.ID).CustomerID)
			}},
		{name: "a supervisor may not assign", who: "supervisor", method: "POST", path: "/devices/{spare}/customer", status: 403,
			form: url.Values{"customer": {"{cx}"}}},
		{name: "a customer's admin may not take a device", who: "customer_admin", method: "POST", path: "/devices/{xpump}/customer", status: 403,
			form: url.Values{"customer": {""}}, check: func(t *testing.T, w *world) {
				assert.Equal(t, w.x.ID, w.storedDevice(t, w.catalog(t).xpump.ID).CustomerID)
			}},
		{name: "another tenant's customer is not found", who: "admin", method: "POST", path: "/devices/{spare}/customer", status: 404,
			form: url.Values{"customer": {uuid.NewString()}}},
	})

	t.Run("keyset paging keeps the filters", func(t *testing.T) {
		for i := range 28 {
			_, err := w.desk.CreateDevice(t.Context(), w.admin, helpdesk.NewDevice{Name: fmt.Sprintf("Paged pump %02d", i), TemplateID: c.bare.ID})
			require.NoError(t, err)
		}
		cl := w.client(t, "admin")
		_, body := do(t, cl, "GET", w.srv.URL+"/devices?q=Paged&template="+c.bare.ID.String(), nil)
		assert.Contains(t, body, "25 devices on this page")
		m := regexp.MustCompile(`href="(/devices\?[^"]*after=[^"]*)"`).FindStringSubmatch(body)
		require.NotNil(t, m, "a next page link")
		next, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
		require.NoError(t, err)
		assert.Equal(t, "Paged", next.Query().Get("q"))
		assert.Equal(t, c.bare.ID.String(), next.Query().Get("template"))
		_, body = do(t, cl, "GET", w.srv.URL+next.String(), nil)
		assert.Contains(t, body, "3 devices on this page")
		assert.Contains(t, body, "Paged pump 00", "the oldest is on the last page")
		assert.NotContains(t, body, "after=", "the last page has no next")
		_, body = do(t, cl, "GET", w.srv.URL+"/templates/"+c.bare.ID.String(), nil)
		assert.Contains(t, body, `href="/devices?template=`+c.bare.ID.String()+`"`, "the template's page links to all its devices")
	})
}

// catalogRoutes are this module's routes in the walks of routes_test.go.
func catalogRoutes() module {
	managers := func(ok, employees, customers int) map[string]int {
		return map[string]int{"admin": ok, "moderator": ok, "supervisor": employees, "agent": employees,
			"customer_admin": customers, "customer_user": customers}
	}
	// on requests path with {id} filled in by id and the form of form.
	on := func(path string, id func(*testing.T, *world, string) string, form func(*testing.T, *world) url.Values) request {
		return func(t *testing.T, w *world, who string) (string, url.Values) {
			var v url.Values
			if form != nil {
				v = form(t, w)
			}
			if id == nil {
				return path, v
			}
			return strings.ReplaceAll(path, "{id}", id(t, w, who)), v
		}
	}
	// freshTemplate makes a template for each role's request to change.
	freshTemplate := func(t *testing.T, w *world, who string) string {
		tp, err := w.desk.CreateTemplate(t.Context(), w.admin, helpdesk.NewTemplate{Name: "Walk template of " + cmp(who, "nobody")})
		require.NoError(t, err)
		return tp.ID.String()
	}
	// freshDevice makes a device of customer X for each role's request to change.
	freshDevice := func(t *testing.T, w *world, who string) string {
		d, err := w.desk.CreateDevice(t.Context(), w.admin, helpdesk.NewDevice{Name: "Walk device of " + cmp(who, "nobody"), CustomerID: w.x.ID})
		require.NoError(t, err)
		return d.ID.String()
	}
	xpump := func(t *testing.T, w *world, _ string) string { return w.catalog(t).xpump.ID.String() }
	pump := func(t *testing.T, w *world, _ string) string { return w.catalog(t).pump.ID.String() }
	// The other tenant's template for everyone (customer users see no template at all); the
	// other tenant's device for staff, customer Y's for X's user.
	otherTemplate := func(t *testing.T, w *world, _ string) string { return w.catalog(t).otherTemplate.ID.String() }
	otherDevice := func(t *testing.T, w *world, who string) string {
		if who == "customer_user" {
			return w.catalog(t).ypump.ID.String()
		}
		return w.catalog(t).otherDevice.ID.String()
	}
	tform := func(*testing.T, *world) url.Values {
		return templateForm("Walked template", 1, []string{"k|K|text"}, []string{"text|T|Body"})
	}
	dform := func(*testing.T, *world) url.Values {
		return url.Values{"name": {"Walked device"}, "serial": {"W-1"}, "version": {"1"}}
	}
	cform := func(t *testing.T, w *world) url.Values { return url.Values{"customer": {w.y.ID.String()}} }
	return module{
		"GET /templates":       {target: on("/templates", nil, nil), want: staff(200, 200, 404)},
		"GET /templates/new":   {target: on("/templates/new", nil, nil), want: managers(200, 403, 404)},
		"POST /templates":      {target: on("/templates", nil, tform), want: managers(303, 403, 404)},
		"GET /templates/{id}":  {target: on("/templates/{id}", pump, nil), want: staff(200, 200, 404), foreign: on("/templates/{id}", otherTemplate, nil)},
		"POST /templates/{id}": {target: on("/templates/{id}", freshTemplate, tform), want: managers(303, 403, 404), foreign: on("/templates/{id}", otherTemplate, tform)},
		"GET /devices":         {target: on("/devices?q=pump", nil, nil), want: every(200)},
		"GET /devices/new":     {target: on("/devices/new", nil, nil), want: managers(200, 403, 403)},
		"POST /devices":        {target: on("/devices", nil, dform), want: managers(303, 403, 403)},
		"GET /devices/{id}":    {target: on("/devices/{id}", xpump, nil), want: every(200), foreign: on("/devices/{id}", otherDevice, nil)},
		"POST /devices/{id}":   {target: on("/devices/{id}", freshDevice, dform), want: managers(303, 403, 403), foreign: on("/devices/{id}", otherDevice, dform)},
		"POST /devices/{id}/customer": {target: on("/devices/{id}/customer", freshDevice, cform), want: managers(303, 403, 403),
			foreign: on("/devices/{id}/customer", otherDevice, cform)},
	}
}

// The Templates and Devices pages in a phone's browser with JavaScript off: every page passes
// axe and fits 390 px, and a device is made through the form, its template's fields laid out
// by the form's own button.
func TestCatalogBrowser(t *testing.T) {
	b := browsertest.New()
	defer b.Close()
	w := newWorld(t)
	c := w.catalog(t)
	signIn := func(email, password string) *browsertest.Tab {
		tab := b.Tab(t, w.srv.URL, browsertest.WithoutScript())
		require.Equal(t, http.StatusOK, tab.Visit("sign-in", "/login"))
		tab.Fill("#email", email)
		tab.Fill("#password", password)
		require.Equal(t, http.StatusOK, tab.Follow("signed in", "form button[type=submit]"))
		return tab
	}
	tab := signIn("ada@acme.example", password)
	for step, path := range map[string]string{"templates": "/templates", "template": "/templates/" + c.pump.ID.String(),
		"new template": "/templates/new", "devices": "/devices?template=" + c.pump.ID.String(), "device": "/devices/" + c.xpump.ID.String()} {
		require.Equal(t, http.StatusOK, tab.Visit(step, path), step)
	}

	require.Equal(t, http.StatusOK, tab.Visit("new device", "/devices/new"))
	tab.Fill("#d-name", "Browser pump")
	tab.Do(chromedp.SetValue(chromedp.CSS("#d-template"), c.pump.ID.String()))
	require.Equal(t, http.StatusOK, tab.Follow("its fields", `button[formmethod="get"]`))
	assert.Equal(t, "Browser pump", browsertest.Eval[string](tab, `document.querySelector("#d-name").value`), "the input is kept")
	tab.Fill("#v-voltage", "12")
	tab.Do(chromedp.SetValue(chromedp.CSS("#v-colour"), "red"))
	require.Equal(t, http.StatusOK, tab.Follow("created", ".catalog-buttons .button.primary"))
	assert.Equal(t, "Browser pump", tab.Text("h1"))
	assert.Contains(t, tab.Text(".facts"), "Supply voltage\n12")

	cu := signIn("customer_user@acme.example", pw)
	require.Equal(t, http.StatusOK, cu.Visit("customer's devices", "/devices"))
	require.Equal(t, http.StatusOK, cu.Visit("customer's device", "/devices/"+c.xpump.ID.String()))
	assert.Equal(t, 0, cu.Count("form.card"), "read-only")
}
