package helpdesk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// Templates lists the tenant's device templates by name, for staff (customer users never see
// templates). Returns ErrForbidden for others.
func (d *Desk) Templates(ctx context.Context, actor tenant.Actor) ([]*device.Template, error) {
	tid, err := authorize(actor, tenant.ActTemplateRead)
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	ts, err := d.store.ListTemplates(ctx, tid)
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	return ts, nil
}

// UpdateTemplate replaces a template's name, description, field definitions and content with
// t's, checked as CreateTemplate checks them. t.Version must be the version read: a template
// changed since gets ErrConflict. Devices keep the values they have; their next update must
// match the new definitions. Admins, moderators and the system may. Returns *ValidationError, ErrNotFound,
// ErrConflict or ErrForbidden.
func (d *Desk) UpdateTemplate(ctx context.Context, actor tenant.Actor, t *device.Template) (*device.Template, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTemplateManage, recordAt(t.ID, storage.Queries.GetTemplate))
	if err != nil {
		return nil, fmt.Errorf("update template: %w", err)
	}
	in := NewTemplate{Name: t.Name, Description: t.Description, Fields: t.Fields, Blocks: t.Blocks}
	if err := checkTemplate(&in); err != nil {
		return nil, err
	}
	var out *device.Template
	err = d.inTx(ctx, func(q storage.Queries) error {
		cur, err := q.GetTemplate(ctx, tid, t.ID)
		if err != nil {
			return err
		}
		cur.Name, cur.Description, cur.Fields, cur.Blocks = in.Name, in.Description, in.Fields, in.Blocks
		cur.Version, cur.UpdatedAt = t.Version, d.clock()
		if err := q.UpdateTemplate(ctx, cur); err != nil {
			return err
		}
		out = cur
		return d.audit(ctx, q, actor, tid, "template.updated", "template", cur.ID, cur.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("update template %s: %w", t.ID, err)
	}
	return out, nil
}

// UpdateDevice replaces a device's name, serial number, location, template, project and field
// values with dev's, checked as CreateDevice checks them (assign customers with AssignDevice).
// dev.Version must be the version read: a device changed since gets ErrConflict. Admins,
// moderators and the system may. Returns *ValidationError, ErrNotFound, ErrConflict or
// ErrForbidden.
func (d *Desk) UpdateDevice(ctx context.Context, actor tenant.Actor, dev *device.Device) (*device.Device, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActDeviceManage, deviceAt(dev.ID))
	if err != nil {
		return nil, fmt.Errorf("update device: %w", err)
	}
	in := NewDevice{Name: dev.Name, SerialNumber: dev.SerialNumber, Location: dev.Location,
		TemplateID: dev.TemplateID, ProjectID: dev.ProjectID, Fields: dev.Fields}
	if err := checkDevice(&in); err != nil {
		return nil, err
	}
	var out *device.Device
	err = d.inTx(ctx, func(q storage.Queries) error {
		cur, err := q.GetDevice(ctx, tid, dev.ID)
		if err != nil {
			return err
		}
		in.CustomerID = cur.CustomerID
		if err := d.checkDeviceRefs(ctx, q, actor, tid, &in); err != nil {
			return err
		}
		cur.Name, cur.SerialNumber, cur.Location = in.Name, in.SerialNumber, in.Location
		cur.TemplateID, cur.ProjectID, cur.Fields = in.TemplateID, in.ProjectID, in.Fields
		cur.Version, cur.UpdatedAt = dev.Version, d.clock()
		if err := q.UpdateDevice(ctx, cur); err != nil {
			return err
		}
		out = cur
		return d.audit(ctx, q, actor, tid, "device.updated", "device", cur.ID, cur.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("update device %s: %w", dev.ID, err)
	}
	return out, nil
}

// Codes lists a device's codes, oldest first, for staff. Returns ErrNotFound for an unknown
// device and ErrForbidden for others.
func (d *Desk) Codes(ctx context.Context, actor tenant.Actor, deviceID uuid.UUID) ([]*device.Code, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActCodeList, deviceAt(deviceID))
	if err != nil {
		return nil, fmt.Errorf("list codes: %w", err)
	}
	if _, err := d.store.GetDevice(ctx, tid, deviceID); err != nil {
		return nil, fmt.Errorf("list codes of %s: %w", deviceID, err)
	}
	cs, err := d.store.ListCodes(ctx, tid, deviceID)
	if err != nil {
		return nil, fmt.Errorf("list codes of %s: %w", deviceID, err)
	}
	return cs, nil
}

// CodeSettings are what can change on a code after it is made (its token never changes: make a
// new code and switch the old one off instead).
type CodeSettings struct {
	// Actions the page offers; empty keeps the current ones.
	Actions []device.Action
	// ExpiresAt replaces the expiry when SetExpiry is true (nil then removes it).
	ExpiresAt *time.Time
	SetExpiry bool
	// PIN replaces the PIN when SetPIN is true ("" then removes it).
	PIN    string
	SetPIN bool
	// Appearance replaces the QR appearance when not zero (zero fields take the defaults). Its
	// Logo is kept: leave it empty or as read (a different key is refused); Logo and RemoveLogo
	// change it.
	Appearance device.Appearance
	// Logo, when set, replaces the logo drawn in the centre of the QR image: a PNG or JPEG image
	// checked by device.DecodeLogo. RemoveLogo removes it.
	Logo       []byte
	RemoveLogo bool
}

// UpdateCode changes a code's settings, checked as CreateCode checks them, in one transaction
// with an audit entry; the appearance that results must still scan with the logo it keeps.
// A replaced or removed logo is deleted from Config.Blobs. Admins, moderators and the system
// may. Returns *ValidationError, ErrNotFound, ErrConflict or ErrForbidden.
func (d *Desk) UpdateCode(ctx context.Context, actor tenant.Actor, codeID uuid.UUID, in CodeSettings) (*device.Code, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActCodeManage, recordAt(codeID, storage.Queries.GetCode))
	if err != nil {
		return nil, fmt.Errorf("update code: %w", err)
	}
	if err := checkActions(in.Actions); err != nil {
		return nil, err
	}
	now := d.clock()
	if in.SetExpiry && in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		return nil, invalid("expires_at", "must be in the future")
	}
	if in.Logo != nil && in.RemoveLogo {
		return nil, invalid("logo", "cannot be both replaced and removed")
	}
	if in.Logo != nil {
		if _, _, err := device.DecodeLogo(in.Logo); err != nil {
			return nil, appearanceInvalid(err)
		}
	}
	var pinHash string
	if in.SetPIN && in.PIN != "" {
		if pinHash, err = d.hashPIN(in.PIN); err != nil {
			return nil, err
		}
	}
	var newLogo, oldLogo string
	if in.Logo != nil {
		if newLogo, err = d.storeLogo(ctx, tid, codeID, in.Logo); err != nil {
			return nil, err
		}
	}
	var c *device.Code
	err = d.inTx(ctx, func(q storage.Queries) error {
		var err error
		if c, err = q.GetCode(ctx, tid, codeID); err != nil {
			return err
		}
		app := c.Appearance
		if in.Appearance != (device.Appearance{}) {
			if in.Appearance.Logo != "" && in.Appearance.Logo != c.Appearance.Logo {
				return invalid("appearance.logo", "is set by uploading a logo")
			}
			app, app.Logo = in.Appearance, c.Appearance.Logo
		}
		if in.Logo != nil || in.RemoveLogo {
			oldLogo, app.Logo = app.Logo, newLogo
		}
		if c.Appearance, err = d.checkCodeAppearance(c.Token, app); err != nil {
			return err
		}
		if len(in.Actions) > 0 {
			c.Actions = in.Actions
		}
		if in.SetExpiry {
			c.ExpiresAt = utcPtr(in.ExpiresAt)
		}
		if in.SetPIN {
			c.PINHash = pinHash
		}
		c.UpdatedAt = now
		if err := q.UpdateCode(ctx, c); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "code.updated", "code", c.ID, "")
	})
	if err != nil {
		d.dropKey(ctx, newLogo)
		return nil, fmt.Errorf("update code %s: %w", codeID, err)
	}
	d.dropKey(ctx, oldLogo)
	return c, nil
}

