package backoffice_test

import (
	"bufio"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/internal/scaleseed"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/web/backoffice"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// envScale names the database seeded by internal/cmd/seed that BenchmarkBackofficeScale reads;
// the benchmark is skipped without it.
const envScale = "HELPDESK_SCALE_POSTGRES"

// scaleFixture is the seeded database's biggest tenant, the back office over it, and who is
// signed in.
type scaleFixture struct {
	desk     *helpdesk.Desk
	h        http.Handler
	store    *bunstore.Store
	tenantID uuid.UUID
	// admin and agent are signed-in people: the session's token and the actor it stands for.
	admin, agent signedIn
	// long is a closed ticket with 20 messages; customer its customer; high the High priority.
	long, customer, high uuid.UUID
}

type signedIn struct {
	token string
	actor tenant.Actor
}

func newScaleFixture(b *testing.B) *scaleFixture {
	b.Helper()
	dsn := os.Getenv(envScale)
	if dsn == "" {
		b.Skipf("set %s to a database seeded by go run ./internal/cmd/seed (e.g. %s)", envScale, scaleseed.DefaultDSN)
	}
	ctx := context.Background()
	store, err := bunstore.Open(ctx, dsn)
	require.NoError(b, err)
	b.Cleanup(func() { _ = store.Close() })
	quiet := slog.New(slog.DiscardHandler)
	desk, err := helpdesk.New(store, &helpdesk.Config{SecretKeys: [][]byte{[]byte("the scale benchmark's key, 32 b!")}, Logger: quiet})
	require.NoError(b, err)
	f := &scaleFixture{desk: desk, store: store}
	require.NoError(b, store.DB().QueryRowContext(ctx, "SELECT id FROM tenants WHERE name = ?", scaleseed.TenantName(0)).Scan(&f.tenantID),
		"the seeded database has no %q: run go run ./internal/cmd/seed", scaleseed.TenantName(0))
	h, err := backoffice.New(desk, &backoffice.Config{Tenant: backoffice.SingleTenant(f.tenantID), Logger: quiet})
	require.NoError(b, err)
	f.h = h
	for who, s := range map[string]*signedIn{"admin": &f.admin, "agent01": &f.agent} {
		in, err := desk.SignIn(ctx, f.tenantID, scaleseed.Email(0, who), scaleseed.Password)
		require.NoError(b, err)
		s.token, s.actor = in.Token, in.Actor
	}
	f.long, err = scaleseed.LongTicket(ctx, store, f.tenantID)
	require.NoError(b, err)
	t, err := desk.Ticket(ctx, f.admin.actor, f.long)
	require.NoError(b, err)
	f.customer = t.CustomerID
	ps, err := desk.Priorities(ctx, f.admin.actor)
	require.NoError(b, err)
	for _, p := range ps {
		if p.Name == "High" {
			f.high = p.ID
		}
	}
	require.NotEqual(b, uuid.Nil, f.high)
	return f
}

// get serves path through the back office as the signed-in person and fails unless it is 200.
func (f *scaleFixture) get(b *testing.B, who signedIn, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(&http.Cookie{Name: backoffice.SessionCookie, Value: who.token})
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Header().Get("Location"))
	}
	return rec
}

// signedInCalls are the Desk calls of every signed-in page (backoffice's signedIn):
// Authenticate, Tenant, UnreadCount.
func (f *scaleFixture) signedInCalls(ctx context.Context, who signedIn) (tenant.Actor, error) {
	actor, err := f.desk.Authenticate(ctx, who.token)
	if err != nil {
		return actor, err
	}
	if _, err := f.desk.Tenant(ctx, actor); err != nil {
		return actor, err
	}
	_, err = f.desk.UnreadCount(ctx, actor)
	return actor, err
}

// lookupCalls are the Desk calls of the back office's name lookups (lookupFor in tickets.go):
// statuses and priorities, and for staff the teams, the customers (when asked) and employees.
func (f *scaleFixture) lookupCalls(ctx context.Context, actor tenant.Actor, customers bool) error {
	if _, err := f.desk.Statuses(ctx, actor); err != nil {
		return err
	}
	if _, err := f.desk.Priorities(ctx, actor); err != nil {
		return err
	}
	if _, err := f.desk.Teams(ctx, actor); err != nil {
		return err
	}
	if customers {
		if _, err := f.desk.Customers(ctx, actor); err != nil {
			return err
		}
	}
	_, err := f.desk.Users(ctx, actor, storage.UserFilter{Employees: true}, storage.PageRequest{Limit: storage.MaxPageSize})
	return err
}

