package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/internal/secret"
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
	// Appearance of the QR image. Zero fields take device.DefaultAppearance's values. Its Logo
	// must be empty: the Desk sets it when Logo is given.
	Appearance device.Appearance
	// Logo, when set, is an uploaded PNG or JPEG image drawn in the centre of the QR image
	// (checked by device.DecodeLogo), kept in Config.Blobs.
	Logo []byte
}

// CreateCode creates an active code for a device, with a fresh 256-bit token. Admins,
// moderators and the system may. The appearance must draw a code that scans (see
// device.NewQR): CreateCode checks it with the code's URL (CodeURL). Returns
// *ValidationError (wrapping device.ErrUnscannable or device.ErrInvalidAppearance for an
// appearance or logo refused), ErrNotFound (unknown device) or ErrForbidden.
func (d *Desk) CreateCode(ctx context.Context, actor tenant.Actor, deviceID uuid.UUID, in NewCode) (*device.Code, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActCodeManage, deviceAt(deviceID))
	if err != nil {
		return nil, fmt.Errorf("create code: %w", err)
	}
	if len(in.Actions) == 0 {
		in.Actions = []device.Action{device.ActionView, device.ActionOpenTicket}
	}
	if err := checkActions(in.Actions); err != nil {
		return nil, err
	}
	now := d.clock()
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		return nil, invalid("expires_at", "must be in the future")
	}
	if in.Appearance.Logo != "" {
		return nil, invalid("appearance.logo", "is set by uploading a logo")
	}
	c := &device.Code{ID: newID(), TenantID: tid, DeviceID: deviceID, Token: device.NewToken(), Active: true,
		ExpiresAt: utcPtr(in.ExpiresAt), Actions: in.Actions, CreatedAt: now, UpdatedAt: now, Version: 1}
	if in.Logo != nil {
		in.Appearance.Logo = "pending" // checked for its size now, stored below
	}
	if c.Appearance, err = d.checkCodeAppearance(c.Token, in.Appearance); err != nil {
		return nil, err
	}
	if in.PIN != "" {
		if c.PINHash, err = d.hashPIN(in.PIN); err != nil {
			return nil, err
		}
	}
	if in.Logo != nil {
		if c.Appearance.Logo, err = d.storeLogo(ctx, tid, c.ID, in.Logo); err != nil {
			return nil, err
		}
	}
	err = d.inTx(ctx, func(q storage.Queries) error {
		if _, err := q.GetDevice(ctx, tid, deviceID); err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		if err := q.CreateCode(ctx, c); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "code.created", "code", c.ID, "device "+deviceID.String())
	})
	if err != nil {
		d.dropKey(ctx, c.Appearance.Logo)
		return nil, fmt.Errorf("create code: %w", err)
	}
	return c, nil
}

// hashPIN hashes a new PIN in one of the hashing slots.
func (d *Desk) hashPIN(pin string) (string, error) {
	if !device.ValidPIN(pin) {
		return "", &ValidationError{Field: "pin", Problem: device.ErrInvalidPIN.Error(), Err: device.ErrInvalidPIN}
	}
	release, err := d.hashSlot()
	if err != nil {
		return "", err
	}
	defer release()
	return device.HashPIN(pin)
}

func checkActions(actions []device.Action) error {
	for _, a := range actions {
		if !a.Valid() {
			return invalid("actions", "%q is not one of view, open_ticket, request_session, upload_media", a)
		}
	}
	return nil
}

