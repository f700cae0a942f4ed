package bunstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// firstResponseActions are the history actions that answer a requester: a public message, an
// acceptance or assignment, an invitation or proposal for a call (see storage.PeriodStats).
var firstResponseActions = []string{"message", "accept", "assign", "session.invite", "session.propose"}

// RecordStats groups the tickets of the records asked for in one statement: the grouping
// column's index finds them (tickets_tenant_device_id, tickets_tenant_customer_id, or
// devices_tenant_template and then tickets_tenant_device_id), and each ticket's sessions are
// counted through sessions_ticket_created.
func (q *queries) RecordStats(ctx context.Context, tenantID uuid.UUID, of storage.StatsOf, ids []uuid.UUID, customerID uuid.UUID) (map[uuid.UUID]storage.RecordStats, error) {
	out := make(map[uuid.UUID]storage.RecordStats, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	query, args, err := q.recordStatsQuery(tenantID, of, ids, customerID)
	if err != nil {
		return nil, err
	}
	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id uuid.UUID
			s  storage.RecordStats
		)
		if err := rows.Scan(&id, &s.Tickets, &s.Sessions, &s.Ratings, &s.MeanRating); err != nil {
			return nil, mapErr(err)
		}
		out[id] = s
	}
	return out, mapErr(rows.Err())
}

// recordStatsQuery is RecordStats' statement.
func (q *queries) recordStatsQuery(tenantID uuid.UUID, of storage.StatsOf, ids []uuid.UUID, customerID uuid.UUID) (string, []any, error) {
	var key, from string
	switch of {
	case storage.StatsDevice:
		key, from = "t.device_id", "tickets t"
	case storage.StatsCustomer:
		key, from = "t.customer_id", "tickets t"
	case storage.StatsTemplate:
		key, from = "d.template_id", "devices d JOIN tickets t ON t.tenant_id = d.tenant_id AND t.device_id = d.id"
	default:
		return "", nil, fmt.Errorf("record stats: unknown grouping %q", of)
	}
	query := "SELECT " + key + ", count(*), coalesce(sum((SELECT count(*) FROM sessions s WHERE s.ticket_id = t.id)), 0), " +
		"count(t.rating_stars), coalesce(avg(t.rating_stars), 0) FROM " + from +
		" WHERE t.tenant_id = ? AND " + key + " IN (?)"
	args := []any{tenantID, bun.List(ids)}
	if of == storage.StatsTemplate {
		query += " AND d.tenant_id = ?"
		args = append(args, tenantID)
	}
	if customerID != uuid.Nil {
		query += " AND t.customer_id = ?"
		args = append(args, customerID)
	}
	return query + " GROUP BY " + key, args, nil
}

// PeriodStats computes a period's figures in one statement: the tickets opened in the period
// come from tickets_tenant_created (tickets_tenant_customer_created for a customer), each
// one's first response from its history through history_ticket_at, and the tickets closed in
// the period from tickets_tenant_closed (tickets_tenant_customer_closed). PostgreSQL takes
// the medians with percentile_cont; SQLite, which has none, sorts the values and averages the
// middle one or two, picked by LIMIT and OFFSET from their count.
func (q *queries) PeriodStats(ctx context.Context, tenantID uuid.UUID, f storage.PeriodFilter) (storage.PeriodStats, error) {
	var st storage.PeriodStats
	query, args := q.periodStatsQuery(tenantID, f)
	var firstResponse, toClose sql.NullFloat64
	err := q.db.QueryRowContext(ctx, query, args...).Scan(&st.Opened, &st.Responded, &firstResponse,
		&st.Closed, &toClose, &st.Ratings, &st.MeanRating)
	if err != nil {
		return st, mapErr(err)
	}
	st.MedianFirstResponse = millis(firstResponse)
	st.MedianTimeToClose = millis(toClose)
	return st, nil
}

// periodStatsQuery is PeriodStats' statement.
func (q *queries) periodStatsQuery(tenantID uuid.UUID, f storage.PeriodFilter) (string, []any) {
	scope, scopeArgs := "t.tenant_id = ?", []any{tenantID}
	if f.CustomerID != uuid.Nil {
		scope += " AND t.customer_id = ?"
		scopeArgs = append(scopeArgs, f.CustomerID)
	}
	firstAt := "(SELECT min(h.at) FROM history h WHERE h.ticket_id = t.id AND h.actor_kind = 'employee' AND h.action IN (?))"
	query := "WITH o AS MATERIALIZED (SELECT " + q.seconds(firstAt, "t.created_at") + " AS v FROM tickets t WHERE " + scope +
		" AND t.created_at >= ? AND t.created_at < ? AND t.state <> 'draft'), " +
		"r AS MATERIALIZED (SELECT v FROM o WHERE v IS NOT NULL), " +
		"c AS MATERIALIZED (SELECT " + q.seconds("t.closed_at", "t.created_at") + " AS v, t.rating_stars FROM tickets t WHERE " + scope +
		" AND t.state = 'closed' AND t.closed_at >= ? AND t.closed_at < ?) " +
		"SELECT (SELECT count(*) FROM o), (SELECT count(*) FROM r), " + q.median("r") + ", " +
		"(SELECT count(*) FROM c), " + q.median("c") + ", " +
		"(SELECT count(rating_stars) FROM c), (SELECT coalesce(avg(rating_stars), 0) FROM c)"
	args := append([]any{bun.List(firstResponseActions)}, scopeArgs...)
	args = append(args, f.From, f.To)
	args = append(args, scopeArgs...)
	args = append(args, f.From, f.To)
	return query, args
}

// seconds is the SQL for the seconds from the time from to the time to, with fractions.
func (q *queries) seconds(to, from string) string {
	if q.pg {
		return "extract(epoch from (" + to + " - " + from + "))::float8"
	}
	return "(unixepoch(" + to + ", 'subsec') - unixepoch(" + from + ", 'subsec'))"
}

// median is the SQL for the median of the column v of the named rows, NULL when there are
// none. On SQLite, for n rows, the middle ones are the 1 (n odd) or 2 (n even) after the
// first (n-1)/2.
func (q *queries) median(rows string) string {
	if q.pg {
		return "(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM " + rows + ")"
	}
	n := "(SELECT count(*) FROM " + rows + ")"
	return "(SELECT avg(v) FROM (SELECT v FROM " + rows + " ORDER BY v LIMIT 2 - " + n + " % 2 OFFSET (" + n + " - 1) / 2))"
}

// millis turns seconds into a duration rounded to the millisecond (SQLite's time functions'
// precision), 0 for NULL.
func millis(s sql.NullFloat64) time.Duration {
	if !s.Valid {
		return 0
	}
	return time.Duration(math.Round(s.Float64*1000)) * time.Millisecond
}
