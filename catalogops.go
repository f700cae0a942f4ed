package helpdesk

import (
	"context"
	"fmt"
	"slices"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// DeviceField is one of a device's custom fields as its page lists it: the definition's
// label and type from the device's template, and the device's value.
type DeviceField struct {
	Key   string
	Label string
	Type  device.FieldType
	// Value is the device's value; empty when it has none.
	Value string
	// Public says the device's public page shows the field too.
	Public bool
}

// DeviceFields returns the custom fields of a device the actor may read (staff every device of
// the tenant, a customer user those of their customer): each field its template defines, in
// the template's order, with the device's value, then any value under a key the template no
// longer defines (labelled with its key, as text). A customer user, who never reads templates,
// learns no more of the template than its fields' labels and types. Returns ErrNotFound for a
// device the actor cannot see and ErrForbidden for actors who may not read devices here (code
// holders read their device's public part through OpenCode).
func (d *Desk) DeviceFields(ctx context.Context, actor tenant.Actor, deviceID uuid.UUID) ([]DeviceField, error) {
	dev, err := d.Device(ctx, actor, deviceID)
	if err != nil {
		return nil, fmt.Errorf("device fields: %w", err)
	}
	var defs []device.FieldDef
	if dev.TemplateID != uuid.Nil {
		t, err := d.store.GetTemplate(ctx, dev.TenantID, dev.TemplateID)
		if err != nil {
			return nil, fmt.Errorf("device fields: template %s: %w", dev.TemplateID, err)
		}
		defs = t.Fields
	}
	out := make([]DeviceField, 0, len(defs))
	defined := map[string]bool{}
	for _, f := range defs {
		defined[f.Key] = true
		out = append(out, DeviceField{Key: f.Key, Label: f.Label, Type: f.Type, Value: dev.Fields[f.Key], Public: f.Public})
	}
	var rest []string
	for k := range dev.Fields {
		if !defined[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		out = append(out, DeviceField{Key: k, Label: k, Type: device.FieldText, Value: dev.Fields[k]})
	}
	return out, nil
}
