package storagetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testInTx checks that a transaction commits all of fn's writes or none of them.
func testInTx(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()

	t.Run("Commit", func(t *testing.T) {
		tn := newTenant("Committed", now())
		var c *tenant.Customer
		err := s.InTx(ctx, func(q storage.Queries) error {
			if err := q.CreateTenant(ctx, tn); err != nil {
				return err
			}
			w := &world{t: t, ctx: ctx, q: q, Tenant: tn, base: now()}
			c = w.newCustomer("Acme Water")
			return q.CreateCustomer(ctx, c)
		})
		require.NoError(t, err)
		got, err := s.GetTenant(ctx, tn.ID)
		require.NoError(t, err, "the committed tenant")
		assertSame(t, clone(tn), got)
		gotC, err := s.GetCustomer(ctx, tn.ID, c.ID)
		require.NoError(t, err, "the committed customer")
		assertSame(t, clone(c), gotC)
	})

	t.Run("ReadsOwnWrites", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		err := s.InTx(ctx, func(q storage.Queries) error {
			m := w.newMessage(w.Ticket.ID, ticket.Public, "inside")
			if err := q.CreateMessage(ctx, m); err != nil {
				return err
			}
			msgs, err := listMessages(ctx, q, w.Tenant.ID, w.Ticket.ID, true)
			if err != nil {
				return err
			}
			assert.Len(t, msgs, 1, "a transaction reads its own writes")
			tk := clone(w.Ticket)
			tk.Title = "Changed inside"
			if err := q.UpdateTicket(ctx, tk); err != nil {
				return err
			}
			got, err := q.GetTicket(ctx, w.Tenant.ID, tk.ID)
			if err != nil {
				return err
			}
			assert.Equal(t, "Changed inside", got.Title, "a transaction reads its own updates")
			assert.Equal(t, tk.Version, got.Version)
			return nil
		})
		require.NoError(t, err)
	})

	t.Run("Rollback", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		tn := newTenant("Rolled back", now())
		var c *tenant.Customer
		var m *ticket.Message
		err := s.InTx(ctx, func(q storage.Queries) error {
			if err := q.CreateTenant(ctx, tn); err != nil {
				return err
			}
			c = w.newCustomer("Bravo Bakery")
			if err := q.CreateCustomer(ctx, c); err != nil {
				return err
			}
			m = w.newMessage(w.Ticket.ID, ticket.Public, "never")
			if err := q.CreateMessage(ctx, m); err != nil {
				return err
			}
			tk := clone(w.Ticket)
			tk.Title = "Never"
			if err := q.UpdateTicket(ctx, tk); err != nil {
				return err
			}
			return fmt.Errorf("after four writes: %w", errRollback)
		})
		assert.ErrorIs(t, err, errRollback, "InTx returns fn's error")

		_, err = s.GetTenant(ctx, tn.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "the tenant was created anyway")
		_, err = s.GetCustomer(ctx, w.Tenant.ID, c.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "the customer was created anyway")
		msgs, err := listMessages(ctx, s, w.Tenant.ID, w.Ticket.ID, true)
		require.NoError(t, err)
		assert.Empty(t, msgs, "the message was created anyway")
		got, err := s.GetTicket(ctx, w.Tenant.ID, w.Ticket.ID)
		require.NoError(t, err)
		assertSame(t, clone(w.Ticket), got, "the ticket was updated anyway")
	})

	t.Run("ErrorIdentity", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		err := s.InTx(ctx, func(q storage.Queries) error {
			_, err := q.GetCustomer(ctx, w.Tenant.ID, newID())
			return fmt.Errorf("look up customer: %w", err)
		})
		assert.ErrorIs(t, err, storage.ErrNotFound, "a store error returned by fn keeps its identity")
	})

	t.Run("ConflictRollsBack", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		c := w.newCustomer("Charlie Chem")
		err := s.InTx(ctx, func(q storage.Queries) error {
			if err := q.CreateCustomer(ctx, c); err != nil {
				return err
			}
			stale := clone(w.Ticket)
			stale.Version--
			return q.UpdateTicket(ctx, stale)
		})
		assert.ErrorIs(t, err, storage.ErrConflict, "a stale update inside a transaction")
		_, err = s.GetCustomer(ctx, w.Tenant.ID, c.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "the customer was created anyway")
	})

	t.Run("DuplicateRollsBack", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		c := w.newCustomer("Delta Docks")
		err := s.InTx(ctx, func(q storage.Queries) error {
			if err := q.CreateCustomer(ctx, c); err != nil {
				return err
			}
			return q.CreateTenant(ctx, clone(w.Tenant))
		})
		assert.ErrorIs(t, err, storage.ErrConflict, "a duplicate ID inside a transaction")
		_, err = s.GetCustomer(ctx, w.Tenant.ID, c.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "the customer was created anyway")

		// The store is usable after the aborted transaction.
		got, err := s.GetTenant(ctx, w.Tenant.ID)
		require.NoError(t, err)
		assertSame(t, clone(w.Tenant), got)
	})
}

