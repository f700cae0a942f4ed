package helpdesk

import (
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"github.com/deskkit/helpdesk/internal/safehttp"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// MaxPushSubscriptions is how many browsers one user may subscribe to push notifications.
const MaxPushSubscriptions = 10

// maxEndpointLength bounds a push endpoint; push services' URLs are a few hundred bytes.
const maxEndpointLength = 2048

// maxUserAgentLength bounds a subscription's label, in characters; a longer one is cut.
const maxUserAgentLength = 120

// ErrTooManyPushSubscriptions means the user has MaxPushSubscriptions already: remove one
// first. It is also a storage.ErrConflict.
var ErrTooManyPushSubscriptions error = &kindError{
	msg: fmt.Sprintf("at most %d browsers per user receive push notifications", MaxPushSubscriptions),
	of:  storage.ErrConflict}

// PushSubscriptionInput is a browser's push subscription, as its PushSubscription.toJSON()
// gives it ({endpoint, keys: {p256dh, auth}}), with a label for the user.
type PushSubscriptionInput struct {
	// Endpoint is the push service's URL for the browser; it must be https.
	Endpoint string
	// P256dh is the browser's P-256 public key and Auth its 16-byte authentication secret,
	// base64url (with or without padding).
	P256dh string
	Auth   string
	// UserAgent is a label the user recognises the browser by, such as "Firefox on Linux";
	// it is cut to 120 characters.
	UserAgent string
}

// AddPushSubscription subscribes the acting user's browser to their push notifications, and
// returns the stored subscription. The Desk sends push notifications to each browser a user
// subscribed while the user has push switched on (UserEdit.Push). An endpoint is one
// browser's: subscribing it again replaces its keys, and when another user of the tenant had
// subscribed it (a shared computer), it is theirs no longer.
//
// Errors: ErrForbidden for actors other than employees and customer users; a
// *ValidationError for an endpoint that is not an https URL, a p256dh that is not a P-256
// public key or an auth that is not 16 bytes; ErrTooManyPushSubscriptions when the user has
// MaxPushSubscriptions other browsers subscribed.
func (d *Desk) AddPushSubscription(ctx context.Context, actor tenant.Actor, in PushSubscriptionInput) (*notify.PushSubscription, error) {
	fail := func(err error) (*notify.PushSubscription, error) {
		return nil, fmt.Errorf("add push subscription: %w", err)
	}
	tid, err := authorize(actor, tenant.ActPush)
	if err != nil {
		return fail(err)
	}
	sub, err := pushSubscription(in, d.cfg.AllowPrivateTargets)
	if err != nil {
		return fail(err)
	}
	sub.ID, sub.TenantID, sub.UserID, sub.CreatedAt = newID(), tid, actor.UserID, d.clock()
	err = d.inTx(ctx, func(q storage.Queries) error {
		if _, err := q.DeletePushSubscriptionEndpoint(ctx, tid, sub.Endpoint); err != nil {
			return err
		}
		subs, err := q.ListPushSubscriptions(ctx, tid, actor.UserID)
		if err != nil {
			return err
		}
		if len(subs) >= MaxPushSubscriptions {
			return ErrTooManyPushSubscriptions
		}
		return q.CreatePushSubscription(ctx, sub)
	})
	if err != nil {
		return fail(err)
	}
	return sub, nil
}

// pushSubscription checks in and returns it as a subscription, its keys in base64url without
// padding.
func pushSubscription(in PushSubscriptionInput, allowPrivate bool) (*notify.PushSubscription, error) {
	endpoint := strings.TrimSpace(in.Endpoint)
	u, err := url.Parse(endpoint)
	switch {
	case len(endpoint) > maxEndpointLength:
		return nil, invalid("endpoint", "is longer than %d bytes", maxEndpointLength)
	case err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "":
		return nil, invalid("endpoint", "is not an https URL")
	case !allowPrivate && !safehttp.PublicHost(u.Host):
		return nil, invalid("endpoint", "does not point to a public push service")
	}
	p256dh, err := decodeBase64URL(in.P256dh)
	if err == nil {
		_, err = ecdh.P256().NewPublicKey(p256dh)
	}
	if err != nil {
		return nil, invalid("p256dh", "is not a P-256 public key in base64url")
	}
	auth, err := decodeBase64URL(in.Auth)
	if err != nil || len(auth) != 16 {
		return nil, invalid("auth", "is not a 16-byte secret in base64url")
	}
	label := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.TrimSpace(in.UserAgent))
	if r := []rune(label); len(r) > maxUserAgentLength {
		label = string(r[:maxUserAgentLength])
	}
	return &notify.PushSubscription{Endpoint: endpoint, P256dh: base64.RawURLEncoding.EncodeToString(p256dh),
		Auth: base64.RawURLEncoding.EncodeToString(auth), UserAgent: label}, nil
}

