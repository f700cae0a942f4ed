package storagetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/internal/textsearch"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newestFirst sorts IDs as the listings must return them: UUIDv7s descending, which is
// newest first.
func newestFirst(ids []uuid.UUID) []uuid.UUID {
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(b[:], a[:]) })
	return ids
}

// walk pages through a listing with the given limit until Next is empty, calling between(n)
// after page n (counting from 1) whenever another page follows. It returns the IDs in the order
// listed and the size of each page.
func walk[T any](t *testing.T, limit int, list func(p storage.PageRequest) (storage.Page[T], error),
	id func(T) uuid.UUID, between func(page int)) (ids []uuid.UUID, sizes []int) {
	t.Helper()
	p := storage.PageRequest{Limit: limit}
	for n := 1; ; n++ {
		require.LessOrEqual(t, n, 1000, "the walk never reaches an empty Next")
		page, err := list(p)
		require.NoError(t, err, "page %d", n)
		for _, item := range page.Items {
			ids = append(ids, id(item))
		}
		sizes = append(sizes, len(page.Items))
		if page.Next == "" {
			return ids, sizes
		}
		require.NotEmpty(t, page.Items, "page %d has a Next cursor but no items", n)
		if between != nil {
			between(n)
		}
		p.After = page.Next
	}
}

func ticketID(t *ticket.Ticket) uuid.UUID { return t.ID }
func deviceID(d *device.Device) uuid.UUID { return d.ID }

// addTickets stores n more tickets in w and returns the IDs of all of w's tickets.
func addTickets(w *world, n int) []uuid.UUID {
	w.t.Helper()
	ids := []uuid.UUID{w.Ticket.ID}
	for i := range n {
		ids = append(ids, w.addTicket(w.newTicket(fmt.Sprintf("Ticket %02d", i+1))).ID)
	}
	return ids
}

