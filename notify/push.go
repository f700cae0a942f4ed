package notify

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// PushSubscription is one browser's Web Push subscription for a user: what the browser's
// PushManager.subscribe returned (the push service's endpoint and the browser's keys for
// RFC 8291 message encryption), as the user's own browser handed it to the Desk.
type PushSubscription struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	UserID   uuid.UUID
	// Endpoint is the push service's https URL for this browser; it is a capability, known
	// only to the browser, its push service and the Desk.
	Endpoint string
	// P256dh is the browser's P-256 public key (65 bytes, uncompressed) and Auth its 16-byte
	// authentication secret, both base64url without padding as the browser gives them.
	P256dh string
	Auth   string
	// UserAgent is a label the user recognises the browser by ("Firefox on Linux").
	UserAgent string
	CreatedAt time.Time
}

// PushReceipt is a push Notifier's answer for one message sent to a user's subscriptions.
type PushReceipt struct {
	Receipt
	// Gone lists the subscriptions the push service said no longer exist (HTTP 404 or 410):
	// the browser unsubscribed or the subscription expired. The Desk deletes them, whatever
	// error SendPush returned with it.
	Gone []uuid.UUID
}

// PushNotifier is a Notifier for the Push channel that delivers to the browsers a user
// subscribed (notify/webpush is one). The Desk calls SendPush instead of Send, with the
// recipient's subscriptions, at least one; SendPush returns nil when at least one
// subscription accepted the message and none failed in a way a retry could cure, and
// otherwise an error classified as Send's are (Permanent or transient).
type PushNotifier interface {
	Notifier
	SendPush(ctx context.Context, m *Message, subs []*PushSubscription) (PushReceipt, error)
}
