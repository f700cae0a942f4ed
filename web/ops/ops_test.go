package ops_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/internal/pgtest"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/notify/notifytest"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/web"
	"github.com/deskkit/helpdesk/web/ops"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// engines are the databases the tests run on.
var engines = []struct {
	name string
	dsn  func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "helpdesk.db") }},
	{"postgres", func(t *testing.T) string { return pgtest.Schema(t) }},
}

// eachEngine runs fn per engine with a fresh store, not migrated yet.
func eachEngine(t *testing.T, fn func(t *testing.T, s *bunstore.Store)) {
	t.Helper()
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			s, err := bunstore.Open(context.Background(), e.dsn(t))
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			fn(t, s)
		})
	}
}

// clock is a settable clock for the Desk and the metrics.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// get serves a GET of path by h and returns the status and body.
func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	body, err := io.ReadAll(w.Result().Body)
	require.NoError(t, err)
	return w.Code, string(body)
}

// TestHealth checks /healthz and /readyz: alive always; ready on a migrated database, 503 with
// the reason while a migration is pending (before any migration: none is recorded yet) and
// once the database is closed, while /healthz still answers 200.
func TestHealth(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		desk, err := helpdesk.New(s, &helpdesk.Config{SecretKeys: [][]byte{make([]byte, helpdesk.MinSecretKeyBytes)}})
		require.NoError(t, err)
		mux := http.NewServeMux()
		mux.Handle("GET /healthz", ops.Healthz())
		mux.Handle("GET /readyz", ops.Readyz(desk))

		type answer struct{ Status, Reason string }
		check := func(path string, code int, status, reason string) {
			t.Helper()
			got, body := get(t, mux, path)
			assert.Equal(t, code, got, "%s: %s", path, body)
			var a answer
			require.NoError(t, json.Unmarshal([]byte(body), &a), body)
			assert.Equal(t, status, a.Status, path)
			assert.Contains(t, a.Reason, reason, path)
		}
		check("/healthz", http.StatusOK, "ok", "")
		check("/readyz", http.StatusServiceUnavailable, "unavailable", "migrations cannot be read")

		require.NoError(t, s.MigrateUp(ctx))
		check("/readyz", http.StatusOK, "ready", "")
		// A migration of the code that the database lacks: as if this release's newest one had
		// not run yet.
		pending, err := s.PendingMigrations(ctx)
		require.NoError(t, err)
		require.Empty(t, pending)
		var last string
		require.NoError(t, s.DB().NewSelect().Table("helpdesk_migrations").ColumnExpr("max(name)").Scan(ctx, &last))
		_, err = s.DB().NewDelete().Table("helpdesk_migrations").Where("name = ?", last).Exec(ctx)
		require.NoError(t, err)
		check("/readyz", http.StatusServiceUnavailable, "unavailable", "1 migrations pending ("+last+")")

		require.NoError(t, s.Close())
		check("/readyz", http.StatusServiceUnavailable, "unavailable", "the database does not answer")
		check("/healthz", http.StatusOK, "ok", "")
	})
}

// TestMetrics scrapes /metrics after a delivery, a timer firing and a request: the series
// exist with their labels, the route label is the route's pattern (never the path), and the
// backlog's gauges follow the outbox and the timers.
func TestMetrics(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		require.NoError(t, s.MigrateUp(ctx))
		clk := &clock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
		mail := notifytest.NewRecorder()
		cfg := &helpdesk.Config{Now: clk.Now, SecretKeys: [][]byte{make([]byte, helpdesk.MinSecretKeyBytes)},
			Blobs: blob.NewMem(), Notifiers: map[notify.Channel]notify.Notifier{notify.Email: mail}}
		m := ops.NewMetrics(&ops.MetricsConfig{Now: clk.Now})
		cfg.Observer = m
		desk, err := helpdesk.New(s, cfg)
		require.NoError(t, err)
		m.ReadBacklog(desk)

		token := submitted(t, desk)
		mux := http.NewServeMux()
		mux.HandleFunc("GET /c/{token}", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "device page") })
		mux.Handle("GET /metrics", m.Handler())
		site := web.Trace(nil, mux, m.ObserveRequest)

		code, body := get(t, site, "/metrics")
		require.Equal(t, http.StatusOK, code)
		has(t, body, `helpdesk_backlog_up 1`)
		assert.Regexp(t, `helpdesk_outbox_depth\{channel="email",status="due"\} [1-9]`, body, "the submission's e-mails wait")
		assert.NotContains(t, body, "helpdesk_deliveries_total{", "no delivery yet")

		mail.FailNext(notify.Permanent(io.ErrUnexpectedEOF))
		n, err := desk.DispatchOnce(ctx)
		require.NoError(t, err)
		require.Positive(t, n)
		clk.Advance(36 * time.Minute) // the offer timeout (30 minutes) is 6 minutes late
		_, body = get(t, site, "/metrics")
		has(t, body, `helpdesk_timers_due{kind="offer_timeout"} 1`)
		fired, err := desk.FireTimersOnce(ctx)
		require.NoError(t, err)
		require.Positive(t, fired, "the offer timeout fired")
		code, _ = get(t, site, "/c/SECRET-TOKEN-"+token)
		require.Equal(t, http.StatusOK, code)

		clk.Advance(time.Minute) // past BacklogEvery: the gauges count again
		_, body = get(t, site, "/metrics")
		has(t, body,
			`helpdesk_deliveries_total{channel="email",outcome="failed"} 1`,
			`helpdesk_timer_lag_seconds_count{kind="offer_timeout"} 1`,
			`helpdesk_timer_lag_seconds_bucket{kind="offer_timeout",le="300"} 0`, // 6 minutes late
			`helpdesk_timer_lag_seconds_bucket{kind="offer_timeout",le="900"} 1`,
			`helpdesk_http_request_duration_seconds_count{code="200",method="GET",route="GET /c/{token}"} 1`,
			`helpdesk_http_request_duration_seconds_count{code="200",method="GET",route="GET /metrics"} 2`,
			`helpdesk_outbox_depth{channel="email",status="failed"} 1`,
			`helpdesk_outbox_depth{channel="email",status="due"} 1`, // the escalation the timer wrote
			`helpdesk_timers_due{kind="offer_timeout"} 0`,           // fired: gone, reported as 0
			`go_goroutines `)
		assert.Regexp(t, `helpdesk_deliveries_total\{channel="email",outcome="sent"\} [1-9]`, body)
		assert.NotContains(t, body, "SECRET", "a path never becomes a label")
	})
}

