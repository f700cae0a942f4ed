package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/google/uuid"
)

// The headers of a delivery, as the specification names them.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts every secret.
const SecretPrefix = "whsec_"

// Secret key sizes the specification allows, in bytes.
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
)

// TestEvent is the type of the payload a test send carries (Desk.TestWebhook); it is not an
// event of the notify catalogue, so no endpoint subscribes to it.
const TestEvent = "webhook.test"

// Errors of Verify and Sign; test with errors.Is.
var (
	// ErrSecret means a secret is not "whsec_" + base64 of 24 to 64 bytes.
	ErrSecret = errors.New("webhook: malformed secret")
	// ErrMissingHeaders means a request lacks one of the three webhook headers.
	ErrMissingHeaders = errors.New("webhook: missing webhook-id, webhook-timestamp or webhook-signature")
	// ErrTimestamp means the webhook-timestamp is malformed or outside the tolerance: the
	// request may be a replay of an old one.
	ErrTimestamp = errors.New("webhook: timestamp outside the tolerance")
	// ErrNoMatch means no signature of the request matches any of the secrets.
	ErrNoMatch = errors.New("webhook: no matching signature")
)

// NewSecret returns a new random secret: "whsec_" and the base64 of 32 random bytes. It
// returns an error only if the system's random source fails.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook: new secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// key returns the HMAC key of secret. Returns ErrSecret.
func key(secret string) ([]byte, error) {
	raw, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: no %q prefix", ErrSecret, SecretPrefix)
	}
	k, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSecret, err)
	}
	if len(k) < MinSecretBytes || len(k) > MaxSecretBytes {
		return nil, fmt.Errorf("%w: %d bytes, not %d to %d", ErrSecret, len(k), MinSecretBytes, MaxSecretBytes)
	}
	return k, nil
}

// Sign returns the signature of body sent as message msgID at ts under secret, as the
// webhook-signature header carries it: "v1," and the base64 of HMAC-SHA256 over
// "msgID.unixseconds.body". Returns ErrSecret.
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	k, err := key(secret)
	if err != nil {
		return "", err
	}
	return sign(k, msgID, ts.Unix(), body), nil
}

func sign(k []byte, msgID string, unix int64, body []byte) string {
	h := hmac.New(sha256.New, k)
	h.Write([]byte(msgID))
	h.Write([]byte{'.'})
	h.Write([]byte(strconv.FormatInt(unix, 10)))
	h.Write([]byte{'.'})
	h.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// Headers returns the three webhook headers of body sent as message msgID at ts, signed with
// every one of secrets (the current one first; during a rotation the previous one too).
// Returns ErrSecret.
func Headers(secrets []string, msgID string, ts time.Time, body []byte) (http.Header, error) {
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		sig, err := Sign(s, msgID, ts, body)
		if err != nil {
			return nil, err
		}
		sigs = append(sigs, sig)
	}
	h := http.Header{}
	h.Set(HeaderID, msgID)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, strings.Join(sigs, " "))
	return h, nil
}

// Verify checks a received request as a receiver should: its three headers are present, its
// timestamp lies within tolerance of now (5 minutes when tolerance is 0), and one of its
// signatures is body's under one of secrets (a receiver holds two while it rotates). Returns
// ErrMissingHeaders, ErrTimestamp, ErrNoMatch or ErrSecret.
func Verify(secrets []string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	id, ts, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || ts == "" || sigs == "" {
		return ErrMissingHeaders
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q is not unix seconds", ErrTimestamp, ts)
	}
	if tolerance <= 0 {
		tolerance = 5 * time.Minute
	}
	if at := time.Unix(unix, 0); at.Before(now.Add(-tolerance)) || at.After(now.Add(tolerance)) {
		return fmt.Errorf("%w: %s is more than %s from %s", ErrTimestamp, at.UTC(), tolerance, now.UTC())
	}
	got := strings.Fields(sigs)
	for _, s := range secrets {
		k, err := key(s)
		if err != nil {
			return err
		}
		want := []byte(sign(k, id, unix, body))
		if slices.ContainsFunc(got, func(g string) bool { return hmac.Equal([]byte(g), want) }) {
			return nil
		}
	}
	return ErrNoMatch
}