// testPagination checks keyset pagination of tickets and devices.
func testPagination(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	listTickets := func(w *world, f storage.TicketFilter) func(storage.PageRequest) (storage.Page[*ticket.Ticket], error) {
		return func(p storage.PageRequest) (storage.Page[*ticket.Ticket], error) {
			return s.ListTickets(ctx, w.Tenant.ID, f, p)
		}
	}
	listDevices := func(w *world) func(storage.PageRequest) (storage.Page[*device.Device], error) {
		return func(p storage.PageRequest) (storage.Page[*device.Device], error) {
			return s.ListDevices(ctx, w.Tenant.ID, storage.DeviceFilter{}, p)
		}
	}

	t.Run("Tickets", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		want := newestFirst(addTickets(w, 39))
		got, sizes := walk(t, 7, listTickets(w, storage.TicketFilter{}), ticketID, nil)
		assert.Equal(t, want, got, "every ticket once, newest first")
		assert.Equal(t, []int{7, 7, 7, 7, 7, 5}, sizes, "page sizes")
	})

	t.Run("InsertWhilePaging", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		want := newestFirst(addTickets(w, 39))
		var inserted []uuid.UUID
		got, _ := walk(t, 7, listTickets(w, storage.TicketFilter{}), ticketID, func(page int) {
			if page == 1 || page == 3 {
				for range 3 {
					inserted = append(inserted, w.addTicket(w.newTicket(fmt.Sprintf("Inserted after page %d", page))).ID)
				}
			}
		})
		assert.Equal(t, want, got, "the rows present at the start, each once, newest first")
		for _, id := range inserted {
			assert.NotContains(t, got, id, "a row inserted while paging appeared on a later page")
		}
		// A new walk sees them all.
		all, _ := walk(t, 7, listTickets(w, storage.TicketFilter{}), ticketID, nil)
		assert.Equal(t, newestFirst(append(slices.Clone(want), inserted...)), all)
	})

	t.Run("ExactMultiple", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		want := newestFirst(addTickets(w, 13))
		got, sizes := walk(t, 7, listTickets(w, storage.TicketFilter{}), ticketID, nil)
		assert.Equal(t, want, got)
		assert.Equal(t, []int{7, 7}, sizes, "a full last page has an empty Next; no empty page follows")
	})

	t.Run("DefaultLimit", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		want := newestFirst(addTickets(w, storage.DefaultPageSize+1))
		got, sizes := walk(t, 0, listTickets(w, storage.TicketFilter{}), ticketID, nil)
		assert.Equal(t, want, got)
		assert.Equal(t, []int{storage.DefaultPageSize, 2}, sizes, "Limit 0 means DefaultPageSize")
	})

	t.Run("MaxLimit", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		want := []uuid.UUID{w.Ticket.ID}
		err := s.InTx(ctx, func(q storage.Queries) error {
			for i := range storage.MaxPageSize {
				tk := w.newTicket(fmt.Sprintf("Ticket %03d", i+1))
				if err := q.CreateTicket(ctx, tk); err != nil {
					return err
				}
				want = append(want, tk.ID)
			}
			return nil
		})
		require.NoError(t, err, "setup: create tickets")
		got, sizes := walk(t, storage.MaxPageSize+100, listTickets(w, storage.TicketFilter{}), ticketID, nil)
		assert.Equal(t, newestFirst(want), got)
		assert.Equal(t, []int{storage.MaxPageSize, 1}, sizes, "Limit above MaxPageSize is capped")
	})

	t.Run("Filtered", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		var want []uuid.UUID
		for i := range 20 {
			tk := w.newTicket(fmt.Sprintf("Ticket %02d", i+1))
			if i%3 == 0 {
				tk.State = ticket.StateWaiting
				want = append(want, tk.ID)
			}
			w.addTicket(tk)
		}
		f := storage.TicketFilter{States: []ticket.State{ticket.StateWaiting}}
		got, sizes := walk(t, 3, listTickets(w, f), ticketID, nil)
		assert.Equal(t, newestFirst(want), got, "the matching tickets, each once, newest first")
		assert.Equal(t, []int{3, 3, 1}, sizes)
	})

	t.Run("Empty", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		page, err := s.ListTickets(ctx, w.Tenant.ID, storage.TicketFilter{Text: "matches nothing"}, storage.PageRequest{Limit: 7})
		require.NoError(t, err)
		assert.Empty(t, page.Items)
		assert.Empty(t, page.Next)
	})

	t.Run("Devices", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		want := []uuid.UUID{w.Device.ID}
		for i := range 10 {
			want = append(want, w.addDevice(fmt.Sprintf("Pump %d", i+2), w.Customer.ID).ID)
		}
		newestFirst(want)
		got, sizes := walk(t, 3, listDevices(w), deviceID, func(page int) {
			if page == 2 {
				w.addDevice("Inserted while paging", uuid.Nil)
			}
		})
		assert.Equal(t, want, got, "the devices present at the start, each once, newest first")
		assert.Equal(t, []int{3, 3, 3, 2}, sizes)
	})

	t.Run("InvalidCursor", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		for _, cursor := range []string{"!!not a cursor!!", "c2hvcnQ", storage.EncodeCursor(w.Ticket.ID) + "x"} {
			_, err := s.ListTickets(ctx, w.Tenant.ID, storage.TicketFilter{}, storage.PageRequest{After: cursor})
			assert.ErrorIs(t, err, storage.ErrInvalidCursor, "ListTickets after %q", cursor)
			_, err = s.ListDevices(ctx, w.Tenant.ID, storage.DeviceFilter{}, storage.PageRequest{After: cursor})
			assert.ErrorIs(t, err, storage.ErrInvalidCursor, "ListDevices after %q", cursor)
		}
	})
}

// universe is a tenant whose tickets differ in every field a TicketFilter or CountFilter
// looks at, so that each filter includes some tickets and excludes others.
type universe struct {
	w        *world
	all      []*ticket.Ticket
	c1, c2   uuid.UUID // customers
	d1, d2   uuid.UUID // devices
	pr1, pr2 uuid.UUID // projects
	p1, p2   uuid.UUID // priorities
	u1, u2   uuid.UUID // assignees
	t1, t2   uuid.UUID // teams
	k1, k2   uuid.UUID // codes
}

