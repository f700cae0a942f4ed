package storagetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// everyPage walks a listing of a ticket's rows to its end, MaxPageSize rows a page, and
// returns every item in the order listed.
func everyPage[T any](list func(p storage.PageRequest) (storage.Page[T], error)) ([]T, error) {
	var out []T
	p := storage.PageRequest{Limit: storage.MaxPageSize}
	for range 1000 {
		page, err := list(p)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			return out, nil
		}
		p.After = page.Next
	}
	return nil, fmt.Errorf("storagetest: the listing never reaches an empty Next")
}

// listMessages returns every message ListMessages lists on the ticket.
func listMessages(ctx context.Context, q storage.Queries, tenantID, ticketID uuid.UUID, includeInternal bool) ([]*ticket.Message, error) {
	return everyPage(func(p storage.PageRequest) (storage.Page[*ticket.Message], error) {
		return q.ListMessages(ctx, tenantID, ticketID, includeInternal, p)
	})
}

// listHistory returns every history entry ListHistory lists on the ticket with a zero filter.
func listHistory(ctx context.Context, q storage.Queries, tenantID, ticketID uuid.UUID) ([]*ticket.HistoryEntry, error) {
	return everyPage(func(p storage.PageRequest) (storage.Page[*ticket.HistoryEntry], error) {
		return q.ListHistory(ctx, tenantID, ticketID, storage.HistoryFilter{}, p)
	})
}

// listSessions returns every session ListSessions lists on the ticket.
func listSessions(ctx context.Context, q storage.Queries, tenantID, ticketID uuid.UUID) ([]*ticket.Session, error) {
	return everyPage(func(p storage.PageRequest) (storage.Page[*ticket.Session], error) {
		return q.ListSessions(ctx, tenantID, ticketID, p)
	})
}

// listAttachments returns every attachment ListAttachments lists on the ticket.
func listAttachments(ctx context.Context, q storage.Queries, tenantID, ticketID uuid.UUID, includeInternal bool) ([]*ticket.Attachment, error) {
	return everyPage(func(p storage.PageRequest) (storage.Page[*ticket.Attachment], error) {
		return q.ListAttachments(ctx, tenantID, ticketID, includeInternal, p)
	})
}

// idsOf returns a function that turns a page into a page of its items' IDs, to call on a
// listing's results.
func idsOf[T any](id func(T) uuid.UUID) func(storage.Page[T], error) (storage.Page[uuid.UUID], error) {
	return func(page storage.Page[T], err error) (storage.Page[uuid.UUID], error) {
		out := storage.Page[uuid.UUID]{Next: page.Next}
		for _, item := range page.Items {
			out.Items = append(out.Items, id(item))
		}
		return out, err
	}
}

// ticketListing is one paged listing of a ticket's rows, with what the suite needs to fill it.
type ticketListing struct {
	name string
	// add stores the i-th row of a sequence on the ticket through q, with ID id, created at
	// at, and reports whether the listing shows it. It may store other rows the row needs (a
	// message for an attachment), which no listing of the same kind shows.
	add func(q storage.Queries, w *world, ticketID, id uuid.UUID, at time.Time, i int) (bool, error)
	// list reads one page of the listing.
	list func(q storage.Queries, tenantID, ticketID uuid.UUID, p storage.PageRequest) (storage.Page[uuid.UUID], error)
	// other is the ID of a row of the same ticket that another listing shows and this one
	// does not: a cursor naming it must be refused.
	other func(q storage.Queries, w *world, ticketID uuid.UUID) (uuid.UUID, error)
}

