package helpdesk

import (
	"context"
	"fmt"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
)

// ListSessions lists a page of video sessions across the tenant's tickets matching f, newest
// first: the Video Sessions list. Staff see the whole tenant's; a customer user's filter is
// pinned to their customer (a filter naming another customer lists nothing). Code holders and
// requester links get ErrForbidden (a requester reaches their ticket's sessions through
// Sessions). A zero PageRequest asks for the first page of storage.DefaultPageSize; pass the
// page's Next as After for the next one.
//
// Returns *ValidationError for an unknown session state or a planned range that ends before it
// starts, and storage.ErrInvalidCursor for a bad cursor.
func (d *Desk) ListSessions(ctx context.Context, actor tenant.Actor, f storage.SessionFilter, p storage.PageRequest) (storage.Page[*ticket.Session], error) {
	tid, err := authorize(actor, tenant.ActTicketList)
	if err != nil {
		return storage.Page[*ticket.Session]{}, fmt.Errorf("list sessions: %w", err)
	}
	if !pinCustomer(actor, &f.CustomerID) {
		return storage.Page[*ticket.Session]{}, nil
	}
	for i, s := range f.States {
		if !s.Valid() {
			return storage.Page[*ticket.Session]{}, invalid(fmt.Sprintf("states[%d]", i), "%q is not a session state", s)
		}
	}
	if !f.PlannedFrom.IsZero() && !f.PlannedTo.IsZero() && f.PlannedTo.Before(f.PlannedFrom) {
		return storage.Page[*ticket.Session]{}, invalid("planned_to", "ends before planned_from")
	}
	page, err := d.store.ListTenantSessions(ctx, tid, f, p)
	if err != nil {
		return page, fmt.Errorf("list sessions: %w", err)
	}
	return page, nil
}
