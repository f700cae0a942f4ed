package tenant

import (
	"time"

	"github.com/google/uuid"
)

// APIToken is a credential a user made for themself to call the API as themself, narrowed to
// Scopes. Its secret is shown once when it is made; stores keep only the secret's SHA-256 hash,
// which is not part of this struct.
type APIToken struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	// UserID is the user the token acts as; the token stops working when the user is
	// deactivated or deleted.
	UserID uuid.UUID
	// Name is the user's label, such as "ERP import".
	Name string
	// Scopes are what the token allows, within its user's rights; never zero.
	Scopes    Scopes
	CreatedAt time.Time
	// ExpiresAt is when the token stops working.
	ExpiresAt time.Time
	// LastUsedAt is when the token last authenticated a request, to the minute; nil if never.
	LastUsedAt *time.Time
	// RevokedAt is when the user revoked the token; nil while it is not revoked.
	RevokedAt *time.Time
}

// Live reports whether the token still works at now: not revoked and not expired. Its user's
// status is checked separately.
func (t *APIToken) Live(now time.Time) bool { return t.RevokedAt == nil && now.Before(t.ExpiresAt) }