// newUniverse stores the crafted tickets in a new world named name.
func newUniverse(t *testing.T, q storage.Queries, name string) *universe {
	t.Helper()
	w := newWorld(t, q, name)
	u := &universe{
		w: w, all: []*ticket.Ticket{w.Ticket},
		c1: w.Customer.ID, c2: w.addCustomer("Bravo Bakery").ID,
		d1: w.Device.ID, pr1: w.Project.ID, pr2: w.addProject("Audit", uuid.Nil).ID,
		p1: w.Priority.ID, p2: w.addPriority("Low", 10).ID,
		u1: newID(), u2: newID(), t1: newID(), t2: newID(), k1: w.Code.ID,
	}
	boiler := w.addDevice("Boiler 7", u.c2)
	u.d2 = boiler.ID
	u.k2 = w.addCode(boiler.ID).ID
	none := uuid.Nil
	rows := []struct {
		title, description string
		state              ticket.State
		priority           uuid.UUID
		assignee, team     uuid.UUID
		customer, device   uuid.UUID
		project            uuid.UUID
	}{
		{"Pump seal drips", "Puddle under the unit", ticket.StateOpen, u.p1, none, u.t1, u.c1, u.d1, u.pr1},
		{"Display flickers", "The PUMP display shows E4", ticket.StateAssigned, u.p2, u.u1, u.t1, u.c1, u.d2, none},
		{"Noise at night", "Loud humming", ticket.StateInProgress, u.p1, u.u2, u.t2, u.c2, none, u.pr2},
		{"Valve stuck", "valve_2 does not open", ticket.StateWaiting, none, u.u1, none, u.c2, u.d2, u.pr2},
		{"Valve-2 replaced", "Spare part arrived", ticket.StateDone, u.p2, u.u2, u.t2, none, none, u.pr1},
		{"Flow at 100% capacity", "Needs a check", ticket.StateOpen, u.p2, none, none, u.c1, u.d1, none},
		{"Flow at 1000 l/h", "Pumping fine again", ticket.StateClosed, none, u.u1, u.t1, none, u.d1, u.pr1},
		{"Request for quote", "Customer wants a second unit", ticket.StateDraft, u.p1, none, u.t2, u.c2, none, none},
		{"Cancelled visit", "No access to the site", ticket.StateCancelled, u.p1, u.u2, none, u.c1, u.d2, u.pr2},
		{"Second opinion", "Is the PuMp too small?", ticket.StateOpen, u.p1, u.u1, u.t2, u.c2, u.d2, u.pr1},
		{"Überdruck im Kessel", "Ciśnienie za wysokie, válvula abierta", ticket.StateOpen, u.p2, u.u2, u.t1, u.c1, u.d1, none},
	}
	for i, r := range rows {
		tk := w.newTicket(r.title)
		switch i % 3 { // came in through either code, or was entered by an employee
		case 0:
			tk.CodeID = u.k2
		case 1:
			tk.Source, tk.CodeID = ticket.SourceEmployee, uuid.Nil
			tk.CreatedBy = tenant.Ref{Kind: tenant.ActorEmployee, ID: newID(), Name: "Ann Agent"}
		}
		tk.Description = r.description
		tk.State = r.state
		tk.PriorityID = r.priority
		tk.AssigneeID, tk.TeamID = r.assignee, r.team
		tk.CustomerID, tk.DeviceID, tk.ProjectID = r.customer, r.device, r.project
		u.all = append(u.all, w.addTicket(tk))
	}
	return u
}

// matchTicket is TicketFilter's contract, in Go.
func matchTicket(f storage.TicketFilter, t *ticket.Ticket) bool {
	optional := func(want, got uuid.UUID) bool { return want == uuid.Nil || want == got }
	switch {
	case len(f.States) > 0 && !slices.Contains(f.States, t.State),
		len(f.PriorityIDs) > 0 && !slices.Contains(f.PriorityIDs, t.PriorityID),
		f.Unassigned && t.AssigneeID != uuid.Nil,
		!f.Unassigned && !optional(f.AssigneeID, t.AssigneeID),
		!optional(f.TeamID, t.TeamID),
		!optional(f.CustomerID, t.CustomerID),
		!optional(f.DeviceID, t.DeviceID),
		!optional(f.ProjectID, t.ProjectID),
		!optional(f.CodeID, t.CodeID):
		return false
	}
	return f.Text == "" || matchText(f.Text, t)
}

