package api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// catalogRecords makes the records the catalog scenarios name, in both tenants (the second tenant's
// as "kind:other", for TestIsolation): a template "pump"; devices "x" and "y" of customers X
// and Y and "free", assigned to nobody; a code "x" of device x.
func catalogRecords(t *testing.T, w *world) {
	t.Helper()
	w.template(t, "pump", "admin", "Pump X200")
	w.template(t, "other", "other_admin", "Other tenant's pump")
	w.device(t, "x", "admin", "Xylo pump", "customer:x", "template:pump")
	w.device(t, "y", "admin", "Yarrow pump", "customer:y", "template:pump")
	w.device(t, "free", "admin", "Spare pump", "", "")
	w.device(t, "other", "other_admin", "Other tenant's device", "", "template:other")
	w.code(t, "x", "admin", "device:x")
	w.code(t, "other", "other_admin", "device:other")
}

// template creates a template named name: a required number field, a public select field
// and one text block.
func (w *world) template(t *testing.T, name, by, title string) {
	t.Helper()
	tp, err := w.desk.CreateTemplate(t.Context(), w.actors[by], helpdesk.NewTemplate{Name: title, Description: "About " + title,
		Fields: []device.FieldDef{{Key: "voltage", Label: "Voltage", Type: device.FieldNumber, Required: true},
			{Key: "model", Label: "Model", Type: device.FieldSelect, Options: []string{"A", "B"}, Public: true}},
		Blocks: []device.Block{{Kind: device.BlockText, Title: "Care", Body: "Keep it dry."}}})
	require.NoError(t, err, name)
	w.ids["template:"+name] = tp.ID
}

// device creates a device named name, of the customer and template named (or none).
func (w *world) device(t *testing.T, name, by, title, customer, template string) {
	t.Helper()
	nd := helpdesk.NewDevice{Name: title, SerialNumber: "SN-" + name, CustomerID: w.ids[customer], TemplateID: w.ids[template]}
	if template != "" {
		nd.Fields = map[string]string{"voltage": "230", "model": "A"}
	}
	d, err := w.desk.CreateDevice(t.Context(), w.actors[by], nd)
	require.NoError(t, err, name)
	w.ids["device:"+name] = d.ID
}

// code creates an active code named name for the named device.
func (w *world) code(t *testing.T, name, by, dev string) {
	t.Helper()
	c, err := w.desk.CreateCode(t.Context(), w.actors[by], w.ids[dev], helpdesk.NewCode{})
	require.NoError(t, err, name)
	w.ids["code:"+name] = c.ID
}

// fresh returns a setup that makes the record name anew before each actor's request.
func fresh(kind, name string) func(t *testing.T, w *world) {
	return func(t *testing.T, w *world) {
		switch kind {
		case "device":
			w.device(t, name, "admin", "Fresh "+name, "customer:x", "")
		case "template":
			w.template(t, name, "admin", "Fresh "+name)
		case "code":
			w.code(t, name, "admin", "device:x")
		}
	}
}

type deviceJSON struct {
	ID           string            `json:"id"`
	CustomerID   string            `json:"customer_id"`
	TemplateID   string            `json:"template_id"`
	Name         string            `json:"name"`
	SerialNumber string            `json:"serial_number"`
	Fields       map[string]string `json:"fields"`
	Version      int64             `json:"version"`
}

type codeJSON struct {
	ID         string   `json:"id"`
	DeviceID   string   `json:"device_id"`
	URL        string   `json:"url"`
	Active     bool     `json:"active"`
	Actions    []string `json:"actions"`
	HasPIN     bool     `json:"has_pin"`
	ExpiresAt  *string  `json:"expires_at"`
	Appearance struct {
		Foreground string `json:"foreground"`
		Size       int    `json:"size"`
	} `json:"appearance"`
}

type pageJSON[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next"`
}

// checkImage returns a check that the answer is an image of the content type.
func checkImage(contentType string) func(t *testing.T, w *world, as string, a answer) {
	return func(t *testing.T, w *world, as string, a answer) {
		assert.Equal(t, contentType, a.Header.Get("Content-Type"))
		if contentType == "image/png" {
			_, err := png.Decode(strings.NewReader(a.body))
			assert.NoError(t, err)
		} else {
			assert.True(t, strings.HasPrefix(a.body, "<svg") || strings.HasPrefix(a.body, "<?xml"), a.body[:min(len(a.body), 40)])
		}
	}
}

