package twiliosms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/deskkit/helpdesk/internal/twilioapi"
	"github.com/deskkit/helpdesk/notify"
)

// Config configures a [Sender]. AccountSID, one set of credentials (AuthToken, or APIKey and
// APISecret) and one sender (From or MessagingServiceSID) are required; the rest is optional.
type Config struct {
	// AccountSID is the Twilio account the messages are sent from ("AC…"). Required.
	AccountSID string
	// AuthToken is the account's auth token, used for HTTP Basic authentication unless an
	// API key is given.
	AuthToken string
	// APIKey ("SK…") and APISecret are a standard API key of the account. When APIKey is set
	// they authenticate the requests in place of AuthToken, which can then stay empty (the
	// StatusHandler still needs the auth token: Twilio signs callbacks with it).
	APIKey    string
	APISecret string

	// From is the sender: an E.164 number of the account ("+4930123456"), a short code or an
	// alphanumeric sender ID ("DeskKit") where the destination country allows one.
	From string
	// MessagingServiceSID ("MG…") sends through a Messaging Service, which picks the sender
	// from its pool. One of From and MessagingServiceSID is required; with both, Twilio sends
	// from From and applies the service's features.
	MessagingServiceSID string

	// StatusCallbackURL is the public URL where Twilio posts delivery-status callbacks, served
	// by [StatusHandler]. It is sent with every message when set; empty asks for no callbacks.
	// Must be an absolute http or https URL.
	StatusCallbackURL string

	// Region and Edge select Twilio's data-residency region ("ie1", "au1") and edge location
	// ("dublin", "sydney"). Both default to Twilio's default (us1, ashburn).
	Region string
	Edge   string

	// HTTPClient makes the HTTP requests. Its Transport, CheckRedirect, Jar and Timeout are
	// used; Send runs each request under its own ctx. Defaults to a client that follows no
	// redirects (as twilio-go's own does) and times out after 10 seconds.
	HTTPClient *http.Client
}

// Sender is a [notify.Notifier] for [notify.SMS] that sends through Twilio's Programmable
// Messaging API. It is safe for concurrent use.
type Sender struct {
	accountSID     string
	username       string // AccountSID or APIKey
	password       string // AuthToken or APISecret
	from           string
	service        string
	statusCallback string
	region, edge   string

	http twilioapi.HTTP
}

var _ notify.Notifier = (*Sender)(nil)

// New returns a Sender for cfg. It returns an error naming the first missing or malformed
// field of cfg; it does not contact Twilio, so wrong credentials show up as a permanent error
// (Twilio code 20003) on the first Send.
func New(cfg Config) (*Sender, error) {
	s := &Sender{
		accountSID:     cfg.AccountSID,
		from:           strings.TrimSpace(cfg.From),
		service:        cfg.MessagingServiceSID,
		statusCallback: cfg.StatusCallbackURL,
		region:         cfg.Region,
		edge:           cfg.Edge,
	}
	if !twilioapi.ValidSID(cfg.AccountSID, "AC") {
		return nil, configError("AccountSID", "must be an account SID: AC followed by 32 hex digits")
	}
	switch {
	case cfg.APIKey != "":
		if !twilioapi.ValidSID(cfg.APIKey, "SK") {
			return nil, configError("APIKey", "must be an API key SID: SK followed by 32 hex digits")
		}
		if err := checkSecret("APISecret", cfg.APISecret); err != nil {
			return nil, err
		}
		s.username, s.password = cfg.APIKey, cfg.APISecret
	case cfg.APISecret != "":
		return nil, configError("APIKey", "is required with APISecret")
	default:
		if err := checkSecret("AuthToken", cfg.AuthToken); err != nil {
			return nil, err
		}
		s.username, s.password = cfg.AccountSID, cfg.AuthToken
	}
	if s.from == "" && s.service == "" {
		return nil, configError("From", "or MessagingServiceSID is required")
	}
	if s.service != "" && !twilioapi.ValidSID(s.service, "MG") {
		return nil, configError("MessagingServiceSID", "must be a Messaging Service SID: MG followed by 32 hex digits")
	}
	if s.statusCallback != "" {
		if !twilioapi.IsHTTPURL(s.statusCallback) {
			return nil, configError("StatusCallbackURL", "must be an absolute http or https URL")
		}
	}

	s.http = twilioapi.NewHTTP(cfg.HTTPClient)
	return s, nil
}

func configError(field, problem string) error {
	return fmt.Errorf("twiliosms: Config.%s %s", field, problem)
}

