package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Channel is a way of reaching a recipient.
type Channel string

// The channels. In-app notifications are stored for the recipient's bell and need no
// Notifier; the others are delivered by the Notifier configured for them.
const (
	Email Channel = "email"
	SMS   Channel = "sms"
	InApp Channel = "inapp"
	Push  Channel = "push"
)

// Channels returns every channel, in a fixed order.
func Channels() []Channel { return []Channel{Email, SMS, InApp, Push} }

// Valid reports whether c is one of the channels.
func (c Channel) Valid() bool {
	switch c {
	case Email, SMS, InApp, Push:
		return true
	}
	return false
}

// Address is where one recipient is reached. UserID is set for users (uuid.Nil for a public
// requester); Email and Phone are set as far as they are known. Phone numbers are in E.164
// form ("+4930123456").
type Address struct {
	UserID uuid.UUID
	Name   string
	Email  string
	Phone  string
}

// Message is one notification rendered for its channel, as a Notifier receives it.
type Message struct {
	// ID identifies this delivery. It stays the same across retries.
	ID uuid.UUID
	// IdempotencyKey is stable across retries of the delivery; adapters pass it to providers
	// that deduplicate (the e-mail Message-ID, for example), so that a retry after a lost answer
	// is not delivered twice where the provider can prevent it.
	IdempotencyKey string
	TenantID       uuid.UUID
	Event          Event
	Channel        Channel
	// To is the recipient: Email for e-mail, Phone for SMS, UserID for in-app and push.
	To Address
	// Language is the language the message was rendered in ("en", "de", …).
	Language string
	// Subject is the e-mail subject, or the title of an in-app or push notification.
	Subject string
	// Text is the plain-text body: the e-mail's text part, the SMS, the in-app or push text.
	Text string
	// HTML is the e-mail's HTML body (already escaped); empty for other channels.
	HTML string
	// HeaderImage is the URL of the e-mail's header image; empty for none.
	HeaderImage string
	// Link is where an in-app or push notification leads.
	Link string
	// TicketID is the ticket the notification is about; uuid.Nil for account events.
	TicketID uuid.UUID
	// Attempt counts delivery attempts, 1 for the first.
	Attempt int
}

// Receipt is a provider's answer to an accepted message.
type Receipt struct {
	// ProviderID is the provider's own identifier for the message (a Twilio message SID, an
	// SMTP queue ID), used to match later delivery-status reports. It may be empty.
	ProviderID string
}

// Notifier delivers messages of one channel. Send returns once the provider has accepted the
// message (or refused it).
//
// An error wrapped with Permanent (errors.Is(err, ErrPermanent)) means retrying cannot help:
// a rejected address, a refused sender, bad credentials. Any other error is treated as
// transient and the delivery is retried with backoff. Send must honour ctx's deadline.
//
// The dispatcher calls Send from several goroutines at once, so a Notifier must be safe for
// concurrent use.
type Notifier interface {
	Send(ctx context.Context, m *Message) (Receipt, error)
}

// NotifierFunc adapts a function to the Notifier interface.
type NotifierFunc func(ctx context.Context, m *Message) (Receipt, error)

// Send calls f(ctx, m).
func (f NotifierFunc) Send(ctx context.Context, m *Message) (Receipt, error) { return f(ctx, m) }

// ErrPermanent marks a delivery failure that retrying cannot cure. Test with errors.Is.
var ErrPermanent = errors.New("permanent delivery failure")

// Permanent wraps err so that errors.Is(err, ErrPermanent) holds, keeping err's own identity
// and message. It returns nil for a nil err.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string   { return e.err.Error() }
func (e *permanentError) Unwrap() []error { return []error{e.err, ErrPermanent} }

// IsPermanent reports whether err is marked with Permanent.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }

// Status is where a notification stands in delivery.
type Status string

// The delivery statuses. A notification is pending until a Notifier accepts it (sent) or it
// fails for good (failed); a provider's later report may move a sent one to delivered or
// failed. In-app notifications are delivered as soon as they are stored.
const (
	StatusPending   Status = "pending"
	StatusSent      Status = "sent"
	StatusDelivered Status = "delivered"
	StatusFailed    Status = "failed"
)

// Notification is a stored delivery: one message for one recipient on one channel, with its
// delivery state. It is written in the same transaction as the change that caused it (the
// outbox) and delivered afterwards.
type Notification struct {
	Message
	Status Status
	// Attempts is how many delivery attempts have been made.
	Attempts int
	// NextAttemptAt is when the dispatcher may next try it (pending only).
	NextAttemptAt time.Time
	// LastError is the last attempt's error, or the provider's failure report.
	LastError string
	// ProviderID is the provider's identifier from the accepting Receipt.
	ProviderID string
	CreatedAt  time.Time
	// SentAt is when a Notifier accepted it; DeliveredAt when the provider reported delivery
	// (in-app: when stored).
	SentAt      *time.Time
	DeliveredAt *time.Time
	// ReadAt is when the recipient marked an in-app notification read.
	ReadAt *time.Time
	// Sealed holds, encrypted under the Desk's master key, the secret links the message
	// carries (one-time account links, requester and session links): the stored Subject,
	// Text, HTML and Link show placeholders, and the dispatcher puts the links in only when
	// it sends. The Desk never returns it.
	Sealed string
}

// StatusReport is a provider's later word on a sent message, such as an SMS delivery receipt.
type StatusReport struct {
	Channel Channel
	// ProviderID is the Receipt.ProviderID the message was accepted under.
	ProviderID string
	// Delivered is true for a delivery confirmation and false for a failure.
	Delivered bool
	// Detail says why a delivery failed (a provider error code and text).
	Detail string
}

// StatusSink records providers' status reports; the helpdesk Desk is one. Adapters with
// delivery callbacks (twiliosms.StatusHandler) report to it.
type StatusSink interface {
	// ReportDelivery records r. It returns an error wrapping storage.ErrNotFound when no
	// notification was sent under r.ProviderID.
	ReportDelivery(ctx context.Context, r StatusReport) error
}

// String renders a short description of the message for logs: channel, event and recipient.
func (m *Message) String() string {
	to := m.To.Email
	switch m.Channel {
	case SMS:
		to = m.To.Phone
	case InApp, Push:
		to = m.To.UserID.String()
	}
	return fmt.Sprintf("%s %s to %s", m.Channel, m.Event, to)
}
