package bunstore

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// BenchmarkSearchScale measures ticket lists and searches on a database seeded by
// internal/cmd/seed (HELPDESK_SCALE_POSTGRES names it; skipped without it), or on an SQLite
// file of 100,000 tickets that the benchmark seeds through the store when it is new
// (HELPDESK_SCALE_SQLITE names it). For the biggest tenant (100,000 tickets) and a typical
// one (400), as staff: the first page of the ticket list and its page 200 (the last page of a
// tenant with fewer), then a rare, a common and an absent word, each searched (search) and
// matched as the ticket list matched Text before the full-text index (like: a substring of
// the lower-cased title and description, newest first), in the same process. Pages hold 25
// tickets, as the back office's. Each reports its p95 beside the mean.
func BenchmarkSearchScale(b *testing.B) {
	for _, e := range []struct {
		name string
		open func(b *testing.B) (*Store, []scaleTenant)
	}{{"postgres", openScalePostgres}, {"sqlite", openScaleSQLite}} {
		b.Run(e.name, func(b *testing.B) {
			s, tenants := e.open(b)
			for _, tn := range tenants {
				benchScaleTenant(b, s, tn)
			}
		})
	}
}

// The words of internal/scaleseed (RareWord, CommonWord, AbsentWord): the seeder's tickets
// hold the first in five tickets of each tenant, the second in a third, the last in none.
var scaleWords = []struct{ name, word string }{{"rare", "Wärmetauscher"}, {"common", "écran"}, {"absent", "zebrafink"}}

type scaleTenant struct {
	name string
	id   uuid.UUID
}

const scalePageSize = 25

func benchScaleTenant(b *testing.B, s *Store, tn scaleTenant) {
	ctx := context.Background()
	list := func(f storage.TicketFilter, p storage.PageRequest) (storage.Page[*ticket.Ticket], error) {
		return s.ListTickets(ctx, tn.id, f, p)
	}
	// The cursor of page 200 (or of the last page).
	var after string
	page := 1
	for ; page < 200; page++ {
		p, err := list(storage.TicketFilter{}, storage.PageRequest{Limit: scalePageSize, After: after})
		require.NoError(b, err)
		if p.Next == "" {
			break
		}
		after = p.Next
	}
	b.Run(tn.name+"/list/first", func(b *testing.B) {
		measure(b, func() (int, error) {
			p, err := list(storage.TicketFilter{}, storage.PageRequest{Limit: scalePageSize})
			return len(p.Items), err
		})
	})
	b.Run(fmt.Sprintf("%s/list/page%d", tn.name, page), func(b *testing.B) {
		measure(b, func() (int, error) {
			p, err := list(storage.TicketFilter{}, storage.PageRequest{Limit: scalePageSize, After: after})
			return len(p.Items), err
		})
	})
	for _, w := range scaleWords {
		f := storage.TicketFilter{Text: w.word, TextInternal: true}
		b.Run(tn.name+"/"+w.name+"/search", func(b *testing.B) {
			measure(b, func() (int, error) {
				p, err := list(f, storage.PageRequest{Limit: scalePageSize})
				return len(p.Items), err
			})
		})
		b.Run(tn.name+"/"+w.name+"/like", func(b *testing.B) {
			measure(b, func() (int, error) {
				p, err := s.likeTickets(ctx, tn.id, storage.TicketFilter{Text: strings.ToLower(w.word)}, storage.PageRequest{Limit: scalePageSize})
				return len(p.Items), err
			})
		})
	}
}

