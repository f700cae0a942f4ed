package bunstore

import (
	"context"
	"fmt"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

type requestLinkRow struct {
	bun.BaseModel `bun:"table:request_links"`
	ID            uuid.UUID      `bun:"id,pk"`
	TenantID      uuid.UUID      `bun:"tenant_id"`
	DeviceID      uuid.UUID      `bun:"device_id"`
	Contact       ticket.Contact `bun:"contact"`
	CreatedBy     tenant.Ref     `bun:"created_by"`
	ExpiresAt     time.Time      `bun:"expires_at"`
	UsedAt        *time.Time     `bun:"used_at"`
	TicketID      uuid.UUID      `bun:"ticket_id,nullzero"`
	CreatedAt     time.Time      `bun:"created_at"`
}

func (*requestLinkRow) table() string { return "request_links" }

func (*requestLinkRow) columns() string {
	return "id, tenant_id, device_id, contact, created_by, expires_at, used_at, ticket_id, created_at"
}

func (r *requestLinkRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.DeviceID, jsonColumn{&r.Contact}, jsonColumn{&r.CreatedBy}, &r.ExpiresAt, &r.UsedAt,
		&r.TicketID, &r.CreatedAt}
}

func fromRequestLink(l *ticket.RequestLink) *requestLinkRow {
	return &requestLinkRow{ID: l.ID, TenantID: l.TenantID, DeviceID: l.DeviceID, Contact: l.Contact, CreatedBy: l.CreatedBy,
		ExpiresAt: l.ExpiresAt, UsedAt: l.UsedAt, TicketID: l.TicketID, CreatedAt: l.CreatedAt}
}

func (r *requestLinkRow) domain() *ticket.RequestLink {
	return &ticket.RequestLink{ID: r.ID, TenantID: r.TenantID, DeviceID: r.DeviceID, Contact: r.Contact, CreatedBy: r.CreatedBy,
		ExpiresAt: utc(r.ExpiresAt), UsedAt: utcPtr(r.UsedAt), TicketID: r.TicketID, CreatedAt: utc(r.CreatedAt)}
}

func (q *queries) CreateRequestLink(ctx context.Context, l *ticket.RequestLink) error {
	return q.insert(ctx, fromRequestLink(l))
}

func (q *queries) GetRequestLink(ctx context.Context, tenantID, id uuid.UUID) (*ticket.RequestLink, error) {
	return getRow[requestLinkRow, *ticket.RequestLink](ctx, q, scoped, tenantID, id)
}

func (q *queries) UseRequestLink(ctx context.Context, tenantID, id, ticketID uuid.UUID, at time.Time) error {
	// As UseUserToken: the IS NULL condition makes the update its own check.
	n, err := affected(q.db.NewUpdate().Table("request_links").Set("used_at = ?", at).Set("ticket_id = ?", ticketID).
		Where(scoped, tenantID, id).Where("used_at IS NULL").Exec(ctx))
	if err != nil || n == 1 {
		return err
	}
	exists, err := q.db.NewSelect().Table("request_links").Where(scoped, tenantID, id).Exists(ctx)
	if err != nil {
		return mapErr(err)
	}
	if exists {
		return fmt.Errorf("%w: request link %s already used", storage.ErrConflict, id)
	}
	return storage.ErrNotFound
}
