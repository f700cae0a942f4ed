package webpush

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskkit/helpdesk/internal/safehttp"

	"github.com/SherClockHolmes/webpush-go"
	"github.com/deskkit/helpdesk/notify"
)

// Config configures a Sender.
type Config struct {
	// VAPIDPublicKey and VAPIDPrivateKey are the application server's key pair (RFC 8292),
	// base64url without padding as GenerateKeys returns them: the public key is the
	// uncompressed P-256 point (65 bytes) that browsers subscribe with as their
	// applicationServerKey, the private key its 32-byte scalar. Required. Keep them outside
	// the database (an environment variable, a secret manager) and give every instance the
	// same pair: a browser's subscription only accepts messages signed by the key it was made
	// with, so a new pair silently ends every subscription.
	VAPIDPublicKey  string
	VAPIDPrivateKey string
	// Subscriber is the contact a push service may write to about this sender's traffic,
	// "mailto:ops@example.com" or an https URL; it becomes the sub claim of the VAPID token.
	// Required.
	Subscriber string
	// TTL is how long a push service keeps a message for a browser that is offline; 0 is
	// not allowed here (it means "now or never" to a push service), so it defaults. Defaults
	// to 24 hours.
	TTL time.Duration
	// HTTPClient sends the requests to the push services. Defaults to a client with a
	// 30-second timeout that connects to public addresses only and follows no redirect (an
	// endpoint is an address a browser, that is anyone, gave the server); Send's ctx bounds
	// each request as well.
	HTTPClient *http.Client
}

// Keys is a VAPID key pair, base64url without padding.
type Keys struct {
	Public  string
	Private string
}

// GenerateKeys makes a new VAPID key pair for Config. Make it once, store it with the
// deployment's other secrets (not in the database) and give every instance the same pair:
// changing it ends every browser's subscription.
func GenerateKeys() (Keys, error) {
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		return Keys{}, fmt.Errorf("webpush: generate keys: %w", err)
	}
	return Keys{Public: pub, Private: priv}, nil
}

// MaxPayload is the most bytes of JSON one message carries: a push service takes one
// 4096-byte record, of which encryption takes 103. A longer body is cut to fit.
const MaxPayload = 4096 - 16 - 86 - 1

// Errors a Send may return, wrapped.
var (
	// ErrNoSubscriptions is returned, wrapped with notify.Permanent, by SendPush without
	// subscriptions and by Send, which has none to send to (the Desk calls SendPush).
	ErrNoSubscriptions = errors.New("no push subscriptions to send to")
	// ErrEndpoint is returned, wrapped with notify.Permanent, for a subscription whose
	// endpoint is not an https URL: the message would travel in clear text.
	ErrEndpoint = errors.New("push endpoint is not an https URL")
	// ErrGone is returned, wrapped with notify.Permanent, when the push service said every
	// subscription is gone.
	ErrGone = errors.New("every push subscription is gone")
)

// Payload is the JSON a Sender encrypts for the browser; the page's service worker shows it
// (showNotification(title, {body}) and opens link when it is clicked).
type Payload struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	Link  string `json:"link,omitempty"`
}

// Sender delivers push notifications with the Web Push protocol. It is safe for concurrent
// use.
type Sender struct {
	cfg        Config
	ttlSeconds int
	subscriber string
}

var _ notify.PushNotifier = (*Sender)(nil)

// New returns a Sender for cfg. It returns an error when a key is missing or malformed, the
// public key is not the private key's, Subscriber is not a mailto: or https URL, or TTL is
// negative.
func New(cfg Config) (*Sender, error) {
	pub, err := decodeKey(cfg.VAPIDPublicKey)
	if err != nil || len(pub) != 65 {
		return nil, errors.New("webpush: Config.VAPIDPublicKey is not a base64url P-256 public key")
	}
	priv, err := decodeKey(cfg.VAPIDPrivateKey)
	if err != nil {
		return nil, errors.New("webpush: Config.VAPIDPrivateKey is not base64url")
	}
	k, err := ecdh.P256().NewPrivateKey(priv)
	if err != nil {
		return nil, errors.New("webpush: Config.VAPIDPrivateKey is not a P-256 private key")
	}
	if !bytes.Equal(k.PublicKey().Bytes(), pub) {
		return nil, errors.New("webpush: Config.VAPIDPublicKey is not the private key's public key")
	}
	u, err := url.Parse(cfg.Subscriber)
	switch {
	case err != nil:
		return nil, fmt.Errorf("webpush: Config.Subscriber: %w", err)
	case u.Scheme == "mailto" && strings.Contains(u.Opaque, "@"):
	case u.Scheme == "https" && u.Host != "":
	default:
		return nil, fmt.Errorf("webpush: Config.Subscriber %q is neither a mailto: nor an https URL", cfg.Subscriber)
	}
	if cfg.TTL < 0 {
		return nil, errors.New("webpush: Config.TTL is negative")
	}
	if cfg.TTL == 0 {
		cfg.TTL = 24 * time.Hour
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = safehttp.NewClient(safehttp.Options{Timeout: 30 * time.Second})
	}
	// webpush-go prefixes "mailto:" to any subscriber that is not an https URL.
	sub := strings.TrimPrefix(cfg.Subscriber, "mailto:")
	return &Sender{cfg: cfg, ttlSeconds: int(cfg.TTL / time.Second), subscriber: sub}, nil
}

// PublicKey returns the VAPID public key, for the page that subscribes a browser
// (PushManager.subscribe's applicationServerKey).
func (s *Sender) PublicKey() string { return s.cfg.VAPIDPublicKey }