// ticketListings are the listings of a ticket's rows, each with and without its filter.
func ticketListings() []ticketListing {
	ctx := context.Background()
	message := func(q storage.Queries, w *world, ticketID uuid.UUID, at time.Time, v ticket.Visibility) (*ticket.Message, error) {
		m := w.newMessage(ticketID, v, "Any news?")
		m.CreatedAt = at
		return m, q.CreateMessage(ctx, m)
	}
	// addMessage stores every other message as an internal one.
	addMessage := func(includeInternal bool) func(q storage.Queries, w *world, ticketID, id uuid.UUID, at time.Time, i int) (bool, error) {
		return func(q storage.Queries, w *world, ticketID, id uuid.UUID, at time.Time, i int) (bool, error) {
			v := ticket.Public
			if i%2 == 1 {
				v = ticket.Internal
			}
			m := w.newMessage(ticketID, v, "Any news?")
			m.ID, m.CreatedAt = id, at
			return includeInternal || v == ticket.Public, q.CreateMessage(ctx, m)
		}
	}
	listMessages := func(includeInternal bool) func(q storage.Queries, tenantID, ticketID uuid.UUID, p storage.PageRequest) (storage.Page[uuid.UUID], error) {
		return func(q storage.Queries, tenantID, ticketID uuid.UUID, p storage.PageRequest) (storage.Page[uuid.UUID], error) {
			return idsOf(func(m *ticket.Message) uuid.UUID { return m.ID })(q.ListMessages(ctx, tenantID, ticketID, includeInternal, p))
		}
	}
	// addHistory cycles through three actions, some of which f leaves out.
	addHistory := func(f storage.HistoryFilter) func(q storage.Queries, w *world, ticketID, id uuid.UUID, at time.Time, i int) (bool, error) {
		return func(q storage.Queries, w *world, ticketID, id uuid.UUID, at time.Time, i int) (bool, error) {
			action := []string{"message", "message.internal", "status"}[i%3]
			h := w.newHistory(ticketID, uuid.Nil, action)
			h.ID, h.At = id, at
			return !slices.Contains(f.ExcludeActions, action), q.AppendHistory(ctx, h)
		}
	}
	listHistory := func(f storage.HistoryFilter) func(q storage.Queries, tenantID, ticketID uuid.UUID, p storage.PageRequest) (storage.Page[uuid.UUID], error) {
		return func(q storage.Queries, tenantID, ticketID uuid.UUID, p storage.PageRequest) (storage.Page[uuid.UUID], error) {
			return idsOf(func(h *ticket.HistoryEntry) uuid.UUID { return h.ID })(q.ListHistory(ctx, tenantID, ticketID, f, p))
		}
	}
	// addAttachment cycles through media, a public message's file and an internal message's.
	addAttachment := func(includeInternal bool) func(q storage.Queries, w *world, ticketID, id uuid.UUID, at time.Time, i int) (bool, error) {
		return func(q storage.Queries, w *world, ticketID, id uuid.UUID, at time.Time, i int) (bool, error) {
			messageID, v := uuid.Nil, ticket.Public
			if i%3 > 0 {
				if i%3 == 2 {
					v = ticket.Internal
				}
				m, err := message(q, w, ticketID, at, v)
				if err != nil {
					return false, err
				}
				messageID = m.ID
			}
			a := w.newAttachment(ticketID, messageID, v)
			a.ID, a.CreatedAt = id, at
			return includeInternal || v == ticket.Public, q.CreateAttachment(ctx, a)
		}
	}
	listAttachments := func(includeInternal bool) func(q storage.Queries, tenantID, ticketID uuid.UUID, p storage.PageRequest) (storage.Page[uuid.UUID], error) {
		return func(q storage.Queries, tenantID, ticketID uuid.UUID, p storage.PageRequest) (storage.Page[uuid.UUID], error) {
			return idsOf(func(a *ticket.Attachment) uuid.UUID { return a.ID })(q.ListAttachments(ctx, tenantID, ticketID, includeInternal, p))
		}
	}
	// A message (or an internal one) is another listing's row on every listing.
	otherMessage := func(v ticket.Visibility) func(q storage.Queries, w *world, ticketID uuid.UUID) (uuid.UUID, error) {
		return func(q storage.Queries, w *world, ticketID uuid.UUID) (uuid.UUID, error) {
			m, err := message(q, w, ticketID, w.tick(), v)
			return m.ID, err
		}
	}
	internalEntry := func(q storage.Queries, w *world, ticketID uuid.UUID) (uuid.UUID, error) {
		h := w.newHistory(ticketID, uuid.Nil, "message.internal")
		return h.ID, q.AppendHistory(ctx, h)
	}
	return []ticketListing{
		{name: "Messages", add: addMessage(true), list: listMessages(true), other: func(q storage.Queries, w *world, ticketID uuid.UUID) (uuid.UUID, error) {
			h := w.newHistory(ticketID, uuid.Nil, "message")
			return h.ID, q.AppendHistory(ctx, h)
		}},
		{name: "PublicMessages", add: addMessage(false), list: listMessages(false), other: otherMessage(ticket.Internal)},
		{name: "History", add: addHistory(storage.HistoryFilter{}), list: listHistory(storage.HistoryFilter{}), other: otherMessage(ticket.Public)},
		{name: "HistoryExcludingOne", add: addHistory(storage.HistoryFilter{ExcludeActions: []string{"message.internal"}}),
			list: listHistory(storage.HistoryFilter{ExcludeActions: []string{"message.internal"}}), other: internalEntry},
		{name: "HistoryExcludingTwo", add: addHistory(storage.HistoryFilter{ExcludeActions: []string{"message.internal", "status"}}),
			list: listHistory(storage.HistoryFilter{ExcludeActions: []string{"message.internal", "status"}}), other: internalEntry},
		{name: "Sessions", add: func(q storage.Queries, w *world, ticketID, id uuid.UUID, at time.Time, _ int) (bool, error) {
			s := w.newSession(ticketID)
			s.ID, s.CreatedAt, s.UpdatedAt = id, at, at
			return true, q.CreateSession(ctx, s)
		}, list: func(q storage.Queries, tenantID, ticketID uuid.UUID, p storage.PageRequest) (storage.Page[uuid.UUID], error) {
			return idsOf(func(s *ticket.Session) uuid.UUID { return s.ID })(q.ListSessions(ctx, tenantID, ticketID, p))
		}, other: otherMessage(ticket.Public)},
		{name: "Attachments", add: addAttachment(true), list: listAttachments(true), other: otherMessage(ticket.Public)},
		{name: "PublicAttachments", add: addAttachment(false), list: listAttachments(false), other: func(q storage.Queries, w *world, ticketID uuid.UUID) (uuid.UUID, error) {
			m, err := message(q, w, ticketID, w.tick(), ticket.Internal)
			if err != nil {
				return uuid.Nil, err
			}
			a := w.newAttachment(ticketID, m.ID, ticket.Internal)
			return a.ID, q.CreateAttachment(ctx, a)
		}},
	}
}

