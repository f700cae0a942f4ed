package bunstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

var (
	_ storage.Pinger           = (*Store)(nil)
	_ storage.MigrationChecker = (*Store)(nil)
	_ storage.BacklogCounter   = (*Store)(nil)
)

// Ping checks that the database answers. See storage.Pinger.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("bunstore: ping: %w", err)
	}
	return nil
}

// PendingMigrations returns the embedded migrations the database has not applied. It reads
// the bookkeeping table only: no lock, no change. See storage.MigrationChecker.
func (s *Store) PendingMigrations(ctx context.Context) ([]string, error) {
	m, err := s.migrator()
	if err != nil {
		return nil, err
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("bunstore: read applied migrations: %w", err)
	}
	var pending []string
	for _, mg := range ms.Unapplied() {
		pending = append(pending, mg.Name)
	}
	return pending, nil
}

// backlogQuery counts pending rows of an outbox table by channel, due or not, from the index
// of its pending rows, and failed rows from the primary key's range of recent IDs (UUIDv7 IDs
// grow with time), so that neither reads the history of sent rows. Its arguments are now and
// the least recent ID.
func backlogQuery(table, channel, status string) string {
	return `SELECT ` + channel + ` AS channel, CASE WHEN next_attempt_at <= ? THEN 'due' ELSE 'scheduled' END AS status, count(*) AS n
		FROM ` + table + ` WHERE ` + status + ` = 'pending' GROUP BY 1, 2
	UNION ALL
	SELECT ` + channel + ` AS channel, 'failed' AS status, count(*) AS n
		FROM ` + table + ` WHERE ` + status + ` = 'failed' AND id >= ? GROUP BY 1, 2`
}

// CountBacklog counts the waiting work. See storage.BacklogCounter.
func (q *queries) CountBacklog(ctx context.Context, now, failedSince time.Time) (storage.Backlog, error) {
	now = now.UTC()
	since := v7Floor(failedSince)
	var b storage.Backlog
	for _, c := range []struct {
		into          *[]storage.OutboxCount
		table, ch, st string
	}{
		{&b.Notifications, "notifications", "channel", "status"},
		{&b.Webhooks, "webhook_deliveries", "'webhook'", "state"},
	} {
		var rows []struct {
			Channel string `bun:"channel"`
			Status  string `bun:"status"`
			N       int    `bun:"n"`
		}
		if err := q.db.NewRaw(backlogQuery(c.table, c.ch, c.st), now, since).Scan(ctx, &rows); err != nil {
			return storage.Backlog{}, fmt.Errorf("bunstore: count the backlog of %s: %w", c.table, mapErr(err))
		}
		for _, r := range rows {
			*c.into = append(*c.into, storage.OutboxCount{Channel: r.Channel, Status: r.Status, Count: r.N})
		}
	}
	var timers []struct {
		Kind string `bun:"kind"`
		N    int    `bun:"n"`
	}
	// timers_run_at serves it: the rows read are the due ones.
	if err := q.db.NewRaw(`SELECT kind, count(*) AS n FROM timers WHERE run_at <= ? GROUP BY kind`, now).Scan(ctx, &timers); err != nil {
		return storage.Backlog{}, fmt.Errorf("bunstore: count the due timers: %w", mapErr(err))
	}
	b.TimersDue = make(map[ticket.TimerKind]int, len(timers))
	for _, r := range timers {
		b.TimersDue[ticket.TimerKind(r.Kind)] = r.N
	}
	return b, nil
}

// v7Floor is the least UUIDv7 of at's millisecond: every ID made from then on sorts after it,
// as bytes on PostgreSQL and as text on SQLite.
func v7Floor(at time.Time) uuid.UUID {
	var id uuid.UUID
	ms := uint64(max(at.UnixMilli(), 0))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], ms)
	copy(id[:6], b[2:])
	return id
}

var _ storage.TenantLister = (*Store)(nil)

// TenantIDs lists tenants' IDs in order. See storage.TenantLister.
func (q *queries) TenantIDs(ctx context.Context, after uuid.UUID, limit int) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := q.db.NewSelect().Table("tenants").Column("id").Where("id > ?", after).OrderExpr("id").Limit(int64(limit)).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("bunstore: list tenants: %w", mapErr(err))
	}
	return ids, nil
}
