package storagetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testIsolation checks that nothing of one tenant is read, listed, counted or deleted through
// another. The single-record reads and updates are checked per type by the entity tests.
func testIsolation(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	a := newWorld(t, s, "Tenant A")
	a.addMessage(a.Ticket.ID, ticket.Public, "public")
	a.addMessage(a.Ticket.ID, ticket.Internal, "internal")
	a.addHistory(a.Ticket.ID, uuid.Nil, "accept")
	a.addHistory(a.Ticket.ID, a.Session.ID, "session.propose")
	due := a.tick().Add(time.Hour)
	aTimers := []*ticket.Timer{
		a.armTimer(a.Ticket.ID, uuid.Nil, ticket.TimerOfferTimeout, due),
		a.armTimer(a.Ticket.ID, a.Session.ID, ticket.TimerInvitationExpiry, due.Add(time.Second)),
	}
	aMedia := a.addAttachment(a.Ticket.ID, uuid.Nil, ticket.Public)
	b := newWorld(t, s, "Tenant B")
	empty := newTenant("Tenant without records", now())
	require.NoError(t, s.CreateTenant(ctx, empty))

	t.Run("GetTicketByNumber", func(t *testing.T) {
		got, err := s.GetTicketByNumber(ctx, a.Tenant.ID, a.Ticket.Number)
		require.NoError(t, err)
		assertSame(t, clone(a.Ticket), got)

		_, err = s.GetTicketByNumber(ctx, empty.ID, a.Ticket.Number)
		assert.ErrorIs(t, err, storage.ErrNotFound, "another tenant's number")
		_, err = s.GetTicketByNumber(ctx, a.Tenant.ID, a.Ticket.Number+1000)
		assert.ErrorIs(t, err, storage.ErrNotFound, "a number never used")
	})

	t.Run("GetTicketForUpdate", func(t *testing.T) {
		var got *ticket.Ticket
		require.NoError(t, s.InTx(ctx, func(q storage.Queries) error {
			var err error
			got, err = q.GetTicketForUpdate(ctx, a.Tenant.ID, a.Ticket.ID)
			if err != nil {
				return err
			}
			_, err = q.GetTicketForUpdate(ctx, b.Tenant.ID, a.Ticket.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound, "through another tenant")
			_, err = q.GetTicketForUpdate(ctx, a.Tenant.ID, uuid.Must(uuid.NewV7()))
			assert.ErrorIs(t, err, storage.ErrNotFound, "a ticket never stored")
			return nil
		}))
		assertSame(t, clone(a.Ticket), got)
	})

	t.Run("ListCustomers", func(t *testing.T) {
		got, err := s.ListCustomers(ctx, b.Tenant.ID)
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, b.Customer.ID, got[0].ID)
		got, err = s.ListCustomers(ctx, empty.ID)
		require.NoError(t, err)
		assert.Empty(t, got)
	})

	t.Run("ListDepartments", func(t *testing.T) {
		got, err := s.ListDepartments(ctx, b.Tenant.ID)
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, b.Department.ID, got[0].ID)
		got, err = s.ListDepartments(ctx, empty.ID)
		require.NoError(t, err)
		assert.Empty(t, got)
	})

	t.Run("ListProjects", func(t *testing.T) {
		got, err := s.ListProjects(ctx, b.Tenant.ID)
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, b.Project.ID, got[0].ID)
		got, err = s.ListProjects(ctx, empty.ID)
		require.NoError(t, err)
		assert.Empty(t, got)
	})

	t.Run("ListTemplates", func(t *testing.T) {
		got, err := s.ListTemplates(ctx, b.Tenant.ID)
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, b.Template.ID, got[0].ID)
		got, err = s.ListTemplates(ctx, empty.ID)
		require.NoError(t, err)
		assert.Empty(t, got)
	})

	t.Run("ListDevices", func(t *testing.T) {
		page, err := s.ListDevices(ctx, b.Tenant.ID, storage.DeviceFilter{}, storage.PageRequest{})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		assert.Equal(t, b.Device.ID, page.Items[0].ID)
		// The filters name A's records: they must not open a door into A.
		page, err = s.ListDevices(ctx, b.Tenant.ID, storage.DeviceFilter{CustomerID: a.Customer.ID}, storage.PageRequest{})
		require.NoError(t, err)
		assert.Empty(t, page.Items, "filtered by another tenant's customer")
		page, err = s.ListDevices(ctx, empty.ID, storage.DeviceFilter{}, storage.PageRequest{})
		require.NoError(t, err)
		assert.Empty(t, page.Items)
	})

	t.Run("ListCodes", func(t *testing.T) {
		got, err := s.ListCodes(ctx, b.Tenant.ID, a.Device.ID)
		require.NoError(t, err)
		assert.Empty(t, got, "another tenant's device")
		got, err = s.ListCodes(ctx, b.Tenant.ID, b.Device.ID)
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, b.Code.ID, got[0].ID)
	})

	t.Run("ListTickets", func(t *testing.T) {
		page, err := s.ListTickets(ctx, b.Tenant.ID, storage.TicketFilter{}, storage.PageRequest{})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		assert.Equal(t, b.Ticket.ID, page.Items[0].ID)
		page, err = s.ListTickets(ctx, b.Tenant.ID, storage.TicketFilter{DeviceID: a.Device.ID}, storage.PageRequest{})
		require.NoError(t, err)
		assert.Empty(t, page.Items, "filtered by another tenant's device")
		page, err = s.ListTickets(ctx, empty.ID, storage.TicketFilter{Text: "pump"}, storage.PageRequest{})
		require.NoError(t, err)
		assert.Empty(t, page.Items)
	})

	t.Run("CountTickets", func(t *testing.T) {
		got, err := s.CountTickets(ctx, b.Tenant.ID, storage.CountFilter{})
		require.NoError(t, err)
		assert.Equal(t, map[ticket.State]int{b.Ticket.State: 1}, got)
		got, err = s.CountTickets(ctx, b.Tenant.ID, storage.CountFilter{CustomerID: a.Customer.ID})
		require.NoError(t, err)
		assert.Empty(t, got, "counted by another tenant's customer")
		got, err = s.CountTickets(ctx, empty.ID, storage.CountFilter{})
		require.NoError(t, err)
		assert.Empty(t, got)
	})

	t.Run("ListStatuses", func(t *testing.T) {
		got, err := s.ListStatuses(ctx, b.Tenant.ID)
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, b.Status.ID, got[0].ID)
		got, err = s.ListStatuses(ctx, empty.ID)
		require.NoError(t, err)
		assert.Empty(t, got)
	})

	t.Run("ListPriorities", func(t *testing.T) {
		got, err := s.ListPriorities(ctx, b.Tenant.ID)
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, b.Priority.ID, got[0].ID)
		got, err = s.ListPriorities(ctx, empty.ID)
		require.NoError(t, err)
		assert.Empty(t, got)
	})

	t.Run("TicketChildren", func(t *testing.T) {
		msgs, err := listMessages(ctx, s, b.Tenant.ID, a.Ticket.ID, true)
		require.NoError(t, err)
		assert.Empty(t, msgs, "messages of another tenant's ticket")
		hist, err := listHistory(ctx, s, b.Tenant.ID, a.Ticket.ID)
		require.NoError(t, err)
		assert.Empty(t, hist, "history of another tenant's ticket")
		sessions, err := listSessions(ctx, s, b.Tenant.ID, a.Ticket.ID)
		require.NoError(t, err)
		assert.Empty(t, sessions, "sessions of another tenant's ticket")

		// A's own view is intact, so the empty lists above are not a broken listing.
		msgs, err = listMessages(ctx, s, a.Tenant.ID, a.Ticket.ID, true)
		require.NoError(t, err)
		assert.Len(t, msgs, 2)
		for _, m := range msgs {
			assert.Equal(t, a.Tenant.ID, m.TenantID)
		}
		hist, err = listHistory(ctx, s, a.Tenant.ID, a.Ticket.ID)
		require.NoError(t, err)
		assert.Len(t, hist, 2)
		sessions, err = listSessions(ctx, s, a.Tenant.ID, a.Ticket.ID)
		require.NoError(t, err)
		assert.Len(t, sessions, 1)
	})

	t.Run("Timers", func(t *testing.T) {
		got, err := s.ListTimers(ctx, b.Tenant.ID, a.Ticket.ID)
		require.NoError(t, err)
		assert.Empty(t, got, "timers of another tenant's ticket")
		n, err := s.CancelTimers(ctx, b.Tenant.ID, storage.TimerScope{TicketID: a.Ticket.ID})
		require.NoError(t, err)
		assert.Zero(t, n, "timers cancelled through another tenant")
		fired, err := s.FireTimer(ctx, b.Tenant.ID, aTimers[0].ID, aTimers[0].Attempts)
		require.NoError(t, err)
		assert.False(t, fired, "a timer fired through another tenant")
		require.NoError(t, s.RetryTimer(ctx, b.Tenant.ID, aTimers[0].ID, aTimers[0].Attempts, due.Add(time.Hour), "foreign"))
		// Armed by tenant B on A's ticket: the subject is not B's, and A's timer of that kind
		// must not be replaced.
		foreign := b.newTimer(a.Ticket.ID, uuid.Nil, ticket.TimerOfferTimeout, due.Add(time.Hour))
		assert.ErrorIs(t, s.ArmTimer(ctx, foreign), storage.ErrNotFound, "armed on another tenant's ticket")
		foreign = b.newTimer(a.Ticket.ID, a.Session.ID, ticket.TimerInvitationExpiry, due.Add(time.Hour))
		assert.ErrorIs(t, s.ArmTimer(ctx, foreign), storage.ErrNotFound, "armed on another tenant's session")

		got, err = s.ListTimers(ctx, a.Tenant.ID, a.Ticket.ID)
		require.NoError(t, err)
		assertSame(t, cloneAll(aTimers), got, "A's timers, untouched")
	})

	t.Run("Attachments", func(t *testing.T) {
		_, err := s.GetAttachment(ctx, b.Tenant.ID, aMedia.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "read through another tenant")
		got, err := listAttachments(ctx, s, b.Tenant.ID, a.Ticket.ID, true)
		require.NoError(t, err)
		assert.Empty(t, got, "attachments of another tenant's ticket")
		n, err := s.CountMedia(ctx, b.Tenant.ID, a.Ticket.ID)
		require.NoError(t, err)
		assert.Zero(t, n, "media of another tenant's ticket")
		assert.ErrorIs(t, s.CreateAttachment(ctx, b.newAttachment(a.Ticket.ID, uuid.Nil, ticket.Public)), storage.ErrNotFound,
			"attached to another tenant's ticket")

		got, err = listAttachments(ctx, s, a.Tenant.ID, a.Ticket.ID, true)
		require.NoError(t, err)
		assertSame(t, []*ticket.Attachment{clone(aMedia)}, got, "A's attachments, untouched")
		n, err = s.CountMedia(ctx, a.Tenant.ID, a.Ticket.ID)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
	})

	t.Run("RecordCodeScan", func(t *testing.T) {
		err := s.RecordCodeScan(ctx, b.Tenant.ID, a.Code.ID, now())
		assert.ErrorIs(t, err, storage.ErrNotFound)
		got, err := s.GetCode(ctx, a.Tenant.ID, a.Code.ID)
		require.NoError(t, err)
		assert.Zero(t, got.ScanCount, "a scan through another tenant counted")
		assert.Nil(t, got.LastScanAt)
	})

	t.Run("DeleteTicket", func(t *testing.T) {
		err := s.DeleteTicket(ctx, b.Tenant.ID, a.Ticket.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)
		got, err := s.GetTicket(ctx, a.Tenant.ID, a.Ticket.ID)
		require.NoError(t, err, "the ticket survives a delete through another tenant")
		assertSame(t, clone(a.Ticket), got)
		msgs, err := listMessages(ctx, s, a.Tenant.ID, a.Ticket.ID, true)
		require.NoError(t, err)
		assert.Len(t, msgs, 2, "the ticket's messages survive")
		_, err = s.GetSession(ctx, a.Tenant.ID, a.Session.ID)
		assert.NoError(t, err, "the ticket's session survives")
		timers, err := s.ListTimers(ctx, a.Tenant.ID, a.Ticket.ID)
		require.NoError(t, err)
		assert.Len(t, timers, len(aTimers), "the ticket's timers survive")
		_, err = s.GetAttachment(ctx, a.Tenant.ID, aMedia.ID)
		assert.NoError(t, err, "the ticket's attachment survives")
	})
}