// measure runs op b.N times and reports the p95 latency and how many tickets a call returned.
func measure(b *testing.B, op func() (int, error)) {
	b.Helper()
	took := make([]time.Duration, 0, b.N)
	n := 0
	for b.Loop() {
		t0 := time.Now()
		got, err := op()
		took = append(took, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		n = got
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[(len(took)*95)/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(n), "tickets")
}

func scaleTenants(b *testing.B, s *Store, names ...string) []scaleTenant {
	var out []scaleTenant
	for i, name := range names {
		var id uuid.UUID
		require.NoError(b, s.DB().QueryRowContext(context.Background(), "SELECT id FROM tenants WHERE name = ?", name).Scan(&id),
			"the scale database has no %q", name)
		out = append(out, scaleTenant{name: []string{"big", "typical"}[i], id: id})
	}
	return out
}

func openScalePostgres(b *testing.B) (*Store, []scaleTenant) {
	dsn := os.Getenv("HELPDESK_SCALE_POSTGRES")
	if dsn == "" {
		b.Skip("set HELPDESK_SCALE_POSTGRES to a database seeded by go run ./internal/cmd/seed")
	}
	s, err := Open(context.Background(), dsn)
	require.NoError(b, err)
	b.Cleanup(func() { _ = s.Close() })
	require.NoError(b, s.MigrateUp(context.Background()))
	// Tenant 0 holds 100,000 tickets, tenant 500 400 (scaleseed.TenantName).
	return s, scaleTenants(b, s, "Scale tenant 0000", "Scale tenant 0500")
}

// scalePhrases are the seeder's sentences (internal/scaleseed), in five languages.
var scalePhrases = []string{
	"The pump alarms every ten minutes with an occlusion warning.",
	"Tubing replaced, alarm persists; photo of the display attached earlier.",
	"Can a technician come on Thursday morning? The ward is quiet then.",
	"Firmware shows 4.2.1 after the update, the error code is E-17.",
	"Thank you, it works again after the restart you suggested.",
	"Das Gerät zeigt seit gestern eine Fehlermeldung beim Start.",
	"L'appareil redémarre tout seul pendant la nuit.",
	"El equipo no enciende después del corte de luz.",
	"Urządzenie nie łączy się z siecią Wi-Fi od wczoraj.",
}

// openScaleSQLite opens HELPDESK_SCALE_SQLITE, seeding it through the store when it has no
// tenant yet: tenant "Scale tenant 0000" with 100,000 tickets and "Scale tenant 0500" with
// 400, the words and messages as the PostgreSQL seeder writes them (1 to 5 messages a
// ticket, every fourth internal).
func openScaleSQLite(b *testing.B) (*Store, []scaleTenant) {
	path := os.Getenv("HELPDESK_SCALE_SQLITE")
	if path == "" {
		b.Skip("set HELPDESK_SCALE_SQLITE to an SQLite file (seeded with 100,000 tickets when new)")
	}
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+path)
	require.NoError(b, err)
	b.Cleanup(func() { _ = s.Close() })
	require.NoError(b, s.MigrateUp(ctx))
	var n int
	require.NoError(b, s.DB().QueryRowContext(ctx, "SELECT count(*) FROM tenants").Scan(&n))
	if n == 0 {
		t0 := time.Now()
		for _, size := range []struct {
			name string
			n    int
		}{{"Scale tenant 0000", 100000}, {"Scale tenant 0500", 400}} {
			seedScaleSQLite(b, s, size.name, size.n)
		}
		_, err := s.DB().ExecContext(ctx, "ANALYZE")
		require.NoError(b, err)
		b.Logf("seeded %s in %s", path, time.Since(t0).Round(time.Second))
	}
	return s, scaleTenants(b, s, "Scale tenant 0000", "Scale tenant 0500")
}

func seedScaleSQLite(b *testing.B, s *Store, name string, n int) {
	ctx := context.Background()
	at := time.Now().UTC().Add(-730 * 24 * time.Hour)
	tn := &tenant.Tenant{ID: uuid.Must(uuid.NewV7()), Name: name, Language: "en", TicketPrefix: "T", CreatedAt: at, UpdatedAt: at, Version: 1}
	require.NoError(b, s.CreateTenant(ctx, tn))
	const batch = 2000
	for start := 1; start <= n; start += batch {
		require.NoError(b, s.InTx(ctx, func(q storage.Queries) error {
			for k := start; k < start+batch && k <= n; k++ {
				created := at.Add(time.Duration(k) * time.Minute)
				desc := scalePhrases[(k+3)%len(scalePhrases)] + " " + scalePhrases[(k+5)%len(scalePhrases)]
				if k%3 == 0 {
					desc += " L'écran reste noir."
				}
				if k%max(n/5, 1) == 1 {
					desc += " Der Wärmetauscher ist undicht."
				}
				t := &ticket.Ticket{ID: uuid.Must(uuid.NewV7()), TenantID: tn.ID, Number: int64(k), Prefix: "T",
					Title:       fmt.Sprintf("Device %d: %s", k%4000+1, strings.TrimSuffix(scalePhrases[k%len(scalePhrases)], ".")),
					Description: desc, Requester: ticket.Contact{Name: fmt.Sprintf("Customer user %03d", k%400+1), Email: fmt.Sprintf("cu%03d@t0000.scale.test", k%400+1)},
					State: ticket.StateClosed, Source: ticket.SourceCustomer, CreatedBy: tenant.Ref{Kind: tenant.ActorCustomerUser, ID: uuid.Nil, Name: "Customer user"},
					LinkVersion: 1, CreatedAt: created, UpdatedAt: created, Version: 1}
				if err := q.CreateTicket(ctx, t); err != nil {
					return err
				}
				for j := range 1 + k%5 {
					v := ticket.Public
					if j%4 == 3 {
						v = ticket.Internal
					}
					m := &ticket.Message{ID: uuid.Must(uuid.NewV7()), TenantID: tn.ID, TicketID: t.ID,
						Author: tenant.Ref{Kind: tenant.ActorEmployee, Name: "Agent 01"}, Visibility: v, CreatedAt: created.Add(time.Duration(j+1) * time.Minute),
						Body: scalePhrases[(k+j)%len(scalePhrases)] + " " + scalePhrases[(k+2*j+1)%len(scalePhrases)]}
					if err := q.CreateMessage(ctx, m); err != nil {
						return err
					}
				}
			}
			return nil
		}))
	}
	_, err := s.DB().ExecContext(ctx, "UPDATE tenants SET ticket_seq = ? WHERE id = ?", n, tn.ID)
	require.NoError(b, err)
}
