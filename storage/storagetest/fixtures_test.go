package storagetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
)

// The suite's verdicts rest on normalize: it must forgive what databases legitimately change
// and nothing else.
func TestNormalize(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.UTC)
	berlin := time.FixedZone("CET", 3600)

	t.Run("SameInstantOtherZoneAndNanoseconds", func(t *testing.T) {
		want := &ticket.Ticket{CreatedAt: at, ClosedAt: ptr(at), Rating: &ticket.Rating{At: at}}
		got := &ticket.Ticket{
			CreatedAt: at.In(berlin).Truncate(time.Microsecond),
			ClosedAt:  ptr(at.In(berlin)),
			Rating:    &ticket.Rating{At: at.Truncate(time.Microsecond)},
		}
		normalize(reflect.ValueOf(want))
		normalize(reflect.ValueOf(got))
		assert.Equal(t, want, got)
	})

	t.Run("EmptyIsNil", func(t *testing.T) {
		want := &device.Template{Fields: []device.FieldDef{{Key: "a"}}}
		got := &device.Template{Fields: []device.FieldDef{{Key: "a", Options: []string{}}}, Blocks: []device.Block{}}
		normalize(reflect.ValueOf(want))
		normalize(reflect.ValueOf(got))
		assert.Equal(t, want, got)

		d := &device.Device{Fields: map[string]string{}}
		normalize(reflect.ValueOf(d))
		assert.Nil(t, d.Fields)
	})

	t.Run("DifferencesRemain", func(t *testing.T) {
		for name, pair := range map[string][2]any{
			"instant":  {&ticket.Ticket{CreatedAt: at}, &ticket.Ticket{CreatedAt: at.Add(time.Microsecond)}},
			"nil time": {&ticket.Ticket{ClosedAt: ptr(at)}, &ticket.Ticket{}},
			"map":      {&device.Device{Fields: map[string]string{"a": "1"}}, &device.Device{Fields: map[string]string{"a": "2"}}},
			"slice":    {&device.Code{Actions: device.Actions()}, &device.Code{Actions: device.Actions()[:2]}},
			"nested":   {&ticket.Ticket{Rating: &ticket.Rating{Stars: 4}}, &ticket.Ticket{Rating: &ticket.Rating{Stars: 5}}},
		} {
			normalize(reflect.ValueOf(pair[0]))
			normalize(reflect.ValueOf(pair[1]))
			assert.NotEqual(t, pair[0], pair[1], name)
		}
	})
}

func TestMatchTicket(t *testing.T) {
	assignee := uuid.New()
	tk := &ticket.Ticket{Title: "Water pump leaks", Description: "Seal", State: ticket.StateOpen, AssigneeID: assignee}
	for _, c := range []struct {
		name string
		f    storage.TicketFilter
		want bool
	}{
		{"Zero", storage.TicketFilter{}, true},
		{"TextTitle", storage.TicketFilter{Text: "PUMP"}, true},
		{"TextDescription", storage.TicketFilter{Text: "seal"}, true},
		{"TextNone", storage.TicketFilter{Text: "valve"}, false},
		{"States", storage.TicketFilter{States: []ticket.State{ticket.StateDone, ticket.StateOpen}}, true},
		{"OtherState", storage.TicketFilter{States: []ticket.State{ticket.StateDone}}, false},
		{"Assignee", storage.TicketFilter{AssigneeID: assignee}, true},
		{"OtherAssignee", storage.TicketFilter{AssigneeID: uuid.New()}, false},
		{"Unassigned", storage.TicketFilter{Unassigned: true}, false},
		{"UnassignedIgnoresAssignee", storage.TicketFilter{Unassigned: true, AssigneeID: assignee}, false},
		{"Priority", storage.TicketFilter{PriorityIDs: []uuid.UUID{uuid.New()}}, false},
	} {
		assert.Equal(t, c.want, matchTicket(c.f, tk), c.name)
	}
}
