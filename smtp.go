package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// SMTPInput is a tenant's own mail server, as an admin sets it with SetSMTP.
type SMTPInput struct {
	// Host is the server's host name or IP address, without port. Required.
	Host string
	// Port is the server's TCP port; 0 selects the default of Security (587, 465 or 25).
	Port int
	// Security is "starttls" (the default when empty), "tls" or "plain".
	Security string
	// Username is the SMTP AUTH user name; empty for a server that takes mail without AUTH.
	Username string
	// Password is Username's password. Empty keeps the stored one, so that a settings form,
	// which never shows the password back, can be saved without retyping it. Without a
	// Username no password is kept.
	Password string
	// From is the sender of the tenant's e-mail: "Support <support@example.com>". Required.
	From string
}

var (
	// ErrSMTPUnavailable means the Desk cannot send through a tenant's own mail server: it
	// has no Config.TenantMailer.
	ErrSMTPUnavailable = errors.New("tenant mail servers unavailable")
	// ErrSMTPTest is wrapped by every *SMTPTestError: the settings did not carry a test
	// message. It is an ErrInvalid (the settings do not work).
	ErrSMTPTest error = &kindError{msg: "SMTP test send failed", of: ErrInvalid}
)

// SMTPTestError is TestSMTP's error when the test message did not go. It wraps ErrSMTPTest
// and Err.
type SMTPTestError struct {
	// Step names the step of the submission that failed: "connect", "tls", "auth", "from",
	// "recipient" or "data" (empty when the mailer did not say).
	Step string
	// Err is the mailer's error.
	Err error
}

// Error returns "SMTP test send failed at STEP: ERR".
func (e *SMTPTestError) Error() string {
	return fmt.Sprintf("%v at %s: %v", ErrSMTPTest, cmpOr(e.Step, "an unknown step"), e.Err)
}

// Unwrap returns ErrSMTPTest and Err.
func (e *SMTPTestError) Unwrap() []error { return []error{ErrSMTPTest, e.Err} }

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// smtpAD binds a sealed SMTP password to its tenant and use.
func smtpAD(tenantID uuid.UUID) []byte { return append([]byte("tenant smtp "), tenantID[:]...) }

// SMTP returns the tenant's own mail server, or nil when its e-mail goes through the Desk's
// default e-mail Notifier. The password is never returned: PasswordSet says whether one is
// stored. Admins may. Returns ErrForbidden.
func (d *Desk) SMTP(ctx context.Context, actor tenant.Actor) (*tenant.SMTP, error) {
	tid, err := authorize(actor, tenant.ActSMTP)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	s, err := d.store.GetTenantSMTP(ctx, tid)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	return redactSMTP(s), nil
}

func redactSMTP(s *tenant.SMTP) *tenant.SMTP {
	out := *s
	out.SealedPassword = ""
	return &out
}

// SetSMTP makes the tenant's e-mail notifications go through its own mail server, from the
// next delivery on. The password is sealed under the first of Config.SecretKeys (AES-256-GCM,
// bound to the tenant) before it is stored; the result, like SMTP's, says only whether one is
// set. It connects to nothing: TestSMTP tries the settings. Admins may. Returns
// *ValidationError (host, port, security, password, from, or the mailer's own objection to
// the settings, such as credentials over a plain connection to another host),
// ErrSMTPUnavailable without Config.TenantMailer, or ErrForbidden.
func (d *Desk) SetSMTP(ctx context.Context, actor tenant.Actor, in SMTPInput) (*tenant.SMTP, error) {
	tid, err := authorize(actor, tenant.ActSMTP)
	if err != nil {
		return nil, fmt.Errorf("set smtp: %w", err)
	}
	if d.cfg.TenantMailer == nil {
		return nil, fmt.Errorf("set smtp: %w", ErrSMTPUnavailable)
	}
	in.Host, in.Username, in.From = strings.TrimSpace(in.Host), strings.TrimSpace(in.Username), strings.TrimSpace(in.From)
	switch {
	case in.Host == "":
		return nil, invalid("host", "is required")
	case in.Port < 0 || in.Port > 65535:
		return nil, invalid("port", "%d is outside 1 to 65535", in.Port)
	case in.Security != "" && in.Security != "starttls" && in.Security != "tls" && in.Security != "plain":
		return nil, invalid("security", "%q is not one of starttls, tls, plain", in.Security)
	case in.From == "":
		return nil, invalid("from", "is required")
	}
	if _, err := mail.ParseAddress(in.From); err != nil {
		return nil, invalid("from", "%q is not an e-mail address", in.From)
	}
	if in.Security == "" {
		in.Security = "starttls"
	}
	var out *tenant.SMTP
	err = d.inTx(ctx, func(q storage.Queries) error {
		password := in.Password
		if in.Username == "" {
			password = ""
		} else if password == "" {
			old, err := q.GetTenantSMTP(ctx, tid)
			if err != nil && !isNotFound(err) {
				return err
			}
			if old != nil && old.SealedPassword != "" {
				plain, err := secret.Open(d.cfg.SecretKeys, old.SealedPassword, smtpAD(tid))
				if err != nil {
					return invalid("password", "the stored password was sealed under a key no longer configured: enter it again")
				}
				password = string(plain)
			}
			if password == "" {
				return invalid("password", "is required with a user name")
			}
		}
		if _, err := d.cfg.TenantMailer(smtpSettings(in.Host, in.Port, in.Security, in.Username, password, in.From)); err != nil {
			return &ValidationError{Field: "smtp", Problem: err.Error(), Err: err}
		}
		s := &tenant.SMTP{TenantID: tid, Host: in.Host, Port: in.Port, Security: in.Security, Username: in.Username,
			From: in.From, UpdatedAt: d.clock()}
		if password != "" {
			s.SealedPassword = secret.Seal(d.cfg.SecretKeys[0], []byte(password), smtpAD(tid))
			s.PasswordSet = true
		}
		if err := q.PutTenantSMTP(ctx, s); err != nil {
			return err
		}
		out = redactSMTP(s)
		return d.audit(ctx, q, actor, tid, "tenant.smtp", "tenant", tid,
			fmt.Sprintf("host=%s port=%d security=%s username=%q from=%q password_set=%t", s.Host, s.Port, s.Security, s.Username, s.From, s.PasswordSet))
	})
	if err != nil {
		return nil, fmt.Errorf("set smtp: %w", err)
	}
	return out, nil
}

