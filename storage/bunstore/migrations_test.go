package bunstore

import (
	"context"
	"regexp"
	"testing"
	"time"

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
		before := migrationsBefore(t, "20261204000006_links")
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