// has checks that body holds every line start of want.
func has(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, "\n"+w) {
			t.Errorf("no %s in the metrics", w)
		}
	}
}

// submitted makes a tenant whose default group offers new tickets to an agent (so that a
// submission arms an offer timeout and mails the staff) and submits a ticket through a
// device's code, whose token it returns.
func submitted(t *testing.T, desk *helpdesk.Desk) string {
	t.Helper()
	ctx := t.Context()
	op, err := desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Service"})
	require.NoError(t, err)
	ada, _, err := desk.CreateUser(ctx, tenant.SystemFor(op.ID), helpdesk.NewUser{Email: "ada@acme.example",
		Name: "Ada Admin", Role: tenant.RoleAdmin, Password: "Ada-Secret-7"})
	require.NoError(t, err)
	admin := ada.Actor()
	sam, _, err := desk.CreateUser(ctx, admin, helpdesk.NewUser{Email: "sam@acme.example", Name: "Sam Agent",
		Role: tenant.RoleAgent, Password: "Sam-Secret-7"})
	require.NoError(t, err)
	teams, err := desk.Teams(ctx, admin)
	require.NoError(t, err)
	group := teams[0]
	group.SupervisorID, group.Members = ada.ID, []uuid.UUID{sam.ID}
	_, err = desk.UpdateTeam(ctx, admin, group)
	require.NoError(t, err)
	customer, err := desk.CreateCustomer(ctx, admin, helpdesk.NewCustomer{Name: "Northwind Hospital"})
	require.NoError(t, err)
	pump, err := desk.CreateDevice(ctx, admin, helpdesk.NewDevice{Name: "Pump 7", CustomerID: customer.ID})
	require.NoError(t, err)
	code, err := desk.CreateCode(ctx, admin, pump.ID, helpdesk.NewCode{})
	require.NoError(t, err)
	page, err := desk.OpenCode(ctx, code.Token, "")
	require.NoError(t, err)
	_, err = desk.SubmitTicket(ctx, page.Actor, helpdesk.NewTicket{Title: "Pump alarms",
		Requester: ticket.Contact{Name: "Nina Nurse", Email: "nina@northwind.example"}})
	require.NoError(t, err)
	return strings.ToUpper(code.Token[:4])
}

// TestNewLogger checks the servers' loggers: JSON or text lines, each record logged with a
// traced request's context carrying its request ID, and a clear error for another format.
func TestNewLogger(t *testing.T) {
	for _, tc := range []struct {
		format, want string
	}{
		{"json", `"request_id":"req-7"`},
		{"text", `request_id=req-7`},
	} {
		t.Run(tc.format, func(t *testing.T) {
			var buf strings.Builder
			logger, err := ops.NewLogger(&buf, tc.format, slog.LevelInfo)
			require.NoError(t, err)
			h := web.Trace(nil, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				logger.InfoContext(r.Context(), "inside")
			}))
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set(web.RequestIDHeader, "req-7")
			h.ServeHTTP(httptest.NewRecorder(), r)
			assert.Contains(t, buf.String(), tc.want)
			logger.Debug("below the level")
			assert.NotContains(t, buf.String(), "below the level")
		})
	}
	_, err := ops.NewLogger(io.Discard, "xml", slog.LevelInfo)
	assert.ErrorContains(t, err, `log format "xml": want json or text`)
}
