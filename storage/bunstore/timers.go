package bunstore

import (
	"context"
	"fmt"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// rearmTimer replaces the subject's pending timer of the same kind with the new one, new ID
// included, so that a claim of the old one can no longer fire it (FireTimer matches ID and
// attempts, and attempts start again at 0).
const rearmTimer = `ON CONFLICT (subject_id, kind) DO UPDATE SET id = excluded.id, tenant_id = excluded.tenant_id,
	ticket_id = excluded.ticket_id, session_id = excluded.session_id, due_at = excluded.due_at,
	run_at = excluded.run_at, attempts = excluded.attempts, last_error = excluded.last_error,
	created_at = excluded.created_at`

func (q *queries) ArmTimer(ctx context.Context, t *ticket.Timer) error {
	r := fromTimer(t)
	r.RunAt, r.Attempts, r.LastError = r.DueAt, 0, ""
	// The subject must be the tenant's: its ticket, or a session of that ticket.
	cond, args := "EXISTS (SELECT 1 FROM tickets WHERE tenant_id = ? AND id = ?)", []any{t.TenantID, t.TicketID}
	if t.SessionID != uuid.Nil {
		cond = "EXISTS (SELECT 1 FROM sessions WHERE tenant_id = ? AND ticket_id = ? AND id = ?)"
		args = append(args, t.SessionID)
	}
	ok, err := q.insertWhere(ctx, r.table(), r.columns(), r.values(), cond, args, rearmTimer)
	if err != nil {
		return err
	}
	if !ok {
		if t.SessionID != uuid.Nil {
			return fmt.Errorf("%w: arm timer %s: tenant %s has no session %s of ticket %s", storage.ErrNotFound, t.Kind, t.TenantID, t.SessionID, t.TicketID)
		}
		return fmt.Errorf("%w: arm timer %s: tenant %s has no ticket %s", storage.ErrNotFound, t.Kind, t.TenantID, t.TicketID)
	}
	t.RunAt, t.Attempts, t.LastError = r.RunAt, r.Attempts, r.LastError
	return nil
}

func (q *queries) CancelTimers(ctx context.Context, tenantID uuid.UUID, s storage.TimerScope) (int, error) {
	d := q.db.NewDelete().Table("timers").Where("tenant_id = ? AND ticket_id = ?", tenantID, s.TicketID)
	switch {
	case s.SessionID != uuid.Nil:
		d = d.Where("session_id = ?", s.SessionID)
	case s.TicketOnly:
		d = d.Where("session_id IS NULL")
	}
	if len(s.Kinds) > 0 {
		d = d.Where("kind IN (?)", bun.List(s.Kinds))
	}
	return affected(d.Exec(ctx))
}

func (q *queries) ClaimTimers(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*ticket.Timer, error) {
	return claim[timerRow](ctx, q, timerQueue, now, now.Add(lease), limit, timerID)
}

func timerID(t *ticket.Timer) uuid.UUID { return t.ID }

func (q *queries) FireTimer(ctx context.Context, tenantID, id uuid.UUID, attempts int) (bool, error) {
	n, err := affected(q.db.NewDelete().Table("timers").Where(scoped, tenantID, id).Where("attempts = ?", attempts).Exec(ctx))
	return n == 1, err
}

func (q *queries) RetryTimer(ctx context.Context, tenantID, id uuid.UUID, attempts int, runAt time.Time, lastErr string) error {
	_, err := q.db.NewUpdate().Table("timers").Set("run_at = ?", runAt).Set("last_error = ?", lastErr).
		Where(scoped, tenantID, id).Where("attempts = ?", attempts).Exec(ctx)
	return mapErr(err)
}

func (q *queries) NextTimerRun(ctx context.Context) (time.Time, bool, error) {
	return q.nextDue(ctx, timerQueue)
}

func (q *queries) ListTimers(ctx context.Context, tenantID, ticketID uuid.UUID) ([]*ticket.Timer, error) {
	return listRows[timerRow, *ticket.Timer](ctx, q, func(s *bun.SelectQuery) *bun.SelectQuery {
		return s.Where("tenant_id = ? AND ticket_id = ?", tenantID, ticketID).OrderExpr("due_at ASC, id ASC")
	})
}
