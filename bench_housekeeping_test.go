package helpdesk_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/internal/pgtest"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// BenchmarkHousekeepNotifications purges a tenant's old notifications on PostgreSQL beside as
// many it keeps (recent ones), two ways in the same run: HousekeepOnce, in statements of
// Housekeeping.BatchSize rows each, and the baseline, one DELETE of them all (the quickest way,
// and the one that holds every row lock at once). rows/s is the purge rate; each iteration
// seeds its rows anew, untimed.
//
//	HELPDESK_TEST_POSTGRES=… go test -run '^$' -bench BenchmarkHousekeepNotifications -benchtime 3x .
func BenchmarkHousekeepNotifications(b *testing.B) {
	const old, kept = 20_000, 20_000
	ctx := context.Background()
	s := openStore(b, pgtest.Schema(b))
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	d, err := helpdesk.New(s, &helpdesk.Config{Now: func() time.Time { return now }, Blobs: blob.NewMem(),
		SecretKeys: [][]byte{testKey}})
	require.NoError(b, err)
	ten, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Bench"})
	require.NoError(b, err)
	seed := func(b *testing.B) {
		b.Helper()
		for start := 0; start < old+kept; start += 1000 {
			ns := make([]*notify.Notification, 0, 1000)
			for i := start; i < start+1000; i++ {
				at := now.Add(-time.Hour) // kept: within the default 90 days
				if i < old {
					at = now.Add(-100 * 24 * time.Hour)
				}
				id := uuid.Must(uuid.NewV7())
				ns = append(ns, &notify.Notification{Message: notify.Message{ID: id, TenantID: ten.ID, Event: notify.TicketAccepted,
					Channel: notify.Email, To: notify.Address{Email: "ada@acme.example"}, Subject: "Accepted", Text: "Accepted"},
					Status: notify.StatusSent, NextAttemptAt: at, CreatedAt: at})
			}
			require.NoError(b, s.EnqueueNotifications(ctx, ns))
		}
		// This machine's PostgreSQL runs without autovacuum: keep the statistics fresh by hand.
		_, err := s.DB().ExecContext(ctx, "ANALYZE notifications")
		require.NoError(b, err)
	}
	run := func(b *testing.B, purge func(b *testing.B) int) {
		b.Helper()
		for b.Loop() {
			b.StopTimer()
			_, err := s.DB().ExecContext(ctx, "DELETE FROM notifications")
			require.NoError(b, err)
			seed(b)
			b.StartTimer()
			require.Equal(b, old, purge(b))
		}
		b.ReportMetric(float64(old*b.N)/b.Elapsed().Seconds(), "rows/s")
	}
	b.Run("HousekeepOnce", func(b *testing.B) {
		run(b, func(b *testing.B) int {
			r, err := d.HousekeepOnce(ctx)
			require.NoError(b, err)
			return r.Notifications
		})
	})
	b.Run("one statement (baseline)", func(b *testing.B) {
		run(b, func(b *testing.B) int {
			res, err := s.DB().ExecContext(ctx, `DELETE FROM notifications WHERE tenant_id = ? AND status <> 'pending'
				AND created_at < ? AND NOT (channel = 'inapp' AND read_at IS NULL)`, ten.ID, now.Add(-90*24*time.Hour))
			require.NoError(b, err)
			n, err := res.RowsAffected()
			require.NoError(b, err)
			return int(n)
		})
	})
}
