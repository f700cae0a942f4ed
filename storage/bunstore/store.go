package bunstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/pgdriver"
	"github.com/uptrace/bun/driver/sqliteshim"
	"github.com/uptrace/bun/migrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration bookkeeping tables are prefixed so they never collide with the embedding
// application's own bun migrations.
const (
	migrationTable     = "helpdesk_migrations"
	migrationLockTable = "helpdesk_migration_locks"
)

// Store is a storage.Store on bun, for PostgreSQL and SQLite.
type Store struct {
	queries
	db *bun.DB
}

var (
	_ storage.Store          = (*Store)(nil)
	_ storage.Migrator       = (*Store)(nil)
	_ storage.OutboxListener = (*Store)(nil)
)

// Open connects to the database named by dsn:
//
//   - "postgres://user@host:5432/db?sslmode=disable" (or "postgresql://…") opens PostgreSQL
//     through pgdriver. Unknown query parameters such as search_path or lock_timeout are sent as
//     connection parameters. Without sslmode the connection uses unverified TLS.
//   - "sqlite:path/to/file.db" opens (creating it if needed) an SQLite file through sqliteshim,
//     in WAL mode with a busy timeout, foreign keys on and immediate write transactions.
//   - "sqlite::memory:" opens a private in-memory SQLite database (one connection, so it lives
//     as long as the Store).
//
// Open does not change the schema: call MigrateUp before first use. It returns an error for an
// unknown scheme or an unreachable database.
func Open(ctx context.Context, dsn string) (*Store, error) {
	var db *bun.DB
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		sqldb := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(dsn)))
		db = bun.NewDB(sqldb, pgdialect.New())
	case strings.HasPrefix(dsn, "sqlite:"):
		if sqliteshim.DriverName() != "sqlite" {
			// Elsewhere sqliteshim falls back to mattn/go-sqlite3 (cgo), which ignores the
			// _pragma settings below and reports errors in another shape.
			return nil, fmt.Errorf("bunstore: SQLite needs modernc.org/sqlite, which this platform lacks (sqliteshim chose %q)", sqliteshim.DriverName())
		}
		path := strings.TrimPrefix(dsn, "sqlite:")
		memory := path == ":memory:"
		sqldb, err := sql.Open(sqliteshim.ShimName, sqliteDSN(path))
		if err != nil {
			return nil, fmt.Errorf("bunstore: open sqlite: %w", err)
		}
		if memory {
			// Every connection to ":memory:" is a database of its own: keep exactly one, forever.
			sqldb.SetMaxOpenConns(1)
			sqldb.SetMaxIdleConns(1)
			sqldb.SetConnMaxLifetime(0)
			sqldb.SetConnMaxIdleTime(0)
		}
		db = bun.NewDB(sqldb, sqlitedialect.New())
	default:
		return nil, fmt.Errorf("bunstore: unsupported dsn %q: want a postgres://, postgresql:// or sqlite: URL", redact(dsn))
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("bunstore: connect: %w", err)
	}
	return New(db), nil
}

// sqliteDSN adds the settings a file database needs under concurrent use: WAL so readers do not
// block the writer, a busy timeout so writers queue instead of failing, and BEGIN IMMEDIATE so a
// transaction that will write takes the lock up front (no upgrade deadlock).
func sqliteDSN(path string) string {
	const pragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate"
	if path == ":memory:" {
		return "file::memory:?" + pragmas
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return "file:" + path + sep + pragmas + "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
}

func redact(dsn string) string {
	if i := strings.Index(dsn, "@"); i >= 0 {
		if j := strings.Index(dsn, "://"); j >= 0 && j < i {
			return dsn[:j+3] + "…" + dsn[i:]
		}
	}
	return dsn
}

// New wraps an open bun.DB whose dialect is PostgreSQL or SQLite. An SQLite database should have
// foreign keys enabled and, for files, WAL mode and a busy timeout (Open does all of this).
func New(db *bun.DB) *Store {
	return &Store{queries: queries{db: db, pg: db.Dialect().Name() == dialect.PG}, db: db}
}

// DB returns the underlying bun.DB, for the embedding application's own queries.
func (s *Store) DB() *bun.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// InTx runs fn in one transaction. See storage.Store.
func (s *Store) InTx(ctx context.Context, fn func(q storage.Queries) error) error {
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return fn(&queries{db: tx, pg: s.pg})
	})
	return mapErr(err)
}

// migrationData is what the migrations' templates fill in: PG (set on PostgreSQL only, for
// {{if .PG}}), the dialect's column types, and
// RandomHex, an expression that yields 64 random lower-case hex digits (32 bytes) per row.
func (s *Store) migrationData() map[string]string {
	if s.pg {
		// gen_random_uuid is built in since PostgreSQL 13 (no pgcrypto needed); two of them
		// give 64 hex digits, 244 of their bits random.
		return map[string]string{"PG": "true", "UUID": "uuid", "Time": "timestamptz", "JSON": "jsonb", "Bool": "boolean", "Bytes": "bytea",
			"RandomHex": "replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')"}
	}
	return map[string]string{"UUID": "TEXT", "Time": "TIMESTAMP", "JSON": "TEXT", "Bool": "BOOLEAN", "Bytes": "BLOB",
		"RandomHex": "lower(hex(randomblob(32)))"}
}

func (s *Store) migrator() (*migrate.Migrator, error) { return s.migratorOf(migrationFiles) }

