package bunstore

import (
	"context"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Canned responses.

func (q *queries) CreateCannedResponse(ctx context.Context, c *ticket.CannedResponse) error {
	return q.insert(ctx, fromCanned(c))
}

func (q *queries) GetCannedResponse(ctx context.Context, tenantID, id uuid.UUID) (*ticket.CannedResponse, error) {
	return getRow[cannedRow, *ticket.CannedResponse](ctx, q, scoped, tenantID, id)
}

func (q *queries) UpdateCannedResponse(ctx context.Context, c *ticket.CannedResponse) error {
	r := fromCanned(c)
	return q.updateVersioned(ctx, r, &r.Version, "canned_responses", c.TenantID, c.ID, &c.Version)
}

func (q *queries) DeleteCannedResponse(ctx context.Context, tenantID, id uuid.UUID) error {
	n, err := affected(q.db.NewDelete().Table("canned_responses").Where(scoped, tenantID, id).Exec(ctx))
	if err == nil && n == 0 {
		err = storage.ErrNotFound
	}
	return err
}

func (q *queries) ListCannedResponses(ctx context.Context, tenantID uuid.UUID, language string) ([]*ticket.CannedResponse, error) {
	return listRows[cannedRow, *ticket.CannedResponse](ctx, q, func(s *bun.SelectQuery) *bun.SelectQuery {
		s = s.Where("tenant_id = ?", tenantID)
		if language != "" {
			s = s.Where("language = ?", language)
		}
		return s.OrderExpr("title ASC, id ASC")
	})
}
