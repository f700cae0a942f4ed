package api

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"slices"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/google/uuid"
)

// The catalog's named strings, whose values the document lists.
var (
	_ = enumType(func() []device.FieldType {
		return []device.FieldType{device.FieldText, device.FieldNumber, device.FieldDate, device.FieldSelect}
	})
	_ = enumType(func() []device.BlockKind {
		return []device.BlockKind{device.BlockText, device.BlockLink, device.BlockDocument, device.BlockFAQ}
	})
	_ = enumType(device.Actions)
	_ = enumType(func() []device.ErrorCorrection {
		return []device.ErrorCorrection{device.CorrectionLow, device.CorrectionMedium, device.CorrectionQuartile, device.CorrectionHigh}
	})
	_ = enumType(func() []device.Format { return []device.Format{device.FormatPNG, device.FormatSVG} })
)

// Device is an asset a tenant services: what codes open and tickets are about.
type Device struct {
	ID           uuid.UUID  `json:"id"`
	CustomerID   *uuid.UUID `json:"customer_id,omitempty" doc:"the customer it is assigned to; absent while unassigned"`
	TemplateID   *uuid.UUID `json:"template_id,omitempty" doc:"its device type"`
	ProjectID    *uuid.UUID `json:"project_id,omitempty"`
	Name         string     `json:"name"`
	SerialNumber string     `json:"serial_number,omitempty"`
	Location     string     `json:"location,omitempty"`
	// Fields are the values of its template's custom fields, by key.
	Fields    map[string]string `json:"fields" doc:"the values of its template's custom fields, by key"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
	Version   int64             `json:"version" doc:"the record's version; its ETag"`
}

func (d Device) etag() int64 { return d.Version }

func deviceOf(d *device.Device) Device {
	fields := make(map[string]string, len(d.Fields)) // an empty object, never null
	for k, v := range d.Fields {
		fields[k] = v
	}
	return Device{ID: d.ID, CustomerID: id(d.CustomerID), TemplateID: id(d.TemplateID), ProjectID: id(d.ProjectID),
		Name: d.Name, SerialNumber: d.SerialNumber, Location: d.Location, Fields: fields,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Version: d.Version}
}

// NewDeviceBody is a device to create.
type NewDeviceBody struct {
	Name         string            `json:"name" doc:"required"`
	SerialNumber string            `json:"serial_number,omitempty"`
	Location     string            `json:"location,omitempty"`
	TemplateID   *uuid.UUID        `json:"template_id,omitempty" doc:"its device type, whose field definitions check fields"`
	CustomerID   *uuid.UUID        `json:"customer_id,omitempty" doc:"assign it to this customer right away"`
	ProjectID    *uuid.UUID        `json:"project_id,omitempty" doc:"a project (of the customer, when one is given)"`
	Fields       map[string]string `json:"fields,omitempty" doc:"custom field values, by the template's keys"`
}

// DeviceEditBody changes a device; absent fields stay as they are. Its customer changes with
// the assignment operation.
type DeviceEditBody struct {
	Name         *string            `json:"name,omitempty"`
	SerialNumber *string            `json:"serial_number,omitempty"`
	Location     *string            `json:"location,omitempty"`
	TemplateID   *uuid.UUID         `json:"template_id,omitempty" doc:"the nil UUID removes the template"`
	ProjectID    *uuid.UUID         `json:"project_id,omitempty" doc:"the nil UUID removes the project"`
	Fields       *map[string]string `json:"fields,omitempty" doc:"replaces every custom field value"`
}

type editDeviceIn struct {
	idIn
	IfMatch string `header:"If-Match" doc:"the ETag the change is based on; a stale one answers 412"`
	Body    DeviceEditBody
}

// DeviceAssignmentBody assigns a device to a customer.
type DeviceAssignmentBody struct {
	CustomerID *uuid.UUID `json:"customer_id,omitempty" doc:"the customer; absent unassigns the device"`
}

type assignDeviceIn struct {
	idIn
	IfMatch string `header:"If-Match" doc:"the ETag the assignment is based on; a stale one answers 412"`
	Body    DeviceAssignmentBody
}

type listDevicesIn struct {
	CustomerID uuid.UUID `query:"customer_id" doc:"only this customer's devices"`
	TemplateID uuid.UUID `query:"template_id" doc:"only devices of this type"`
	Q          string    `query:"q" doc:"words in the name or serial number"`
	pageIn
}

// DeviceField is one of a device's custom fields: its template's definition and the
// device's value.
type DeviceField struct {
	Key    string           `json:"key"`
	Label  string           `json:"label"`
	Type   device.FieldType `json:"type"`
	Value  string           `json:"value" doc:"the device's value; empty when it has none"`
	Public bool             `json:"public" doc:"the device's public page shows it too"`
}

func deviceFieldOf(f helpdesk.DeviceField) DeviceField {
	return DeviceField{Key: f.Key, Label: f.Label, Type: f.Type, Value: f.Value, Public: f.Public}
}

// RecordStats are a record's figures: its tickets, their sessions and their mean rating.
type RecordStats struct {
	Tickets    int     `json:"tickets" doc:"tickets in every state, drafts included"`
	Sessions   int     `json:"sessions" doc:"video sessions of those tickets"`
	Ratings    int     `json:"ratings" doc:"those tickets that carry a rating"`
	MeanRating float64 `json:"mean_rating" doc:"the mean of their stars, 1 to 5; 0 without ratings"`
}

func statsOf(s storage.RecordStats) RecordStats {
	return RecordStats{Tickets: s.Tickets, Sessions: s.Sessions, Ratings: s.Ratings, MeanRating: s.MeanRating}
}

// DeviceStatsEntry is one device's figures in a batch.
type DeviceStatsEntry struct {
	DeviceID uuid.UUID `json:"device_id"`
	RecordStats
}

// TemplateStatsEntry is one template's figures in a batch.
type TemplateStatsEntry struct {
	TemplateID uuid.UUID `json:"template_id"`
	RecordStats
}

type deviceStatsIn struct {
	DeviceID []uuid.UUID `query:"device_id" doc:"the devices, 1 to 100 (a page of the devices list)"`
}

type templateStatsIn struct {
	TemplateID []uuid.UUID `query:"template_id" doc:"the templates, 1 to 100"`
}

// batchIDs checks a batch's IDs: 1 to storage.MaxPageSize, each once.
func batchIDs(name string, ids []uuid.UUID) ([]uuid.UUID, error) {
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	ids = slices.Compact(ids)
	if len(ids) == 0 || len(ids) > storage.MaxPageSize {
		return nil, badInput(name, "give 1 to 100 IDs")
	}
	return ids, nil
}

// Template is a device type: its custom field definitions and its public content.
type Template struct {
	ID          uuid.UUID       `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Fields      []TemplateField `json:"fields" doc:"the custom fields its devices carry"`
	Blocks      []ContentBlock  `json:"blocks" doc:"the content its devices' public pages show"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
	Version     int64           `json:"version" doc:"the record's version; its ETag"`
}

func (t Template) etag() int64 { return t.Version }

// TemplateField defines one custom field of a template.
type TemplateField struct {
	Key      string           `json:"key" doc:"lower-case letters, digits and underscores, starting with a letter"`
	Label    string           `json:"label"`
	Type     device.FieldType `json:"type"`
	Required bool             `json:"required,omitempty"`
	Options  []string         `json:"options,omitempty" doc:"the allowed values of a select field"`
	Public   bool             `json:"public,omitempty" doc:"shown on the device's public page"`
}

// ContentBlock is one piece of a template's public content: text (title, body), a link or
// a document (title, url), or an FAQ entry (title is the question, body the answer).
type ContentBlock struct {
	Kind  device.BlockKind `json:"kind"`
	Title string           `json:"title"`
	Body  string           `json:"body,omitempty"`
	URL   string           `json:"url,omitempty"`
}

func templateOf(t *device.Template) Template {
	out := Template{ID: t.ID, Name: t.Name, Description: t.Description, Fields: []TemplateField{}, Blocks: []ContentBlock{},
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Version: t.Version}
	for _, f := range t.Fields {
		out.Fields = append(out.Fields, TemplateField{Key: f.Key, Label: f.Label, Type: f.Type, Required: f.Required,
			Options: f.Options, Public: f.Public})
	}
	for _, b := range t.Blocks {
		out.Blocks = append(out.Blocks, ContentBlock{Kind: b.Kind, Title: b.Title, Body: b.Body, URL: b.URL})
	}
	return out
}

func fieldDefs(fs []TemplateField) []device.FieldDef {
	out := make([]device.FieldDef, 0, len(fs))
	for _, f := range fs {
		out = append(out, device.FieldDef{Key: f.Key, Label: f.Label, Type: f.Type, Required: f.Required,
			Options: f.Options, Public: f.Public})
	}
	return out
}

func blocks(bs []ContentBlock) []device.Block {
	out := make([]device.Block, 0, len(bs))
	for _, b := range bs {
		out = append(out, device.Block{Kind: b.Kind, Title: b.Title, Body: b.Body, URL: b.URL})
	}
	return out
}

// NewTemplateBody is a template to create.
type NewTemplateBody struct {
	Name        string          `json:"name" doc:"required"`
	Description string          `json:"description,omitempty"`
	Fields      []TemplateField `json:"fields,omitempty"`
	Blocks      []ContentBlock  `json:"blocks,omitempty"`
}

// TemplateEditBody changes a template; absent fields stay as they are. Devices keep their
// values; their next change must match the new field definitions.
type TemplateEditBody struct {
	Name        *string          `json:"name,omitempty"`
	Description *string          `json:"description,omitempty"`
	Fields      *[]TemplateField `json:"fields,omitempty" doc:"replaces every field definition"`
	Blocks      *[]ContentBlock  `json:"blocks,omitempty" doc:"replaces the whole public content"`
}

type editTemplateIn struct {
	idIn
	IfMatch string `header:"If-Match" doc:"the ETag the change is based on; a stale one answers 412"`
	Body    TemplateEditBody
}

// Code is a device's code: the URL its QR image carries opens the device's public page.
type Code struct {
	ID       uuid.UUID `json:"id"`
	DeviceID uuid.UUID `json:"device_id"`
	// URL carries the code's token, as the QR image does: whoever may draw the image may read it.
	URL        string          `json:"url" doc:"the URL the QR image carries"`
	Active     bool            `json:"active"`
	ExpiresAt  *time.Time      `json:"expires_at,omitempty" doc:"absent: it never expires"`
	Actions    []device.Action `json:"actions" doc:"what the public page offers"`
	HasPIN     bool            `json:"has_pin" doc:"the page asks for a PIN first"`
	Appearance CodeAppearance  `json:"appearance"`
	ScanCount  int64           `json:"scan_count"`
	LastScanAt *time.Time      `json:"last_scan_at,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	Version    int64           `json:"version" doc:"the record's version; its ETag"`
}

