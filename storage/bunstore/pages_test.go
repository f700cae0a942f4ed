package bunstore

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
)

// TestTicketPageIndexes checks that a page of a flooded ticket's messages, history, sessions or
// attachments reads its index from the cursor on, in order: on PostgreSQL the page's index scan
// reads the page's rows alone (one more, to learn that another page follows), not the
// thousands of rows before the cursor, after the page or left out by the listing (internal
// messages and their files, excluded history entries), and sorts nothing; on SQLite the plan
// searches that index and sorts nothing.
func TestTicketPageIndexes(t *testing.T) {
	const rows, size = 3000, 50
	eachEngine(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		require.NoError(t, s.MigrateUp(ctx))
		p := newParents(t, s)
		t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		flood := func(ticketID uuid.UUID) {
			var (
				ms []*messageRow
				hs []*historyRow
				ss []*sessionRow
				as []*attachmentRow
			)
			by := tenant.Ref{Kind: tenant.ActorEmployee, ID: newV7(), Name: "Ann Agent"}
			for i := range rows {
				at := t0.Add(time.Duration(i) * time.Second)
				// Nine rows in ten are internal, or an entry a requester does not see.
				v, action := ticket.Internal, "message.internal"
				if i%10 == 0 {
					v, action = ticket.Public, "message"
				}
				ms = append(ms, fromMessage(&ticket.Message{ID: newV7(), TenantID: p.tenant.ID, TicketID: ticketID,
					Author: by, Body: "note", Visibility: v, CreatedAt: at}))
				hs = append(hs, fromHistory(&ticket.HistoryEntry{ID: newV7(), TenantID: p.tenant.ID, TicketID: ticketID,
					Actor: by, Action: action, At: at}))
				ss = append(ss, fromSession(&ticket.Session{ID: newV7(), TenantID: p.tenant.ID, TicketID: ticketID,
					State: ticket.SessionDone, CreatedAt: at, UpdatedAt: at, Version: 1}))
				as = append(as, fromAttachment(&ticket.Attachment{ID: newV7(), TenantID: p.tenant.ID, TicketID: ticketID,
					Visibility: v, Name: "a.jpg", ContentType: "image/jpeg", Size: 1, Digest: "d", Key: "k", Uploader: by, CreatedAt: at}))
			}
			insertBatches(t, s, ms)
			insertBatches(t, s, hs)
			insertBatches(t, s, ss)
			insertBatches(t, s, as)
		}
		flood(p.ticket.ID)
		// A second ticket as flooded, whose rows the pages must not read either.
		other := *p.ticket
		other.ID, other.Number = newV7(), 2
		require.NoError(t, s.CreateTicket(ctx, &other))
		flood(other.ID)
		for _, table := range []string{"messages", "history", "sessions", "attachments"} {
			_, err := s.db.ExecContext(ctx, "ANALYZE "+table)
			require.NoError(t, err)
		}

		tid, kid := p.tenant.ID, p.ticket.ID
		excluded := func(s *bun.SelectQuery) *bun.SelectQuery { return s.Where("action <> ?", "message.internal") }
		cases := []struct {
			name, table, index string
			// query is the page of size rows after the row with the given ID (uuid.Nil for the
			// first page), as the listing's method builds it.
			query func(after uuid.UUID) *bun.SelectQuery
			// cursor is a row the listing shows, in the middle of the ticket's rows.
			cursor string
		}{
			{"Messages", "messages", "messages_ticket_created", func(after uuid.UUID) *bun.SelectQuery {
				return ticketPageQuery[messageRow, *ticket.Message](&s.queries, tid, kid, "created_at", visible(true), after, size)
			}, "SELECT id FROM messages WHERE ticket_id = ? AND visibility = 'public' ORDER BY created_at, id LIMIT 1 OFFSET 150"},
			{"PublicMessages", "messages", "messages_ticket_public", func(after uuid.UUID) *bun.SelectQuery {
				return ticketPageQuery[messageRow, *ticket.Message](&s.queries, tid, kid, "created_at", visible(false), after, size)
			}, "SELECT id FROM messages WHERE ticket_id = ? AND visibility = 'public' ORDER BY created_at, id LIMIT 1 OFFSET 150"},
			{"History", "history", "history_ticket_at", func(after uuid.UUID) *bun.SelectQuery {
				return ticketPageQuery[historyRow, *ticket.HistoryEntry](&s.queries, tid, kid, "at", everyRow, after, size)
			}, "SELECT id FROM history WHERE ticket_id = ? AND action = 'message' ORDER BY at, id LIMIT 1 OFFSET 150"},
			{"Sessions", "sessions", "sessions_ticket_created", func(after uuid.UUID) *bun.SelectQuery {
				return ticketPageQuery[sessionRow, *ticket.Session](&s.queries, tid, kid, "created_at", everyRow, after, size)
			}, "SELECT id FROM sessions WHERE ticket_id = ? ORDER BY created_at, id LIMIT 1 OFFSET 1500"},
			{"Attachments", "attachments", "attachments_ticket_created", func(after uuid.UUID) *bun.SelectQuery {
				return ticketPageQuery[attachmentRow, *ticket.Attachment](&s.queries, tid, kid, "created_at", visible(true), after, size)
			}, "SELECT id FROM attachments WHERE ticket_id = ? AND visibility = 'public' ORDER BY created_at, id LIMIT 1 OFFSET 150"},
			{"PublicAttachments", "attachments", "attachments_ticket_public", func(after uuid.UUID) *bun.SelectQuery {
				return ticketPageQuery[attachmentRow, *ticket.Attachment](&s.queries, tid, kid, "created_at", visible(false), after, size)
			}, "SELECT id FROM attachments WHERE ticket_id = ? AND visibility = 'public' ORDER BY created_at, id LIMIT 1 OFFSET 150"},
		}
		// The history a requester reads leaves entries out by action, which no index holds:
		// its index scan reads the entries in between too, but from the cursor on and no
		// further than the page's last entry.
		historyCase := struct {
			name  string
			query func(after uuid.UUID) *bun.SelectQuery
		}{"HistoryExcluding", func(after uuid.UUID) *bun.SelectQuery {
			return ticketPageQuery[historyRow, *ticket.HistoryEntry](&s.queries, tid, kid, "at", excluded, after, size)
		}}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var cursor uuid.UUID
				require.NoError(t, s.db.QueryRowContext(ctx, c.cursor, kid).Scan(&cursor))
				for page, after := range map[string]uuid.UUID{"first": uuid.Nil, "after a cursor": cursor} {
					query := c.query(after).String()
					if s.pg {
						plan := explain(t, s.db, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)", query)
						t.Logf("%s page plan:\n%s", page, plan)
						assert.NotContains(t, plan, "Seq Scan", page)
						assert.NotContains(t, plan, "Sort", page)
						scan := regexp.MustCompile(`Index Scan using ` + c.index + ` on ` + c.table + `.*actual rows=(\d+)`).FindStringSubmatch(plan)
						if assert.NotNil(t, scan, "the %s page does not scan %s", page, c.index) {
							n, _ := strconv.Atoi(scan[1])
							assert.Equal(t, size+1, n, "rows the %s page's index scan read", page)
						}
						continue
					}
					plan := explain(t, s.db, "EXPLAIN QUERY PLAN", query)
					t.Logf("%s page plan:\n%s", page, plan)
					assert.Regexp(t, `SEARCH `+c.table+` USING INDEX `+c.index+` \(ticket_id=\?`, plan, page)
					assert.NotContains(t, plan, "TEMP B-TREE", "the %s page sorts", page)
				}
			})
		}
		t.Run(historyCase.name, func(t *testing.T) {
			var cursor uuid.UUID
			require.NoError(t, s.db.QueryRowContext(ctx, "SELECT id FROM history WHERE ticket_id = ? AND action = 'message' ORDER BY at, id LIMIT 1 OFFSET 150", kid).Scan(&cursor))
			query := historyCase.query(cursor).String()
			if s.pg {
				plan := explain(t, s.db, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)", query)
				t.Logf("plan:\n%s", plan)
				assert.NotContains(t, plan, "Sort")
				// 50 shown entries and the one after them, the nine left out before each.
				assert.Regexp(t, `Index Scan using history_ticket_at on history.*actual rows=51 `, plan)
				assert.Regexp(t, `Rows Removed by Filter: 459\b`, plan)
				return
			}
			plan := explain(t, s.db, "EXPLAIN QUERY PLAN", query)
			t.Logf("plan:\n%s", plan)
			assert.Contains(t, plan, "USING INDEX history_ticket_at")
			assert.NotContains(t, plan, "TEMP B-TREE")
		})
	})
}
