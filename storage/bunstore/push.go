package bunstore

import (
	"context"
	"fmt"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

type pushSubscriptionRow struct {
	bun.BaseModel `bun:"table:push_subscriptions"`
	ID            uuid.UUID `bun:"id,pk"`
	TenantID      uuid.UUID `bun:"tenant_id"`
	UserID        uuid.UUID `bun:"user_id"`
	Endpoint      string    `bun:"endpoint"`
	P256dh        string    `bun:"p256dh"`
	Auth          string    `bun:"auth"`
	UserAgent     string    `bun:"user_agent"`
	CreatedAt     time.Time `bun:"created_at"`
}

func (*pushSubscriptionRow) table() string { return "push_subscriptions" }

func (*pushSubscriptionRow) columns() string {
	return "id, tenant_id, user_id, endpoint, p256dh, auth, user_agent, created_at"
}

func (r *pushSubscriptionRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.UserID, &r.Endpoint, &r.P256dh, &r.Auth, &r.UserAgent, &r.CreatedAt}
}

func (r *pushSubscriptionRow) domain() *notify.PushSubscription {
	return &notify.PushSubscription{ID: r.ID, TenantID: r.TenantID, UserID: r.UserID, Endpoint: r.Endpoint,
		P256dh: r.P256dh, Auth: r.Auth, UserAgent: r.UserAgent, CreatedAt: utc(r.CreatedAt)}
}

func (q *queries) CreatePushSubscription(ctx context.Context, s *notify.PushSubscription) error {
	// The user must be the tenant's: the foreign key alone would take another tenant's user.
	if _, err := q.GetUser(ctx, s.TenantID, s.UserID); err != nil {
		return fmt.Errorf("push subscription: user %s: %w", s.UserID, err)
	}
	_, err := q.db.NewInsert().Model(&pushSubscriptionRow{ID: s.ID, TenantID: s.TenantID, UserID: s.UserID,
		Endpoint: s.Endpoint, P256dh: s.P256dh, Auth: s.Auth, UserAgent: s.UserAgent, CreatedAt: s.CreatedAt}).Exec(ctx)
	return mapErr(err)
}

func (q *queries) ListPushSubscriptions(ctx context.Context, tenantID, userID uuid.UUID) ([]*notify.PushSubscription, error) {
	return listRows[pushSubscriptionRow, *notify.PushSubscription](ctx, q, func(s *bun.SelectQuery) *bun.SelectQuery {
		return s.Where("tenant_id = ?", tenantID).Where("user_id = ?", userID).OrderExpr("created_at, id")
	})
}

func (q *queries) DeletePushSubscription(ctx context.Context, tenantID, userID, id uuid.UUID) error {
	n, err := affected(q.db.NewDelete().Table("push_subscriptions").Where("tenant_id = ?", tenantID).
		Where("user_id = ?", userID).Where("id = ?", id).Exec(ctx))
	if err == nil && n == 0 {
		err = fmt.Errorf("%w: user %s has no push subscription %s", storage.ErrNotFound, userID, id)
	}
	return err
}

func (q *queries) DeletePushSubscriptionEndpoint(ctx context.Context, tenantID uuid.UUID, endpoint string) (bool, error) {
	n, err := affected(q.db.NewDelete().Table("push_subscriptions").Where("tenant_id = ?", tenantID).
		Where("endpoint = ?", endpoint).Exec(ctx))
	return n > 0, err
}
