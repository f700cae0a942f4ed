package bunstore

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/internal/pgtest"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
)

// eachEngine runs fn on a fresh, unmigrated store of each engine: an SQLite file and a
// PostgreSQL schema of its own.
func eachEngine(t *testing.T, fn func(t *testing.T, s *Store)) {
	for name, dsn := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "helpdesk.db") },
		"postgres": func(t *testing.T) string { return pgtest.Schema(t) },
	} {
		t.Run(name, func(t *testing.T) {
			s, err := Open(context.Background(), dsn(t))
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			fn(t, s)
		})
	}
}

func newV7() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// parentRecords are the least a timer or an attachment needs: a tenant and a ticket with a
// session and a message.
type parentRecords struct {
	tenant  *tenant.Tenant
	ticket  *ticket.Ticket
	session *ticket.Session
	message *ticket.Message
}

func newParents(t *testing.T, s *Store) parentRecords {
	t.Helper()
	ctx := context.Background()
	at := time.Now().UTC().Truncate(time.Microsecond)
	p := parentRecords{tenant: &tenant.Tenant{ID: newV7(), Name: "Tenant", TicketPrefix: "T", CreatedAt: at, UpdatedAt: at, Version: 1}}
	require.NoError(t, s.CreateTenant(ctx, p.tenant))
	p.ticket = &ticket.Ticket{ID: newV7(), TenantID: p.tenant.ID, Number: 1, Prefix: "T", Title: "Pump leaks",
		State: ticket.StateOpen, Source: ticket.SourceEmployee, CreatedBy: tenant.Ref{Kind: tenant.ActorSystem},
		CreatedAt: at, UpdatedAt: at, Version: 1}
	require.NoError(t, s.CreateTicket(ctx, p.ticket))
	p.session = &ticket.Session{ID: newV7(), TenantID: p.tenant.ID, TicketID: p.ticket.ID, State: ticket.SessionInvited,
		CreatedAt: at, UpdatedAt: at, Version: 1}
	require.NoError(t, s.CreateSession(ctx, p.session))
	p.message = &ticket.Message{ID: newV7(), TenantID: p.tenant.ID, TicketID: p.ticket.ID,
		Author: tenant.Ref{Kind: tenant.ActorSystem}, Body: "Photo attached", Visibility: ticket.Public, CreatedAt: at}
	require.NoError(t, s.CreateMessage(ctx, p.message))
	return p
}

// TestCascade checks the schema's foreign keys on both engines (on SQLite they need the
// foreign_keys pragma Open sets): a deleted message takes its attachments along, a deleted
// session its timers, a deleted ticket all of them, and a reference to a missing parent is
// storage.ErrNotFound.
func TestCascade(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		require.NoError(t, s.MigrateUp(ctx))
		p := newParents(t, s)
		at := p.ticket.CreatedAt
		for _, sessionID := range []uuid.UUID{uuid.Nil, p.session.ID} {
			require.NoError(t, s.ArmTimer(ctx, &ticket.Timer{ID: newV7(), TenantID: p.tenant.ID, TicketID: p.ticket.ID,
				SessionID: sessionID, Kind: ticket.TimerExpiration, DueAt: at, CreatedAt: at}))
		}
		for _, messageID := range []uuid.UUID{uuid.Nil, p.message.ID} {
			require.NoError(t, s.CreateAttachment(ctx, &ticket.Attachment{ID: newV7(), TenantID: p.tenant.ID,
				TicketID: p.ticket.ID, MessageID: messageID, Visibility: ticket.Public, Name: "a.jpg",
				ContentType: "image/jpeg", Size: 1, Digest: "d", Key: "k", Uploader: tenant.Ref{Kind: tenant.ActorSystem}, CreatedAt: at}))
		}
		count := func(t *testing.T, table string) int {
			t.Helper()
			n, err := s.db.NewSelect().Table(table).Count(ctx)
			require.NoError(t, err)
			return int(n)
		}
		exec := func(t *testing.T, query string, args ...any) {
			t.Helper()
			_, err := s.db.ExecContext(ctx, query, args...)
			require.NoError(t, err)
		}
		require.Equal(t, 2, count(t, "timers"))
		require.Equal(t, 2, count(t, "attachments"))

		exec(t, "DELETE FROM messages WHERE id = ?", p.message.ID)
		assert.Equal(t, 1, count(t, "attachments"), "the deleted message's attachment is left")
		exec(t, "DELETE FROM sessions WHERE id = ?", p.session.ID)
		assert.Equal(t, 1, count(t, "timers"), "the deleted session's timer is left")
		exec(t, "DELETE FROM tickets WHERE id = ?", p.ticket.ID)
		assert.Zero(t, count(t, "timers"), "the deleted ticket's timer is left")
		assert.Zero(t, count(t, "attachments"), "the deleted ticket's attachment is left")

		// The message's ticket is gone: the foreign key refuses it, as not found on both engines.
		p.message.ID = newV7()
		assert.ErrorIs(t, s.CreateMessage(ctx, p.message), storage.ErrNotFound)
	})
}

