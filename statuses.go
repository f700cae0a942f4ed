package helpdesk

import (
	"context"
	"fmt"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
)

// NewStatus describes a custom status.
type NewStatus struct {
	Name string
	// State is the built-in state the status maps onto.
	State ticket.State
	// Position orders the statuses of one state.
	Position int
}

// CreateStatus adds a custom status to the tenant. Admins, moderators and the system may.
// Returns *ValidationError (empty name, unknown state) or ErrForbidden.
func (d *Desk) CreateStatus(ctx context.Context, actor tenant.Actor, in NewStatus) (*ticket.Status, error) {
	tid, err := authorize(actor, tenant.ActStatusManage)
	if err != nil {
		return nil, fmt.Errorf("create status: %w", err)
	}
	if err := checkName("name", &in.Name); err != nil {
		return nil, err
	}
	if !in.State.Valid() {
		return nil, invalid("state", "%q is not a ticket state", in.State)
	}
	now := d.clock()
	s := &ticket.Status{ID: newID(), TenantID: tid, Name: in.Name, State: in.State, Position: in.Position,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	err = d.inTx(ctx, func(q storage.Queries) error {
		if err := q.CreateStatus(ctx, s); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "status.created", "status", s.ID, s.Name+" ("+string(s.State)+")")
	})
	if err != nil {
		return nil, fmt.Errorf("create status: %w", err)
	}
	return s, nil
}

// NewPriority describes a priority.
type NewPriority struct {
	Name string
	// Rank orders priorities: higher is more urgent.
	Rank int
	// Default makes this the priority of tickets submitted without one; the previous default
	// stops being it.
	Default bool
}

// CreatePriority adds a priority to the tenant. Admins, moderators and the system may. Returns
// *ValidationError, ErrForbidden or ErrConflict.
func (d *Desk) CreatePriority(ctx context.Context, actor tenant.Actor, in NewPriority) (*ticket.Priority, error) {
	tid, err := authorize(actor, tenant.ActStatusManage)
	if err != nil {
		return nil, fmt.Errorf("create priority: %w", err)
	}
	if err := checkName("name", &in.Name); err != nil {
		return nil, err
	}
	now := d.clock()
	p := &ticket.Priority{ID: newID(), TenantID: tid, Name: in.Name, Rank: in.Rank, Default: in.Default,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	err = d.inTx(ctx, func(q storage.Queries) error {
		if in.Default {
			ps, err := q.ListPriorities(ctx, tid)
			if err != nil {
				return err
			}
			for _, old := range ps {
				if old.Default {
					old.Default, old.UpdatedAt = false, now
					if err := q.UpdatePriority(ctx, old); err != nil {
						return err
					}
				}
			}
		}
		if err := q.CreatePriority(ctx, p); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "priority.created", "priority", p.ID, p.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("create priority: %w", err)
	}
	return p, nil
}