// matchText is the search's contract for a ticket without messages, in Go: every word of text
// is a word of the ticket's reference, title, description or requester, the last one a prefix
// of one unless text ends in a space.
func matchText(text string, t *ticket.Ticket) bool {
	q := textsearch.ParseQuery(text)
	if q.Empty() {
		return false
	}
	doc := textsearch.Words(strings.Join([]string{t.Ref(), strconv.FormatInt(t.Number, 10), t.Title,
		t.Requester.Name, t.Requester.Email, t.Description}, " "))
	for i, w := range q.Words {
		prefix := q.Prefix && i == len(q.Words)-1
		if !slices.ContainsFunc(doc, func(d string) bool { return d == w || prefix && strings.HasPrefix(d, w) }) {
			return false
		}
	}
	return true
}

// testTicketFilter checks every TicketFilter field alone and in combination.
func testTicketFilter(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	u := newUniverse(t, s, "Tenant A")
	newUniverse(t, s, "Tenant B") // the same tickets in another tenant must never show
	states := func(s ...ticket.State) []ticket.State { return s }
	ids := func(ids ...uuid.UUID) []uuid.UUID { return ids }

	cases := []struct {
		name string
		f    storage.TicketFilter
		// all and none mark the filters meant to match every ticket or none.
		all, none bool
	}{
		{name: "Zero", f: storage.TicketFilter{}, all: true},
		{name: "States/One", f: storage.TicketFilter{States: states(ticket.StateOpen)}},
		{name: "States/Many", f: storage.TicketFilter{States: states(ticket.StateOpen, ticket.StateWaiting, ticket.StateDone)}},
		{name: "PriorityIDs/One", f: storage.TicketFilter{PriorityIDs: ids(u.p1)}},
		{name: "PriorityIDs/Many", f: storage.TicketFilter{PriorityIDs: ids(u.p1, u.p2)}},
		{name: "AssigneeID", f: storage.TicketFilter{AssigneeID: u.u1}},
		{name: "Unassigned", f: storage.TicketFilter{Unassigned: true}},
		{name: "UnassignedIgnoresAssigneeID", f: storage.TicketFilter{Unassigned: true, AssigneeID: u.u1}},
		{name: "TeamID", f: storage.TicketFilter{TeamID: u.t1}},
		{name: "CustomerID", f: storage.TicketFilter{CustomerID: u.c2}},
		{name: "DeviceID", f: storage.TicketFilter{DeviceID: u.d2}},
		{name: "ProjectID", f: storage.TicketFilter{ProjectID: u.pr2}},
		{name: "CodeID", f: storage.TicketFilter{CodeID: u.k2}},
		{name: "Text/TitleOrDescription", f: storage.TicketFilter{Text: "PUMP"}},
		{name: "Text/Prefix", f: storage.TicketFilter{Text: "Pum"}},
		{name: "Text/WholeWord", f: storage.TicketFilter{Text: "Pump "}},
		{name: "Text/TwoWords", f: storage.TicketFilter{Text: "valve stu"}},
		{name: "Text/TitleOnly", f: storage.TicketFilter{Text: "leaks"}},
		{name: "Text/DescriptionOnly", f: storage.TicketFilter{Text: "humming"}},
		{name: "Text/MixedCase", f: storage.TicketFilter{Text: "vAlVe"}},
		{name: "Text/Percent", f: storage.TicketFilter{Text: "100%"}},
		{name: "Text/Underscore", f: storage.TicketFilter{Text: "valve_2"}},
		{name: "Text/NonASCIILower", f: storage.TicketFilter{Text: "überdruck"}},
		{name: "Text/NonASCIIUpper", f: storage.TicketFilter{Text: "ÜBERDRUCK"}},
		{name: "Text/PolishUpper", f: storage.TicketFilter{Text: "CIŚNIENIE"}},
		{name: "Text/SpanishAccent", f: storage.TicketFilter{Text: "VÁLVULA"}},
		{name: "Combined/StatesCustomer", f: storage.TicketFilter{States: states(ticket.StateOpen, ticket.StateAssigned), CustomerID: u.c1}},
		{name: "Combined/PrioritiesUnassignedText", f: storage.TicketFilter{PriorityIDs: ids(u.p1, u.p2), Unassigned: true, Text: "flow"}},
		{name: "Combined/AssigneeTeamProject", f: storage.TicketFilter{AssigneeID: u.u1, TeamID: u.t1, ProjectID: u.pr1}},
		{name: "Combined/DeviceStates", f: storage.TicketFilter{DeviceID: u.d1, States: states(ticket.StateClosed, ticket.StateOpen)}},
		{name: "Combined/TextTeam", f: storage.TicketFilter{Text: "pump", TeamID: u.t2}},
		{name: "Combined/CodeStates", f: storage.TicketFilter{CodeID: u.k1, States: states(ticket.StateOpen, ticket.StateInProgress)}},
		{name: "Combined/Everything", f: storage.TicketFilter{
			States: states(ticket.StateOpen), PriorityIDs: ids(u.p1), AssigneeID: u.u1, TeamID: u.t2,
			CustomerID: u.c2, DeviceID: u.d2, ProjectID: u.pr1, CodeID: u.k2, Text: "opinion",
		}},
		{name: "Combined/NoMatch", f: storage.TicketFilter{CustomerID: u.c2, DeviceID: u.d1}, none: true},
		{name: "UnknownCustomer", f: storage.TicketFilter{CustomerID: newID()}, none: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want []uuid.UUID
			for _, tk := range u.all {
				if matchTicket(c.f, tk) {
					want = append(want, tk.ID)
				}
			}
			// Guard the fixture: a filter that matches everything or nothing proves little.
			switch {
			case c.all:
				require.Len(t, want, len(u.all), "fixture: %s should match every ticket", describe(c.f))
			case c.none:
				require.Empty(t, want, "fixture: %s should match no ticket", describe(c.f))
			default:
				require.NotEmpty(t, want, "fixture: %s matches no ticket", describe(c.f))
				require.Less(t, len(want), len(u.all), "fixture: %s matches every ticket", describe(c.f))
			}

			page, err := s.ListTickets(ctx, u.w.Tenant.ID, c.f, storage.PageRequest{Limit: storage.MaxPageSize})
			require.NoError(t, err)
			if c.f.Text == "" {
				assert.Equal(t, newestFirst(want), ticketIDs(page.Items), "tickets matching %s, newest first", describe(c.f))
			} else { // ordered by relevance: see testSearch
				assert.ElementsMatch(t, want, ticketIDs(page.Items), "tickets matching %s", describe(c.f))
			}
			assert.Empty(t, page.Next)
		})
	}

	t.Run("WholeRecords", func(t *testing.T) {
		page, err := s.ListTickets(ctx, u.w.Tenant.ID, storage.TicketFilter{}, storage.PageRequest{Limit: storage.MaxPageSize})
		require.NoError(t, err)
		want := cloneAll(u.all)
		slices.Reverse(want) // created oldest first
		assertSame(t, want, page.Items, "listed tickets differ from what was created")
	})
}

