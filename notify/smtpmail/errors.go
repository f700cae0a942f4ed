package smtpmail

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/textproto"

	"github.com/deskkit/helpdesk/notify"
)

// The steps of an SMTP submission, as [CheckError.Step] names them.
const (
	// StepConnect is the TCP connection, the server's greeting and EHLO.
	StepConnect = "connect"
	// StepTLS is STARTTLS or the implicit TLS handshake, certificate check included.
	StepTLS = "tls"
	// StepAuth is SMTP AUTH.
	StepAuth = "auth"
	// StepFrom is MAIL FROM, where the server accepts or refuses the sender.
	StepFrom = "from"
	// StepRecipient is RCPT TO, where the server accepts or refuses the recipient.
	StepRecipient = "recipient"
	// StepData is DATA: the message itself, and the server's verdict on it.
	StepData = "data"
	// StepQuit is QUIT, after the server accepted the message.
	StepQuit = "quit"
)

// CheckError is the error of [Mailer.Check] (and, wrapped, of [Mailer.Send]): Step says
// which step of the submission failed, one of StepConnect, StepTLS, StepAuth, StepFrom,
// StepRecipient, StepData and StepQuit.
//
// Err is marked with [notify.Permanent] when retrying cannot help (a 5xx reply, an untrusted
// certificate, a missing STARTTLS or AUTH); an SMTP reply is a *[textproto.Error] with the
// reply's Code. Both are reachable with errors.Is and errors.As through the CheckError.
type CheckError struct {
	Step string
	Err  error
}

// Error returns "smtp <step>: <err>".
func (e *CheckError) Error() string { return "smtp " + e.Step + ": " + e.Err.Error() }

// Unwrap returns Err.
func (e *CheckError) Unwrap() error { return e.Err }

// classify marks err permanent when retrying the same submission cannot succeed.
func classify(err error) error {
	var reply *textproto.Error
	if errors.As(err, &reply) {
		// RFC 5321 4.2.1: 5yz is a permanent negative completion, 4yz a transient one.
		if reply.Code >= 500 {
			return notify.Permanent(err)
		}
		return err
	}
	if isCertificateError(err) {
		return notify.Permanent(err)
	}
	// A TLS client talking to a port that speaks clear text: a wrong Port or Security.
	var header tls.RecordHeaderError
	if errors.As(err, &header) {
		return notify.Permanent(err)
	}
	// Refused connections, resets, timeouts and EOFs may pass; retry them.
	return err
}

func isCertificateError(err error) bool {
	var (
		verification *tls.CertificateVerificationError
		authority    x509.UnknownAuthorityError
		hostname     x509.HostnameError
		invalid      x509.CertificateInvalidError
	)
	return errors.As(err, &verification) || errors.As(err, &authority) ||
		errors.As(err, &hostname) || errors.As(err, &invalid)
}

// FailedStep returns Step: the method by which a [notify.Mailer]'s Check names the step that
// failed.
func (e *CheckError) FailedStep() string { return e.Step }
