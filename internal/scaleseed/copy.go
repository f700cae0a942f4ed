package scaleseed

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"
)

// row writes one line of COPY's text format: fields separated by tabs, \N for NULL.
type row struct {
	w     *bufio.Writer
	first bool
}

func (r *row) sep() {
	if !r.first {
		_ = r.w.WriteByte('\t')
	}
	r.first = false
}

// str writes a text field, escaping what COPY's text format would read otherwise.
func (r *row) str(s string) *row {
	r.sep()
	if !strings.ContainsAny(s, "\\\t\n\r") {
		_, _ = r.w.WriteString(s)
		return r
	}
	for _, c := range []byte(s) {
		switch c {
		case '\\':
			_, _ = r.w.WriteString(`\\`)
		case '\t':
			_, _ = r.w.WriteString(`\t`)
		case '\n':
			_, _ = r.w.WriteString(`\n`)
		case '\r':
			_, _ = r.w.WriteString(`\r`)
		default:
			_ = r.w.WriteByte(c)
		}
	}
	return r
}

func (r *row) null() *row {
	r.sep()
	_, _ = r.w.WriteString(`\N`)
	return r
}

// id writes a UUID, NULL for uuid.Nil.
func (r *row) id(id uuid.UUID) *row {
	if id == uuid.Nil {
		return r.null()
	}
	r.sep()
	var buf [36]byte
	hexUUID(buf[:], id)
	_, _ = r.w.Write(buf[:])
	return r
}

func (r *row) int(n int64) *row {
	r.sep()
	var buf [20]byte
	_, _ = r.w.Write(strconv.AppendInt(buf[:0], n, 10))
	return r
}

// at writes a timestamptz in UTC, microseconds as the Desk stores them.
func (r *row) at(t time.Time) *row {
	r.sep()
	var buf [40]byte
	_, _ = r.w.Write(t.UTC().AppendFormat(buf[:0], "2006-01-02 15:04:05.999999Z07:00"))
	return r
}

// atOrNull writes t, or NULL for the zero time.
func (r *row) atOrNull(t time.Time) *row {
	if t.IsZero() {
		return r.null()
	}
	return r.at(t)
}

func (r *row) end() { _ = r.w.WriteByte('\n') }

func hexUUID(dst []byte, u uuid.UUID) {
	const digits = "0123456789abcdef"
	j := 0
	for i, b := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst[j] = '-'
			j++
		}
		dst[j], dst[j+1] = digits[b>>4], digits[b&0xf]
		j += 2
	}
}

// copier streams rows into one table with COPY FROM STDIN on conn (inside its transaction).
type copier struct {
	ctx  context.Context
	conn bun.Conn
	rows int64
}

// copy writes the rows fill produces into table's cols.
func (c *copier) copy(table string, cols []string, fill func(next func() *row)) error {
	pr, pw := io.Pipe()
	var n int64
	go func() {
		w := bufio.NewWriterSize(pw, 256<<10)
		r := &row{w: w}
		var open bool
		fill(func() *row {
			if open {
				r.end()
			}
			open = true
			n++
			r.first = true
			return r
		})
		if open {
			r.end()
		}
		err := w.Flush()
		pw.CloseWithError(err)
	}()
	q := fmt.Sprintf("COPY %s (%s) FROM STDIN", table, strings.Join(cols, ", "))
	if _, err := pgdriver.CopyFrom(c.ctx, c.conn, pr, q); err != nil {
		_ = pr.CloseWithError(err)
		return fmt.Errorf("copy %s: %w", table, err)
	}
	c.rows += n
	return nil
}

// idAt returns a UUIDv7 for time t, as the Desk's own IDs are (newID): time-ordered, so that
// keyset pages (ORDER BY id DESC) run newest first as they do for rows the Desk wrote.
func idAt(t time.Time) uuid.UUID {
	var u uuid.UUID
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	a, b := rand.Uint64(), rand.Uint64()
	for i := 6; i < 16; i++ {
		if i < 14 {
			u[i] = byte(a >> (8 * (i - 6)))
		} else {
			u[i] = byte(b >> (8 * (i - 14)))
		}
	}
	u[6] = u[6]&0x0f | 0x70 // version 7
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u
}
