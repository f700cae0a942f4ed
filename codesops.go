package helpdesk

import (
	"bytes"
	"context"
	"fmt"
	"image"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// CodesPage lists a page of the tenant's codes, newest first, across its devices, filtered
// by f (a device, on or off), for staff: the back office's list of codes. Returns
// *ValidationError for a malformed cursor and ErrForbidden for others.
func (d *Desk) CodesPage(ctx context.Context, actor tenant.Actor, f storage.CodeFilter, p storage.PageRequest) (storage.Page[*device.Code], error) {
	tid, err := authorize(actor, tenant.ActCodeList)
	if err != nil {
		return storage.Page[*device.Code]{}, fmt.Errorf("list codes: %w", err)
	}
	page, err := d.store.PageCodes(ctx, tid, f, p)
	if err != nil {
		return storage.Page[*device.Code]{}, fmt.Errorf("list codes: %w", err)
	}
	return page, nil
}

// Code returns one code of the tenant, for staff (whoever may list a device's codes).
// Returns ErrNotFound for a code of another tenant or none, and ErrForbidden for others.
func (d *Desk) Code(ctx context.Context, actor tenant.Actor, id uuid.UUID) (*device.Code, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActCodeList, recordAt(id, storage.Queries.GetCode))
	if err != nil {
		return nil, fmt.Errorf("get code: %w", err)
	}
	c, err := d.store.GetCode(ctx, tid, id)
	if err != nil {
		return nil, fmt.Errorf("get code %s: %w", id, err)
	}
	return c, nil
}

// PreviewCode draws code codeID's URL in format f as UpdateCode with in would leave its
// appearance (in.Appearance, or the saved one when zero; in.Logo instead of the saved logo,
// none with in.RemoveLogo), and saves nothing: the QR configurator's preview of settings not
// yet saved. Its other fields are ignored. Whoever may draw the code (CodeImage) may preview
// it. Returns *ValidationError for an unknown format or for an appearance or logo UpdateCode
// would refuse (wrapping device.ErrUnscannable or device.ErrInvalidAppearance, with the field
// "appearance.FIELD"), ErrNotFound or ErrForbidden.
func (d *Desk) PreviewCode(ctx context.Context, actor tenant.Actor, codeID uuid.UUID, f device.Format, in CodeSettings) (*Image, error) {
	if !f.Valid() {
		return nil, invalid("format", "%q is not png or svg", f)
	}
	tid, err := d.authorizeOn(ctx, actor, tenant.ActCodeList, recordAt(codeID, storage.Queries.GetCode))
	if err != nil {
		return nil, fmt.Errorf("preview code: %w", err)
	}
	if in.Logo != nil && in.RemoveLogo {
		return nil, invalid("logo", "cannot be both replaced and removed")
	}
	c, err := d.store.GetCode(ctx, tid, codeID)
	if err != nil {
		return nil, fmt.Errorf("preview code %s: %w", codeID, err)
	}
	app := c.Appearance
	if in.Appearance != (device.Appearance{}) {
		if in.Appearance.Logo != "" && in.Appearance.Logo != c.Appearance.Logo {
			return nil, invalid("appearance.logo", "is set by uploading a logo")
		}
		app, app.Logo = in.Appearance, c.Appearance.Logo
	}
	var logo image.Image
	switch {
	case in.Logo != nil:
		if logo, _, err = device.DecodeLogo(in.Logo); err != nil {
			return nil, appearanceInvalid(err)
		}
		app.Logo = "preview" // drawn from the upload, stored nowhere
	case in.RemoveLogo:
		app.Logo = ""
	}
	q, err := device.NewQR(d.CodeURL(c.Token), app)
	if err != nil {
		return nil, appearanceInvalid(err)
	}
	if logo == nil && app.Logo != "" {
		if logo, err = d.readLogo(ctx, app.Logo); err != nil {
			return nil, fmt.Errorf("preview code %s: %w", codeID, err)
		}
	}
	var buf bytes.Buffer
	if err := q.Write(&buf, f, logo); err != nil {
		return nil, fmt.Errorf("preview code %s: %w", codeID, err)
	}
	return &Image{ContentType: f.ContentType(), Data: buf.Bytes()}, nil
}

// UpdateCustomer changes a customer's name, language, project and department (uuid.Nil:
// none); its support plan (SetSupportPlan) and sign-up domains (SetSignupDomains) have their
// own operations and are kept. c.Version must be the version read: a customer changed since
// gets ErrConflict. Admins, moderators and the system may. Returns *ValidationError (a bad
// name or language, a project of another customer), ErrNotFound (customer, project or
// department), ErrConflict or ErrForbidden.
func (d *Desk) UpdateCustomer(ctx context.Context, actor tenant.Actor, c *tenant.Customer) (*tenant.Customer, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActCustomerUpdate, customerAt(c.ID))
	if err != nil {
		return nil, fmt.Errorf("update customer: %w", err)
	}
	name := c.Name
	if err := checkName("name", &name); err != nil {
		return nil, err
	}
	if err := checkLanguage("language", c.Language); err != nil {
		return nil, err
	}
	var out *tenant.Customer
	err = d.inTx(ctx, func(q storage.Queries) error {
		cur, err := q.GetCustomer(ctx, tid, c.ID)
		if err != nil {
			return err
		}
		if c.ProjectID != uuid.Nil {
			if err := checkProject(ctx, q, actor, tid, c.ProjectID, c.ID); err != nil {
				return err
			}
		}
		if c.DepartmentID != uuid.Nil {
			if _, err := q.GetDepartment(ctx, tid, c.DepartmentID); err != nil {
				return fmt.Errorf("department %s: %w", c.DepartmentID, err)
			}
		}
		cur.Name, cur.Language, cur.ProjectID, cur.DepartmentID = name, c.Language, c.ProjectID, c.DepartmentID
		cur.Version, cur.UpdatedAt = c.Version, d.clock()
		if err := q.UpdateCustomer(ctx, cur); err != nil {
			return err
		}
		out = cur
		return d.audit(ctx, q, actor, tid, "customer.updated", "customer", cur.ID, cur.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("update customer %s: %w", c.ID, err)
	}
	return out, nil
}
