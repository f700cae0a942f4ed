package helpdesk

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// NewTemplate describes a device template to create.
type NewTemplate struct {
	Name        string
	Description string
	Fields      []device.FieldDef
	Blocks      []device.Block
}

// CreateTemplate creates a device template. Admins, moderators and the system may; customer
// users never see templates. Returns *ValidationError naming the first bad field definition or
// block, or ErrForbidden.
func (d *Desk) CreateTemplate(ctx context.Context, actor tenant.Actor, in NewTemplate) (*device.Template, error) {
	tid, err := authorize(actor, tenant.ActTemplateManage)
	if err != nil {
		return nil, fmt.Errorf("create template: %w", err)
	}
	if err := checkTemplate(&in); err != nil {
		return nil, err
	}
	now := d.clock()
	t := &device.Template{ID: newID(), TenantID: tid, Name: in.Name, Description: in.Description,
		Fields: in.Fields, Blocks: in.Blocks, CreatedAt: now, UpdatedAt: now, Version: 1}
	err = d.inTx(ctx, func(q storage.Queries) error {
		if err := q.CreateTemplate(ctx, t); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "template.created", "template", t.ID, t.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("create template: %w", err)
	}
	return t, nil
}

// Template returns a device template, for staff only (customer users never see templates).
// Returns ErrNotFound for an unknown template and ErrForbidden for others.
func (d *Desk) Template(ctx context.Context, actor tenant.Actor, id uuid.UUID) (*device.Template, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTemplateRead, recordAt(id, storage.Queries.GetTemplate))
	if err != nil {
		return nil, fmt.Errorf("get template: %w", err)
	}
	t, err := d.store.GetTemplate(ctx, tid, id)
	if err != nil {
		return nil, fmt.Errorf("get template %s: %w", id, err)
	}
	return t, nil
}

// checkTemplate normalises and checks a template's name, description, fields and content.
func checkTemplate(in *NewTemplate) error {
	if err := checkName("name", &in.Name); err != nil {
		return err
	}
	in.Description = strings.TrimSpace(in.Description)
	if err := checkLen("description", in.Description, 0, MaxTextLen); err != nil {
		return err
	}
	if err := checkFieldDefs(in.Fields); err != nil {
		return err
	}
	return checkBlocks(in.Blocks)
}

func checkFieldDefs(defs []device.FieldDef) error {
	if len(defs) > maxFieldsPerThing {
		return invalid("fields", "at most %d fields", maxFieldsPerThing)
	}
	seen := map[string]bool{}
	for i := range defs {
		f := &defs[i]
		name := fmt.Sprintf("fields[%d]", i)
		if !fieldKey.MatchString(f.Key) {
			return invalid(name+".key", "%q must be lower-case letters, digits and underscores, starting with a letter", f.Key)
		}
		if seen[f.Key] {
			return invalid(name+".key", "%q is defined twice", f.Key)
		}
		seen[f.Key] = true
		if err := checkName(name+".label", &f.Label); err != nil {
			return err
		}
		switch f.Type {
		case device.FieldText, device.FieldNumber, device.FieldDate:
			if len(f.Options) > 0 {
				return invalid(name+".options", "only select fields have options")
			}
		case device.FieldSelect:
			if len(f.Options) == 0 {
				return invalid(name+".options", "a select field needs at least one option")
			}
			for j, o := range f.Options {
				if strings.TrimSpace(o) == "" {
					return invalid(fmt.Sprintf("%s.options[%d]", name, j), "is empty")
				}
				if slices.Index(f.Options, o) != j {
					return invalid(fmt.Sprintf("%s.options[%d]", name, j), "%q is listed twice", o)
				}
			}
		default:
			return invalid(name+".type", "%q is not one of text, number, date, select", f.Type)
		}
	}
	return nil
}

