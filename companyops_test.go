package helpdesk_test

import (
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMoveStatusAndPriority(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		d, _ := newDesk(t, s)
		op, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Op"})
		require.NoError(t, err)
		admin := tenant.SystemFor(op.ID)
		agent := tenant.Employee(op.ID, uuid.New(), tenant.RoleAgent, "Sam")
		op2, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Other"})
		require.NoError(t, err)
		// Two statuses at the same position as the built-in one: the first move orders them.
		parts, err := d.CreateStatus(ctx, admin, helpdesk.NewStatus{Name: "Parts ordered", State: ticket.StateInProgress})
		require.NoError(t, err)
		site, err := d.CreateStatus(ctx, admin, helpdesk.NewStatus{Name: "On site", State: ticket.StateInProgress})
		require.NoError(t, err)
		inProgress := func() []string {
			ss, err := d.Statuses(ctx, admin)
			require.NoError(t, err)
			var names []string
			for _, x := range ss {
				if x.State == ticket.StateInProgress {
					names = append(names, x.Name)
				}
			}
			return names
		}
		before := inProgress()
		require.Len(t, before, 3)
		moved := before[2]
		id := map[string]uuid.UUID{}
		ss, err := d.Statuses(ctx, admin)
		require.NoError(t, err)
		for _, x := range ss {
			id[x.Name] = x.ID
		}
		require.Equal(t, site.ID, id["On site"])

		t.Run("up, and the list says so", func(t *testing.T) {
			group, err := d.MoveStatus(ctx, admin, id[moved], -1)
			require.NoError(t, err)
			want := []string{before[0], moved, before[1]}
			assert.Equal(t, want, inProgress())
			var names []string
			for k, x := range group {
				names = append(names, x.Name)
				assert.Equal(t, k, x.Position)
			}
			assert.Equal(t, want, names)
		})
		t.Run("past the end: nothing changes", func(t *testing.T) {
			last := inProgress()
			_, err := d.MoveStatus(ctx, admin, id[last[2]], 1)
			require.NoError(t, err)
			assert.Equal(t, last, inProgress())
		})
		t.Run("one place at a time, by those who manage statuses, in their tenant", func(t *testing.T) {
			_, err := d.MoveStatus(ctx, admin, parts.ID, 2)
			var ve *helpdesk.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "by", ve.Field)
			_, err = d.MoveStatus(ctx, agent, parts.ID, 1)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			_, err = d.MoveStatus(ctx, tenant.SystemFor(op2.ID), parts.ID, 1)
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})

		prios := func() []string {
			ps, err := d.Priorities(ctx, admin)
			require.NoError(t, err)
			var names []string
			for _, p := range ps {
				names = append(names, p.Name)
			}
			return names
		}
		_, err = d.CreatePriority(ctx, admin, helpdesk.NewPriority{Name: "Someday", Rank: -100})
		require.NoError(t, err)
		_, err = d.CreatePriority(ctx, admin, helpdesk.NewPriority{Name: "Tie", Rank: -100})
		require.NoError(t, err)
		t.Run("a priority moves up, and ties get ranks of their own", func(t *testing.T) {
			p0 := prios()
			n := len(p0)
			ps, err := d.Priorities(ctx, admin)
			require.NoError(t, err)
			out, err := d.MovePriority(ctx, admin, ps[n-1].ID, -1)
			require.NoError(t, err)
			want := append(append([]string{}, p0[:n-2]...), p0[n-1], p0[n-2])
			assert.Equal(t, want, prios())
			for k := 1; k < len(out); k++ {
				assert.Greater(t, out[k-1].Rank, out[k].Rank, "distinct ranks, most urgent first")
			}
			_, err = d.MovePriority(ctx, agent, ps[0].ID, 1)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			_, err = d.MovePriority(ctx, tenant.SystemFor(op2.ID), ps[0].ID, 1)
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})
		t.Run("the first down keeps the others' ranks", func(t *testing.T) {
			ps, err := d.Priorities(ctx, admin)
			require.NoError(t, err)
			_, err = d.MovePriority(ctx, admin, ps[0].ID, 1)
			require.NoError(t, err)
			after, err := d.Priorities(ctx, admin)
			require.NoError(t, err)
			assert.Equal(t, ps[1].ID, after[0].ID)
			assert.Equal(t, ps[0].ID, after[1].ID)
			assert.Equal(t, ps[0].Rank, after[0].Rank)
			assert.Equal(t, ps[2].Rank, after[2].Rank)
		})
	})
}

func TestMetaTeamRenameAndDelete(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		d, _ := newDesk(t, s)
		op, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Op"})
		require.NoError(t, err)
		sys := tenant.SystemFor(op.ID)
		sup, _, err := d.CreateUser(ctx, sys, helpdesk.NewUser{Email: "sue@op.example", Name: "Sue", Role: tenant.RoleSupervisor, Password: "Sup-pass-1"})
		require.NoError(t, err)
		agent := tenant.Employee(op.ID, uuid.New(), tenant.RoleAgent, "Sam")
		op2, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Other"})
		require.NoError(t, err)

		north, err := d.CreateMetaTeam(ctx, sys, "North")
		require.NoError(t, err)
		tm, err := d.CreateTeam(ctx, sys, helpdesk.NewTeam{Name: "Pumps", SupervisorID: sup.ID, MetaTeamID: north.ID})
		require.NoError(t, err)

		renamed := *north
		renamed.Name = "  North and east "
		out, err := d.UpdateMetaTeam(ctx, sys, &renamed)
		require.NoError(t, err)
		assert.Equal(t, "North and east", out.Name)
		_, err = d.UpdateMetaTeam(ctx, sys, north)
		assert.ErrorIs(t, err, storage.ErrConflict, "a stale version")
		out.Name = ""
		_, err = d.UpdateMetaTeam(ctx, sys, out)
		var ve *helpdesk.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "name", ve.Field)
		_, err = d.UpdateMetaTeam(ctx, agent, north)
		assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		_, err = d.UpdateMetaTeam(ctx, tenant.SystemFor(op2.ID), north)
		assert.ErrorIs(t, err, storage.ErrNotFound)

		assert.ErrorIs(t, d.DeleteMetaTeam(ctx, agent, north.ID), helpdesk.ErrForbidden)
		assert.ErrorIs(t, d.DeleteMetaTeam(ctx, tenant.SystemFor(op2.ID), north.ID), storage.ErrNotFound)
		require.NoError(t, d.DeleteMetaTeam(ctx, sys, north.ID))
		ms, err := d.MetaTeams(ctx, sys)
		require.NoError(t, err)
		assert.Empty(t, ms)
		teams, err := d.Teams(ctx, sys)
		require.NoError(t, err)
		for _, x := range teams {
			if x.ID == tm.ID {
				assert.Equal(t, uuid.Nil, x.MetaTeamID, "the team stays, filed under none")
			}
		}
	})
}
