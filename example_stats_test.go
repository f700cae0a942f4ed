package helpdesk_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// The dashboard's statistics and a Devices page's figures: two tickets come in; an agent
// accepts the first after 10 minutes and answers the second after 30, so the median time to a
// first response is 20 minutes; the first is done and rated 4 stars two hours after it came in.
func ExampleDesk_Dashboard() {
	ctx := context.Background()
	store, err := bunstore.Open(ctx, "sqlite::memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := store.MigrateUp(ctx); err != nil {
		log.Fatal(err)
	}
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	now := start
	desk, err := helpdesk.New(store, &helpdesk.Config{Now: func() time.Time { return now }})
	if err != nil {
		log.Fatal(err)
	}
	op, err := desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Service"})
	if err != nil {
		log.Fatal(err)
	}
	admin := tenant.Employee(op.ID, uuid.New(), tenant.RoleAdmin, "Ada Admin")
	// A supervisor takes tickets on without an offer (agents accept what the default group offers them).
	agent := tenant.Employee(op.ID, uuid.New(), tenant.RoleSupervisor, "Sam Supervisor")
	pump, err := desk.CreateDevice(ctx, admin, helpdesk.NewDevice{Name: "Pump 7"})
	if err != nil {
		log.Fatal(err)
	}
	submit := func(title string) *helpdesk.Submitted {
		s, err := desk.SubmitTicket(ctx, agent, helpdesk.NewTicket{Title: title, DeviceID: pump.ID,
			Requester: ticket.Contact{Name: "Nina Nurse", Email: "nina@northwind.example"}})
		if err != nil {
			log.Fatal(err)
		}
		return s
	}
	alarm, leak := submit("Pump alarms"), submit("Pump leaks")

	now = start.Add(10 * time.Minute)
	if _, err := desk.Accept(ctx, agent, alarm.ID); err != nil {
		log.Fatal(err)
	}
	now = start.Add(30 * time.Minute)
	if _, err := desk.PostMessage(ctx, agent, leak.ID, helpdesk.NewMessage{Body: "Which ward?"}); err != nil {
		log.Fatal(err)
	}
	now = start.Add(time.Hour)
	if _, err := desk.Transition(ctx, agent, alarm.ID, ticket.EventComplete, helpdesk.Change{}); err != nil {
		log.Fatal(err)
	}
	now = start.Add(2 * time.Hour)
	page, err := desk.OpenRequesterLink(ctx, alarm.RequesterToken)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := desk.Rate(ctx, page.Actor, alarm.ID, 4, "Quick"); err != nil {
		log.Fatal(err)
	}

	db, err := desk.Dashboard(ctx, agent, helpdesk.StatsPeriod{From: start, To: start.Add(24 * time.Hour)})
	if err != nil {
		log.Fatal(err)
	}
	p := db.Period
	fmt.Println("open:", db.States[ticket.StateOpen], "closed:", db.States[ticket.StateClosed])
	fmt.Println("opened:", p.Opened, "responded:", p.Responded, "median first response:", p.MedianFirstResponse)
	fmt.Println("closed:", p.Closed, "median time to close:", p.MedianTimeToClose, "mean rating:", p.MeanRating)

	figures, err := desk.DeviceStatsByID(ctx, agent, []uuid.UUID{pump.ID, uuid.New()})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %+v; devices without tickets: %d\n", pump.Name, figures[pump.ID], len(figures)-1)
	// Output:
	// open: 1 closed: 1
	// opened: 2 responded: 2 median first response: 20m0s
	// closed: 1 median time to close: 2h0m0s mean rating: 4
	// Pump 7: {Tickets:2 Sessions:0 Ratings:1 MeanRating:4}; devices without tickets: 0
}
