package helpdesk_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pagedRow is what the paging tests need of a row of a ticket's listing.
type pagedRow struct {
	id uuid.UUID
	at time.Time
	// internal rows are staff's only: internal messages, their files, the history entries
	// about them.
	internal bool
}

// pagedRows converts a page of a ticket's listing.
func pagedRows[T any](page storage.Page[T], err error, row func(T) pagedRow) ([]pagedRow, string, error) {
	out := make([]pagedRow, 0, len(page.Items))
	for _, item := range page.Items {
		out = append(out, row(item))
	}
	return out, page.Next, err
}

// expectedPageSizes returns the sizes of the pages of n rows, limit a page.
func expectedPageSizes(n, limit int) []int {
	sizes := []int{}
	for ; n > limit; n -= limit {
		sizes = append(sizes, limit)
	}
	return append(sizes, n)
}

// TestTicketPages floods a ticket with messages (a third internal), history, video sessions
// and files (some on internal messages), then walks every page of each listing as staff, the
// requester link and the customer user who opened it, at several page sizes: every row the
// actor may see comes once, oldest first with ties (rows of one clock tick) by ID, no other
// row comes, and every page but the last is full. Cursors that are not the listing's are
// refused.
func TestTicketPages(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newSessionFixture(t, s, &tenant.Offer{MediaUpload: true, MaxMedia: 10, InviteByEmail: true})
		tk := f.open(t, f.userX, helpdesk.NewTicket{Title: "Flooded", Requester: nurseContact, DeviceID: f.devX.ID})
		_, err := f.desk.Accept(ctx, f.agent, tk.ID)
		require.NoError(t, err)
		link := f.link(t, tk)

		// 26 rounds of posts, two clock ticks apart, so that rows tie within a tick: the
		// agent's public reply and internal note, every other round with a file, and the
		// requester's answer (through the link or as the customer user); media and a video
		// invitation every few rounds.
		const rounds = 26
		var messages, sessions []uuid.UUID
		post := func(actor tenant.Actor, in helpdesk.NewMessage) {
			t.Helper()
			m, err := f.desk.PostMessage(ctx, actor, tk.ID, in)
			require.NoError(t, err)
			messages = append(messages, m.ID)
		}
		file := func(name string) []helpdesk.Upload { return []helpdesk.Upload{upload(name, jpegFile)} }
		media, files, internalFiles := 0, 0, 0
		for i := range rounds {
			if i%2 == 0 {
				f.clock.Advance(time.Minute)
			}
			reply := helpdesk.NewMessage{Body: "Which firmware does it show?"}
			note := helpdesk.NewMessage{Body: "Seal batch 7 again", Internal: true}
			if i%2 == 0 {
				reply.Attachments, note.Attachments = file("manual.jpg"), file("invoice.jpg")
				files, internalFiles = files+2, internalFiles+1
			}
			post(f.agent, reply)
			post(f.agent, note)
			answerer := link
			if i%2 == 1 {
				answerer = f.userX
			}
			post(answerer, helpdesk.NewMessage{Body: "2.4.1"})
			if i%3 == 0 {
				_, err := f.desk.UploadMedia(ctx, link, tk.ID, upload("pump.jpg", jpegFile))
				require.NoError(t, err)
				media++
				ses, err := f.desk.Invite(ctx, f.agent, tk.ID, helpdesk.Invitation{})
				require.NoError(t, err)
				sessions = append(sessions, ses.ID)
			}
		}
		// Another ticket with rows of every kind, whose cursors this ticket's listings refuse.
		other := f.open(t, f.userX, helpdesk.NewTicket{Title: "Next door", Requester: nurseContact, DeviceID: f.devX.ID})
		_, err = f.desk.Accept(ctx, f.agent, other.ID)
		require.NoError(t, err)
		_, err = f.desk.PostMessage(ctx, f.agent, other.ID, helpdesk.NewMessage{Body: "See attached", Attachments: file("a.jpg")})
		require.NoError(t, err)
		_, err = f.desk.Invite(ctx, f.agent, other.ID, helpdesk.Invitation{})
		require.NoError(t, err)

		count := func(table string) int {
			t.Helper()
			n, err := s.DB().NewSelect().Table(table).Where("ticket_id = ?", tk.ID).Count(ctx)
			require.NoError(t, err)
			return int(n)
		}
		listings := []struct {
			name string
			list func(a tenant.Actor, id uuid.UUID, p storage.PageRequest) ([]pagedRow, string, error)
			// created are the rows stored on the ticket; ids, when known, their IDs as created.
			created int
			ids     []uuid.UUID
		}{
			{"Messages", func(a tenant.Actor, id uuid.UUID, p storage.PageRequest) ([]pagedRow, string, error) {
				page, err := f.desk.Messages(ctx, a, id, p)
				return pagedRows(page, err, func(m *ticket.Message) pagedRow { return pagedRow{m.ID, m.CreatedAt, m.Visibility == ticket.Internal} })
			}, len(messages), messages},
			{"History", func(a tenant.Actor, id uuid.UUID, p storage.PageRequest) ([]pagedRow, string, error) {
				page, err := f.desk.History(ctx, a, id, p)
				return pagedRows(page, err, func(h *ticket.HistoryEntry) pagedRow { return pagedRow{h.ID, h.At, h.Action == "message.internal"} })
			}, count("history"), nil},
			{"Sessions", func(a tenant.Actor, id uuid.UUID, p storage.PageRequest) ([]pagedRow, string, error) {
				page, err := f.desk.Sessions(ctx, a, id, p)
				return pagedRows(page, err, func(s *ticket.Session) pagedRow { return pagedRow{s.ID, s.CreatedAt, false} })
			}, len(sessions), sessions},
			{"Attachments", func(a tenant.Actor, id uuid.UUID, p storage.PageRequest) ([]pagedRow, string, error) {
				page, err := f.desk.Attachments(ctx, a, id, p)
				return pagedRows(page, err, func(x *ticket.Attachment) pagedRow {
					return pagedRow{x.ID, x.CreatedAt, x.Visibility == ticket.Internal}
				})
			}, media + files, nil},
		}
		require.Equal(t, rounds*3, len(messages))
		require.Equal(t, media+files, count("attachments"))

		actors := []struct {
			name  string
			actor tenant.Actor
			staff bool
		}{
			{"agent", f.agent, true},
			{"admin", f.admin, true},
			{"requester link", link, false},
			{"customer user", f.userX, false},
		}
		for _, l := range listings {
			t.Run(l.name, func(t *testing.T) {
				// The whole listing on one page, as the reference the walks must match.
				all, next, err := l.list(f.agent, tk.ID, storage.PageRequest{Limit: storage.MaxPageSize})
				require.NoError(t, err)
				require.Empty(t, next)
				require.Len(t, all, l.created, "every row of the ticket")
				var every, visible []uuid.UUID
				for i, r := range all {
					if i > 0 {
						prev := all[i-1]
						require.True(t, prev.at.Before(r.at) || prev.at.Equal(r.at) && bytes.Compare(prev.id[:], r.id[:]) < 0,
							"row %d is not after row %d by time, then ID", i, i-1)
					}
					every = append(every, r.id)
					if !r.internal {
						visible = append(visible, r.id)
					}
				}
				if l.ids != nil {
					require.Equal(t, l.ids, every, "in the order created")
				}
				// Every actor's listing spans pages at every size walked but the largest.
				require.Greater(t, len(visible), 4, "setup: more than a page of rows the requester sees")
				if l.name == "Messages" || l.name == "History" {
					require.Greater(t, len(visible), storage.DefaultPageSize, "setup: more than a default page")
				}

				for _, a := range actors {
					want := visible
					if a.staff {
						want = every
					}
					for _, limit := range []int{0, 1, 4, storage.MaxPageSize + 1} {
						size := limit
						switch {
						case limit == 0:
							size = storage.DefaultPageSize
						case limit > storage.MaxPageSize:
							size = storage.MaxPageSize
						}
						if limit == 1 && len(want) > 20 {
							continue // a row a page is walked on the short listings only
						}
						var got []uuid.UUID
						var sizes []int
						p := storage.PageRequest{Limit: limit}
						for n := 0; ; n++ {
							require.Less(t, n, 1000, "the walk never ends")
							rows, next, err := l.list(a.actor, tk.ID, p)
							require.NoError(t, err, "%s, %d a page: page %d", a.name, limit, n+1)
							for _, r := range rows {
								assert.True(t, a.staff || !r.internal, "%s got internal row %s", a.name, r.id)
								got = append(got, r.id)
							}
							sizes = append(sizes, len(rows))
							if next == "" {
								break
							}
							p.After = next
						}
						assert.Equal(t, want, got, "%s, %d a page: every row once, in order", a.name, limit)
						assert.Equal(t, expectedPageSizes(len(want), size), sizes, "%s, %d a page: page sizes", a.name, limit)
					}
				}

				// Cursors that are not this listing's.
				_, next, err = l.list(f.agent, tk.ID, storage.PageRequest{Limit: 2})
				require.NoError(t, err)
				require.NotEmpty(t, next)
				tampered, err := storage.DecodeCursor(next)
				require.NoError(t, err)
				tampered[15] ^= 0xff
				otherRows, _, err := l.list(f.agent, other.ID, storage.PageRequest{})
				require.NoError(t, err)
				require.NotEmpty(t, otherRows)
				bad := map[string]string{
					"garbage":              "not a cursor",
					"tampered":             storage.EncodeCursor(tampered),
					"another ticket's row": storage.EncodeCursor(otherRows[0].id),
				}
				for name, cursor := range bad {
					for _, a := range actors {
						_, _, err := l.list(a.actor, tk.ID, storage.PageRequest{Limit: 2, After: cursor})
						assert.ErrorIs(t, err, storage.ErrInvalidCursor, "%s after %s", a.name, name)
						assert.Equal(t, helpdesk.KindInvalid, helpdesk.KindOf(err), "%s after %s", a.name, name)
					}
				}
				_, _, err = l.list(f.agent, other.ID, storage.PageRequest{Limit: 2, After: next})
				assert.ErrorIs(t, err, storage.ErrInvalidCursor, "this ticket's cursor on the other ticket")

				// Staff's cursor at an internal row pages on for staff, and is no cursor of the
				// requester's listing: it reveals nothing after the row.
				for _, r := range all {
					if !r.internal {
						continue
					}
					cursor := storage.EncodeCursor(r.id)
					_, _, err := l.list(f.agent, tk.ID, storage.PageRequest{Limit: 2, After: cursor})
					require.NoError(t, err)
					for _, a := range actors[2:] {
						rows, _, err := l.list(a.actor, tk.ID, storage.PageRequest{Limit: 2, After: cursor})
						assert.ErrorIs(t, err, storage.ErrInvalidCursor, "%s after an internal row", a.name)
						assert.Empty(t, rows)
					}
					break
				}
			})
		}
	})
}

