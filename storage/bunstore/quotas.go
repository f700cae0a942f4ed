package bunstore

import (
	"context"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// The counts behind the Desk's quotas.

func (q *queries) CountCodeTickets(ctx context.Context, tenantID, codeID uuid.UUID, since time.Time) (int, error) {
	if codeID == uuid.Nil {
		return 0, nil
	}
	n, err := q.codeTickets(tenantID, codeID, since).Count(ctx)
	return int(n), mapErr(err)
}

// codeTickets selects the tickets opened through a code after since, from the partial index
// tickets_tenant_code_created alone (code_id = ? implies the index's code_id IS NOT NULL on
// both engines).
func (q *queries) codeTickets(tenantID, codeID uuid.UUID, since time.Time) *bun.SelectQuery {
	return q.db.NewSelect().Table("tickets").
		Where("tenant_id = ? AND code_id = ? AND created_at > ?", tenantID, codeID, since)
}

func (q *queries) CountSessions(ctx context.Context, tenantID, ticketID uuid.UUID, states ...ticket.SessionState) (int, error) {
	s := q.db.NewSelect().Table("sessions").Where("tenant_id = ? AND ticket_id = ?", tenantID, ticketID)
	if len(states) > 0 {
		s = s.Where("state IN (?)", bun.List(states))
	}
	n, err := s.Count(ctx)
	return int(n), mapErr(err)
}

func (q *queries) TicketFiles(ctx context.Context, tenantID, ticketID uuid.UUID) (storage.FileUsage, error) {
	var u struct {
		Files int   `bun:"files"`
		Bytes int64 `bun:"bytes"`
	}
	// SUM is numeric on PostgreSQL: the cast keeps it an integer on both engines.
	err := q.db.NewSelect().Table("attachments").
		ColumnExpr("count(*) AS files, CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes").
		Where("tenant_id = ? AND ticket_id = ?", tenantID, ticketID).Scan(ctx, &u)
	return storage.FileUsage{Files: u.Files, Bytes: u.Bytes}, mapErr(err)
}
