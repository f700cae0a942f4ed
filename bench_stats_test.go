package helpdesk_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/internal/pgtest"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun/driver/pgdriver"
)

// The statistics benchmark's data: 200,000 tickets across 100 tenants, the measured one holding
// 20,000 created over a year; the dashboard asks about 30 days of it.
const (
	benchStatsTenants = 100
	benchStatsBig     = 20000
	benchStatsOther   = 1818
	benchStatsDays    = 30
)

// BenchmarkDashboard measures Desk.Dashboard (counts per state, and a 30-day period's opened
// and closed tickets, median times to first response and to close, mean rating) as an agent
// of the biggest tenant, against the same two statements written by hand through
// database/sql. Each sub-benchmark reports its p95 latency as p95-ms. The seeding is
// statements in the database (generate_series): a third of the tickets are closed and rated,
// each ticket has an internal note and an acceptance in its history.
func BenchmarkDashboard(b *testing.B) {
	ctx := context.Background()
	dsn := pgtest.Schema(b)
	s := openStore(b, dsn)
	d, err := helpdesk.New(s, nil)
	require.NoError(b, err)
	var tenants []uuid.UUID
	for i := range benchStatsTenants {
		t, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: fmt.Sprintf("Tenant %d", i)})
		require.NoError(b, err)
		tenants = append(tenants, t.ID)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, tid := range tenants {
		n := benchStatsOther
		if i == 0 {
			n = benchStatsBig
		}
		_, err := s.DB().ExecContext(ctx, `INSERT INTO tickets (id, tenant_id, number, prefix, title, state, source,
			created_by_kind, customer_id, created_at, updated_at, closed_at, rating_stars, version)
			SELECT gen_random_uuid(), ?, k, 'T', 'Pump ' || k, CASE WHEN k % 3 = 0 THEN 'closed' ELSE (ARRAY['open','assigned','in_progress','waiting','done','cancelled'])[1 + k % 6] END,
				'employee', 'system', NULL, ?::timestamptz + k * (interval '365 days' / ?), ?::timestamptz + k * (interval '365 days' / ?),
				CASE WHEN k % 3 = 0 THEN ?::timestamptz + k * (interval '365 days' / ?) + (k % 50 + 1) * interval '1 hour' END,
				CASE WHEN k % 3 = 0 THEN 1 + k % 5 END, 1
			FROM generate_series(1, ?) AS k`, tid, start, n, start, n, start, n, n)
		require.NoError(b, err)
		// A statement per tenant keeps each under the driver's read timeout.
		_, err = s.DB().ExecContext(ctx, `INSERT INTO history (id, tenant_id, ticket_id, actor_kind, action, at)
			SELECT gen_random_uuid(), tenant_id, id, 'employee', a.action, created_at + a.after * interval '1 minute' * (1 + number % 90)
			FROM tickets, (VALUES ('message.internal', 1), ('accept', 2)) AS a (action, after) WHERE tenant_id = ?`, tid)
		require.NoError(b, err)
	}
	_, err = s.DB().ExecContext(ctx, "VACUUM ANALYZE")
	require.NoError(b, err)

	big := tenants[0]
	agent := tenant.Employee(big, uuid.New(), tenant.RoleAgent, "Bench Agent")
	from := start.AddDate(0, 6, 0)
	period := helpdesk.StatsPeriod{From: from, To: from.AddDate(0, 0, benchStatsDays)}
	raw := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(dsn)))
	b.Cleanup(func() { _ = raw.Close() })

	desk, err := d.Dashboard(ctx, agent, period)
	require.NoError(b, err)
	byHand, err := rawDashboard(ctx, raw, big, period.From, period.To)
	require.NoError(b, err)
	require.Equal(b, desk.Period.Opened, byHand.opened, "the same figures both ways")
	require.Equal(b, desk.Period.Closed, byHand.closed)
	require.Greater(b, desk.Period.Opened, 1000)

	b.Run("desk", func(b *testing.B) {
		measureP95(b, func() error {
			_, err := d.Dashboard(ctx, agent, period)
			return err
		})
	})
	b.Run("raw", func(b *testing.B) {
		measureP95(b, func() error {
			_, err := rawDashboard(ctx, raw, big, period.From, period.To)
			return err
		})
	})
}

// rawFigures is what rawDashboard computes.
type rawFigures struct {
	states                 map[string]int
	opened, responded      int
	closed, ratings        int
	firstResponse, toClose sql.NullFloat64
	meanRating             float64
}

// rawDashboard is the dashboard's aggregate written by hand: the counts per state, then the
// period's figures in one statement with percentile_cont.
func rawDashboard(ctx context.Context, db *sql.DB, tenantID uuid.UUID, from, to time.Time) (rawFigures, error) {
	f := rawFigures{states: map[string]int{}}
	rows, err := db.QueryContext(ctx, "SELECT state, count(*) FROM tickets WHERE tenant_id = $1 GROUP BY state", tenantID)
	if err != nil {
		return f, err
	}
	for rows.Next() {
		var (
			st string
			n  int
		)
		if err := rows.Scan(&st, &n); err != nil {
			return f, err
		}
		f.states[st] = n
	}
	if err := rows.Close(); err != nil {
		return f, err
	}
	err = db.QueryRowContext(ctx, `WITH o AS (
			SELECT extract(epoch from ((SELECT min(h.at) FROM history h WHERE h.ticket_id = t.id AND h.actor_kind = 'employee'
				AND h.action IN ('message', 'accept', 'assign', 'session.invite', 'session.propose')) - t.created_at))::float8 AS v
			FROM tickets t WHERE t.tenant_id = $1 AND t.created_at >= $2 AND t.created_at < $3 AND t.state <> 'draft'),
		c AS (SELECT extract(epoch from (closed_at - created_at))::float8 AS v, rating_stars FROM tickets
			WHERE tenant_id = $1 AND state = 'closed' AND closed_at >= $2 AND closed_at < $3)
		SELECT (SELECT count(*) FROM o), (SELECT count(v) FROM o), (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM o),
			(SELECT count(*) FROM c), (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM c),
			(SELECT count(rating_stars) FROM c), (SELECT coalesce(avg(rating_stars), 0) FROM c)`, tenantID, from, to).
		Scan(&f.opened, &f.responded, &f.firstResponse, &f.closed, &f.toClose, &f.ratings, &f.meanRating)
	return f, err
}

// measureP95 runs op b.N times and reports the p95 latency.
func measureP95(b *testing.B, op func() error) {
	b.Helper()
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		if err := op(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
}
