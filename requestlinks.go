package helpdesk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// requestLinkPurpose signs request links, so a request link never opens a ticket or a session
// and back.
const requestLinkPurpose = "request_form"

// Request links live at most this long, and this long when the caller does not say.
const (
	DefaultRequestLinkTTL = 7 * 24 * time.Hour
	MaxRequestLinkTTL     = 90 * 24 * time.Hour
)

// NewRequestLink describes a request link to send.
type NewRequestLink struct {
	// Contact is who the link is for: a name and an e-mail address (where the link is sent)
	// are required, a phone number and a language optional. A ticket opened through the
	// link has them as its requester.
	Contact ticket.Contact
	// TTL is how long the link works. Defaults to DefaultRequestLinkTTL; at most
	// MaxRequestLinkTTL.
	TTL time.Duration
}

// SentRequestLink is a request link SendRequestLink made.
type SentRequestLink struct {
	*ticket.RequestLink
	// Token is the link's secret, for OpenRequestLink; URL is Config.BaseURL +
	// "/request-links/" + Token, as the contact's e-mail gives it.
	Token string
	URL   string
}

// SendRequestLink sends a named contact, by e-mail (the request_link.sent event), a link with
// which they may open one ticket for a device: how a tenant whose request form is only for the
// invited (tenant.VisibilityInvited) lets someone ask for help, and how staff let someone in
// under any visibility. The link is signed with Config.SecretKeys, works once and until its
// TTL has passed. Staff may. Returns *ValidationError (contact, ttl), ErrNotFound (device)
// or ErrForbidden.
func (d *Desk) SendRequestLink(ctx context.Context, actor tenant.Actor, deviceID uuid.UUID, in NewRequestLink) (*SentRequestLink, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActRequestLink, deviceAt(deviceID))
	if err != nil {
		return nil, fmt.Errorf("send request link: %w", err)
	}
	c := in.Contact
	if err := checkContact(&c, false); err != nil {
		return nil, err
	}
	switch {
	case c.Name == "":
		return nil, invalid("requester.name", "is required")
	case c.Email == "":
		return nil, invalid("requester.email", "is required: the link is sent by e-mail")
	case in.TTL < 0 || in.TTL > MaxRequestLinkTTL:
		return nil, invalid("ttl", "%s is outside 0 (the default) to %s", in.TTL, MaxRequestLinkTTL)
	case in.TTL == 0:
		in.TTL = DefaultRequestLinkTTL
	}
	now := d.clock()
	l := &ticket.RequestLink{ID: newID(), TenantID: tid, DeviceID: deviceID, Contact: c, CreatedBy: actor.Ref(),
		ExpiresAt: now.Add(in.TTL), CreatedAt: now}
	token := secret.Link(d.cfg.SecretKeys[0], requestLinkPurpose, tid, l.ID, 1)
	sent := &SentRequestLink{RequestLink: l, Token: token, URL: d.cfg.BaseURL + "/request-links/" + token}
	err = d.inTx(ctx, func(q storage.Queries) error {
		dev, err := q.GetDevice(ctx, tid, deviceID)
		if err != nil {
			return fmt.Errorf("device %s: %w", deviceID, err)
		}
		if err := q.CreateRequestLink(ctx, l); err != nil {
			return err
		}
		o := occurrence{ev: notify.RequestLinkSent, actor: actor, contact: &c, deviceName: dev.Name,
			link: &OneTimeLink{Token: token, URL: sent.URL, ExpiresAt: l.ExpiresAt}}
		if err := d.notify(ctx, q, tid, o); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "request_link.sent", "device", deviceID, c.Email)
	})
	if err != nil {
		return nil, fmt.Errorf("send request link: %w", err)
	}
	return sent, nil
}

// RequestLinkPage is what a request link opens: the device, the form, and the actor to submit
// the ticket as.
type RequestLinkPage struct {
	// Actor is the code holder (tenant.Invitee) to pass to SubmitTicket: it reaches the link's
	// device alone and opens one ticket. Keep it on the server, made anew from the token on
	// each request.
	Actor tenant.Actor
	// Contact is who the link was sent to; the form may show it, and SubmitTicket fills what
	// the requester leaves blank from it.
	Contact   ticket.Contact
	ExpiresAt time.Time
	Device    *PublicDevice
	Form      *PublicForm
	// Actions are what the ticket's requester may start once it is submitted, as
	// RequesterPage.Actions: the tenant's offer alone decides, as no code is involved.
	Actions []device.Action
}

