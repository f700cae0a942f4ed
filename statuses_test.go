package helpdesk_test

import (
	"context"
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

func TestCustomStatusesAndPriorities(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := context.Background()
		d, _ := newDesk(t, s)
		op, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Op"})
		require.NoError(t, err)
		admin := tenant.Employee(op.ID, uuid.New(), tenant.RoleAdmin, "Ada")
		agent := tenant.Employee(op.ID, uuid.New(), tenant.RoleAgent, "Sam")

		t.Run("built-in statuses, one default per state", func(t *testing.T) {
			ss, err := d.Statuses(ctx, admin)
			require.NoError(t, err)
			require.Len(t, ss, len(ticket.States()))
			for i, st := range ticket.States() {
				assert.Equal(t, st, ss[i].State)
				assert.True(t, ss[i].Default)
			}
		})

		t.Run("custom status maps onto a state and is set on a ticket in that state", func(t *testing.T) {
			waitingParts, err := d.CreateStatus(ctx, admin, helpdesk.NewStatus{Name: "Waiting for parts", State: ticket.StateInProgress, Position: 1})
			require.NoError(t, err)
			_, err = d.CreateStatus(ctx, admin, helpdesk.NewStatus{Name: "Bogus", State: "limbo"})
			var ve *helpdesk.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "state", ve.Field)
			_, err = d.CreateStatus(ctx, agent, helpdesk.NewStatus{Name: "Mine", State: ticket.StateOpen})
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)

			submitted, err := d.SubmitTicket(ctx, admin, helpdesk.NewTicket{Title: "Broken"})
			require.NoError(t, err)
			tk := submitted.Ticket
			_, err = d.SetStatus(ctx, agent, tk.ID, waitingParts.ID)
			require.ErrorAs(t, err, &ve, "an in-progress status on an open ticket")
			// The agent is nobody's team member: the admin takes the ticket without an offer.
			_, err = d.Accept(ctx, admin, tk.ID)
			require.NoError(t, err)
			_, err = d.Transition(ctx, agent, tk.ID, ticket.EventStart, helpdesk.Change{})
			require.NoError(t, err)
			tk, err = d.SetStatus(ctx, agent, tk.ID, waitingParts.ID)
			require.NoError(t, err)
			assert.Equal(t, waitingParts.ID, tk.StatusID)
			tk, err = d.Transition(ctx, agent, tk.ID, ticket.EventComplete, helpdesk.Change{})
			require.NoError(t, err)
			assert.Equal(t, defaultStatusOf(t, d, admin, ticket.StateDone).ID, tk.StatusID, "a new state starts in its default status")
		})

		t.Run("a new default priority replaces the old one and applies to new tickets", func(t *testing.T) {
			crit, err := d.CreatePriority(ctx, admin, helpdesk.NewPriority{Name: "Critical", Rank: 50, Default: true})
			require.NoError(t, err)
			ps, err := d.Priorities(ctx, admin)
			require.NoError(t, err)
			require.Equal(t, crit.ID, ps[0].ID, "most urgent first")
			defaults := 0
			for _, p := range ps {
				if p.Default {
					defaults++
				}
			}
			assert.Equal(t, 1, defaults)
			tk, err := d.SubmitTicket(ctx, admin, helpdesk.NewTicket{Title: "Down"})
			require.NoError(t, err)
			assert.Equal(t, crit.ID, tk.PriorityID)
		})
	})
}

