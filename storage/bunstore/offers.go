package bunstore

import (
	"context"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

type offerRow struct {
	bun.BaseModel `bun:"table:offers"`
	ID            uuid.UUID  `bun:"id,pk"`
	TenantID      uuid.UUID  `bun:"tenant_id"`
	TicketID      uuid.UUID  `bun:"ticket_id"`
	UserID        uuid.UUID  `bun:"user_id"`
	State         string     `bun:"state"`
	CreatedAt     time.Time  `bun:"created_at"`
	ClosedAt      *time.Time `bun:"closed_at"`
}

func (*offerRow) table() string { return "offers" }

func (*offerRow) columns() string {
	return "id, tenant_id, ticket_id, user_id, state, created_at, closed_at"
}

func (r *offerRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.TicketID, &r.UserID, &r.State, &r.CreatedAt, &r.ClosedAt}
}

func fromOffer(o *ticket.Offer) offerRow {
	return offerRow{ID: o.ID, TenantID: o.TenantID, TicketID: o.TicketID, UserID: o.UserID, State: string(o.State),
		CreatedAt: o.CreatedAt, ClosedAt: o.ClosedAt}
}

func (r *offerRow) domain() *ticket.Offer {
	return &ticket.Offer{ID: r.ID, TenantID: r.TenantID, TicketID: r.TicketID, UserID: r.UserID,
		State: ticket.OfferState(r.State), CreatedAt: utc(r.CreatedAt), ClosedAt: utcPtr(r.ClosedAt)}
}

// openOffer is the condition of an open offer, with its state as a literal so that both
// engines read the partial index of open offers.
const openOffer = "state = 'open'"

func (q *queries) CreateOffers(ctx context.Context, offers []*ticket.Offer) error {
	if len(offers) == 0 {
		return nil
	}
	rows := make([]offerRow, len(offers))
	for i, o := range offers {
		rows[i] = fromOffer(o)
	}
	return q.insert(ctx, &rows)
}

func (q *queries) AcceptOffer(ctx context.Context, tenantID, ticketID, userID uuid.UUID, at time.Time) error {
	// The open-state condition makes the update its own check: of concurrent accepts of one
	// offer only one finds it open.
	n, err := affected(q.db.NewUpdate().Table("offers").Set("state = ?", string(ticket.OfferAccepted)).Set("closed_at = ?", at).
		Where("tenant_id = ? AND user_id = ? AND ticket_id = ?", tenantID, userID, ticketID).Where(openOffer).Exec(ctx))
	if err != nil {
		return err
	}
	if n == 0 {
		return storage.ErrNotFound
	}
	return nil
}

func (q *queries) CloseOffers(ctx context.Context, tenantID, ticketID uuid.UUID, state ticket.OfferState, at time.Time) (int, error) {
	return affected(q.db.NewUpdate().Table("offers").Set("state = ?", string(state)).Set("closed_at = ?", at).
		Where("tenant_id = ? AND ticket_id = ?", tenantID, ticketID).Where(openOffer).Exec(ctx))
}

func (q *queries) ListOffers(ctx context.Context, tenantID uuid.UUID, f storage.OfferFilter, p storage.PageRequest) (storage.Page[*ticket.Offer], error) {
	return page[offerRow, *ticket.Offer](ctx, q, tenantID, p, func(s *bun.SelectQuery) *bun.SelectQuery {
		if f.TicketID != uuid.Nil {
			s = s.Where("ticket_id = ?", f.TicketID)
		}
		if f.UserID != uuid.Nil {
			s = s.Where("user_id = ?", f.UserID)
		}
		switch {
		case len(f.States) == 1 && f.States[0] == ticket.OfferOpen:
			s = s.Where(openOffer)
		case len(f.States) > 0:
			s = s.Where("state IN (?)", bun.List(f.States))
		}
		return s
	}, func(o *ticket.Offer) uuid.UUID { return o.ID })
}

func (q *queries) DeleteTeam(ctx context.Context, tenantID, id uuid.UUID) error {
	return q.atomic(ctx, func(q *queries) error {
		// Members first, whether or not the foreign key cascades.
		if _, err := q.db.NewDelete().Table("team_members").Where("tenant_id = ? AND team_id = ?", tenantID, id).Exec(ctx); err != nil {
			return mapErr(err)
		}
		n, err := affected(q.db.NewDelete().Table("teams").Where(scoped, tenantID, id).Exec(ctx))
		if err != nil {
			return err
		}
		if n == 0 {
			return storage.ErrNotFound
		}
		return nil
	})
}