func (c Code) etag() int64 { return c.Version }

// CodeAppearance is how a code's QR image is drawn.
type CodeAppearance struct {
	Foreground string                 `json:"foreground" doc:"#rrggbb, the darker colour"`
	Background string                 `json:"background" doc:"#rrggbb"`
	Size       int                    `json:"size" doc:"the image's edge in pixels"`
	Correction device.ErrorCorrection `json:"correction" doc:"the error-correction level"`
	QuietZone  int                    `json:"quiet_zone" doc:"the margin in modules"`
	LogoSize   int                    `json:"logo_size,omitempty" doc:"the logo's edge in percent of the symbol's; absent: the largest the level allows"`
	HasLogo    bool                   `json:"has_logo" doc:"a logo is drawn in the centre"`
}

// AppearanceBody sets how a code's QR image is drawn; absent fields take the defaults
// (black on white, 256 pixels, level M, a quiet zone of 4 modules). The logo is uploaded
// beside it.
type AppearanceBody struct {
	Foreground string                 `json:"foreground,omitempty" doc:"#rrggbb, the darker colour"`
	Background string                 `json:"background,omitempty" doc:"#rrggbb"`
	Size       int                    `json:"size,omitempty" doc:"the image's edge in pixels"`
	Correction device.ErrorCorrection `json:"correction,omitempty"`
	QuietZone  int                    `json:"quiet_zone,omitempty" doc:"the margin in modules"`
	LogoSize   int                    `json:"logo_size,omitempty" doc:"the logo's edge in percent of the symbol's"`
}

