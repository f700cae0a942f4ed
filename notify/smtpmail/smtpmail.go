package smtpmail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/deskkit/helpdesk/notify"
)

// Security is how the connection to the SMTP server is protected.
type Security string

// The security modes.
const (
	// SecurityPlain sends everything in clear text. It is for a relay on the same host or
	// network only; New refuses it with a Username unless Host is the loopback host.
	SecurityPlain Security = "plain"
	// SecurityStartTLS connects in clear text and upgrades with STARTTLS before anything
	// else is said; a server that does not offer STARTTLS is refused (submission, port 587).
	SecurityStartTLS Security = "starttls"
	// SecurityTLS speaks TLS from the first byte ("implicit TLS", submissions, port 465).
	SecurityTLS Security = "tls"
)

// Config configures a Mailer. The zero value of each optional field selects its default.
type Config struct {
	// Host is the SMTP server's host name or IP address, without port. Required.
	Host string
	// Port is the server's TCP port. Defaults to 587 for SecurityStartTLS, 465 for
	// SecurityTLS and 25 for SecurityPlain.
	Port int
	// Security is how the connection is protected. Defaults to SecurityStartTLS.
	Security Security
	// Username is the user name for SMTP AUTH, which is used when Username is not empty
	// (PLAIN, CRAM-MD5 or LOGIN, the first of them the server offers).
	Username string
	// Password is Username's password; required with Username.
	Password string
	// From is the sender, as an RFC 5322 address with an optional name:
	// "Support <support@example.com>". Required.
	From string
	// HeloName is the name the Mailer gives in EHLO. Defaults to "localhost".
	HeloName string
	// TLSConfig is the TLS configuration for SecurityStartTLS and SecurityTLS; it is cloned,
	// and its ServerName defaults to Host. Defaults to the system's roots and Go's defaults.
	TLSConfig *tls.Config
	// Timeout bounds each Send and Check, connection included, on top of ctx's own
	// deadline. Defaults to 30s.
	Timeout time.Duration
	// Now returns the time for the Date header. Defaults to time.Now.
	Now func() time.Time
}

// Mailer is an e-mail [notify.Notifier] that submits each message to an SMTP server over a
// connection of its own. It is safe for concurrent use.
type Mailer struct {
	addr     string
	host     string
	security Security
	username string
	password string
	from     *mail.Address
	helo     string
	tls      *tls.Config
	timeout  time.Duration
	now      func() time.Time
}

var _ notify.Notifier = (*Mailer)(nil)

// New validates cfg, fills in its defaults and returns a Mailer. It connects to nothing; use
// [Mailer.Check] to try the settings. The error names the Config field that is wrong.
func New(cfg Config) (*Mailer, error) {
	m := &Mailer{
		host:     cfg.Host,
		security: cfg.Security,
		username: cfg.Username,
		password: cfg.Password,
		helo:     cfg.HeloName,
		timeout:  cfg.Timeout,
		now:      cfg.Now,
	}
	switch {
	case cfg.Host == "":
		return nil, errors.New("smtpmail: Config.Host is required")
	case strings.ContainsAny(cfg.Host, " \t\r\n/"):
		return nil, fmt.Errorf("smtpmail: Config.Host %q is not a host name", cfg.Host)
	}
	if _, _, err := net.SplitHostPort(cfg.Host); err == nil {
		return nil, fmt.Errorf("smtpmail: Config.Host %q includes a port; set Config.Port instead", cfg.Host)
	}

	port := cfg.Port
	switch m.security {
	case "":
		m.security = SecurityStartTLS
		fallthrough
	case SecurityStartTLS:
		port = cmpOr(port, 587)
	case SecurityTLS:
		port = cmpOr(port, 465)
	case SecurityPlain:
		port = cmpOr(port, 25)
	default:
		return nil, fmt.Errorf("smtpmail: Config.Security %q is not one of %q, %q, %q",
			cfg.Security, SecurityPlain, SecurityStartTLS, SecurityTLS)
	}
	if port < 1 || port > 65535 {
		return nil, fmt.Errorf("smtpmail: Config.Port %d is out of range", cfg.Port)
	}
	m.addr = net.JoinHostPort(cfg.Host, fmt.Sprint(port))

	if cfg.Username != "" && cfg.Password == "" {
		return nil, errors.New("smtpmail: Config.Password is required with Config.Username")
	}
	if cfg.Username != "" && m.security == SecurityPlain && !isLocalhost(cfg.Host) {
		return nil, fmt.Errorf("smtpmail: Config.Username: refusing to send credentials in clear text to %s; use Security %q or %q",
			cfg.Host, SecurityStartTLS, SecurityTLS)
	}

	if cfg.From == "" {
		return nil, errors.New("smtpmail: Config.From is required")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtpmail: Config.From %q: %w", cfg.From, err)
	}
	m.from = from

	if m.helo == "" {
		m.helo = "localhost"
	} else if strings.ContainsAny(m.helo, " \t\r\n") {
		return nil, fmt.Errorf("smtpmail: Config.HeloName %q contains white space", cfg.HeloName)
	}
	switch {
	case m.timeout < 0:
		return nil, fmt.Errorf("smtpmail: Config.Timeout %v is negative", cfg.Timeout)
	case m.timeout == 0:
		m.timeout = 30 * time.Second
	}
	if m.now == nil {
		m.now = time.Now
	}
	if cfg.TLSConfig != nil {
		m.tls = cfg.TLSConfig.Clone()
	} else {
		m.tls = &tls.Config{}
	}
	if m.tls.ServerName == "" {
		m.tls.ServerName = cfg.Host
	}
	return m, nil
}

