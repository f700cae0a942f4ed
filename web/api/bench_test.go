package api_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/internal/pgtest"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/web/api"
	"github.com/stretchr/testify/require"
)

// The benchmark runs on PostgreSQL (HELPDESK_TEST_POSTGRES), beside its baseline; see
// BENCHMARKS.md for the figures and the command that reproduces them.

// benchClientsPerCPU sets how many clients run at once: GOMAXPROCS × this.
const benchClientsPerCPU = 4

// BenchmarkCreateTicket opens tickets as a customer's user through the API, several clients
// at once over loopback, beside the same user calling Desk.SubmitTicket directly (desk, the
// baseline), in one run and on one database. "api" sends no Idempotency-Key; "api-idempotent"
// sends a new one with each request, as a careful integration does.
func BenchmarkCreateTicket(b *testing.B) {
	ctx := context.Background()
	s, err := bunstore.Open(ctx, pgtest.Schema(b))
	require.NoError(b, err)
	b.Cleanup(func() { _ = s.Close() })
	require.NoError(b, s.MigrateUp(ctx))
	d, err := helpdesk.New(s, &helpdesk.Config{SecretKeys: [][]byte{[]byte("the API benchmarks' key, 32 byte")},
		Blobs: blob.NewMem(), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	op, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Bench", Language: "en"})
	require.NoError(b, err)
	sys := tenant.SystemFor(op.ID)
	cust, err := d.CreateCustomer(ctx, sys, helpdesk.NewCustomer{Name: "Northwind Hospital"})
	require.NoError(b, err)
	u, _, err := d.CreateUser(ctx, sys, helpdesk.NewUser{Email: "nina@example.com", Name: "Nina Nurse",
		Role: tenant.RoleCustomerUser, CustomerID: cust.ID, Password: pw})
	require.NoError(b, err)
	actor := tenant.CustomerUser(op.ID, cust.ID, u.ID, tenant.RoleCustomerUser, u.Name)
	_, token, err := d.CreateAPIToken(ctx, actor, helpdesk.NewAPIToken{Name: "Bench",
		Scopes: tenant.ScopeRead | tenant.ScopeWrite, ExpiresAt: time.Now().Add(24 * time.Hour)})
	require.NoError(b, err)
	h, err := api.New(d, &api.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	body := []byte(`{"title":"Pump alarms every ten minutes","description":"Occlusion alarm, tubing replaced, still alarming."}`)
	in := helpdesk.NewTicket{Title: "Pump alarms every ten minutes", Description: "Occlusion alarm, tubing replaced, still alarming.",
		Requester: ticket.Contact{}}

	b.Run("desk", func(b *testing.B) {
		b.SetParallelism(benchClientsPerCPU)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := d.SubmitTicket(ctx, actor, in); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	var keys atomic.Int64
	for _, idem := range []bool{false, true} {
		name := "api"
		if idem {
			name = "api-idempotent"
		}
		b.Run(name, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4 * benchClientsPerCPU * runtime.GOMAXPROCS(0)}}
			b.SetParallelism(benchClientsPerCPU)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodPost, srv.URL+api.Prefix+"/tickets", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+token)
					if idem {
						req.Header.Set("Idempotency-Key", fmt.Sprint("bench-", keys.Add(1)))
					}
					res, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					res.Body.Close()
					if res.StatusCode != http.StatusCreated {
						b.Errorf("status %d", res.StatusCode)
						return
					}
				}
			})
		})
	}
}
