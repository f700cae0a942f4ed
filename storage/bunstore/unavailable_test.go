package bunstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/internal/pgtest"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
)

// TestUnavailablePostgres takes PostgreSQL away from a store (a proxy between them refuses and
// drops connections, as a restart does) and gives it back: while it is away, reads, listings
// and transactions fail with errors that say so (storage.ErrUnavailable around the driver's
// error, or one storage.Unreachable recognises), never as not found or conflict; once it is
// back the same store serves again, with nobody's help. A connection the server ends itself
// (57P01, as at a fast shutdown) is ErrUnavailable too.
func TestUnavailablePostgres(t *testing.T) {
	proxy, dsn := pgtest.NewProxy(t, pgtest.Schema(t))
	ctx := t.Context()
	s := openMigrated(t, dsn)
	ten := newTenantIn(t, s)

	write := func() error {
		return s.InTx(ctx, func(q storage.Queries) error {
			got, err := q.GetTenant(ctx, ten.ID)
			if err != nil {
				return err
			}
			got.Name += "!"
			return q.UpdateTenant(ctx, got)
		})
	}
	calls := map[string]func() error{
		"read": func() error { _, err := s.GetTenant(ctx, ten.ID); return err },
		"list": func() error { _, err := s.ListCustomers(ctx, ten.ID); return err },
		"page": func() error {
			_, err := s.ListTickets(ctx, ten.ID, storage.TicketFilter{}, storage.PageRequest{})
			return err
		},
		"transaction": write,
	}
	proxy.Cut()
	// Each pooled connection fails once as it is found dead (io.EOF), then dials are refused:
	// several rounds see both.
	for round := range 4 {
		for name, call := range calls {
			err := call()
			require.Error(t, err, "%s in round %d", name, round)
			assert.True(t, storage.Unreachable(err), "%s in round %d: %v", name, round, err)
			assert.NotErrorIs(t, err, storage.ErrNotFound, name)
			assert.NotErrorIs(t, err, storage.ErrConflict, name)
		}
		assert.ErrorIs(t, write(), storage.ErrUnavailable, "round %d", round)
	}
	require.Error(t, s.Ping(ctx))

	proxy.Restore()
	for name, call := range calls {
		var err error
		for range 5 { // connections that died with the proxy may still be in the pool
			if err = call(); err == nil {
				break
			}
		}
		assert.NoError(t, err, "%s after the database came back", name)
	}

	err := s.InTx(ctx, func(q storage.Queries) error {
		_, err := s.DB().NewRaw("SELECT pg_terminate_backend(pg_backend_pid())").Exec(ctx)
		return err
	})
	assert.ErrorIs(t, err, storage.ErrUnavailable, "a connection the server ended")
}

// TestUnavailableSQLiteBusy: a SQLite file still locked by another writer when the busy timeout
// ends is ErrUnavailable (retry later), not an internal error.
func TestUnavailableSQLiteBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	ctx := t.Context()
	openMigrated(t, "sqlite:"+path)

	holder, err := sql.Open(sqliteshim.ShimName, "file:"+path+"?_pragma=busy_timeout(50)&_txlock=immediate")
	require.NoError(t, err)
	t.Cleanup(func() { _ = holder.Close() })
	tx, err := holder.BeginTx(ctx, nil) // BEGIN IMMEDIATE: holds the write lock
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx.Rollback() })

	impatient, err := sql.Open(sqliteshim.ShimName, "file:"+path+"?_pragma=busy_timeout(50)&_txlock=immediate&_pragma=foreign_keys(1)")
	require.NoError(t, err)
	other := bunstore.New(bun.NewDB(impatient, sqlitedialect.New()))
	t.Cleanup(func() { _ = other.Close() })
	ten := &tenant.Tenant{ID: uuid.Must(uuid.NewV7()), Name: "Acme", Language: "en", CreatedAt: time.Now()}
	err = other.InTx(ctx, func(q storage.Queries) error { return q.CreateTenant(ctx, ten) })
	assert.ErrorIs(t, err, storage.ErrUnavailable)

	require.NoError(t, tx.Rollback())
	assert.NoError(t, other.InTx(context.Background(), func(q storage.Queries) error { return q.CreateTenant(ctx, ten) }),
		"the lock is free again")
}

// TestGetTicketForUpdateLocks: on PostgreSQL a ticket read for update stays locked until its
// transaction ends: another transaction's read for update waits (here until its deadline), a
// plain read does not.
func TestGetTicketForUpdateLocks(t *testing.T) {
	s := newPostgres(t)
	ctx := t.Context()
	ten := newTenantIn(t, s)
	tk := &ticket.Ticket{ID: uuid.Must(uuid.NewV7()), TenantID: ten.ID, Number: 1, Prefix: "T", Title: "Locked",
		State: ticket.StateOpen, Source: ticket.SourceEmployee, CreatedBy: tenant.SystemFor(ten.ID).Ref(),
		CreatedAt: time.Now(), UpdatedAt: time.Now()}
	require.NoError(t, s.CreateTicket(ctx, tk))

	held := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.InTx(ctx, func(q storage.Queries) error {
			if _, err := q.GetTicketForUpdate(ctx, ten.ID, tk.ID); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	_, err := s.GetTicket(ctx, ten.ID, tk.ID)
	assert.NoError(t, err, "a plain read does not wait")
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	err = s.InTx(short, func(q storage.Queries) error {
		_, err := q.GetTicketForUpdate(short, ten.ID, tk.ID)
		return err
	})
	assert.Error(t, err, "a second read for update waits for the first transaction")
	close(release)
	require.NoError(t, <-done)
	assert.NoError(t, s.InTx(ctx, func(q storage.Queries) error {
		_, err := q.GetTicketForUpdate(ctx, ten.ID, tk.ID)
		return err
	}), "free once the first transaction ended")
}

// newTenantIn stores a tenant of its own in s.
func newTenantIn(t *testing.T, s storage.Store) *tenant.Tenant {
	t.Helper()
	ten := &tenant.Tenant{ID: uuid.Must(uuid.NewV7()), Name: "Acme", Language: "en", CreatedAt: time.Now()}
	require.NoError(t, s.CreateTenant(t.Context(), ten))
	return ten
}
