package bunstore

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/deskkit/helpdesk/internal/textsearch"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/migrate"
)

// The ticket search (TicketFilter.Text). Each ticket has one search document: on PostgreSQL
// the tsvector tickets.search_doc, on SQLite a row of ticket_search that the FTS5 table
// ticket_fts indexes (migration 20261211000018 says which part has which weight). The store
// keeps it in step in the transaction of every write that changes its text: CreateTicket,
// UpdateTicket (the head, when the title, description or requester changed), CreateMessage
// (appended) and DeleteTicket (gone with the ticket).
//
// Results are ordered by relevance, then newest first. Ranking every match of a word that a
// third of a 100,000-ticket tenant holds would read all of them for each page, so relevance
// orders the newest searchWindow matches only, and the older matches follow newest first. The
// first page fixes the window (the ID of its oldest ticket, the floor) and every cursor
// carries it, so paging stays exact while tickets come and go: a ranked cursor is (relevance,
// ID) within the window, a tail cursor an ID below the floor.
//
// The floor is found by walking the tenant's newest tickets, newest first, and stopping at
// the searchWindow-th match (searchWalk tickets at most), so a common word costs a few
// thousand rows however many tickets hold it; only a rarer word is looked up in the full-text
// index, whose cost grows with the matches. A window found by the walk is read the same way
// on PostgreSQL, from the tenant's tickets, not from the index; on SQLite from the part of the
// index that begins at the window's oldest ticket, as FTS5 keeps it in document order
// (searcher.walkFrom). On SQLite the first page's walk also ranks what it finds, in one
// statement, and the page is sorted from that (searcher.floorRanked).

// searchWindow is how many of the newest matches relevance orders.
const searchWindow = 1000

// searchWalk is how many of the tenant's newest tickets the first page reads, newest first,
// looking for the window's floor before it asks the full-text index for every match. A word in
// at least one ticket in searchWalk/searchWindow of the newest has its floor found by the walk,
// which stops there however many tickets hold the word; a rarer word is found by the index,
// whose cost grows with the number of matches.
const searchWalk = 4 * searchWindow

// ticketSearch returns the search document parts of t.
func ticketSearch(t *ticket.Ticket) textsearch.Ticket {
	return textsearch.Ticket{TenantID: t.TenantID.String(), Prefix: t.Prefix, Number: t.Number, Title: t.Title,
		Description: t.Description, RequesterName: t.Requester.Name, RequesterEmail: t.Requester.Email}
}

// createTicket inserts t with its search document.
func (q *queries) createTicket(ctx context.Context, t *ticket.Ticket) error {
	doc := ticketSearch(t)
	ins := q.db.NewInsert().Model(fromTicket(t))
	if q.pg {
		ins = ins.Value("search_doc", "?::tsvector", doc.HeadVector())
	}
	if _, err := ins.Exec(ctx); err != nil {
		return mapErr(err)
	}
	if q.pg {
		return nil
	}
	_, err := q.db.ExecContext(ctx, "INSERT INTO ticket_search (ticket_id, tenant, head, detail) VALUES (?, ?, ?, ?)",
		t.ID, textsearch.TenantToken(doc.TenantID), doc.Head(), doc.Detail())
	return mapErr(err)
}

// updateTicket writes t; its search document's head is rewritten when the text it comes from
// changed (PostgreSQL keeps the messages' lexemes, weights C and D, as they are).
func (q *queries) updateTicket(ctx context.Context, t *ticket.Ticket) error {
	r := fromTicket(t)
	doc := ticketSearch(t)
	var extra func(*bun.UpdateQuery) *bun.UpdateQuery
	if q.pg {
		// SET reads the row as it was: the head is rebuilt only when its sources changed.
		extra = func(u *bun.UpdateQuery) *bun.UpdateQuery {
			return u.Value("search_doc", `CASE WHEN search_text = ? AND requester_name = ? AND requester_email = ?
				AND search_doc IS NOT NULL THEN search_doc ELSE ?::tsvector || ts_filter(coalesce(search_doc, ''), '{c,d}') END`,
				r.SearchText, r.RequesterName, r.RequesterEmail, doc.HeadVector())
		}
	}
	r.Version = t.Version + 1
	if err := q.updateWith(ctx, r, "tickets", t.TenantID, t.ID, t.Version, extra, "number", "prefix"); err != nil {
		return err
	}
	t.Version = r.Version
	if q.pg {
		return nil
	}
	head, detail := doc.Head(), doc.Detail()
	_, err := q.db.ExecContext(ctx, "UPDATE ticket_search SET head = ?, detail = ? WHERE ticket_id = ? AND (head <> ? OR detail <> ?)",
		head, detail, t.ID, head, detail)
	return mapErr(err)
}

