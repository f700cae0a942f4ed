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
	rate     float64 // timers fired per second, all due at once
	p50, p99 time.Duration
	fired    int
	extra    int // firings beyond one per timer
}

// sweep measures the Desk's timer firing on PostgreSQL with whatever idle timers the database
// holds: first the rate over n timers all due at once, then the due-to-fired lag over n timers
// coming due evenly over spread.
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
	now := time.Now()
	burst := seedTimers(b, s, tid, first, n, func(int) time.Time { return now.Add(-time.Second) })
	elapsed := run()
	res := sweepResult{rate: float64(n) / elapsed.Seconds()}

	start := time.Now().Add(time.Second)
	steady := seedTimers(b, s, tid, first+n, n, func(i int) time.Time { return start.Add(time.Duration(i) * spread / time.Duration(n)) })
	run()
	var lags []time.Duration
	for id, at := range firings(b, s, tid) {
		if due, ok := steady[id]; ok {
			lags = append(lags, at[0].Sub(due))
			res.extra += len(at) - 1
		} else if _, ok := burst[id]; ok {
			res.extra += len(at) - 1
		}
	}
	slices.Sort(lags)
	res.fired = len(lags)
	res.p50, res.p99 = lags[len(lags)/2], lags[len(lags)*99/100]
	return res
}

// BenchmarkTimerSweep measures the timer scheduler on PostgreSQL behind 10,000 and then
// 1,000,000 idle tickets, each with a timer due in a month, in one run: the firing rate of
// 10,000 timers due at once, and the due-to-fired lag of 10,000 timers coming due over 20 s.
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
		small := sweep(b, s, d, active, 0, n, 20*time.Second)
		seedTimers(b, s, idle, 10_000, 990_000, func(int) time.Time { return month })
		_, err := s.DB().ExecContext(context.Background(), "ANALYZE")
		require.NoError(b, err)
		large := sweep(b, s, d, active, 2*n, n, 20*time.Second)
		b.Logf("10k idle: %.0f timers/s, lag p50 %s p99 %s, %d fired, %d extra", small.rate, small.p50, small.p99, small.fired, small.extra)
		b.Logf("1M idle:  %.0f timers/s, lag p50 %s p99 %s, %d fired, %d extra", large.rate, large.p50, large.p99, large.fired, large.extra)
		b.ReportMetric(small.rate, "rate10k/s")
		b.ReportMetric(large.rate, "rate1M/s")
		b.ReportMetric(large.rate/small.rate, "ratio")
		b.ReportMetric(float64(small.p99.Milliseconds()), "p99lag10k-ms")
		b.ReportMetric(float64(large.p99.Milliseconds()), "p99lag1M-ms")
		b.ReportMetric(float64(small.extra+large.extra), "extra-firings")
	}
}
