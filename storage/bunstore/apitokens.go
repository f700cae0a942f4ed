package bunstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

type apiTokenRow struct {
	bun.BaseModel `bun:"table:api_tokens"`
	ID            uuid.UUID  `bun:"id,pk"`
	TenantID      uuid.UUID  `bun:"tenant_id"`
	UserID        uuid.UUID  `bun:"user_id"`
	SecretHash    string     `bun:"secret_hash"`
	Name          string     `bun:"name"`
	Scopes        int        `bun:"scopes"`
	CreatedAt     time.Time  `bun:"created_at"`
	ExpiresAt     time.Time  `bun:"expires_at"`
	LastUsedAt    *time.Time `bun:"last_used_at"`
	RevokedAt     *time.Time `bun:"revoked_at"`
}

func (*apiTokenRow) table() string { return "api_tokens" }

func (*apiTokenRow) columns() string {
	return "id, tenant_id, user_id, secret_hash, name, scopes, created_at, expires_at, last_used_at, revoked_at"
}

func (r *apiTokenRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.UserID, &r.SecretHash, &r.Name, &r.Scopes, &r.CreatedAt, &r.ExpiresAt,
		&r.LastUsedAt, &r.RevokedAt}
}

func (r *apiTokenRow) domain() *tenant.APIToken {
	return &tenant.APIToken{ID: r.ID, TenantID: r.TenantID, UserID: r.UserID, Name: r.Name,
		Scopes: tenant.Scopes(r.Scopes), CreatedAt: utc(r.CreatedAt), ExpiresAt: utc(r.ExpiresAt),
		LastUsedAt: utcPtr(r.LastUsedAt), RevokedAt: utcPtr(r.RevokedAt)}
}

func (q *queries) CreateAPIToken(ctx context.Context, t *tenant.APIToken, secretHash string) error {
	if secretHash == "" {
		return errors.New("api token: empty secret hash")
	}
	// The user must be the tenant's: the foreign key alone would take another tenant's user.
	if _, err := q.GetUser(ctx, t.TenantID, t.UserID); err != nil {
		return fmt.Errorf("api token: user %s: %w", t.UserID, err)
	}
	return q.insert(ctx, &apiTokenRow{ID: t.ID, TenantID: t.TenantID, UserID: t.UserID, SecretHash: secretHash,
		Name: t.Name, Scopes: int(t.Scopes), CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt,
		LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt})
}

func (q *queries) ListAPITokens(ctx context.Context, tenantID, userID uuid.UUID) ([]*tenant.APIToken, error) {
	return listRows[apiTokenRow, *tenant.APIToken](ctx, q, func(s *bun.SelectQuery) *bun.SelectQuery {
		return s.Where("tenant_id = ?", tenantID).Where("user_id = ?", userID).OrderExpr("created_at DESC, id DESC")
	})
}

func (q *queries) GetAPITokenByHash(ctx context.Context, secretHash string) (*tenant.APIToken, *tenant.User, error) {
	if secretHash == "" {
		return nil, nil, storage.ErrNotFound
	}
	t, err := getRow[apiTokenRow, *tenant.APIToken](ctx, q, "secret_hash = ?", secretHash)
	if err != nil {
		return nil, nil, err
	}
	// The user is read within the token's tenant: a token never speaks for another's user.
	u, err := q.GetUser(ctx, t.TenantID, t.UserID)
	if err != nil {
		return nil, nil, fmt.Errorf("api token %s: user %s: %w", t.ID, t.UserID, err)
	}
	return t, u, nil
}

func (q *queries) RevokeAPIToken(ctx context.Context, tenantID, userID, id uuid.UUID, at time.Time) error {
	n, err := affected(q.db.NewUpdate().Table("api_tokens").Set("revoked_at = ?", at).
		Where("tenant_id = ? AND user_id = ? AND id = ? AND revoked_at IS NULL", tenantID, userID, id).Exec(ctx))
	if err != nil || n > 0 {
		return err
	}
	exists, err := q.db.NewSelect().Table("api_tokens").
		Where("tenant_id = ? AND user_id = ? AND id = ?", tenantID, userID, id).Exists(ctx)
	switch {
	case err != nil:
		return mapErr(err)
	case exists:
		return fmt.Errorf("%w: api token %s already revoked", storage.ErrConflict, id)
	}
	return fmt.Errorf("%w: user %s has no api token %s", storage.ErrNotFound, userID, id)
}

func (q *queries) RevokeUserAPITokens(ctx context.Context, tenantID, userID uuid.UUID, at time.Time) (int, error) {
	return affected(q.db.NewUpdate().Table("api_tokens").Set("revoked_at = ?", at).
		Where("tenant_id = ? AND user_id = ? AND revoked_at IS NULL", tenantID, userID).Exec(ctx))
}

func (q *queries) TouchAPIToken(ctx context.Context, tenantID, id uuid.UUID, at time.Time, every time.Duration) (bool, error) {
	n, err := affected(q.db.NewUpdate().Table("api_tokens").Set("last_used_at = ?", at).
		Where("tenant_id = ? AND id = ?", tenantID, id).
		Where("(last_used_at IS NULL OR last_used_at <= ?)", at.Add(-every)).Exec(ctx))
	if err != nil || n > 0 {
		return n > 0, err
	}
	exists, err := q.db.NewSelect().Table("api_tokens").Where(scoped, tenantID, id).Exists(ctx)
	if err == nil && !exists {
		err = fmt.Errorf("%w: api token %s", storage.ErrNotFound, id)
	}
	return false, mapErr(err)
}

