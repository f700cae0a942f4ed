package helpdesk

import (
	"context"
	"fmt"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// NewStatus describes a custom status.
type NewStatus struct {
	Name string
	// State is the built-in state the status maps onto.
	State ticket.State
	// Position orders the statuses of one state.
	Position int
	// Default makes this the status tickets get when they enter State; the state's previous
	// default stops being it.
	Default bool
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
		Default: in.Default, CreatedAt: now, UpdatedAt: now, Version: 1}
	err = d.inTx(ctx, func(q storage.Queries) error {
		if err := clearDefaultStatus(ctx, q, s, now); err != nil {
			return err
		}
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

// clearDefaultStatus makes the other statuses of s's state stop being its default, when s is.
func clearDefaultStatus(ctx context.Context, q storage.Queries, s *ticket.Status, now time.Time) error {
	if !s.Default {
		return nil
	}
	ss, err := q.ListStatuses(ctx, s.TenantID)
	if err != nil {
		return err
	}
	for _, old := range ss {
		if old.ID != s.ID && old.State == s.State && old.Default {
			old.Default, old.UpdatedAt = false, now
			if err := q.UpdateStatus(ctx, old); err != nil {
				return err
			}
		}
	}
	return nil
}

// defaultStatus returns the ID of the status a ticket gets when it enters state: the state's
// default status, or uuid.Nil when it has none.
func defaultStatus(ctx context.Context, q storage.Queries, tenantID uuid.UUID, state ticket.State) (uuid.UUID, error) {
	return q.DefaultStatus(ctx, tenantID, state)
}

// UpdateStatus changes a custom status's name, position (its place among the statuses of its
// state, which Statuses lists in that order), default and retirement; its state never changes.
// Making it the default makes the state's previous default stop being it. A retired status
// stays on the tickets that have it, but SetStatus refuses it and no ticket enters it; the
// default cannot be retired (make another status the default first). s.Version must be the
// version read: a status changed since gets ErrConflict. Admins, moderators and the system
// may. Returns *ValidationError, ErrNotFound, ErrConflict or ErrForbidden.
func (d *Desk) UpdateStatus(ctx context.Context, actor tenant.Actor, s *ticket.Status) (*ticket.Status, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActStatusManage, recordAt(s.ID, storage.Queries.GetStatus))
	if err != nil {
		return nil, fmt.Errorf("update status: %w", err)
	}
	name := s.Name
	if err := checkName("name", &name); err != nil {
		return nil, err
	}
	if s.Default && s.Retired {
		return nil, invalid("retired", "the default status cannot be retired; make another status the default first")
	}
	var out *ticket.Status
	err = d.inTx(ctx, func(q storage.Queries) error {
		cur, err := q.GetStatus(ctx, tid, s.ID)
		if err != nil {
			return err
		}
		if s.State != "" && s.State != cur.State {
			return invalid("state", "a status keeps its state (%s); create a status for %s instead", cur.State, s.State)
		}
		if cur.Default && !s.Default {
			return invalid("default", "a state keeps a default status; make another status of %s the default instead", cur.State)
		}
		now := d.clock()
		cur.Name, cur.Position, cur.Default, cur.Retired = name, s.Position, s.Default, s.Retired
		cur.Version, cur.UpdatedAt = s.Version, now
		if err := q.UpdateStatus(ctx, cur); err != nil {
			return err
		}
		if err := clearDefaultStatus(ctx, q, cur, now); err != nil {
			return err
		}
		out = cur
		return d.audit(ctx, q, actor, tid, "status.updated", "status", cur.ID, cur.Name+" ("+string(cur.State)+")")
	})
	if err != nil {
		return nil, fmt.Errorf("update status %s: %w", s.ID, err)
	}
	return out, nil
}

// UpdatePriority changes a priority's name, rank (Priorities lists them by rank, most urgent
// first), default and retirement. Making it the default makes the previous default stop being
// it. A retired priority stays on the tickets that have it, but SubmitTicket and EditTicket
// refuse it; the default cannot be retired. p.Version must be the version read: a priority
// changed since gets ErrConflict. Admins, moderators and the system may. Returns
// *ValidationError, ErrNotFound, ErrConflict or ErrForbidden.
func (d *Desk) UpdatePriority(ctx context.Context, actor tenant.Actor, p *ticket.Priority) (*ticket.Priority, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActStatusManage, recordAt(p.ID, storage.Queries.GetPriority))
	if err != nil {
		return nil, fmt.Errorf("update priority: %w", err)
	}
	name := p.Name
	if err := checkName("name", &name); err != nil {
		return nil, err
	}
	if p.Default && p.Retired {
		return nil, invalid("retired", "the default priority cannot be retired; make another priority the default first")
	}
	var out *ticket.Priority
	err = d.inTx(ctx, func(q storage.Queries) error {
		cur, err := q.GetPriority(ctx, tid, p.ID)
		if err != nil {
			return err
		}
		now := d.clock()
		if p.Default && !cur.Default {
			ps, err := q.ListPriorities(ctx, tid)
			if err != nil {
				return err
			}
			for _, old := range ps {
				if old.ID != cur.ID && old.Default {
					old.Default, old.UpdatedAt = false, now
					if err := q.UpdatePriority(ctx, old); err != nil {
						return err
					}
				}
			}
		}
		cur.Name, cur.Rank, cur.Default, cur.Retired = name, p.Rank, p.Default, p.Retired
		cur.Version, cur.UpdatedAt = p.Version, now
		if err := q.UpdatePriority(ctx, cur); err != nil {
			return err
		}
		out = cur
		return d.audit(ctx, q, actor, tid, "priority.updated", "priority", cur.ID, cur.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("update priority %s: %w", p.ID, err)
	}
	return out, nil
}

// usablePriority reads priority id for a ticket to be given it anew: it must exist and not be
// retired.
func usablePriority(ctx context.Context, q storage.Queries, tenantID, id uuid.UUID) error {
	p, err := q.GetPriority(ctx, tenantID, id)
	if err != nil {
		return fmt.Errorf("priority %s: %w", id, err)
	}
	if p.Retired {
		return invalid("priority_id", "priority %q is retired", p.Name)
	}
	return nil
}