// pageRow is a row stored for a listing: its ID, time and whether the listing shows it.
type pageRow struct {
	id     uuid.UUID
	at     time.Time
	listed bool
}

// chronological returns the IDs of the listed rows in the order the listings must return
// them: by time, then by ID.
func chronological(rows []pageRow) []uuid.UUID {
	rows = slices.Clone(rows)
	slices.SortFunc(rows, func(a, b pageRow) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return bytes.Compare(a.id[:], b.id[:])
	})
	var ids []uuid.UUID
	for _, r := range rows {
		if r.listed {
			ids = append(ids, r.id)
		}
	}
	return ids
}

// pageSizes returns the sizes of the pages of n rows, limit a page: full ones, then the rest;
// one empty page when there are no rows.
func pageSizes(n, limit int) []int {
	sizes := []int{}
	for ; n > limit; n -= limit {
		sizes = append(sizes, limit)
	}
	return append(sizes, n)
}

// testTicketPages checks the keyset pages of a ticket's messages, history, sessions and
// attachments: every row once, oldest first with ties broken by ID, full pages even where the
// listing leaves rows out, the default and maximum limits, rows added while paging, and
// cursors of another ticket, tenant or listing refused with ErrInvalidCursor.
func testTicketPages(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()

	// fillIDs stores rows on a ticket of w, in one transaction, until want of them are listed;
	// at(i) is the time of the i-th row. Their IDs are UUIDv7s made beforehand, handed out in
	// descending order if descending is set (so that they sort against the order of storing).
	fillIDs := func(t *testing.T, l ticketListing, w *world, ticketID uuid.UUID, want int, at func(i int) time.Time, descending bool) []pageRow {
		t.Helper()
		ids := make([]uuid.UUID, 3*want+3) // a listing shows at least one row in three
		for i := range ids {
			ids[i] = newID()
		}
		if descending {
			slices.Reverse(ids)
		}
		var rows []pageRow
		err := s.InTx(ctx, func(q storage.Queries) error {
			for i, listed := 0, 0; listed < want; i++ {
				ok, err := l.add(q, w, ticketID, ids[i], at(i), i)
				if err != nil {
					return err
				}
				rows = append(rows, pageRow{ids[i], at(i), ok})
				if ok {
					listed++
				}
			}
			return nil
		})
		require.NoError(t, err, "setup: fill the %s listing", l.name)
		return rows
	}
	fill := func(t *testing.T, l ticketListing, w *world, ticketID uuid.UUID, want int, at func(i int) time.Time) []pageRow {
		t.Helper()
		return fillIDs(t, l, w, ticketID, want, at, false)
	}
	// seconds makes the i-th row's time i seconds after the world's base.
	seconds := func(w *world) func(i int) time.Time {
		return func(i int) time.Time { return w.base.Add(time.Duration(i+1) * time.Second) }
	}
	lister := func(l ticketListing, tenantID, ticketID uuid.UUID) func(p storage.PageRequest) (storage.Page[uuid.UUID], error) {
		return func(p storage.PageRequest) (storage.Page[uuid.UUID], error) { return l.list(s, tenantID, ticketID, p) }
	}
	same := func(id uuid.UUID) uuid.UUID { return id }

	for _, l := range ticketListings() {
		t.Run(l.name, func(t *testing.T) {
			cases := []struct {
				name  string
				rows  int // listed rows
				limit int
				// at is the time of the i-th row stored; nil for seconds apart.
				at func(w *world) func(i int) time.Time
				// descending stores rows with IDs in descending order.
				descending bool
			}{
				{name: "Pages", rows: 17, limit: 5},
				{name: "ExactMultiple", rows: 12, limit: 4},
				{name: "OnePage", rows: 3, limit: 5},
				{name: "LimitOne", rows: 4, limit: 1},
				{name: "DefaultLimit", rows: storage.DefaultPageSize + 1, limit: 0},
				{name: "MaxLimit", rows: storage.MaxPageSize + 1, limit: storage.MaxPageSize + 100},
				// Rows stored newest first, so that ID order is the opposite of time order: the
				// listing follows time.
				{name: "TimeBeforeID", rows: 11, limit: 4, at: func(w *world) func(i int) time.Time {
					return func(i int) time.Time { return w.base.Add(time.Hour - time.Duration(i)*time.Second) }
				}},
				// Groups of four rows share a time, their IDs descending as they are stored: page
				// boundaries fall inside groups, where the ID decides.
				{name: "Ties", rows: 14, limit: 3, descending: true, at: func(w *world) func(i int) time.Time {
					return func(i int) time.Time { return w.base.Add(time.Duration(i/4) * time.Second) }
				}},
				{name: "AllAtOnce", rows: 9, limit: 2, descending: true, at: func(w *world) func(i int) time.Time {
					return func(int) time.Time { return w.base }
				}},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					w := newWorld(t, s, "Tenant A")
					tk := w.addTicket(w.newTicket("Flooded"))
					at := seconds(w)
					if c.at != nil {
						at = c.at(w)
					}
					rows := fillIDs(t, l, w, tk.ID, c.rows, at, c.descending)
					// The same rows on another ticket and in another tenant must never show.
					fill(t, l, w, w.addTicket(w.newTicket("Next door")).ID, 3, at)
					b := newWorld(t, s, "Tenant B")
					fill(t, l, b, b.Ticket.ID, 3, at)

					limit := c.limit
					if limit == 0 {
						limit = storage.DefaultPageSize
					}
					got, sizes := walk(t, c.limit, lister(l, w.Tenant.ID, tk.ID), same, nil)
					assert.Equal(t, chronological(rows), got, "every listed row once, by time then ID")
					assert.Equal(t, pageSizes(c.rows, min(limit, storage.MaxPageSize)), sizes, "page sizes")
				})
			}

			t.Run("AddWhilePaging", func(t *testing.T) {
				w := newWorld(t, s, "Tenant A")
				tk := w.addTicket(w.newTicket("Flooded"))
				at := seconds(w)
				rows := fill(t, l, w, tk.ID, 10, at)
				n := len(rows)
				got, _ := walk(t, 4, lister(l, w.Tenant.ID, tk.ID), same, func(page int) {
					// Later rows, as a live ticket gets them: they join the end of the listing.
					more := fill(t, l, w, tk.ID, 2, func(i int) time.Time { return at(n + i) })
					rows = append(rows, more...)
					n += len(more)
				})
				assert.Equal(t, chronological(rows), got, "the rows present at the start and those added, each once, in order")
			})

			t.Run("Empty", func(t *testing.T) {
				w := newWorld(t, s, "Tenant A")
				for name, ticketID := range map[string]uuid.UUID{"a ticket without rows": w.addTicket(w.newTicket("Quiet")).ID, "a ticket never created": newID()} {
					page, err := l.list(s, w.Tenant.ID, ticketID, storage.PageRequest{Limit: 5})
					require.NoError(t, err, name)
					assert.Empty(t, page.Items, name)
					assert.Empty(t, page.Next, name)
				}
			})

			t.Run("InvalidCursor", func(t *testing.T) {
				w := newWorld(t, s, "Tenant A")
				tk := w.addTicket(w.newTicket("Flooded"))
				fill(t, l, w, tk.ID, 4, seconds(w))
				first, err := l.list(s, w.Tenant.ID, tk.ID, storage.PageRequest{Limit: 2})
				require.NoError(t, err)
				require.NotEmpty(t, first.Next, "setup: a second page")
				next, err := storage.DecodeCursor(first.Next)
				require.NoError(t, err)
				tampered := next
				tampered[15] ^= 1

				neighbour := w.addTicket(w.newTicket("Next door"))
				ownRows := fill(t, l, w, neighbour.ID, 3, seconds(w))
				var neighbourRow uuid.UUID
				for _, r := range ownRows {
					if r.listed {
						neighbourRow = r.id
					}
				}
				var otherListing uuid.UUID
				require.NoError(t, s.InTx(ctx, func(q storage.Queries) error {
					otherListing, err = l.other(q, w, tk.ID)
					return err
				}), "setup: another listing's row")
				b := newWorld(t, s, "Tenant B")
				bRows := fill(t, l, b, b.Ticket.ID, 3, seconds(b))

				cursors := []struct{ name, cursor string }{
					{"garbage", "!!not a cursor!!"},
					{"too short", "c2hvcnQ"},
					{"too long", first.Next + "x"},
					{"tampered", storage.EncodeCursor(tampered)},
					{"another ticket's row", storage.EncodeCursor(neighbourRow)},
					{"a row of another listing or left out", storage.EncodeCursor(otherListing)},
					{"another tenant's row", storage.EncodeCursor(bRows[0].id)},
					{"the ticket's own ID", storage.EncodeCursor(tk.ID)},
				}
				for _, c := range cursors {
					page, err := l.list(s, w.Tenant.ID, tk.ID, storage.PageRequest{Limit: 2, After: c.cursor})
					assert.ErrorIs(t, err, storage.ErrInvalidCursor, "after %s: got %v", c.name, page.Items)
				}
				// The genuine cursor still works.
				page, err := l.list(s, w.Tenant.ID, tk.ID, storage.PageRequest{Limit: 2, After: first.Next})
				require.NoError(t, err)
				assert.Len(t, page.Items, 2)
			})

			t.Run("TenantIsolation", func(t *testing.T) {
				a := newWorld(t, s, "Tenant A")
				tk := a.addTicket(a.newTicket("Flooded"))
				rows := fill(t, l, a, tk.ID, 5, seconds(a))
				b := newWorld(t, s, "Tenant B")
				fill(t, l, b, b.Ticket.ID, 5, seconds(b))

				page, err := l.list(s, b.Tenant.ID, tk.ID, storage.PageRequest{Limit: 2})
				require.NoError(t, err)
				assert.Empty(t, page.Items, "A's ticket through tenant B")
				assert.Empty(t, page.Next)

				first, err := l.list(s, a.Tenant.ID, tk.ID, storage.PageRequest{Limit: 2})
				require.NoError(t, err)
				require.NotEmpty(t, first.Next)
				for name, ticketID := range map[string]uuid.UUID{"A's ticket": tk.ID, "B's own ticket": b.Ticket.ID} {
					_, err = l.list(s, b.Tenant.ID, ticketID, storage.PageRequest{Limit: 2, After: first.Next})
					assert.ErrorIs(t, err, storage.ErrInvalidCursor, "A's cursor through tenant B on %s", name)
				}
				got, _ := walk(t, 2, lister(l, a.Tenant.ID, tk.ID), same, nil)
				assert.Equal(t, chronological(rows), got, "A's own listing")
			})
		})
	}
}