func catalogScenarios() map[string][]scenario {
	ok, created, forbidden, notFound := http.StatusOK, http.StatusCreated, http.StatusForbidden, http.StatusNotFound
	staffOnly := statuses(ok, forbidden, employees...)
	return map[string][]scenario{
		// Devices: people read (customer users their customer's), managers change.
		"listDevices": {
			{name: "all", path: "/devices?limit=100", want: statuses(ok, 0, people...),
				check: func(t *testing.T, w *world, as string, a answer) {
					p := decode[pageJSON[deviceJSON]](t, a)
					var names []string
					for _, d := range p.Items {
						names = append(names, d.Name)
					}
					assert.Contains(t, names, "Xylo pump")
					if strings.HasPrefix(as, "customer") {
						assert.NotContains(t, names, "Yarrow pump", "another customer's device")
						assert.NotContains(t, names, "Spare pump", "an unassigned device")
					} else {
						assert.Contains(t, names, "Yarrow pump")
					}
				}},
			{name: "filtered", path: "/devices?customer_id={customer:y}&template_id={template:pump}&q=pump&limit=1",
				setup: func(t *testing.T, w *world) {
					// The newest pump is X's: a list that dropped the customer filter shows it first.
					w.device(t, "y2", "admin", "Yarrow pump 2", "customer:y", "template:pump")
					w.device(t, "x2", "admin", "Xylo pump 2", "customer:x", "template:pump")
				},
				want: statuses(ok, 0, people...),
				check: func(t *testing.T, w *world, as string, a answer) {
					p := decode[pageJSON[deviceJSON]](t, a)
					if strings.HasPrefix(as, "customer") {
						// A customer user's list is pinned to their own customer.
						for _, d := range p.Items {
							assert.Equal(t, w.ids["customer:x"].String(), d.CustomerID)
						}
						return
					}
					require.Len(t, p.Items, 1)
					assert.Contains(t, p.Items[0].Name, "Yarrow pump")
					assert.NotEmpty(t, p.Next, "a page of one, with more after it")
					for _, d := range p.Items {
						assert.Equal(t, w.ids["customer:y"].String(), d.CustomerID)
					}
				}},
		},
		"createDevice": {{name: "with fields", path: "/devices",
			body: `{"name":"New pump","serial_number":"SN-9","template_id":"{template:pump}","customer_id":"{customer:x}","fields":{"voltage":"110","model":"B"}}`,
			want: statuses(created, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				d := decode[deviceJSON](t, a)
				assert.Equal(t, "New pump", d.Name)
				assert.Equal(t, "SN-9", d.SerialNumber)
				assert.Equal(t, w.ids["customer:x"].String(), d.CustomerID)
				assert.Equal(t, map[string]string{"voltage": "110", "model": "B"}, d.Fields)
				assert.Equal(t, "/api/v1/devices/"+d.ID, a.Header.Get("Location"))
				assert.Equal(t, `"1"`, a.Header.Get("ETag"))
			}}},
		"getDevice": {
			{name: "customer's", path: "/devices/{device:x}", want: statuses(ok, 0, people...),
				check: func(t *testing.T, w *world, as string, a answer) {
					d := decode[deviceJSON](t, a)
					assert.Equal(t, "Xylo pump", d.Name)
					assert.Equal(t, w.ids["template:pump"].String(), d.TemplateID)
					assert.Equal(t, "230", d.Fields["voltage"])
					assert.Equal(t, `"1"`, a.Header.Get("ETag"))
				}},
			{name: "other customer's", path: "/devices/{device:y}",
				want: with(statuses(ok, 0, people...), "customer_admin", notFound, "customer_user", notFound)},
			{name: "unassigned", path: "/devices/{device:free}",
				want: with(statuses(ok, 0, people...), "customer_admin", notFound, "customer_user", notFound)},
		},
		"editDevice": {{name: "name", path: "/devices/{device:editing}", setup: fresh("device", "editing"),
			body: `{"name":"Renamed pump","location":"Hall 2"}`, want: statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				d := decode[deviceJSON](t, a)
				assert.Equal(t, "Renamed pump", d.Name)
				assert.Equal(t, "SN-editing", d.SerialNumber, "a field the body leaves out is kept")
				assert.Equal(t, w.ids["customer:x"].String(), d.CustomerID)
				assert.Equal(t, int64(2), d.Version)
			}}},
		"assignDevice": {
			{name: "to customer Y", path: "/devices/{device:assigning}/customer", setup: fresh("device", "assigning"),
				body: `{"customer_id":"{customer:y}"}`, want: statuses(ok, forbidden, managers...),
				check: func(t *testing.T, w *world, as string, a answer) {
					assert.Equal(t, w.ids["customer:y"].String(), decode[deviceJSON](t, a).CustomerID)
				}},
			{name: "unassign", path: "/devices/{device:unassigning}/customer", setup: fresh("device", "unassigning"),
				body: `{}`, want: statuses(ok, forbidden, managers...),
				check: func(t *testing.T, w *world, as string, a answer) {
					assert.Empty(t, decode[deviceJSON](t, a).CustomerID)
				}},
			{name: "foreign customer", path: "/devices/{device:x}/customer",
				body: `{"customer_id":"` + "00000000-0000-4000-8000-000000000001" + `"}`, want: statuses(notFound, forbidden, managers...)},
		},
		"listDeviceFields": {{name: "customer's", path: "/devices/{device:x}/fields", want: statuses(ok, 0, people...),
			check: func(t *testing.T, w *world, as string, a answer) {
				p := decode[pageJSON[struct{ Key, Label, Type, Value string }]](t, a)
				require.Len(t, p.Items, 2)
				assert.Equal(t, "Voltage", p.Items[0].Label)
				assert.Equal(t, "number", p.Items[0].Type)
				assert.Equal(t, "230", p.Items[0].Value)
			}}},
		"getDeviceStats": {{name: "customer's", path: "/devices/{device:x}/stats", want: statuses(ok, 0, people...)}},
		"listDeviceStats": {{name: "two", path: "/device-stats?device_id={device:x},{device:y}", want: statuses(ok, 0, people...),
			check: func(t *testing.T, w *world, as string, a answer) {
				p := decode[pageJSON[struct {
					DeviceID string `json:"device_id"`
					Tickets  int
				}]](t, a)
				assert.Len(t, p.Items, 2, "one entry per device asked about")
			}}},
		"sendRequestLink": {{name: "to a contact", path: "/devices/{device:x}/request-links",
			body: `{"requester":{"name":"Rita","email":"rita@example.com"},"ttl":3600}`, want: statuses(created, forbidden, employees...),
			check: func(t *testing.T, w *world, as string, a answer) {
				var l struct {
					URL       string    `json:"url"`
					DeviceID  string    `json:"device_id"`
					ExpiresAt time.Time `json:"expires_at"`
					CreatedAt time.Time `json:"created_at"`
					Requester struct{ Email string }
				}
				require.NoError(t, json.Unmarshal([]byte(a.body), &l))
				assert.Contains(t, l.URL, "/request-links/")
				assert.Equal(t, w.ids["device:x"].String(), l.DeviceID)
				assert.Equal(t, "rita@example.com", l.Requester.Email)
				assert.Equal(t, time.Hour, l.ExpiresAt.Sub(l.CreatedAt))
			}}},

		// Templates: staff read, managers change; customer users never see them.
		"listTemplates": {{name: "all", path: "/templates", want: staffOnly,
			check: func(t *testing.T, w *world, as string, a answer) {
				p := decode[pageJSON[struct{ Name string }]](t, a)
				require.NotEmpty(t, p.Items)
				assert.NotContains(t, a.body, "Other tenant")
			}}},
		"createTemplate": {{name: "with a field", path: "/templates",
			body: `{"name":"Fridge","fields":[{"key":"temp","label":"Temperature","type":"number","required":true}],"blocks":[{"kind":"link","title":"Manual","url":"https://example.com/m.pdf"}]}`,
			want: statuses(created, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				var tp struct {
					ID     string
					Name   string
					Fields []struct{ Key, Type string }
					Blocks []struct{ Kind, URL string }
				}
				require.NoError(t, json.Unmarshal([]byte(a.body), &tp))
				assert.Equal(t, "Fridge", tp.Name)
				require.Len(t, tp.Fields, 1)
				assert.Equal(t, "temp", tp.Fields[0].Key)
				require.Len(t, tp.Blocks, 1)
				assert.Equal(t, "https://example.com/m.pdf", tp.Blocks[0].URL)
				assert.Equal(t, "/api/v1/templates/"+tp.ID, a.Header.Get("Location"))
			}}},
		"getTemplate": {{name: "pump", path: "/templates/{template:pump}", want: staffOnly}},
		"editTemplate": {{name: "description", path: "/templates/{template:editing}", setup: fresh("template", "editing"),
			body: `{"description":"Now with a manual"}`, want: statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				var tp struct {
					Name, Description string
					Fields            []struct{ Key string }
				}
				require.NoError(t, json.Unmarshal([]byte(a.body), &tp))
				assert.Equal(t, "Now with a manual", tp.Description)
				assert.Equal(t, "Fresh editing", tp.Name)
				assert.Len(t, tp.Fields, 2, "the fields the body leaves out are kept")
			}}},
		"getTemplateStats":  {{name: "pump", path: "/templates/{template:pump}/stats", want: staffOnly}},
		"listTemplateStats": {{name: "one", path: "/template-stats?template_id={template:pump}", want: staffOnly}},

		// Codes: staff read and draw them, managers change them.
		"listDeviceCodes": {{name: "customer's device", path: "/devices/{device:x}/codes", want: staffOnly,
			check: func(t *testing.T, w *world, as string, a answer) {
				p := decode[pageJSON[codeJSON]](t, a)
				require.NotEmpty(t, p.Items)
				for _, c := range p.Items {
					assert.Equal(t, w.ids["device:x"].String(), c.DeviceID)
				}
			}}},
		"createCode": {{name: "with a PIN", path: "/devices/{device:x}/codes",
			body: `{"actions":["view","request_session"],"pin":"48151623","appearance":{"foreground":"#102030","size":300}}`,
			want: statuses(created, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				c := decode[codeJSON](t, a)
				assert.True(t, c.Active)
				assert.True(t, c.HasPIN)
				assert.NotContains(t, a.body, "48151623", "the PIN is never answered")
				assert.Equal(t, []string{"view", "request_session"}, c.Actions)
				assert.Equal(t, "#102030", c.Appearance.Foreground)
				assert.Equal(t, 300, c.Appearance.Size)
				assert.Contains(t, c.URL, helpdesk.CodePath)
				assert.Equal(t, "/api/v1/codes/"+c.ID, a.Header.Get("Location"))
			}}},
		"listCodes": {
			{name: "all", path: "/codes", want: staffOnly},
			{name: "inactive of a device", path: "/codes?device_id={device:x}&active=false", want: staffOnly,
				setup: func(t *testing.T, w *world) {
					w.code(t, "off", "admin", "device:x")
					_, err := w.desk.SetCodeActive(t.Context(), w.actors["admin"], w.ids["code:off"], false)
					require.NoError(t, err)
				},
				check: func(t *testing.T, w *world, as string, a answer) {
					p := decode[pageJSON[codeJSON]](t, a)
					require.NotEmpty(t, p.Items)
					for _, c := range p.Items {
						assert.False(t, c.Active)
						assert.Equal(t, w.ids["device:x"].String(), c.DeviceID)
					}
				}},
		},
		"getCode": {{name: "customer's device", path: "/codes/{code:x}", want: staffOnly}},
		"editCode": {{name: "expiry and PIN", path: "/codes/{code:editing}", setup: fresh("code", "editing"),
			body: `{"expires_at":"2099-01-01T00:00:00Z","pin":"2468","actions":["view"]}`, want: statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				c := decode[codeJSON](t, a)
				require.NotNil(t, c.ExpiresAt)
				assert.Equal(t, "2099-01-01T00:00:00Z", *c.ExpiresAt)
				assert.True(t, c.HasPIN)
				assert.Equal(t, []string{"view"}, c.Actions)
			}}},
		"activateCode": {{name: "switched off", path: "/codes/{code:switching}/activate",
			setup: func(t *testing.T, w *world) {
				w.code(t, "switching", "admin", "device:x")
				_, err := w.desk.SetCodeActive(t.Context(), w.actors["admin"], w.ids["code:switching"], false)
				require.NoError(t, err)
			},
			want:  statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) { assert.True(t, decode[codeJSON](t, a).Active) }}},
		"deactivateCode": {{name: "switched on", path: "/codes/{code:switching}/deactivate", setup: fresh("code", "switching"),
			want:  statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) { assert.False(t, decode[codeJSON](t, a).Active) }}},
		"getCodeImage": {
			{name: "png", path: "/codes/{code:x}/image", want: staffOnly, check: checkImage("image/png")},
			{name: "svg", path: "/codes/{code:x}/image?format=svg", want: staffOnly, check: checkImage("image/svg+xml")},
			// The Desk checks the format before the caller: a malformed request is refused
			// whoever sends it, and says nothing of the code.
			{name: "gif", path: "/codes/{code:x}/image?format=gif", want: statuses(http.StatusUnprocessableEntity, 0, people...)},
		},
		"previewCode": {
			{name: "svg colours", path: "/codes/{code:x}/preview?format=svg", body: `{"appearance":{"foreground":"#123456"}}`,
				want: staffOnly, check: func(t *testing.T, w *world, as string, a answer) {
					checkImage("image/svg+xml")(t, w, as, a)
					assert.Contains(t, strings.ToLower(a.body), "#123456")
				}},
			{name: "png unscannable", path: "/codes/{code:x}/preview", body: `{"appearance":{"foreground":"#fefefe"}}`,
				want: statuses(http.StatusUnprocessableEntity, forbidden, employees...)},
		},
	}
}