// TicketEdit changes a ticket's descriptive fields; nil fields stay as they are.
type TicketEdit struct {
	Title       *string
	Description *string
	Type        *string
	PriorityID  *uuid.UUID
	// Version, when not zero, is the ticket's Version the edit was made on: a ticket changed
	// since (by anyone, in any way) is not edited, so that an edit form never overwrites what
	// its author did not see.
	Version int64
}

// EditTicket changes a ticket's title, description, type or priority (not to a retired one),
// with a history entry naming what changed. Employees and the system may. Returns *ValidationError, ErrNotFound
// (ticket or priority), ErrConflict (a concurrent change, or e.Version not the ticket's) or
// ErrForbidden.
func (d *Desk) EditTicket(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID, e TicketEdit) (*ticket.Ticket, error) {
	return d.changeTicket(ctx, actor, ticketID, "edit", tenant.ActTicketEdit, func(q storage.Queries, t *ticket.Ticket, h *ticket.HistoryEntry) error {
		if e.Version != 0 && e.Version != t.Version {
			return fmt.Errorf("edit made on version %d, the ticket is at %d: %w", e.Version, t.Version, storage.ErrConflict)
		}
		in := NewTicket{Title: t.Title, Description: t.Description, Type: t.Type}
		var changed []string
		if e.Title != nil {
			in.Title, changed = *e.Title, append(changed, "title")
		}
		if e.Description != nil {
			in.Description, changed = *e.Description, append(changed, "description")
		}
		if e.Type != nil {
			in.Type, changed = *e.Type, append(changed, "type")
		}
		if err := checkNewTicket(&in, false); err != nil {
			return err
		}
		if e.PriorityID != nil {
			if *e.PriorityID != t.PriorityID {
				if err := usablePriority(ctx, q, t.TenantID, *e.PriorityID); err != nil {
					return err
				}
			}
			t.PriorityID, changed = *e.PriorityID, append(changed, "priority")
		}
		if len(changed) == 0 {
			return invalid("edit", "names nothing to change")
		}
		t.Title, t.Description, t.Type = in.Title, in.Description, in.Type
		h.From, h.To, h.Reason = string(t.State), string(t.State), strings.Join(changed, ", ")
		return nil
	})
}