func cmpOr(port, def int) int {
	if port == 0 {
		return def
	}
	return port
}

func isLocalhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// Send submits m to the SMTP server and returns once the server has accepted it, with the
// message's Message-ID ("<key@helpdesk>") as Receipt.ProviderID.
//
// The error is permanent ([notify.IsPermanent]) when m has no valid To.Email, when the server
// answers with a 5xx reply (unknown recipient, refused sender, failed authentication), when
// the server's certificate is not trusted, or when the server lacks STARTTLS or AUTH that the
// Config requires. 4xx replies, network failures and ctx's deadline give transient errors.
// The error's text names the SMTP step that failed (see [CheckError]).
func (m *Mailer) Send(ctx context.Context, msg *notify.Message) (notify.Receipt, error) {
	if msg.Channel != notify.Email && msg.Channel != "" {
		return notify.Receipt{}, notify.Permanent(fmt.Errorf("smtpmail: send %s: not an e-mail message", msg))
	}
	if msg.To.Email == "" {
		return notify.Receipt{}, notify.Permanent(fmt.Errorf("smtpmail: send %s: recipient has no e-mail address", msg))
	}
	to, err := mail.ParseAddress(msg.To.Email)
	if err != nil {
		return notify.Receipt{}, notify.Permanent(fmt.Errorf("smtpmail: send %s: recipient address: %w", msg, err))
	}
	key := msg.IdempotencyKey
	if key == "" {
		key = msg.ID.String()
	}
	messageID := "<" + messageIDLocal(key) + "@helpdesk>"
	body, err := m.compose(&mail.Address{Name: msg.To.Name, Address: to.Address}, messageID, msg.Subject, msg.Text, msg.HTML)
	if err != nil {
		return notify.Receipt{}, notify.Permanent(fmt.Errorf("smtpmail: send %s: %w", msg, err))
	}

	// An error at QUIT comes after the server accepted the message: reporting it would make
	// the dispatcher send the message again.
	if err := m.deliver(ctx, to.Address, body); err != nil && err.Step != StepQuit {
		return notify.Receipt{}, fmt.Errorf("smtpmail: send %s: %w", msg, err)
	}
	return notify.Receipt{ProviderID: messageID}, nil
}

// Check tries the settings the way a message would go: it connects, sets up TLS,
// authenticates, and sends a short test message to the address to. It returns nil when the
// server accepted the message, and otherwise a *[CheckError] whose Step says which step
// failed; its Err is classified like Send's errors.
func (m *Mailer) Check(ctx context.Context, to string) error {
	rcpt, err := mail.ParseAddress(to)
	if err != nil {
		return &CheckError{Step: StepRecipient, Err: notify.Permanent(fmt.Errorf("address %q: %w", to, err))}
	}
	messageID := "<check-" + uuid.NewString() + "@helpdesk>"
	body, err := m.compose(rcpt, messageID, "SMTP settings test",
		"This is a test message from the helpdesk. The SMTP settings work.", "")
	if err != nil {
		return &CheckError{Step: StepData, Err: notify.Permanent(err)}
	}
	if err := m.deliver(ctx, rcpt.Address, body); err != nil {
		return err
	}
	return nil
}

