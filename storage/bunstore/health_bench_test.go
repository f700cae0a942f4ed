package bunstore

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/internal/pgtest"
	"github.com/stretchr/testify/require"
)

// BenchmarkCountBacklog measures what a metrics scrape costs on PostgreSQL with a long outbox
// history: HELPDESK_BENCH_NOTIFICATIONS rows (default 1,000,000) over 90 days, all sent but
// 200 pending (half due) and one in a thousand failed, and 1,000 due timers. CountBacklog reads
// the pending rows' index and the recent failed rows by ID; its baseline counts every row by
// channel and status, as a naive gauge would. The seeded rows carry no message text: real
// rows are wider, which slows the baseline only.
func BenchmarkCountBacklog(b *testing.B) {
	rows := 1_000_000
	if v := os.Getenv("HELPDESK_BENCH_NOTIFICATIONS"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(b, err)
		rows = n
	}
	ctx := context.Background()
	s, err := Open(ctx, pgtest.Schema(b))
	require.NoError(b, err)
	b.Cleanup(func() { _ = s.Close() })
	require.NoError(b, s.MigrateUp(ctx))
	_, err = s.db.ExecContext(ctx, `INSERT INTO tenants (id, name, created_at, updated_at) VALUES (gen_random_uuid(), 'Bench', now(), now())`)
	require.NoError(b, err)
	start := time.Now()
	// IDs are UUIDv7 of their creation time, as the Desk makes them. In chunks: one statement
	// would outlast the driver's read timeout.
	const chunk = 50_000
	for lo := 1; lo <= rows; lo += chunk {
		_, err = s.db.ExecContext(ctx, `
INSERT INTO notifications (id, tenant_id, event, channel, status, attempts, next_attempt_at, created_at)
SELECT (lpad(to_hex((extract(epoch FROM t) * 1000)::bigint), 12, '0') || '7' || substr(md5(i::text), 1, 3) || '8' || substr(md5(i::text), 4, 15))::uuid,
	(SELECT id FROM tenants LIMIT 1), 'ticket.accepted', (ARRAY['email', 'sms', 'push', 'inapp'])[i % 4 + 1],
	CASE WHEN i > ? - 200 THEN 'pending' WHEN i % 1000 = 0 THEN 'failed' ELSE 'sent' END, 1,
	CASE WHEN i % 2 = 0 THEN now() - interval '1 minute' ELSE now() + interval '1 hour' END, t
FROM generate_series(?::int, ?::int) AS i, LATERAL (SELECT now() - (? - i) * interval '7.776 seconds' * (1000000.0 / ?)) AS g(t)`,
			rows, lo, min(lo+chunk-1, rows), rows, rows)
		require.NoError(b, err)
	}
	_, err = s.db.ExecContext(ctx, `
INSERT INTO tickets (id, tenant_id, number, prefix, title, state, source, created_by_kind, created_at, updated_at)
SELECT gen_random_uuid(), (SELECT id FROM tenants LIMIT 1), i, 'T', 'timer', 'open', 'employee', 'system', now(), now()
FROM generate_series(1, 1000) AS i`)
	require.NoError(b, err)
	_, err = s.db.ExecContext(ctx, `
INSERT INTO timers (id, tenant_id, ticket_id, subject_id, kind, due_at, run_at, created_at)
SELECT gen_random_uuid(), tenant_id, id, id, 'offer_timeout', now() - interval '1 minute', now() - interval '1 minute', now() FROM tickets`)
	require.NoError(b, err)
	_, err = s.db.ExecContext(ctx, `VACUUM ANALYZE notifications, timers`)
	require.NoError(b, err)
	b.Logf("seeded %d notifications in %s", rows, time.Since(start).Round(time.Second))

	b.Run("CountBacklog", func(b *testing.B) {
		for b.Loop() {
			bl, err := s.CountBacklog(ctx, time.Now(), time.Now().Add(-24*time.Hour))
			require.NoError(b, err)
			require.NotEmpty(b, bl.Notifications)
		}
	})
	b.Run("baseline=count every row", func(b *testing.B) {
		for b.Loop() {
			var got []struct {
				Channel string `bun:"channel"`
				Status  string `bun:"status"`
				N       int    `bun:"n"`
			}
			require.NoError(b, s.db.NewRaw(`SELECT channel, status, count(*) AS n FROM notifications GROUP BY 1, 2`).Scan(ctx, &got))
			require.NotEmpty(b, got)
		}
	})
}
