package device

import (
	"time"

	"github.com/google/uuid"
)

// Device is an asset and its digital twin: the thing a code's public page describes and tickets
// are opened for.
type Device struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	// CustomerID is the customer the device is assigned to; uuid.Nil while unassigned.
	CustomerID uuid.UUID
	// TemplateID is the device type; uuid.Nil means none.
	TemplateID   uuid.UUID
	ProjectID    uuid.UUID
	Name         string
	SerialNumber string
	Location     string
	// Fields holds the values of the template's custom fields, by FieldDef.Key.
	Fields    map[string]string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// FieldType is the kind of value a custom field holds.
type FieldType string

// The custom field types.
const (
	FieldText   FieldType = "text"
	FieldNumber FieldType = "number"
	FieldDate   FieldType = "date" // YYYY-MM-DD
	FieldSelect FieldType = "select"
)

// FieldDef defines one custom field of a template.
type FieldDef struct {
	// Key identifies the field in Device.Fields: lower-case letters, digits and underscores.
	Key      string
	Label    string
	Type     FieldType
	Required bool
	// Options lists the allowed values of a FieldSelect field.
	Options []string
	// Public fields are shown on the device's public page.
	Public bool
}

// BlockKind is the kind of a public content block.
type BlockKind string

// The content block kinds a template's public page can show.
const (
	BlockText     BlockKind = "text"
	BlockLink     BlockKind = "link"
	BlockDocument BlockKind = "document"
	BlockFAQ      BlockKind = "faq"
)

// Block is one piece of a template's public content. Text blocks use Title and Body; links and
// documents use Title and URL; FAQ entries use Title as the question and Body as the answer.
type Block struct {
	Kind  BlockKind
	Title string
	Body  string
	URL   string
}

// Template is a device type: its custom-field definitions and the content its public page shows.
// Customer users never see templates.
type Template struct {
	ID          uuid.UUID
	TenantID    uuid.UUID
	Name        string
	Description string
	Fields      []FieldDef
	Blocks      []Block
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int64
}