// testDeleteTicket checks that a deleted ticket takes its messages, history, sessions, timers and
// attachments along and nothing else.
func testDeleteTicket(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()

	t.Run("RemovesChildren", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		doomed := w.Ticket
		w.addMessage(doomed.ID, ticket.Public, "public")
		w.addMessage(doomed.ID, ticket.Internal, "internal")
		w.addHistory(doomed.ID, uuid.Nil, "accept")
		w.addHistory(doomed.ID, w.Session.ID, "session.propose")
		second := w.addSession(doomed.ID)
		due := w.tick().Add(time.Hour)
		doomedTimers := []*ticket.Timer{
			w.armTimer(doomed.ID, uuid.Nil, ticket.TimerExpiration, due),
			w.armTimer(doomed.ID, second.ID, ticket.TimerReminder, due),
		}
		doomedMsg := w.addMessage(doomed.ID, ticket.Public, "with a photo")
		doomedFiles := []*ticket.Attachment{
			w.addAttachment(doomed.ID, uuid.Nil, ticket.Public),
			w.addAttachment(doomed.ID, doomedMsg.ID, ticket.Public),
		}

		kept := w.addTicket(w.newTicket("Display flickers"))
		keptMsg := w.addMessage(kept.ID, ticket.Public, "kept")
		keptHist := w.addHistory(kept.ID, uuid.Nil, "accept")
		keptSession := w.addSession(kept.ID)
		keptTimer := w.armTimer(kept.ID, keptSession.ID, ticket.TimerReminder, due)
		keptFile := w.addAttachment(kept.ID, keptMsg.ID, ticket.Public)

		require.NoError(t, s.DeleteTicket(ctx, w.Tenant.ID, doomed.ID))

		_, err := s.GetTicket(ctx, w.Tenant.ID, doomed.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "GetTicket")
		_, err = s.GetTicketByNumber(ctx, w.Tenant.ID, doomed.Number)
		assert.ErrorIs(t, err, storage.ErrNotFound, "GetTicketByNumber")
		for _, id := range []uuid.UUID{w.Session.ID, second.ID} {
			_, err = s.GetSession(ctx, w.Tenant.ID, id)
			assert.ErrorIs(t, err, storage.ErrNotFound, "GetSession")
		}
		msgs, err := listMessages(ctx, s, w.Tenant.ID, doomed.ID, true)
		require.NoError(t, err)
		assert.Empty(t, msgs, "ListMessages")
		hist, err := listHistory(ctx, s, w.Tenant.ID, doomed.ID)
		require.NoError(t, err)
		assert.Empty(t, hist, "ListHistory")
		sessions, err := listSessions(ctx, s, w.Tenant.ID, doomed.ID)
		require.NoError(t, err)
		assert.Empty(t, sessions, "ListSessions")
		assert.Empty(t, listTimers(t, s, w.Tenant.ID, doomed.ID), "ListTimers")
		for _, tm := range doomedTimers {
			fired, err := s.FireTimer(ctx, w.Tenant.ID, tm.ID, tm.Attempts)
			require.NoError(t, err)
			assert.False(t, fired, "a deleted ticket's timer fired")
		}
		files, err := listAttachments(ctx, s, w.Tenant.ID, doomed.ID, true)
		require.NoError(t, err)
		assert.Empty(t, files, "ListAttachments")
		for _, f := range doomedFiles {
			_, err = s.GetAttachment(ctx, w.Tenant.ID, f.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound, "GetAttachment")
		}
		media, err := s.CountMedia(ctx, w.Tenant.ID, doomed.ID)
		require.NoError(t, err)
		assert.Zero(t, media, "CountMedia")

		page, err := s.ListTickets(ctx, w.Tenant.ID, storage.TicketFilter{}, storage.PageRequest{})
		require.NoError(t, err)
		assert.Equal(t, ticketIDs([]*ticket.Ticket{kept}), ticketIDs(page.Items), "ListTickets")
		counts, err := s.CountTickets(ctx, w.Tenant.ID, storage.CountFilter{})
		require.NoError(t, err)
		assert.Equal(t, map[ticket.State]int{kept.State: 1}, counts, "CountTickets")

		// The other ticket keeps everything.
		got, err := s.GetTicket(ctx, w.Tenant.ID, kept.ID)
		require.NoError(t, err)
		assertSame(t, clone(kept), got)
		msgs, err = listMessages(ctx, s, w.Tenant.ID, kept.ID, true)
		require.NoError(t, err)
		assertSame(t, []*ticket.Message{clone(keptMsg)}, msgs)
		hist, err = listHistory(ctx, s, w.Tenant.ID, kept.ID)
		require.NoError(t, err)
		assertSame(t, []*ticket.HistoryEntry{clone(keptHist)}, hist)
		sessions, err = listSessions(ctx, s, w.Tenant.ID, kept.ID)
		require.NoError(t, err)
		assertSame(t, []*ticket.Session{clone(keptSession)}, sessions)
		assertSame(t, []*ticket.Timer{clone(keptTimer)}, listTimers(t, s, w.Tenant.ID, kept.ID))
		files, err = listAttachments(ctx, s, w.Tenant.ID, kept.ID, true)
		require.NoError(t, err)
		assertSame(t, []*ticket.Attachment{clone(keptFile)}, files)

		// The records the ticket referred to are not the ticket's to delete.
		_, err = s.GetDevice(ctx, w.Tenant.ID, w.Device.ID)
		assert.NoError(t, err, "the ticket's device")
		_, err = s.GetCode(ctx, w.Tenant.ID, w.Code.ID)
		assert.NoError(t, err, "the ticket's code")
		_, err = s.GetCustomer(ctx, w.Tenant.ID, w.Customer.ID)
		assert.NoError(t, err, "the ticket's customer")

		assert.ErrorIs(t, s.DeleteTicket(ctx, w.Tenant.ID, doomed.ID), storage.ErrNotFound, "deleting twice")
	})

	t.Run("Missing", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		assert.ErrorIs(t, s.DeleteTicket(ctx, w.Tenant.ID, newID()), storage.ErrNotFound)
	})

	t.Run("InTx", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		w.addMessage(w.Ticket.ID, ticket.Public, "public")
		tm := w.armTimer(w.Ticket.ID, w.Session.ID, ticket.TimerReminder, w.tick().Add(time.Hour))
		file := w.addAttachment(w.Ticket.ID, uuid.Nil, ticket.Public)
		err := s.InTx(ctx, func(q storage.Queries) error {
			if err := q.DeleteTicket(ctx, w.Tenant.ID, w.Ticket.ID); err != nil {
				return err
			}
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		_, err = s.GetTicket(ctx, w.Tenant.ID, w.Ticket.ID)
		assert.NoError(t, err, "a rolled back delete removed the ticket")
		msgs, err := listMessages(ctx, s, w.Tenant.ID, w.Ticket.ID, true)
		require.NoError(t, err)
		assert.Len(t, msgs, 1, "a rolled back delete removed the messages")
		_, err = s.GetSession(ctx, w.Tenant.ID, w.Session.ID)
		assert.NoError(t, err, "a rolled back delete removed the session")
		assertSame(t, []*ticket.Timer{clone(tm)}, listTimers(t, s, w.Tenant.ID, w.Ticket.ID), "a rolled back delete removed the timer")
		_, err = s.GetAttachment(ctx, w.Tenant.ID, file.ID)
		assert.NoError(t, err, "a rolled back delete removed the attachment")
	})
}