// TestQueueIndexes checks that claims and the next due time of the timers and the outbox read
// their queue's index from its start: on PostgreSQL the plans scan that index only and the
// claim's scan reads the due rows alone, not the thousands waiting behind them; on SQLite the
// plans search that index and sort nothing.
func TestQueueIndexes(t *testing.T) {
	const waiting, due, limit = 5000, 10, 50
	queues := []struct {
		queue   queue
		index   string
		columns string
		// fill stores waiting rows claimable only later and due rows claimable at t0.
		fill func(t *testing.T, s *Store, p parentRecords, t0 time.Time, waiting, due int)
	}{
		{timerQueue, "timers_run_at", (*timerRow)(nil).columns(), fillTimers},
		{outboxQueue, "notifications_pending_due", (*notificationRow)(nil).columns(), fillOutbox},
	}
	eachEngine(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		require.NoError(t, s.MigrateUp(ctx))
		p := newParents(t, s)
		t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		for _, c := range queues {
			t.Run(c.queue.table, func(t *testing.T) {
				c.fill(t, s, p, t0, waiting, due)
				_, err := s.db.ExecContext(ctx, "ANALYZE "+c.queue.table)
				require.NoError(t, err)
				if s.pg {
					testPGPlans(t, s, c.queue, c.index, c.columns, t0, limit, due)
				} else {
					testSQLitePlans(t, s, c.queue, c.index, t0, limit)
				}
			})
		}
	})
}

// explain returns the plan of query, one line per row.
func explain(t *testing.T, db bun.IDB, prefix, query string, args ...any) string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), prefix+" "+query, args...)
	require.NoError(t, err)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(any)
		}
		require.NoError(t, rows.Scan(vals...))
		var parts []string
		for _, v := range vals {
			parts = append(parts, fmt.Sprint(*v.(*any)))
		}
		lines = append(lines, strings.Join(parts, " "))
	}
	require.NoError(t, rows.Err())
	return strings.Join(lines, "\n")
}

func testPGPlans(t *testing.T, s *Store, u queue, index, columns string, now time.Time, limit, due int) {
	ctx := context.Background()
	// EXPLAIN ANALYZE runs the claim: in a transaction rolled back afterwards.
	tx, err := s.db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	plan := explain(t, tx, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)", u.claimPG(columns), now, limit, now.Add(time.Minute))
	t.Logf("claim plan:\n%s", plan)
	assert.NotContains(t, plan, "Seq Scan on "+u.table)
	scan := regexp.MustCompile(`Index Scan using ` + index + ` on ` + u.table + `.*actual rows=(\d+)`).FindStringSubmatch(plan)
	if assert.NotNil(t, scan, "the claim does not scan %s", index) {
		n, _ := strconv.Atoi(scan[1])
		assert.Equal(t, due, n, "rows the claim's index scan read")
	}

	plan = explain(t, tx, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)", s.nextDueQuery(u).String())
	t.Logf("next due plan:\n%s", plan)
	assert.NotContains(t, plan, "Seq Scan on "+u.table)
	assert.Regexp(t, `Index Only Scan using `+index+` on `+u.table+`.*actual rows=1 `, plan)
}

func testSQLitePlans(t *testing.T, s *Store, u queue, index string, now time.Time, limit int) {
	for name, query := range map[string]string{
		"claim":    s.dueIDs(u, now, limit).String(),
		"next due": s.nextDueQuery(u).String(),
	} {
		plan := explain(t, s.db, "EXPLAIN QUERY PLAN", query)
		t.Logf("%s plan:\n%s", name, plan)
		assert.Contains(t, plan, "INDEX "+index, name)
		assert.NotContains(t, plan, "TEMP B-TREE", "%s sorts", name)
	}
}

// fillTimers stores timers due before t0 and others running a day or more after it.
func fillTimers(t *testing.T, s *Store, p parentRecords, t0 time.Time, waiting, due int) {
	t.Helper()
	var rows []timerRow
	add := func(at time.Time) {
		rows = append(rows, timerRow{ID: newV7(), TenantID: p.tenant.ID, TicketID: p.ticket.ID, SubjectID: newV7(),
			Kind: string(ticket.TimerExpiration), DueAt: at, RunAt: at, CreatedAt: t0})
	}
	for i := range due {
		add(t0.Add(-time.Duration(i) * time.Minute))
	}
	for i := range waiting {
		add(t0.Add(24*time.Hour + time.Duration(i)*time.Second))
	}
	insertBatches(t, s, rows)
}

// fillOutbox stores pending notifications due before t0 and others sent before it, which the
// queue's partial index leaves out.
func fillOutbox(t *testing.T, s *Store, p parentRecords, t0 time.Time, waiting, due int) {
	t.Helper()
	var rows []notificationRow
	add := func(status notify.Status, at time.Time) {
		rows = append(rows, fromNotification(&notify.Notification{Message: notify.Message{ID: newV7(), TenantID: p.tenant.ID,
			Event: notify.TicketAccepted, Channel: notify.Email}, Status: status, NextAttemptAt: at, CreatedAt: t0}))
	}
	for i := range due {
		add(notify.StatusPending, t0.Add(-time.Duration(i)*time.Minute))
	}
	for i := range waiting {
		add(notify.StatusSent, t0.Add(-time.Duration(i)*time.Second))
	}
	insertBatches(t, s, rows)
}

func insertBatches[R any](t *testing.T, s *Store, rows []R) {
	t.Helper()
	for len(rows) > 0 {
		batch := rows[:min(len(rows), 1000)]
		rows = rows[len(batch):]
		_, err := s.db.NewInsert().Model(&batch).Exec(context.Background())
		require.NoError(t, err)
	}
}