// TestCatalogETags checks If-Match on every versioned catalog record: a stale ETag answers 412
// and changes nothing, the current one is taken and the answer's ETag is the new version.
func TestCatalogETags(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		w := newWorld(t, e)
		tests := []struct {
			name, kind, get, method, path, body string
		}{
			{"edit device", "device", "/devices/{device:etag}", http.MethodPatch, "/devices/{device:etag}", `{"name":"Tagged"}`},
			{"assign device", "device", "/devices/{device:etag}", http.MethodPut, "/devices/{device:etag}/customer", `{"customer_id":"{customer:y}"}`},
			{"edit template", "template", "/templates/{template:etag}", http.MethodPatch, "/templates/{template:etag}", `{"name":"Tagged"}`},
			{"edit code", "code", "/codes/{code:etag}", http.MethodPatch, "/codes/{code:etag}", `{"never_expires":true}`},
			{"deactivate code", "code", "/codes/{code:etag}", http.MethodPost, "/codes/{code:etag}/deactivate", ``},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				fresh(tt.kind, "etag")(t, w)
				got := w.call(t, "admin", http.MethodGet, tt.get, "")
				require.Equal(t, http.StatusOK, got.StatusCode)
				etag := got.Header.Get("ETag")
				require.Equal(t, `"1"`, etag)
				// Someone else changes the record: the ETag read is stale now.
				w.bump(t, tt.kind)
				stale := w.call(t, "admin", tt.method, tt.path, tt.body, "If-Match", etag)
				assert.Equal(t, http.StatusPreconditionFailed, stale.StatusCode, stale.body)
				assert.Contains(t, stale.body, "precondition_failed")
				again := w.call(t, "admin", http.MethodGet, tt.get, "")
				assert.Equal(t, `"2"`, again.Header.Get("ETag"), "a stale write changes nothing")
				done := w.call(t, "admin", tt.method, tt.path, tt.body, "If-Match", `"2"`)
				assert.Equal(t, http.StatusOK, done.StatusCode, done.body)
				assert.Equal(t, `"3"`, done.Header.Get("ETag"))
				bad := w.call(t, "admin", tt.method, tt.path, tt.body, "If-Match", "2")
				assert.Equal(t, http.StatusUnprocessableEntity, bad.StatusCode, "an ETag without quotes")
			})
		}
	})
}