// Idempotency keys.

type idempotencyRow struct {
	bun.BaseModel `bun:"table:idempotency_keys"`
	TenantID      uuid.UUID         `bun:"tenant_id"`
	Principal     string            `bun:"principal"`
	Key           string            `bun:"key"`
	Fingerprint   string            `bun:"fingerprint"`
	CreatedAt     time.Time         `bun:"created_at"`
	LockedUntil   time.Time         `bun:"locked_until"`
	Committed     bool              `bun:"committed"`
	Done          bool              `bun:"done"`
	Status        int               `bun:"status"`
	Header        map[string]string `bun:"header"`
	Body          []byte            `bun:"body"`
}

func (*idempotencyRow) table() string { return "idempotency_keys" }

func (*idempotencyRow) columns() string {
	return "tenant_id, principal, key, fingerprint, created_at, locked_until, committed, done, status, header, body"
}

func (r *idempotencyRow) targets() []any {
	return []any{&r.TenantID, &r.Principal, &r.Key, &r.Fingerprint, &r.CreatedAt, &r.LockedUntil, &r.Committed, &r.Done,
		&r.Status, jsonColumn{&r.Header}, &r.Body}
}

func (r *idempotencyRow) domain() *storage.IdempotencyRecord {
	return &storage.IdempotencyRecord{TenantID: r.TenantID, Principal: r.Principal, Key: r.Key,
		Fingerprint: r.Fingerprint, CreatedAt: utc(r.CreatedAt), LockedUntil: utc(r.LockedUntil), Committed: r.Committed, Done: r.Done,
		Status: r.Status, Header: r.Header, Body: r.Body}
}

const idempotencyKey = "tenant_id = ? AND principal = ? AND key = ?"

func (q *queries) ClaimIdempotencyKey(ctx context.Context, r *storage.IdempotencyRecord, staleBefore time.Time) (*storage.IdempotencyRecord, error) {
	// A few rounds at most: the record seen may be deleted (abandoned) between the insert and
	// the read, and then the key is free again.
	for range 3 {
		res, err := q.db.NewInsert().Model(&idempotencyRow{TenantID: r.TenantID, Principal: r.Principal, Key: r.Key,
			Fingerprint: r.Fingerprint, CreatedAt: r.CreatedAt, LockedUntil: r.LockedUntil}).
			On("CONFLICT (tenant_id, principal, key) DO NOTHING").Exec(ctx)
		if n, err := affected(res, err); err != nil || n > 0 {
			return nil, err
		}
		// Taking over is one conditional update: of two instances, one matches the old row.
		n, err := affected(q.db.NewUpdate().Table("idempotency_keys").
			Set("fingerprint = ?, created_at = ?, locked_until = ?, committed = ?, done = ?, status = 0, header = NULL, body = NULL",
				r.Fingerprint, r.CreatedAt, r.LockedUntil, false, false).
			Where(idempotencyKey, r.TenantID, r.Principal, r.Key).
			Where("(created_at <= ? OR (done = ? AND committed = ? AND locked_until <= ? AND fingerprint = ?))",
				staleBefore, false, false, r.CreatedAt, r.Fingerprint).Exec(ctx))
		if err != nil || n > 0 {
			return nil, err
		}
		held, err := getRow[idempotencyRow, *storage.IdempotencyRecord](ctx, q, idempotencyKey, r.TenantID, r.Principal, r.Key)
		if !errors.Is(err, storage.ErrNotFound) {
			return held, err
		}
	}
	return nil, fmt.Errorf("%w: idempotency key %q keeps changing", storage.ErrConflict, r.Key)
}

func (q *queries) CommitIdempotencyKey(ctx context.Context, tenantID uuid.UUID, principal, key string) error {
	n, err := affected(q.db.NewUpdate().Table("idempotency_keys").Set("committed = ?", true).
		Where(idempotencyKey, tenantID, principal, key).Where("done = ?", false).Exec(ctx))
	if err == nil && n == 0 {
		err = fmt.Errorf("%w: no unfinished claim of idempotency key %q", storage.ErrNotFound, key)
	}
	return err
}

func (q *queries) FinishIdempotencyKey(ctx context.Context, tenantID uuid.UUID, principal, key string, status int,
	header map[string]string, body []byte) error {
	h, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("idempotency key %q: header: %w", key, err)
	}
	if body == nil {
		body = []byte{}
	}
	n, err := affected(q.db.NewUpdate().Table("idempotency_keys").
		Set("done = ?, status = ?, header = ?, body = ?", true, status, string(h), body).
		Where(idempotencyKey, tenantID, principal, key).Where("done = ?", false).Exec(ctx))
	if err == nil && n == 0 {
		err = fmt.Errorf("%w: no unfinished claim of idempotency key %q", storage.ErrNotFound, key)
	}
	return err
}

func (q *queries) DeleteIdempotencyKey(ctx context.Context, tenantID uuid.UUID, principal, key string) error {
	n, err := affected(q.db.NewDelete().Table("idempotency_keys").
		Where(idempotencyKey, tenantID, principal, key).Where("done = ?", false).Where("committed = ?", false).Exec(ctx))
	if err == nil && n == 0 {
		err = fmt.Errorf("%w: no unfinished, uncommitted claim of idempotency key %q", storage.ErrNotFound, key)
	}
	return err
}
