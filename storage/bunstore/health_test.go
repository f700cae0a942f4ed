package bunstore

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPendingMigrations checks what a readiness check reads: before any migration the
// bookkeeping is missing (an error), after some the rest are pending, after all none; a
// database migrated by a newer release (a migration this code lacks) is current.
func TestPendingMigrations(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		require.NoError(t, s.Ping(ctx))
		_, err := s.PendingMigrations(ctx)
		assert.Error(t, err, "no bookkeeping table yet")

		older := migrationsBefore(t, "20261211000017_webhooks")
		m, err := s.migratorOf(older)
		require.NoError(t, err)
		require.NoError(t, m.Init(ctx))
		_, err = m.Migrate(ctx)
		require.NoError(t, err)
		pending, err := s.PendingMigrations(ctx)
		require.NoError(t, err)
		require.NotEmpty(t, pending)
		assert.Equal(t, "20261211000017", pending[0], "the migrations not applied yet, oldest first")

		// On SQLite a lock row left behind (a process killed mid-migration) stops a migration,
		// not a start with nothing to migrate. PostgreSQL serialises migrations under an
		// advisory lock instead, which dies with its process: the row stops nothing there.
		require.NoError(t, m.Lock(ctx))
		if !s.pg {
			assert.ErrorContains(t, s.MigrateUp(ctx), "locked", "a migration waits for the lock")
		}
		require.NoError(t, m.Unlock(ctx))
		require.NoError(t, s.MigrateUp(ctx))
		pending, err = s.PendingMigrations(ctx)
		require.NoError(t, err)
		assert.Empty(t, pending, "all applied")
		require.NoError(t, m.Lock(ctx))
		assert.NoError(t, s.MigrateUp(ctx), "nothing to migrate: no lock needed")
		require.NoError(t, m.Unlock(ctx))

		_, err = s.db.ExecContext(ctx, "INSERT INTO "+migrationTable+" (name, group_id, migrated_at) VALUES (?, ?, ?)",
			"20991231000099", 99, time.Now().UTC())
		require.NoError(t, err)
		pending, err = s.PendingMigrations(ctx)
		require.NoError(t, err)
		assert.Empty(t, pending, "a newer release's migration is not pending for this one")

		require.NoError(t, s.Close())
		assert.Error(t, s.Ping(ctx), "a closed store does not answer")
		_, err = s.PendingMigrations(ctx)
		assert.Error(t, err)
	})
}

// migrationsBefore returns the embedded migration files whose names sort before name: the
// schema as it was before that migration.
func migrationsBefore(t *testing.T, name string) fstest.MapFS {
	t.Helper()
	before := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(migrationFiles, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(path) >= name {
			return err
		}
		data, err := fs.ReadFile(migrationFiles, path)
		before[path] = &fstest.MapFile{Data: data}
		return err
	}))
	return before
}
