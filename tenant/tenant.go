package tenant

import (
	"time"

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
	CreatedAt    time.Time
	UpdatedAt    time.Time
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
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int64
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
