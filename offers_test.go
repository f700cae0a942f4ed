package helpdesk_test

import (
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// offerStates returns the state of each offer of the ticket by the name of its employee.
func offerStates(t *testing.T, f *sessionFixture, ticketID uuid.UUID) map[string]ticket.OfferState {
	t.Helper()
	offers, err := walkPages(func(p storage.PageRequest) (storage.Page[*ticket.Offer], error) {
		return f.desk.Offers(t.Context(), f.admin, ticketID, p)
	})
	require.NoError(t, err)
	out := map[string]ticket.OfferState{}
	for _, o := range offers {
		u, err := f.store.GetUser(t.Context(), f.tenant.ID, o.UserID)
		require.NoError(t, err)
		assert.Equal(t, o.State == ticket.OfferOpen, o.ClosedAt == nil, "an offer is closed when it leaves open")
		out[u.Name] = o.State
	}
	return out
}

// offeredTo lists the tickets offered to actor, by MyOffers.
func offeredTo(t *testing.T, d *helpdesk.Desk, actor tenant.Actor) []uuid.UUID {
	t.Helper()
	offers, err := walkPages(func(p storage.PageRequest) (storage.Page[*ticket.Offer], error) {
		return d.MyOffers(t.Context(), actor, p)
	})
	require.NoError(t, err)
	var ids []uuid.UUID
	for _, o := range offers {
		assert.Equal(t, actor.UserID, o.UserID)
		assert.Equal(t, ticket.OfferOpen, o.State)
		ids = append(ids, o.TicketID)
	}
	return ids
}

func TestOffers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newSessionFixture(t, s, nil)
		outsider := f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleAgent, "Olga Outsider")
		open := map[string]ticket.OfferState{"Sam Agent": ticket.OfferOpen, "Alex Agent": ticket.OfferOpen}

		t.Run("a new ticket is offered to each active member of its team", func(t *testing.T) {
			tk := f.submit(t, "offered")
			assert.Equal(t, open, offerStates(t, f, tk.ID))
			assert.Contains(t, offeredTo(t, f.desk, f.agent), tk.ID)
			assert.Contains(t, offeredTo(t, f.desk, f.agent2), tk.ID)
			assert.NotContains(t, offeredTo(t, f.desk, f.supervisor), tk.ID, "the supervisor is no member")
			assert.NotContains(t, offeredTo(t, f.desk, outsider), tk.ID)

			draft := f.open(t, f.userX, helpdesk.NewTicket{Title: "not yet", Draft: true})
			assert.Empty(t, offerStates(t, f, draft.ID), "a draft is offered to nobody")
			_, err := f.desk.Submit(ctx, f.userX, draft.ID)
			require.NoError(t, err)
			assert.Equal(t, open, offerStates(t, f, draft.ID), "until it is submitted")
		})

		t.Run("the first offered employee to accept wins and the others' offers are withdrawn", func(t *testing.T) {
			tk := f.submit(t, "first wins")
			got, err := f.desk.Accept(ctx, f.agent, tk.ID)
			require.NoError(t, err)
			assert.Equal(t, f.agent.UserID, got.AssigneeID)
			assert.Equal(t, map[string]ticket.OfferState{"Sam Agent": ticket.OfferAccepted, "Alex Agent": ticket.OfferWithdrawn},
				offerStates(t, f, tk.ID))
			assert.NotContains(t, offeredTo(t, f.desk, f.agent2), tk.ID, "gone from the loser's dashboard")
			_, err = f.desk.Accept(ctx, f.agent2, tk.ID)
			assert.ErrorIs(t, err, ticket.ErrInvalidTransition, "the second accept")
		})

		t.Run("an agent without an open offer cannot accept; those who may assign take it without one", func(t *testing.T) {
			tk := f.submit(t, "not offered")
			_, err := f.desk.Accept(ctx, outsider, tk.ID)
			assert.ErrorIs(t, err, helpdesk.ErrNoOpenOffer)
			assert.Equal(t, helpdesk.KindForbidden, helpdesk.KindOf(err))
			stored := f.reload(t, tk.ID)
			assert.Equal(t, ticket.StateOpen, stored.State, "nothing changed")
			assert.Equal(t, tk.Version, stored.Version)
			assert.Equal(t, open, offerStates(t, f, tk.ID))

			got, err := f.desk.Accept(ctx, f.supervisor, tk.ID)
			require.NoError(t, err)
			assert.Equal(t, f.supervisor.UserID, got.AssigneeID)
			assert.Equal(t, map[string]ticket.OfferState{"Sam Agent": ticket.OfferWithdrawn, "Alex Agent": ticket.OfferWithdrawn},
				offerStates(t, f, tk.ID))
		})

		t.Run("assigning, rejecting and cancelling withdraw the open offers", func(t *testing.T) {
			withdrawn := map[string]ticket.OfferState{"Sam Agent": ticket.OfferWithdrawn, "Alex Agent": ticket.OfferWithdrawn}
			assigned := f.submit(t, "assigned directly")
			_, err := f.desk.Assign(ctx, f.supervisor, assigned.ID, helpdesk.Assignment{AssigneeID: f.agent2.UserID})
			require.NoError(t, err)
			assert.Equal(t, withdrawn, offerStates(t, f, assigned.ID))

			rejected := f.submit(t, "rejected")
			_, err = f.desk.Transition(ctx, f.supervisor, rejected.ID, ticket.EventReject, helpdesk.Change{Reason: "spam"})
			require.NoError(t, err)
			assert.Equal(t, withdrawn, offerStates(t, f, rejected.ID))

			cancelled := f.submit(t, "cancelled")
			_, err = f.desk.Transition(ctx, f.link(t, cancelled), cancelled.ID, ticket.EventCancel, helpdesk.Change{})
			require.NoError(t, err)
			assert.Equal(t, withdrawn, offerStates(t, f, cancelled.ID))
			for _, id := range []uuid.UUID{assigned.ID, rejected.ID, cancelled.ID} {
				assert.NotContains(t, offeredTo(t, f.desk, f.agent), id)
			}
		})

		t.Run("rerouting to another team offers the ticket to that team instead", func(t *testing.T) {
			night, err := f.desk.CreateTeam(ctx, f.admin, helpdesk.NewTeam{Name: "Night shift", SupervisorID: f.supervisor.UserID,
				Members: []uuid.UUID{outsider.UserID}})
			require.NoError(t, err)
			tk := f.submit(t, "rerouted")
			f.clock.Advance(10 * time.Minute)
			got, err := f.desk.Assign(ctx, f.supervisor, tk.ID, helpdesk.Assignment{TeamID: night.ID, Reason: "after hours"})
			require.NoError(t, err)
			assert.Equal(t, ticket.StateOpen, got.State)
			assert.Equal(t, night.ID, got.TeamID)
			assert.Equal(t, map[string]ticket.OfferState{"Sam Agent": ticket.OfferWithdrawn, "Alex Agent": ticket.OfferWithdrawn,
				"Olga Outsider": ticket.OfferOpen}, offerStates(t, f, tk.ID))
			assert.Equal(t, []string{"offer_timeout@30m0s"}, f.timers(t, tk.ID), "the offer timeout starts again")
			var toOlga int
			for _, n := range f.outbox(t, notify.TicketOffered) {
				if n.TicketID == tk.ID && n.To.UserID == outsider.UserID {
					toOlga++
				}
			}
			assert.Positive(t, toOlga, "the new team hears of the offer")
			hs := f.history(t, f.admin, tk.ID)
			assert.Equal(t, []string{"submit", "reroute"}, historyActions(hs))

			_, err = f.desk.Accept(ctx, f.agent, tk.ID)
			assert.ErrorIs(t, err, helpdesk.ErrNoOpenOffer, "the old team's offer was withdrawn")
			_, err = f.desk.Accept(ctx, outsider, tk.ID)
			require.NoError(t, err)
		})

		t.Run("the offer timeout expires the offers and tells the supervisor", func(t *testing.T) {
			tk := f.submit(t, "nobody takes it")
			f.fire(t, 30*time.Minute)
			assert.Equal(t, map[string]ticket.OfferState{"Sam Agent": ticket.OfferExpired, "Alex Agent": ticket.OfferExpired},
				offerStates(t, f, tk.ID))
			var esc []*notify.Notification
			for _, n := range f.outbox(t, notify.EscalationUnaccepted) {
				if n.TicketID == tk.ID {
					esc = append(esc, n)
				}
			}
			assert.Equal(t, []string{"email:Sue Supervisor", "inapp:Sue Supervisor"}, sent(esc))
			assert.NotContains(t, offeredTo(t, f.desk, f.agent), tk.ID)
			_, err := f.desk.Accept(ctx, f.agent, tk.ID)
			assert.ErrorIs(t, err, helpdesk.ErrNoOpenOffer, "an expired offer")
			got, err := f.desk.Assign(ctx, f.supervisor, tk.ID, helpdesk.Assignment{AssigneeID: f.agent.UserID})
			require.NoError(t, err, "the supervisor assigns")
			assert.Equal(t, ticket.StateAssigned, got.State)
		})

		t.Run("listings", func(t *testing.T) {
			_, err := f.desk.MyOffers(ctx, f.system, storage.PageRequest{})
			assert.ErrorIs(t, err, helpdesk.ErrForbidden, "the system accepts nothing")
			_, err = f.desk.MyOffers(ctx, f.userX, storage.PageRequest{})
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			_, err = f.desk.MyOffers(ctx, f.agent, storage.PageRequest{After: "nonsense"})
			assert.ErrorIs(t, err, storage.ErrInvalidCursor)
			tk := f.submit(t, "listed")
			_, err = f.desk.Offers(ctx, f.userX, tk.ID, storage.PageRequest{})
			assert.ErrorIs(t, err, helpdesk.ErrForbidden, "offers are staff's")
			_, err = f.desk.Offers(ctx, f.admin, uuid.New(), storage.PageRequest{})
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})
	})
}