// The tenant's setup (its record, statuses and priorities) is for the people of the desk: staff
// and customer users. Public requesters, who reach one device or one ticket, get ErrForbidden.
func TestTenantStatusesPrioritiesAccess(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		tk := f.submit(t, "Alarm")
		ops := map[string]func(a tenant.Actor) (int, error){
			"Tenant": func(a tenant.Actor) (int, error) {
				ten, err := f.desk.Tenant(ctx, a)
				if err != nil {
					return 0, err
				}
				assert.Equal(t, f.tenant.ID, ten.ID, "the actor's own tenant")
				return 1, nil
			},
			"Statuses": func(a tenant.Actor) (int, error) {
				ss, err := f.desk.Statuses(ctx, a)
				return len(ss), err
			},
			"Priorities": func(a tenant.Actor) (int, error) {
				ps, err := f.desk.Priorities(ctx, a)
				return len(ps), err
			},
		}
		cases := []struct {
			name  string
			actor tenant.Actor
			ok    bool
		}{
			{"admin", f.admin, true},
			{"agent", f.agent, true},
			{"system", f.system, true},
			{"customer user", f.userX, true},
			{"customer admin", f.userY, true},
			{"code holder", f.holder, false},
			{"requester link", f.link(t, tk), false},
		}
		for _, c := range cases {
			for on, op := range ops {
				t.Run(c.name+"/"+on, func(t *testing.T) {
					n, err := op(c.actor)
					if c.ok {
						require.NoError(t, err)
						assert.Positive(t, n)
						return
					}
					assert.Zero(t, n)
					assert.ErrorIs(t, err, helpdesk.ErrForbidden)
					assert.Equal(t, helpdesk.KindForbidden, helpdesk.KindOf(err))
				})
			}
		}
	})
}

// defaultStatusOf returns the tenant's default status of state.
func defaultStatusOf(t *testing.T, d *helpdesk.Desk, actor tenant.Actor, state ticket.State) *ticket.Status {
	t.Helper()
	ss, err := d.Statuses(t.Context(), actor)
	require.NoError(t, err)
	var def *ticket.Status
	for _, s := range ss {
		if s.State == state && s.Default {
			require.Nil(t, def, "two default statuses of %s", state)
			def = s
		}
	}
	require.NotNil(t, def, "no default status of %s", state)
	return def
}

