package bunstore

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scannable is what every row type offers the hand scanner.
type scannable interface {
	table() string
	columns() string
	targets() []any
}

// TestRowColumns checks each row type's hand-written column list and field pointers against its
// bun tags: the same columns, in the same order, each pointer aimed at the field tagged with that
// column (JSON fields through jsonColumn).
func TestRowColumns(t *testing.T) {
	rows := []scannable{&tenantRow{}, &customerRow{}, &departmentRow{}, &projectRow{}, &templateRow{},
		&deviceRow{}, &codeRow{}, &statusRow{}, &priorityRow{}, &ticketRow{}, &messageRow{}, &historyRow{},
		&sessionRow{}, &auditRow{}, &userRow{}, &teamRow{}, &teamMemberRow{}, &metaTeamRow{}, &userTokenRow{}, &requestLinkRow{},
		&authSessionRow{}, &notificationRow{}, &notificationTemplateRow{}, &timerRow{}, &attachmentRow{}, &cannedRow{}, &webhookEndpointRow{}, &webhookDeliveryRow{}}
	for _, r := range rows {
		v := reflect.ValueOf(r).Elem()
		t.Run(v.Type().Name(), func(t *testing.T) {
			var cols []string
			var ptrs []uintptr
			var walk func(v reflect.Value)
			walk = func(v reflect.Value) {
				for i := 0; i < v.NumField(); i++ {
					f := v.Type().Field(i)
					tag := f.Tag.Get("bun")
					name, opts, _ := strings.Cut(tag, ",")
					switch {
					case f.Name == "BaseModel":
						assert.Equal(t, "table:"+r.table(), name, "table name")
					case strings.Contains(opts, "embed"):
						walk(v.Field(i))
					case name != "":
						cols = append(cols, name)
						ptrs = append(ptrs, v.Field(i).Addr().Pointer())
					}
				}
			}
			walk(v)
			assert.Equal(t, cols, strings.Split(r.columns(), ", "), "columns() against the bun tags")
			targets := r.targets()
			require.Len(t, targets, len(ptrs))
			for i, target := range targets {
				switch w := target.(type) {
				case jsonColumn:
					target = w.dst
				case nullText:
					target = w.dst
				}
				assert.Equal(t, ptrs[i], reflect.ValueOf(target).Pointer(), "targets()[%d] should point at the field of column %s", i, cols[i])
			}
		})
	}
}
