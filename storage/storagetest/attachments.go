package storagetest

import (
	"context"
	"testing"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newAttachment returns a file on the ticket with every field set: attached to the message
// messageID with visibility v, or uploaded media (public, by the requester) when messageID is
// uuid.Nil.
func (w *world) newAttachment(ticketID, messageID uuid.UUID, v ticket.Visibility) *ticket.Attachment {
	id := newID()
	a := &ticket.Attachment{
		ID: id, TenantID: w.Tenant.ID, TicketID: ticketID, MessageID: messageID, Visibility: v,
		Name: "leak-" + id.String()[24:] + ".jpg", ContentType: "image/jpeg", Size: 1<<20 + int64(w.ticks),
		Digest: newHash(), Key: "attachments/" + w.Tenant.ID.String() + "/" + id.String(),
		Uploader:  tenant.Ref{Kind: tenant.ActorEmployee, ID: newID(), Name: "Ann Agent"},
		CreatedAt: w.tick(),
	}
	if messageID == uuid.Nil {
		a.Visibility = ticket.Public
		a.Uploader = tenant.Ref{Kind: tenant.ActorRequesterLink, Name: "Rita Requester"}
	}
	return a
}

func (w *world) addAttachment(ticketID, messageID uuid.UUID, v ticket.Visibility) *ticket.Attachment {
	w.t.Helper()
	a := w.newAttachment(ticketID, messageID, v)
	require.NoError(w.t, w.q.CreateAttachment(w.ctx, a), "setup: create attachment")
	return a
}

// testAttachments checks that attachments round-trip, list oldest first with internal ones only
// on request, count as media without a message, and are refused on a ticket or message the
// tenant does not have.
func testAttachments(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()

	t.Run("CreateGet", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		msg := w.addMessage(w.Ticket.ID, ticket.Internal, "Photo of the seal attached.")
		for _, a := range []*ticket.Attachment{
			w.newAttachment(w.Ticket.ID, uuid.Nil, ticket.Public),
			w.newAttachment(w.Ticket.ID, msg.ID, ticket.Internal),
		} {
			require.NoError(t, s.CreateAttachment(ctx, a))
			got, err := s.GetAttachment(ctx, w.Tenant.ID, a.ID)
			require.NoError(t, err)
			assertSame(t, clone(a), got, "read back differs from what was created")
		}
	})

	t.Run("List", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		public := w.addMessage(w.Ticket.ID, ticket.Public, "Here is the manual.")
		internal := w.addMessage(w.Ticket.ID, ticket.Internal, "Supplier invoice.")
		media := w.addAttachment(w.Ticket.ID, uuid.Nil, ticket.Public)
		manual := w.addAttachment(w.Ticket.ID, public.ID, ticket.Public)
		invoice := w.addAttachment(w.Ticket.ID, internal.ID, ticket.Internal)
		video := w.addAttachment(w.Ticket.ID, uuid.Nil, ticket.Public)
		other := w.addTicket(w.newTicket("Display flickers"))
		elsewhere := w.addAttachment(other.ID, uuid.Nil, ticket.Public)

		all, err := listAttachments(ctx, s, w.Tenant.ID, w.Ticket.ID, true)
		require.NoError(t, err)
		assertSame(t, cloneAll([]*ticket.Attachment{media, manual, invoice, video}), all, "with internal ones, oldest first")
		public2, err := listAttachments(ctx, s, w.Tenant.ID, w.Ticket.ID, false)
		require.NoError(t, err)
		assertSame(t, cloneAll([]*ticket.Attachment{media, manual, video}), public2, "without internal ones, oldest first")
		got, err := listAttachments(ctx, s, w.Tenant.ID, other.ID, true)
		require.NoError(t, err)
		assertSame(t, []*ticket.Attachment{clone(elsewhere)}, got, "the other ticket's")
		got, err = listAttachments(ctx, s, w.Tenant.ID, newID(), true)
		require.NoError(t, err)
		assert.Empty(t, got, "a ticket never created")
	})

	t.Run("CountMedia", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		msg := w.addMessage(w.Ticket.ID, ticket.Public, "See attached.")
		count := func(t *testing.T, ticketID uuid.UUID, want int, msg string) {
			t.Helper()
			n, err := s.CountMedia(ctx, w.Tenant.ID, ticketID)
			require.NoError(t, err)
			assert.Equal(t, want, n, msg)
		}
		count(t, w.Ticket.ID, 0, "a ticket without attachments")
		w.addAttachment(w.Ticket.ID, uuid.Nil, ticket.Public)
		w.addAttachment(w.Ticket.ID, msg.ID, ticket.Public)
		w.addAttachment(w.Ticket.ID, uuid.Nil, ticket.Public)
		other := w.addTicket(w.newTicket("Display flickers"))
		w.addAttachment(other.ID, uuid.Nil, ticket.Public)
		report := w.newAttachment(w.Ticket.ID, uuid.Nil, ticket.Public)
		report.Uploader = tenant.Ref{Kind: tenant.ActorSystem, Name: "system"}
		require.NoError(t, s.CreateAttachment(ctx, report))
		count(t, w.Ticket.ID, 2, "the ticket's media, not its messages' attachments nor the system's files")
		count(t, other.ID, 1, "the other ticket's")
	})

	t.Run("DuplicateID", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		a := w.addAttachment(w.Ticket.ID, uuid.Nil, ticket.Public)
		dup := w.newAttachment(w.Ticket.ID, uuid.Nil, ticket.Public)
		dup.ID = a.ID
		assert.ErrorIs(t, s.CreateAttachment(ctx, dup), storage.ErrConflict)
		got, err := s.GetAttachment(ctx, w.Tenant.ID, a.ID)
		require.NoError(t, err)
		assertSame(t, clone(a), got, "a rejected create changed the attachment")
	})

	t.Run("Missing", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		other := a.addTicket(a.newTicket("Display flickers"))
		msg := a.addMessage(other.ID, ticket.Public, "On the other ticket.")
		foreignMsg := b.addMessage(b.Ticket.ID, ticket.Public, "In another tenant.")
		for name, att := range map[string]*ticket.Attachment{
			"Ticket":                a.newAttachment(newID(), uuid.Nil, ticket.Public),
			"ForeignTicket":         a.newAttachment(b.Ticket.ID, uuid.Nil, ticket.Public),
			"Message":               a.newAttachment(a.Ticket.ID, newID(), ticket.Public),
			"MessageOfOtherTicket":  a.newAttachment(a.Ticket.ID, msg.ID, ticket.Public),
			"ForeignMessage":        a.newAttachment(a.Ticket.ID, foreignMsg.ID, ticket.Public),
			"ForeignTicketMessage":  a.newAttachment(b.Ticket.ID, foreignMsg.ID, ticket.Public),
			"MissingTicketsMessage": a.newAttachment(newID(), msg.ID, ticket.Public),
		} {
			assert.ErrorIs(t, s.CreateAttachment(ctx, att), storage.ErrNotFound, name)
			_, err := s.GetAttachment(ctx, a.Tenant.ID, att.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound, "%s: a refused attachment was stored", name)
		}
	})

	t.Run("GetMissing", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		att := a.addAttachment(a.Ticket.ID, uuid.Nil, ticket.Public)
		_, err := s.GetAttachment(ctx, a.Tenant.ID, newID())
		assert.ErrorIs(t, err, storage.ErrNotFound, "an unknown ID")
		_, err = s.GetAttachment(ctx, b.Tenant.ID, att.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "read through another tenant")
	})

	t.Run("InTx", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		att := w.newAttachment(w.Ticket.ID, uuid.Nil, ticket.Public)
		err := s.InTx(ctx, func(q storage.Queries) error {
			if err := q.CreateAttachment(ctx, att); err != nil {
				return err
			}
			n, err := q.CountMedia(ctx, w.Tenant.ID, w.Ticket.ID)
			assert.Equal(t, 1, n, "a transaction counts its own attachments")
			if err != nil {
				return err
			}
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		_, err = s.GetAttachment(ctx, w.Tenant.ID, att.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "a rolled back attachment")
	})
}