// testConcurrentUpdate checks that of two transactions updating the same ticket from the same
// Version exactly one wins, and that the loser's writes are rolled back with it.
func testConcurrentUpdate(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	w := newWorld(t, s, "Tenant A")

	const rounds, writers = 5, 2
	for round := range rounds {
		t.Run(fmt.Sprintf("Round%d", round+1), func(t *testing.T) {
			before, err := s.GetTicket(ctx, w.Tenant.ID, w.Ticket.ID)
			require.NoError(t, err)
			entries := make([]*ticket.HistoryEntry, writers)
			for i := range entries {
				entries[i] = w.newHistory(w.Ticket.ID, uuid.Nil, fmt.Sprintf("round%d.writer%d", round+1, i))
			}
			histBefore, err := listHistory(ctx, s, w.Tenant.ID, w.Ticket.ID)
			require.NoError(t, err)

			var read sync.WaitGroup // everyone has read before anyone writes
			read.Add(writers)
			errs := make([]error, writers)
			titles := make([]string, writers)
			var done sync.WaitGroup
			for i := range writers {
				done.Add(1)
				go func() {
					defer done.Done()
					tk, err := s.GetTicket(ctx, w.Tenant.ID, w.Ticket.ID)
					read.Done()
					if err != nil {
						errs[i] = err
						return
					}
					read.Wait()
					titles[i] = fmt.Sprintf("round %d, writer %d", round+1, i)
					tk.Title = titles[i]
					errs[i] = s.InTx(ctx, func(q storage.Queries) error {
						if err := q.AppendHistory(ctx, entries[i]); err != nil {
							return err
						}
						return q.UpdateTicket(ctx, tk)
					})
				}()
			}
			done.Wait()

			winner := -1
			for i, err := range errs {
				switch {
				case err == nil:
					assert.Equal(t, -1, winner, "more than one writer succeeded")
					winner = i
				default:
					assert.ErrorIs(t, err, storage.ErrConflict, "writer %d", i)
				}
			}
			require.NotEqual(t, -1, winner, "no writer succeeded: %v", errs)

			after, err := s.GetTicket(ctx, w.Tenant.ID, w.Ticket.ID)
			require.NoError(t, err)
			assert.Equal(t, before.Version+1, after.Version)
			assert.Equal(t, titles[winner], after.Title)
			hist, err := listHistory(ctx, s, w.Tenant.ID, w.Ticket.ID)
			require.NoError(t, err)
			if assert.Len(t, hist, len(histBefore)+1, "only the winner's history entry is kept") {
				assert.Equal(t, entries[winner].ID, hist[len(hist)-1].ID)
			}
		})
	}
}

