package helpdesk_test

import (
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// auditActions lists the tenant's audit log, oldest first, as "action entity actor".
func auditActions(t *testing.T, f *fixture) []string {
	t.Helper()
	p, err := f.desk.AuditLog(t.Context(), f.admin, storage.PageRequest{Limit: storage.MaxPageSize})
	require.NoError(t, err)
	var out []string
	for i := len(p.Items) - 1; i >= 0; i-- {
		e := p.Items[i]
		out = append(out, e.Action+" "+e.Entity+" "+e.Actor.Name)
	}
	return out
}

func TestDeskAuditLog(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		assert.Equal(t, []string{
			"tenant.created tenant system",
			"team.created team Ada Admin",
			"team.created team Ada Admin",
			"team.default team Ada Admin",
			"customer.created customer Ada Admin",
			"customer.created customer Ada Admin",
			"project.created project Ada Admin",
			"template.created template Ada Admin",
			"device.created device Ada Admin",
			"device.created device Ada Admin",
			"code.created code Ada Admin",
		}, auditActions(t, f), "every setup change of the fixture, with its actor")

		_, err := f.desk.SetCodeActive(ctx, f.admin, f.code.ID, false)
		require.NoError(t, err)
		_, err = f.desk.AssignDevice(ctx, f.admin, f.devY.ID, f.custX.ID)
		require.NoError(t, err)
		_, err = f.desk.CreateStatus(ctx, f.admin, helpdesk.NewStatus{Name: "Parts", State: ticket.StateInProgress})
		require.NoError(t, err)
		got := auditActions(t, f)
		assert.Equal(t, []string{"code.deactivated code Ada Admin", "device.assigned device Ada Admin",
			"status.created status Ada Admin"}, got[len(got)-3:])

		t.Run("a refused change leaves no entry", func(t *testing.T) {
			before := len(auditActions(t, f))
			_, err := f.desk.CreateDevice(ctx, f.admin, helpdesk.NewDevice{Name: "Bad", TemplateID: f.tpl.ID,
				Fields: map[string]string{"nope": "1"}})
			require.ErrorIs(t, err, helpdesk.ErrInvalid)
			assert.Len(t, auditActions(t, f), before)
		})

		t.Run("only admins and moderators read it", func(t *testing.T) {
			link := f.link(t, f.open(t, f.userX, helpdesk.NewTicket{Title: "Alarm"}))
			for _, a := range []tenant.Actor{f.agent, f.supervisor, f.userX, f.userY, f.holder, link} {
				_, err := f.desk.AuditLog(ctx, a, storage.PageRequest{})
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, string(a.Kind)+" "+string(a.Role))
			}
		})
	})
}

func TestDeskDeleteTicket(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		tk := f.submit(t, "Wrong device")
		keep := f.submit(t, "Right device")
		_, err := f.desk.PostMessage(ctx, f.agent, tk.ID, helpdesk.NewMessage{Body: "looking"})
		require.NoError(t, err)

		for _, a := range []tenant.Actor{f.agent, f.supervisor, f.system, f.userX, f.link(t, tk)} {
			assert.ErrorIs(t, f.desk.DeleteTicket(ctx, a, tk.ID), helpdesk.ErrForbidden, string(a.Kind)+" "+string(a.Role))
		}
		// Those who cannot see the ticket are told it does not exist.
		for _, a := range []tenant.Actor{f.userY, f.holder} {
			assert.ErrorIs(t, f.desk.DeleteTicket(ctx, a, tk.ID), storage.ErrNotFound, string(a.Kind)+" "+string(a.Role))
		}
		other := f.addTenant(t, "Other Op", "")
		assert.ErrorIs(t, f.desk.DeleteTicket(ctx, other.admin, tk.ID), storage.ErrNotFound, "another tenant's admin")
		_, err = f.desk.Ticket(ctx, f.admin, tk.ID)
		require.NoError(t, err, "still there after refused deletes")

		require.NoError(t, f.desk.DeleteTicket(ctx, f.admin, tk.ID))
		_, err = f.desk.Ticket(ctx, f.admin, tk.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)
		_, err = f.desk.Ticket(ctx, f.admin, keep.ID)
		assert.NoError(t, err, "other tickets stay")
		assert.ErrorIs(t, f.desk.DeleteTicket(ctx, f.admin, tk.ID), storage.ErrNotFound, "deleting twice")
		_, err = f.desk.OpenRequesterLink(ctx, f.tokens[tk.ID])
		assert.ErrorIs(t, err, helpdesk.ErrInvalidLink, "the deleted ticket's requester link opens nothing")

		p, err := f.desk.AuditLog(ctx, f.admin, storage.PageRequest{Limit: 1})
		require.NoError(t, err)
		require.Len(t, p.Items, 1)
		e := p.Items[0]
		assert.Equal(t, "ticket.deleted", e.Action)
		assert.Equal(t, tk.ID, e.EntityID)
		assert.Equal(t, f.admin.UserID, e.Actor.ID)
		assert.Contains(t, e.Detail, tk.Ref(), "the audit entry names the deleted reference")
	})
}
