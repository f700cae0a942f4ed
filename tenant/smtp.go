package tenant

import (
	"time"

	"github.com/google/uuid"
)

// SMTP is a tenant's own mail server: while a tenant has one, its e-mail notifications go
// through it instead of the Desk's default e-mail Notifier.
type SMTP struct {
	TenantID uuid.UUID
	// Host is the server's host name or IP address, without port.
	Host string
	// Port is the server's TCP port; 0 selects the default of Security (587, 465 or 25).
	Port int
	// Security is how the connection is protected: "plain", "starttls" or "tls"; empty means
	// "starttls".
	Security string
	// Username is the SMTP AUTH user name; empty for a server that takes mail without AUTH.
	Username string
	// From is the sender of the tenant's e-mail: "Support <support@example.com>".
	From string
	// SealedPassword is the password sealed under the Desk's master key (AES-256-GCM, bound to
	// the tenant), as the store keeps it. The Desk never returns it: its reads leave it empty
	// and say only whether a password is set (PasswordSet).
	SealedPassword string
	// PasswordSet says whether a password is stored.
	PasswordSet bool
	UpdatedAt   time.Time
}
