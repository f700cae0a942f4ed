package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/uptrace/bun/driver/pgdriver"
)

// database is the run's own database on the server: created at the start, dropped at the end.
type database struct {
	server, name, dsn string
}

// createDatabase creates a database of a new name on the server of dsn and returns it.
func createDatabase(ctx context.Context, dsn string) (*database, error) {
	u, err := url.Parse(dsn)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		return nil, fmt.Errorf("-dsn %q is not a postgres:// DSN", dsn)
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	d := &database{name: "helpdesk_chaos_" + hex.EncodeToString(b)}
	u.Path = "/postgres"
	d.server = u.String()
	u.Path = "/" + d.name
	d.dsn = u.String()
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(d.server)))
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE "`+d.name+`"`); err != nil {
		return nil, fmt.Errorf("create database %s: %w", d.name, err)
	}
	return d, nil
}

// drop drops the database, ending the sessions still on it.
func (d *database) drop(ctx context.Context) error {
	// Dropping waits for a checkpoint, which takes long on a busy server.
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(d.server), pgdriver.WithReadTimeout(3*time.Minute)))
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+d.name+`" WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop database %s: %w", d.name, err)
	}
	return nil
}

// world is what the setup made: the tenant the instances serve, its admin (who is offered
// every ticket and hears the escalations: the default group has no member nor supervisor) and
// the admin's API token, and the master key every instance shares.
type world struct {
	tenantID         uuid.UUID
	token, secretKey string
}

// setUp migrates the database and makes the tenant with short timers: offers time out after
// offerTimeout, a waiting ticket is closed after expiration.
func setUp(ctx context.Context, dsn string, offerTimeout, expiration time.Duration) (*world, error) {
	key := make([]byte, helpdesk.MinSecretKeyBytes)
	_, _ = rand.Read(key)
	w := &world{secretKey: base64.StdEncoding.EncodeToString(key)}
	store, err := bunstore.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	if err := store.MigrateUp(ctx); err != nil {
		return nil, err
	}
	desk, err := helpdesk.New(store, &helpdesk.Config{SecretKeys: [][]byte{key}, BaseURL: "http://127.0.0.1"})
	if err != nil {
		return nil, err
	}
	ten, err := desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Chaos Service"})
	if err != nil {
		return nil, err
	}
	w.tenantID = ten.ID
	sys := tenant.SystemFor(ten.ID)
	admin, _, err := desk.CreateUser(ctx, sys, helpdesk.NewUser{Email: "admin@chaos.example", Name: "Chaos Admin",
		Role: tenant.RoleAdmin, Password: "Chaos-Admin-" + hex.EncodeToString(key[:8])})
	if err != nil {
		return nil, err
	}
	settings := ten.Settings
	settings.Durations.OfferTimeout = offerTimeout
	settings.Durations.MaxExpiration = expiration
	if _, err := desk.UpdateSettings(ctx, sys, ten.Version, settings); err != nil {
		return nil, err
	}
	actor := tenant.Employee(ten.ID, admin.ID, tenant.RoleAdmin, admin.Name)
	_, w.token, err = desk.CreateAPIToken(ctx, actor, helpdesk.NewAPIToken{Name: "chaos loader",
		Scopes: tenant.ScopeWrite, ExpiresAt: time.Now().Add(24 * time.Hour)})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// busy counts the work left: e-mails not yet sent and timers due (or soon due: every timer of
// the run is).
func busy(ctx context.Context, db *sql.DB) (pending, timers int, err error) {
	err = db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM notifications WHERE channel = $1 AND status = $2),
		(SELECT count(*) FROM timers)`, notify.Email, notify.StatusPending).Scan(&pending, &timers)
	return pending, timers, err
}

// read fills o with what the database holds for the tenant.
func read(ctx context.Context, db *sql.DB, tenantID uuid.UUID, o *Observed) error {
	if err := db.QueryRowContext(ctx, "SELECT now()").Scan(&o.Now); err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, "SELECT id, prefix, number, title, state FROM tickets WHERE tenant_id = $1", tenantID)
	if err != nil {
		return fmt.Errorf("read tickets: %w", err)
	}
	for rows.Next() {
		var (
			t      TicketRow
			prefix string
			number int64
		)
		if err := rows.Scan(&t.ID, &prefix, &number, &t.Title, &t.State); err != nil {
			rows.Close()
			return err
		}
		t.Ref = ticket.FormatRef(prefix, number)
		o.Tickets = append(o.Tickets, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	o.History = map[uuid.UUID][]HistoryRow{}
	rows, err = db.QueryContext(ctx, `SELECT ticket_id, action, from_state, to_state, at FROM history
		WHERE tenant_id = $1 AND session_id IS NULL ORDER BY ticket_id, at, id`, tenantID)
	if err != nil {
		return fmt.Errorf("read history: %w", err)
	}
	for rows.Next() {
		var (
			id uuid.UUID
			h  HistoryRow
		)
		if err := rows.Scan(&id, &h.Action, &h.From, &h.To, &h.At); err != nil {
			rows.Close()
			return err
		}
		o.History[id] = append(o.History[id], h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	rows, err = db.QueryContext(ctx, "SELECT ticket_id, kind, due_at FROM timers WHERE tenant_id = $1", tenantID)
	if err != nil {
		return fmt.Errorf("read timers: %w", err)
	}
	for rows.Next() {
		var tm TimerRow
		if err := rows.Scan(&tm.TicketID, &tm.Kind, &tm.DueAt); err != nil {
			rows.Close()
			return err
		}
		o.Timers = append(o.Timers, tm)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	rows, err = db.QueryContext(ctx, `SELECT id, idempotency_key, coalesce(ticket_id, '00000000-0000-0000-0000-000000000000'),
		event, channel, status, last_error FROM notifications WHERE tenant_id = $1 AND channel = $2`, tenantID, notify.Email)
	if err != nil {
		return fmt.Errorf("read notifications: %w", err)
	}
	for rows.Next() {
		var n OutboxRow
		if err := rows.Scan(&n.ID, &n.Key, &n.TicketID, &n.Event, &n.Channel, &n.Status, &n.LastError); err != nil {
			rows.Close()
			return err
		}
		o.Outbox = append(o.Outbox, n)
	}
	rows.Close()
	return rows.Err()
}

// statesOf counts the tickets by state, for the summary.
func statesOf(ts []TicketRow) map[ticket.State]int {
	m := map[ticket.State]int{}
	for _, t := range ts {
		m[t.State]++
	}
	return m
}