// scalePage is a page of the back office and the Desk calls its handler makes.
type scalePage struct {
	name string
	path string
	desk func(ctx context.Context, who signedIn) error
}

func (f *scaleFixture) pages() []scalePage {
	list := func(filter storage.TicketFilter) func(ctx context.Context, who signedIn) error {
		return func(ctx context.Context, who signedIn) error {
			actor, err := f.signedInCalls(ctx, who)
			if err != nil {
				return err
			}
			if _, err := f.desk.Tickets(ctx, actor, filter, storage.PageRequest{Limit: 25}); err != nil {
				return err
			}
			if err := f.lookupCalls(ctx, actor, true); err != nil {
				return err
			}
			// The project and device filters' choices.
			if _, err := f.desk.Projects(ctx, actor); err != nil {
				return err
			}
			_, err = f.desk.Devices(ctx, actor, storage.DeviceFilter{}, storage.PageRequest{Limit: storage.MaxPageSize})
			return err
		}
	}
	return []scalePage{
		{"dashboard", "/", func(ctx context.Context, who signedIn) error {
			actor, err := f.signedInCalls(ctx, who)
			if err != nil {
				return err
			}
			now := time.Now()
			if _, err := f.desk.Dashboard(ctx, actor, helpdesk.StatsPeriod{From: now.AddDate(0, 0, -30), To: now}); err != nil {
				return err
			}
			offers, err := f.desk.MyOffers(ctx, actor, storage.PageRequest{Limit: 10})
			if err != nil {
				return err
			}
			for _, o := range offers.Items {
				if _, err := f.desk.Ticket(ctx, actor, o.TicketID); err != nil {
					return err
				}
			}
			// The person's tasks, named with the lookups, and the calls planned today.
			if _, err := f.desk.Tickets(ctx, actor, storage.TicketFilter{AssigneeID: actor.UserID,
				States: []ticket.State{ticket.StateAssigned, ticket.StateInProgress}}, storage.PageRequest{Limit: 10}); err != nil {
				return err
			}
			if err := f.lookupCalls(ctx, actor, false); err != nil {
				return err
			}
			from := time.Now().UTC().Truncate(24 * time.Hour)
			today, err := f.desk.ListSessions(ctx, actor, storage.SessionFilter{PlannedFrom: from, PlannedTo: from.AddDate(0, 0, 1),
				States: []ticket.SessionState{ticket.SessionProposed, ticket.SessionConfirmed, ticket.SessionInProgress}},
				storage.PageRequest{Limit: 10})
			if err != nil {
				return err
			}
			for _, sn := range today.Items {
				if _, err := f.desk.Ticket(ctx, actor, sn.TicketID); err != nil {
					return err
				}
			}
			return nil
		}},
		{"list-open-high", "/tickets?" + url.Values{"state": {"open"}, "priority": {f.high.String()}}.Encode(),
			list(storage.TicketFilter{States: []ticket.State{ticket.StateOpen}, PriorityIDs: []uuid.UUID{f.high}})},
		{"list-customer", "/tickets?" + url.Values{"customer": {f.customer.String()}}.Encode(),
			list(storage.TicketFilter{CustomerID: f.customer})},
		{"ticket", "/tickets/" + f.long.String(), func(ctx context.Context, who signedIn) error {
			actor, err := f.signedInCalls(ctx, who)
			if err != nil {
				return err
			}
			t, err := f.desk.Ticket(ctx, actor, f.long)
			if err != nil {
				return err
			}
			if err := f.lookupCalls(ctx, actor, false); err != nil {
				return err
			}
			if _, err := f.desk.Customer(ctx, actor, t.CustomerID); err != nil {
				return err
			}
			if _, err := f.desk.Device(ctx, actor, t.DeviceID); err != nil {
				return err
			}
			if _, err := f.desk.History(ctx, actor, t.ID, storage.PageRequest{Limit: 50}); err != nil {
				return err
			}
			if _, err := f.desk.Messages(ctx, actor, t.ID, storage.PageRequest{Limit: 50}); err != nil {
				return err
			}
			if _, err := f.desk.Attachments(ctx, actor, t.ID, storage.PageRequest{Limit: storage.MaxPageSize}); err != nil {
				return err
			}
			if _, err := f.desk.Sessions(ctx, actor, t.ID, storage.PageRequest{Limit: storage.MaxPageSize}); err != nil {
				return err
			}
			_, err = f.desk.CannedResponses(ctx, actor, "")
			return err
		}},
	}
}