// OpenRequestLink resolves a request link's token (SentRequestLink.Token) into the device's
// public information, the form and an actor that may open one ticket for the device. The
// token is the credential: no actor is needed. Returns ErrInvalidLink for a token that is
// unknown, malformed, signed with a key no longer configured, already used or expired.
func (d *Desk) OpenRequestLink(ctx context.Context, token string) (*RequestLinkPage, error) {
	fail := func(err error) (*RequestLinkPage, error) { return nil, fmt.Errorf("open request link: %w", err) }
	l, err := d.requestLink(ctx, d.store, token)
	if err != nil {
		return fail(err)
	}
	dev, err := d.publicDevice(ctx, d.store, l.TenantID, l.DeviceID)
	if err != nil {
		return fail(err)
	}
	ten, err := d.store.GetTenant(ctx, l.TenantID)
	if err != nil {
		return fail(err)
	}
	actions, err := d.requesterActions(ctx, d.store, &ticket.Ticket{TenantID: l.TenantID}, ten)
	if err != nil {
		return fail(err)
	}
	return &RequestLinkPage{Actor: tenant.Invitee(l.TenantID, l.DeviceID, l.ID, l.Contact.Name), Contact: l.Contact,
		ExpiresAt: l.ExpiresAt, Device: dev, Form: publicForm(ten), Actions: actions}, nil
}

// RequestLinkActor returns the actor of a request link's token (SentRequestLink.Token), used or
// not: who is asking, for a server that must recognise the retry of a request that already
// used the link (an Idempotency-Key's owner). It opens nothing: SubmitTicket still refuses a
// link that is used or expired. Returns ErrInvalidLink for a token that is unknown,
// malformed or signed with a key no longer configured.
func (d *Desk) RequestLinkActor(ctx context.Context, token string) (tenant.Actor, error) {
	tid, id, ok := secret.ParseLink(token)
	if !ok || !secret.CheckLink(d.cfg.SecretKeys, token, requestLinkPurpose, tid, id, 1) {
		return tenant.Actor{}, fmt.Errorf("request link actor: %w", ErrInvalidLink)
	}
	l, err := d.store.GetRequestLink(ctx, tid, id)
	if isNotFound(err) {
		return tenant.Actor{}, fmt.Errorf("request link actor: %w", ErrInvalidLink)
	}
	if err != nil {
		return tenant.Actor{}, fmt.Errorf("request link actor: %w", err)
	}
	return tenant.Invitee(l.TenantID, l.DeviceID, l.ID, l.Contact.Name), nil
}

// requestLink finds the usable request link token names.
func (d *Desk) requestLink(ctx context.Context, q storage.Queries, token string) (*ticket.RequestLink, error) {
	tid, id, ok := secret.ParseLink(token)
	if !ok || !secret.CheckLink(d.cfg.SecretKeys, token, requestLinkPurpose, tid, id, 1) {
		return nil, ErrInvalidLink
	}
	l, err := q.GetRequestLink(ctx, tid, id)
	if isNotFound(err) {
		return nil, ErrInvalidLink
	}
	if err != nil {
		return nil, err
	}
	return l, usableRequestLink(l, d.clock())
}

// usableRequestLink refuses a used or expired request link.
func usableRequestLink(l *ticket.RequestLink, now time.Time) error {
	switch {
	case l.UsedAt != nil:
		return fmt.Errorf("%w: the request link was used", ErrInvalidLink)
	case !now.Before(l.ExpiresAt):
		return fmt.Errorf("%w: the request link expired", ErrInvalidLink)
	}
	return nil
}

// fillFromRequestLink gives a ticket opened through a request link the link's contact as its
// requester, for what the requester left blank.
func (d *Desk) fillFromRequestLink(ctx context.Context, actor tenant.Actor, in *NewTicket) error {
	l, err := d.store.GetRequestLink(ctx, actor.TenantID, actor.RequestLinkID)
	if isNotFound(err) {
		return ErrInvalidLink
	}
	if err != nil {
		return err
	}
	r := &in.Requester
	if strings.TrimSpace(r.Name) == "" {
		r.Name = l.Contact.Name
	}
	if strings.TrimSpace(r.Email) == "" {
		r.Email = l.Contact.Email
	}
	if strings.TrimSpace(r.Phone) == "" {
		r.Phone = l.Contact.Phone
	}
	if r.Language == "" {
		r.Language = l.Contact.Language
	}
	return nil
}

// checkInvitee checks, in the submitting transaction, that the request link of actor is still
// usable and for the device, and marks it used by ticket ticketID.
func (d *Desk) checkInvitee(ctx context.Context, q storage.Queries, actor tenant.Actor, ticketID uuid.UUID) error {
	l, err := q.GetRequestLink(ctx, actor.TenantID, actor.RequestLinkID)
	if isNotFound(err) {
		return ErrInvalidLink
	}
	if err != nil {
		return err
	}
	if l.DeviceID != actor.DeviceID {
		return ErrInvalidLink
	}
	if err := usableRequestLink(l, d.clock()); err != nil {
		return err
	}
	return q.UseRequestLink(ctx, actor.TenantID, l.ID, ticketID, d.clock())
}
