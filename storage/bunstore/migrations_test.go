package bunstore

import (
	"context"
	"io/fs"
	"net/url"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/deskkit/helpdesk/internal/pgtest"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLinksMigration checks the migration that moves link secrets out of the database: tenants
// created before it lose their stored secret, tickets get link version 1, and its down
// migration gives the tenants a random secret each again.
func TestLinksMigration(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *Store) {
		ctx := context.Background()

		// The schema as it was before: every migration before the links one.
		before := migrationsWhere(t, func(name string) bool { return name < "20261204000006_links" })
		m, err := s.migratorOf(before)
		require.NoError(t, err)
		require.NoError(t, m.Init(ctx))
		_, err = m.Migrate(ctx)
		require.NoError(t, err)
		at := time.Now().UTC()
		ids := []uuid.UUID{uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())}
		for _, id := range ids {
			_, err := s.db.ExecContext(ctx, "INSERT INTO tenants (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)", id, "Old", at, at)
			require.NoError(t, err)
		}

		require.NoError(t, s.MigrateUp(ctx))
		var secrets []string
		// Unquoted: SQLite reads an unknown quoted name as a string.
		_, err = s.db.ExecContext(ctx, "SELECT link_secret FROM tenants")
		assert.Error(t, err, "the stored secret is gone")
		_, err = s.GetTenant(ctx, ids[0])
		require.NoError(t, err)

		// And back down: the migration's down gives every tenant a secret of its own again.
		all, err := s.migrator()
		require.NoError(t, err)
		_, err = all.Rollback(ctx)
		require.NoError(t, err)
		require.NoError(t, s.db.NewSelect().Table("tenants").Column("link_secret").Scan(ctx, &secrets))
		require.Len(t, secrets, 2)
		for _, sec := range secrets {
			assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{64}$`), sec, "64 lower-case hex digits")
		}
		assert.NotEqual(t, secrets[0], secrets[1], "two tenants got the same secret")
		require.NoError(t, s.MigrateUp(ctx))
	})
}

// migrationsWhere returns the embedded migration files whose names keep accepts.
func migrationsWhere(t *testing.T, keep func(name string) bool) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(migrationFiles, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !keep(filepath.Base(path)) {
			return err
		}
		data, err := fs.ReadFile(migrationFiles, path)
		out[path] = &fstest.MapFile{Data: data}
		return err
	}))
	return out
}

// TestMigrateUpAfterAKill: a process killed while migrating leaves bun's lock row behind;
// the next start must not need anyone to delete it. With every migration applied no lock is
// taken; with one pending, PostgreSQL's advisory lock (gone with the dead process's
// connection) ignores the row, while SQLite still refuses until the row is gone. Several
// processes starting at once all succeed on PostgreSQL.
func TestMigrateUpAfterAKill(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		staleLock := func(t *testing.T) {
			t.Helper()
			_, err := s.db.ExecContext(ctx, "INSERT INTO "+migrationLockTable+" (table_name) VALUES (?)", migrationTable)
			require.NoError(t, err)
		}

		// All but the last migration applied, and a lock row left by a killed process.
		var last string
		migrationsWhere(t, func(name string) bool { last = max(last, name[:14]); return false })
		m, err := s.migratorOf(migrationsWhere(t, func(name string) bool { return name[:14] != last }))
		require.NoError(t, err)
		require.NoError(t, m.Init(ctx))
		_, err = m.Migrate(ctx)
		require.NoError(t, err)
		staleLock(t)

		if s.pg {
			require.NoError(t, s.MigrateUp(ctx), "a pending migration runs under the advisory lock")
		} else {
			require.Error(t, s.MigrateUp(ctx), "SQLite's lock row still stops a pending migration")
			_, err := s.db.ExecContext(ctx, "DELETE FROM "+migrationLockTable)
			require.NoError(t, err)
			require.NoError(t, s.MigrateUp(ctx))
			staleLock(t)
		}
		all, err := s.migrator()
		require.NoError(t, err)
		status, err := all.MigrationsWithStatus(ctx)
		require.NoError(t, err)
		assert.Empty(t, status.Unapplied())

		require.NoError(t, s.MigrateUp(ctx), "nothing to apply: the stale lock row does not matter")

	})
}

// TestMigrateUpAtOnce: processes starting together on an empty PostgreSQL database all
// succeed, one after the other, none refused.
func TestMigrateUpAtOnce(t *testing.T) {
	dsn := pgtest.Schema(t)
	ctx := context.Background()
	stores := make([]*Store, 4)
	for i := range stores {
		s, err := Open(ctx, dsn)
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		stores[i] = s
	}
	var wg sync.WaitGroup
	errs := make([]error, len(stores))
	for i, s := range stores {
		wg.Go(func() { errs[i] = s.MigrateUp(ctx) })
	}
	wg.Wait()
	for i, err := range errs {
		assert.NoError(t, err, "process %d", i)
	}
}

// TestMigrateUpWaitsLong: a start waits for another process's migrations however long they
// take, past the DSN's lock_timeout (the lock is asked for without blocking).
func TestMigrateUpWaitsLong(t *testing.T) {
	u, err := url.Parse(pgtest.Schema(t))
	require.NoError(t, err)
	q := u.Query()
	q.Set("lock_timeout", "300ms")
	u.RawQuery = q.Encode()
	ctx := context.Background()
	holder, err := Open(ctx, u.String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = holder.Close() })
	unlock, err := holder.advisoryLock(ctx, migrationTable)
	require.NoError(t, err, "another process migrates")
	released := make(chan struct{})
	go func() {
		defer close(released)
		time.Sleep(time.Second) // longer than lock_timeout: the other process is slow
		unlock()
	}()
	s, err := Open(ctx, u.String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.MigrateUp(ctx))
	select {
	case <-released:
	default:
		t.Fatal("MigrateUp ran while another process held the lock")
	}
}