// SetCodeActive switches a code on or off. Admins, moderators and the system may. Returns
// ErrNotFound or ErrConflict.
func (d *Desk) SetCodeActive(ctx context.Context, actor tenant.Actor, codeID uuid.UUID, active bool) (*device.Code, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActCodeManage, recordAt(codeID, storage.Queries.GetCode))
	if err != nil {
		return nil, fmt.Errorf("set code active: %w", err)
	}
	var c *device.Code
	err = d.inTx(ctx, func(q storage.Queries) error {
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

// PublicPage is what a code's URL shows: the actions the page offers and, when it offers
// device.ActionView, the device's public information. Actions and Device carry nothing secret
// and nothing about the device's customer, so an application may show them as they are.
type PublicPage struct {
	// Actor is the code holder to pass to SubmitTicket. Keep it on the server, made anew from
	// the code (and its PIN) on each request: an application that took an actor back from a
	// client would let the client skip the PIN, or pose as any code.
	Actor tenant.Actor
	// Actions lists what the page offers: the code's actions within the tenant's offer (no
	// request_session without Offer.ContactAgent, no upload_media without Offer.MediaUpload).
	Actions []device.Action
	// Device is the device's public information; nil unless the code offers device.ActionView.
	Device *PublicDevice
	// Form is the tenant's request form as the page shows it: who may open a ticket, texts,
	// types, links, branding.
	Form *PublicForm
}

// PublicDevice is the part of a device and its template that a public page shows.
type PublicDevice struct {
	ID           uuid.UUID
	Name         string
	SerialNumber string
	Location     string
	// Type is the template's name ("Infusion pump X200"); empty without a template.
	Type string
	// Fields are the template's public custom fields with the device's values, in template order.
	Fields []PublicField
	// Content is the template's public content: text, links, documents and FAQ entries.
	Content []device.Block
}

// PublicField is one public custom field and its value.
type PublicField struct {
	Key   string
	Label string
	Value string
}

// Field returns the value of the public field with key, or "".
func (p *PublicDevice) Field(key string) string {
	for _, f := range p.Fields {
		if f.Key == key {
			return f.Value
		}
	}
	return ""
}

// OpenCode resolves a code token, as its public page does on every visit, and counts the scan.
// The token is the credential: no actor is needed. pin must match when the code has one: it is
// checked before anything else about the code is told, so an inactive code with a PIN says
// nothing before its PIN. Wrong PINs are throttled per code in the database, before any hash
// is computed: after Config.MaxPINFailures within Config.PINWindow the prompt is locked until
// the window ends. A missing, malformed, wrong or locked-out PIN all return ErrWrongPIN alike
// (an empty or malformed one without hashing or counting).
//
// Returns ErrNotFound for an unknown token, ErrWrongPIN, ErrCodeUnusable for an inactive or
// expired code, and ErrBusy when Config.MaxConcurrentHashes checks are running.
func (d *Desk) OpenCode(ctx context.Context, token, pin string) (*PublicPage, error) {
	return d.openCode(ctx, token, pin, true)
}

// ResolveCode resolves a code token as OpenCode does, with the same checks, answers and PIN
// throttle, but counts no scan: for the later requests of one visit (the request form, its
// submission, the PIN prompt's answer), so that ScanCount counts visits to the page.
func (d *Desk) ResolveCode(ctx context.Context, token, pin string) (*PublicPage, error) {
	return d.openCode(ctx, token, pin, false)
}

func (d *Desk) openCode(ctx context.Context, token, pin string, count bool) (*PublicPage, error) {
	c, err := d.store.GetCodeByToken(ctx, token)
	if err != nil {
		return nil, fmt.Errorf("open code: %w", err)
	}
	if c.PINHash != "" {
		if err := d.checkCodePIN(ctx, c, pin); err != nil {
			return nil, fmt.Errorf("open code: %w", err)
		}
	}
	now := d.clock()
	if !c.Usable(now) {
		return nil, fmt.Errorf("open code: %w: inactive or expired", ErrCodeUnusable)
	}
	page := &PublicPage{Actor: tenant.CodeHolder(c.TenantID, c.DeviceID, c.ID), Actions: slices.Clone(c.Actions)}
	if c.Allows(device.ActionView) {
		if page.Device, err = d.publicDevice(ctx, d.store, c.TenantID, c.DeviceID); err != nil {
			return nil, fmt.Errorf("open code: %w", err)
		}
	}
	ten, err := d.store.GetTenant(ctx, c.TenantID)
	if err != nil {
		return nil, fmt.Errorf("open code: %w", err)
	}
	page.Form = publicForm(ten)
	page.Actions = offeredActions(page.Actions, ten.Settings.EffectiveOffer())
	if !count {
		return page, nil
	}
	if err := d.store.RecordCodeScan(ctx, c.TenantID, c.ID, now); err != nil {
		return nil, fmt.Errorf("open code: count scan: %w", err)
	}
	return page, nil
}

// offeredActions keeps the actions of a code that the tenant's offer allows: no
// request_session without Offer.ContactAgent, no upload_media without Offer.MediaUpload, as
// SubmitTicket, RequestSession and UploadMedia decide.
func offeredActions(actions []device.Action, offer tenant.Offer) []device.Action {
	return slices.DeleteFunc(actions, func(a device.Action) bool {
		return a == device.ActionRequestSession && !offer.ContactAgent || a == device.ActionUploadMedia && !offer.MediaUpload
	})
}

// checkCodePIN checks pin against code c's PIN, counting the attempt first.
func (d *Desk) checkCodePIN(ctx context.Context, c *device.Code, pin string) error {
	if !device.ValidPIN(pin) {
		return ErrWrongPIN
	}
	release, err := d.hashSlot()
	if err != nil {
		return err
	}
	defer release()
	key := secret.Hash("pin:" + c.ID.String())
	err = d.reserveAttempt(ctx, c.TenantID, key, d.cfg.MaxPINFailures, d.cfg.PINWindow)
	var locked *ThrottledError
	switch {
	case errors.As(err, &locked):
		return ErrWrongPIN // the same answer as a wrong PIN: the lock is not told
	case err != nil:
		return err
	case !device.CheckPIN(c.PINHash, pin):
		return ErrWrongPIN
	}
	return d.store.ClearLoginFailures(ctx, c.TenantID, key)
}

// publicDevice reads a device and its template and keeps what a public page may show.
func (d *Desk) publicDevice(ctx context.Context, q storage.Queries, tenantID, deviceID uuid.UUID) (*PublicDevice, error) {
	dev, err := q.GetDevice(ctx, tenantID, deviceID)
	if err != nil {
		return nil, fmt.Errorf("device %s: %w", deviceID, err)
	}
	p := &PublicDevice{ID: dev.ID, Name: dev.Name, SerialNumber: dev.SerialNumber, Location: dev.Location}
	if dev.TemplateID == uuid.Nil {
		return p, nil
	}
	t, err := q.GetTemplate(ctx, tenantID, dev.TemplateID)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", dev.TemplateID, err)
	}
	p.Type, p.Content = t.Name, t.Blocks
	for _, f := range t.Fields {
		if f.Public {
			p.Fields = append(p.Fields, PublicField{Key: f.Key, Label: f.Label, Value: dev.Fields[f.Key]})
		}
	}
	return p, nil
}

// checkCodeHolder ends a code holder's access the moment its code is switched off or expires:
// the actor is only as good as the code it came through.
func (d *Desk) checkCodeHolder(ctx context.Context, q storage.Queries, actor tenant.Actor) (*device.Code, error) {
	c, err := q.GetCode(ctx, actor.TenantID, actor.CodeID)
	if err != nil {
		return nil, fmt.Errorf("code: %w", err)
	}
	if !c.Usable(d.clock()) || c.DeviceID != actor.DeviceID {
		return nil, fmt.Errorf("%w: the code is inactive or expired", ErrCodeUnusable)
	}
	return c, nil
}
