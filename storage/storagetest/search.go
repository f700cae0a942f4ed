package storagetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sameSet reports whether a and b hold the same IDs.
func sameSet(a, b []uuid.UUID) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[uuid.UUID]bool{}
	for _, id := range a {
		in[id] = true
	}
	for _, id := range b {
		if !in[id] {
			return false
		}
	}
	return true
}

// searchPages returns the tickets of every page of a search for text, calling between after
// each page that has a next one.
func searchPages(t *testing.T, s storage.Store, tenantID uuid.UUID, text string, limit int, between func()) []uuid.UUID {
	t.Helper()
	var got []uuid.UUID
	next := ""
	for range 1000 {
		page, err := s.ListTickets(context.Background(), tenantID, storage.TicketFilter{Text: text}, storage.PageRequest{Limit: limit, After: next})
		require.NoError(t, err)
		got = append(got, ticketIDs(page.Items)...)
		if next = page.Next; next == "" {
			return got
		}
		between()
	}
	require.FailNow(t, "a search with a thousand pages")
	return nil
}

// testSearch checks TicketFilter.Text: the words it finds (folded, in five languages, as
// prefixes), the messages it reads (internal ones only with TextInternal), its order
// (relevance, then newest first), its pages, and that every write keeps it in step.
func testSearch(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	w := newWorld(t, s, "Search")
	other := newWorld(t, s, "Other tenant")
	add := func(title, description string) *ticket.Ticket {
		t.Helper()
		tk := w.newTicket(title)
		tk.Description = description
		return w.addTicket(tk)
	}
	de := add("Gerät von Herrn Müller", "Die Anzeige bleibt dunkel, Größe unbekannt.")
	fr := add("ÉCRAN noir", "L'appareil redémarre tout seul; l'œuvre est finie.")
	es := add("El equipo no enciende", "Después del corte de luz no hay señal.")
	pl := add("Urządzenie w Łodzi", "Nie łączy się z siecią, źdźbło.")
	en := add("Pump alarm", "Occlusion warning every ten minutes.")
	msgs := add("Quiet ticket", "Nothing to see.")
	w.addMessage(msgs.ID, ticket.Public, "The technician found a cracked impeller.")
	w.addMessage(msgs.ID, ticket.Internal, "Staff only: warranty voided by misuse.")
	foreign := other.newTicket("Pump alarm in another tenant")
	foreign.Description = "Müller écran impeller warranty"
	other.addTicket(foreign)

	search := func(t *testing.T, text string, internal bool) []uuid.UUID {
		t.Helper()
		page, err := s.ListTickets(ctx, w.Tenant.ID, storage.TicketFilter{Text: text, TextInternal: internal}, storage.PageRequest{Limit: storage.MaxPageSize})
		require.NoError(t, err, "search %q", text)
		assert.Empty(t, page.Next)
		return ticketIDs(page.Items)
	}
	ids := func(ts ...*ticket.Ticket) []uuid.UUID {
		out := []uuid.UUID{}
		for _, tk := range ts {
			out = append(out, tk.ID)
		}
		return out
	}

	t.Run("Words", func(t *testing.T) {
		for _, c := range []struct {
			text     string
			internal bool
			want     []*ticket.Ticket
		}{
			{text: "muller", want: []*ticket.Ticket{de}},
			{text: "MÜLLER", want: []*ticket.Ticket{de}},
			{text: "grosse", want: []*ticket.Ticket{de}},
			{text: "Größe", want: []*ticket.Ticket{de}},
			{text: "ecran", want: []*ticket.Ticket{fr}},
			{text: "Écran", want: []*ticket.Ticket{fr}},
			{text: "oeuvre", want: []*ticket.Ticket{fr}},
			{text: "redemarre", want: []*ticket.Ticket{fr}},
			{text: "SENAL", want: []*ticket.Ticket{es}},
			{text: "despues", want: []*ticket.Ticket{es}},
			{text: "lodzi", want: []*ticket.Ticket{pl}},
			{text: "ŁĄCZY", want: []*ticket.Ticket{pl}},
			{text: "zdzblo", want: []*ticket.Ticket{pl}},
			{text: "occlusion", want: []*ticket.Ticket{en}},
			{text: "occ", want: []*ticket.Ticket{en}},
			{text: "occ ", want: nil},
			{text: "pump alarm", want: []*ticket.Ticket{en}},
			{text: "pump dunkel", want: nil},
			{text: "geraet", want: nil},
			{text: "impeller", want: []*ticket.Ticket{msgs}},
			{text: "cracked impel", want: []*ticket.Ticket{msgs}},
			{text: "warranty", want: nil},
			{text: "warranty", internal: true, want: []*ticket.Ticket{msgs}},
			{text: "impeller warranty", internal: true, want: []*ticket.Ticket{msgs}},
			{text: "impeller warranty", want: nil},
			{text: "quiet impeller", want: []*ticket.Ticket{msgs}},
			{text: en.Ref(), want: []*ticket.Ticket{en}},
			{text: fmt.Sprint(en.Number) + " ", want: []*ticket.Ticket{en}},
			{text: "rita@example.com", want: []*ticket.Ticket{w.Ticket, de, fr, es, pl, en, msgs}},
			{text: "?!", want: nil},
		} {
			t.Run(c.text, func(t *testing.T) {
				assert.ElementsMatch(t, ids(c.want...), search(t, c.text, c.internal))
			})
		}
	})

	t.Run("SyntaxIsQuoted", func(t *testing.T) {
		for _, text := range []string{`"`, `'`, `''`, `*`, `:*`, `a:*B`, `(pump`, `pump)`, `!pump`, `pump & | !`,
			`NEAR(pump alarm)`, `pump OR alarm`, `NOT pump`, `pump AND`, `{title}: pump`, `^pump`, `pump -alarm`, `\`, "\x00", "\xff"} {
			_, err := s.ListTickets(ctx, w.Tenant.ID, storage.TicketFilter{Text: text}, storage.PageRequest{})
			assert.NoError(t, err, "search %q", text)
		}
		assert.Equal(t, ids(en), search(t, `"pump" 'alarm'`, false))
	})

	t.Run("Relevance", func(t *testing.T) {
		rw := newWorld(t, s, "Relevance")
		body := rw.addTicket(rw.newTicket("Routine visit"))
		rw.addMessage(body.ID, ticket.Public, "The gasket was replaced.")
		title := rw.addTicket(rw.newTicket("Gasket worn"))
		older := rw.newTicket("Gasket leaking")
		rw.addTicket(older)
		newer := rw.addTicket(rw.newTicket("Gasket cracked"))
		page, err := s.ListTickets(ctx, rw.Tenant.ID, storage.TicketFilter{Text: "gasket"}, storage.PageRequest{})
		require.NoError(t, err)
		got := ticketIDs(page.Items)
		require.Len(t, got, 4)
		assert.Equal(t, body.ID, got[3], "a word in a message ranks below the same word in a title")
		assert.Equal(t, []uuid.UUID{newer.ID, older.ID, title.ID}, got[:3], "equal relevance: newest first")
	})

	t.Run("Pages", func(t *testing.T) {
		pw := newWorld(t, s, "Pages")
		const n = 1030 // beyond the 1,000 newest matches that relevance orders
		var want []uuid.UUID
		require.NoError(t, s.InTx(ctx, func(q storage.Queries) error {
			for i := range n {
				tk := pw.newTicket(fmt.Sprintf("Filter %d", i))
				// Every third ranks higher, and so does the newest match outside the window,
				// which must still come after the window.
				if i%3 == 0 || i == n-1001 {
					tk.Title = fmt.Sprintf("Filter filter clogged %d", i) // ranks higher
				}
				if err := q.CreateTicket(ctx, tk); err != nil {
					return err
				}
				want = append(want, tk.ID)
			}
			return nil
		}))
		late := map[uuid.UUID]bool{}
		got := searchPages(t, s, pw.Tenant.ID, "filte", 70, func() {
			// A match added while paging: keyset pages neither repeat nor skip a ticket for it.
			late[pw.addTicket(pw.newTicket("Filter late")).ID] = true
		})
		seen := map[uuid.UUID]bool{}
		var old []uuid.UUID
		for _, id := range got {
			require.False(t, seen[id], "ticket %s listed twice", id)
			seen[id] = true
			if !late[id] {
				old = append(old, id)
			}
		}
		require.Len(t, old, n, "every match once")
		assert.True(t, sameSet(want[n-1000:], old[:1000]), "the newest 1,000 matches first")
		assert.Equal(t, newestFirst(want[:n-1000]), old[1000:], "then the older ones, newest first")
		assert.Equal(t, want[n-1], old[0], "the best match first: the newest of those with the word twice")

		_, err := s.ListTickets(ctx, pw.Tenant.ID, storage.TicketFilter{}, storage.PageRequest{After: "x"})
		assert.ErrorIs(t, err, storage.ErrInvalidCursor)
		first, err := s.ListTickets(ctx, pw.Tenant.ID, storage.TicketFilter{}, storage.PageRequest{Limit: 2})
		require.NoError(t, err)
		_, err = s.ListTickets(ctx, pw.Tenant.ID, storage.TicketFilter{Text: "filter"}, storage.PageRequest{After: first.Next})
		assert.ErrorIs(t, err, storage.ErrInvalidCursor, "a listing's cursor is not a search's")
	})

	t.Run("WrittenOutOfOrder", func(t *testing.T) {
		// Tickets stored in another order than their IDs (the newest first): the window is
		// still the newest 1,000 matches by ID, however the index numbers their documents.
		ow := newWorld(t, s, "OutOfOrder")
		const n = 1100
		made := make([]*ticket.Ticket, n)
		for i := range made {
			made[i] = ow.newTicket(fmt.Sprintf("Bracket %d", i))
		}
		require.NoError(t, s.InTx(ctx, func(q storage.Queries) error {
			for _, tk := range slices.Backward(made) {
				if err := q.CreateTicket(ctx, tk); err != nil {
					return err
				}
			}
			return nil
		}))
		var want []uuid.UUID
		for _, tk := range made {
			want = append(want, tk.ID)
		}
		got := searchPages(t, s, ow.Tenant.ID, "bracket", 100, func() {})
		require.Len(t, got, n, "every match once")
		assert.True(t, sameSet(want[n-1000:], got[:1000]), "the newest 1,000 matches first")
		assert.Equal(t, newestFirst(want[:n-1000]), got[1000:], "then the older ones, newest first")
	})

	t.Run("SparsePages", func(t *testing.T) {
		// A word in one ticket in five: the 1,000 newest matches lie beyond the newest
		// thousands of tickets, so the window is not found by walking those.
		sw := newWorld(t, s, "SparsePages")
		const n, every = 5200, 5
		var want []uuid.UUID
		require.NoError(t, s.InTx(ctx, func(q storage.Queries) error {
			for i := range n {
				tk := sw.newTicket(fmt.Sprintf("Valve %d", i))
				if i%every == 0 {
					tk.Title = fmt.Sprintf("Sprocket %d", i)
					if i%(2*every) == 0 {
						tk.Title = fmt.Sprintf("Sprocket sprocket %d", i) // ranks higher
					}
					want = append(want, tk.ID)
				}
				if err := q.CreateTicket(ctx, tk); err != nil {
					return err
				}
			}
			return nil
		}))
		got := searchPages(t, s, sw.Tenant.ID, "sprocket", 100, func() {})
		m := len(want)
		require.Len(t, got, m, "every match once")
		assert.True(t, sameSet(want[m-1000:], got[:1000]), "the newest 1,000 matches first")
		assert.Equal(t, newestFirst(want[:m-1000]), got[1000:], "then the older ones, newest first")
	})

	t.Run("Writes", func(t *testing.T) {
		ww := newWorld(t, s, "Writes")
		tk := ww.addTicket(ww.newTicket("Compressor trips"))
		ww.addMessage(tk.ID, ticket.Public, "Fuse replaced twice.")
		ww.addMessage(tk.ID, ticket.Internal, "Supplier recall suspected.")
		find := func(text string, internal bool) []uuid.UUID {
			t.Helper()
			page, err := s.ListTickets(ctx, ww.Tenant.ID, storage.TicketFilter{Text: text, TextInternal: internal}, storage.PageRequest{})
			require.NoError(t, err)
			return ticketIDs(page.Items)
		}
		tk.Title, tk.Description = "Chiller trips", "Seit Montag: Überhitzung"
		tk.Requester.Name = "Zoë Kowalczyk"
		require.NoError(t, s.UpdateTicket(ctx, tk))
		assert.Empty(t, find("compressor", true), "the old title is gone")
		for _, text := range []string{"chiller", "uberhitzung", "zoe", "fuse"} {
			assert.Equal(t, []uuid.UUID{tk.ID}, find(text, false), "%q after the edit", text)
		}
		assert.Equal(t, []uuid.UUID{tk.ID}, find("recall", true), "internal words survive the edit")
		assert.Empty(t, find("recall", false))

		tk.Description = "Seit Montag: Kältemittel fehlt" // the description alone
		require.NoError(t, s.UpdateTicket(ctx, tk))
		assert.Equal(t, []uuid.UUID{tk.ID}, find("kaltemittel", false))
		assert.Empty(t, find("uberhitzung", false))
		tk.Requester.Email = "zoe@kaltefirma.test" // the requester alone
		require.NoError(t, s.UpdateTicket(ctx, tk))
		assert.Equal(t, []uuid.UUID{tk.ID}, find("kaltefirma", false))

		tk.State = ticket.StateAssigned // a change that leaves the text alone
		require.NoError(t, s.UpdateTicket(ctx, tk))
		assert.Equal(t, []uuid.UUID{tk.ID}, find("chiller fuse", false))

		require.NoError(t, s.DeleteTicket(ctx, ww.Tenant.ID, tk.ID))
		assert.Empty(t, find("chiller", true))
		again := ww.addTicket(ww.newTicket("Chiller again"))
		assert.Equal(t, []uuid.UUID{again.ID}, find("chiller", true))
	})

	t.Run("OtherTenant", func(t *testing.T) {
		for _, text := range []string{"pump alarm", "muller", "ecran", "impeller", "warranty", "another"} {
			page, err := s.ListTickets(ctx, w.Tenant.ID, storage.TicketFilter{Text: text, TextInternal: true}, storage.PageRequest{})
			require.NoError(t, err)
			assert.NotContains(t, ticketIDs(page.Items), foreign.ID, "search %q", text)
		}
	})
}
