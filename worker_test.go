package helpdesk_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// flakyProvider accepts every message except the first attempt of each key failNth picks,
// which fails transiently; it counts acceptances per idempotency key.
type flakyProvider struct {
	mu       sync.Mutex
	attempts map[string]int
	accepted map[string]int
	failNth  int
	seen     int
}

func (p *flakyProvider) Send(_ context.Context, m *notify.Message) (notify.Receipt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.attempts[m.IdempotencyKey]++
	if p.attempts[m.IdempotencyKey] == 1 {
		p.seen++
		if p.seen%p.failNth == 0 {
			return notify.Receipt{}, errors.New("503 service unavailable")
		}
	}
	p.accepted[m.IdempotencyKey]++
	return notify.Receipt{ProviderID: m.IdempotencyKey}, nil
}

func (p *flakyProvider) counts() (accepted map[string]int, retried int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	accepted = make(map[string]int, len(p.accepted))
	for k, n := range p.accepted {
		accepted[k] = n
	}
	for _, n := range p.attempts {
		if n > 1 {
			retried++
		}
	}
	return accepted, retried
}

// Run claims the next batch while the current one is sent: over many small batches, with
// failures retried behind them, every notification is accepted exactly once (the provider
// never loses an answer here, so a second acceptance would be a claim taken twice), and Run
// returns when its context ends.
func TestRunPipelinesBatches(t *testing.T) {
	cases := []struct {
		name         string
		total, batch int
		failNth      int
	}{
		{"full batches, every third fails once", 60, 5, 3},
		{"a last partial batch, every second fails once", 23, 4, 2},
		{"one batch", 3, 10, 2},
	}
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ctx := t.Context()
				p := &flakyProvider{attempts: map[string]int{}, accepted: map[string]int{}, failNth: c.failNth}
				// A real clock: Run waits on timers. The long poll leaves the retries to the
				// due times Run knows of.
				d, err := helpdesk.New(s, &helpdesk.Config{
					Notifiers: map[notify.Channel]notify.Notifier{notify.Email: p},
					Dispatch: helpdesk.DispatchConfig{BatchSize: c.batch, Concurrency: 2, RetryBackoff: time.Millisecond,
						MaxBackoff: 5 * time.Millisecond, PollInterval: time.Hour},
				})
				require.NoError(t, err)
				ten, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Pipeline"})
				require.NoError(t, err)
				now := time.Now().UTC()
				ns := make([]*notify.Notification, c.total)
				for i := range ns {
					ns[i] = pendingEmail(ten.ID, now)
				}
				require.NoError(t, s.EnqueueNotifications(ctx, ns))

				runCtx, stop := context.WithCancel(ctx)
				done := make(chan error, 1)
				go func() { done <- d.Run(runCtx) }()
				require.Eventually(t, func() bool {
					accepted, _ := p.counts()
					return len(accepted) == c.total
				}, 20*time.Second, 5*time.Millisecond)
				stop()
				select {
				case err := <-done:
					require.NoError(t, err)
				case <-time.After(10 * time.Second):
					t.Fatal("Run did not return after its context ended")
				}
				accepted, retried := p.counts()
				assert.Equal(t, c.total/c.failNth, retried, "first attempts that failed and were retried")
				for _, n := range ns {
					assert.Equal(t, 1, accepted[n.IdempotencyKey], "acceptances of %s", n.ID)
				}
				// Every outcome was recorded: nothing is left pending or claimed.
				for _, n := range ns {
					got, err := s.GetNotification(ctx, ten.ID, n.ID)
					require.NoError(t, err)
					assert.Equal(t, notify.StatusSent, got.Status, "status of %s", n.ID)
					assert.Equal(t, p.attempts[n.IdempotencyKey], got.Attempts, "attempts of %s", n.ID)
				}
			})
		}
	})
}
