package helpdesk_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/internal/pgtest"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// standIn is a provider stand-in for BenchmarkDispatch. Each attempt fails transiently with
// probability failRate; a quarter of those failures are answers lost after the provider had
// accepted the message (a timeout reading its reply), the one case where a retry may deliver
// twice.
type standIn struct {
	mu       sync.Mutex
	rng      *rand.Rand
	failRate float64
	// accepted counts acceptances per idempotency key; first is each key's first attempt.
	accepted    map[string]int
	first       map[string]time.Time
	lostAnswers int
}

func newStandIn(failRate float64) *standIn {
	return &standIn{rng: rand.New(rand.NewPCG(1, 2)), failRate: failRate, accepted: map[string]int{}, first: map[string]time.Time{}}
}

func (p *standIn) Send(_ context.Context, m *notify.Message) (notify.Receipt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.first[m.IdempotencyKey]; !ok {
		p.first[m.IdempotencyKey] = time.Now()
	}
	r := p.rng.Float64()
	switch {
	case r < p.failRate*0.75:
		return notify.Receipt{}, errors.New("503 service unavailable")
	case r < p.failRate:
		p.accepted[m.IdempotencyKey]++
		p.lostAnswers++
		return notify.Receipt{}, errors.New("timeout reading the provider's answer")
	}
	p.accepted[m.IdempotencyKey]++
	return notify.Receipt{ProviderID: m.IdempotencyKey}, nil
}

func (p *standIn) delivered() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.accepted)
}

// dispatchRun is what one scenario measured.
type dispatchRun struct {
	rate              float64 // notifications delivered per second
	lost, duplicates  int
	lostAnswers       int
	p99FirstAttemptMS float64
}

// BenchmarkDispatch delivers 10,000 notifications through Desk.Run and a provider stand-in,
// on PostgreSQL and on SQLite, in three scenarios within one run:
//
//   - backlog at 0% failure: 10,000 pending notifications, timed until all are accepted;
//   - backlog at 20% transient failure, timed likewise (retries back off 1 to 10 ms, so the
//     figure is the cost of the retries, not of waiting);
//   - arrivals: 10,000 notifications enqueued at 2,000 per second while Run delivers them,
//     for the time from enqueue to first attempt.
//
// The backlog pair runs three times, alternating which goes first; the rates and the ratio
// are medians. It reports both rates, their ratio, lost and duplicate deliveries (a duplicate is allowed
// only where the stand-in accepted a message but lost its answer), and the p99 of enqueue to
// first attempt.
func BenchmarkDispatch(b *testing.B) {
	for _, engine := range []string{"postgres", "sqlite"} {
		b.Run("engine="+engine, func(b *testing.B) {
			for b.Loop() {
				// The machine is noisy: three pairs, their order alternating, judged by medians.
				var cleanRates, flakyRates, ratios []float64
				var lost, dups, lostAnswers int
				for i := range 3 {
					var clean, flaky dispatchRun
					if i%2 == 0 {
						clean, flaky = dispatchScenario(b, engine, 0, false), dispatchScenario(b, engine, 0.2, false)
					} else {
						flaky, clean = dispatchScenario(b, engine, 0.2, false), dispatchScenario(b, engine, 0, false)
					}
					cleanRates, flakyRates = append(cleanRates, clean.rate), append(flakyRates, flaky.rate)
					ratios = append(ratios, flaky.rate/clean.rate)
					lost += clean.lost + flaky.lost
					dups += clean.duplicates + flaky.duplicates
					lostAnswers += flaky.lostAnswers
				}
				arrivals := dispatchScenario(b, engine, 0, true)
				b.ReportMetric(median(cleanRates), "notif/s@0%")
				b.ReportMetric(median(flakyRates), "notif/s@20%")
				b.ReportMetric(median(ratios), "ratio_20%/0%")
				b.ReportMetric(float64(lost+arrivals.lost), "lost")
				b.ReportMetric(float64(dups+arrivals.duplicates), "duplicates")
				b.ReportMetric(float64(lostAnswers), "lost_answers")
				b.ReportMetric(arrivals.p99FirstAttemptMS, "p99_first_attempt_ms")
				if dups > lostAnswers {
					b.Errorf("%d duplicates beyond the %d lost answers", dups-lostAnswers, lostAnswers)
				}
			}
		})
	}
}

// pendingEmail is a ticket.accepted e-mail of tenantID, due at now, as a Desk operation
// would have written it into the outbox.
func pendingEmail(tenantID uuid.UUID, now time.Time) *notify.Notification {
	id := uuid.Must(uuid.NewV7())
	return &notify.Notification{Message: notify.Message{ID: id, IdempotencyKey: id.String(), TenantID: tenantID,
		Event: notify.TicketAccepted, Channel: notify.Email, To: notify.Address{Name: "Nina", Email: "nina@example.com"},
		Language: "en", Subject: "Your request T-000001 is being handled", Text: "Sam is handling it."},
		Status: notify.StatusPending, NextAttemptAt: now, CreatedAt: now}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func dispatchScenario(b *testing.B, engine string, failRate float64, arrivals bool) dispatchRun {
	b.Helper()
	const total = 10_000
	ctx := context.Background()
	var s *bunstore.Store
	if engine == "postgres" {
		s = openStore(b, pgtest.Schema(b))
	} else {
		s = openStore(b, "sqlite:"+b.TempDir()+"/bench.db")
	}
	p := newStandIn(failRate)
	d, err := helpdesk.New(s, &helpdesk.Config{
		Notifiers: map[notify.Channel]notify.Notifier{notify.Email: p},
		Dispatch:  helpdesk.DispatchConfig{RetryBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, MaxAttempts: 10},
	})
	require.NoError(b, err)
	ten, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Bench"})
	require.NoError(b, err)

	enqueued := make(map[string]time.Time, total)
	enqueue := func(n int) {
		now := time.Now().UTC()
		ns := make([]*notify.Notification, n)
		for i := range ns {
			ns[i] = pendingEmail(ten.ID, now)
			enqueued[ns[i].IdempotencyKey] = now
		}
		require.NoError(b, s.EnqueueNotifications(ctx, ns))
	}

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	if !arrivals {
		for range total / 500 {
			enqueue(500)
		}
	}
	start := time.Now()
	go func() { done <- d.Run(runCtx) }()
	if arrivals {
		tick := time.NewTicker(10 * time.Millisecond) // 20 every 10 ms: 2,000 per second
		for range total / 20 {
			<-tick.C
			enqueue(20)
		}
		tick.Stop()
	}
	guard := time.Now().Add(5 * time.Minute)
	for p.delivered() < total && time.Now().Before(guard) {
		time.Sleep(2 * time.Millisecond)
	}
	elapsed := time.Since(start)
	stop()
	require.NoError(b, <-done)

	p.mu.Lock()
	defer p.mu.Unlock()
	r := dispatchRun{rate: float64(len(p.accepted)) / elapsed.Seconds(), lost: total - len(p.accepted), lostAnswers: p.lostAnswers}
	lags := make([]time.Duration, 0, total)
	for key, n := range p.accepted {
		r.duplicates += n - 1
		lags = append(lags, p.first[key].Sub(enqueued[key]))
	}
	slices.Sort(lags)
	if len(lags) > 0 {
		r.p99FirstAttemptMS = float64(lags[len(lags)*99/100]) / float64(time.Millisecond)
	}
	if r.lost > 0 {
		b.Logf("%s at %.0f%%: %d of %d never accepted", engine, failRate*100, r.lost, total)
	}
	return r
}
