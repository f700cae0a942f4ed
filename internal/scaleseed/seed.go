// Package scaleseed fills a PostgreSQL database with a helpdesk at scale (by default 1,000
// tenants, 1,000,000 tickets, about 3,000,000 messages) for the benchmarks of BENCHMARKS.md.
//
// Tenants are created through the Desk (CreateTenant: statuses, priorities, default group);
// everything else goes in with COPY, one transaction per tenant, into the schema the store's
// migrations made, with the values the Desk itself writes (UUIDv7 IDs in time order, the
// lower-cased search_text, argon2id password hashes, the default status of each state), so
// that the Desk reads every seeded row as its own. A tenant whose transaction committed has
// its ticket counter at its ticket count: a rerun skips it, so an interrupted seeding resumes
// where it stopped.
//
// The shape: tenant 0 holds 10% of the tickets, tenants 1–9 3% each, tenants 10–99 0.3% each,
// the rest 0.04% each (100,000 / 30,000 / 3,000 / 400 tickets at the default sizes). A tenant
// has an admin, a supervisor, agents in teams of at most 8 (the first is the default group),
// customers each with a customer user, devices of three templates, canned responses. Tickets
// span two years ending two days before the seeding; the newest are being handled (a
// thousandth of the tickets, at least 2, in each of open, assigned, in progress and waiting),
// twice that many are done, the rest closed (a third of them rated) or cancelled. Each ticket
// has 1 to 5 messages (every 500th has 20), a history entry per message and per lifecycle
// step; open tickets are offered to their team's members (with an unread in-app notification
// each), and the newest tenth of the others left a read notification with their assignee.
//
// Not seeded: video sessions, attachments, timers, audit log, projects and departments.
package scaleseed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/uptrace/bun/driver/pgdriver"
)

// DefaultDSN is the database the seeding fills unless told otherwise.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/helpdesk_scale?sslmode=disable"

// Password is every seeded user's password.
const Password = "scale-bench-password-1"

// Config says what to seed.
type Config struct {
	// DSN names the database; it is created on its server when missing.
	DSN string
	// Tenants and Tickets are the sizes (defaults 1,000 and 1,000,000).
	Tenants, Tickets int
	// Workers seed that many tenants at once (default 2).
	Workers int
	// Log receives the progress.
	Log io.Writer
}

// TenantName is the name of seeded tenant i (0 is the biggest).
func TenantName(i int) string { return fmt.Sprintf("Scale tenant %04d", i) }

// Email is the sign-in of a seeded user of tenant i: who is "admin", "supervisor",
// "agent01"…, or "cu001"… for customer users.
func Email(i int, who string) string { return fmt.Sprintf("%s@t%04d.scale.test", who, i) }

// Sizes returns the ticket count of each tenant: the shares of the package doc, rounded, the
// rest given to tenant 0.
func Sizes(tenants, tickets int) []int {
	weight := func(i int) float64 {
		switch {
		case i == 0:
			return 250
		case i < 10:
			return 75
		case i < 100:
			return 7.5
		}
		return 1
	}
	var sum float64
	for i := range tenants {
		sum += weight(i)
	}
	out := make([]int, tenants)
	left := tickets
	for i := 1; i < tenants; i++ {
		out[i] = max(1, int(float64(tickets)*weight(i)/sum+0.5))
		left -= out[i]
	}
	out[0] = left
	return out
}

// Report is what a seeding did.
type Report struct {
	Seeded, Skipped int
	Rows            int64
	Took, Analyze   time.Duration
}