// indexMessage appends m's body to its ticket's search document.
func (q *queries) indexMessage(ctx context.Context, m *ticket.Message) error {
	internal := m.Visibility == ticket.Internal
	var err error
	switch {
	case q.pg:
		_, err = q.db.ExecContext(ctx, "UPDATE tickets SET search_doc = coalesce(search_doc, '') || ?::tsvector WHERE tenant_id = ? AND id = ?",
			textsearch.MessageVector(m.Body, internal), m.TenantID, m.TicketID)
	case internal:
		_, err = q.db.ExecContext(ctx, "UPDATE ticket_search SET internal = internal || ' ' || ? WHERE ticket_id = ?", textsearch.Fold(m.Body), m.TicketID)
	default:
		_, err = q.db.ExecContext(ctx, "UPDATE ticket_search SET public = public || ' ' || ? WHERE ticket_id = ?", textsearch.Fold(m.Body), m.TicketID)
	}
	return mapErr(err)
}

// searchCursor is where a search page ends: within the ranked window (Rank, ID) or, in the
// tail, the ID; Floor is the oldest ticket of the window (uuid.Nil when every match is in it);
// Walk says the window is read by walking the tenant's tickets from the floor up rather than
// through the full-text index (see searcher.floor).
type searchCursor struct {
	Floor uuid.UUID
	Tail  bool
	Walk  bool
	Rank  int64
	ID    uuid.UUID
}

const searchCursorLen = 1 + 16 + 8 + 16

