package helpdesk

import "github.com/deskkit/helpdesk/notify"

// PushKeyer is a push Notifier that names the key browsers subscribe with: notify/webpush's
// Sender is one (its VAPID public key).
type PushKeyer interface {
	PublicKey() string
}

// PushPublicKey returns the key a page gives PushManager.subscribe as its
// applicationServerKey (base64url): the VAPID public key of Config.Notifiers[notify.Push]
// when that Notifier is a PushKeyer. It returns "" when the Desk sends no push
// notifications, or sends them through a Notifier that names no key: then no browser can
// subscribe, and pages say push is not set up.
func (d *Desk) PushPublicKey() string {
	if k, ok := d.cfg.Notifiers[notify.Push].(PushKeyer); ok {
		return k.PublicKey()
	}
	return ""
}
