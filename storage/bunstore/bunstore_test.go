package bunstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk/internal/pgtest"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/storage/storagetest"
	"github.com/stretchr/testify/require"
)

func TestConformance(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		storagetest.Run(t, storagetest.HarnessFunc(newSQLite))
	})
	t.Run("postgres", func(t *testing.T) {
		storagetest.Run(t, storagetest.HarnessFunc(newPostgres))
	})
}

// newSQLite opens a fresh SQLite file in the test's temporary directory (a file, not :memory:,
// so concurrent transactions really contend).
func newSQLite(t *testing.T) storage.Store {
	t.Helper()
	return openMigrated(t, "sqlite:"+filepath.Join(t.TempDir(), "helpdesk.db"))
}

// newPostgres opens a store on a schema of its own, dropped after the test.
func newPostgres(t *testing.T) storage.Store {
	t.Helper()
	return openMigrated(t, pgtest.Schema(t))
}

// openMigrated opens the store at dsn, migrated, and closes it after the test.
func openMigrated(t *testing.T, dsn string) *bunstore.Store {
	t.Helper()
	ctx := context.Background()
	s, err := bunstore.Open(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.MigrateUp(ctx))
	return s
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	_, err := bunstore.Open(context.Background(), "mysql://root:secret@localhost/db")
	require.Error(t, err)
	require.Contains(t, err.Error(), "unsupported dsn")
	require.NotContains(t, err.Error(), "secret", "the password must not leak into errors")
}

func TestOpenMemory(t *testing.T) {
	ctx := context.Background()
	s, err := bunstore.Open(ctx, "sqlite::memory:")
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.MigrateUp(ctx))
	require.NoError(t, s.MigrateUp(ctx), "a second MigrateUp is a no-op")
	_, err = s.GetTenant(ctx, [16]byte{1})
	require.ErrorIs(t, err, storage.ErrNotFound)
}

func ExampleOpen() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "helpdesk")
	defer os.RemoveAll(dir)
	store, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(dir, "helpdesk.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	if err := store.MigrateUp(ctx); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.ToUpper(store.DB().Dialect().Name().String()))
	// Output: SQLITE
}
