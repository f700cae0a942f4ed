package helpdesk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"path"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// CodePath is the path of a code's public page under Config.BaseURL, followed by its token;
// web/public serves it.
const CodePath = "/c/"

// CodeURL returns the URL a code's QR image carries: Config.BaseURL + CodePath + token. It is
// the one place the Desk builds it.
func (d *Desk) CodeURL(token string) string { return d.cfg.BaseURL + CodePath + token }

// Image is a drawn image and its media type.
type Image struct {
	// ContentType is "image/png" or "image/svg+xml".
	ContentType string
	Data        []byte
}

// CodeImage draws the URL of code codeID (see CodeURL) as a QR image in format f, with the
// code's appearance and logo. Whoever may list a device's codes may draw them. Returns
// *ValidationError for an unknown format, and for an appearance that no longer scans
// (wrapping device.ErrUnscannable: the content's length is fixed, so only a Config.BaseURL
// made longer since the code was saved can cause it); ErrNotFound or ErrForbidden.
func (d *Desk) CodeImage(ctx context.Context, actor tenant.Actor, codeID uuid.UUID, f device.Format) (*Image, error) {
	if !f.Valid() {
		return nil, invalid("format", "%q is not png or svg", f)
	}
	tid, err := d.authorizeOn(ctx, actor, tenant.ActCodeList, recordAt(codeID, storage.Queries.GetCode))
	if err != nil {
		return nil, fmt.Errorf("code image: %w", err)
	}
	c, err := d.store.GetCode(ctx, tid, codeID)
	if err != nil {
		return nil, fmt.Errorf("code image %s: %w", codeID, err)
	}
	q, err := device.NewQR(d.CodeURL(c.Token), c.Appearance)
	if err != nil {
		return nil, appearanceInvalid(err)
	}
	var logo image.Image
	if c.Appearance.Logo != "" {
		if logo, err = d.readLogo(ctx, c.Appearance.Logo); err != nil {
			return nil, fmt.Errorf("code image %s: %w", codeID, err)
		}
	}
	var buf bytes.Buffer
	if err := q.Write(&buf, f, logo); err != nil {
		return nil, fmt.Errorf("code image %s: %w", codeID, err)
	}
	return &Image{ContentType: f.ContentType(), Data: buf.Bytes()}, nil
}

// QRImage draws the link's URL as a QR image in format f with appearance a (zero fields take
// device.DefaultAppearance's; a logo is not drawn, so a.Logo must be ""), as a signed-in
// user's page shows a share-login link for their phone to scan. Returns *ValidationError
// wrapping device.ErrUnscannable or device.ErrInvalidAppearance for an appearance that would
// not scan or is malformed.
func (l *OneTimeLink) QRImage(f device.Format, a device.Appearance) (*Image, error) {
	if !f.Valid() {
		return nil, invalid("format", "%q is not png or svg", f)
	}
	if a.Logo != "" {
		return nil, invalid("appearance.logo", "a one-time link is drawn without a logo")
	}
	q, err := device.NewQR(l.URL, a)
	if err != nil {
		return nil, appearanceInvalid(err)
	}
	var buf bytes.Buffer
	if err := q.Write(&buf, f, nil); err != nil {
		return nil, err
	}
	return &Image{ContentType: f.ContentType(), Data: buf.Bytes()}, nil
}

// appearanceInvalid turns a *device.AppearanceError into a *ValidationError of the field
// "appearance.FIELD" that still wraps it (and so ErrUnscannable or ErrInvalidAppearance).
func appearanceInvalid(err error) error {
	var ae *device.AppearanceError
	if errors.As(err, &ae) {
		return &ValidationError{Field: "appearance." + ae.Field, Problem: ae.Problem, Err: err}
	}
	return err
}

// checkCodeAppearance checks that a code of token drawn with a would scan. A logo counts by
// a.Logo being set and a.LogoSize: the room it takes is the appearance's, whatever the image.
func (d *Desk) checkCodeAppearance(token string, a device.Appearance) (device.Appearance, error) {
	a = a.WithDefaults()
	if _, err := device.NewQR(d.CodeURL(token), a); err != nil {
		return a, appearanceInvalid(err)
	}
	return a, nil
}

// storeLogo checks an uploaded logo (device.DecodeLogo) and writes it to the blob store under
// a fresh key of the code; it returns the key. The caller deletes it again (dropKey) when
// the code that names it is not saved.
func (d *Desk) storeLogo(ctx context.Context, tid, codeID uuid.UUID, data []byte) (string, error) {
	_, contentType, err := device.DecodeLogo(data)
	if err != nil {
		return "", appearanceInvalid(err)
	}
	key := path.Join(tid.String(), "codes", codeID.String(), "logo-"+newID().String())
	if err := d.cfg.Blobs.Put(ctx, key, bytes.NewReader(data), contentType); err != nil {
		return "", fmt.Errorf("store logo: %w", err)
	}
	return key, nil
}

// readLogo reads and decodes a stored logo.
func (d *Desk) readLogo(ctx context.Context, key string) (image.Image, error) {
	rc, err := d.cfg.Blobs.Open(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("open logo: %w", err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, device.MaxLogoBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read logo: %w", err)
	}
	img, _, err := device.DecodeLogo(data)
	if err != nil {
		return nil, fmt.Errorf("stored logo %s: %w", key, err)
	}
	return img, nil
}