// TestTicketPagesNotVisible checks that paging changes no access rule: an actor who may not
// read the ticket is refused as without a cursor, whatever the cursor, before it is looked at.
func TestTicketPagesNotVisible(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		tk := f.ticketIn(t, ticket.StateAssigned)
		for range 3 {
			_, err := f.desk.PostMessage(ctx, f.agent, tk.ID, helpdesk.NewMessage{Body: "note"})
			require.NoError(t, err)
		}
		page, err := f.desk.Messages(ctx, f.agent, tk.ID, storage.PageRequest{Limit: 1})
		require.NoError(t, err)
		require.NotEmpty(t, page.Next)
		strangers := map[string]tenant.Actor{
			"another customer's admin": f.userY,
			"another ticket's link":    f.link(t, f.ticketIn(t, ticket.StateAssigned)),
			"a code holder":            f.holder,
			"another tenant's admin":   f.addTenant(t, "Other Service", "O").admin,
		}
		calls := map[string]func(a tenant.Actor, p storage.PageRequest) error{
			"Messages": func(a tenant.Actor, p storage.PageRequest) error {
				_, err := f.desk.Messages(ctx, a, tk.ID, p)
				return err
			},
			"History": func(a tenant.Actor, p storage.PageRequest) error {
				_, err := f.desk.History(ctx, a, tk.ID, p)
				return err
			},
			"Sessions": func(a tenant.Actor, p storage.PageRequest) error {
				_, err := f.desk.Sessions(ctx, a, tk.ID, p)
				return err
			},
			"Attachments": func(a tenant.Actor, p storage.PageRequest) error {
				_, err := f.desk.Attachments(ctx, a, tk.ID, p)
				return err
			},
		}
		for cn, call := range calls {
			for an, a := range strangers {
				refused := call(a, storage.PageRequest{})
				require.Error(t, refused, "%s as %s", cn, an)
				assert.Contains(t, []helpdesk.ErrorKind{helpdesk.KindNotFound, helpdesk.KindForbidden}, helpdesk.KindOf(refused), "%s as %s", cn, an)
				for _, p := range []storage.PageRequest{{After: page.Next}, {After: "not a cursor"}, {Limit: 1, After: page.Next}} {
					err := call(a, p)
					assert.Equal(t, helpdesk.KindOf(refused), helpdesk.KindOf(err), "%s as %s after %q: %v", cn, an, p.After, err)
					assert.NotErrorIs(t, err, storage.ErrInvalidCursor, "%s as %s after %q", cn, an, p.After)
				}
			}
		}
	})
}