// testCodes checks token lookup across tenants, token uniqueness and scan counting.
func testCodes(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()

	t.Run("GetCodeByToken", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		for _, c := range []*device.Code{a.Code, b.Code} {
			got, err := s.GetCodeByToken(ctx, c.Token)
			require.NoError(t, err)
			assertSame(t, clone(c), got)
		}
		_, err := s.GetCodeByToken(ctx, device.NewToken())
		assert.ErrorIs(t, err, storage.ErrNotFound, "a token never issued")
		_, err = s.GetCodeByToken(ctx, "")
		assert.ErrorIs(t, err, storage.ErrNotFound, "an empty token")
		for _, tok := range unstorable {
			_, err = s.GetCodeByToken(ctx, tok)
			assert.ErrorIs(t, err, storage.ErrNotFound, "%q", tok)
		}
	})

	t.Run("DuplicateToken", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		same := a.newCode(a.Device.ID)
		same.Token = a.Code.Token
		assert.ErrorIs(t, s.CreateCode(ctx, same), storage.ErrConflict, "the same tenant")
		// The token alone finds the code, so it must be unique across tenants too.
		foreign := b.newCode(b.Device.ID)
		foreign.Token = a.Code.Token
		assert.ErrorIs(t, s.CreateCode(ctx, foreign), storage.ErrConflict, "another tenant")

		got, err := s.GetCodeByToken(ctx, a.Code.Token)
		require.NoError(t, err)
		assert.Equal(t, a.Code.ID, got.ID)
	})

	t.Run("RecordCodeScan", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		first, second := w.tick(), w.tick()
		require.NoError(t, s.RecordCodeScan(ctx, w.Tenant.ID, w.Code.ID, first))
		got, err := s.GetCode(ctx, w.Tenant.ID, w.Code.ID)
		require.NoError(t, err)
		assert.Equal(t, int64(1), got.ScanCount)
		if assert.NotNil(t, got.LastScanAt) {
			assert.True(t, first.Equal(*got.LastScanAt), "LastScanAt %v, want %v", *got.LastScanAt, first)
		}

		require.NoError(t, s.RecordCodeScan(ctx, w.Tenant.ID, w.Code.ID, second))
		got, err = s.GetCode(ctx, w.Tenant.ID, w.Code.ID)
		require.NoError(t, err)
		assert.Equal(t, int64(2), got.ScanCount)
		if assert.NotNil(t, got.LastScanAt) {
			assert.True(t, second.Equal(*got.LastScanAt), "LastScanAt %v, want %v", *got.LastScanAt, second)
		}
		assert.Equal(t, w.Code.Version, got.Version, "a scan changed the Version")

		// Scans never conflict with edits: the Version read before the scans is still current.
		edit := clone(w.Code)
		edit.Active = false
		edit.UpdatedAt = w.tick()
		require.NoError(t, s.UpdateCode(ctx, edit), "an edit after scans with the Version read before them")
		got, err = s.GetCode(ctx, w.Tenant.ID, w.Code.ID)
		require.NoError(t, err)
		assert.False(t, got.Active, "the edit")
		assert.Equal(t, int64(2), got.ScanCount, "an edit from a struct read before the scans lost them")
		if assert.NotNil(t, got.LastScanAt, "an edit from a struct read before the scans lost them") {
			assert.True(t, second.Equal(*got.LastScanAt), "LastScanAt %v, want %v", *got.LastScanAt, second)
		}
	})

	t.Run("RecordCodeScanMissing", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		assert.ErrorIs(t, s.RecordCodeScan(ctx, w.Tenant.ID, newID(), now()), storage.ErrNotFound)
	})

	t.Run("ListCodes", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		second := w.addCode(w.Device.ID)
		third := w.newCode(w.Device.ID)
		third.ExpiresAt = nil
		third.PINHash = ""
		third.Actions = []device.Action{device.ActionView}
		require.NoError(t, s.CreateCode(ctx, third))
		other := w.addDevice("Pump 2", w.Customer.ID)
		w.addCode(other.ID)

		got, err := s.ListCodes(ctx, w.Tenant.ID, w.Device.ID)
		require.NoError(t, err)
		assertSame(t, []*device.Code{clone(w.Code), clone(second), clone(third)}, got, "the device's codes, oldest first")
	})
}

// unstorable are lookup keys no record can hold, which a lookup by secret, e-mail address or
// room name must answer with ErrNotFound (a visitor's URL or form can carry any of them):
// a NUL byte, which neither engine keeps in text, and bytes that are not UTF-8.
var unstorable = []string{"\x00", "a\x00b", "\xff", "caf\xe9", strings.Repeat("\x00", 43)}