func TestPendingSessionsEndWithTheirTicket(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newSessionFixture(t, s, nil)
		caller := ticket.Contact{Name: "Nina Nurse", Email: "nina@northwind.example"}

		// pending opens a ticket with a requested call, accepts it, and adds a confirmed, a
		// proposed and an invited session.
		pending := func(t *testing.T) (*ticket.Ticket, []uuid.UUID) {
			t.Helper()
			tk := f.open(t, f.caller, helpdesk.NewTicket{Title: "Pump alarms", Requester: caller, RequestSession: true})
			ss, err := sessionsOf(ctx, f.desk, f.agent, tk.ID)
			require.NoError(t, err)
			require.Len(t, ss, 1)
			requested := ss[0]
			_, err = f.desk.Accept(ctx, f.agent, tk.ID)
			require.NoError(t, err)
			confirmed, err := f.desk.SessionTransition(ctx, f.agent, requested.ID, ticket.SessionEventConfirm, helpdesk.SessionChange{})
			require.NoError(t, err)
			requested2, err := f.desk.RequestSession(ctx, f.link(t, tk), tk.ID)
			require.NoError(t, err)
			proposed, err := f.desk.Invite(ctx, f.agent, tk.ID, helpdesk.Invitation{At: f.clock.Now().Add(3 * time.Hour)})
			require.NoError(t, err)
			invited, err := f.desk.Invite(ctx, f.agent, tk.ID, helpdesk.Invitation{})
			require.NoError(t, err)
			require.Equal(t, ticket.SessionConfirmed, confirmed.State)
			require.Equal(t, ticket.SessionProposed, proposed.State)
			require.Equal(t, ticket.SessionInvited, invited.State)
			require.NotEmpty(t, f.timers(t, tk.ID))
			return f.reload(t, tk.ID), []uuid.UUID{confirmed.ID, requested2.ID, proposed.ID, invited.ID}
		}
		check := func(t *testing.T, tk *ticket.Ticket, ids []uuid.UUID, reason string) {
			t.Helper()
			for _, id := range ids {
				assert.Equal(t, ticket.SessionCancelled, f.session(t, id).State)
			}
			var cancels []string
			for _, h := range f.history(t, f.admin, tk.ID) {
				if h.Action == "session.cancel" {
					cancels = append(cancels, h.Reason)
				}
			}
			assert.Len(t, cancels, len(ids), "a history entry per session")
			for _, r := range cancels {
				assert.Equal(t, reason, r)
			}
			assert.Empty(t, f.timers(t, tk.ID), "no timer is left")
			_, err := f.desk.JoinSession(ctx, f.agent, ids[len(ids)-1])
			assert.ErrorIs(t, err, ticket.ErrInvalidTransition, "nobody joins a cancelled call")
		}

		t.Run("closed", func(t *testing.T) {
			tk, ids := pending(t)
			_, err := f.desk.Close(ctx, f.agent, tk.ID, "fixed on the phone")
			require.NoError(t, err)
			check(t, tk, ids, "the ticket was closed")
		})
		t.Run("cancelled", func(t *testing.T) {
			tk, ids := pending(t)
			_, err := f.desk.Transition(ctx, f.link(t, tk), tk.ID, ticket.EventCancel, helpdesk.Change{})
			require.NoError(t, err)
			check(t, tk, ids, "the ticket was cancelled")
		})
		t.Run("a live call goes on", func(t *testing.T) {
			tk, ids := pending(t)
			live, err := f.desk.SessionTransition(ctx, f.agent, ids[0], ticket.SessionEventStart, helpdesk.SessionChange{})
			require.NoError(t, err)
			_, err = f.desk.Close(ctx, f.agent, f.reload(t, tk.ID).ID, "done")
			require.NoError(t, err)
			assert.Equal(t, ticket.SessionInProgress, f.session(t, live.ID).State, "ended by the provider, not cancelled")
			for _, id := range ids[1:] {
				assert.Equal(t, ticket.SessionCancelled, f.session(t, id).State)
			}
		})
	})
}

