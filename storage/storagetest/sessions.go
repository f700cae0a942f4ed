package storagetest

import (
	"context"
	"testing"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
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
	// Sessions without a link or room must not be found by an empty one.
	bare := a.newSession(a.Ticket.ID)
	bare.LinkHash, bare.Room = "", ""
	require.NoError(t, s.CreateSession(ctx, bare), "setup: create session")
	roomed := func(w *world) *ticket.Session {
		t.Helper()
		sn := w.newSession(w.Ticket.ID)
		sn.Room = "helpdesk-" + newHash()[:24]
		require.NoError(t, s.CreateSession(ctx, sn), "setup: create session")
		return sn
	}
	ra, rb := roomed(a), roomed(b)

	t.Run("LinkHash", func(t *testing.T) {
		for _, sn := range []*ticket.Session{a.Session, b.Session, ra, rb} {
			got, err := s.GetSessionByLinkHash(ctx, sn.LinkHash)
			require.NoError(t, err)
			assertSame(t, clone(sn), got)
		}
		_, err := s.GetSessionByLinkHash(ctx, newHash())
		assert.ErrorIs(t, err, storage.ErrNotFound, "a hash never issued")
		_, err = s.GetSessionByLinkHash(ctx, "")
		assert.ErrorIs(t, err, storage.ErrNotFound, "an empty hash")
	})

	t.Run("LinkHashUpdated", func(t *testing.T) {
		sn := a.addSession(a.Ticket.ID)
		old := sn.LinkHash
		sn.LinkHash = newHash()
		sn.UpdatedAt = a.tick()
		require.NoError(t, s.UpdateSession(ctx, sn))
		got, err := s.GetSessionByLinkHash(ctx, sn.LinkHash)
		require.NoError(t, err)
		assertSame(t, clone(sn), got, "found by the new link")
		_, err = s.GetSessionByLinkHash(ctx, old)
		assert.ErrorIs(t, err, storage.ErrNotFound, "the replaced link still finds the session")
	})

	t.Run("Room", func(t *testing.T) {
		for _, sn := range []*ticket.Session{ra, rb} {
			got, err := s.GetSessionByRoom(ctx, sn.Room)
			require.NoError(t, err)
			assertSame(t, clone(sn), got)
		}
		_, err := s.GetSessionByRoom(ctx, "helpdesk-"+newHash()[:24])
		assert.ErrorIs(t, err, storage.ErrNotFound, "a room never made")
		_, err = s.GetSessionByRoom(ctx, "")
		assert.ErrorIs(t, err, storage.ErrNotFound, "an empty room")
	})
}