// testTicketNumbers checks NextTicketNumber and the uniqueness of ticket numbers per tenant.
func testTicketNumbers(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	bareTenant := func(t *testing.T, name string) *tenant.Tenant {
		t.Helper()
		tn := newTenant(name, now())
		require.NoError(t, s.CreateTenant(ctx, tn), "setup: create tenant")
		return tn
	}
	next := func(t *testing.T, q storage.Queries, tn *tenant.Tenant) int64 {
		t.Helper()
		n, err := q.NextTicketNumber(ctx, tn.ID)
		require.NoError(t, err, "NextTicketNumber(%s)", tn.Name)
		require.NotNil(t, n.Tenant, "NextTicketNumber(%s) tenant", tn.Name)
		assert.Equal(t, tn.TicketPrefix, n.Tenant.TicketPrefix, "NextTicketNumber(%s) prefix", tn.Name)
		assert.Equal(t, tn.DefaultTeamID, n.Tenant.DefaultTeamID, "NextTicketNumber(%s) default team", tn.Name)
		return n.Number
	}

	t.Run("PerTenant", func(t *testing.T) {
		a, b := bareTenant(t, "Tenant A"), bareTenant(t, "Tenant B")
		got := []int64{next(t, s, a), next(t, s, a), next(t, s, b), next(t, s, a), next(t, s, b)}
		assert.Equal(t, []int64{1, 2, 1, 3, 2}, got, "A, A, B, A, B")
	})

	t.Run("RollbackReleases", func(t *testing.T) {
		tn := bareTenant(t, "Tenant A")
		assert.Equal(t, int64(1), next(t, s, tn))
		var inside int64
		err := s.InTx(ctx, func(q storage.Queries) error {
			inside = next(t, q, tn)
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		assert.Equal(t, int64(2), inside)
		assert.Equal(t, int64(2), next(t, s, tn), "the rolled back number is handed out again")
	})

	t.Run("CommitKeeps", func(t *testing.T) {
		tn := bareTenant(t, "Tenant A")
		var inside []int64
		err := s.InTx(ctx, func(q storage.Queries) error {
			inside = append(inside, next(t, q, tn), next(t, q, tn))
			return nil
		})
		require.NoError(t, err)
		assert.Equal(t, []int64{1, 2}, inside)
		assert.Equal(t, int64(3), next(t, s, tn))
	})

	t.Run("PrefixFollowsTenant", func(t *testing.T) {
		tn := bareTenant(t, "Tenant A")
		tn.TicketPrefix = "SRV"
		require.NoError(t, s.UpdateTenant(ctx, tn))
		assert.Equal(t, int64(1), next(t, s, tn), "next checks the prefix is SRV")
	})

	t.Run("UpdateTenantKeepsSequence", func(t *testing.T) {
		tn := bareTenant(t, "Tenant A")
		assert.Equal(t, int64(1), next(t, s, tn))
		tn.Name = "Tenant A, renamed"
		require.NoError(t, s.UpdateTenant(ctx, tn))
		assert.Equal(t, int64(2), next(t, s, tn), "updating the tenant reset its ticket numbers")
	})

	t.Run("UnknownTenant", func(t *testing.T) {
		_, err := s.NextTicketNumber(ctx, newID())
		assert.ErrorIs(t, err, storage.ErrNotFound)
	})

	t.Run("GetTicketByNumber", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		second := w.addTicket(w.newTicket("Display flickers"))
		for _, want := range []*ticket.Ticket{w.Ticket, second} {
			got, err := s.GetTicketByNumber(ctx, w.Tenant.ID, want.Number)
			require.NoError(t, err)
			assertSame(t, clone(want), got)
		}
		_, err := s.GetTicketByNumber(ctx, w.Tenant.ID, second.Number+1)
		assert.ErrorIs(t, err, storage.ErrNotFound)
	})

	t.Run("DuplicateNumber", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		dup := a.newTicket("Same number")
		dup.Number = a.Ticket.Number
		assert.ErrorIs(t, s.CreateTicket(ctx, dup), storage.ErrConflict, "a number taken in the same tenant")

		// B's world ticket already carries the same Number as A's; another pair is fine too.
		require.Equal(t, a.Ticket.Number, b.Ticket.Number)
		again := b.newTicket("B's second")
		a2 := a.newTicket("A's second")
		a2.Number = again.Number
		assert.NoError(t, s.CreateTicket(ctx, a2))
		assert.NoError(t, s.CreateTicket(ctx, again), "the same number in another tenant")
	})
}

// testMigrations checks a Migrator's down and up migrations, if the store has any.
func testMigrations(t *testing.T, h Harness) {
	s := h.NewStore(t)
	m, ok := s.(storage.Migrator)
	if !ok {
		t.Skipf("%T does not implement storage.Migrator", s)
	}
	ctx := context.Background()
	before := newTenant("Before", now())
	require.NoError(t, s.CreateTenant(ctx, before))

	require.NoError(t, m.MigrateDown(ctx), "MigrateDown")
	// From here on the test leaves the store migrated up whatever happens, for the harness's
	// cleanup.
	t.Cleanup(func() { _ = m.MigrateUp(ctx) })
	_, err := s.GetTenant(ctx, before.ID)
	assert.Error(t, err, "a read after MigrateDown succeeded: the schema is still there")
	require.NoError(t, m.MigrateDown(ctx), "MigrateDown again (idempotent)")

	require.NoError(t, m.MigrateUp(ctx), "MigrateUp")
	require.NoError(t, m.MigrateUp(ctx), "MigrateUp again (idempotent)")

	_, err = s.GetTenant(ctx, before.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "a tenant from before MigrateDown")
	after := newTenant("After", now())
	require.NoError(t, s.CreateTenant(ctx, after), "create a tenant after MigrateUp")
	got, err := s.GetTenant(ctx, after.ID)
	require.NoError(t, err)
	assertSame(t, clone(after), got)
	n, err := s.NextTicketNumber(ctx, after.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n.Number)
	assert.Equal(t, after.DefaultTeamID, n.Tenant.DefaultTeamID, "the default team as updated")
	newWorld(t, s, "World after") // every table is back
}