// Endpoint is a receiver a tenant registered: the URL its events are POSTed to.
type Endpoint struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	// URL is an http or https URL of at most 2048 bytes, without user info.
	URL         string
	Description string
	// Events are the events the endpoint hears of; empty means every event.
	Events []notify.Event
	// Active endpoints get deliveries; an inactive one gets none until it is enabled again.
	Active bool
	// DisabledReason says why the endpoint was switched off (by a person or after a run of
	// failures), and DisabledAt when; both are empty while it is active.
	DisabledReason string
	DisabledAt     *time.Time
	// FailureCount is the run of consecutive failed attempts, reset by a success or by
	// enabling the endpoint again.
	FailureCount int
	// LastAttemptAt, LastStatus and LastError describe the latest delivery attempt: its
	// time, the receiver's HTTP status (0 when none answered) and the error ("" on success).
	LastAttemptAt *time.Time
	LastStatus    int
	LastError     string
	// SealedSecret is the signing secret, sealed under the embedder's master key; the Desk
	// never returns it (the secret is shown once, when made). SealedPreviousSecret is the
	// secret before the latest rotation, which also signs until PreviousSecretUntil.
	SealedSecret         string
	SealedPreviousSecret string
	PreviousSecretUntil  *time.Time
	CreatedAt            time.Time
	UpdatedAt            time.Time
	Version              int64
}

// Subscribed reports whether e hears of ev: an empty Events means every event.
func (e *Endpoint) Subscribed(ev notify.Event) bool {
	return len(e.Events) == 0 || slices.Contains(e.Events, ev)
}

// State is where a delivery stands.
type State string

// The states of a delivery.
const (
	// Pending deliveries wait for their (next) attempt.
	Pending State = "pending"
	// Delivered deliveries were answered with a 2xx status.
	Delivered State = "delivered"
	// Failed deliveries used up their attempts, or their endpoint went away.
	Failed State = "failed"
)

// Delivery is one message to one endpoint and what became of it.
type Delivery struct {
	ID         uuid.UUID
	TenantID   uuid.UUID
	EndpointID uuid.UUID
	// MessageID is the webhook-id header: the same on every attempt and on a replay, so that
	// a receiver can recognise a message it has seen.
	MessageID string
	// Event is the payload's type.
	Event string
	// Payload is the JSON body sent.
	Payload []byte
	State   State
	// Attempts counts the attempts made (a claimed attempt counts as made).
	Attempts      int
	NextAttemptAt time.Time
	// LastStatus is the HTTP status of the latest attempt (0 when none answered), LastError
	// its error ("" on success), LastAttemptAt when it ended and Duration how long it took.
	LastStatus    int
	LastError     string
	LastAttemptAt *time.Time
	Duration      time.Duration
	CreatedAt     time.Time
}

// Payload is the JSON body of a delivery.
type Payload struct {
	// Type is the event: one of the notify catalogue, or TestEvent.
	Type string `json:"type"`
	// Timestamp is when the event happened.
	Timestamp time.Time   `json:"timestamp"`
	Data      PayloadData `json:"data"`
}

// PayloadData is what an event is about; absent parts are left out of the JSON. It never
// carries a one-time link, a token or a password.
type PayloadData struct {
	Ticket  *Ticket  `json:"ticket,omitempty"`
	Session *Session `json:"session,omitempty"`
	// MessageID is the ticket message a comment event is about.
	MessageID *uuid.UUID `json:"message_id,omitempty"`
	// UserID is the user an account event is about.
	UserID *uuid.UUID `json:"user_id,omitempty"`
	// EndpointID is the endpoint a webhook event (a test send, a disabled endpoint) is about.
	EndpointID *uuid.UUID `json:"endpoint_id,omitempty"`
	Actor      *Actor     `json:"actor,omitempty"`
}

// Ticket is a ticket as payloads (and the JSON API) show it. IDs that are not set are left
// out.
type Ticket struct {
	ID         uuid.UUID  `json:"id"`
	Ref        string     `json:"ref"`
	Title      string     `json:"title"`
	State      string     `json:"state"`
	StatusID   *uuid.UUID `json:"status_id,omitempty"`
	PriorityID *uuid.UUID `json:"priority_id,omitempty"`
	AssigneeID *uuid.UUID `json:"assignee_id,omitempty"`
	TeamID     *uuid.UUID `json:"team_id,omitempty"`
	CustomerID *uuid.UUID `json:"customer_id,omitempty"`
	DeviceID   *uuid.UUID `json:"device_id,omitempty"`
	ProjectID  *uuid.UUID `json:"project_id,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	Version    int64      `json:"version"`
}

// Session is a video session as payloads show it.
type Session struct {
	ID        uuid.UUID  `json:"id"`
	State     string     `json:"state"`
	PlannedAt *time.Time `json:"planned_at,omitempty"`
}

// Actor is who caused an event: Kind is the actor kind ("employee", "customer_user",
// "system", …), ID the user where there is one.
type Actor struct {
	Kind string     `json:"kind"`
	ID   *uuid.UUID `json:"id,omitempty"`
	Name string     `json:"name,omitempty"`
}

// OptionalID returns a pointer to id, or nil for uuid.Nil: the payloads leave unset IDs out.
func OptionalID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