// testDeviceFilter checks every DeviceFilter field alone and in combination.
func testDeviceFilter(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	w := newWorld(t, s, "Tenant A")
	c2 := w.addCustomer("Bravo Bakery")
	t2 := w.addTemplate("Boiler B-7")
	pump2 := w.addDevice("Pump 2", c2.ID)
	boiler := w.newDevice("Boiler 7", w.Customer.ID)
	boiler.TemplateID = t2.ID
	require.NoError(t, s.CreateDevice(ctx, boiler))
	meter := w.newDevice("Meter", uuid.Nil)
	meter.TemplateID = t2.ID
	meter.SerialNumber = "SN-MTR-77"
	require.NoError(t, s.CreateDevice(ctx, meter))
	other := newWorld(t, s, "Tenant B")
	other.addDevice("Pump 2", other.Customer.ID)

	cases := []struct {
		name string
		f    storage.DeviceFilter
		want []*device.Device
	}{
		{"Zero", storage.DeviceFilter{}, []*device.Device{w.Device, pump2, boiler, meter}},
		{"CustomerID", storage.DeviceFilter{CustomerID: w.Customer.ID}, []*device.Device{w.Device, boiler}},
		{"TemplateID", storage.DeviceFilter{TemplateID: t2.ID}, []*device.Device{boiler, meter}},
		{"Text/Name", storage.DeviceFilter{Text: "PUMP"}, []*device.Device{w.Device, pump2}},
		{"Text/SerialNumber", storage.DeviceFilter{Text: "mtr-77"}, []*device.Device{meter}},
		{"Combined/CustomerText", storage.DeviceFilter{CustomerID: w.Customer.ID, Text: "pump"}, []*device.Device{w.Device}},
		{"Combined/TemplateCustomer", storage.DeviceFilter{TemplateID: t2.ID, CustomerID: w.Customer.ID}, []*device.Device{boiler}},
		{"Combined/NoMatch", storage.DeviceFilter{TemplateID: w.Template.ID, Text: "boiler"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want []uuid.UUID
			for _, d := range c.want {
				want = append(want, d.ID)
			}
			page, err := s.ListDevices(ctx, w.Tenant.ID, c.f, storage.PageRequest{Limit: storage.MaxPageSize})
			require.NoError(t, err)
			var got []uuid.UUID
			for _, d := range page.Items {
				got = append(got, d.ID)
			}
			assert.Equal(t, newestFirst(want), got, "devices matching %+v, newest first", c.f)
			assert.Empty(t, page.Next)
		})
	}

	t.Run("WholeRecords", func(t *testing.T) {
		page, err := s.ListDevices(ctx, w.Tenant.ID, storage.DeviceFilter{}, storage.PageRequest{})
		require.NoError(t, err)
		assertSame(t, []*device.Device{clone(meter), clone(boiler), clone(pump2), clone(w.Device)}, page.Items)
	})
}