// deliver submits one message to rcpt over a new connection. It returns nil or a
// *CheckError with a classified Err.
func (m *Mailer) deliver(ctx context.Context, rcpt string, body []byte) *CheckError {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	fail := func(step string, err error) *CheckError {
		ctxErr := ctx.Err()
		if ctxErr == nil && errors.Is(err, os.ErrDeadlineExceeded) {
			// The connection's deadline is ctx's and may pass a moment before ctx notices.
			ctxErr = context.DeadlineExceeded
		}
		if ctxErr != nil {
			// ctx ended, and the connection was closed or timed out under the client.
			return &CheckError{Step: step, Err: fmt.Errorf("%w (%v)", ctxErr, err)}
		}
		return &CheckError{Step: step, Err: classify(err)}
	}

	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.addr)
	if err != nil {
		return fail(StepConnect, err)
	}
	defer conn.Close()
	// net/smtp takes no ctx: closing the connection is what interrupts it.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if deadline, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(deadline); err != nil {
			return fail(StepConnect, err)
		}
	}

	if m.security == SecurityTLS {
		tc := tls.Client(conn, m.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail(StepTLS, err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		return fail(StepConnect, err)
	}
	defer c.Close()
	if err := c.Hello(m.helo); err != nil {
		return fail(StepConnect, err)
	}
	// net/smtp sends EHLO with the first command and Extension hides its failure; NOOP
	// makes a refused EHLO show as the connect step it belongs to.
	if err := c.Noop(); err != nil {
		return fail(StepConnect, err)
	}

	if m.security == SecurityStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fail(StepTLS, notify.Permanent(errors.New("server does not offer STARTTLS")))
		}
		if err := c.StartTLS(m.tls); err != nil {
			return fail(StepTLS, err)
		}
	}

	if m.username != "" {
		ok, mechs := c.Extension("AUTH")
		if !ok {
			return fail(StepAuth, notify.Permanent(errors.New("server does not offer AUTH")))
		}
		a := m.auth(mechs)
		if a == nil {
			return fail(StepAuth, notify.Permanent(fmt.Errorf("server offers AUTH %s; smtpmail speaks PLAIN, CRAM-MD5 and LOGIN", mechs)))
		}
		if err := c.Auth(a); err != nil {
			return fail(StepAuth, err)
		}
	}

	if err := c.Mail(m.from.Address); err != nil {
		return fail(StepFrom, err)
	}
	if err := c.Rcpt(rcpt); err != nil {
		return fail(StepRecipient, err)
	}
	w, err := c.Data()
	if err != nil {
		return fail(StepData, err)
	}
	if _, err := w.Write(body); err != nil {
		return fail(StepData, err)
	}
	if err := w.Close(); err != nil {
		return fail(StepData, err)
	}
	if err := c.Quit(); err != nil {
		return fail(StepQuit, err)
	}
	return nil
}

// auth picks the mechanism from those the server offers, preferring PLAIN (one round trip,
// and always under TLS here), then CRAM-MD5, then LOGIN (Microsoft 365 offers only LOGIN).
func (m *Mailer) auth(offered string) smtp.Auth {
	mechs := strings.Fields(strings.ToUpper(offered))
	switch {
	case slices.Contains(mechs, "PLAIN"):
		return smtp.PlainAuth("", m.username, m.password, m.host)
	case slices.Contains(mechs, "CRAM-MD5"):
		return smtp.CRAMMD5Auth(m.username, m.password)
	case slices.Contains(mechs, "LOGIN"):
		return &loginAuth{username: m.username, password: m.password}
	}
	return nil
}

// loginAuth is the LOGIN mechanism (draft-murchison-sasl-login), which net/smtp lacks. The
// server's prompts are informational: the first is answered with the username, the second
// with the password.
type loginAuth struct {
	username, password string
	prompts            int
}

func (a *loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !isLocalhost(server.Name) {
		return "", nil, notify.Permanent(errors.New("refusing AUTH LOGIN over an unencrypted connection"))
	}
	return "LOGIN", nil, nil
}

func (a *loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	a.prompts++
	switch a.prompts {
	case 1:
		return []byte(a.username), nil
	case 2:
		return []byte(a.password), nil
	}
	return nil, fmt.Errorf("unexpected AUTH LOGIN challenge %q", fromServer)
}