func (a *AppearanceBody) domain() device.Appearance {
	if a == nil {
		return device.Appearance{}
	}
	return device.Appearance{Foreground: a.Foreground, Background: a.Background, Size: a.Size,
		Correction: a.Correction, QuietZone: a.QuietZone, LogoSize: a.LogoSize}
}

func (h *Handler) codeOf(c *device.Code) Code {
	a := c.Appearance
	return Code{ID: c.ID, DeviceID: c.DeviceID, URL: h.desk.CodeURL(c.Token), Active: c.Active, ExpiresAt: c.ExpiresAt,
		Actions: append([]device.Action{}, c.Actions...), HasPIN: c.PINHash != "",
		Appearance: CodeAppearance{Foreground: a.Foreground, Background: a.Background, Size: a.Size,
			Correction: a.Correction, QuietZone: a.QuietZone, LogoSize: a.LogoSize, HasLogo: a.Logo != ""},
		ScanCount: c.ScanCount, LastScanAt: c.LastScanAt, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version}
}

// NewCodeBody is a code to create for a device.
type NewCodeBody struct {
	Actions    []device.Action `json:"actions,omitempty" doc:"what the public page offers; view and open_ticket when absent"`
	ExpiresAt  *time.Time      `json:"expires_at,omitempty" doc:"ends its validity; absent: never"`
	PIN        string          `json:"pin,omitempty" doc:"4 to 12 digits to enter before the page shows anything"`
	Appearance *AppearanceBody `json:"appearance,omitempty"`
	Logo       string          `json:"logo,omitempty" doc:"a PNG or JPEG image drawn in the centre, base64-encoded (standard alphabet, padded)"`
}

