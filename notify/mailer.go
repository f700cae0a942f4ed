package notify

import "context"

// SMTPSettings are the settings of an SMTP server: a tenant's own mail server (see the
// helpdesk Desk's SetSMTP), as a MailerFactory receives them, the password in clear.
type SMTPSettings struct {
	// Host is the server's host name or IP address, without port.
	Host string
	// Port is the server's TCP port; 0 selects the default of Security.
	Port int
	// Security is how the connection is protected: "plain", "starttls" or "tls"; empty
	// selects the factory's default (STARTTLS for smtpmail).
	Security string
	// Username and Password authenticate with SMTP AUTH when Username is not empty.
	Username string
	Password string
	// From is the sender, as an RFC 5322 address with an optional name.
	From string
}

// Mailer is an e-mail Notifier that can also try its settings. Check sends one short test
// message to the address to and returns nil once the server accepted it. Otherwise its error
// names the step of the submission that failed through a method FailedStep() string
// ("connect", "tls", "auth", "from", "recipient", "data"), as smtpmail's *CheckError does.
type Mailer interface {
	Notifier
	Check(ctx context.Context, to string) error
}

// MailerFactory makes the Mailer of an SMTP server's settings, such as smtpmail.Factory. It
// connects to nothing; it returns an error naming the setting that cannot be used.
type MailerFactory func(s SMTPSettings) (Mailer, error)
