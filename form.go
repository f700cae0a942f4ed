package helpdesk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig reads the background's header
	_ "image/png"  // and the logo's
	"io"
	"path"
	"slices"
	"strings"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/gabriel-vasile/mimetype"
	"github.com/google/uuid"
)

// Limits of the request form's settings.
const (
	// MaxFormTypes caps the request form's type list.
	MaxFormTypes = 50
	// MaxBrandingBytes caps a branding image (logo or background): 5 MB.
	MaxBrandingBytes = 5 << 20
	// MinBrandingWidth and MinBrandingHeight are the smallest size of a branding image, in
	// pixels.
	MinBrandingWidth  = 1024
	MinBrandingHeight = 680
	// MinAccentContrast is the least contrast ratio of white text on the accent colour
	// (WCAG 2.x, level AA for normal text).
	MinAccentContrast = 4.5
)

// ErrAccentTooLight means a request form's accent colour leaves white text on it below
// MinAccentContrast. It comes wrapped in a *ValidationError for the field "form.accent".
var ErrAccentTooLight = errors.New("accent colour too light for white text")

// UpdateSettings replaces the tenant's settings with s. version must be the tenant's Version
// as the caller read it: settings changed since (by anyone) are not overwritten, the update
// fails with ErrConflict and the caller reads them again. The request form's files (s.Form's
// Logo, Background and Report) keep what is stored: SetFormFile changes them. Admins and the
// system may. Returns *ValidationError (a negative quota, a form text in a language other
// than those of tenant.FormLanguages, a bad URL or e-mail address, an accent colour too light
// for white text, wrapping ErrAccentTooLight, among others), ErrConflict or ErrForbidden.
func (d *Desk) UpdateSettings(ctx context.Context, actor tenant.Actor, version int64, s tenant.Settings) (*tenant.Tenant, error) {
	tid, err := authorize(actor, tenant.ActTenantSettings)
	if err != nil {
		return nil, fmt.Errorf("update settings: %w", err)
	}
	if s.PublicAccessDays < 0 || s.PublicAccessDays > 3650 {
		return nil, invalid("public_access_days", "%d is outside 0 (the default) to 3650", s.PublicAccessDays)
	}
	if s.NotificationRetentionDays < 0 || s.NotificationRetentionDays > tenant.MaxNotificationRetentionDays {
		return nil, invalid("notification_retention_days", "%d is outside 0 (the default, %d) to %d",
			s.NotificationRetentionDays, tenant.DefaultNotificationRetentionDays, tenant.MaxNotificationRetentionDays)
	}
	if err := s.Notifications.Check(); err != nil {
		return nil, invalid("notifications", "%s", strings.TrimPrefix(err.Error(), "notify: "))
	}
	if s.SupportLink != "" && !isHTTPURL(s.SupportLink) {
		return nil, invalid("support_link", "%q is not an http(s) URL", s.SupportLink)
	}
	if err := checkQuotas(s.Quotas); err != nil {
		return nil, err
	}
	if err := checkForm(&s.Form); err != nil {
		return nil, err
	}
	var ten *tenant.Tenant
	err = d.inTx(ctx, func(q storage.Queries) error {
		var err error
		if ten, err = q.GetTenant(ctx, tid); err != nil {
			return err
		}
		if ten.Version != version {
			return fmt.Errorf("%w: the settings changed since version %d (now %d)", storage.ErrConflict, version, ten.Version)
		}
		cur := ten.Settings.Form
		s.Form.Logo, s.Form.Background, s.Form.Report = cur.Logo, cur.Background, cur.Report
		ten.Settings, ten.UpdatedAt = s, d.clock()
		if err := q.UpdateTenant(ctx, ten); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "tenant.settings", "tenant", tid, fmt.Sprintf("%+v", s))
	})
	if err != nil {
		return nil, fmt.Errorf("update settings: %w", err)
	}
	return ten, nil
}