// Send cannot deliver by itself: a push message goes to the recipient's subscriptions, which
// the Desk hands to SendPush. It returns ErrNoSubscriptions, wrapped with notify.Permanent.
func (s *Sender) Send(_ context.Context, m *notify.Message) (notify.Receipt, error) {
	return notify.Receipt{}, notify.Permanent(fmt.Errorf("webpush: send %s: %w", m, ErrNoSubscriptions))
}

// SendPush encrypts m's Subject, Text and Link (a Payload) for each of subs and posts it to
// its push service, signed with the VAPID key. The receipt's Gone lists the subscriptions
// the push service answered 404 or 410 for; its ProviderID is the push service's Location
// for the first accepted message.
//
// Errors: nil when at least one subscription accepted the message and none failed
// transiently; a transient error when a push service answered 408, 429 or 5xx or could not
// be reached (a retry sends to every subscription again); otherwise an error wrapped with
// notify.Permanent: ErrNoSubscriptions, ErrGone, ErrEndpoint, a refusal (other 4xx statuses,
// such as 403 for a subscription made with another VAPID key) or a malformed subscription key.
func (s *Sender) SendPush(ctx context.Context, m *notify.Message, subs []*notify.PushSubscription) (notify.PushReceipt, error) {
	var rec notify.PushReceipt
	if len(subs) == 0 {
		return rec, notify.Permanent(fmt.Errorf("webpush: send %s: %w", m, ErrNoSubscriptions))
	}
	payload := encode(m)
	var transient, permanent []error
	accepted := 0
	for _, sub := range subs {
		loc, status, err := s.post(ctx, payload, sub)
		switch {
		case err == nil:
			accepted++
			if rec.ProviderID == "" {
				rec.ProviderID = loc
			}
		case status == http.StatusNotFound || status == http.StatusGone:
			rec.Gone = append(rec.Gone, sub.ID)
		case notify.IsPermanent(err):
			permanent = append(permanent, err)
		default:
			transient = append(transient, err)
		}
	}
	switch {
	case len(transient) > 0:
		return rec, fmt.Errorf("webpush: send %s: %w", m, errors.Join(append(transient, permanent...)...))
	case accepted > 0:
		return rec, nil
	case len(permanent) > 0:
		return rec, notify.Permanent(fmt.Errorf("webpush: send %s: %w", m, errors.Join(permanent...)))
	}
	return rec, notify.Permanent(fmt.Errorf("webpush: send %s: %w", m, ErrGone))
}

// post sends payload to sub and returns the push service's Location and status. The error
// is nil for a 2xx answer, Permanent when retrying cannot help.
func (s *Sender) post(ctx context.Context, payload []byte, sub *notify.PushSubscription) (string, int, error) {
	if u, err := url.Parse(sub.Endpoint); err != nil || u.Scheme != "https" || u.Host == "" {
		return "", 0, notify.Permanent(fmt.Errorf("subscription %s: %w", sub.ID, ErrEndpoint))
	}
	resp, err := webpush.SendNotificationWithContext(ctx, payload, &webpush.Subscription{
		Endpoint: sub.Endpoint,
		Keys:     webpush.Keys{P256dh: sub.P256dh, Auth: sub.Auth},
	}, &webpush.Options{
		HTTPClient:      s.cfg.HTTPClient,
		Subscriber:      s.subscriber,
		TTL:             s.ttlSeconds,
		Urgency:         webpush.UrgencyNormal,
		VAPIDPublicKey:  s.cfg.VAPIDPublicKey,
		VAPIDPrivateKey: s.cfg.VAPIDPrivateKey,
	})
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) || ctx.Err() != nil {
			return "", 0, fmt.Errorf("subscription %s: %w", sub.ID, err)
		}
		// Anything before the request (a key that is not a point on the curve) stays broken.
		return "", 0, notify.Permanent(fmt.Errorf("subscription %s: %w", sub.ID, err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	st := resp.StatusCode
	if st >= 200 && st < 300 {
		return resp.Header.Get("Location"), st, nil
	}
	err = fmt.Errorf("subscription %s: push service answered %s: %s", sub.ID, resp.Status, strings.TrimSpace(string(body)))
	if st == http.StatusRequestTimeout || st == http.StatusTooManyRequests || st >= 500 {
		return "", st, err
	}
	return "", st, notify.Permanent(err)
}

// encode renders m as the Payload's JSON, cutting the body (and then the title) so that it
// fits MaxPayload.
func encode(m *notify.Message) []byte {
	p := Payload{Title: m.Subject, Body: m.Text, Link: m.Link}
	for {
		b, _ := json.Marshal(p) // strings always marshal
		over := len(b) - MaxPayload
		if over <= 0 {
			return b
		}
		if p.Body != "" {
			p.Body = cut(p.Body, over)
		} else {
			p.Title = cut(p.Title, over)
		}
	}
}

// cut shortens s so that its JSON form loses about over bytes (at least one rune), on a
// rune boundary, and marks the cut with an ellipsis. JSON escapes some characters into
// several bytes, so the share of s to keep is reckoned on its escaped length.
func cut(s string, over int) string {
	s = strings.TrimSuffix(s, "…")
	enc, _ := json.Marshal(s)
	keep := len(s) * max(len(enc)-over, 0) / len(enc)
	keep = min(keep, len(s)-1) - len("…")
	for keep > 0 && !utf8.RuneStart(s[keep]) {
		keep--
	}
	if keep <= 0 {
		return ""
	}
	return s[:keep] + "…"
}

// decodeKey decodes base64url with or without padding.
func decodeKey(k string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(k, "="))
}
