package helpdesk_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// An admin writes a canned response with the tags of notification templates; an agent renders
// it for a ticket and posts the text as a message. A tag outside the catalogue is refused when
// the response is saved, naming the tags that are allowed.
func ExampleDesk_RenderCannedResponse() {
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
	admin := tenant.Employee(op.ID, uuid.New(), tenant.RoleAdmin, "Ada Admin")
	agent := tenant.Employee(op.ID, uuid.New(), tenant.RoleAgent, "Sam Agent")

	reply, err := desk.CreateCannedResponse(ctx, admin, helpdesk.NewCannedResponse{
		Language: "en",
		Title:    "Type plate",
		Body:     "Hello {{.recipient_name}}, about {{.ticket_ref}} ({{.priority}}): could you send a photo of the type plate?",
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = desk.CreateCannedResponse(ctx, admin, helpdesk.NewCannedResponse{Language: "en", Title: "Bad", Body: "{{.shoe_size}}"})
	var te *notify.TemplateError
	fmt.Println(errors.As(err, &te), te.Tag)

	submitted, err := desk.SubmitTicket(ctx, agent, helpdesk.NewTicket{Title: "Pump alarms",
		Requester: ticket.Contact{Name: "Nina Nurse", Email: "nina@northwind.example"}})
	if err != nil {
		log.Fatal(err)
	}
	tk := submitted.Ticket

	// The agent's editor lists the responses in the ticket's language and fills one in.
	list, err := desk.CannedResponses(ctx, agent, "en")
	if err != nil {
		log.Fatal(err)
	}
	text, err := desk.RenderCannedResponse(ctx, agent, list[0].ID, tk.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(list[0].ID == reply.ID, text.Title)
	msg, err := desk.PostMessage(ctx, agent, tk.ID, helpdesk.NewMessage{Body: text.Body})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(msg.Body)
	// Output:
	// true shoe_size
	// true Type plate
	// Hello Nina Nurse, about T-000001 (Normal): could you send a photo of the type plate?
}
