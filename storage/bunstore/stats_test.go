package bunstore

import (
	"context"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statsWorld is a measured tenant among others, for the statistics' plans.
type statsWorld struct {
	tenant             uuid.UUID
	customers, devices []uuid.UUID
	templates          []uuid.UUID
	from               time.Time
}

// devicesPerCustomer gives seedStats' tenants enough devices that reading a template's from
// the devices index beats reading the table.
const devicesPerCustomer = 40

// seedStats writes tenants tenants of perTenant tickets each, created over 100 days, a third
// of them closed and rated, each with two history entries, every third with a session; the
// first tenant is returned. Times, tickets and their rows are written in batches.
func seedStats(t *testing.T, s *Store, tenants, perTenant int) statsWorld {
	t.Helper()
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var sw statsWorld
	for n := range tenants {
		tn := &tenant.Tenant{ID: newV7(), Name: "Tenant", TicketPrefix: "T", CreatedAt: t0, UpdatedAt: t0, Version: 1}
		require.NoError(t, s.CreateTenant(ctx, tn))
		var customers, devices, templates []uuid.UUID
		for range 2 {
			tp := &device.Template{ID: newV7(), TenantID: tn.ID, Name: "Pump", CreatedAt: t0, UpdatedAt: t0, Version: 1}
			require.NoError(t, s.CreateTemplate(ctx, tp))
			templates = append(templates, tp.ID)
		}
		for i := range 3 {
			c := &tenant.Customer{ID: newV7(), TenantID: tn.ID, Name: "Customer", CreatedAt: t0, UpdatedAt: t0, Version: 1}
			require.NoError(t, s.CreateCustomer(ctx, c))
			customers = append(customers, c.ID)
			for j := range devicesPerCustomer {
				d := &device.Device{ID: newV7(), TenantID: tn.ID, CustomerID: c.ID, TemplateID: templates[(i+j)%2],
					Name: "Pump", CreatedAt: t0, UpdatedAt: t0, Version: 1}
				require.NoError(t, s.CreateDevice(ctx, d))
				devices = append(devices, d.ID)
			}
		}
		var (
			ts []*ticketRow
			hs []*historyRow
			ss []*sessionRow
		)
		by := tenant.Ref{Kind: tenant.ActorEmployee, ID: newV7(), Name: "Ann Agent"}
		for i := range perTenant {
			created := t0.Add(time.Duration(i) * 100 * 24 * time.Hour / time.Duration(perTenant))
			tk := &ticket.Ticket{ID: newV7(), TenantID: tn.ID, Number: int64(i + 1), Prefix: "T", Title: "Pump leaks",
				State: ticket.StateOpen, Source: ticket.SourceEmployee, CreatedBy: by, DeviceID: devices[i%len(devices)],
				LinkVersion: 1, CreatedAt: created, UpdatedAt: created, Version: 1}
			tk.CustomerID = customers[(i%len(devices))/devicesPerCustomer]
			if i%3 == 0 {
				closed := created.Add(time.Duration(i%50+1) * time.Hour)
				tk.State, tk.ClosedAt = ticket.StateClosed, &closed
				tk.Rating = &ticket.Rating{Stars: 1 + i%5, At: closed}
				ss = append(ss, fromSession(&ticket.Session{ID: newV7(), TenantID: tn.ID, TicketID: tk.ID,
					State: ticket.SessionClosed, CreatedAt: created, UpdatedAt: created, Version: 1}))
			}
			ts = append(ts, fromTicket(tk))
			for k, action := range []string{"message.internal", "accept"} {
				hs = append(hs, fromHistory(&ticket.HistoryEntry{ID: newV7(), TenantID: tn.ID, TicketID: tk.ID,
					Actor: by, Action: action, At: created.Add(time.Duration(k+1) * time.Minute)}))
			}
		}
		insertBatches(t, s, ts)
		insertBatches(t, s, hs)
		insertBatches(t, s, ss)
		if n == 0 {
			sw = statsWorld{tenant: tn.ID, customers: customers, devices: devices, templates: templates, from: t0.AddDate(0, 0, 50)}
		}
	}
	for _, table := range []string{"tickets", "devices", "history", "sessions"} {
		_, err := s.db.ExecContext(ctx, "ANALYZE "+table)
		require.NoError(t, err)
	}
	return sw
}

// TestStatsIndexes checks that the statistics read the indexes of the stats migration (and
// the history and sessions ones) and no table from its start: on PostgreSQL, after ANALYZE,
// the plans of a week's figures (the tenant's and one customer's) and of a page of templates,
// devices and customers scan no table sequentially and use the expected indexes; on SQLite
// the plans search the same indexes.
func TestStatsIndexes(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		require.NoError(t, s.MigrateUp(ctx))
		sw := seedStats(t, s, 20, 2000)
		week := storage.PeriodFilter{From: sw.from, To: sw.from.AddDate(0, 0, 7)}
		customerWeek := week
		customerWeek.CustomerID = sw.customers[1]
		cases := []struct {
			name    string
			query   func() (string, []any)
			indexes []string
		}{
			{"PeriodTenant", func() (string, []any) { return s.periodStatsQuery(sw.tenant, week) },
				[]string{"tickets_tenant_created", "tickets_tenant_closed", "history_ticket_at"}},
			{"PeriodCustomer", func() (string, []any) { return s.periodStatsQuery(sw.tenant, customerWeek) },
				[]string{"tickets_tenant_customer_created", "tickets_tenant_customer_closed", "history_ticket_at"}},
			{"Templates", func() (string, []any) {
				q, args, err := s.recordStatsQuery(sw.tenant, storage.StatsTemplate, sw.templates, uuid.Nil)
				require.NoError(t, err)
				return q, args
			}, []string{"devices_tenant_template", "tickets_tenant_device_id", "sessions_ticket_created"}},
			{"Devices", func() (string, []any) {
				q, args, err := s.recordStatsQuery(sw.tenant, storage.StatsDevice, sw.devices[:3], uuid.Nil)
				require.NoError(t, err)
				return q, args
			}, []string{"tickets_tenant_device_id", "sessions_ticket_created"}},
			{"Customers", func() (string, []any) {
				q, args, err := s.recordStatsQuery(sw.tenant, storage.StatsCustomer, sw.customers[:1], uuid.Nil)
				require.NoError(t, err)
				return q, args
			}, []string{"tickets_tenant_customer_", "sessions_ticket_created"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				query, args := c.query()
				if s.pg {
					plan := explain(t, s.db, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)", query, args...)
					t.Logf("plan:\n%s", plan)
					assert.NotContains(t, plan, "Seq Scan")
					for _, ix := range c.indexes {
						assert.Contains(t, plan, " using "+ix, "the plan does not use %s", ix)
					}
					return
				}
				plan := explain(t, s.db, "EXPLAIN QUERY PLAN", query, args...)
				t.Logf("plan:\n%s", plan)
				for _, ix := range c.indexes {
					assert.Contains(t, plan, "INDEX "+ix, "the plan does not use %s", ix)
				}
				assert.NotRegexp(t, `SCAN (t|d|h|s)\b`, plan, "a table read from its start")
			})
		}
	})
}