type createCodeIn struct {
	idIn
	Body NewCodeBody
}

// CodeSettingsBody changes a code's settings; absent fields stay as they are. Its token
// never changes: make a new code and switch this one off instead.
type CodeSettingsBody struct {
	Actions      []device.Action `json:"actions,omitempty" doc:"what the public page offers; absent or empty keeps them"`
	ExpiresAt    *time.Time      `json:"expires_at,omitempty" doc:"a new expiry"`
	NeverExpires bool            `json:"never_expires,omitempty" doc:"remove the expiry"`
	PIN          *string         `json:"pin,omitempty" doc:"a new PIN; the empty string removes it"`
	Appearance   *AppearanceBody `json:"appearance,omitempty" doc:"replaces the appearance (the logo stays)"`
	Logo         string          `json:"logo,omitempty" doc:"a new logo: a PNG or JPEG image, base64-encoded"`
	RemoveLogo   bool            `json:"remove_logo,omitempty"`
}

// settings converts the body into the Desk's CodeSettings.
func (b CodeSettingsBody) settings() (helpdesk.CodeSettings, error) {
	s := helpdesk.CodeSettings{Actions: b.Actions, Appearance: b.Appearance.domain(), RemoveLogo: b.RemoveLogo}
	switch {
	case b.ExpiresAt != nil && b.NeverExpires:
		return s, badInput("never_expires", "cannot be given with expires_at")
	case b.ExpiresAt != nil, b.NeverExpires:
		s.SetExpiry, s.ExpiresAt = true, b.ExpiresAt
	}
	if b.PIN != nil {
		s.SetPIN, s.PIN = true, *b.PIN
	}
	var err error
	s.Logo, err = logoBytes(b.Logo)
	return s, err
}

