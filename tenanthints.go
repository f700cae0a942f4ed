package helpdesk

import (
	"sync"

	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// maxTenantHints bounds tenantHints: past it, the hints start afresh.
const maxTenantHints = 4096

// tenantHints remembers tenants as a transaction last read them, for work that must know a
// tenant's settings before its own transaction begins (SubmitTicket: the request form's rules
// and its report template, copied before the transaction because a blob store is not
// transactional). A hint is never trusted: the transaction reads the tenant again and starts
// over when its version moved, so a change another process made is seen at once. This
// process's own changes drop the hint when they commit (txWatch.UpdateTenant). The tenants
// held are read only.
type tenantHints struct {
	mu sync.Mutex
	m  map[uuid.UUID]*tenant.Tenant
}

// get returns the hint for the tenant id, nil when there is none.
func (h *tenantHints) get(id uuid.UUID) *tenant.Tenant {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.m[id]
}

// put remembers t, unless a newer version of it is held already.
func (h *tenantHints) put(t *tenant.Tenant) {
	if t == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if old := h.m[t.ID]; old != nil && old.Version > t.Version {
		return
	}
	if h.m == nil || len(h.m) >= maxTenantHints {
		h.m = make(map[uuid.UUID]*tenant.Tenant)
	}
	h.m[t.ID] = t
}

// drop forgets the hint for the tenant id.
func (h *tenantHints) drop(id uuid.UUID) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.m, id)
}
