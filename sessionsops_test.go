package helpdesk_test

import (
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ListSessions lists sessions across tickets with every filter, a customer user's pinned to
// their customer, code holders and requester links refused, bad filters invalid.
func TestDeskListSessions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		tx := f.ticketBy(t, f.userX, ticket.StateAssigned)
		ty := f.open(t, f.userY, helpdesk.NewTicket{Title: "a case of Y", Requester: nurseContact, DeviceID: f.devY.ID})
		now := f.clock.Now()
		invited, err := f.desk.Invite(ctx, f.agent, tx.ID, helpdesk.Invitation{})
		require.NoError(t, err)
		tomorrow := now.Truncate(24*time.Hour).AddDate(0, 0, 1)
		planned, err := f.desk.Invite(ctx, f.agent2, ty.ID, helpdesk.Invitation{At: tomorrow.Add(10 * time.Hour)})
		require.NoError(t, err)
		list := func(actor tenant.Actor, fl storage.SessionFilter) []uuid.UUID {
			t.Helper()
			p, err := f.desk.ListSessions(ctx, actor, fl, storage.PageRequest{})
			require.NoError(t, err)
			return ids(p.Items, func(x *ticket.Session) uuid.UUID { return x.ID })
		}
		assert.Equal(t, []uuid.UUID{planned.ID, invited.ID}, list(f.supervisor, storage.SessionFilter{}), "newest first")
		assert.Equal(t, []uuid.UUID{planned.ID}, list(f.agent, storage.SessionFilter{PlannedFrom: tomorrow, PlannedTo: tomorrow.AddDate(0, 0, 1)}))
		assert.Empty(t, list(f.agent, storage.SessionFilter{PlannedFrom: now, PlannedTo: tomorrow}), "none planned today")
		assert.Equal(t, []uuid.UUID{invited.ID}, list(f.admin, storage.SessionFilter{AgentID: f.agent.UserID}))
		assert.Equal(t, []uuid.UUID{invited.ID}, list(f.admin, storage.SessionFilter{States: []ticket.SessionState{ticket.SessionInvited}}))
		assert.Equal(t, []uuid.UUID{planned.ID}, list(f.admin, storage.SessionFilter{CustomerID: f.custY.ID}))
		assert.Equal(t, []uuid.UUID{invited.ID}, list(f.userX, storage.SessionFilter{}), "a customer's user sees their customer's")
		assert.Empty(t, list(f.userX, storage.SessionFilter{CustomerID: f.custY.ID}), "and cannot widen the scope")
		o2 := f.addTenant(t, "Globex", "G")
		assert.Empty(t, list(o2.admin, storage.SessionFilter{}), "another tenant's are not listed")

		_, err = f.desk.ListSessions(ctx, f.holder, storage.SessionFilter{}, storage.PageRequest{})
		assert.Equal(t, helpdesk.KindForbidden, helpdesk.KindOf(err))
		_, err = f.desk.ListSessions(ctx, f.link(t, f.submit(t, "link")), storage.SessionFilter{}, storage.PageRequest{})
		assert.Equal(t, helpdesk.KindForbidden, helpdesk.KindOf(err))
		_, err = f.desk.ListSessions(ctx, f.admin, storage.SessionFilter{States: []ticket.SessionState{"asleep"}}, storage.PageRequest{})
		assert.Equal(t, helpdesk.KindInvalid, helpdesk.KindOf(err))
		_, err = f.desk.ListSessions(ctx, f.admin, storage.SessionFilter{PlannedFrom: tomorrow, PlannedTo: now}, storage.PageRequest{})
		assert.Equal(t, helpdesk.KindInvalid, helpdesk.KindOf(err))
		_, err = f.desk.ListSessions(ctx, f.admin, storage.SessionFilter{}, storage.PageRequest{After: "nope"})
		assert.ErrorIs(t, err, storage.ErrInvalidCursor)
	})
}