func checkBlocks(blocks []device.Block) error {
	if len(blocks) > maxFieldsPerThing {
		return invalid("blocks", "at most %d blocks", maxFieldsPerThing)
	}
	for i := range blocks {
		b := &blocks[i]
		name := fmt.Sprintf("blocks[%d]", i)
		if err := checkName(name+".title", &b.Title); err != nil {
			return err
		}
		switch b.Kind {
		case device.BlockText, device.BlockFAQ:
			if err := checkLen(name+".body", b.Body, 1, MaxTextLen); err != nil {
				return err
			}
		case device.BlockLink, device.BlockDocument:
			if !isHTTPURL(b.URL) {
				return invalid(name+".url", "%q is not an http(s) URL", b.URL)
			}
		default:
			return invalid(name+".kind", "%q is not one of text, link, document, faq", b.Kind)
		}
	}
	return nil
}

// checkFieldValues checks a device's custom field values against its template's definitions:
// every key defined, required ones present, values of the right type.
func checkFieldValues(values map[string]string, defs []device.FieldDef) error {
	byKey := make(map[string]device.FieldDef, len(defs))
	for _, f := range defs {
		byKey[f.Key] = f
	}
	for k, v := range values {
		f, ok := byKey[k]
		if !ok {
			return invalid("fields."+k, "the template defines no such field")
		}
		if err := checkLen("fields."+k, v, 0, MaxFieldValueLen); err != nil {
			return err
		}
		if v == "" {
			continue
		}
		switch f.Type {
		case device.FieldNumber:
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return invalid("fields."+k, "%q is not a number", v)
			}
		case device.FieldDate:
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				return invalid("fields."+k, "%q is not a date (YYYY-MM-DD)", v)
			}
		case device.FieldSelect:
			if !slices.Contains(f.Options, v) {
				return invalid("fields."+k, "%q is not one of %s", v, strings.Join(f.Options, ", "))
			}
		}
	}
	for _, f := range defs {
		if f.Required && values[f.Key] == "" {
			return invalid("fields."+f.Key, "is required")
		}
	}
	return nil
}

// NewDevice describes a device to create.
type NewDevice struct {
	Name         string
	SerialNumber string
	Location     string
	// TemplateID is the device type; its field definitions check Fields.
	TemplateID uuid.UUID
	// CustomerID assigns the device to a customer right away.
	CustomerID uuid.UUID
	ProjectID  uuid.UUID
	Fields     map[string]string
}