// bump changes the record kind:"etag" behind the API's back.
func (w *world) bump(t *testing.T, kind string) {
	t.Helper()
	ctx, admin := t.Context(), w.actors["admin"]
	switch kind {
	case "device":
		d, err := w.desk.Device(ctx, admin, w.ids["device:etag"])
		require.NoError(t, err)
		d.Location = "Moved"
		_, err = w.desk.UpdateDevice(ctx, admin, d)
		require.NoError(t, err)
	case "template":
		tp, err := w.desk.Template(ctx, admin, w.ids["template:etag"])
		require.NoError(t, err)
		tp.Description = "Changed"
		_, err = w.desk.UpdateTemplate(ctx, admin, tp)
		require.NoError(t, err)
	case "code":
		_, err := w.desk.UpdateCode(ctx, admin, w.ids["code:etag"], helpdesk.CodeSettings{Actions: []device.Action{device.ActionView}})
		require.NoError(t, err)
	}
}

// TestCatalogInvalid checks that bad input answers 422 naming the field, before or by the Desk.
func TestCatalogInvalid(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		w := newWorld(t, e)
		tests := []struct {
			name, method, path, body, field string
		}{
			{"device without a name", http.MethodPost, "/devices", `{"serial_number":"SN-1"}`, "name"},
			{"device field not in the template", http.MethodPost, "/devices",
				`{"name":"P","template_id":"{template:pump}","fields":{"voltage":"1","colour":"red"}}`, "fields.colour"},
			{"device missing a required field", http.MethodPatch, "/devices/{device:x}", `{"fields":{"model":"A"}}`, "fields.voltage"},
			{"template field type", http.MethodPost, "/templates", `{"name":"T","fields":[{"key":"k","label":"K","type":"colour"}]}`, "fields[0].type"},
			{"unknown body field", http.MethodPost, "/templates", `{"name":"T","colour":"red"}`, "colour"},
			{"code action", http.MethodPost, "/devices/{device:x}/codes", `{"actions":["fly"]}`, "actions"},
			{"code logo not base64", http.MethodPost, "/devices/{device:x}/codes", `{"logo":"%%%"}`, "logo"},
			{"code PIN", http.MethodPost, "/devices/{device:x}/codes", `{"pin":"12"}`, "pin"},
			{"code expiry twice", http.MethodPatch, "/codes/{code:x}", `{"expires_at":"2099-01-01T00:00:00Z","never_expires":true}`, "never_expires"},
			{"code expiry past", http.MethodPatch, "/codes/{code:x}", `{"expires_at":"2001-01-01T00:00:00Z"}`, "expires_at"},
			{"code active filter", http.MethodGet, "/codes?active=maybe", ``, "active"},
			{"stats without IDs", http.MethodGet, "/device-stats", ``, "device_id"},
			{"request link without e-mail", http.MethodPost, "/devices/{device:x}/request-links", `{"requester":{"name":"Rita"}}`, "requester.email"},
			{"request link too long", http.MethodPost, "/devices/{device:x}/request-links",
				`{"requester":{"name":"Rita","email":"r@example.com"},"ttl":99999999}`, "ttl"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := w.call(t, "admin", tt.method, tt.path, tt.body)
				require.Equal(t, http.StatusUnprocessableEntity, a.StatusCode, a.body)
				var p struct {
					Code   string
					Errors []struct{ Field string }
				}
				require.NoError(t, json.Unmarshal([]byte(a.body), &p))
				assert.Equal(t, "invalid", p.Code)
				require.Len(t, p.Errors, 1)
				assert.Equal(t, tt.field, p.Errors[0].Field)
			})
		}
	})
}

