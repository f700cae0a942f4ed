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
		_, err = s.GetSessionByRoom(ctx, "")
		assert.ErrorIs(t, err, storage.ErrNotFound, "an empty room")
	})
}