func decodeBase64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(strings.TrimSpace(s), "="))
}

// RemovePushSubscription unsubscribes one of the acting user's browsers. Errors:
// ErrForbidden for actors other than employees and customer users; ErrNotFound when id is
// not one of the actor's own subscriptions.
func (d *Desk) RemovePushSubscription(ctx context.Context, actor tenant.Actor, id uuid.UUID) error {
	tid, err := authorize(actor, tenant.ActPush)
	if err != nil {
		return fmt.Errorf("remove push subscription %s: %w", id, err)
	}
	if err := d.store.DeletePushSubscription(ctx, tid, actor.UserID, id); err != nil {
		return fmt.Errorf("remove push subscription %s: %w", id, err)
	}
	return nil
}

// PushSubscriptions lists the acting user's own push subscriptions, oldest first. Returns
// ErrForbidden for actors other than employees and customer users.
func (d *Desk) PushSubscriptions(ctx context.Context, actor tenant.Actor) ([]*notify.PushSubscription, error) {
	tid, err := authorize(actor, tenant.ActPush)
	if err != nil {
		return nil, fmt.Errorf("push subscriptions: %w", err)
	}
	subs, err := d.store.ListPushSubscriptions(ctx, tid, actor.UserID)
	if err != nil {
		return nil, fmt.Errorf("push subscriptions: %w", err)
	}
	return subs, nil
}

// sendPush hands m to a push notifier with the recipient's subscriptions, if the recipient
// still has push switched on, and deletes the subscriptions the push service said are gone.
func (d *Desk) sendPush(ctx context.Context, pn notify.PushNotifier, m *notify.Message) (notify.Receipt, error) {
	u, err := d.store.GetUser(ctx, m.TenantID, m.To.UserID)
	if isNotFound(err) {
		return notify.Receipt{}, notify.Permanent(fmt.Errorf("the recipient %s: %w", m.To.UserID, err))
	}
	if err != nil {
		return notify.Receipt{}, err
	}
	if !u.Push || u.Status != tenant.UserActive {
		return notify.Receipt{}, notify.Permanent(errors.New("the recipient switched push notifications off"))
	}
	subs, err := d.store.ListPushSubscriptions(ctx, m.TenantID, m.To.UserID)
	if err != nil {
		return notify.Receipt{}, err
	}
	if len(subs) == 0 {
		return notify.Receipt{}, notify.Permanent(errors.New("the recipient has no browser subscribed to push notifications"))
	}
	rec, err := pn.SendPush(ctx, m, subs)
	for _, id := range rec.Gone {
		// The sends happened: record what they taught even if ctx ended meanwhile.
		derr := d.store.DeletePushSubscription(context.WithoutCancel(ctx), m.TenantID, m.To.UserID, id)
		if derr != nil && !isNotFound(derr) {
			d.cfg.Logger.Warn("helpdesk: delete a gone push subscription", "subscription", id, "error", derr)
		}
	}
	return rec.Receipt, err
}
