package bunstore

import (
	"context"
	"fmt"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

type tenantSMTPRow struct {
	bun.BaseModel  `bun:"table:tenant_smtp"`
	TenantID       uuid.UUID `bun:"tenant_id,pk"`
	Host           string    `bun:"host"`
	Port           int       `bun:"port"`
	Security       string    `bun:"security"`
	Username       string    `bun:"username"`
	From           string    `bun:"from_address"`
	PasswordSealed string    `bun:"password_sealed"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

func (*tenantSMTPRow) table() string { return "tenant_smtp" }

func (*tenantSMTPRow) columns() string {
	return "tenant_id, host, port, security, username, from_address, password_sealed, updated_at"
}

func (r *tenantSMTPRow) targets() []any {
	return []any{&r.TenantID, &r.Host, &r.Port, &r.Security, &r.Username, &r.From, &r.PasswordSealed, &r.UpdatedAt}
}

func (r *tenantSMTPRow) domain() *tenant.SMTP {
	return &tenant.SMTP{TenantID: r.TenantID, Host: r.Host, Port: r.Port, Security: r.Security, Username: r.Username,
		From: r.From, SealedPassword: r.PasswordSealed, PasswordSet: r.PasswordSealed != "", UpdatedAt: utc(r.UpdatedAt)}
}

func (q *queries) GetTenantSMTP(ctx context.Context, tenantID uuid.UUID) (*tenant.SMTP, error) {
	return getRow[tenantSMTPRow, *tenant.SMTP](ctx, q, "tenant_id = ?", tenantID)
}

func (q *queries) PutTenantSMTP(ctx context.Context, s *tenant.SMTP) error {
	r := &tenantSMTPRow{TenantID: s.TenantID, Host: s.Host, Port: s.Port, Security: s.Security, Username: s.Username,
		From: s.From, PasswordSealed: s.SealedPassword, UpdatedAt: s.UpdatedAt}
	_, err := q.db.NewInsert().Model(r).On("CONFLICT (tenant_id) DO UPDATE").
		Set("host = EXCLUDED.host, port = EXCLUDED.port, security = EXCLUDED.security, username = EXCLUDED.username").
		Set("from_address = EXCLUDED.from_address, password_sealed = EXCLUDED.password_sealed, updated_at = EXCLUDED.updated_at").
		Exec(ctx)
	return mapErr(err)
}

func (q *queries) ResealTenantSMTP(ctx context.Context, tenantID uuid.UUID, old, sealed string) error {
	n, err := affected(q.db.NewUpdate().Table("tenant_smtp").Set("password_sealed = ?", sealed).
		Where("tenant_id = ?", tenantID).Where("password_sealed = ?", old).Exec(ctx))
	if err != nil || n > 0 {
		return err
	}
	if _, err := q.GetTenantSMTP(ctx, tenantID); err != nil {
		return err
	}
	return fmt.Errorf("%w: tenant %s's SMTP password changed meanwhile", storage.ErrConflict, tenantID)
}

func (q *queries) DeleteTenantSMTP(ctx context.Context, tenantID uuid.UUID) error {
	n, err := affected(q.db.NewDelete().Table("tenant_smtp").Where("tenant_id = ?", tenantID).Exec(ctx))
	if err == nil && n == 0 {
		err = fmt.Errorf("%w: tenant %s has no SMTP settings", storage.ErrNotFound, tenantID)
	}
	return err
}
