package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testSessionLookups checks the lookups of a session whatever its tenant: by the hash of its
// requester link's secret and by its video room.
func testSessionLookups(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	a := newWorld(t, s, "Tenant A")
	b := newWorld(t, s, "Tenant B")
	// Sessions without a room must not be found by an empty one.
	bare := a.newSession(a.Ticket.ID)
	bare.Room = ""
	require.NoError(t, s.CreateSession(ctx, bare), "setup: create session")
	roomed := func(w *world) *ticket.Session {
		t.Helper()
		sn := w.newSession(w.Ticket.ID)
		sn.Room = "helpdesk-" + newHash()[:24]
		require.NoError(t, s.CreateSession(ctx, sn), "setup: create session")
		return sn
	}
	ra, rb := roomed(a), roomed(b)

	t.Run("Room", func(t *testing.T) {
		for _, sn := range []*ticket.Session{ra, rb} {
			got, err := s.GetSessionByRoom(ctx, sn.Room)
			require.NoError(t, err)
			assertSame(t, clone(sn), got)
		}
		_, err := s.GetSessionByRoom(ctx, "helpdesk-"+newHash()[:24])
		assert.ErrorIs(t, err, storage.ErrNotFound, "a room never made")
		for _, room := range unstorable {
			_, err = s.GetSessionByRoom(ctx, room)
			assert.ErrorIs(t, err, storage.ErrNotFound, "%q", room)
		}
		_, err = s.GetSessionByRoom(ctx, "")
		assert.ErrorIs(t, err, storage.ErrNotFound, "an empty room")
	})
}

// testTenantSessions checks the listing of a tenant's sessions across its tickets: each
// filter, their combination, keyset paging newest first, and that another tenant's sessions
// never show.
func testTenantSessions(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	a := newWorld(t, s, "Tenant A")
	b := newWorld(t, s, "Tenant B")
	other := a.addCustomer("Other Water")
	tk2 := a.newTicket("Other's boiler")
	tk2.CustomerID = other.ID
	a.addTicket(tk2)
	agent := newID()
	mk := func(ticketID uuid.UUID, st ticket.SessionState, planned *time.Time, agentID uuid.UUID) *ticket.Session {
		t.Helper()
		sn := a.newSession(ticketID)
		sn.State, sn.PlannedAt, sn.AgentID = st, planned, agentID
		if planned == nil {
			sn.PlannedEnd = nil
		}
		require.NoError(t, s.CreateSession(ctx, sn), "setup: create session")
		return sn
	}
	day := a.base.Truncate(24*time.Hour).AddDate(0, 0, 3)
	at := func(h int) *time.Time { v := day.Add(time.Duration(h) * time.Hour); return &v }
	s1 := mk(a.Ticket.ID, ticket.SessionInvited, nil, agent)
	s2 := mk(a.Ticket.ID, ticket.SessionConfirmed, at(9), agent)
	s3 := mk(tk2.ID, ticket.SessionProposed, at(15), newID())
	s4 := mk(tk2.ID, ticket.SessionConfirmed, at(24+9), agent)
	ids := func(p storage.Page[*ticket.Session]) []uuid.UUID {
		out := make([]uuid.UUID, len(p.Items))
		for i, x := range p.Items {
			out[i] = x.ID
		}
		return out
	}
	for _, c := range []struct {
		name string
		f    storage.SessionFilter
		want []*ticket.Session
	}{
		{"every one, newest first", storage.SessionFilter{}, []*ticket.Session{s4, s3, s2, s1, a.Session}},
		{"a state", storage.SessionFilter{States: []ticket.SessionState{ticket.SessionConfirmed}}, []*ticket.Session{s4, s2}},
		{"two states", storage.SessionFilter{States: []ticket.SessionState{ticket.SessionInvited, ticket.SessionProposed}}, []*ticket.Session{s3, s1, a.Session}},
		{"a day", storage.SessionFilter{PlannedFrom: day, PlannedTo: day.AddDate(0, 0, 1)}, []*ticket.Session{s3, s2}},
		{"from, the end exclusive", storage.SessionFilter{PlannedFrom: *at(15), PlannedTo: *at(24 + 9)}, []*ticket.Session{s3}},
		{"from alone leaves out the unplanned", storage.SessionFilter{PlannedFrom: day}, []*ticket.Session{s4, s3, s2}},
		{"a customer", storage.SessionFilter{CustomerID: other.ID}, []*ticket.Session{s4, s3}},
		{"an agent", storage.SessionFilter{AgentID: agent}, []*ticket.Session{s4, s2, s1}},
		{"all at once", storage.SessionFilter{CustomerID: other.ID, AgentID: agent, States: []ticket.SessionState{ticket.SessionConfirmed},
			PlannedFrom: day, PlannedTo: day.AddDate(0, 0, 2)}, []*ticket.Session{s4}},
		{"another tenant's customer", storage.SessionFilter{CustomerID: b.Customer.ID}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := s.ListTenantSessions(ctx, a.Tenant.ID, c.f, storage.PageRequest{})
			require.NoError(t, err)
			want := make([]uuid.UUID, len(c.want))
			for i, x := range c.want {
				want[i] = x.ID
			}
			assert.Equal(t, want, ids(p))
			assert.Empty(t, p.Next)
		})
	}
	t.Run("keyset pages", func(t *testing.T) {
		p, err := s.ListTenantSessions(ctx, a.Tenant.ID, storage.SessionFilter{}, storage.PageRequest{Limit: 2})
		require.NoError(t, err)
		assert.Equal(t, []uuid.UUID{s4.ID, s3.ID}, ids(p))
		require.NotEmpty(t, p.Next)
		p, err = s.ListTenantSessions(ctx, a.Tenant.ID, storage.SessionFilter{}, storage.PageRequest{Limit: 2, After: p.Next})
		require.NoError(t, err)
		assert.Equal(t, []uuid.UUID{s2.ID, s1.ID}, ids(p))
		p, err = s.ListTenantSessions(ctx, a.Tenant.ID, storage.SessionFilter{}, storage.PageRequest{Limit: 2, After: p.Next})
		require.NoError(t, err)
		assert.Equal(t, []uuid.UUID{a.Session.ID}, ids(p))
		assert.Empty(t, p.Next)
		_, err = s.ListTenantSessions(ctx, a.Tenant.ID, storage.SessionFilter{}, storage.PageRequest{After: "garbage"})
		assert.ErrorIs(t, err, storage.ErrInvalidCursor)
	})
	t.Run("the other tenant's own", func(t *testing.T) {
		p, err := s.ListTenantSessions(ctx, b.Tenant.ID, storage.SessionFilter{}, storage.PageRequest{})
		require.NoError(t, err)
		assert.Equal(t, []uuid.UUID{b.Session.ID}, ids(p))
	})
}
