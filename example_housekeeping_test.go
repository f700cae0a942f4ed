package helpdesk_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
)

// Housekeeping deletes what nothing needs any more: here a sign-in session once it expired.
// The live session made after it still works. Run does the same every
// Config.Housekeeping.Interval.
func ExampleDesk_HousekeepOnce() {
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
	desk, err := helpdesk.New(store, &helpdesk.Config{Now: func() time.Time { return now }, Blobs: blob.NewMem()})
	if err != nil {
		log.Fatal(err)
	}
	op, err := desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Service"})
	if err != nil {
		log.Fatal(err)
	}
	_, _, err = desk.CreateUser(ctx, tenant.SystemFor(op.ID), helpdesk.NewUser{Email: "ada@acme.example",
		Name: "Ada Admin", Role: tenant.RoleAdmin, Password: "Ada-Secret-7"})
	if err != nil {
		log.Fatal(err)
	}
	yesterday, err := desk.SignIn(ctx, op.ID, "ada@acme.example", "Ada-Secret-7")
	if err != nil {
		log.Fatal(err)
	}

	now = now.Add(24 * time.Hour) // sessions last 12 hours by default
	today, err := desk.SignIn(ctx, op.ID, "ada@acme.example", "Ada-Secret-7")
	if err != nil {
		log.Fatal(err)
	}
	report, err := desk.HousekeepOnce(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("expired sessions deleted:", report.AuthSessions)
	_, err = desk.Authenticate(ctx, yesterday.Token)
	fmt.Println("yesterday's session:", errors.Is(err, helpdesk.ErrUnauthenticated))
	_, err = desk.Authenticate(ctx, today.Token)
	fmt.Println("today's session works:", err == nil)
	// Output:
	// expired sessions deleted: 1
	// yesterday's session: true
	// today's session works: true
}