// CreateDevice creates a device. Admins, moderators and the system may. Returns
// *ValidationError (bad name, or fields that do not match the template), ErrNotFound (unknown
// template, customer or project) or ErrForbidden.
func (d *Desk) CreateDevice(ctx context.Context, actor tenant.Actor, in NewDevice) (*device.Device, error) {
	tid, err := authorize(actor, tenant.ActDeviceManage)
	if err != nil {
		return nil, fmt.Errorf("create device: %w", err)
	}
	if err := checkDevice(&in); err != nil {
		return nil, err
	}
	now := d.clock()
	dev := &device.Device{ID: newID(), TenantID: tid, CustomerID: in.CustomerID, TemplateID: in.TemplateID,
		ProjectID: in.ProjectID, Name: in.Name, SerialNumber: in.SerialNumber, Location: in.Location,
		Fields: in.Fields, CreatedAt: now, UpdatedAt: now, Version: 1}
	err = d.inTx(ctx, func(q storage.Queries) error {
		if err := d.checkDeviceRefs(ctx, q, actor, tid, &in); err != nil {
			return err
		}
		if err := q.CreateDevice(ctx, dev); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "device.created", "device", dev.ID, dev.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("create device: %w", err)
	}
	return dev, nil
}

// checkDevice normalises and checks a device's own fields.
func checkDevice(in *NewDevice) error {
	if err := checkName("name", &in.Name); err != nil {
		return err
	}
	in.SerialNumber = strings.TrimSpace(in.SerialNumber)
	if err := checkLen("serial_number", in.SerialNumber, 0, MaxNameLen); err != nil {
		return err
	}
	in.Location = strings.TrimSpace(in.Location)
	return checkLen("location", in.Location, 0, MaxNameLen)
}

// checkDeviceRefs checks, inside the transaction, what a device refers to: its field values
// against its template, its customer, and a project of that customer.
func (d *Desk) checkDeviceRefs(ctx context.Context, q storage.Queries, actor tenant.Actor, tid uuid.UUID, in *NewDevice) error {
	var defs []device.FieldDef
	if in.TemplateID != uuid.Nil {
		t, err := q.GetTemplate(ctx, tid, in.TemplateID)
		if err != nil {
			return fmt.Errorf("template %s: %w", in.TemplateID, err)
		}
		defs = t.Fields
	}
	if err := checkFieldValues(in.Fields, defs); err != nil {
		return err
	}
	if in.CustomerID != uuid.Nil {
		if _, err := q.GetCustomer(ctx, tid, in.CustomerID); err != nil {
			return fmt.Errorf("customer %s: %w", in.CustomerID, err)
		}
	}
	if in.ProjectID != uuid.Nil {
		return checkProject(ctx, q, actor, tid, in.ProjectID, in.CustomerID)
	}
	return nil
}

// AssignDevice assigns a device to a customer, or unassigns it with uuid.Nil. Admins,
// moderators and the system may. Returns ErrNotFound (device or customer) or ErrConflict.
func (d *Desk) AssignDevice(ctx context.Context, actor tenant.Actor, deviceID, customerID uuid.UUID) (*device.Device, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActDeviceManage, deviceAt(deviceID))
	if err != nil {
		return nil, fmt.Errorf("assign device: %w", err)
	}
	var dev *device.Device
	err = d.inTx(ctx, func(q storage.Queries) error {
		var err error
		if dev, err = q.GetDevice(ctx, tid, deviceID); err != nil {
			return err
		}
		if customerID != uuid.Nil {
			if _, err := q.GetCustomer(ctx, tid, customerID); err != nil {
				return fmt.Errorf("customer %s: %w", customerID, err)
			}
		}
		dev.CustomerID = customerID
		dev.UpdatedAt = d.clock()
		if err := q.UpdateDevice(ctx, dev); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "device.assigned", "device", dev.ID, customerID.String())
	})
	if err != nil {
		return nil, fmt.Errorf("assign device %s: %w", deviceID, err)
	}
	return dev, nil
}

// Device returns a device. Staff see every device of the tenant, a customer user those of their
// customer. A code holder reads its device's public part through OpenCode and gets
// ErrForbidden here (ErrNotFound for any other device); a requester link gets ErrNotFound.
func (d *Desk) Device(ctx context.Context, actor tenant.Actor, id uuid.UUID) (*device.Device, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActDeviceRead, deviceAt(id))
	if err != nil {
		return nil, fmt.Errorf("get device %s: %w", id, err)
	}
	dev, err := d.store.GetDevice(ctx, tid, id)
	if err == nil {
		err = reach(actor, tenant.ActDeviceRead, deviceResource(tid, dev.ID, dev.CustomerID))
	}
	if err != nil {
		return nil, fmt.Errorf("get device %s: %w", id, err)
	}
	return dev, nil
}

// Devices lists a page of devices, newest first: all of the tenant's for staff, the customer's
// own for a customer user (f.CustomerID is then forced). Code holders and requester links get
// ErrForbidden. Returns storage.ErrInvalidCursor for a bad cursor.
func (d *Desk) Devices(ctx context.Context, actor tenant.Actor, f storage.DeviceFilter, p storage.PageRequest) (storage.Page[*device.Device], error) {
	tid, err := authorize(actor, tenant.ActDeviceList)
	if err != nil {
		return storage.Page[*device.Device]{}, fmt.Errorf("list devices: %w", err)
	}
	if !pinCustomer(actor, &f.CustomerID) {
		return storage.Page[*device.Device]{}, nil
	}
	page, err := d.store.ListDevices(ctx, tid, f, p)
	if err != nil {
		return page, fmt.Errorf("list devices: %w", err)
	}
	return page, nil
}