// DeleteSMTP removes the tenant's own mail server: its e-mail goes through the Desk's
// default e-mail Notifier again. Admins may. Returns ErrNotFound when the tenant has none,
// or ErrForbidden.
func (d *Desk) DeleteSMTP(ctx context.Context, actor tenant.Actor) error {
	tid, err := authorize(actor, tenant.ActSMTP)
	if err != nil {
		return fmt.Errorf("delete smtp: %w", err)
	}
	err = d.inTx(ctx, func(q storage.Queries) error {
		if err := q.DeleteTenantSMTP(ctx, tid); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "tenant.smtp_delete", "tenant", tid, "")
	})
	if err != nil {
		return fmt.Errorf("delete smtp: %w", err)
	}
	return nil
}

// TestSMTP sends one short test message to the address to through the tenant's e-mail: its
// own mail server when it has one, else the Desk's default e-mail Notifier when that can be
// tried (a notify.Mailer, such as smtpmail's). It returns nil once the server accepted the
// message, and otherwise a *SMTPTestError whose Step names the step that failed. Admins may.
// Returns *ValidationError (to is not an e-mail address, or there is no mail server to try),
// *SMTPTestError, or ErrForbidden.
func (d *Desk) TestSMTP(ctx context.Context, actor tenant.Actor, to string) error {
	tid, err := authorize(actor, tenant.ActSMTP)
	if err != nil {
		return fmt.Errorf("test smtp: %w", err)
	}
	if _, err := mail.ParseAddress(to); err != nil {
		return invalid("to", "%q is not an e-mail address", to)
	}
	m, err := d.tenantMailer(ctx, tid)
	if err != nil {
		return fmt.Errorf("test smtp: %w", err)
	}
	if m == nil {
		def, ok := d.cfg.Notifiers[notify.Email].(notify.Mailer)
		if !ok {
			return invalid("smtp", "the tenant has no mail server of its own, and the Desk's e-mail notifier cannot be tried")
		}
		m = def
	}
	if err := m.Check(ctx, to); err != nil {
		te := &SMTPTestError{Err: err}
		var step interface{ FailedStep() string }
		if errors.As(err, &step) {
			te.Step = step.FailedStep()
		}
		return te
	}
	return nil
}

func smtpSettings(host string, port int, security, username, password, from string) notify.SMTPSettings {
	return notify.SMTPSettings{Host: host, Port: port, Security: security, Username: username, Password: password, From: from}
}

// tenantMailer returns the Mailer of the tenant's own mail server, or nil when it has none
// (or the Desk has no Config.TenantMailer). A password sealed under an older key is sealed
// again under the first, so that the older key can be dropped once every tenant's mail has
// gone. A password no configured key opens is a permanent error.
func (d *Desk) tenantMailer(ctx context.Context, tenantID uuid.UUID) (notify.Mailer, error) {
	if d.cfg.TenantMailer == nil {
		return nil, nil
	}
	s, err := d.store.GetTenantSMTP(ctx, tenantID)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("the tenant's mail server: %w", err)
	}
	var password []byte
	if s.SealedPassword != "" {
		ad := smtpAD(tenantID)
		if password, err = secret.Open(d.cfg.SecretKeys[:1], s.SealedPassword, ad); err != nil {
			if password, err = secret.Open(d.cfg.SecretKeys, s.SealedPassword, ad); err != nil {
				return nil, notify.Permanent(fmt.Errorf("the tenant's SMTP password: %w", err))
			}
			resealed := secret.Seal(d.cfg.SecretKeys[0], password, ad)
			if err := d.store.ResealTenantSMTP(ctx, tenantID, s.SealedPassword, resealed); err != nil {
				d.cfg.Logger.Warn("helpdesk: could not seal a tenant's SMTP password under the first key", "tenant", tenantID, "err", err)
			}
		}
	}
	m, err := d.cfg.TenantMailer(smtpSettings(s.Host, s.Port, s.Security, s.Username, string(password), s.From))
	if err != nil {
		return nil, notify.Permanent(fmt.Errorf("the tenant's mail server: %w", err))
	}
	return m, nil
}
