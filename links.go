package helpdesk

import (
	"context"
	"fmt"
	"slices"

	"github.com/deskkit/helpdesk/device"

	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// Requester and session links are signed, not stored: a link's token names its tenant and
// record and carries a MAC under Config.SecretKeys over them and the ticket's LinkVersion
// (secret.Link). The Desk rebuilds a link for every notification from the key alone, raising
// LinkVersion revokes every link of a ticket, and a copy of the database builds none.

// The purposes of signed links, so a requester link never opens a session and back.
const (
	requesterPurpose = "requester"
	sessionPurpose   = "session"
)

// MinSecretKeyBytes is the shortest key Config.SecretKeys accepts.
const MinSecretKeyBytes = secret.MinKeyBytes

// requesterToken is the secret of t's requester link, signed with the current key.
func (d *Desk) requesterToken(t *ticket.Ticket) string {
	return secret.Link(d.cfg.SecretKeys[0], requesterPurpose, t.TenantID, t.ID, t.LinkVersion)
}

// sessionToken is the secret of the requester's link to session s of ticket t (join, accept,
// refuse): it ends with the ticket's requester link.
func (d *Desk) sessionToken(t *ticket.Ticket, s *ticket.Session) string {
	return secret.Link(d.cfg.SecretKeys[0], sessionPurpose, s.TenantID, s.ID, t.LinkVersion)
}

// requesterLinkURL is the URL of a requester link in notifications (see Config.BaseURL).
func (d *Desk) requesterLinkURL(token string) string { return d.cfg.BaseURL + "/requests/" + token }

// ticketURL is the back-office URL of a ticket in notifications (see Config.BaseURL).
func (d *Desk) ticketURL(id uuid.UUID) string { return d.cfg.BaseURL + "/tickets/" + id.String() }

// sessionLinkURL is the requester's page of a session; "/join", "/accept" and "/refuse" follow.
func (d *Desk) sessionLinkURL(token string) string { return d.cfg.BaseURL + "/sessions/" + token }

// RequesterPage is what a requester's link opens: their ticket, and the actor to act as.
type RequesterPage struct {
	// Actor is the requester link to pass to Ticket, Messages, PostMessage, Rate, Close, …
	// It works until the link is rotated (RotateRequesterLink). Keep it on the server: an
	// application that lets a client send an actor back would let it skip the link.
	Actor  tenant.Actor
	Ticket *ticket.Ticket
	// Form is the tenant's request form as public pages show it (branding, the support
	// e-mail address to show after submitting).
	Form *PublicForm
	// Actions are what the requester may start besides writing: device.ActionUploadMedia
	// (UploadMedia) and device.ActionRequestSession (RequestSession), each while the tenant's
	// offer includes it (tenant.Offer.MediaUpload, ContactAgent) and, for a ticket opened
	// through a device code, while that code offers it. A ticket opened otherwise (by staff,
	// a customer user, a request link) follows the tenant's offer alone. A page shows what
	// is listed and hides the rest: the Desk refuses the rest (ErrNotOffered,
	// ErrCodeUnusable). The ticket's state, media count, quotas and transfer window still
	// decide each call.
	Actions []device.Action
}

// Offers reports whether the requester may start action a (see Actions).
func (p *RequesterPage) Offers(a device.Action) bool { return slices.Contains(p.Actions, a) }

// OpenRequesterLink resolves the secret of a requester's link (Submitted.RequesterToken, or
// the link in the requester's notifications) into that one ticket and an actor reaching it
// alone. The token is the credential: no actor is needed. Returns ErrInvalidLink for a token
// that is unknown, malformed, signed with a key no longer configured or rotated away
// (RotateRequesterLink), and once the ticket has been closed for longer than the tenant's
// public-page access limit (tenant.Settings.PublicAccessDays); the actor stops working then
// too.
func (d *Desk) OpenRequesterLink(ctx context.Context, token string) (*RequesterPage, error) {
	fail := func(err error) (*RequesterPage, error) { return nil, fmt.Errorf("open requester link: %w", err) }
	tid, id, ok := secret.ParseLink(token)
	if !ok {
		return fail(ErrInvalidLink)
	}
	t, err := d.store.GetTicket(ctx, tid, id)
	switch {
	case isNotFound(err):
		return fail(ErrInvalidLink)
	case err != nil:
		return fail(err)
	case !secret.CheckLink(d.cfg.SecretKeys, token, requesterPurpose, tid, id, t.LinkVersion):
		return fail(ErrInvalidLink)
	}
	if err := d.checkPublicAccess(ctx, d.store, t); err != nil {
		return fail(err)
	}
	ten, err := d.store.GetTenant(ctx, t.TenantID)
	if err != nil {
		return fail(err)
	}
	actions, err := d.requesterActions(ctx, d.store, t, ten)
	if err != nil {
		return fail(err)
	}
	return &RequesterPage{Actor: tenant.RequesterLink(t.TenantID, t.ID, t.LinkVersion, t.Requester.Name), Ticket: t,
		Form: publicForm(ten), Actions: actions}, nil
}

// requesterActions lists what the requester of t may start (RequesterPage.Actions): what
// the tenant's offer includes and, for a ticket opened through a code, what the code offers,
// as checkUpload, requestSession and checkCodeOffers decide. A code since deleted offers
// nothing.
func (d *Desk) requesterActions(ctx context.Context, q storage.Queries, t *ticket.Ticket, ten *tenant.Tenant) ([]device.Action, error) {
	offer := ten.Settings.EffectiveOffer()
	var code *device.Code
	if t.CodeID != uuid.Nil {
		var err error
		code, err = q.GetCode(ctx, t.TenantID, t.CodeID)
		switch {
		case isNotFound(err):
			return nil, nil
		case err != nil:
			return nil, fmt.Errorf("code of %s: %w", t.Ref(), err)
		}
	}
	var out []device.Action
	for _, a := range []struct {
		action  device.Action
		offered bool
	}{{device.ActionUploadMedia, offer.MediaUpload}, {device.ActionRequestSession, offer.ContactAgent}} {
		if a.offered && (code == nil || code.Allows(a.action)) {
			out = append(out, a.action)
		}
	}
	return out, nil
}

// PublicForm returns the request form of the actor's tenant as public pages show it: to any
// actor of the tenant, such as the requester-link actor of a session link (OpenSessionLink),
// for the page's branding. Returns ErrNotFound for an actor without a tenant, and
// tenant.ErrInvalidActor.
func (d *Desk) PublicForm(ctx context.Context, actor tenant.Actor) (*PublicForm, error) {
	if err := actor.Validate(); err != nil {
		return nil, fmt.Errorf("public form: %w", err)
	}
	if actor.TenantID == uuid.Nil {
		return nil, fmt.Errorf("public form: %w", storage.ErrNotFound)
	}
	ten, err := d.store.GetTenant(ctx, actor.TenantID)
	if err != nil {
		return nil, fmt.Errorf("public form: %w", err)
	}
	return publicForm(ten), nil
}

// checkLinkActor ends a requester-link actor's access when its ticket's link was rotated
// after the actor was made, or the ticket's public page has closed.
func (d *Desk) checkLinkActor(ctx context.Context, q storage.Queries, actor tenant.Actor, t *ticket.Ticket) error {
	if actor.LinkVersion != t.LinkVersion {
		return fmt.Errorf("%w: the link was replaced", ErrInvalidLink)
	}
	return d.checkPublicAccess(ctx, q, t)
}

// RotateRequesterLink replaces the requester's link to a ticket and its session links: every
// link given out before stops working, actors made from them too. The requester is sent the
// new link with the ticket's next notification; the new token is returned to hand over
// another way. Staff may (tenant.ActTicketLink); the rotation is recorded in the ticket's
// history. Deactivating a user rotates the links of the tickets they opened. Returns
// ErrNotFound, ErrForbidden and ErrConflict when a concurrent change won.
func (d *Desk) RotateRequesterLink(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID) (string, error) {
	t, err := d.changeTicket(ctx, actor, ticketID, "link.rotated", tenant.ActTicketLink,
		func(_ storage.Queries, t *ticket.Ticket, h *ticket.HistoryEntry) error {
			t.LinkVersion++
			h.From, h.To = string(t.State), string(t.State)
			return nil
		})
	if err != nil {
		return "", err
	}
	return d.requesterToken(t), nil
}
