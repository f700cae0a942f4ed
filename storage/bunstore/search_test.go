package bunstore

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSearchBackfill checks that the search migrations index the tickets and messages written
// before them (more than one batch of them), and that their down migrations undo them.
func TestSearchBackfill(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		before := fstest.MapFS{}
		require.NoError(t, fs.WalkDir(migrationFiles, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || filepath.Base(path) >= "20261211000018_search" {
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
		tenants := []uuid.UUID{uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())}
		for _, id := range tenants {
			_, err := s.db.ExecContext(ctx, "INSERT INTO tenants (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)", id, "Old", at, at)
			require.NoError(t, err)
		}
		const n = backfillBatch + 3
		var first, last uuid.UUID
		for i := range n {
			id := uuid.Must(uuid.NewV7())
			title, desc := "Routine check", "All fine."
			if i == 0 || i == n-1 {
				title, desc = "Ventilator Überdruck", "Alarm bei Nacht"
			}
			_, err := s.db.ExecContext(ctx, `INSERT INTO tickets (id, tenant_id, number, prefix, title, description, requester_name,
				requester_email, state, source, created_by_kind, created_at, updated_at) VALUES (?, ?, ?, 'T', ?, ?, 'Zoë Nowak', 'zoe@example.com',
				'open', 'customer', 'customer_user', ?, ?)`, id, tenants[i%2], i+1, title, desc, at, at)
			require.NoError(t, err)
			if i == 0 {
				first = id
			}
			last = id
		}
		for _, msg := range []struct{ body, vis string }{{"Ersatzteil bestellt", "public"}, {"Garantiefall prüfen", "internal"}} {
			_, err := s.db.ExecContext(ctx, `INSERT INTO messages (id, tenant_id, ticket_id, author_kind, body, visibility, created_at)
				VALUES (?, ?, ?, 'employee', ?, ?, ?)`, uuid.Must(uuid.NewV7()), tenants[0], first, msg.body, msg.vis, at)
			require.NoError(t, err)
		}

		require.NoError(t, s.MigrateUp(ctx))
		find := func(tid uuid.UUID, text string, internal bool) []uuid.UUID {
			t.Helper()
			page, err := s.ListTickets(ctx, tid, storage.TicketFilter{Text: text, TextInternal: internal}, storage.PageRequest{})
			require.NoError(t, err)
			var ids []uuid.UUID
			for _, tk := range page.Items {
				ids = append(ids, tk.ID)
			}
			return ids
		}
		assert.ElementsMatch(t, []uuid.UUID{first, last}, find(tenants[0], "uberdruck", false), "the first batch and the last")
		assert.Equal(t, []uuid.UUID{first}, find(tenants[0], "ersatzteil", false))
		assert.Equal(t, []uuid.UUID{first}, find(tenants[0], "garantiefall zoe", true))
		assert.Empty(t, find(tenants[0], "garantiefall", false), "internal words for staff only")
		assert.Empty(t, find(tenants[1], "ventilator", true), "another tenant's")
		assert.Len(t, find(tenants[1], "routine", false), storage.DefaultPageSize)

		// Down and up again.
		all, err := s.migrator()
		require.NoError(t, err)
		_, err = all.Rollback(ctx)
		require.NoError(t, err)
		require.NoError(t, s.MigrateUp(ctx))
		assert.Equal(t, []uuid.UUID{first}, find(tenants[0], "ersatzteil", false))
	})
}