// A team with nobody in it does not swallow its requests: while the default group has no
// active member, its offers go to the tenant's active admins, and so do the messages for a
// supervisor it lacks; once it has members, they alone are offered.
func TestStandIns(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		d, _ := newDesk(t, s)
		op, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "New Operator"})
		require.NoError(t, err)
		sys := tenant.SystemFor(op.ID)
		person := func(name string, role tenant.Role) tenant.Actor {
			u, _, err := d.CreateUser(ctx, sys, helpdesk.NewUser{Email: name + "@new.example", Name: name, Role: role, Password: "Stand-in-pass-1"})
			require.NoError(t, err)
			return tenant.Employee(op.ID, u.ID, role, name)
		}
		ada, ida := person("Ada", tenant.RoleAdmin), person("Ida", tenant.RoleAdmin)
		mo, sam := person("Mo", tenant.RoleModerator), person("Sam", tenant.RoleAgent)
		sue := person("Sue", tenant.RoleSupervisor)
		_, err = d.DeactivateUser(ctx, ada, ida.UserID)
		require.NoError(t, err)
		submit := func(title string) uuid.UUID {
			tk, err := d.SubmitTicket(ctx, mo, helpdesk.NewTicket{Title: title, Requester: ticket.Contact{Name: "R", Email: "r@req.example"}})
			require.NoError(t, err)
			return tk.ID
		}
		told := func(a tenant.Actor, ev notify.Event, ticketID uuid.UUID) bool {
			in, err := walkPages(func(p storage.PageRequest) (storage.Page[*notify.Notification], error) { return d.Inbox(ctx, a, p) })
			require.NoError(t, err)
			for _, n := range in {
				if n.Event == ev && n.TicketID == ticketID {
					return true
				}
			}
			return false
		}

		first := submit("nobody in the group yet")
		assert.Equal(t, []uuid.UUID{first}, offeredTo(t, d, ada), "the active admin stands in")
		assert.Empty(t, offeredTo(t, d, ida), "not an inactive admin")
		assert.Empty(t, offeredTo(t, d, mo))
		assert.True(t, told(ada, notify.TicketRequested, first), "the admin hears what the missing supervisor would")
		assert.True(t, told(ada, notify.TicketOffered, first))
		_, err = d.Accept(ctx, ada, first)
		require.NoError(t, err, "and can take it on")

		teams, err := d.Teams(ctx, ada)
		require.NoError(t, err)
		require.Len(t, teams, 1)
		group := teams[0]
		group.Members, group.SupervisorID = []uuid.UUID{sam.UserID}, sue.UserID
		_, err = d.UpdateTeam(ctx, ada, group)
		require.NoError(t, err)
		second := submit("the group has a member and a supervisor")
		assert.Equal(t, []uuid.UUID{second}, offeredTo(t, d, sam))
		assert.Empty(t, offeredTo(t, d, ada), "the admin no longer stands in")
		assert.True(t, told(sue, notify.TicketRequested, second))
		assert.False(t, told(ada, notify.TicketRequested, second))
	})
}
