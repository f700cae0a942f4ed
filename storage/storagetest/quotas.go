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

// testQuotaCounts checks the counts behind the Desk's quotas: the tickets a code opened after
// a time, a ticket's sessions in given states, and a ticket's files and their size. Each
// counts within its tenant and subject only.
func testQuotaCounts(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()

	t.Run("CodeTickets", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		other := a.addCode(a.Device.ID)
		// Three tickets through the world's code a second apart (after the world's own ticket,
		// also the code's), one through another code, one without a code, and one in another
		// tenant.
		var times []time.Time
		for range 3 {
			tk := a.addTicket(a.newTicket("Pump alarms"))
			times = append(times, tk.CreatedAt)
		}
		byOther := a.newTicket("Display flickers")
		byOther.CodeID = other.ID
		a.addTicket(byOther)
		byStaff := a.newTicket("Opened by staff")
		byStaff.CodeID, byStaff.Source = uuid.Nil, ticket.SourceEmployee
		a.addTicket(byStaff)
		b.addTicket(b.newTicket("Elsewhere"))

		for _, c := range []struct {
			name    string
			tenant  uuid.UUID
			code    uuid.UUID
			since   time.Time
			want    int
			message string
		}{
			{"All", a.Tenant.ID, a.Code.ID, times[0].Add(-time.Second), 3, "every ticket of the code"},
			{"SinceExclusive", a.Tenant.ID, a.Code.ID, times[0], 2, "a ticket created at since is not counted"},
			{"JustBefore", a.Tenant.ID, a.Code.ID, times[2].Add(-time.Microsecond), 1, "a ticket a microsecond after since"},
			{"NoneAfter", a.Tenant.ID, a.Code.ID, times[2], 0, "nothing after the last one"},
			{"OtherCode", a.Tenant.ID, other.ID, times[0].Add(-time.Hour), 1, "the other code's ticket"},
			{"NilCode", a.Tenant.ID, uuid.Nil, times[0].Add(-time.Hour), 0, "tickets without a code are no code's"},
			{"OtherTenant", b.Tenant.ID, a.Code.ID, times[0].Add(-time.Hour), 0, "the code read through another tenant"},
			{"UnknownCode", a.Tenant.ID, newID(), times[0].Add(-time.Hour), 0, "a code never created"},
		} {
			t.Run(c.name, func(t *testing.T) {
				n, err := s.CountCodeTickets(ctx, c.tenant, c.code, c.since)
				require.NoError(t, err)
				assert.Equal(t, c.want, n, c.message)
			})
		}

		t.Run("InTx", func(t *testing.T) {
			err := s.InTx(ctx, func(q storage.Queries) error {
				tk := a.newTicket("Counted within its transaction")
				if err := q.CreateTicket(ctx, tk); err != nil {
					return err
				}
				n, err := q.CountCodeTickets(ctx, a.Tenant.ID, a.Code.ID, times[0].Add(-time.Second))
				assert.Equal(t, 4, n, "a transaction counts its own tickets")
				if err != nil {
					return err
				}
				return errRollback
			})
			require.ErrorIs(t, err, errRollback)
		})
	})

	t.Run("Sessions", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		// The world's ticket has one proposed session already (a.Session).
		for _, st := range []ticket.SessionState{ticket.SessionRequested, ticket.SessionRequested,
			ticket.SessionConfirmed, ticket.SessionDone, ticket.SessionCancelled} {
			sn := a.newSession(a.Ticket.ID)
			sn.State = st
			require.NoError(t, s.CreateSession(ctx, sn), "setup: create session")
		}
		other := a.addTicket(a.newTicket("Display flickers"))
		a.addSession(other.ID)

		for _, c := range []struct {
			name   string
			tenant uuid.UUID
			ticket uuid.UUID
			states []ticket.SessionState
			want   int
		}{
			{"All", a.Tenant.ID, a.Ticket.ID, nil, 6},
			{"Requested", a.Tenant.ID, a.Ticket.ID, []ticket.SessionState{ticket.SessionRequested}, 2},
			{"Open", a.Tenant.ID, a.Ticket.ID, []ticket.SessionState{ticket.SessionRequested, ticket.SessionInvited,
				ticket.SessionProposed, ticket.SessionConfirmed, ticket.SessionInProgress}, 4},
			{"NoneInState", a.Tenant.ID, a.Ticket.ID, []ticket.SessionState{ticket.SessionExpired}, 0},
			{"OtherTicket", a.Tenant.ID, other.ID, nil, 1},
			{"OtherTenant", b.Tenant.ID, a.Ticket.ID, nil, 0},
			{"UnknownTicket", a.Tenant.ID, newID(), nil, 0},
		} {
			t.Run(c.name, func(t *testing.T) {
				n, err := s.CountSessions(ctx, c.tenant, c.ticket, c.states...)
				require.NoError(t, err)
				assert.Equal(t, c.want, n)
			})
		}
	})

	t.Run("TicketFiles", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		internal := a.addMessage(a.Ticket.ID, ticket.Internal, "Supplier invoice.")
		public := a.addMessage(a.Ticket.ID, ticket.Public, "Here is the manual.")
		var want storage.FileUsage
		for _, msg := range []uuid.UUID{uuid.Nil, internal.ID, public.ID, uuid.Nil} {
			at := a.addAttachment(a.Ticket.ID, msg, ticket.Public)
			want.Files++
			want.Bytes += at.Size
		}
		other := a.addTicket(a.newTicket("Display flickers"))
		big := a.newAttachment(other.ID, uuid.Nil, ticket.Public)
		big.Size = 5 << 30 // beyond 32 bits
		require.NoError(t, s.CreateAttachment(ctx, big), "setup: create attachment")
		b.addAttachment(b.Ticket.ID, uuid.Nil, ticket.Public)

		for _, c := range []struct {
			name   string
			tenant uuid.UUID
			ticket uuid.UUID
			want   storage.FileUsage
		}{
			{"MediaAndMessages", a.Tenant.ID, a.Ticket.ID, want},
			{"Large", a.Tenant.ID, other.ID, storage.FileUsage{Files: 1, Bytes: 5 << 30}},
			{"NoFiles", a.Tenant.ID, a.addTicket(a.newTicket("No files")).ID, storage.FileUsage{}},
			{"OtherTenant", b.Tenant.ID, a.Ticket.ID, storage.FileUsage{}},
			{"UnknownTicket", a.Tenant.ID, newID(), storage.FileUsage{}},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, err := s.TicketFiles(ctx, c.tenant, c.ticket)
				require.NoError(t, err)
				assert.Equal(t, c.want, got)
			})
		}
	})
}
