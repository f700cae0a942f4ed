package helpdesk_test

import (
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An edit made on a version the ticket has left is refused, and changes nothing; one made on
// the current version goes through.
func TestDeskEditTicketVersion(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		tk := f.ticketIn(t, ticket.StateOpen)
		read := tk.Version
		// Someone else changes the ticket meanwhile.
		_, err := f.desk.EditTicket(ctx, f.supervisor, tk.ID, helpdesk.TicketEdit{Title: ptr("Their title")})
		require.NoError(t, err)
		_, err = f.desk.EditTicket(ctx, f.agent, tk.ID, helpdesk.TicketEdit{Title: ptr("My title"), Version: read})
		assert.ErrorIs(t, err, storage.ErrConflict)
		assert.Equal(t, helpdesk.KindConflict, helpdesk.KindOf(err))
		assert.Equal(t, "Their title", f.reload(t, tk.ID).Title, "the stale edit changed nothing")
		cur := f.reload(t, tk.ID)
		got, err := f.desk.EditTicket(ctx, f.agent, tk.ID, helpdesk.TicketEdit{Title: ptr("My title"), Version: cur.Version})
		require.NoError(t, err)
		assert.Equal(t, "My title", got.Title)
		assert.Greater(t, got.Version, cur.Version)
	})
}