// checkForm normalises and checks the request form's settings.
func checkForm(f *tenant.RequestForm) error {
	if !f.Visibility.Valid() {
		return invalid("form.visibility", "%q is not one of public, customers, invited", f.Visibility)
	}
	for lang, t := range f.Texts {
		if !slices.Contains(tenant.FormLanguages, lang) {
			return invalid("form.texts", "%q is not one of %s", lang, strings.Join(tenant.FormLanguages, ", "))
		}
		t.Welcome, t.RequestHint, t.Help = strings.TrimSpace(t.Welcome), strings.TrimSpace(t.RequestHint), strings.TrimSpace(t.Help)
		for name, s := range map[string]string{"welcome": t.Welcome, "request_hint": t.RequestHint, "help": t.Help} {
			if err := checkLen("form.texts."+lang+"."+name, s, 0, MaxReasonLen); err != nil {
				return err
			}
		}
		f.Texts[lang] = t
	}
	if len(f.Types) > MaxFormTypes {
		return invalid("form.types", "has %d types; at most %d", len(f.Types), MaxFormTypes)
	}
	var types []string
	for i, ty := range f.Types {
		ty = strings.TrimSpace(ty)
		if err := checkLen(fmt.Sprintf("form.types[%d]", i), ty, 1, MaxNameLen); err != nil {
			return err
		}
		if slices.Contains(types, ty) {
			return invalid(fmt.Sprintf("form.types[%d]", i), "%q is listed twice", ty)
		}
		types = append(types, ty)
	}
	f.Types = types
	for field, u := range map[string]*string{"form.terms_url": &f.TermsURL, "form.guide_url": &f.GuideURL} {
		*u = strings.TrimSpace(*u)
		if *u != "" && !isHTTPURL(*u) {
			return invalid(field, "%q is not an http(s) URL", *u)
		}
	}
	f.SupportEmail = strings.TrimSpace(f.SupportEmail)
	if f.SupportEmail != "" && !isEmail(f.SupportEmail) {
		return invalid("form.support_email", "%q is not an e-mail address", f.SupportEmail)
	}
	f.Accent = strings.ToLower(strings.TrimSpace(f.Accent))
	if f.Accent != "" {
		c, err := device.Contrast(f.Accent, "#ffffff")
		if err != nil {
			return invalid("form.accent", "%q is not a colour such as #1a2b3c", f.Accent)
		}
		if c < MinAccentContrast {
			return &ValidationError{Field: "form.accent", Err: ErrAccentTooLight,
				Problem: fmt.Sprintf("white text on %s has a contrast of %.2f:1; it needs %.1f:1 at least", f.Accent, c, MinAccentContrast)}
		}
	}
	return nil
}

// FormFile names one of the request form's files.
type FormFile string

// The request form's files.
const (
	// FormLogo is the public pages' logo: a PNG of at least MinBrandingWidth ×
	// MinBrandingHeight pixels and at most MaxBrandingBytes.
	FormLogo FormFile = "logo"
	// FormBackground is the public pages' background: a JPEG with the logo's limits.
	FormBackground FormFile = "background"
	// FormReport is the report template: a document (PDF, office document, image…) attached to
	// every new ticket and shared with its requester; at most Config.MaxUploadSize.
	FormReport FormFile = "report"
)

// slot returns where f's reference lives in the form.
func (f FormFile) slot(form *tenant.RequestForm) **tenant.File {
	switch f {
	case FormLogo:
		return &form.Logo
	case FormBackground:
		return &form.Background
	case FormReport:
		return &form.Report
	}
	return nil
}

// SetFormFile stores up as the request form's file which (with up nil, clears it), and
// deletes the content it replaces. version must be the tenant's Version as the caller read
// it, as for UpdateSettings. A branding image is checked by its content, never its name: its
// header must decode (image.DecodeConfig) as a PNG for the logo or a JPEG for the background,
// of at least MinBrandingWidth × MinBrandingHeight pixels, and the file may hold at most
// MaxBrandingBytes. The report template may be any file but an active one (HTML, SVG,
// scripts) and at most Config.MaxUploadSize. Admins and the system may. Returns
// *ValidationError (field "file"; nothing is stored), ErrConflict or ErrForbidden.
func (d *Desk) SetFormFile(ctx context.Context, actor tenant.Actor, version int64, which FormFile, up *Upload) (*tenant.Tenant, error) {
	fail := func(err error) (*tenant.Tenant, error) { return nil, fmt.Errorf("set form %s: %w", which, err) }
	tid, err := authorize(actor, tenant.ActTenantSettings)
	if err != nil {
		return fail(err)
	}
	if which.slot(&tenant.RequestForm{}) == nil {
		return fail(invalid("which", "%q is not one of logo, background, report", which))
	}
	var file *tenant.File
	if up != nil {
		if file, err = d.readFormFile(ctx, tid, which, *up); err != nil {
			return fail(err)
		}
	}
	var ten *tenant.Tenant
	var old *tenant.File
	err = d.inTx(ctx, func(q storage.Queries) error {
		var err error
		if ten, err = q.GetTenant(ctx, tid); err != nil {
			return err
		}
		if ten.Version != version {
			return fmt.Errorf("%w: the settings changed since version %d (now %d)", storage.ErrConflict, version, ten.Version)
		}
		slot := which.slot(&ten.Settings.Form)
		old, *slot = *slot, file
		ten.UpdatedAt = d.clock()
		if err := q.UpdateTenant(ctx, ten); err != nil {
			return err
		}
		detail := "cleared"
		if file != nil {
			detail = fmt.Sprintf("%s (%s, %d bytes)", file.Name, file.ContentType, file.Size)
		}
		return d.audit(ctx, q, actor, tid, "tenant.form_"+string(which), "tenant", tid, detail)
	})
	if err != nil {
		if file != nil {
			d.dropKey(ctx, file.Key)
		}
		return fail(err)
	}
	if old != nil {
		d.dropKey(ctx, old.Key)
	}
	return ten, nil
}