// Seed fills cfg.DSN, skipping the tenants a previous run finished, then analyses the tables.
func Seed(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.DSN == "" {
		cfg.DSN = DefaultDSN
	}
	if cfg.Tenants <= 0 {
		cfg.Tenants = 1000
	}
	if cfg.Tickets <= 0 {
		cfg.Tickets = 1000000
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	start := time.Now()
	if err := createDatabase(ctx, cfg.DSN); err != nil {
		return nil, err
	}
	store, err := bunstore.Open(ctx, patient(cfg.DSN))
	if err != nil {
		return nil, err
	}
	defer store.Close()
	store.DB().SetMaxOpenConns(cfg.Workers + 2)
	if err := store.MigrateUp(ctx); err != nil {
		return nil, err
	}
	desk, err := helpdesk.New(store, nil)
	if err != nil {
		return nil, err
	}
	s := &seeder{store: store, desk: desk, now: time.Now().UTC().Truncate(time.Microsecond),
		hash: secret.HashArgon2(Password, secret.OWASPMinimum)}
	sizes := Sizes(cfg.Tenants, cfg.Tickets)
	rep := &Report{}
	var (
		mu       sync.Mutex
		firstErr error
		done     int
	)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				t0 := time.Now()
				rows, skipped, err := s.tenant(ctx, i, sizes[i])
				mu.Lock()
				done++
				switch {
				case err != nil:
					if firstErr == nil {
						firstErr = fmt.Errorf("tenant %d: %w", i, err)
					}
				case skipped:
					rep.Skipped++
				default:
					rep.Seeded++
					rep.Rows += rows
				}
				if err == nil && !skipped && (sizes[i] >= 10000 || done%50 == 0 || done == cfg.Tenants) {
					el := time.Since(start)
					fmt.Fprintf(cfg.Log, "%4d/%d tenants (%d skipped)  tenant %d: %d tickets, %d rows in %.1fs  total %d rows, %.0f rows/s, %s\n",
						done, cfg.Tenants, rep.Skipped, i, sizes[i], rows, time.Since(t0).Seconds(), rep.Rows,
						float64(rep.Rows)/el.Seconds(), el.Round(time.Second))
				}
				mu.Unlock()
			}
		}()
	}
	for i := range cfg.Tenants {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return rep, firstErr
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	// Autovacuum is off on the benchmark machine: settle the tables as it would (the
	// visibility map for index-only counts, the planner's statistics for the new tenants).
	t0 := time.Now()
	fmt.Fprintf(cfg.Log, "VACUUM ANALYZE…\n")
	if _, err := store.DB().ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
		return rep, fmt.Errorf("vacuum analyze: %w", err)
	}
	rep.Analyze = time.Since(t0)
	rep.Took = time.Since(start)
	return rep, nil
}

// patient returns dsn with read and write timeouts of ten minutes unless it sets its own: the
// driver's default (10 s) is shorter than the wait for the server to take a big tenant's COPY.
func patient(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	for _, k := range []string{"read_timeout", "write_timeout"} {
		if q.Get(k) == "" {
			q.Set(k, "600")
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// createDatabase creates the DSN's database on its server when it does not exist.
func createDatabase(ctx context.Context, dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return fmt.Errorf("dsn: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" || strings.ContainsAny(name, `"/`) {
		return fmt.Errorf("dsn: no usable database name in %q", u.Path)
	}
	u.Path = "/postgres"
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(u.String())))
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("look for database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := db.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

type seeder struct {
	store *bunstore.Store
	desk  *helpdesk.Desk
	now   time.Time
	hash  string
}

// tenant seeds tenant i with n tickets unless a previous run did.
func (s *seeder) tenant(ctx context.Context, i, n int) (rows int64, skipped bool, err error) {
	db := s.store.DB()
	var (
		id  uuid.UUID
		seq int64
	)
	err = db.QueryRowContext(ctx, "SELECT id, ticket_seq FROM tenants WHERE name = ? ORDER BY created_at LIMIT 1", TenantName(i)).Scan(&id, &seq)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		t, err := s.desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: TenantName(i)})
		if err != nil {
			return 0, false, err
		}
		id = t.ID
	case err != nil:
		return 0, false, err
	case seq >= int64(n):
		return 0, true, nil
	case seq > 0:
		return 0, false, fmt.Errorf("%s has %d tickets besides the seeding's: seed an empty database", TenantName(i), seq)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, false, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return 0, false, err
	}
	c := &copier{ctx: ctx, conn: conn}
	if err := s.fill(c, i, id, n); err != nil {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return 0, false, err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return 0, false, err
	}
	return c.rows, false, nil
}
