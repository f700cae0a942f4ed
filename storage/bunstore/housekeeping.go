package bunstore

import (
	"context"
	"time"

	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// purge deletes at most limit rows of table matching cond (with args) in one statement. The
// rows are picked by their physical address (PostgreSQL's ctid, SQLite's rowid), so tables
// without a single-column key (login_failures, idempotency_keys) purge alike. On PostgreSQL
// the pick locks its rows and skips those another purge (or any writer) holds, so concurrent
// purges never wait on each other and never delete a row twice; SQLite runs one writer at a
// time anyway.
func (q *queries) purge(ctx context.Context, table, cond string, limit int, args ...any) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	query := "DELETE FROM " + table + " WHERE rowid IN (SELECT rowid FROM " + table + " WHERE " + cond + " LIMIT ?)"
	if q.pg {
		query = "DELETE FROM " + table + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + table + " WHERE " + cond +
			" LIMIT ? FOR UPDATE SKIP LOCKED))"
	}
	return affected(q.db.NewRaw(query, append(args, limit)...).Exec(ctx))
}

func (q *queries) PurgeAuthSessions(ctx context.Context, now time.Time, limit int) (int, error) {
	return q.purge(ctx, "auth_sessions", "expires_at <= ?", limit, now)
}

// usedOrExpired is the condition of a one-time link used before ?, or unused and expired
// before ?: a link cannot be used after it expired, so its used_at, when set, comes first.
// The housekeeping migration indexes this very expression.
const usedOrExpired = "COALESCE(used_at, expires_at) < ?"

func (q *queries) PurgeUserTokens(ctx context.Context, before time.Time, limit int) (int, error) {
	return q.purge(ctx, "user_tokens", usedOrExpired, limit, before)
}

func (q *queries) PurgeRequestLinks(ctx context.Context, before time.Time, limit int) (int, error) {
	return q.purge(ctx, "request_links", usedOrExpired, limit, before)
}

func (q *queries) PurgeLoginFailures(ctx context.Context, before time.Time, limit int) (int, error) {
	return q.purge(ctx, "login_failures", "since < ?", limit, before)
}

func (q *queries) PurgeIdempotencyKeys(ctx context.Context, before, now time.Time, limit int) (int, error) {
	return q.purge(ctx, "idempotency_keys", "created_at < ? AND locked_until <= ?", limit, before, now)
}

func (q *queries) PurgeWebhookDeliveries(ctx context.Context, before time.Time, limit int) (int, error) {
	return q.purge(ctx, "webhook_deliveries", "state <> 'pending' AND created_at < ?", limit, before)
}

func (q *queries) PurgeNotifications(ctx context.Context, tenantID uuid.UUID, before time.Time, limit int) (int, error) {
	return q.purge(ctx, "notifications",
		"tenant_id = ? AND status <> 'pending' AND created_at < ? AND NOT (channel = 'inapp' AND read_at IS NULL)",
		limit, tenantID, before)
}

func (q *queries) ListTenants(ctx context.Context, after uuid.UUID, limit int) ([]*tenant.Tenant, error) {
	return listRows[tenantRow, *tenant.Tenant](ctx, q, func(s *bun.SelectQuery) *bun.SelectQuery {
		return s.Where("id > ?", after).OrderExpr("id ASC").Limit(int64(limit))
	})
}

func (q *queries) ReferencedBlobs(ctx context.Context, keys []string) (map[string]bool, error) {
	found := make(map[string]bool)
	if len(keys) == 0 {
		return found, nil
	}
	// A code's logo and a tenant's form files live in JSON documents; the engines spell the
	// extraction differently.
	logo := "json_extract(appearance, '$.Logo')"
	form := func(file string) string { return "json_extract(settings, '$.Form." + file + ".Key')" }
	if q.pg {
		logo = "appearance->>'Logo'"
		form = func(file string) string { return "settings->'Form'->'" + file + "'->>'Key'" }
	}
	in := bun.List(keys)
	var refs []string
	err := q.db.NewRaw("SELECT blob_key FROM attachments WHERE blob_key IN (?)"+
		" UNION SELECT "+logo+" FROM codes WHERE "+logo+" IN (?)"+
		" UNION SELECT "+form("Logo")+" FROM tenants WHERE "+form("Logo")+" IN (?)"+
		" UNION SELECT "+form("Background")+" FROM tenants WHERE "+form("Background")+" IN (?)"+
		" UNION SELECT "+form("Report")+" FROM tenants WHERE "+form("Report")+" IN (?)",
		in, in, in, in, in).Scan(ctx, &refs)
	if err != nil {
		return nil, mapErr(err)
	}
	for _, k := range refs {
		found[k] = true
	}
	return found, nil
}