// logoBytes decodes an uploaded logo; nil when none was sent.
func logoBytes(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, badInput("logo", "not base64")
	}
	return data, nil
}

type editCodeIn struct {
	idIn
	IfMatch string `header:"If-Match" doc:"the ETag the change is based on; a stale one answers 412"`
	Body    CodeSettingsBody
}

type codeSwitchIn struct {
	idIn
	IfMatch string `header:"If-Match" doc:"the ETag the change is based on; a stale one answers 412"`
}

type listCodesIn struct {
	DeviceID uuid.UUID `query:"device_id" doc:"only this device's codes"`
	Active   *bool     `query:"active" doc:"only codes switched on (true) or off (false)"`
	pageIn
}

type codeImageIn struct {
	idIn
	Format device.Format `query:"format" doc:"png (the default) or svg"`
}

type previewCodeIn struct {
	idIn
	Format device.Format `query:"format" doc:"png (the default) or svg"`
	Body   CodeSettingsBody
}

// orPNG is the image format asked for, PNG when none was.
func orPNG(f device.Format) device.Format {
	if f == "" {
		return device.FormatPNG
	}
	return f
}

// RequestLinkBody sends a contact a link with which they may open one ticket for a device.
type RequestLinkBody struct {
	Requester Contact `json:"requester" doc:"who the link is for: a name and an e-mail address (where it is sent) are required"`
	TTL       int     `json:"ttl,omitempty" doc:"how long the link works, in seconds: up to 90 days; 7 days when absent"`
}

type requestLinkIn struct {
	idIn
	Body RequestLinkBody
}