// migratorOf runs the migrations found in fsys (the embedded ones, or a subset in tests).
func (s *Store) migratorOf(fsys fs.FS) (*migrate.Migrator, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(fsys); err != nil {
		return nil, fmt.Errorf("bunstore: discover migrations: %w", err)
	}
	// The search backfill is written in Go (the words are folded there); it follows the
	// migration that makes room for the documents.
	for _, m := range ms.Sorted() {
		if m.Name == "20261211000018" {
			ms.Add(s.searchBackfill())
			break
		}
	}
	return migrate.NewMigrator(s.db, ms,
		migrate.WithTableName(migrationTable),
		migrate.WithLocksTableName(migrationLockTable),
		migrate.WithMarkAppliedOnSuccess(true),
		migrate.WithTemplateData(s.migrationData()),
	), nil
}

// MigrateUp applies every pending migration. It is safe to call on every start, from any
// number of processes at once. On PostgreSQL the processes take turns under a session
// advisory lock, which the server releases when the process holding it dies: one killed while
// migrating leaves nothing behind that would stop the next start. On SQLite a lock row
// serialises them while a migration is pending (a process that finds it taken returns an
// error and should retry); when every migration is applied (every start but an upgrade's)
// none is taken, so a row left by a killed process stops the next upgrade only. The lock is
// released even when ctx is cancelled midway.
func (s *Store) MigrateUp(ctx context.Context) error {
	applied := func(m *migrate.Migrator) (bool, error) {
		ms, err := m.MigrationsWithStatus(ctx)
		if err != nil {
			return false, fmt.Errorf("bunstore: read migrations: %w", err)
		}
		return len(ms.Unapplied()) == 0, nil
	}
	return s.withMigrator(ctx, applied, func(m *migrate.Migrator) error {
		_, err := m.Migrate(ctx)
		return err
	})
}

// MigrateDown rolls back every applied migration, dropping all helpdesk tables and their data.
func (s *Store) MigrateDown(ctx context.Context) error {
	return s.withMigrator(ctx, nil, func(m *migrate.Migrator) error {
		for {
			group, err := m.Rollback(ctx)
			if err != nil {
				return err
			}
			if group.IsZero() {
				return nil
			}
		}
	})
}

// withMigrator runs fn under the migrations' lock, unless done reports that there is nothing
// to do. On PostgreSQL the advisory lock covers creating the migrations' own tables too, which
// processes starting together on an empty database would otherwise race for.
func (s *Store) withMigrator(ctx context.Context, done func(*migrate.Migrator) (bool, error), fn func(*migrate.Migrator) error) error {
	m, err := s.migrator()
	if err != nil {
		return err
	}
	if s.pg {
		unlock, err := s.advisoryLock(ctx, migrationTable)
		if err != nil {
			return fmt.Errorf("bunstore: lock migrations: %w", err)
		}
		defer unlock()
	}
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("bunstore: init migrations: %w", err)
	}
	if done != nil {
		if ok, err := done(m); err != nil || ok {
			return err
		}
	}
	if !s.pg {
		if err := m.Lock(ctx); err != nil {
			return fmt.Errorf("bunstore: lock migrations: %w", err)
		}
		defer func() { _ = m.Unlock(context.WithoutCancel(ctx)) }()
	}
	if err := fn(m); err != nil {
		return fmt.Errorf("bunstore: migrate: %w", err)
	}
	return nil
}

// advisoryLock waits for PostgreSQL's session advisory lock of name in the current schema, on
// a connection of its own, and returns its release. The server releases it also when the
// connection ends, so a killed process holds it no longer. It asks without blocking, again
// every advisoryPoll until ctx ends: a blocking wait would end at the DSN's lock_timeout or
// the driver's read timeout while another process migrates a slow database.
func (s *Store) advisoryLock(ctx context.Context, name string) (func(), error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	const key = "hashtextextended(current_schema() || '.' || ?, 0)"
	for {
		var got bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock("+key+")", name).Scan(&got); err != nil {
			_ = conn.Close()
			return nil, err
		}
		if got {
			break
		}
		select {
		case <-ctx.Done():
			_ = conn.Close()
			return nil, ctx.Err()
		case <-time.After(advisoryPoll):
		}
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock("+key+")", name)
		_ = conn.Close()
	}, nil
}

// advisoryPoll is how often advisoryLock asks again for a lock another process holds.
const advisoryPoll = 100 * time.Millisecond

// mapErr turns driver errors into the storage sentinels, keeping the driver's text.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrConflict), errors.Is(err, storage.ErrUnavailable):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return storage.ErrNotFound
	case storage.Unreachable(err):
		// Both wrapped: the driver's error stays reachable with errors.As.
		return fmt.Errorf("%w: %w", storage.ErrUnavailable, err)
	}
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		switch pgErr.Field('C') {
		case "23503": // foreign_key_violation: the record referred to does not exist
			return fmt.Errorf("%w: %v", storage.ErrNotFound, err)
		case "23505", // unique_violation
			"40001", // serialization_failure
			"40P01", // deadlock_detected
			"55P03": // lock_not_available (lock_timeout)
			return fmt.Errorf("%w: %v", storage.ErrConflict, err)
		}
		return err
	}
	var sqliteErr interface{ Code() int }
	if errors.As(err, &sqliteErr) {
		switch sqliteErr.Code() {
		case 1555, 2067: // SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE
			return fmt.Errorf("%w: %v", storage.ErrConflict, err)
		case 787: // SQLITE_CONSTRAINT_FOREIGNKEY, as foreign_key_violation on PostgreSQL
			return fmt.Errorf("%w: %v", storage.ErrNotFound, err)
		}
		if sqliteErr.Code()&0xff == 5 { // SQLITE_BUSY: still locked after busy_timeout
			return fmt.Errorf("%w: %w", storage.ErrUnavailable, err)
		}
	}
	return err
}
