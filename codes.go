package helpdesk

import (
	"context"
	"fmt"
	"time"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// NewCode describes a device code to create.
type NewCode struct {
	// Actions the public page offers. Defaults to view and open_ticket.
	Actions []device.Action
	// ExpiresAt ends the code's validity; nil means never.
	ExpiresAt *time.Time
	// PIN, when set (4 to 12 digits), must be entered before the page shows anything.
	PIN string
	// Appearance of the QR image. Zero fields take device.DefaultAppearance's values.
	Appearance device.Appearance
}

// CreateCode creates an active code for a device, with a fresh 256-bit token. Admins,
// moderators and the system may. Returns *ValidationError, ErrNotFound (unknown device) or
// ErrForbidden.
func (d *Desk) CreateCode(ctx context.Context, actor tenant.Actor, deviceID uuid.UUID, in NewCode) (*device.Code, error) {
	tid, err := checkActor(actor)
	if err != nil {
		return nil, err
	}
	if err := requireStaff(actor, managers...); err != nil {
		return nil, fmt.Errorf("create code: %w", err)
	}
	if len(in.Actions) == 0 {
		in.Actions = []device.Action{device.ActionView, device.ActionOpenTicket}
	}
	for _, a := range in.Actions {
		if !a.Valid() {
			return nil, invalid("actions", "%q is not one of view, open_ticket, request_session, upload_media", a)
		}
	}
	now := d.clock()
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		return nil, invalid("expires_at", "must be in the future")
	}
	app, err := checkAppearance(in.Appearance)
	if err != nil {
		return nil, err
	}
	c := &device.Code{ID: newID(), TenantID: tid, DeviceID: deviceID, Token: device.NewToken(), Active: true,
		ExpiresAt: utcPtr(in.ExpiresAt), Actions: in.Actions, Appearance: app,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	if in.PIN != "" {
		if c.PINHash, err = device.HashPIN(in.PIN); err != nil {
			return nil, invalid("pin", "%v", err)
		}
	}
	err = d.store.InTx(ctx, func(q storage.Queries) error {
		if _, err := q.GetDevice(ctx, tid, deviceID); err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		if err := q.CreateCode(ctx, c); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "code.created", "code", c.ID, "device "+deviceID.String())
	})
	if err != nil {
		return nil, fmt.Errorf("create code: %w", err)
	}
	return c, nil
}

func checkAppearance(a device.Appearance) (device.Appearance, error) {
	def := device.DefaultAppearance()
	if a.Foreground == "" {
		a.Foreground = def.Foreground
	}
	if a.Background == "" {
		a.Background = def.Background
	}
	if a.Size == 0 {
		a.Size = def.Size
	}
	if a.Correction == "" {
		a.Correction = def.Correction
	}
	switch {
	case !colour.MatchString(a.Foreground):
		return a, invalid("appearance.foreground", "%q is not a colour such as #1a2b3c", a.Foreground)
	case !colour.MatchString(a.Background):
		return a, invalid("appearance.background", "%q is not a colour such as #1a2b3c", a.Background)
	case a.Size < 64 || a.Size > 4096:
		return a, invalid("appearance.size", "%d is outside 64 to 4096 pixels", a.Size)
	case !contains([]device.ErrorCorrection{device.CorrectionLow, device.CorrectionMedium, device.CorrectionQuartile, device.CorrectionHigh}, a.Correction):
		return a, invalid("appearance.correction", "%q is not one of L, M, Q, H", a.Correction)
	}
	return a, nil
}

// SetCodeActive switches a code on or off. Admins, moderators and the system may. Returns
// ErrNotFound or ErrConflict.
func (d *Desk) SetCodeActive(ctx context.Context, actor tenant.Actor, codeID uuid.UUID, active bool) (*device.Code, error) {
	tid, err := checkActor(actor)
	if err != nil {
		return nil, err
	}
	if err := requireStaff(actor, managers...); err != nil {
		return nil, fmt.Errorf("set code active: %w", err)
	}
	var c *device.Code
	err = d.store.InTx(ctx, func(q storage.Queries) error {
		var err error
		if c, err = q.GetCode(ctx, tid, codeID); err != nil {
			return err
		}
		c.Active = active
		c.UpdatedAt = d.clock()
		if err := q.UpdateCode(ctx, c); err != nil {
			return err
		}
		action := "code.deactivated"
		if active {
			action = "code.activated"
		}
		return d.audit(ctx, q, actor, tid, action, "code", c.ID, "")
	})
	if err != nil {
		return nil, fmt.Errorf("set code %s active: %w", codeID, err)
	}
	return c, nil
}

// PublicPage is what a code's URL shows: the device, its template's public content, and the
// actions offered. Actor is the code holder to pass to further operations (SubmitTicket).
type PublicPage struct {
	Actor    tenant.Actor
	Code     *device.Code
	Device   *device.Device
	Template *device.Template // nil when the device has none
}

// OpenCode resolves a code token, as its public page does on every visit, and counts the scan.
// pin must match when the code has one. Returns ErrNotFound for an unknown token,
// ErrCodeUnusable for an inactive or expired code, and ErrForbidden for a wrong PIN.
func (d *Desk) OpenCode(ctx context.Context, token, pin string) (*PublicPage, error) {
	c, err := d.store.GetCodeByToken(ctx, token)
	if err != nil {
		return nil, fmt.Errorf("open code: %w", err)
	}
	now := d.clock()
	if !c.Usable(now) {
		return nil, fmt.Errorf("open code: %w: inactive or expired", ErrCodeUnusable)
	}
	if c.PINHash != "" && !device.CheckPIN(c.PINHash, pin) {
		return nil, fmt.Errorf("open code: %w: wrong PIN", ErrForbidden)
	}
	page := &PublicPage{Actor: tenant.CodeHolder(c.TenantID, c.DeviceID, c.ID), Code: c}
	if page.Device, err = d.store.GetDevice(ctx, c.TenantID, c.DeviceID); err != nil {
		return nil, fmt.Errorf("open code: device: %w", err)
	}
	if page.Device.TemplateID != uuid.Nil {
		if page.Template, err = d.store.GetTemplate(ctx, c.TenantID, page.Device.TemplateID); err != nil {
			return nil, fmt.Errorf("open code: template: %w", err)
		}
		page.Template.Fields = publicFields(page.Template.Fields)
	}
	page.Device.Fields = publicValues(page.Device.Fields, page.Template)
	if err := d.store.RecordCodeScan(ctx, c.TenantID, c.ID, now); err != nil {
		return nil, fmt.Errorf("open code: count scan: %w", err)
	}
	c.ScanCount++
	c.LastScanAt = &now
	return page, nil
}

func publicFields(defs []device.FieldDef) []device.FieldDef {
	var out []device.FieldDef
	for _, f := range defs {
		if f.Public {
			out = append(out, f)
		}
	}
	return out
}

// publicValues keeps only the values of fields the (already filtered) template shows.
func publicValues(values map[string]string, t *device.Template) map[string]string {
	out := map[string]string{}
	if t == nil {
		return out
	}
	for _, f := range t.Fields {
		if v, ok := values[f.Key]; ok {
			out[f.Key] = v
		}
	}
	return out
}