// DeviceRequestLink is a request link sent for a device. Its URL is in this answer only.
type DeviceRequestLink struct {
	ID        uuid.UUID `json:"id"`
	DeviceID  uuid.UUID `json:"device_id"`
	Requester Contact   `json:"requester"`
	URL       string    `json:"url" doc:"the link, as the e-mail gives it; shown once"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
}

// catalogOps are the operations on devices, templates and codes.
func catalogOps() []operation {
	return slices.Concat(deviceOps(), templateOps(), codeOps())
}

func deviceOps() []operation {
	const tag = "Devices"
	return []operation{
		op(http.MethodGet, "/devices", "listDevices", tag, "List devices, newest first",
			func(c *call, in *listDevicesIn) (Page[Device], error) {
				f := storage.DeviceFilter{CustomerID: in.CustomerID, TemplateID: in.TemplateID, Text: in.Q}
				p, err := c.h.desk.Devices(c.ctx, c.actor, f, in.request())
				return pageOf(p, deviceOf), err
			}),
		op(http.MethodPost, "/devices", "createDevice", tag, "Create a device",
			func(c *call, in *struct{ Body NewDeviceBody }) (Device, error) {
				b := in.Body
				d, err := c.h.desk.CreateDevice(c.ctx, c.actor, helpdesk.NewDevice{Name: b.Name, SerialNumber: b.SerialNumber,
					Location: b.Location, TemplateID: orNil(b.TemplateID), CustomerID: orNil(b.CustomerID),
					ProjectID: orNil(b.ProjectID), Fields: b.Fields})
				if err != nil {
					return Device{}, err
				}
				c.w.Header().Set("Location", Prefix+"/devices/"+d.ID.String())
				return deviceOf(d), nil
			}),
		op(http.MethodGet, "/devices/{id}", "getDevice", tag, "Get a device",
			func(c *call, in *idIn) (Device, error) {
				d, err := c.h.desk.Device(c.ctx, c.actor, in.ID)
				return conv(d, err, deviceOf)
			}),
		op(http.MethodPatch, "/devices/{id}", "editDevice", tag, "Change a device's name, serial number, location, template, project or fields",
			func(c *call, in *editDeviceIn) (Device, error) {
				// The Desk replaces a device whole: read it to keep what the body leaves out,
				// and base the change on the version read (or the If-Match one, checked).
				d, err := c.h.desk.Device(c.ctx, c.actor, in.ID)
				if err != nil {
					return Device{}, err
				}
				if _, err := versionFor(in.IfMatch, func() (int64, error) { return d.Version, nil }); err != nil {
					return Device{}, err
				}
				b := in.Body
				set(&d.Name, b.Name)
				set(&d.SerialNumber, b.SerialNumber)
				set(&d.Location, b.Location)
				set(&d.TemplateID, b.TemplateID)
				set(&d.ProjectID, b.ProjectID)
				set(&d.Fields, b.Fields)
				d, err = c.h.desk.UpdateDevice(c.ctx, c.actor, d)
				return conv(d, c.stale(err, in.IfMatch), deviceOf)
			}),
		op(http.MethodPut, "/devices/{id}/customer", "assignDevice", tag, "Assign a device to a customer, or unassign it",
			func(c *call, in *assignDeviceIn) (Device, error) {
				if _, err := versionFor(in.IfMatch, func() (int64, error) {
					d, err := c.h.desk.Device(c.ctx, c.actor, in.ID)
					if err != nil {
						return 0, err
					}
					return d.Version, nil
				}); err != nil {
					return Device{}, err
				}
				d, err := c.h.desk.AssignDevice(c.ctx, c.actor, in.ID, orNil(in.Body.CustomerID))
				return conv(d, c.stale(err, in.IfMatch), deviceOf)
			}),
		op(http.MethodGet, "/devices/{id}/fields", "listDeviceFields", tag, "List a device's custom fields with their definitions",
			func(c *call, in *idIn) (Page[DeviceField], error) {
				fs, err := c.h.desk.DeviceFields(c.ctx, c.actor, in.ID)
				return listOf(fs, deviceFieldOf), err
			}),
		op(http.MethodGet, "/devices/{id}/stats", "getDeviceStats", tag, "Get a device's figures",
			func(c *call, in *idIn) (RecordStats, error) {
				s, err := c.h.desk.DeviceStats(c.ctx, c.actor, in.ID)
				return conv(s, err, statsOf)
			}),
		op(http.MethodGet, "/device-stats", "listDeviceStats", tag, "Get the figures of several devices (a page of the list)",
			func(c *call, in *deviceStatsIn) (Page[DeviceStatsEntry], error) {
				ids, err := batchIDs("device_id", in.DeviceID)
				if err != nil {
					return Page[DeviceStatsEntry]{}, err
				}
				m, err := c.h.desk.DeviceStatsByID(c.ctx, c.actor, ids)
				return listOf(ids, func(id uuid.UUID) DeviceStatsEntry {
					return DeviceStatsEntry{DeviceID: id, RecordStats: statsOf(m[id])}
				}), err
			}),
		op(http.MethodPost, "/devices/{id}/request-links", "sendRequestLink", tag,
			"Send a contact a link to open one ticket for a device",
			func(c *call, in *requestLinkIn) (DeviceRequestLink, error) {
				l, err := c.h.desk.SendRequestLink(c.ctx, c.actor, in.ID, helpdesk.NewRequestLink{
					Contact: in.Body.Requester.domain(), TTL: time.Duration(in.Body.TTL) * time.Second})
				if err != nil {
					return DeviceRequestLink{}, err
				}
				return DeviceRequestLink{ID: l.ID, DeviceID: l.DeviceID, Requester: contactOf(l.Contact), URL: l.URL,
					ExpiresAt: l.ExpiresAt, CreatedAt: l.CreatedAt}, nil
			}),
	}
}

// set sets *dst to *v when v is given.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func templateOps() []operation {
	const tag = "Templates"
	return []operation{
		op(http.MethodGet, "/templates", "listTemplates", tag, "List device templates by name",
			func(c *call, in *struct{}) (Page[Template], error) {
				ts, err := c.h.desk.Templates(c.ctx, c.actor)
				return listOf(ts, templateOf), err
			}),
		op(http.MethodPost, "/templates", "createTemplate", tag, "Create a device template",
			func(c *call, in *struct{ Body NewTemplateBody }) (Template, error) {
				b := in.Body
				t, err := c.h.desk.CreateTemplate(c.ctx, c.actor, helpdesk.NewTemplate{Name: b.Name, Description: b.Description,
					Fields: fieldDefs(b.Fields), Blocks: blocks(b.Blocks)})
				if err != nil {
					return Template{}, err
				}
				c.w.Header().Set("Location", Prefix+"/templates/"+t.ID.String())
				return templateOf(t), nil
			}),
		op(http.MethodGet, "/templates/{id}", "getTemplate", tag, "Get a device template",
			func(c *call, in *idIn) (Template, error) {
				t, err := c.h.desk.Template(c.ctx, c.actor, in.ID)
				return conv(t, err, templateOf)
			}),
		op(http.MethodPatch, "/templates/{id}", "editTemplate", tag, "Change a template's name, description, fields or content",
			func(c *call, in *editTemplateIn) (Template, error) {
				// As for devices: the Desk replaces a template whole, based on the version read.
				t, err := c.h.desk.Template(c.ctx, c.actor, in.ID)
				if err != nil {
					return Template{}, err
				}
				if _, err := versionFor(in.IfMatch, func() (int64, error) { return t.Version, nil }); err != nil {
					return Template{}, err
				}
				b := in.Body
				set(&t.Name, b.Name)
				set(&t.Description, b.Description)
				if b.Fields != nil {
					t.Fields = fieldDefs(*b.Fields)
				}
				if b.Blocks != nil {
					t.Blocks = blocks(*b.Blocks)
				}
				t, err = c.h.desk.UpdateTemplate(c.ctx, c.actor, t)
				return conv(t, c.stale(err, in.IfMatch), templateOf)
			}),
		op(http.MethodGet, "/templates/{id}/stats", "getTemplateStats", tag, "Get a template's figures (the tickets of its devices)",
			func(c *call, in *idIn) (RecordStats, error) {
				s, err := c.h.desk.TemplateStats(c.ctx, c.actor, in.ID)
				return conv(s, err, statsOf)
			}),
		op(http.MethodGet, "/template-stats", "listTemplateStats", tag, "Get the figures of several templates",
			func(c *call, in *templateStatsIn) (Page[TemplateStatsEntry], error) {
				ids, err := batchIDs("template_id", in.TemplateID)
				if err != nil {
					return Page[TemplateStatsEntry]{}, err
				}
				m, err := c.h.desk.TemplateStatsByID(c.ctx, c.actor, ids)
				return listOf(ids, func(id uuid.UUID) TemplateStatsEntry {
					return TemplateStatsEntry{TemplateID: id, RecordStats: statsOf(m[id])}
				}), err
			}),
	}
}

func codeOps() []operation {
	const tag = "Codes"
	image := []string{device.FormatPNG.ContentType(), device.FormatSVG.ContentType()}
	return []operation{
		op(http.MethodGet, "/devices/{id}/codes", "listDeviceCodes", tag, "List a device's codes, oldest first",
			func(c *call, in *idIn) (Page[Code], error) {
				cs, err := c.h.desk.Codes(c.ctx, c.actor, in.ID)
				return listOf(cs, c.h.codeOf), err
			}),
		op(http.MethodPost, "/devices/{id}/codes", "createCode", tag, "Create a code for a device",
			func(c *call, in *createCodeIn) (Code, error) {
				b := in.Body
				logo, err := logoBytes(b.Logo)
				if err != nil {
					return Code{}, err
				}
				code, err := c.h.desk.CreateCode(c.ctx, c.actor, in.ID, helpdesk.NewCode{Actions: b.Actions,
					ExpiresAt: b.ExpiresAt, PIN: b.PIN, Appearance: b.Appearance.domain(), Logo: logo})
				if err != nil {
					return Code{}, err
				}
				c.w.Header().Set("Location", Prefix+"/codes/"+code.ID.String())
				return c.h.codeOf(code), nil
			}).big(),
		op(http.MethodGet, "/codes", "listCodes", tag, "List codes across devices, newest first",
			func(c *call, in *listCodesIn) (Page[Code], error) {
				p, err := c.h.desk.CodesPage(c.ctx, c.actor, storage.CodeFilter{DeviceID: in.DeviceID, Active: in.Active}, in.request())
				return pageOf(p, c.h.codeOf), err
			}),
		op(http.MethodGet, "/codes/{id}", "getCode", tag, "Get a code",
			func(c *call, in *idIn) (Code, error) {
				code, err := c.h.desk.Code(c.ctx, c.actor, in.ID)
				return conv(code, err, c.h.codeOf)
			}),
		op(http.MethodPatch, "/codes/{id}", "editCode", tag, "Change a code's actions, expiry, PIN, appearance or logo",
			func(c *call, in *editCodeIn) (Code, error) {
				s, err := in.Body.settings()
				if err != nil {
					return Code{}, err
				}
				if _, err := c.codeVersion(in.ID, in.IfMatch); err != nil {
					return Code{}, err
				}
				code, err := c.h.desk.UpdateCode(c.ctx, c.actor, in.ID, s)
				return conv(code, c.stale(err, in.IfMatch), c.h.codeOf)
			}).big(),
		op(http.MethodPost, "/codes/{id}/activate", "activateCode", tag, "Switch a code on",
			func(c *call, in *codeSwitchIn) (Code, error) {
				if _, err := c.codeVersion(in.ID, in.IfMatch); err != nil {
					return Code{}, err
				}
				code, err := c.h.desk.SetCodeActive(c.ctx, c.actor, in.ID, true)
				return conv(code, c.stale(err, in.IfMatch), c.h.codeOf)
			}).ok(http.StatusOK),
		op(http.MethodPost, "/codes/{id}/deactivate", "deactivateCode", tag, "Switch a code off: its URL stops working",
			func(c *call, in *codeSwitchIn) (Code, error) {
				if _, err := c.codeVersion(in.ID, in.IfMatch); err != nil {
					return Code{}, err
				}
				code, err := c.h.desk.SetCodeActive(c.ctx, c.actor, in.ID, false)
				return conv(code, c.stale(err, in.IfMatch), c.h.codeOf)
			}).ok(http.StatusOK),
		op(http.MethodGet, "/codes/{id}/image", "getCodeImage", tag, "Draw a code's QR image, as PNG or SVG",
			func(c *call, in *codeImageIn) (*Binary, error) {
				img, err := c.h.desk.CodeImage(c.ctx, c.actor, in.ID, orPNG(in.Format))
				return conv(img, err, binaryOf)
			}).answers(image...),
		op(http.MethodPost, "/codes/{id}/preview", "previewCode", tag,
			"Draw a code's QR image as the given settings would leave it, saving nothing",
			func(c *call, in *previewCodeIn) (*Binary, error) {
				s, err := in.Body.settings()
				if err != nil {
					return nil, err
				}
				img, err := c.h.desk.PreviewCode(c.ctx, c.actor, in.ID, orPNG(in.Format), s)
				return conv(img, err, binaryOf)
			}).ok(http.StatusOK).answers(image...).big(),
	}
}

// codeVersion checks If-Match against the code's current version: 412 when it is stale.
func (c *call) codeVersion(codeID uuid.UUID, ifMatch string) (int64, error) {
	return versionFor(ifMatch, func() (int64, error) {
		code, err := c.h.desk.Code(c.ctx, c.actor, codeID)
		if err != nil {
			return 0, err
		}
		return code.Version, nil
	})
}

func binaryOf(img *helpdesk.Image) *Binary {
	return &Binary{ContentType: img.ContentType, Data: bytes.NewReader(img.Data)}
}
