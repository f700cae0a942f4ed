package bunstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/deskkit/helpdesk/storage"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// bun builds every query and writes every row; reads are scanned by hand into the row types'
// fields (columns.go). bun's reflective scanner cost about a third more per ticket page and
// about 20% of a whole ticket submission on PostgreSQL (see BENCHMARKS.md); rows.Scan into
// typed fields costs what a hand-written query costs.

// row is a row type R whose pointer P reads itself and converts to the domain type D.
type row[R any, D any] interface {
	*R
	table() string
	columns() string
	targets() []any
	domain() D
}

func (q *queries) insert(ctx context.Context, r any) error {
	_, err := q.db.NewInsert().Model(r).Exec(ctx)
	return mapErr(err)
}

// insertWhere inserts one row, the values for columns, if cond holds (with condArgs), and
// reports whether it did: an existence check and the insert in one statement. onConflict, if
// not empty, is the statement's ON CONFLICT clause.
func (q *queries) insertWhere(ctx context.Context, table, columns string, values []any, cond string, condArgs []any, onConflict string) (bool, error) {
	query := "INSERT INTO " + table + " (" + columns + ") SELECT " + strings.Repeat("?, ", len(values)-1) + "? WHERE " + cond
	if onConflict != "" {
		query += " " + onConflict
	}
	n, err := affected(q.db.ExecContext(ctx, query, append(values, condArgs...)...))
	return n > 0, err
}

// nullUUID is id as a query argument, NULL for uuid.Nil (bun.NullZero cannot take an array
// such as a UUID by value).
func nullUUID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}

// selectRows starts a query for R's table and columns.
func selectRows[R any, D any, P row[R, D]](q *queries) *bun.SelectQuery {
	var r P = new(R)
	return q.db.NewSelect().TableExpr(r.table()).ColumnExpr(r.columns())
}

// scanRows runs s, which selects R's columns, and converts every row.
func scanRows[R any, D any, P row[R, D]](ctx context.Context, s *bun.SelectQuery) ([]D, error) {
	rows, err := s.Rows(ctx)
	return collect[R, D, P](rows, err)
}

// queryRows runs query (formatted by bun, so ? takes args), which returns R's columns, and
// converts every row.
func queryRows[R any, D any, P row[R, D]](ctx context.Context, q *queries, query string, args ...any) ([]D, error) {
	rows, err := q.db.QueryContext(ctx, query, args...)
	return collect[R, D, P](rows, err)
}

// collect converts every row of rows, which hold R's columns; err is the error of the query
// that produced them.
func collect[R any, D any, P row[R, D]](rows *sql.Rows, err error) ([]D, error) {
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []D
	for rows.Next() {
		r := P(new(R))
		if err := rows.Scan(r.targets()...); err != nil {
			return nil, fmt.Errorf("bunstore: scan %s: %w", r.table(), err)
		}
		out = append(out, r.domain())
	}
	return out, mapErr(rows.Err())
}

// getRow reads the one row matching where; none is storage.ErrNotFound.
func getRow[R any, D any, P row[R, D]](ctx context.Context, q *queries, where string, args ...any) (D, error) {
	return firstRow[R, D, P](ctx, selectRows[R, D, P](q).Where(where, args...))
}

// firstRow reads the first row s selects; none is storage.ErrNotFound.
func firstRow[R any, D any, P row[R, D]](ctx context.Context, s *bun.SelectQuery) (D, error) {
	items, err := scanRows[R, D, P](ctx, s.Limit(1))
	if err == nil && len(items) == 0 {
		err = storage.ErrNotFound
	}
	if err != nil {
		var zero D
		return zero, err
	}
	return items[0], nil
}

// listRows reads every row the query shaper selects.
func listRows[R any, D any, P row[R, D]](ctx context.Context, q *queries, shape func(*bun.SelectQuery) *bun.SelectQuery) ([]D, error) {
	return scanRows[R, D, P](ctx, shape(selectRows[R, D, P](q)))
}

// jsonColumn scans a JSON column (bun writes maps, slices and structs as JSON) into dst.
type jsonColumn struct{ dst any }

// Scan decodes src; NULL leaves dst as it is.
func (j jsonColumn) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		return nil
	case []byte:
		return json.Unmarshal(v, j.dst)
	case string:
		return json.Unmarshal([]byte(v), j.dst)
	}
	return fmt.Errorf("bunstore: cannot decode %T as JSON", src)
}

// nullText scans a nullable text column (a string field tagged nullzero) into dst; NULL is "".
type nullText struct{ dst *string }

// Scan stores src, or "" for NULL.
func (n nullText) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*n.dst = ""
	case string:
		*n.dst = v
	case []byte:
		*n.dst = string(v)
	default:
		return fmt.Errorf("bunstore: cannot scan %T as text", src)
	}
	return nil
}
