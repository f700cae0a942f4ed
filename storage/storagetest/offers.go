package storagetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newOffer returns an open offer of ticketID to userID.
func (w *world) newOffer(ticketID, userID uuid.UUID) *ticket.Offer {
	return &ticket.Offer{ID: newID(), TenantID: w.Tenant.ID, TicketID: ticketID, UserID: userID,
		State: ticket.OfferOpen, CreatedAt: w.tick()}
}

// offersOf lists every offer of the tenant matching f, two a page.
func offersOf(t *testing.T, q storage.Queries, tenantID uuid.UUID, f storage.OfferFilter) []*ticket.Offer {
	t.Helper()
	var out []*ticket.Offer
	p := storage.PageRequest{Limit: 2}
	for {
		page, err := q.ListOffers(context.Background(), tenantID, f, p)
		require.NoError(t, err)
		out = append(out, page.Items...)
		if page.Next == "" {
			return out
		}
		p.After = page.Next
	}
}

func offerIDs(os []*ticket.Offer) []uuid.UUID {
	var ids []uuid.UUID
	for _, o := range os {
		ids = append(ids, o.ID)
	}
	return ids
}

// testOffers checks the offers of open tickets: stored as given in one batch, listed newest
// first by ticket, employee and state within their tenant, accepted once, closed together.
func testOffers(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	a := newWorld(t, s, "Tenant A")
	b := newWorld(t, s, "Tenant B")
	agent := a.addUser("Otto Agent", uuid.Nil, tenant.RoleAgent)
	other := a.addTicket(a.newTicket("Another case"))

	o1, o2, o3 := a.newOffer(a.Ticket.ID, a.User.ID), a.newOffer(a.Ticket.ID, agent.ID), a.newOffer(other.ID, agent.ID)
	require.NoError(t, s.CreateOffers(ctx, []*ticket.Offer{clone(o1), clone(o2), clone(o3)}))
	require.NoError(t, s.CreateOffers(ctx, nil), "no offers is no statement")

	t.Run("ListedAsGiven", func(t *testing.T) {
		got := offersOf(t, s, a.Tenant.ID, storage.OfferFilter{})
		require.Len(t, got, 3)
		assertSame(t, []*ticket.Offer{clone(o3), clone(o2), clone(o1)}, got, "newest first, as stored")
		assert.Equal(t, []uuid.UUID{o2.ID, o1.ID}, offerIDs(offersOf(t, s, a.Tenant.ID, storage.OfferFilter{TicketID: a.Ticket.ID})))
		assert.Equal(t, []uuid.UUID{o3.ID, o2.ID}, offerIDs(offersOf(t, s, a.Tenant.ID, storage.OfferFilter{UserID: agent.ID,
			States: []ticket.OfferState{ticket.OfferOpen}})))
		assert.Empty(t, offersOf(t, s, b.Tenant.ID, storage.OfferFilter{}), "another tenant's offers")
		assert.Empty(t, offersOf(t, s, b.Tenant.ID, storage.OfferFilter{UserID: agent.ID}))
		_, err := s.ListOffers(ctx, a.Tenant.ID, storage.OfferFilter{}, storage.PageRequest{After: "not a cursor"})
		assert.ErrorIs(t, err, storage.ErrInvalidCursor)
	})

	t.Run("DuplicateID", func(t *testing.T) {
		dup := a.newOffer(other.ID, a.User.ID)
		dup.ID = o1.ID
		assert.ErrorIs(t, s.CreateOffers(ctx, []*ticket.Offer{dup}), storage.ErrConflict)
		assert.Empty(t, offersOf(t, s, a.Tenant.ID, storage.OfferFilter{TicketID: other.ID, UserID: a.User.ID}), "nothing stored")
	})

	t.Run("OneOpenOfferPerTicketAndEmployee", func(t *testing.T) {
		assert.ErrorIs(t, s.CreateOffers(ctx, []*ticket.Offer{a.newOffer(a.Ticket.ID, agent.ID)}), storage.ErrConflict)
	})

	t.Run("AcceptThenCloseTheRest", func(t *testing.T) {
		assert.ErrorIs(t, s.AcceptOffer(ctx, b.Tenant.ID, a.Ticket.ID, agent.ID, b.tick()), storage.ErrNotFound,
			"another tenant cannot accept it")
		assert.ErrorIs(t, s.AcceptOffer(ctx, a.Tenant.ID, a.Ticket.ID, newID(), a.tick()), storage.ErrNotFound, "nobody's offer")
		n, err := s.CloseOffers(ctx, b.Tenant.ID, a.Ticket.ID, ticket.OfferWithdrawn, b.tick())
		require.NoError(t, err)
		assert.Zero(t, n, "another tenant cannot close them")

		at := a.tick()
		require.NoError(t, s.AcceptOffer(ctx, a.Tenant.ID, a.Ticket.ID, agent.ID, at))
		assert.ErrorIs(t, s.AcceptOffer(ctx, a.Tenant.ID, a.Ticket.ID, agent.ID, a.tick()), storage.ErrNotFound, "accepted once")
		closedAt := a.tick()
		n, err = s.CloseOffers(ctx, a.Tenant.ID, a.Ticket.ID, ticket.OfferWithdrawn, closedAt)
		require.NoError(t, err)
		assert.Equal(t, 1, n, "the other open offer, not the accepted one")
		n, err = s.CloseOffers(ctx, a.Tenant.ID, a.Ticket.ID, ticket.OfferExpired, a.tick())
		require.NoError(t, err)
		assert.Zero(t, n, "closed offers stay as they are")

		got := offersOf(t, s, a.Tenant.ID, storage.OfferFilter{TicketID: a.Ticket.ID})
		require.Len(t, got, 2)
		assert.Equal(t, ticket.OfferAccepted, got[0].State)
		assert.Equal(t, &at, got[0].ClosedAt)
		assert.Equal(t, ticket.OfferWithdrawn, got[1].State)
		assert.Equal(t, &closedAt, got[1].ClosedAt)
		assert.Equal(t, []uuid.UUID{o3.ID}, offerIDs(offersOf(t, s, a.Tenant.ID, storage.OfferFilter{UserID: agent.ID,
			States: []ticket.OfferState{ticket.OfferOpen}})), "the other ticket's offer stays open")
		assert.Equal(t, []uuid.UUID{o2.ID, o1.ID}, offerIDs(offersOf(t, s, a.Tenant.ID, storage.OfferFilter{
			States: []ticket.OfferState{ticket.OfferAccepted, ticket.OfferWithdrawn}})))

		// Closed offers do not keep a new offer of the same ticket from opening.
		again := a.newOffer(a.Ticket.ID, agent.ID)
		require.NoError(t, s.CreateOffers(ctx, []*ticket.Offer{again}))
	})

	t.Run("ConcurrentAccepts", func(t *testing.T) {
		tk := a.addTicket(a.newTicket("Race"))
		require.NoError(t, s.CreateOffers(ctx, []*ticket.Offer{a.newOffer(tk.ID, agent.ID)}))
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		at := a.tick()
		for i := range n {
			wg.Go(func() { errs[i] = s.AcceptOffer(ctx, a.Tenant.ID, tk.ID, agent.ID, at) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrConflict):
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		assert.Equal(t, 1, ok, "exactly one accept succeeds")
	})

	t.Run("GoWithTheirTicket", func(t *testing.T) {
		tk := a.addTicket(a.newTicket("Deleted"))
		require.NoError(t, s.CreateOffers(ctx, []*ticket.Offer{a.newOffer(tk.ID, agent.ID)}))
		require.NoError(t, s.DeleteTicket(ctx, a.Tenant.ID, tk.ID))
		assert.Empty(t, offersOf(t, s, a.Tenant.ID, storage.OfferFilter{TicketID: tk.ID}))
	})
}

// testDeleteTeam checks that a team goes with its members, within its tenant only.
func testDeleteTeam(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	a := newWorld(t, s, "Tenant A")
	b := newWorld(t, s, "Tenant B")
	agent := a.addUser("Otto Agent", uuid.Nil, tenant.RoleAgent)
	tm := a.addTeam("Night shift", a.User.ID, agent.ID, a.User.ID)

	assert.ErrorIs(t, s.DeleteTeam(ctx, b.Tenant.ID, tm.ID), storage.ErrNotFound, "another tenant's team")
	assert.ErrorIs(t, s.DeleteTeam(ctx, a.Tenant.ID, newID()), storage.ErrNotFound)
	require.NoError(t, s.DeleteTeam(ctx, a.Tenant.ID, tm.ID))
	_, err := s.GetTeam(ctx, a.Tenant.ID, tm.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	assert.ErrorIs(t, s.DeleteTeam(ctx, a.Tenant.ID, tm.ID), storage.ErrNotFound, "gone")
	teams, err := s.ListTeams(ctx, a.Tenant.ID)
	require.NoError(t, err)
	require.Len(t, teams, 1)
	assertSame(t, clone(a.Team), teams[0], "the other team keeps its members")
	_, err = s.GetUser(ctx, a.Tenant.ID, agent.ID)
	assert.NoError(t, err, "the members stay users")

	t.Run("InTx", func(t *testing.T) {
		tm := a.addTeam("Rolled back", a.User.ID, agent.ID)
		boom := errors.New("boom")
		err := s.InTx(ctx, func(q storage.Queries) error {
			require.NoError(t, q.DeleteTeam(ctx, a.Tenant.ID, tm.ID))
			return boom
		})
		require.ErrorIs(t, err, boom)
		got, err := s.GetTeam(ctx, a.Tenant.ID, tm.ID)
		require.NoError(t, err)
		assertSame(t, clone(tm), got, "a rolled back delete keeps the team and its members")
	})
}
