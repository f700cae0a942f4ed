package helpdesk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/internal/pgtest"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/webhook"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// flakyReceiver is the benchmark's webhook receiver: it fails an attempt (503) when a hash of
// the webhook-id and the attempt's number (how often that id came before) falls in the first
// failPercent of 100, so the same ids fail the same way in every run.
type flakyReceiver struct {
	failPercent uint32
	mu          sync.Mutex
	seen        map[string]int // attempts per webhook-id
	delivered   map[string]int // 2xx answers per webhook-id
}

func (fr *flakyReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get("webhook-id")
	fr.mu.Lock()
	attempt := fr.seen[id]
	fr.seen[id]++
	h := fnv.New32a()
	fmt.Fprintf(h, "%s#%d", id, attempt)
	fail := h.Sum32()%100 < fr.failPercent
	if !fail {
		fr.delivered[id]++
	}
	fr.mu.Unlock()
	if fail {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (fr *flakyReceiver) count() int {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	return len(fr.delivered)
}

// webhookRun is what one scenario measured.
type webhookRun struct {
	rate             float64 // deliveries completed per second
	attempts         int
	lost, duplicates int
}

// BenchmarkWebhookDelivery delivers 2,000 webhooks through Desk.Run to a local receiver
// (httptest on loopback), on PostgreSQL and on SQLite, at 0% and at 20% failing answers
// (503, chosen by a hash of webhook-id and attempt), with the Desk's default batch (100) and
// concurrency (8) and retries backing off 1 to 10 ms. Each pair runs three times with its
// order alternating; rates and ratio are medians. It fails if any webhook-id never got a 2xx.
func BenchmarkWebhookDelivery(b *testing.B) {
	for _, engine := range []string{"postgres", "sqlite"} {
		b.Run("engine="+engine, func(b *testing.B) {
			for b.Loop() {
				var cleanRates, flakyRates, ratios []float64
				var lost, dups, attempts int
				for i := range 3 {
					var clean, flaky webhookRun
					if i%2 == 0 {
						clean, flaky = webhookScenario(b, engine, 0), webhookScenario(b, engine, 20)
					} else {
						flaky, clean = webhookScenario(b, engine, 20), webhookScenario(b, engine, 0)
					}
					cleanRates, flakyRates = append(cleanRates, clean.rate), append(flakyRates, flaky.rate)
					ratios = append(ratios, flaky.rate/clean.rate)
					lost += clean.lost + flaky.lost
					dups += clean.duplicates + flaky.duplicates
					attempts += flaky.attempts
				}
				b.ReportMetric(median(cleanRates), "hooks/s@0%")
				b.ReportMetric(median(flakyRates), "hooks/s@20%")
				b.ReportMetric(median(ratios), "ratio_20%/0%")
				b.ReportMetric(float64(attempts)/3/webhookBenchTotal, "attempts/hook@20%")
				b.ReportMetric(float64(lost), "lost")
				b.ReportMetric(float64(dups), "duplicates")
				if lost > 0 {
					b.Errorf("%d webhooks never delivered", lost)
				}
			}
		})
	}
}

const webhookBenchTotal = 2_000

func webhookScenario(b *testing.B, engine string, failPercent uint32) webhookRun {
	b.Helper()
	ctx := context.Background()
	var s *bunstore.Store
	if engine == "postgres" {
		s = openStore(b, pgtest.Schema(b))
	} else {
		s = openStore(b, "sqlite:"+b.TempDir()+"/bench.db")
	}
	fr := &flakyReceiver{failPercent: failPercent, seen: map[string]int{}, delivered: map[string]int{}}
	srv := httptest.NewServer(fr)
	defer srv.Close()
	d, err := helpdesk.New(s, &helpdesk.Config{AllowPrivateTargets: true, SecretKeys: [][]byte{testKey},
		Dispatch: helpdesk.DispatchConfig{RetryBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, MaxAttempts: 20}})
	require.NoError(b, err)
	ten, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Bench"})
	require.NoError(b, err)
	admin := tenant.SystemFor(ten.ID)
	admin.Kind, admin.Role, admin.UserID = tenant.ActorEmployee, tenant.RoleAdmin, uuid.Must(uuid.NewV7())
	e, _, err := d.CreateWebhook(ctx, admin, helpdesk.NewWebhook{URL: srv.URL + "/hooks"})
	require.NoError(b, err)

	// A ticket.assigned payload of the usual size, written straight into the outbox.
	now := time.Now().UTC()
	tid := uuid.Must(uuid.NewV7())
	body, err := json.Marshal(webhook.Payload{Type: string(notify.TicketAssigned), Timestamp: now, Data: webhook.PayloadData{
		Ticket: &webhook.Ticket{ID: tid, Ref: "T-000001", Title: "Pump 7 alarms", State: "assigned", AssigneeID: &tid,
			TeamID: &tid, DeviceID: &tid, CreatedAt: now, UpdatedAt: now, Version: 3},
		Actor: &webhook.Actor{Kind: "employee", ID: &tid, Name: "Sue Supervisor"}}})
	require.NoError(b, err)
	for range webhookBenchTotal / 500 {
		ds := make([]*webhook.Delivery, 500)
		for i := range ds {
			id := uuid.Must(uuid.NewV7())
			ds[i] = &webhook.Delivery{ID: id, TenantID: ten.ID, EndpointID: e.ID, MessageID: "msg_" + id.String(),
				Event: string(notify.TicketAssigned), Payload: body, State: webhook.Pending, NextAttemptAt: now, CreatedAt: now}
		}
		require.NoError(b, s.EnqueueWebhookDeliveries(ctx, ds))
	}

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- d.Run(runCtx) }()
	guard := time.Now().Add(3 * time.Minute)
	for fr.count() < webhookBenchTotal && time.Now().Before(guard) {
		time.Sleep(2 * time.Millisecond)
	}
	elapsed := time.Since(start)
	stop()
	require.NoError(b, <-done)

	fr.mu.Lock()
	defer fr.mu.Unlock()
	r := webhookRun{rate: float64(len(fr.delivered)) / elapsed.Seconds(), lost: webhookBenchTotal - len(fr.delivered)}
	for id, n := range fr.seen {
		r.attempts += n
		r.duplicates += fr.delivered[id] - min(fr.delivered[id], 1)
	}
	return r
}