// readFormFile checks up as the form's file which and writes it to the blob store.
func (d *Desk) readFormFile(ctx context.Context, tid uuid.UUID, which FormFile, up Upload) (*tenant.File, error) {
	name, err := cleanFileName(up.Name)
	if err != nil {
		return nil, err
	}
	if up.Body == nil {
		return nil, invalid("file", "%s has no content", name)
	}
	limit := d.cfg.MaxUploadSize
	if which != FormReport {
		limit = MaxBrandingBytes
	}
	// Read whole (at most limit+1 bytes): an image's header is decoded before anything is
	// stored, and a branding image is small.
	body, err := io.ReadAll(io.LimitReader(up.Body, limit+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", name, err)
	case len(body) == 0:
		return nil, invalid("file", "%s is empty", name)
	case int64(len(body)) > limit:
		return nil, invalid("file", "%s is larger than %d bytes", name, limit)
	}
	f := &tenant.File{Name: name, ContentType: mimetype.Detect(body).String(), Size: int64(len(body)), UpdatedAt: d.clock()}
	if which == FormReport {
		if activeContent(f.ContentType) {
			return nil, invalid("file", "%s is %s, which a browser would run; give a document such as a PDF", name, f.ContentType)
		}
	} else {
		want := map[FormFile]string{FormLogo: "png", FormBackground: "jpeg"}[which]
		cfg, format, err := image.DecodeConfig(bytes.NewReader(body))
		switch {
		case err != nil || format != want:
			return nil, invalid("file", "%s is not a %s image", name, strings.ToUpper(want))
		case cfg.Width < MinBrandingWidth || cfg.Height < MinBrandingHeight:
			return nil, invalid("file", "%s is %d×%d pixels; it needs %d×%d at least", name, cfg.Width, cfg.Height, MinBrandingWidth, MinBrandingHeight)
		}
		f.ContentType, f.Width, f.Height = "image/"+want, cfg.Width, cfg.Height
	}
	sum := sha256.Sum256(body)
	f.Digest = hex.EncodeToString(sum[:])
	f.Key = path.Join(tid.String(), "form", string(which)+"-"+newID().String())
	if err := d.cfg.Blobs.Put(ctx, f.Key, bytes.NewReader(body), f.ContentType); err != nil {
		return nil, fmt.Errorf("store %s: %w", name, err)
	}
	return f, nil
}

// dropKey deletes a blob that is no longer referred to ("" is none); a failure leaves an
// orphan, logged.
func (d *Desk) dropKey(ctx context.Context, key string) {
	if key == "" {
		return
	}
	if err := d.cfg.Blobs.Delete(context.WithoutCancel(ctx), key); err != nil {
		d.cfg.Logger.Warn("helpdesk: deleting a stored file failed", "key", key, "err", err)
	}
}

// OpenFormFile returns the request form's file which of the actor's tenant, with its content,
// which the caller closes. The logo and the background are public branding: every actor of
// the tenant may read them, code holders and requester links included; the report template
// is read by staff here (requesters find it among their ticket's files). Serve the content
// with the file's ContentType and X-Content-Type-Options: nosniff; File.Digest makes a good
// ETag. Returns ErrNotFound when the tenant has no such file, ErrForbidden for a requester
// asking for the report template, and tenant.ErrInvalidActor.
func (d *Desk) OpenFormFile(ctx context.Context, actor tenant.Actor, which FormFile) (*tenant.File, io.ReadCloser, error) {
	fail := func(err error) (*tenant.File, io.ReadCloser, error) {
		return nil, nil, fmt.Errorf("open form %s: %w", which, err)
	}
	if err := actor.Validate(); err != nil {
		return fail(err)
	}
	if actor.TenantID == uuid.Nil {
		return fail(storage.ErrNotFound)
	}
	if which == FormReport && !actor.IsStaff() {
		return fail(ErrForbidden)
	}
	ten, err := d.store.GetTenant(ctx, actor.TenantID)
	if err != nil {
		return fail(err)
	}
	slot := which.slot(&ten.Settings.Form)
	if slot == nil || *slot == nil {
		return fail(storage.ErrNotFound)
	}
	f := *slot
	rc, err := d.cfg.Blobs.Open(ctx, f.Key)
	if err != nil {
		return fail(err)
	}
	return f, rc, nil
}

// PublicForm is what a public page shows of the tenant's request form: no blob keys, nothing
// secret.
type PublicForm struct {
	// Operator is the tenant's name, the service the public pages speak for.
	Operator string
	// Visibility is who may open a ticket from the device's page (never empty).
	Visibility tenant.Visibility
	// Language is the tenant's language, the texts' first fallback.
	Language string
	// Texts are the form's texts by language; pick with Text.
	Texts map[string]tenant.FormTexts
	// Types is the list a requester picks the type from; empty means free text.
	Types []string
	// TermsURL, when set, must be accepted (NewTicket.AcceptTerms) to submit.
	TermsURL     string
	GuideURL     string
	SupportEmail string
	// Accent is the accent colour ("#rrggbb") or empty.
	Accent string
	// Logo and Background describe the branding images (nil when none): Digest versions
	// their URLs. Open them with OpenFormFile.
	Logo, Background *FormFileInfo
	// Report says that a report template is attached to every new ticket (nil when none).
	Report *FormFileInfo
}

// FormFileInfo describes one of the request form's files, without where it is kept.
type FormFileInfo struct {
	Name          string
	ContentType   string
	Size          int64
	Digest        string
	Width, Height int
}

// Text returns the texts for a visitor reading lang, each falling back to the tenant's
// language, then English (tenant.RequestForm.Text).
func (p *PublicForm) Text(lang string) tenant.FormTexts {
	return tenant.RequestForm{Texts: p.Texts}.Text(lang, p.Language)
}

// publicForm is the public part of ten's request form.
func publicForm(ten *tenant.Tenant) *PublicForm {
	f := ten.Settings.Form
	info := func(file *tenant.File) *FormFileInfo {
		if file == nil {
			return nil
		}
		return &FormFileInfo{Name: file.Name, ContentType: file.ContentType, Size: file.Size, Digest: file.Digest,
			Width: file.Width, Height: file.Height}
	}
	texts := make(map[string]tenant.FormTexts, len(f.Texts))
	for k, v := range f.Texts {
		texts[k] = v
	}
	return &PublicForm{Operator: ten.Name, Visibility: f.Visibility.Effective(), Language: ten.Language, Texts: texts,
		Types: slices.Clone(f.Types), TermsURL: f.TermsURL, GuideURL: f.GuideURL, SupportEmail: f.SupportEmail,
		Accent: f.Accent, Logo: info(f.Logo), Background: info(f.Background), Report: info(f.Report)}
}

// checkFormRules applies the tenant's request form to a submission: the visibility to code
// holders, the terms and the type list to code holders and customer users.
func checkFormRules(actor tenant.Actor, f tenant.RequestForm, in *NewTicket) error {
	if actor.Kind == tenant.ActorCodeHolder && actor.RequestLinkID == uuid.Nil {
		switch f.Visibility.Effective() {
		case tenant.VisibilityCustomers:
			return ErrSignInRequired
		case tenant.VisibilityInvited:
			return ErrRequestLinkRequired
		}
	}
	if actor.IsStaff() {
		return nil
	}
	if f.TermsURL != "" && !in.AcceptTerms {
		return invalid("accept_terms", "the terms at %s must be accepted", f.TermsURL)
	}
	if len(f.Types) > 0 && !slices.Contains(f.Types, in.Type) {
		if in.Type == "" {
			return invalid("type", "is required: choose one of %s", strings.Join(f.Types, ", "))
		}
		return invalid("type", "%q is not one of %s", in.Type, strings.Join(f.Types, ", "))
	}
	return nil
}

// copyReport copies the tenant's report template, if it has one, as a public file of the new
// ticket t, and returns its attachment record, not yet stored.
func (d *Desk) copyReport(ctx context.Context, ten *tenant.Tenant, t *ticket.Ticket) (*ticket.Attachment, error) {
	f := ten.Settings.Form.Report
	if f == nil {
		return nil, nil
	}
	rc, err := d.cfg.Blobs.Open(ctx, f.Key)
	if err != nil {
		return nil, fmt.Errorf("report template: %w", err)
	}
	defer rc.Close()
	a := &ticket.Attachment{ID: newID(), TenantID: t.TenantID, TicketID: t.ID, Visibility: ticket.Public, Name: f.Name,
		ContentType: f.ContentType, Size: f.Size, Digest: f.Digest, Uploader: tenant.SystemFor(t.TenantID).Ref(),
		CreatedAt: t.CreatedAt}
	a.Key = path.Join(t.TenantID.String(), t.ID.String(), a.ID.String())
	if err := d.cfg.Blobs.Put(ctx, a.Key, rc, a.ContentType); err != nil {
		return nil, fmt.Errorf("report template: %w", err)
	}
	return a, nil
}
