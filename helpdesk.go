package helpdesk

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/internal/safehttp"
	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/video"
	"github.com/deskkit/helpdesk/webhook"
	"github.com/google/uuid"
)

// Config tunes a Desk. The zero value is ready to use; a nil *Config means the zero value.
type Config struct {
	// Now returns the current time. Defaults to time.Now. Tests inject a fake clock here.
	Now func() time.Time
	// BaseURL is the public address of the embedding application; the links the Desk hands
	// out are built on it: one-time links as BaseURL + "/invitation/" + token,
	// "/reset-password/" + token and "/share-login/" + token, and in notifications a
	// requester's link to their ticket as "/requests/" + token (for OpenRequesterLink) and the
	// back-office page of a ticket as "/tickets/" + ticket ID. Defaults to
	// "http://localhost:8080".
	BaseURL string
	// SecretKeys are the master keys of the links the Desk signs instead of storing them (a
	// requester's link to their ticket, the links to a video session) and of the secrets it
	// seals at rest (the one-time links in queued notifications, the passwords of tenants' own
	// mail servers): with the database alone,
	// nobody can build a link. Each key is at least 32 random bytes (secret.MinKeyBytes);
	// keep them outside the database, as in an environment variable or a secret manager,
	// and give every Desk sharing a database the same keys.
	//
	// The first key signs and seals; every key verifies and opens. To rotate, put a new key
	// first and keep the old one after it while links made with it should work (the longest
	// a ticket stays open plus the public-page access limit); then drop it, and the links it
	// signed stop working.
	//
	// Defaults to one random key made by New, with a warning in the log: links then stop
	// working when the process restarts, which suits tests and demos only.
	SecretKeys [][]byte
	// MaxConcurrentHashes bounds the password and PIN checks (argon2id, 19 MiB each) running
	// at once in this Desk; one more fails at once with ErrBusy instead of queueing, so a
	// flood of sign-ins cannot exhaust memory. Defaults to twice GOMAXPROCS, at least 4.
	MaxConcurrentHashes int
	// AllowPrivateTargets lets the addresses users give the server to send to (a browser's
	// push endpoint) be loopback, private or link-local ones. Off, such an address is refused
	// when given (ErrInvalid for a literal address or "localhost"), and the senders' own
	// clients refuse to connect to one a name resolves to (see notify/webpush). Turn it on for
	// tests, or when the receivers live on a private network by design.
	AllowPrivateTargets bool
	// PasswordParams are argon2id's costs for new password hashes; they may not be below
	// tenant.MinPasswordParams. A password hashed with cheaper ones is rehashed at its next
	// sign-in. Defaults to tenant.MinPasswordParams.
	PasswordParams tenant.PasswordParams
	// SessionTTL is how long a sign-in session lasts. Defaults to 12 hours.
	SessionTTL time.Duration
	// InvitationTTL is how long an invitation (or registration) link works. Defaults to 7 days.
	InvitationTTL time.Duration
	// ResetTTL is how long a password-reset link works. Defaults to 1 hour.
	ResetTTL time.Duration
	// ShareLoginTTL is how long a share-login link works; at most 5 minutes. Defaults to
	// 2 minutes.
	ShareLoginTTL time.Duration
	// MaxPINFailures is how many wrong PINs for one code within PINWindow lock its PIN prompt
	// until the window ends. Defaults to 5.
	MaxPINFailures int
	// PINWindow is the PIN throttling window, opened by a code's first wrong PIN. Defaults to
	// 15 minutes.
	PINWindow time.Duration
	// MaxResetRequests is how many password-reset requests for one e-mail address within
	// ResetTTL send a link; further ones answer alike and send nothing. Defaults to 3.
	MaxResetRequests int
	// MaxLoginFailures is how many failed sign-ins for one e-mail address within LoginWindow
	// lock that address out until the window ends. Defaults to 5.
	MaxLoginFailures int
	// LoginWindow is the throttling window, opened by an address's first failure. Defaults to
	// 15 minutes.
	LoginWindow time.Duration
	// Notifiers deliver notifications, one per channel: notify.Email, notify.SMS, notify.Push.
	// The Desk writes notifications only for the channels it has a Notifier for (in-app
	// notifications need none), so every Desk sharing a database should be given the same
	// channels. Defaults to none: only in-app notifications.
	Notifiers map[notify.Channel]notify.Notifier
	// TenantMailer makes the e-mail Notifier of a tenant that has a mail server of its own
	// (SetSMTP), such as smtpmail.Factory(smtpmail.Config{}): while a tenant has one, its
	// e-mail goes through it instead of Notifiers[notify.Email], and it is sent even when the
	// Desk has no default e-mail Notifier. Defaults to none: SetSMTP answers
	// ErrSMTPUnavailable and every tenant's e-mail goes through Notifiers[notify.Email].
	TenantMailer notify.MailerFactory
	// Dispatch tunes the delivery of notifications by Run and DispatchOnce.
	Dispatch DispatchConfig
	// Logger receives what the background work (Run) cannot return: failed batches, listener
	// loss. Defaults to slog.Default().
	Logger *slog.Logger
	// Video is the video provider that holds calls (see video/twiliovideo). Defaults to none:
	// sessions can be requested, offered and planned, but JoinSession returns
	// ErrVideoUnavailable.
	Video video.Provider
	// JoinTTL is how long a join token from JoinSession admits its holder. Defaults to
	// 10 minutes.
	JoinTTL time.Duration
	// Blobs keeps the content of media and attachments (see blob/cloudblob for S3 or GCS).
	// Defaults to a blob.Dir in the "helpdesk-media" folder of the user's cache directory (or
	// of the temporary directory when there is none).
	Blobs blob.Store
	// MaxUploadSize caps one uploaded file, in bytes. Defaults to 100 MiB.
	MaxUploadSize int64
	// Timers tunes the timer scheduler of Run and FireTimersOnce.
	Timers TimerConfig
	// Webhooks tunes the delivery of webhooks by Run and DeliverWebhooksOnce.
	Webhooks WebhookConfig
	// Housekeeping tunes what Run and HousekeepOnce delete once nothing needs it, and when.
	Housekeeping HousekeepingConfig
	// Observer is told of every delivery attempt and timer fired, for metrics (see
	// web/ops.Metrics). Defaults to none.
	Observer Observer
}