// TestCodeLogo uploads a logo with a code, and previews and removes it: the image drawn
// changes with it, and the code's appearance says whether it has one.
func TestCodeLogo(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		w := newWorld(t, e)
		logo := base64PNG(t)
		a := w.call(t, "admin", http.MethodPost, "/devices/{device:x}/codes", `{"appearance":{"correction":"H"},"logo":"`+logo+`"}`)
		require.Equal(t, http.StatusCreated, a.StatusCode, a.body)
		var c struct {
			ID         string
			Appearance struct {
				HasLogo bool `json:"has_logo"`
			}
		}
		require.NoError(t, json.Unmarshal([]byte(a.body), &c))
		assert.True(t, c.Appearance.HasLogo)
		with := w.call(t, "admin", http.MethodGet, "/codes/"+c.ID+"/image", "")
		require.Equal(t, http.StatusOK, with.StatusCode)
		preview := w.call(t, "admin", http.MethodPost, "/codes/"+c.ID+"/preview", `{"remove_logo":true}`)
		require.Equal(t, http.StatusOK, preview.StatusCode, preview.body)
		assert.NotEqual(t, with.body, preview.body, "the preview draws no logo")
		still := w.call(t, "admin", http.MethodGet, "/codes/"+c.ID+"/image", "")
		assert.Equal(t, with.body, still.body, "a preview saves nothing")
		removed := w.call(t, "admin", http.MethodPatch, "/codes/"+c.ID, `{"remove_logo":true}`)
		require.Equal(t, http.StatusOK, removed.StatusCode, removed.body)
		assert.Contains(t, removed.body, `"has_logo":false`)
	})
}

