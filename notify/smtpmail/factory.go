package smtpmail

import "github.com/deskkit/helpdesk/notify"

var _ notify.Mailer = (*Mailer)(nil)

// Factory returns a [notify.MailerFactory] that makes a Mailer for each set of
// [notify.SMTPSettings] (a tenant's own mail server): Host, Port, Security, Username, Password
// and From come from the settings, and the rest of base (HeloName, TLSConfig, Timeout, Now)
// applies to every Mailer it makes. The factory returns [New]'s error, which names the setting
// that is wrong.
func Factory(base Config) notify.MailerFactory {
	return func(s notify.SMTPSettings) (notify.Mailer, error) {
		cfg := base
		cfg.Host, cfg.Port, cfg.Security = s.Host, s.Port, Security(s.Security)
		cfg.Username, cfg.Password, cfg.From = s.Username, s.Password, s.From
		return New(cfg)
	}
}