// BenchmarkBackofficeScale serves the back office's dashboard, two filtered ticket lists (open
// tickets of High priority; one customer's tickets) and the page of a ticket with 20 messages
// out of the database internal/cmd/seed fills (1,000,000 tickets across 1,000 tenants), as
// the admin and as an agent of the biggest tenant (100,000 tickets). Each iteration serves
// the page through the handler (a signed-in cookie, the handler called directly) and makes
// the Desk calls that handler makes, in turns (which goes first alternates), and reports the
// p50 and p95 of each side and their ratio; ns/op is the two together. Skipped unless
// HELPDESK_SCALE_POSTGRES names the seeded database.
func BenchmarkBackofficeScale(b *testing.B) {
	f := newScaleFixture(b)
	ctx := context.Background()
	for _, who := range []struct {
		name string
		s    signedIn
	}{{"admin", f.admin}, {"agent", f.agent}} {
		for _, p := range f.pages() {
			b.Run(who.name+"/"+p.name, func(b *testing.B) {
				var handler, desk []time.Duration
				i := 0
				for b.Loop() {
					serve := func() {
						t0 := time.Now()
						f.get(b, who.s, p.path)
						handler = append(handler, time.Since(t0))
					}
					call := func() {
						t0 := time.Now()
						if err := p.desk(ctx, who.s); err != nil {
							b.Fatal(err)
						}
						desk = append(desk, time.Since(t0))
					}
					if i%2 == 0 {
						serve()
						call()
					} else {
						call()
						serve()
					}
					i++
				}
				hp50, hp95, dp50, dp95 := quantile(handler, 50), quantile(handler, 95), quantile(desk, 50), quantile(desk, 95)
				b.ReportMetric(hp50, "handler-p50-ms")
				b.ReportMetric(hp95, "handler-p95-ms")
				b.ReportMetric(dp50, "desk-p50-ms")
				b.ReportMetric(dp95, "desk-p95-ms")
				b.ReportMetric(hp95/dp95, "p95-ratio")
			})
		}
	}
}

// BenchmarkBackofficeScaleMemory serves b.N ticket pages, each of another of the biggest
// tenant's 2,000 newest tickets (then round again), as the admin and the agent in turns, and
// reports the process's resident memory (VmRSS) and its peak
// (VmHWM) before and after, in MiB, with the Go heap in use after a collection: serving more
// tickets must not grow them.
func BenchmarkBackofficeScaleMemory(b *testing.B) {
	f := newScaleFixture(b)
	ctx := context.Background()
	page, ids := "", []uuid.UUID{}
	for len(ids) < 2000 {
		p, err := f.desk.Tickets(ctx, f.admin.actor, storage.TicketFilter{}, storage.PageRequest{Limit: storage.MaxPageSize, After: page})
		require.NoError(b, err)
		for _, t := range p.Items {
			ids = append(ids, t.ID)
		}
		if page = p.Next; page == "" {
			break
		}
	}
	// Warm up: every template parsed, the pools filled.
	for _, p := range f.pages() {
		f.get(b, f.admin, p.path)
		f.get(b, f.agent, p.path)
	}
	rss0, hwm0 := procStatus(b)
	heap0 := heapInUse()
	served := 0
	for b.Loop() {
		who := f.admin
		if served%2 == 1 {
			who = f.agent
		}
		f.get(b, who, "/tickets/"+ids[served%len(ids)].String())
		served++
	}
	rss1, hwm1 := procStatus(b)
	heap1 := heapInUse()
	b.ReportMetric(float64(served), "pages")
	b.ReportMetric(rss0, "rss-before-MiB")
	b.ReportMetric(rss1, "rss-after-MiB")
	b.ReportMetric(hwm0, "hwm-before-MiB")
	b.ReportMetric(hwm1, "hwm-after-MiB")
	b.ReportMetric(heap0, "heap-before-MiB")
	b.ReportMetric(heap1, "heap-after-MiB")
}

// quantile returns the q-th percentile of ds in milliseconds (ds is sorted in place).
func quantile(ds []time.Duration, q int) float64 {
	slices.Sort(ds)
	return float64(ds[(len(ds)-1)*q/100].Microseconds()) / 1000
}

// procStatus reads VmRSS and VmHWM from /proc/self/status, in MiB.
func procStatus(b *testing.B) (rss, hwm float64) {
	fh, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status: %v", err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		require.NoError(b, err)
		if k == "VmRSS" {
			rss = kb / 1024
		} else {
			hwm = kb / 1024
		}
	}
	return rss, hwm
}

// heapInUse returns the Go heap in use after a collection, in MiB.
func heapInUse() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}
