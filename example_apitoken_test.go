package helpdesk_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
)

// An agent makes a read-only API token for a dashboard. The secret is shown once; the token
// then acts as the agent, but only for reading, and stops at revocation. An API server claims
// each POST's Idempotency-Key before running it, so that a retried request is answered from
// the first one's response.
func ExampleDesk_CreateAPIToken() {
	ctx := context.Background()
	store, err := bunstore.Open(ctx, "sqlite::memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := store.MigrateUp(ctx); err != nil {
		log.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	desk, err := helpdesk.New(store, &helpdesk.Config{Now: func() time.Time { return now }})
	if err != nil {
		log.Fatal(err)
	}
	op, err := desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Service"})
	if err != nil {
		log.Fatal(err)
	}
	sam, _, err := desk.CreateUser(ctx, tenant.SystemFor(op.ID), helpdesk.NewUser{Email: "sam@acme.example",
		Name: "Sam Agent", Role: tenant.RoleAgent, Password: "Sam-Secret-7"})
	if err != nil {
		log.Fatal(err)
	}

	tok, secret, err := desk.CreateAPIToken(ctx, sam.Actor(), helpdesk.NewAPIToken{Name: "Wall dashboard",
		Scopes: tenant.ScopeRead, ExpiresAt: now.AddDate(0, 3, 0)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.Name, tok.Scopes.Strings(), strings.HasPrefix(secret, "hdt_"))

	actor, err := desk.AuthenticateAPIToken(ctx, secret)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(actor.Name, actor.Role)
	_, err = desk.Teams(ctx, actor)
	fmt.Println("read teams:", err == nil)
	// Sam may open tickets, but not through a read-only token.
	_, err = desk.SubmitTicket(ctx, actor, helpdesk.NewTicket{Title: "Pump alarms",
		Requester: ticket.Contact{Name: "Nina Nurse", Email: "nina@northwind.example"}})
	fmt.Println("write refused:", errors.Is(err, helpdesk.ErrForbidden), err != nil && strings.Contains(err.Error(), "write scope"))

	// The first request with a key runs; a retry gets its response back.
	resp, err := desk.BeginIdempotent(ctx, actor, "report-2026-11-23", "GET /stats")
	if err != nil || resp != nil {
		log.Fatal(resp, err)
	}
	if err := desk.FinishIdempotent(ctx, actor, "report-2026-11-23", helpdesk.StoredResponse{Status: 200,
		Body: []byte(`{"open":3}`)}); err != nil {
		log.Fatal(err)
	}
	resp, err = desk.BeginIdempotent(ctx, actor, "report-2026-11-23", "GET /stats")
	fmt.Println("replayed:", resp.Status, string(resp.Body), err)

	if err := desk.RevokeAPIToken(ctx, sam.Actor(), tok.ID); err != nil {
		log.Fatal(err)
	}
	_, err = desk.AuthenticateAPIToken(ctx, secret)
	fmt.Println(helpdesk.KindOf(err))
	// Output:
	// Wall dashboard [read] true
	// Sam Agent agent
	// read teams: true
	// write refused: true true
	// replayed: 200 {"open":3} <nil>
	// unauthenticated
}
