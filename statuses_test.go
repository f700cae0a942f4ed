package helpdesk_test

import (
	"context"
	"testing"

	"github.com/deskkit/helpdesk"
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
			assert.Equal(t, uuid.Nil, tk.StatusID, "a new state starts in its default status")
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
