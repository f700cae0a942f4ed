package tenant

import (
	"time"

	"github.com/deskkit/helpdesk/notify"

	"github.com/google/uuid"
)

// Tenant is a platform operator: the support company that owns customers, devices, templates,
// codes and tickets. Every stored record belongs to exactly one Tenant, and every query is scoped
// by its ID.
type Tenant struct {
	ID uuid.UUID
	// Name is the operator's display name.
	Name string
	// Language is the tenant's default language (a BCP 47 tag such as "en" or "de"); notifications
	// fall back to it when a recipient has none.
	Language string
	// TicketPrefix starts every human ticket reference, as in "T-000123". Defaults to "T".
	TicketPrefix string
	// DefaultTeamID is the tenant's default group: the team new requests go to. The first team
	// created becomes it; uuid.Nil only while the tenant has no team.
	DefaultTeamID uuid.UUID
	// Settings are the tenant's switches and durations.
	Settings Settings
	// LinkSecret keys the links the helpdesk derives for each ticket (the requester's link),
	// so that every notification can carry them while storage holds only their hashes. Stores
	// create it with the tenant and never change it; it is never serialized.
	LinkSecret []byte `json:"-"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// Version is incremented by every stored update; an update carrying a stale Version fails
	// with storage.ErrConflict.
	Version int64
}

// Customer is a corporate customer: a sub-tenant of one operator that owns devices and whose
// employees may use a slimmed back office for them.
type Customer struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	Name     string
	// Language is the customer's preferred language; empty means the tenant's.
	Language string
	// ProjectID optionally files the customer under a project; uuid.Nil means none.
	ProjectID uuid.UUID
	// DepartmentID optionally names the operator's department (branch) that serves the customer.
	DepartmentID uuid.UUID
	// SupportUntil is the end of the customer's support plan; nil means no expiry.
	SupportUntil *time.Time
	// SignupDomains are the e-mail domains ("northwind.example") whose owners may register
	// themselves as this customer's users, while the tenant allows self-registration.
	SignupDomains []string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int64
}

// Department is a branch of an operator.
type Department struct {
	ID        uuid.UUID
	TenantID  uuid.UUID
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// Project groups customers and tickets under one engagement.
type Project struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	Name     string
	// CustomerID optionally ties the project to one customer; uuid.Nil means operator-wide.
	CustomerID uuid.UUID
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int64
}

// DefaultPublicAccessDays is how long a requester link keeps working after its ticket closed,
// when Settings.PublicAccessDays is zero.
const DefaultPublicAccessDays = 30

// Settings are a tenant's switches and durations. The zero value is a working configuration.
type Settings struct {
	// SelfRegistration lets people register themselves as users of the customer whose
	// SignupDomains hold their e-mail domain. Off by default: users join by invitation.
	SelfRegistration bool
	// PublicAccessDays is how many days after its ticket closed a requester link keeps
	// working. Defaults to DefaultPublicAccessDays.
	PublicAccessDays int
	// Notifications switch events on or off per channel; what it does not name keeps the
	// catalogue's default (notify.Spec.Channels).
	Notifications notify.Switches
	// SupportLink is the link notifications offer to reach support ({{.support_link}});
	// empty means the Desk's base URL.
	SupportLink string
}

// PublicAccess returns how long a requester link works after its ticket closed.
func (s Settings) PublicAccess() time.Duration {
	days := s.PublicAccessDays
	if days <= 0 {
		days = DefaultPublicAccessDays
	}
	return time.Duration(days) * 24 * time.Hour
}