// Statuses and priorities are edited, reordered and retired: a retired one stays on the
// tickets that have it and cannot be given anew; the default status is what a ticket gets
// when it enters its state.
func TestEditStatusesAndPriorities(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		moderator := f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleModerator, "Mo Moderator")

		t.Run("a new ticket and every move get the state's default status", func(t *testing.T) {
			tk := f.submit(t, "Alarm")
			assert.Equal(t, defaultStatusOf(t, f.desk, f.admin, ticket.StateOpen).ID, tk.StatusID)
			triage, err := f.desk.CreateStatus(ctx, moderator, helpdesk.NewStatus{Name: "Triage", State: ticket.StateAssigned, Default: true})
			require.NoError(t, err)
			assert.Equal(t, triage.ID, defaultStatusOf(t, f.desk, f.admin, ticket.StateAssigned).ID, "the previous default stops")
			tk, err = f.desk.Accept(ctx, f.agent, tk.ID)
			require.NoError(t, err)
			assert.Equal(t, triage.ID, tk.StatusID)
			assert.Equal(t, triage.ID, f.reload(t, tk.ID).StatusID)
		})
		t.Run("edit and reorder, listed in the stored order", func(t *testing.T) {
			a, err := f.desk.CreateStatus(ctx, f.admin, helpdesk.NewStatus{Name: "Parts ordered", State: ticket.StateWaiting, Position: 1})
			require.NoError(t, err)
			b, err := f.desk.CreateStatus(ctx, f.admin, helpdesk.NewStatus{Name: "Customer away", State: ticket.StateWaiting, Position: 2})
			require.NoError(t, err)
			cur := *b
			cur.Position, cur.Name = -1, "Customer on leave"
			b2, err := f.desk.UpdateStatus(ctx, moderator, &cur)
			require.NoError(t, err)
			assert.Equal(t, b.Version+1, b2.Version)
			var waiting []string
			ss, err := f.desk.Statuses(ctx, f.agent)
			require.NoError(t, err)
			for _, s := range ss {
				if s.State == ticket.StateWaiting {
					waiting = append(waiting, s.Name)
				}
			}
			assert.Equal(t, []string{"Customer on leave", "Parts ordered", "Waiting"}, waiting, "by position (the built-in Waiting has 4); %s moved before %s", b.Name, a.Name)
			stale := *b
			stale.Name = "lost"
			_, err = f.desk.UpdateStatus(ctx, f.admin, &stale)
			assert.ErrorIs(t, err, storage.ErrConflict)
			moved := *b2
			moved.State = ticket.StateOpen
			_, err = f.desk.UpdateStatus(ctx, f.admin, &moved)
			assertField(t, err, "state")
			_, err = f.desk.UpdateStatus(ctx, f.agent, b2)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		})
		t.Run("a retired status stays but cannot be set anew", func(t *testing.T) {
			onSite, err := f.desk.CreateStatus(ctx, f.admin, helpdesk.NewStatus{Name: "On site", State: ticket.StateAssigned})
			require.NoError(t, err)
			tk := f.ticketIn(t, ticket.StateAssigned)
			tk, err = f.desk.SetStatus(ctx, f.agent, tk.ID, onSite.ID)
			require.NoError(t, err)
			cur := *onSite
			cur.Retired = true
			_, err = f.desk.UpdateStatus(ctx, f.admin, &cur)
			require.NoError(t, err)
			assert.Equal(t, onSite.ID, f.reload(t, tk.ID).StatusID, "kept by the ticket that has it")
			other := f.ticketIn(t, ticket.StateAssigned)
			_, err = f.desk.SetStatus(ctx, f.agent, other.ID, onSite.ID)
			assertField(t, err, "status_id")
			assert.NotEqual(t, onSite.ID, f.reload(t, other.ID).StatusID)
		})
		t.Run("the default status is never retired nor left without a successor", func(t *testing.T) {
			def := *defaultStatusOf(t, f.desk, f.admin, ticket.StateDone)
			def.Retired = true
			_, err := f.desk.UpdateStatus(ctx, f.admin, &def)
			assertField(t, err, "retired")
			def.Retired, def.Default = false, false
			_, err = f.desk.UpdateStatus(ctx, f.admin, &def)
			assertField(t, err, "default")
		})
		t.Run("priorities: rank reorders, retired ones stay but are refused anew", func(t *testing.T) {
			ps, err := f.desk.Priorities(ctx, f.admin)
			require.NoError(t, err)
			low := *ps[len(ps)-1]
			require.Equal(t, "Low", low.Name)
			tk := f.open(t, f.admin, helpdesk.NewTicket{Title: "Low one", PriorityID: low.ID, DeviceID: f.devX.ID})
			low.Rank, low.Name = 1000, "Lowest (retired)"
			low.Retired = true
			upd, err := f.desk.UpdatePriority(ctx, moderator, &low)
			require.NoError(t, err)
			ps, err = f.desk.Priorities(ctx, f.agent)
			require.NoError(t, err)
			assert.Equal(t, upd.ID, ps[0].ID, "listed by the stored rank")
			assert.Equal(t, upd.ID, f.reload(t, tk.ID).PriorityID, "kept by the ticket that has it")
			_, err = f.desk.SubmitTicket(ctx, f.admin, helpdesk.NewTicket{Title: "x", PriorityID: upd.ID, DeviceID: f.devX.ID})
			assertField(t, err, "priority_id")
			other := f.submit(t, "other")
			pid := upd.ID
			_, err = f.desk.EditTicket(ctx, f.agent, other.ID, helpdesk.TicketEdit{PriorityID: &pid})
			assertField(t, err, "priority_id")
			title := "still editable"
			_, err = f.desk.EditTicket(ctx, f.agent, tk.ID, helpdesk.TicketEdit{Title: &title, PriorityID: &pid})
			assert.NoError(t, err, "a ticket keeps its retired priority through other edits")
			def := *defaultPriority(t, f, f.admin)
			def.Retired = true
			_, err = f.desk.UpdatePriority(ctx, f.admin, &def)
			assertField(t, err, "retired")
			stale := *ps[1]
			stale.Version--
			_, err = f.desk.UpdatePriority(ctx, f.admin, &stale)
			assert.ErrorIs(t, err, storage.ErrConflict)
		})
	})
}
