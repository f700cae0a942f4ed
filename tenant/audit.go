package tenant

import (
	"time"

	"github.com/google/uuid"
)

// AuditEntry records one change to a tenant's setup (customers, devices, templates, codes,
// statuses, priorities) or a ticket's deletion: who did what to which record, and when. Ticket
// changes have their own history; the audit log covers the rest.
type AuditEntry struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	Actor    Ref
	// Action names the change, as "device.created" or "ticket.deleted".
	Action string
	// Entity and EntityID name the record changed ("device" and its ID).
	Entity   string
	EntityID uuid.UUID
	// Detail is a human summary, such as the deleted ticket's reference.
	Detail string
	At     time.Time
}