// base64PNG is a small opaque logo, base64-encoded.
func base64PNG(t *testing.T) string {
	t.Helper()
	var b bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := range img.Pix {
		img.Pix[i] = byte(i*7) | 0x80 // opaque, not blank
	}
	require.NoError(t, png.Encode(&b, img))
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

// TestCatalogForeignFilters asks about another tenant's records by IDs in query parameters,
// which TestIsolation's walk over paths does not reach: the answers hold none of them.
func TestCatalogForeignFilters(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		w := newWorld(t, e)
		_, err := w.desk.SubmitTicket(t.Context(), w.actors["other_admin"], helpdesk.NewTicket{Title: "Other tenant's pump leaks",
			DeviceID: w.ids["device:other"], Requester: ticket.Contact{Name: "Olga", Email: "olga@req.example"}})
		require.NoError(t, err)
		tests := []struct {
			name, path string
			empty      bool // else: one entry of zero figures
		}{
			{"devices of a template", "/devices?template_id={template:other}", true},
			{"codes of a device", "/codes?device_id={device:other}", true},
			{"device figures", "/device-stats?device_id={device:other}", false},
			{"template figures", "/template-stats?template_id={template:other}", false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := w.call(t, "admin", http.MethodGet, tt.path, "")
				require.Equal(t, http.StatusOK, a.StatusCode, a.body)
				p := decode[pageJSON[map[string]any]](t, a)
				if tt.empty {
					assert.Empty(t, p.Items)
					return
				}
				require.Len(t, p.Items, 1)
				assert.EqualValues(t, 0, p.Items[0]["tickets"], "another tenant's tickets are not counted")
			})
		}
		// The same request in the other tenant counts its ticket: the figures above are zero
		// because they are foreign, not because nothing was there.
		a := w.call(t, "other_admin", http.MethodGet, "/device-stats?device_id={device:other}", "")
		require.Equal(t, http.StatusOK, a.StatusCode, a.body)
		assert.Contains(t, a.body, `"tickets":1`)
	})
}

// TestCatalogForeignBodies names another tenant's records in request bodies: not found, as
// in paths, and nothing is made or changed.
func TestCatalogForeignBodies(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		w := newWorld(t, e)
		tests := []struct {
			name, method, path, body string
		}{
			{"device of a foreign template", http.MethodPost, "/devices", `{"name":"Stolen type","template_id":"{template:other}"}`},
			{"device changed to a foreign template", http.MethodPatch, "/devices/{device:free}", `{"template_id":"{template:other}"}`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := w.call(t, "admin", tt.method, tt.path, tt.body)
				assert.Equal(t, http.StatusNotFound, a.StatusCode, a.body)
				assert.NotContains(t, a.body, "Other tenant")
			})
		}
		list := w.call(t, "admin", http.MethodGet, "/devices?template_id={template:other}", "")
		assert.Equal(t, `{"items":[]}`+"\n", list.body)
		free := w.call(t, "admin", http.MethodGet, "/devices/{device:free}", "")
		assert.NotContains(t, free.body, "template_id")
	})
}