// checkSecret refuses a credential twilio-go would refuse, without echoing it.
func checkSecret(field, v string) error {
	if problem := twilioapi.SecretProblem(v); problem != "" {
		return configError(field, problem)
	}
	return nil
}

// ErrNoPhone is returned, wrapped with [notify.Permanent], for a message without To.Phone.
var ErrNoPhone = errors.New("message has no phone number")

// ErrNoText is returned, wrapped with [notify.Permanent], for a message without Text: Twilio
// refuses an empty SMS body.
var ErrNoText = errors.New("message has no text")

// Send sends m.Text to m.To.Phone as one Twilio message and returns its message SID
// ("SM…") as the Receipt's ProviderID. It returns once Twilio has queued the message;
// delivery is reported later to [StatusHandler] when Config.StatusCallbackURL is set.
//
// Errors: [ErrNoPhone] or [ErrNoText] wrapped with [notify.Permanent] without asking Twilio; a
// Twilio refusal as an error carrying Twilio's code and message (errors.As finds the
// *client.TwilioRestError), permanent for 4xx statuses except 408 and 429, transient for
// those and 5xx; network errors and ctx's end as transient errors wrapping the cause.
//
// Twilio's Messages API takes no idempotency key, so a retry after an answer lost in
// transit may send the SMS twice.
func (s *Sender) Send(ctx context.Context, m *notify.Message) (notify.Receipt, error) {
	if strings.TrimSpace(m.To.Phone) == "" {
		return notify.Receipt{}, notify.Permanent(fmt.Errorf("twiliosms: send %s: %w", m, ErrNoPhone))
	}
	if strings.TrimSpace(m.Text) == "" {
		return notify.Receipt{}, notify.Permanent(fmt.Errorf("twiliosms: send %s: %w", m, ErrNoText))
	}
	if err := ctx.Err(); err != nil {
		return notify.Receipt{}, fmt.Errorf("twiliosms: send %s: %w", m, err)
	}
	if t := s.http.Timeout(); t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t)
		defer cancel()
	}

	p := &api.CreateMessageParams{}
	p.SetTo(m.To.Phone)
	p.SetBody(m.Text)
	if s.from != "" {
		p.SetFrom(s.from)
	}
	if s.service != "" {
		p.SetMessagingServiceSid(s.service)
	}
	if s.statusCallback != "" {
		p.SetStatusCallback(s.statusCallback)
	}
	if m.Attempt > 0 {
		// Twilio counts it for delivery insights; it does not deduplicate.
		p.SetAttempt(m.Attempt)
	}

	msg, err := s.api(ctx).CreateMessage(p)
	if err != nil {
		return notify.Receipt{}, s.classify(ctx, m, err)
	}
	var r notify.Receipt
	if msg.Sid != nil {
		r.ProviderID = *msg.Sid
	}
	return r, nil
}

// api returns a Messages API client whose requests run under ctx (see twilioapi.HTTP.Handler);
// ctx's deadline also carries Config.HTTPClient's Timeout.
func (s *Sender) api(ctx context.Context) *api.ApiService {
	return api.NewApiService(s.http.Handler(ctx, s.accountSID, s.username, s.password, s.region, s.edge))
}

// classify turns a failed CreateMessage into Send's error.
func (s *Sender) classify(ctx context.Context, m *notify.Message, err error) error {
	var te *client.TwilioRestError
	if errors.As(err, &te) {
		err = fmt.Errorf("twiliosms: send %s: %w", m, &apiError{te})
		if te.Status == http.StatusRequestTimeout || te.Status == http.StatusTooManyRequests ||
			te.Status >= 500 || te.Status == 0 {
			return err
		}
		return notify.Permanent(err)
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = errors.Join(ctxErr, err)
	}
	// Network errors, ctx's end, and answers that are not Twilio's JSON (an HTML page from
	// a proxy) may all pass.
	return fmt.Errorf("twiliosms: send %s: %w", m, err)
}

// apiError renders a Twilio refusal readably; twilio-go's own Error() adds a "(null)" for
// absent details.
type apiError struct{ err *client.TwilioRestError }

func (e *apiError) Error() string {
	msg := fmt.Sprintf("Twilio error %d (HTTP %d): %s", e.err.Code, e.err.Status, e.err.Message)
	if e.err.MoreInfo != "" {
		msg += " (" + e.err.MoreInfo + ")"
	}
	return msg
}

func (e *apiError) Unwrap() error { return e.err }