// testCountTickets checks the per-state counts, by tenant, customer and device.
func testCountTickets(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	a := newUniverse(t, s, "Tenant A")
	b := newWorld(t, s, "Tenant B")
	for _, st := range []ticket.State{ticket.StateOpen, ticket.StateDone, ticket.StateDone} {
		tk := b.newTicket("B's ticket")
		tk.State = st
		b.addTicket(tk)
	}

	count := func(f storage.CountFilter) map[ticket.State]int {
		want := map[ticket.State]int{}
		for _, tk := range a.all {
			if (f.CustomerID == uuid.Nil || f.CustomerID == tk.CustomerID) && (f.DeviceID == uuid.Nil || f.DeviceID == tk.DeviceID) {
				want[tk.State]++
			}
		}
		return want
	}
	cases := []struct {
		name string
		f    storage.CountFilter
	}{
		{"Tenant", storage.CountFilter{}},
		{"Customer1", storage.CountFilter{CustomerID: a.c1}},
		{"Customer2", storage.CountFilter{CustomerID: a.c2}},
		{"Device1", storage.CountFilter{DeviceID: a.d1}},
		{"Device2", storage.CountFilter{DeviceID: a.d2}},
		{"CustomerDevice", storage.CountFilter{CustomerID: a.c1, DeviceID: a.d2}},
		{"UnknownCustomer", storage.CountFilter{CustomerID: newID()}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := count(c.f)
			got, err := s.CountTickets(ctx, a.w.Tenant.ID, c.f)
			require.NoError(t, err)
			if len(want) == 0 {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, want, got, "counts per state; states without tickets absent")
		})
	}

	t.Run("OtherTenant", func(t *testing.T) {
		got, err := s.CountTickets(ctx, b.Tenant.ID, storage.CountFilter{})
		require.NoError(t, err)
		assert.Equal(t, map[ticket.State]int{ticket.StateOpen: 2, ticket.StateDone: 2}, got)
	})
}

// testOrdering checks the order of the listings that are not paginated.
func testOrdering(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	t.Run("Statuses", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A") // has (open, 0)
		all := []*ticket.Status{w.Status}
		for _, st := range []struct {
			state    ticket.State
			position int
		}{
			{ticket.StateClosed, 0}, {ticket.StateOpen, 2}, {ticket.StateOpen, 1}, {ticket.StateDraft, 0},
			{ticket.StateCancelled, 0}, {ticket.StateInProgress, 5}, {ticket.StateInProgress, 3},
			{ticket.StateAssigned, 1}, {ticket.StateWaiting, 0}, {ticket.StateDone, 0},
		} {
			all = append(all, w.addStatus(fmt.Sprintf("%s %d", st.state, st.position), st.state, st.position))
		}
		lifecycle := ticket.States()
		want := slices.Clone(all)
		slices.SortFunc(want, func(a, b *ticket.Status) int {
			if d := slices.Index(lifecycle, a.State) - slices.Index(lifecycle, b.State); d != 0 {
				return d
			}
			return a.Position - b.Position
		})
		got, err := s.ListStatuses(ctx, w.Tenant.ID)
		require.NoError(t, err)
		assertSame(t, cloneAll(want), got, "by state in lifecycle order, then Position")

		// The default of a state: not retired, the first by Position.
		id, err := s.DefaultStatus(ctx, w.Tenant.ID, ticket.StateInProgress)
		require.NoError(t, err)
		assert.Equal(t, uuid.Nil, id, "none is the default yet")
		var first, second, retired *ticket.Status
		for _, st := range all {
			switch st.Name {
			case "in_progress 3":
				first = st
			case "in_progress 5":
				second = st
			case "waiting 0":
				retired = st
			}
		}
		for _, st := range []*ticket.Status{first, second, retired} {
			st.Default = true
			require.NoError(t, s.UpdateStatus(ctx, st))
		}
		retired.Retired = true
		require.NoError(t, s.UpdateStatus(ctx, retired))
		id, err = s.DefaultStatus(ctx, w.Tenant.ID, ticket.StateInProgress)
		require.NoError(t, err)
		assert.Equal(t, first.ID, id, "the first by Position")
		id, err = s.DefaultStatus(ctx, w.Tenant.ID, ticket.StateWaiting)
		require.NoError(t, err)
		assert.Equal(t, uuid.Nil, id, "a retired default is none")
		other := newWorld(t, s, "Tenant B")
		id, err = s.DefaultStatus(ctx, other.Tenant.ID, ticket.StateInProgress)
		require.NoError(t, err)
		assert.Equal(t, uuid.Nil, id, "another tenant's default is not this one's")
	})

	t.Run("Priorities", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A") // has High (20)
		low := w.addPriority("Low", 10)
		urgent := w.addPriority("Urgent", 40)
		normal := w.addPriority("Normal", 15)
		got, err := s.ListPriorities(ctx, w.Tenant.ID)
		require.NoError(t, err)
		assertSame(t, cloneAll([]*ticket.Priority{urgent, w.Priority, normal, low}), got, "Rank descending")
	})

	t.Run("Customers", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A") // has Acme Water
		d := w.addCustomer("Delta Docks")
		b := w.addCustomer("Bravo Bakery")
		c := w.addCustomer("Charlie Chem")
		got, err := s.ListCustomers(ctx, w.Tenant.ID)
		require.NoError(t, err)
		assertSame(t, cloneAll([]*tenant.Customer{w.Customer, b, c, d}), got, "by name")
	})

	t.Run("Departments", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A") // has Main branch
		n := w.addDepartment("North")
		e := w.addDepartment("East")
		so := w.addDepartment("South")
		got, err := s.ListDepartments(ctx, w.Tenant.ID)
		require.NoError(t, err)
		assertSame(t, cloneAll([]*tenant.Department{e, w.Department, n, so}), got, "by name")
	})

	t.Run("Projects", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A") // has Rollout
		a := w.addProject("Audit", uuid.Nil)
		sv := w.addProject("Service", w.Customer.ID)
		m := w.addProject("Migration", uuid.Nil)
		got, err := s.ListProjects(ctx, w.Tenant.ID)
		require.NoError(t, err)
		assertSame(t, cloneAll([]*tenant.Project{a, m, w.Project, sv}), got, "by name")
	})

	t.Run("Templates", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A") // has Pump P-100
		v := w.addTemplate("Valve V-2")
		b := w.addTemplate("Boiler B-7")
		m := w.addTemplate("Meter M-1")
		got, err := s.ListTemplates(ctx, w.Tenant.ID)
		require.NoError(t, err)
		assertSame(t, cloneAll([]*device.Template{b, m, w.Template, v}), got, "by name")
	})

	t.Run("Sessions", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		second := w.addSession(w.Ticket.ID)
		third := w.newSession(w.Ticket.ID)
		third.State = ticket.SessionRequested
		third.PlannedAt, third.PlannedEnd, third.AgentID = nil, nil, uuid.Nil
		require.NoError(t, s.CreateSession(ctx, third))
		other := w.addTicket(w.newTicket("Display flickers"))
		w.addSession(other.ID)
		got, err := listSessions(ctx, s, w.Tenant.ID, w.Ticket.ID)
		require.NoError(t, err)
		assertSame(t, cloneAll([]*ticket.Session{w.Session, second, third}), got, "the ticket's sessions, oldest first")
	})
}

// cloneAll returns shallow copies of the records of ps.
func cloneAll[T any](ps []*T) []*T {
	out := make([]*T, len(ps))
	for i, p := range ps {
		out[i] = clone(p)
	}
	return out
}
