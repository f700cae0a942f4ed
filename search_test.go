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

// TestSearchAccess checks that Tickets' search keeps every access rule: staff find a ticket by
// a word of an internal message, customer users never do, and no one finds another tenant's
// ticket or, as a customer user, another customer's.
func TestSearchAccess(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		foreign := f.addTenant(t, "Foreign Service", "")
		open := func(o *org, actor tenant.Actor, dev uuid.UUID, title string) *ticket.Ticket {
			tk := f.open(t, actor, helpdesk.NewTicket{Title: title, DeviceID: dev, Requester: nurseContact})
			_, err := f.desk.PostMessage(ctx, o.agent, tk.ID, helpdesk.NewMessage{Body: "Der Flansch ist gerissen."})
			require.NoError(t, err)
			_, err = f.desk.PostMessage(ctx, o.agent, tk.ID, helpdesk.NewMessage{Body: "Zeolith-Filter: Garantie erloschen.", Internal: true})
			require.NoError(t, err)
			return tk
		}
		own := open(f.org, f.userX, f.devX.ID, "Kühlung fällt aus")
		other := open(f.org, f.userY, f.devY.ID, "Kühlung fällt aus")
		far := open(foreign, foreign.userX, foreign.devX.ID, "Kühlung fällt aus")

		for _, c := range []struct {
			name  string
			actor tenant.Actor
			text  string
			want  []uuid.UUID
		}{
			{"AdminTitle", f.admin, "kuhlung", []uuid.UUID{other.ID, own.ID}},
			{"AgentPublicMessage", f.agent, "flansch", []uuid.UUID{other.ID, own.ID}},
			{"AgentInternalMessage", f.agent, "zeolith", []uuid.UUID{other.ID, own.ID}},
			{"SupervisorInternalAndTitle", f.supervisor, "zeolith kuhl", []uuid.UUID{other.ID, own.ID}},
			{"CustomerUserTitle", f.userX, "KÜHLUNG", []uuid.UUID{own.ID}},
			{"CustomerUserPublicMessage", f.userX, "flansch", []uuid.UUID{own.ID}},
			{"CustomerUserInternalMessage", f.userX, "zeolith", nil},
			{"CustomerUserInternalAndTitle", f.userX, "kuhlung garantie", nil},
			{"CustomerAdminInternalMessage", f.userY, "zeolith", nil},
			{"CustomerAdminPublicMessage", f.userY, "flansch", []uuid.UUID{other.ID}},
		} {
			t.Run(c.name, func(t *testing.T) {
				page, err := f.desk.Tickets(ctx, c.actor, storage.TicketFilter{Text: c.text}, storage.PageRequest{})
				require.NoError(t, err)
				got := ids(page.Items, func(x *ticket.Ticket) uuid.UUID { return x.ID })
				assert.ElementsMatch(t, c.want, got)
				assert.NotContains(t, got, far.ID, "another tenant's ticket")
			})
		}
		t.Run("TextInternalIsTheDesks", func(t *testing.T) {
			page, err := f.desk.Tickets(ctx, f.userX, storage.TicketFilter{Text: "zeolith", TextInternal: true}, storage.PageRequest{})
			require.NoError(t, err)
			assert.Empty(t, page.Items, "a caller cannot ask for internal words on a customer user's behalf")
		})
	})
}
