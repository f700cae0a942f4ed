// Operations My Company's pages need beyond the ones its records came with: moving a status or
// a priority one place in its list, in one transaction; renaming and deleting meta-teams.

package helpdesk

import (
	"context"
	"fmt"
	"slices"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// MoveStatus moves a custom status one place up (by -1) or down (by +1) among the statuses of
// its state, in the order Statuses lists them, and renumbers their positions 0, 1, 2… in the
// same transaction, so that a list with equal positions gets an order of its own. A move past
// either end changes nothing. It returns the state's statuses in their new order. Admins,
// moderators and the system may. Returns *ValidationError (by other than -1 or +1),
// ErrNotFound, ErrConflict or ErrForbidden.
func (d *Desk) MoveStatus(ctx context.Context, actor tenant.Actor, id uuid.UUID, by int) ([]*ticket.Status, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActStatusManage, recordAt(id, storage.Queries.GetStatus))
	if err != nil {
		return nil, fmt.Errorf("move status: %w", err)
	}
	if by != -1 && by != 1 {
		return nil, invalid("by", "a status moves one place up (-1) or down (+1), not %d", by)
	}
	var group []*ticket.Status
	err = d.inTx(ctx, func(q storage.Queries) error {
		cur, err := q.GetStatus(ctx, tid, id)
		if err != nil {
			return err
		}
		all, err := q.ListStatuses(ctx, tid)
		if err != nil {
			return err
		}
		for _, s := range all {
			if s.State == cur.State {
				group = append(group, s)
			}
		}
		i := slices.IndexFunc(group, func(s *ticket.Status) bool { return s.ID == id })
		if j := i + by; i < 0 || j < 0 || j >= len(group) {
			return nil
		}
		group[i], group[i+by] = group[i+by], group[i]
		now := d.clock()
		for k, s := range group {
			if s.Position != k {
				s.Position, s.UpdatedAt = k, now
				if err := q.UpdateStatus(ctx, s); err != nil {
					return err
				}
			}
		}
		return d.audit(ctx, q, actor, tid, "status.moved", "status", cur.ID, fmt.Sprintf("%s (%s) by %+d", cur.Name, cur.State, by))
	})
	if err != nil {
		return nil, fmt.Errorf("move status %s: %w", id, err)
	}
	return group, nil
}

// MovePriority moves a priority one place up (by -1: more urgent) or down (by +1) in the order
// Priorities lists them, most urgent first, by handing the priorities' ranks out again in the
// new order in one transaction (distinct ranks 10, 20, 30… when two were equal). A move past
// either end changes nothing. It returns the priorities in their new order. Admins,
// moderators and the system may. Returns *ValidationError (by other than -1 or +1),
// ErrNotFound, ErrConflict or ErrForbidden.
func (d *Desk) MovePriority(ctx context.Context, actor tenant.Actor, id uuid.UUID, by int) ([]*ticket.Priority, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActStatusManage, recordAt(id, storage.Queries.GetPriority))
	if err != nil {
		return nil, fmt.Errorf("move priority: %w", err)
	}
	if by != -1 && by != 1 {
		return nil, invalid("by", "a priority moves one place up (-1) or down (+1), not %d", by)
	}
	var ps []*ticket.Priority
	err = d.inTx(ctx, func(q storage.Queries) error {
		var err error
		if ps, err = q.ListPriorities(ctx, tid); err != nil {
			return err
		}
		i := slices.IndexFunc(ps, func(p *ticket.Priority) bool { return p.ID == id })
		if i < 0 {
			return fmt.Errorf("priority %s: %w", id, storage.ErrNotFound)
		}
		if j := i + by; j < 0 || j >= len(ps) {
			return nil
		}
		ranks := make([]int, len(ps))
		for k, p := range ps {
			ranks[k] = p.Rank
		}
		slices.SortFunc(ranks, func(a, b int) int { return b - a })
		if len(slices.Compact(slices.Clone(ranks))) < len(ranks) {
			for k := range ranks {
				ranks[k] = (len(ranks) - k) * 10
			}
		}
		ps[i], ps[i+by] = ps[i+by], ps[i]
		now := d.clock()
		for k, p := range ps {
			if p.Rank != ranks[k] {
				p.Rank, p.UpdatedAt = ranks[k], now
				if err := q.UpdatePriority(ctx, p); err != nil {
					return err
				}
			}
		}
		return d.audit(ctx, q, actor, tid, "priority.moved", "priority", id, fmt.Sprintf("%s by %+d", ps[i+by].Name, by))
	})
	if err != nil {
		return nil, fmt.Errorf("move priority %s: %w", id, err)
	}
	return ps, nil
}

// UpdateMetaTeam renames a meta-team. m.Version must be the version read: a meta-team changed
// since gets ErrConflict. Admins, moderators and the system may. Returns *ValidationError,
// ErrNotFound, ErrConflict or ErrForbidden.
func (d *Desk) UpdateMetaTeam(ctx context.Context, actor tenant.Actor, m *tenant.MetaTeam) (*tenant.MetaTeam, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTeamManage, recordAt(m.ID, storage.Queries.GetMetaTeam))
	if err != nil {
		return nil, fmt.Errorf("update meta-team: %w", err)
	}
	name := m.Name
	if err := checkName("name", &name); err != nil {
		return nil, err
	}
	var out *tenant.MetaTeam
	err = d.inTx(ctx, func(q storage.Queries) error {
		cur, err := q.GetMetaTeam(ctx, tid, m.ID)
		if err != nil {
			return err
		}
		cur.Name, cur.Version, cur.UpdatedAt = name, m.Version, d.clock()
		if err := q.UpdateMetaTeam(ctx, cur); err != nil {
			return err
		}
		out = cur
		return d.audit(ctx, q, actor, tid, "meta_team.updated", "meta_team", cur.ID, cur.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("update meta-team %s: %w", m.ID, err)
	}
	return out, nil
}

// DeleteMetaTeam removes a meta-team; the teams filed under it stay, filed under none. Admins,
// moderators and the system may. Returns ErrNotFound or ErrForbidden.
func (d *Desk) DeleteMetaTeam(ctx context.Context, actor tenant.Actor, id uuid.UUID) error {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTeamManage, recordAt(id, storage.Queries.GetMetaTeam))
	if err != nil {
		return fmt.Errorf("delete meta-team %s: %w", id, err)
	}
	err = d.inTx(ctx, func(q storage.Queries) error {
		m, err := q.GetMetaTeam(ctx, tid, id)
		if err != nil {
			return err
		}
		if err := q.DeleteMetaTeam(ctx, tid, id); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "meta_team.deleted", "meta_team", id, m.Name)
	})
	if err != nil {
		return fmt.Errorf("delete meta-team %s: %w", id, err)
	}
	return nil
}
