package bunstore

import (
	"context"
	"io/fs"
	"path/filepath"
	"regexp"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLinkSecretBackfill checks that the notifications migration gives tenants created before it
// a random link secret each.
func TestLinkSecretBackfill(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *Store) {
		ctx := context.Background()

		// The schema as it was before: every migration before the notifications one.
		before := fstest.MapFS{}
		require.NoError(t, fs.WalkDir(migrationFiles, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || filepath.Base(path) >= "20261123000004_notifications" {
				return err
			}
			data, err := fs.ReadFile(migrationFiles, path)
			before[path] = &fstest.MapFile{Data: data}
			return err
		}))
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
		require.NoError(t, s.db.NewSelect().Table("tenants").Column("link_secret").Scan(ctx, &secrets))
		require.Len(t, secrets, 2)
		for _, sec := range secrets {
			assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{64}$`), sec, "64 lower-case hex digits")
		}
		assert.NotEqual(t, secrets[0], secrets[1], "two tenants got the same secret")
		tn, err := s.GetTenant(ctx, ids[0])
		require.NoError(t, err)
		assert.Len(t, tn.LinkSecret, 32)

		// And back down: the migration's down drops what its up added.
		require.NoError(t, s.MigrateDown(ctx))
		require.NoError(t, s.MigrateUp(ctx))
	})
}
