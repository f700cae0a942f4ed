package helpdesk_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// sweepResult is one BenchmarkTimerSweep measurement.
type sweepResult struct {
	rate     float64 // timers fired per second, all due at once: the median of sweepBursts
	rates    []float64
	p50, p99 time.Duration
	fired    int
	extra    int // firings beyond one per timer
}

// sweepBursts is how many bursts of due timers each rate is the median of: one burst of a few
// seconds on a 2-core machine varies by a fifth from run to run.
const sweepBursts = 3

// sweep measures the Desk's timer firing on PostgreSQL with whatever idle timers the database
// holds: first the rate over sweepBursts bursts of n timers all due at once, then the
// due-to-fired lag over n timers coming due evenly over spread. It numbers its tickets from
// first, (sweepBursts+1)*n of them.
func sweep(b *testing.B, s *bunstore.Store, d *helpdesk.Desk, tid uuid.UUID, first, n int, spread time.Duration) sweepResult {
	b.Helper()
	run := func() time.Duration {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		start := time.Now()
		wg.Go(func() { _ = d.Run(ctx) })
		for pendingTimers(b, s, tid) > 0 {
			time.Sleep(10 * time.Millisecond)
		}
		elapsed := time.Since(start)
		cancel()
		wg.Wait()
		return elapsed
	}
	var res sweepResult
	for i := range sweepBursts {
		now := time.Now()
		seedTimers(b, s, tid, first+i*n, n, func(int) time.Time { return now.Add(-time.Second) })
		analyze(b, s)
		res.rates = append(res.rates, float64(n)/run().Seconds())
	}
	sorted := slices.Sorted(slices.Values(res.rates))
	res.rate = sorted[len(sorted)/2]

	start := time.Now().Add(2 * time.Second)
	steady := seedTimers(b, s, tid, first+sweepBursts*n, n, func(i int) time.Time { return start.Add(time.Duration(i) * spread / time.Duration(n)) })
	analyze(b, s)
	run()
	var lags []time.Duration
	for id, at := range firings(b, s, tid) {
		res.extra += len(at) - 1
		if due, ok := steady[id]; ok {
			lags = append(lags, at[0].Sub(due))
		}
	}
	slices.Sort(lags)
	res.fired = len(lags)
	res.p50, res.p99 = lags[len(lags)/2], lags[len(lags)*99/100]
	return res
}

// analyze updates the planner's statistics of the tables the sweep writes, as autovacuum does
// once a tenth of a table has changed. The machine the figures come from runs PostgreSQL with
// autovacuum off; without it the tickets just seeded for the active tenant stay unknown to the
// planner, which then may look a ticket up through any index led by tenant_id and read every
// ticket of the tenant: the third burst of the 10,000 case fell from about 1,100 to 260
// timers/s so.
func analyze(b *testing.B, s *bunstore.Store) {
	b.Helper()
	_, err := s.DB().ExecContext(context.Background(), "ANALYZE tickets, timers")
	require.NoError(b, err)
}

// settle brings the database to the state idle rows are in when they have been idle a while:
// vacuumed, analysed and checkpointed, so that the upkeep of having just written them (an
// autovacuum, a checkpoint flushing a million rows) does not land in a measurement.
func settle(b *testing.B, s *bunstore.Store) {
	b.Helper()
	for _, stmt := range []string{"VACUUM ANALYZE", "CHECKPOINT"} {
		_, err := s.DB().ExecContext(context.Background(), stmt)
		require.NoError(b, err)
	}
}

// BenchmarkTimerSweep measures the timer scheduler on PostgreSQL behind 10,000 and then
// 1,000,000 idle tickets, each with a timer due in a month, in one run: the firing rate of
// 10,000 timers due at once (the median of sweepBursts bursts), and the due-to-fired lag of
// 10,000 timers coming due over 20 s.
// Run it with -benchtime 1x; it needs HELPDESK_TEST_POSTGRES.
func BenchmarkTimerSweep(b *testing.B) {
	s := openPostgres(b)
	d, err := helpdesk.New(s, &helpdesk.Config{})
	require.NoError(b, err)
	idle := timerTenant(b, d, s, "Idle")
	active := timerTenant(b, d, s, "Active")
	month := time.Now().Add(30 * 24 * time.Hour)
	const n = 10_000
	for range b.N {
		seedTimers(b, s, idle, 0, 10_000, func(int) time.Time { return month })
		settle(b, s)
		small := sweep(b, s, d, active, 0, n, 20*time.Second)
		seedTimers(b, s, idle, 10_000, 990_000, func(int) time.Time { return month })
		settle(b, s)
		large := sweep(b, s, d, active, (sweepBursts+1)*n, n, 20*time.Second)
		b.Logf("10k idle: %.0f timers/s (bursts %.0f), lag p50 %s p99 %s, %d fired, %d extra", small.rate, small.rates, small.p50, small.p99, small.fired, small.extra)
		b.Logf("1M idle:  %.0f timers/s (bursts %.0f), lag p50 %s p99 %s, %d fired, %d extra", large.rate, large.rates, large.p50, large.p99, large.fired, large.extra)
		b.ReportMetric(small.rate, "rate10k/s")
		b.ReportMetric(large.rate, "rate1M/s")
		b.ReportMetric(large.rate/small.rate, "ratio")
		b.ReportMetric(float64(small.p99.Milliseconds()), "p99lag10k-ms")
		b.ReportMetric(float64(large.p99.Milliseconds()), "p99lag1M-ms")
		b.ReportMetric(float64(small.extra+large.extra), "extra-firings")
	}
}