func (c searchCursor) encode() string {
	b := make([]byte, 0, searchCursorLen)
	kind := byte('r')
	switch {
	case c.Tail:
		kind = 't'
	case c.Walk:
		kind = 'w'
	}
	b = append(b, kind)
	b = append(b, c.Floor[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Rank))
	b = append(b, c.ID[:]...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeSearchCursor(s string) (searchCursor, error) {
	var c searchCursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != searchCursorLen || (b[0] != 'r' && b[0] != 't' && b[0] != 'w') {
		return c, fmt.Errorf("%w: %q is not a search page's cursor", storage.ErrInvalidCursor, s)
	}
	c.Tail, c.Walk = b[0] == 't', b[0] == 'w'
	copy(c.Floor[:], b[1:17])
	c.Rank = int64(binary.BigEndian.Uint64(b[17:25]))
	copy(c.ID[:], b[25:])
	if c.ID == uuid.Nil || (c.Tail && c.Floor == uuid.Nil) {
		return c, fmt.Errorf("%w: %q is not a search page's cursor", storage.ErrInvalidCursor, s)
	}
	return c, nil
}

// searcher builds one search's statements on one engine.
type searcher struct {
	q        *queries
	tenantID uuid.UUID
	f        storage.TicketFilter
	query    textsearch.Query
	// walkFrom, when set, narrows the matches to the tenant's tickets from this ID up
	// (uuid.Max: all of them), for a window found by the walk. PostgreSQL walks those
	// tickets, testing each, instead of asking the full-text index, which reads every match
	// of the word in every tenant; SQLite reads the index from the lowest document number of
	// those tickets up, skipping the older matches (in every tenant) that bm25 would rank.
	walkFrom uuid.UUID
}

// from starts a statement over the matching tickets of the tenant, f applied, selecting cols
// (and, when ranked, the relevance as an integer: ties compare exactly on both engines).
func (s *searcher) from(selected string, ranked bool) *bun.SelectQuery {
	q := s.q
	sel := q.db.NewSelect()
	if q.pg {
		cond, tsq, tenant := s.pgMatch()
		switch s.walkFrom {
		case uuid.Nil:
			sel = sel.TableExpr("tickets")
		case uuid.Max:
			// OFFSET 0 keeps the planner from merging the subquery and using the index.
			sel = sel.TableExpr("(SELECT * FROM tickets WHERE tenant_id = ? OFFSET 0) AS tickets", s.tenantID)
		default:
			sel = sel.TableExpr("(SELECT * FROM tickets WHERE tenant_id = ? AND id >= ? OFFSET 0) AS tickets", s.tenantID, s.walkFrom)
		}
		sel = sel.ColumnExpr(selected).Where(cond, tsq, tenant)
		if ranked {
			sel = sel.ColumnExpr("(ts_rank(search_doc, ?::tsquery) * 1000000)::bigint AS relevance", tsq)
		}
	} else {
		cols := s.ftsColumns()
		// The tenant column is not matched: bm25 reads the whole posting list of every phrase
		// of the query (to weigh it), and the tenant's is every ticket of the tenant. The join
		// on tickets.tenant_id narrows instead.
		match := s.query.FTS5(cols...)
		// A walked window starts at its floor: the index is read from the lowest document
		// number of the tenant's tickets from the floor up (documents are numbered as tickets
		// are written, so the rest of the index, older, is skipped), instead of ranking every
		// match of the word.
		var since string
		var args []any
		switch s.walkFrom {
		case uuid.Nil:
		case uuid.Max:
			since = " AND ticket_fts.rowid >= (SELECT min(s2.doc) FROM tickets AS t2 CROSS JOIN ticket_search AS s2 ON s2.ticket_id = t2.id WHERE t2.tenant_id = ?)"
			args = append(args, s.tenantID)
		default:
			since = " AND ticket_fts.rowid >= (SELECT min(s2.doc) FROM tickets AS t2 CROSS JOIN ticket_search AS s2 ON s2.ticket_id = t2.id WHERE t2.tenant_id = ? AND t2.id >= ?)"
			args = append(args, s.tenantID, s.walkFrom)
		}
		// bm25 is lower for better matches; its weights follow A to D.
		// CROSS JOIN fixes SQLite's join order: the full-text matches first, then their
		// tickets; the other way round, the planner may run the MATCH once per ticket.
		sel = sel.TableExpr(`(SELECT s.ticket_id, `+ftsRelevance+` AS relevance
			FROM ticket_fts CROSS JOIN ticket_search AS s ON s.doc = ticket_fts.rowid WHERE ticket_fts MATCH ?`+since+`) AS m
			CROSS JOIN tickets ON tickets.id = m.ticket_id`, append([]any{match}, args...)...).
			ColumnExpr(selected)
		if ranked {
			sel = sel.ColumnExpr("m.relevance")
		}
	}
	sel = sel.Where("tenant_id = ?", s.tenantID)
	return s.q.ticketFilter(sel, s.f)
}

// ftsRelevance is a match's relevance on SQLite, an integer so that ties compare exactly: bm25
// (lower for better matches, so negated) with the weights of A to D. It depends on the match
// and the whole index, never on which other rows a statement reads.
const ftsRelevance = "CAST(-bm25(ticket_fts, 0, 10, 4, 2, 1) * 1000000 AS INTEGER)"

// pgMatch returns the PostgreSQL condition that a row's search_doc matches the query and
// names the tenant.
func (s *searcher) pgMatch() (string, string, string) {
	weights := "ABC"
	if s.f.TextInternal {
		weights = ""
	}
	return "search_doc @@ (?::tsquery && ?::tsquery)", s.query.TSQuery(weights),
		"'" + strings.ReplaceAll(textsearch.TenantKey(s.tenantID.String()), "'", "''") + "'"
}

// ftsColumns returns the ticket_fts columns the query may match on SQLite.
func (s *searcher) ftsColumns() []string {
	cols := []string{"head", "detail", "public"}
	if s.f.TextInternal {
		cols = append(cols, "internal")
	}
	return cols
}

// floor returns the oldest of the newest searchWindow matches, uuid.Nil when there are fewer,
// and whether the window is best read by walking the tenant's tickets (searcher.walkFrom).
// It first walks the tenant's newest searchWalk tickets (f applied), newest first, testing
// each: a common word's floor is among them, and finding it by the index instead would read
// every match. When fewer than searchWindow of them match, the index finds the matches,
// unless the walk read every ticket of the tenant. This is PostgreSQL's; SQLite's is
// floorRanked.
func (s *searcher) floor(ctx context.Context) (uuid.UUID, bool, error) {
	q := s.q
	walk := q.db.NewSelect().TableExpr("tickets").ColumnExpr("id, search_doc")
	cond, tsq, tenant := s.pgMatch()
	match := q.db.NewSelect().TableExpr("(?) AS walk", s.walk(walk)).Where(cond, tsq, tenant)
	var floor uuid.UUID
	err := match.Column("id").OrderExpr("id DESC").Limit(1).Offset(searchWindow-1).Scan(ctx, &floor)
	if err == nil {
		return floor, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return uuid.Nil, false, mapErr(err)
	}
	var walked int
	if err := q.db.NewSelect().TableExpr("(?) AS walk", s.walk(q.db.NewSelect().TableExpr("tickets").ColumnExpr("tickets.id"))).
		ColumnExpr("count(*)").Scan(ctx, &walked); err != nil {
		return uuid.Nil, false, mapErr(err)
	}
	if walked < searchWalk {
		return uuid.Nil, true, nil
	}
	err = s.from("id", false).OrderExpr("id DESC").Limit(1).Offset(searchWindow-1).Scan(ctx, &floor)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return uuid.Nil, false, mapErr(err)
	}
	return floor, false, nil
}

// rankedID is a match in the window as the first page reads it on SQLite.
type rankedID struct {
	id   uuid.UUID
	rank int64
}

// floorRanked is floor on SQLite, where one statement walks the tenant's newest tickets and
// ranks their matches (the index read from the walk's lowest document number up): when the
// walk finds the window, it also returns the window's matches with their relevance (ranked
// true), so that the first page is sorted from them instead of read again. Otherwise the
// floor comes from the index, as in floor.
func (s *searcher) floorRanked(ctx context.Context) (floor uuid.UUID, walk bool, window []rankedID, ranked bool, err error) {
	q := s.q
	walked := s.walk(q.db.NewSelect().TableExpr("tickets CROSS JOIN ticket_search AS s ON s.ticket_id = tickets.id").
		ColumnExpr("tickets.id, s.doc"))
	rows, err := q.db.NewSelect().With("walk", walked).
		TableExpr(`(SELECT rowid AS doc, `+ftsRelevance+` AS relevance FROM ticket_fts
			WHERE ticket_fts MATCH ? AND rowid >= (SELECT min(doc) FROM walk)) AS m CROSS JOIN walk ON walk.doc = m.doc`,
			s.query.FTS5(s.ftsColumns()...)).
		ColumnExpr("walk.id, m.relevance").OrderExpr("walk.id DESC").Rows(ctx)
	if err != nil {
		return uuid.Nil, false, nil, false, mapErr(err)
	}
	var hits []rankedID
	for rows.Next() {
		var h rankedID
		if err := rows.Scan(&h.id, &h.rank); err != nil {
			_ = rows.Close()
			return uuid.Nil, false, nil, false, fmt.Errorf("bunstore: scan matches: %w", err)
		}
		hits = append(hits, h)
	}
	if err := rows.Close(); err != nil {
		return uuid.Nil, false, nil, false, mapErr(err)
	}
	if err := rows.Err(); err != nil {
		return uuid.Nil, false, nil, false, mapErr(err)
	}
	if len(hits) >= searchWindow {
		return hits[searchWindow-1].id, true, hits[:searchWindow], true, nil
	}
	var n int
	if err := q.db.NewSelect().TableExpr("(?) AS walk", s.walk(q.db.NewSelect().TableExpr("tickets").ColumnExpr("tickets.id"))).
		ColumnExpr("count(*)").Scan(ctx, &n); err != nil {
		return uuid.Nil, false, nil, false, mapErr(err)
	}
	if n < searchWalk {
		return uuid.Nil, true, hits, true, nil // the walk read every ticket: all the matches
	}
	err = s.from("id", false).OrderExpr("id DESC").Limit(1).Offset(searchWindow-1).Scan(ctx, &floor)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return uuid.Nil, false, nil, false, mapErr(err)
	}
	return floor, false, nil, false, nil
}

// tickets returns the tenant's tickets of ids, by ID (one deleted meanwhile is missing).
func (s *searcher) tickets(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*ticket.Ticket, error) {
	byID := make(map[uuid.UUID]*ticket.Ticket, len(ids))
	if len(ids) == 0 {
		return byID, nil
	}
	var r ticketRow
	ts, err := scanRows[ticketRow, *ticket.Ticket](ctx, s.q.db.NewSelect().TableExpr("tickets").ColumnExpr(r.columns()).
		Where("tenant_id = ? AND id IN (?)", s.tenantID, bun.List(ids)))
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		byID[t.ID] = t
	}
	return byID, nil
}

// walk narrows sel to the tenant's newest searchWalk tickets, f applied.
func (s *searcher) walk(sel *bun.SelectQuery) *bun.SelectQuery {
	return s.q.ticketFilter(sel.Where("tenant_id = ?", s.tenantID), s.f).OrderExpr("tickets.id DESC").Limit(searchWalk)
}

// searchTickets is ListTickets with a Text: the matches ordered by relevance among the newest
// searchWindow, then the older ones newest first (see the top of this file).
func (q *queries) searchTickets(ctx context.Context, tenantID uuid.UUID, f storage.TicketFilter, p storage.PageRequest) (storage.Page[*ticket.Ticket], error) {
	var out storage.Page[*ticket.Ticket]
	cur, err := decodeSearchCursor(p.After)
	if err != nil {
		return out, err
	}
	s := &searcher{q: q, tenantID: tenantID, f: f, query: textsearch.ParseQuery(f.Text)}
	if s.query.Empty() {
		return out, nil
	}
	var r ticketRow
	size := p.Size()
	floor, walk := cur.Floor, cur.Walk
	var (
		window []rankedID // the first page's window, ranked, on SQLite
		ranked bool
	)
	if p.After == "" {
		// The window: the newest searchWindow matches. Its oldest is the floor.
		if q.pg {
			floor, walk, err = s.floor(ctx)
		} else {
			floor, walk, window, ranked, err = s.floorRanked(ctx)
		}
		if err != nil {
			return out, err
		}
	}
	type hit struct {
		t    *ticket.Ticket
		rank int64
		tail bool
	}
	var hits []hit
	if ranked {
		// Sorted here as the statement below sorts: relevance, then newest.
		slices.SortFunc(window, func(a, b rankedID) int {
			if a.rank != b.rank {
				return cmp.Compare(b.rank, a.rank)
			}
			return bytes.Compare(b.id[:], a.id[:])
		})
		window = window[:min(len(window), size+1)]
		ids := make([]uuid.UUID, len(window))
		for i, h := range window {
			ids[i] = h.id
		}
		byID, err := s.tickets(ctx, ids)
		if err != nil {
			return out, err
		}
		for _, h := range window {
			if t := byID[h.id]; t != nil {
				hits = append(hits, hit{t: t, rank: h.rank})
			}
		}
	} else if !cur.Tail {
		if walk {
			s.walkFrom = floor
			if floor == uuid.Nil {
				s.walkFrom = uuid.Max
			}
		}
		inner := s.from("id", true)
		s.walkFrom = uuid.Nil
		if floor != uuid.Nil {
			inner = inner.Where("id >= ?", floor)
		}
		// The page's IDs first, then their tickets: the sort carries two columns, not every
		// column of each match in the window.
		top := q.db.NewSelect().TableExpr("(?) AS ranked", inner).ColumnExpr("id AS top_id, relevance AS top_relevance")
		if p.After != "" {
			top = top.Where("(relevance < ? OR (relevance = ? AND id < ?))", cur.Rank, cur.Rank, cur.ID)
		}
		top = top.OrderExpr("relevance DESC, id DESC").Limit(int64(size + 1))
		join := "CROSS JOIN" // SQLite: in this order
		if q.pg {
			join = "JOIN"
		}
		rows, err := q.db.NewSelect().TableExpr("(?) AS top "+join+" tickets ON tickets.id = top.top_id", top).
			ColumnExpr(r.columns() + ", top_relevance").OrderExpr("top_relevance DESC, tickets.id DESC").Rows(ctx)
		if err != nil {
			return out, mapErr(err)
		}
		for rows.Next() {
			var (
				tr   ticketRow
				rank int64
			)
			if err := rows.Scan(append(tr.targets(), &rank)...); err != nil {
				_ = rows.Close()
				return out, fmt.Errorf("bunstore: scan tickets: %w", err)
			}
			hits = append(hits, hit{t: tr.domain(), rank: rank})
		}
		if err := rows.Close(); err != nil {
			return out, mapErr(err)
		}
		if err := rows.Err(); err != nil {
			return out, mapErr(err)
		}
	}
	if len(hits) <= size && floor != uuid.Nil {
		below := floor
		if cur.Tail {
			below = cur.ID
		}
		tail, err := scanRows[ticketRow, *ticket.Ticket](ctx, s.from(r.columns(), false).Where("id < ?", below).
			OrderExpr("id DESC").Limit(int64(size+1-len(hits))))
		if err != nil {
			return out, err
		}
		for _, t := range tail {
			hits = append(hits, hit{t: t, tail: true})
		}
	}
	for i, h := range hits {
		if i == size {
			last := hits[size-1]
			out.Next = searchCursor{Floor: floor, Tail: last.tail, Walk: walk, Rank: last.rank, ID: last.t.ID}.encode()
			break
		}
		out.Items = append(out.Items, h.t)
	}
	return out, nil
}

// likeTickets is the ticket search as it was before the full-text index: a case-insensitive
// substring of title or description, newest first. The scale benchmark measures it beside
// searchTickets; nothing else calls it.
func (q *queries) likeTickets(ctx context.Context, tenantID uuid.UUID, f storage.TicketFilter, p storage.PageRequest) (storage.Page[*ticket.Ticket], error) {
	text := f.Text
	f.Text = ""
	return page[ticketRow, *ticket.Ticket](ctx, q, tenantID, p, func(s *bun.SelectQuery) *bun.SelectQuery {
		return textMatch(q.ticketFilter(s, f), text)
	}, func(t *ticket.Ticket) uuid.UUID { return t.ID })
}

// Backfill: the search documents of the tickets written before migration 20261211000018.

const backfillBatch = 2000

// searchBackfill is migration 20261211000021: it writes the search document of every ticket
// that has none, in batches (an interrupted run resumes), then, on PostgreSQL, builds the GIN
// index (faster once than row by row).
func (s *Store) searchBackfill() migrate.Migration {
	return migrate.Migration{Name: "20261211000021", Comment: "search_backfill",
		Up: func(ctx context.Context, _ *migrate.Migrator, _ *migrate.Migration) error {
			if err := s.backfillSearch(ctx); err != nil {
				return fmt.Errorf("search backfill: %w", err)
			}
			return nil
		},
		Down: func(ctx context.Context, _ *migrate.Migrator, _ *migrate.Migration) error {
			if s.pg {
				_, err := s.db.ExecContext(ctx, "DROP INDEX IF EXISTS tickets_search")
				return err
			}
			return nil
		},
	}
}

// backfillRow is what the backfill reads of a ticket.
type backfillRow struct {
	ID             uuid.UUID `bun:"id"`
	TenantID       uuid.UUID `bun:"tenant_id"`
	Prefix         string    `bun:"prefix"`
	Number         int64     `bun:"number"`
	Title          string    `bun:"title"`
	Description    string    `bun:"description"`
	RequesterName  string    `bun:"requester_name"`
	RequesterEmail string    `bun:"requester_email"`
	Done           bool      `bun:"done"`
}

func (s *Store) backfillSearch(ctx context.Context) error {
	var after uuid.UUID
	// Whether a ticket has its document is read, not filtered on: PostgreSQL has no statistics
	// for the new column yet and would scan the whole table for each batch.
	done := "search_doc IS NOT NULL"
	if !s.pg {
		done = "EXISTS (SELECT 1 FROM ticket_search AS s WHERE s.ticket_id = tickets.id)"
	}
	for {
		var rows []backfillRow
		err := s.db.NewSelect().Table("tickets").
			Column("id", "tenant_id", "prefix", "number", "title", "description", "requester_name", "requester_email").
			ColumnExpr(done+" AS done").Where("id > ?", after).OrderExpr("id").Limit(backfillBatch).Scan(ctx, &rows)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			break
		}
		after = rows[len(rows)-1].ID
		rows = slices.DeleteFunc(rows, func(r backfillRow) bool {
			return r.Done
		})
		if len(rows) == 0 {
			continue
		}
		ids := make([]uuid.UUID, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		var msgs []struct {
			TicketID   uuid.UUID `bun:"ticket_id"`
			Body       string    `bun:"body"`
			Visibility string    `bun:"visibility"`
		}
		if err := s.db.NewSelect().Table("messages").Column("ticket_id", "body", "visibility").
			Where("ticket_id IN (?)", bun.List(ids)).OrderExpr("ticket_id, created_at, id").Scan(ctx, &msgs); err != nil {
			return err
		}
		public, internal := map[uuid.UUID][]string{}, map[uuid.UUID][]string{}
		for _, m := range msgs {
			if m.Visibility == string(ticket.Internal) {
				internal[m.TicketID] = append(internal[m.TicketID], m.Body)
			} else {
				public[m.TicketID] = append(public[m.TicketID], m.Body)
			}
		}
		if s.pg {
			docs := make([]string, len(rows))
			for i, r := range rows {
				t := textsearch.Ticket{TenantID: r.TenantID.String(), Prefix: r.Prefix, Number: r.Number, Title: r.Title,
					Description: r.Description, RequesterName: r.RequesterName, RequesterEmail: r.RequesterEmail}
				docs[i] = t.DocumentVector(public[r.ID], internal[r.ID])
			}
			if _, err := s.db.ExecContext(ctx, `UPDATE tickets AS t SET search_doc = v.doc::tsvector
				FROM unnest(?::uuid[], ?::text[]) AS v (id, doc) WHERE t.id = v.id`,
				pgdialect.Array(ids), pgdialect.Array(docs)); err != nil {
				return err
			}
		} else {
			values := make([]string, 0, len(rows))
			var args []any
			for _, r := range rows {
				t := textsearch.Ticket{TenantID: r.TenantID.String(), Prefix: r.Prefix, Number: r.Number, Title: r.Title,
					Description: r.Description, RequesterName: r.RequesterName, RequesterEmail: r.RequesterEmail}
				values = append(values, "(?, ?, ?, ?, ?, ?)")
				args = append(args, r.ID, textsearch.TenantToken(t.TenantID), t.Head(), t.Detail(),
					textsearch.Fold(strings.Join(public[r.ID], "\n")), textsearch.Fold(strings.Join(internal[r.ID], "\n")))
			}
			if _, err := s.db.ExecContext(ctx, "INSERT INTO ticket_search (ticket_id, tenant, head, detail, public, internal) VALUES "+
				strings.Join(values, ", "), args...); err != nil {
				return err
			}
		}
	}
	if s.pg {
		_, err := s.db.ExecContext(ctx, "CREATE INDEX IF NOT EXISTS tickets_search ON tickets USING gin (search_doc)")
		return err
	}
	return nil
}
