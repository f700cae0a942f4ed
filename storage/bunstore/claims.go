package bunstore

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// queue is a table whose rows are claimed by due time, earliest first: the outbox's
// notifications and the timers. Each has an index on (due, id) whose condition, if any, is
// pending, so that claims and the earliest due time read the index from its start and cost what
// the due rows cost, however many rows wait.
type queue struct {
	table string
	// due is the column holding when a row may next be claimed; a claim moves it to the end of
	// its lease.
	due string
	// pending is the condition a row must meet to be claimed at all, "" for every row. It is
	// the index's own condition, written out in every query so that SQLite uses that index.
	pending string
}

var (
	outboxQueue = queue{table: "notifications", due: "next_attempt_at", pending: "status = 'pending'"}
	timerQueue  = queue{table: "timers", due: "run_at"}
)

// dueWhere is the condition of the rows due at a time given as its one argument.
func (u queue) dueWhere() string {
	if u.pending == "" {
		return u.due + " <= ?"
	}
	return u.pending + " AND " + u.due + " <= ?"
}

// claimPG is the PostgreSQL claim statement, returning the due time before the claim and then
// columns; its arguments are now, the limit and the lease's end. The CTE locks the earliest due
// rows, skipping those another claim has locked; a row another claim has already leased fails
// the re-check of the WHERE clause once its lock is released (its due time moved past now), so
// it is not taken twice.
func (u queue) claimPG(columns string) string {
	// The CTE's names are prefixed so that they clash with no column of the table.
	return `WITH claim AS (
		SELECT id AS claim_id, ` + u.due + ` AS claim_due FROM ` + u.table + `
		WHERE ` + u.dueWhere() + `
		ORDER BY ` + u.due + `, id LIMIT ? FOR UPDATE SKIP LOCKED
	)
	UPDATE ` + u.table + ` SET attempts = attempts + 1, ` + u.due + ` = ?
	FROM claim WHERE id = claim.claim_id
	RETURNING claim.claim_due, ` + columns
}

// claim takes up to limit rows of u due at now, earliest first (then by ID): each gets one more
// attempt and leaseUntil as its due time, and is returned so. id reads a returned record's ID.
func claim[R any, D any, P row[R, D]](ctx context.Context, q *queries, u queue, now, leaseUntil time.Time, limit int, id func(D) uuid.UUID) ([]D, error) {
	if limit <= 0 {
		return nil, nil
	}
	if q.pg {
		return claimPG[R, D, P](ctx, q, u, now, leaseUntil, limit, id)
	}
	return claimSQLite[R, D, P](ctx, q, u, now, leaseUntil, limit, id)
}

// claimPG claims in one statement (queue.claimPG). UPDATE … RETURNING has no order, so the
// statement hands back each row's due time before the claim, to sort them by it here.
func claimPG[R any, D any, P row[R, D]](ctx context.Context, q *queries, u queue, now, leaseUntil time.Time, limit int, id func(D) uuid.UUID) ([]D, error) {
	var r P = new(R)
	rows, err := q.db.QueryContext(ctx, u.claimPG(r.columns()), now, limit, leaseUntil)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	type claimed struct {
		due time.Time
		d   D
	}
	var out []claimed
	for rows.Next() {
		var (
			r   P = new(R)
			due time.Time
		)
		if err := rows.Scan(append([]any{&due}, r.targets()...)...); err != nil {
			return nil, fmt.Errorf("bunstore: scan claimed %s: %w", u.table, err)
		}
		out = append(out, claimed{due, r.domain()})
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	slices.SortFunc(out, func(a, b claimed) int {
		if c := a.due.Compare(b.due); c != 0 {
			return c
		}
		ida, idb := id(a.d), id(b.d)
		return bytes.Compare(ida[:], idb[:])
	})
	ds := make([]D, len(out))
	for i, c := range out {
		ds[i] = c.d
	}
	return ds, nil
}

// claimSQLite claims with a read and a write in one transaction. SQLite has one writer at a
// time and the store begins write transactions IMMEDIATE, so no other claim runs in between;
// the read gives the order the write's RETURNING does not (it can only return new values).
func claimSQLite[R any, D any, P row[R, D]](ctx context.Context, q *queries, u queue, now, leaseUntil time.Time, limit int, id func(D) uuid.UUID) ([]D, error) {
	var ds []D
	err := q.atomic(ctx, func(q *queries) error {
		var ids []uuid.UUID
		if err := q.dueIDs(u, now, limit).Scan(ctx, &ids); err != nil || len(ids) == 0 {
			return mapErr(err)
		}
		var r P = new(R)
		claimed, err := queryRows[R, D, P](ctx, q, "UPDATE "+u.table+" SET attempts = attempts + 1, "+u.due+
			" = ? WHERE id IN (?) RETURNING "+r.columns(), leaseUntil, bun.List(ids))
		if err != nil {
			return err
		}
		byID := make(map[uuid.UUID]D, len(claimed))
		for _, d := range claimed {
			byID[id(d)] = d
		}
		for _, i := range ids {
			if d, ok := byID[i]; ok {
				ds = append(ds, d)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ds, nil
}

// dueIDs selects the IDs of up to limit rows of u due at now, earliest first.
func (q *queries) dueIDs(u queue, now time.Time, limit int) *bun.SelectQuery {
	return q.db.NewSelect().Table(u.table).Column("id").Where(u.dueWhere(), now).
		OrderExpr(u.due + ", id").Limit(int64(limit))
}

// nextDue returns the earliest due time of u's claimable rows, and false when there are none.
func (q *queries) nextDue(ctx context.Context, u queue) (time.Time, bool, error) {
	var due []time.Time
	if err := q.nextDueQuery(u).Scan(ctx, &due); err != nil {
		return time.Time{}, false, mapErr(err)
	}
	if len(due) == 0 {
		return time.Time{}, false, nil
	}
	return due[0].UTC(), true, nil
}

// nextDueQuery selects the earliest due time of u's claimable rows.
func (q *queries) nextDueQuery(u queue) *bun.SelectQuery {
	s := q.db.NewSelect().Table(u.table).Column(u.due)
	if u.pending != "" {
		s = s.Where(u.pending)
	}
	return s.OrderExpr(u.due).Limit(1)
}
