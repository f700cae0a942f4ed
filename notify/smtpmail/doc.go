// Package smtpmail is the e-mail [notify.Notifier] over SMTP: a [Mailer] submits each
// message to a mail server (your own relay, or a provider's submission service) with the
// standard library's net/smtp.
//
//	m, err := smtpmail.New(smtpmail.Config{
//		Host:     "smtp.example.com",
//		Username: "helpdesk@example.com",
//		Password: password,
//		From:     "Support <support@example.com>",
//	})
//
// Each message is an RFC 5322 message with a multipart/alternative body (text/plain and
// text/html, quoted-printable UTF-8; text/plain alone when the message has no HTML), names
// and subject encoded per RFC 2047, and Message-ID "<IdempotencyKey@helpdesk>": a retry
// carries the same Message-ID as the first attempt, so receivers that deduplicate on it
// show the message once. The header image is whatever URL the HTML refers to; nothing is
// attached. Every Send opens its own connection, so a Mailer is safe for concurrent use.
//
// # Security modes
//
// [SecurityStartTLS] (the default, port 587) connects in clear text and upgrades with
// STARTTLS before saying anything else; a server that does not offer STARTTLS is refused
// rather than used without encryption. [SecurityTLS] (port 465) speaks TLS from the start.
// [SecurityPlain] (port 25) never encrypts and is meant for a relay on the same host or
// network; [New] refuses it together with a Username unless Host is the loopback host, so
// that credentials are never sent in clear text. Certificates are verified against the
// system's roots, or Config.TLSConfig's.
//
// AUTH is used when Config.Username is set, with the first of PLAIN, CRAM-MD5 and LOGIN the
// server offers.
//
// # Errors
//
// Send returns an error marked with [notify.Permanent] when retrying cannot help: the
// message has no valid recipient address, the server answered with a 5xx reply (unknown
// recipient, refused sender, 535 authentication failed, message refused), the server's
// certificate is not trusted, the server speaks clear text where TLS was expected, or it
// lacks STARTTLS or AUTH that the Config requires. 4xx replies, refused connections,
// network failures and deadlines are transient, and the dispatcher retries them.
//
// The error wraps a *[CheckError] naming the step that failed ("connect", "tls", "auth",
// "from", "recipient", "data"), and for a server reply a *[net/textproto.Error] with the reply
// code. A failure at QUIT, after the server accepted the message, is not an error of Send.
//
// Send honours ctx: its deadline (and Config.Timeout, 30s by default) bounds the whole
// submission, and cancelling ctx closes the connection at once.
//
// # Testing the settings
//
// [Mailer.Check] is the "send test e-mail" button of a settings page: it goes through
// every step of a real submission to the address given and returns a *[CheckError] whose
// Step says where it stopped, so that the page can say "could not connect to
// smtp.example.com:587" or "the server refused the user name or password" instead of a
// bare error.
package smtpmail