// TimerConfig tunes the timer scheduler. The zero value is ready to use.
type TimerConfig struct {
	// BatchSize is how many due timers one claim takes. Defaults to 100.
	BatchSize int
	// Concurrency is how many transactions fire timers at once: a claimed batch is split into
	// that many groups, a ticket's timers in one group, each group in one transaction.
	// Defaults to 4.
	Concurrency int
	// Lease is how long a claimed timer is kept from other schedulers; if the process dies
	// while firing it, the timer fires once the lease runs out. Defaults to 1 minute.
	Lease time.Duration
	// RetryBackoff is the wait after a failed firing (a conflict, the database away); each
	// further failure waits twice as long, up to 10 minutes. Defaults to 1 second.
	RetryBackoff time.Duration
	// PollInterval is how often an idle scheduler looks for due timers besides the next due
	// time it knows of and the wake-ups of its own writes; it bounds the delay of a timer
	// another process armed due at once. Defaults to 250 milliseconds.
	PollInterval time.Duration
}

func (c TimerConfig) withDefaults() (TimerConfig, error) {
	for _, n := range []struct {
		field string
		v     *int
		def   int
	}{{"BatchSize", &c.BatchSize, 100}, {"Concurrency", &c.Concurrency, 4}} {
		if *n.v < 0 {
			return c, fmt.Errorf("helpdesk: Config.Timers.%s is negative", n.field)
		}
		if *n.v == 0 {
			*n.v = n.def
		}
	}
	for _, d := range []struct {
		field string
		v     *time.Duration
		def   time.Duration
	}{
		{"Lease", &c.Lease, time.Minute},
		{"RetryBackoff", &c.RetryBackoff, time.Second},
		{"PollInterval", &c.PollInterval, 250 * time.Millisecond},
	} {
		if *d.v < 0 {
			return c, fmt.Errorf("helpdesk: Config.Timers.%s is negative", d.field)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	return c, nil
}

// DispatchConfig tunes the delivery of notifications. The zero value is ready to use.
type DispatchConfig struct {
	// MaxAttempts is how many times a notification is tried before it is kept as failed.
	// Defaults to 8.
	MaxAttempts int
	// RetryBackoff is the wait before the first retry; each further retry waits twice as
	// long, up to MaxBackoff, and every wait is jittered to between half and all of it.
	// A retry due within PollInterval is made within the claim (see Desk.DispatchOnce); the
	// webhook deliverer follows the same schedule. Defaults to 10 seconds.
	RetryBackoff time.Duration
	// MaxBackoff caps the wait between retries. Defaults to 1 hour.
	MaxBackoff time.Duration
	// BatchSize is how many notifications one claim takes. Defaults to 100.
	BatchSize int
	// Concurrency is how many sends run at once. Defaults to 8.
	Concurrency int
	// SendTimeout bounds one send. Defaults to 30 seconds.
	SendTimeout time.Duration
	// Lease is how long a claimed notification is kept from other dispatchers; if the process
	// dies mid-send, the notification is tried again once the lease runs out. It must exceed
	// SendTimeout. Defaults to twice SendTimeout.
	Lease time.Duration
	// PollInterval is how often an idle dispatcher looks for due work when nothing wakes it
	// (a wake-up comes from this process's own writes and, on PostgreSQL, from LISTEN/NOTIFY).
	// Defaults to 250 milliseconds.
	PollInterval time.Duration
}

func (c DispatchConfig) withDefaults() (DispatchConfig, error) {
	for _, n := range []struct {
		field string
		v     *int
		def   int
	}{{"MaxAttempts", &c.MaxAttempts, 8}, {"BatchSize", &c.BatchSize, 100}, {"Concurrency", &c.Concurrency, 8}} {
		if *n.v < 0 {
			return c, fmt.Errorf("helpdesk: Config.Dispatch.%s is negative", n.field)
		}
		if *n.v == 0 {
			*n.v = n.def
		}
	}
	for _, d := range []struct {
		field string
		v     *time.Duration
		def   time.Duration
	}{
		{"RetryBackoff", &c.RetryBackoff, 10 * time.Second},
		{"MaxBackoff", &c.MaxBackoff, time.Hour},
		{"SendTimeout", &c.SendTimeout, 30 * time.Second},
		{"Lease", &c.Lease, 0},
		{"PollInterval", &c.PollInterval, 250 * time.Millisecond},
	} {
		if *d.v < 0 {
			return c, fmt.Errorf("helpdesk: Config.Dispatch.%s is negative", d.field)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if c.Lease == 0 {
		c.Lease = 2 * c.SendTimeout
	}
	if c.Lease <= c.SendTimeout {
		return c, fmt.Errorf("helpdesk: Config.Dispatch.Lease %s does not exceed SendTimeout %s", c.Lease, c.SendTimeout)
	}
	if c.MaxBackoff < c.RetryBackoff {
		c.MaxBackoff = c.RetryBackoff
	}
	return c, nil
}

// MaxShareLoginTTL caps Config.ShareLoginTTL.
const MaxShareLoginTTL = 5 * time.Minute

// withDefaults returns c with every zero field set to its default, or an error naming a field
// that cannot be used.
func (c Config) withDefaults() (Config, error) {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://localhost:8080"
	}
	if !isHTTPURL(c.BaseURL) {
		return c, fmt.Errorf("helpdesk: Config.BaseURL %q is not an http(s) URL", c.BaseURL)
	}
	if u, _ := url.Parse(c.BaseURL); u.RawQuery != "" || u.Fragment != "" {
		return c, fmt.Errorf("helpdesk: Config.BaseURL %q has a query or fragment", c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.PasswordParams == (tenant.PasswordParams{}) {
		c.PasswordParams = tenant.MinPasswordParams
	}
	if !c.PasswordParams.AtLeast(tenant.MinPasswordParams) {
		return c, fmt.Errorf("helpdesk: Config.PasswordParams: %w", tenant.ErrWeakParams)
	}
	for _, d := range []struct {
		field string
		v     *time.Duration
		def   time.Duration
	}{
		{"SessionTTL", &c.SessionTTL, 12 * time.Hour},
		{"InvitationTTL", &c.InvitationTTL, 7 * 24 * time.Hour},
		{"ResetTTL", &c.ResetTTL, time.Hour},
		{"ShareLoginTTL", &c.ShareLoginTTL, 2 * time.Minute},
		{"LoginWindow", &c.LoginWindow, 15 * time.Minute},
		{"PINWindow", &c.PINWindow, 15 * time.Minute},
	} {
		if *d.v < 0 {
			return c, fmt.Errorf("helpdesk: Config.%s is negative", d.field)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if c.ShareLoginTTL > MaxShareLoginTTL {
		return c, fmt.Errorf("helpdesk: Config.ShareLoginTTL %s exceeds %s", c.ShareLoginTTL, MaxShareLoginTTL)
	}
	for _, n := range []struct {
		field string
		v     *int
		def   int
	}{{"MaxLoginFailures", &c.MaxLoginFailures, 5}, {"MaxPINFailures", &c.MaxPINFailures, 5}, {"MaxResetRequests", &c.MaxResetRequests, 3}} {
		if *n.v < 0 {
			return c, fmt.Errorf("helpdesk: Config.%s is negative", n.field)
		}
		if *n.v == 0 {
			*n.v = n.def
		}
	}
	for ch, n := range c.Notifiers {
		if ch != notify.Email && ch != notify.SMS && ch != notify.Push {
			return c, fmt.Errorf("helpdesk: Config.Notifiers: %q is not a channel with a Notifier (email, sms, push)", ch)
		}
		if n == nil {
			return c, fmt.Errorf("helpdesk: Config.Notifiers[%q] is nil", ch)
		}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Observer == nil {
		c.Observer = noObserver{}
	}
	for i, k := range c.SecretKeys {
		if len(k) < secret.MinKeyBytes {
			return c, fmt.Errorf("helpdesk: Config.SecretKeys[%d] has %d bytes, fewer than %d", i, len(k), secret.MinKeyBytes)
		}
	}
	if len(c.SecretKeys) == 0 {
		k := make([]byte, secret.MinKeyBytes)
		_, _ = rand.Read(k)
		c.SecretKeys = [][]byte{k}
		c.Logger.Warn("helpdesk: no Config.SecretKeys: using a random key, so requester and session links stop working when this process stops")
	}
	if c.MaxConcurrentHashes < 0 {
		return c, errors.New("helpdesk: Config.MaxConcurrentHashes is negative")
	}
	if c.MaxConcurrentHashes == 0 {
		c.MaxConcurrentHashes = max(4, 2*runtime.GOMAXPROCS(0))
	}
	var err error
	if c.Dispatch, err = c.Dispatch.withDefaults(); err != nil {
		return c, err
	}
	if c.Timers, err = c.Timers.withDefaults(); err != nil {
		return c, err
	}
	if c.Webhooks, err = c.Webhooks.withDefaults(); err != nil {
		return c, err
	}
	if c.Housekeeping, err = c.Housekeeping.withDefaults(); err != nil {
		return c, err
	}
	if c.JoinTTL < 0 || c.MaxUploadSize < 0 {
		return c, errors.New("helpdesk: Config.JoinTTL or Config.MaxUploadSize is negative")
	}
	if c.JoinTTL == 0 {
		c.JoinTTL = 10 * time.Minute
	}
	if c.MaxUploadSize == 0 {
		c.MaxUploadSize = 100 << 20
	}
	if c.Blobs == nil {
		dir, err := os.UserCacheDir()
		if err != nil {
			dir = os.TempDir()
		}
		if c.Blobs, err = blob.NewDir(filepath.Join(dir, "helpdesk-media")); err != nil {
			return c, fmt.Errorf("helpdesk: default Config.Blobs: %w", err)
		}
	}
	return c, nil
}

// Desk is the service desk: every operation of the library, each authorizing its actor,
// validating its input and writing one storage transaction. A Desk is safe for concurrent use.
type Desk struct {
	store   storage.Store
	now     func() time.Time
	cfg     Config
	tickets *ticket.Lifecycle[ticket.State, ticket.Event]
	// sessions is the video session lifecycle.
	sessions *ticket.Lifecycle[ticket.SessionState, ticket.SessionEvent]
	// dummyHash is verified against when a sign-in names no usable account, so that such a
	// sign-in costs what a wrong password costs.
	dummyHash string
	// wake tells this process's dispatcher that notifications were enqueued (capacity 1:
	// signals coalesce).
	wake chan struct{}
	// timerWake tells this process's timer scheduler that timers were armed (capacity 1).
	timerWake chan struct{}
	// webhookWake tells this process's webhook deliverer that deliveries were enqueued
	// (capacity 1).
	webhookWake chan struct{}
	// webhookClient makes the webhook requests: public addresses only (unless
	// Config.AllowPrivateTargets), no proxy, no redirects.
	webhookClient *http.Client
	// lookupIP resolves a webhook URL's host when it is stored (tests replace it).
	lookupIP func(ctx context.Context, host string) ([]netip.Addr, error)
	// hashSlots holds a token for each password or PIN check running (Config.MaxConcurrentHashes).
	hashSlots chan struct{}
	// tenantHints are the tenants as last read, for SubmitTicket.
	tenantHints tenantHints
	// late holds the dispatcher's retries that outlast their batch, lateHooks the webhook
	// deliverer's.
	late      lateRetries[storage.DeliveryOutcome]
	lateHooks lateRetries[lateHook]
}

// New returns a Desk on store, whose schema must be current (see bunstore.Store.MigrateUp).
// It returns an error if store is nil or cfg has a field that cannot be used.
func New(store storage.Store, cfg *Config) (*Desk, error) {
	if store == nil {
		return nil, errors.New("helpdesk: New: nil store")
	}
	if cfg == nil {
		cfg = &Config{}
	}
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	dummy, err := tenant.HashPassword(newID().String(), c.PasswordParams)
	if err != nil {
		return nil, err
	}
	return &Desk{store: store, now: c.Now, cfg: c, tickets: ticket.TicketLifecycle(), sessions: ticket.SessionLifecycle(),
		dummyHash: dummy, wake: make(chan struct{}, 1), timerWake: make(chan struct{}, 1),
		webhookWake:   make(chan struct{}, 1),
		webhookClient: safehttp.NewClient(safehttp.Options{Timeout: c.Webhooks.Timeout, AllowPrivate: c.AllowPrivateTargets}),
		lookupIP:      defaultLookupIP,
		hashSlots:     make(chan struct{}, c.MaxConcurrentHashes)}, nil
}

// inTx runs fn in one storage transaction and, when fn enqueued notifications and the
// transaction committed, wakes this process's dispatcher. Under an idempotency key
// (WithIdempotencyKey) the transaction also marks the key's claim carried out.
func (d *Desk) inTx(ctx context.Context, fn func(q storage.Queries) error) error {
	var w txWatch
	err := d.store.InTx(ctx, func(q storage.Queries) error {
		w.Queries = q
		if err := fn(&w); err != nil {
			return err
		}
		return commitIdempotencyKey(ctx, q)
	})
	if err == nil && w.enqueued {
		d.signal()
	}
	if err == nil && w.armed {
		wakeUp(d.timerWake)
	}
	if err == nil && w.hooked {
		wakeUp(d.webhookWake)
	}
	if err == nil {
		for _, id := range w.tenantsUpdated {
			d.tenantHints.drop(id)
		}
	}
	return err
}

// signal wakes this process's dispatcher.
func (d *Desk) signal() { wakeUp(d.wake) }

// wakeUp sends on a wake-up channel without blocking: signals coalesce.
func wakeUp(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// txWatch notes that a transaction enqueued notifications to deliver or armed timers, so that this
// process's background work looks at them as soon as they commit.
type txWatch struct {
	storage.Queries
	enqueued, armed, hooked bool
	// endpoints are the webhook endpoints the transaction read, by tenant: one read each.
	endpoints map[uuid.UUID][]*webhook.Endpoint
	// tenantsUpdated are the tenants the transaction changed: their hints go once it commits.
	tenantsUpdated []uuid.UUID
}

func (w *txWatch) UpdateTenant(ctx context.Context, t *tenant.Tenant) error {
	err := w.Queries.UpdateTenant(ctx, t)
	if err == nil {
		w.tenantsUpdated = append(w.tenantsUpdated, t.ID)
	}
	return err
}

func (w *txWatch) EnqueueWebhookDeliveries(ctx context.Context, ds []*webhook.Delivery) error {
	err := w.Queries.EnqueueWebhookDeliveries(ctx, ds)
	if err == nil && slices.ContainsFunc(ds, func(d *webhook.Delivery) bool { return d.State == webhook.Pending }) {
		w.hooked = true
	}
	return err
}

func (w *txWatch) EnqueueNotifications(ctx context.Context, ns []*notify.Notification) error {
	err := w.Queries.EnqueueNotifications(ctx, ns)
	if err == nil && slices.ContainsFunc(ns, pending) {
		w.enqueued = true
	}
	return err
}

// pending says whether n waits for the dispatcher (in-app notifications are delivered once stored).
func pending(n *notify.Notification) bool { return n.Status == notify.StatusPending }

func (w *txWatch) ArmTimer(ctx context.Context, t *ticket.Timer) error {
	err := w.Queries.ArmTimer(ctx, t)
	if err == nil {
		w.armed = true
	}
	return err
}

// clock returns the current time as the database stores it: UTC, microseconds.
func (d *Desk) clock() time.Time { return d.now().UTC().Truncate(time.Microsecond) }

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }
