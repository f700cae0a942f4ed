package storagetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statsTicket is a ticket of the statistics data set, with what the figures need of it.
type statsTicket struct {
	t        *ticket.Ticket
	template uuid.UUID
	sessions int
	history  []*ticket.HistoryEntry
}

// firstResponse is the time of the ticket's first response as storage.PeriodStats defines it,
// and false when it has had none.
func (st statsTicket) firstResponse() (time.Time, bool) {
	var first time.Time
	for _, h := range st.history {
		switch h.Action {
		case "message", "accept", "assign", "session.invite", "session.propose":
		default:
			continue
		}
		if h.Actor.Kind == tenant.ActorEmployee && (first.IsZero() || h.At.Before(first)) {
			first = h.At
		}
	}
	return first, !first.IsZero()
}

// testStats checks RecordStats and PeriodStats against the same figures computed here in Go
// from the data the test wrote, so that every store (SQLite, with its median written by hand,
// and PostgreSQL, with percentile_cont) gives the same answers on the same data. The data set
// has an odd and an even number of values to take medians of, tickets on the period's bounds,
// and entries that are no first response (internal notes, the requester's messages, the
// system's assignments, changes of status).
func testStats(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	w := newWorld(t, s, "Tenant A")
	other := newWorld(t, s, "Tenant B")
	c1, c2 := w.Customer.ID, w.addCustomer("Bravo Bakery").ID
	tpl1, tpl2 := w.Template.ID, w.addTemplate("Boiler B-7").ID
	d1, d2 := w.Device.ID, w.addDevice("Pump 2", c2).ID
	boiler := w.newDevice("Boiler 1", c1)
	boiler.TemplateID = tpl2
	require.NoError(t, s.CreateDevice(ctx, boiler))
	d3 := boiler.ID
	templateOf := map[uuid.UUID]uuid.UUID{d1: tpl1, d2: tpl1, d3: tpl2}

	from := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(48 * time.Hour)
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	states := []ticket.State{ticket.StateOpen, ticket.StateAssigned, ticket.StateInProgress, ticket.StateWaiting,
		ticket.StateDone, ticket.StateClosed, ticket.StateClosed, ticket.StateCancelled, ticket.StateDraft, ticket.StateClosed}
	devices := []uuid.UUID{d1, d2, d3, uuid.Nil}
	employee := tenant.Ref{Kind: tenant.ActorEmployee, ID: newID(), Name: "Ann Agent"}
	// The world's own ticket (open, created an hour ago, with a session) counts too.
	all := []statsTicket{{t: w.Ticket, template: tpl1, sessions: 1}}
	add := func(i int, created time.Time, state ticket.State, closed time.Time) {
		tk := w.newTicket(fmt.Sprintf("Ticket %d", i))
		tk.CreatedAt, tk.UpdatedAt, tk.State = created, created, state
		tk.CustomerID = c1
		if i%3 == 0 {
			tk.CustomerID = c2
		}
		tk.DeviceID = devices[i%4]
		if !closed.IsZero() {
			tk.ClosedAt = ptr(closed)
			tk.UpdatedAt = closed
		}
		if state == ticket.StateClosed && i%4 != 1 {
			tk.Rating = &ticket.Rating{Stars: 1 + i%5, Comment: "ok", At: closed}
		}
		require.NoError(t, s.CreateTicket(ctx, tk))
		st := statsTicket{t: tk, template: templateOf[tk.DeviceID], sessions: i % 3}
		for range st.sessions {
			w.addSession(tk.ID)
		}
		entry := func(by tenant.Ref, action string, after time.Duration) {
			h := w.newHistory(tk.ID, uuid.Nil, action)
			h.Actor, h.At = by, created.Add(after)
			require.NoError(t, s.AppendHistory(ctx, h))
			st.history = append(st.history, h)
		}
		customer := tenant.Ref{Kind: tenant.ActorCustomerUser, ID: newID(), Name: "Carl Customer"}
		system := tenant.Ref{Kind: tenant.ActorSystem, Name: "system"}
		entry(employee, "message.internal", time.Minute)
		switch i % 5 {
		case 0:
			entry(employee, "message", time.Duration(i*3+2)*time.Minute+ms(i*46%1000))
		case 1:
			entry(employee, "accept", time.Duration(i*5%97+1)*time.Minute+ms(i*2))
		case 2:
			entry(system, "assign", 30*time.Second)
			entry(employee, "session.invite", time.Duration(i%13+3)*time.Minute)
		case 3:
			entry(customer, "message", 2*time.Minute)
			entry(employee, "status", time.Minute)
			entry(employee, "session.propose", time.Duration(i%11+4)*time.Minute+ms(500))
			entry(employee, "message", 200*time.Minute)
		}
		all = append(all, st)
	}
	for i := range 40 {
		created := from.Add(-6*time.Hour + time.Duration(i)*90*time.Minute + ms(i*74%1000))
		var closed time.Time
		if st := states[i%10]; st == ticket.StateClosed || st == ticket.StateCancelled {
			closed = created.Add(time.Duration(i*i*7%500+1)*time.Minute + ms(i%7*2))
		}
		add(i, created, states[i%10], closed)
	}
	// On the bounds: opened at From (in) and at To (out), closed at From (in) and at To (out).
	add(40, from, ticket.StateOpen, time.Time{})
	add(41, to, ticket.StateOpen, time.Time{})
	add(42, from.Add(-time.Hour), ticket.StateClosed, from)
	add(43, from.Add(-time.Hour), ticket.StateClosed, to)
	// Another tenant's tickets in the same period, with the same device and customer IDs
	// nowhere: none of them may count.
	for i := range 5 {
		tk := other.newTicket("B's ticket")
		tk.CreatedAt, tk.State, tk.ClosedAt = from.Add(time.Duration(i)*time.Hour), ticket.StateClosed, ptr(from.Add(time.Duration(i+1)*time.Hour))
		tk.Rating = &ticket.Rating{Stars: 1, At: *tk.ClosedAt}
		other.addTicket(tk)
	}

	wantPeriod := func(f storage.PeriodFilter) storage.PeriodStats {
		var (
			out            storage.PeriodStats
			first, toClose []time.Duration
			stars          int
		)
		for _, st := range all {
			tk := st.t
			if f.CustomerID != uuid.Nil && tk.CustomerID != f.CustomerID {
				continue
			}
			if !tk.CreatedAt.Before(f.From) && tk.CreatedAt.Before(f.To) && tk.State != ticket.StateDraft {
				out.Opened++
				if at, ok := st.firstResponse(); ok {
					first = append(first, at.Sub(tk.CreatedAt))
				}
			}
			if tk.State == ticket.StateClosed && !tk.ClosedAt.Before(f.From) && tk.ClosedAt.Before(f.To) {
				out.Closed++
				toClose = append(toClose, tk.ClosedAt.Sub(tk.CreatedAt))
				if tk.Rating != nil {
					out.Ratings++
					stars += tk.Rating.Stars
				}
			}
		}
		out.Responded = len(first)
		out.MedianFirstResponse, out.MedianTimeToClose = median(first), median(toClose)
		if out.Ratings > 0 {
			out.MeanRating = float64(stars) / float64(out.Ratings)
		}
		return out
	}
	periods := []struct {
		name string
		f    storage.PeriodFilter
	}{
		{"Tenant", storage.PeriodFilter{From: from, To: to}},
		{"Customer1", storage.PeriodFilter{From: from, To: to, CustomerID: c1}},
		{"Customer2", storage.PeriodFilter{From: from, To: to, CustomerID: c2}},
		{"FirstDay", storage.PeriodFilter{From: from, To: from.Add(24 * time.Hour)}},
		{"Everything", storage.PeriodFilter{From: from.AddDate(-1, 0, 0), To: to.AddDate(1, 0, 0)}},
		{"Empty", storage.PeriodFilter{From: to.AddDate(1, 0, 0), To: to.AddDate(2, 0, 0)}},
		{"UnknownCustomer", storage.PeriodFilter{From: from, To: to, CustomerID: newID()}},
	}
	for _, p := range periods {
		t.Run("Period"+p.name, func(t *testing.T) {
			want := wantPeriod(p.f)
			got, err := s.PeriodStats(ctx, w.Tenant.ID, p.f)
			require.NoError(t, err)
			assert.InDelta(t, want.MeanRating, got.MeanRating, 1e-9, "mean rating")
			want.MeanRating, got.MeanRating = 0, 0
			assert.Equal(t, want, got)
		})
	}
	t.Run("PeriodMedians", func(t *testing.T) {
		// The data set is meant to take medians of odd and even counts, and of durations that
		// are not whole seconds: make sure it does.
		tenantWide := wantPeriod(periods[0].f)
		assert.NotZero(t, tenantWide.MedianFirstResponse)
		assert.NotZero(t, tenantWide.MedianTimeToClose)
		parity := map[int]bool{}
		for _, p := range periods[:4] {
			got := wantPeriod(p.f)
			parity[got.Responded%2], parity[got.Closed%2] = true, true
		}
		assert.Len(t, parity, 2, "odd and even counts")
	})
	t.Run("PeriodOtherTenant", func(t *testing.T) {
		got, err := s.PeriodStats(ctx, other.Tenant.ID, storage.PeriodFilter{From: from, To: to})
		require.NoError(t, err)
		// Five tickets opened and closed, an hour each, rated 1; other's world ticket was
		// created now, outside the period.
		assert.Equal(t, storage.PeriodStats{Opened: 5, Closed: 5, MedianTimeToClose: time.Hour, Ratings: 5, MeanRating: 1}, got)
	})

	wantRecords := func(of storage.StatsOf, ids []uuid.UUID, customerID uuid.UUID) map[uuid.UUID]storage.RecordStats {
		out := map[uuid.UUID]storage.RecordStats{}
		stars := map[uuid.UUID]int{}
		for _, st := range all {
			key := map[storage.StatsOf]uuid.UUID{storage.StatsDevice: st.t.DeviceID, storage.StatsCustomer: st.t.CustomerID,
				storage.StatsTemplate: st.template}[of]
			if key == uuid.Nil || !slices.Contains(ids, key) || (customerID != uuid.Nil && st.t.CustomerID != customerID) {
				continue
			}
			r := out[key]
			r.Tickets++
			r.Sessions += st.sessions
			if st.t.Rating != nil {
				r.Ratings++
				stars[key] += st.t.Rating.Stars
			}
			out[key] = r
		}
		for id, r := range out {
			if r.Ratings > 0 {
				r.MeanRating = float64(stars[id]) / float64(r.Ratings)
				out[id] = r
			}
		}
		return out
	}
	records := []struct {
		name     string
		of       storage.StatsOf
		ids      []uuid.UUID
		customer uuid.UUID
	}{
		{"Devices", storage.StatsDevice, []uuid.UUID{d1, d2, d3, newID(), other.Device.ID}, uuid.Nil},
		{"OneDevice", storage.StatsDevice, []uuid.UUID{d3}, uuid.Nil},
		{"DevicesOfCustomer", storage.StatsDevice, []uuid.UUID{d1, d2, d3}, c1},
		{"Customers", storage.StatsCustomer, []uuid.UUID{c1, c2, other.Customer.ID}, uuid.Nil},
		{"CustomersOfCustomer", storage.StatsCustomer, []uuid.UUID{c1, c2}, c2},
		{"Templates", storage.StatsTemplate, []uuid.UUID{tpl1, tpl2, other.Template.ID}, uuid.Nil},
		{"TemplatesOfCustomer", storage.StatsTemplate, []uuid.UUID{tpl1, tpl2}, c2},
		{"None", storage.StatsDevice, nil, uuid.Nil},
	}
	for _, r := range records {
		t.Run("Records"+r.name, func(t *testing.T) {
			want := wantRecords(r.of, r.ids, r.customer)
			got, err := s.RecordStats(ctx, w.Tenant.ID, r.of, r.ids, r.customer)
			require.NoError(t, err)
			require.Len(t, got, len(want), "records with tickets; no others")
			for id, wr := range want {
				gr := got[id]
				assert.InDelta(t, wr.MeanRating, gr.MeanRating, 1e-9, "mean rating of %s", id)
				wr.MeanRating, gr.MeanRating = 0, 0
				assert.Equal(t, wr, gr, "figures of %s", id)
			}
		})
	}
	t.Run("RecordsOtherTenant", func(t *testing.T) {
		got, err := s.RecordStats(ctx, other.Tenant.ID, storage.StatsDevice, []uuid.UUID{d1, other.Device.ID}, uuid.Nil)
		require.NoError(t, err)
		// other's world ticket (with its session) and the five closed ones, all of its device.
		assert.Equal(t, map[uuid.UUID]storage.RecordStats{other.Device.ID: {Tickets: 6, Sessions: 1, Ratings: 5, MeanRating: 1}}, got)
	})
}

// median is percentile_cont(0.5) of ds: the middle value, or the mean of the two middle ones.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	n := len(ds)
	if n%2 == 1 {
		return ds[n/2]
	}
	return (ds[n/2-1] + ds[n/2]) / 2
}
