package helpdesk_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// A whole service case on an in-memory database: an operator sets up a customer's device with a
// QR code, a nurse scans it, reads the device's public page and opens a ticket, then follows it
// through the requester link she is given; an agent takes it and asks a question, the nurse's
// reply resumes the work, and the rated ticket closes.
func Example() {
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

	// The platform creates the operator; its admin registers a customer's device and its code.
	op, err := desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Service"})
	if err != nil {
		log.Fatal(err)
	}
	// Its first admin and an agent; the tenant came with its default group, which receives new
	// requests: Ada leads it, and its tickets are offered to Sam.
	ada, _, err := desk.CreateUser(ctx, tenant.SystemFor(op.ID), helpdesk.NewUser{Email: "ada@acme.example",
		Name: "Ada Admin", Role: tenant.RoleAdmin, Password: "Ada-Secret-7"})
	if err != nil {
		log.Fatal(err)
	}
	admin := ada.Actor()
	sam, _, err := desk.CreateUser(ctx, admin, helpdesk.NewUser{Email: "sam@acme.example", Name: "Sam Agent",
		Role: tenant.RoleAgent, Password: "Sam-Secret-7"})
	if err != nil {
		log.Fatal(err)
	}
	agent := sam.Actor()
	teams, err := desk.Teams(ctx, admin)
	if err != nil {
		log.Fatal(err)
	}
	group := teams[0] // the only team yet: the default group
	group.SupervisorID, group.Members = ada.ID, []uuid.UUID{sam.ID}
	if _, err := desk.UpdateTeam(ctx, admin, group); err != nil {
		log.Fatal(err)
	}
	customer, err := desk.CreateCustomer(ctx, admin, helpdesk.NewCustomer{Name: "Northwind Hospital"})
	if err != nil {
		log.Fatal(err)
	}
	pump, err := desk.CreateDevice(ctx, admin, helpdesk.NewDevice{Name: "Pump 7", SerialNumber: "X200-0007",
		Location: "Ward 3", CustomerID: customer.ID})
	if err != nil {
		log.Fatal(err)
	}
	code, err := desk.CreateCode(ctx, admin, pump.ID, helpdesk.NewCode{})
	if err != nil {
		log.Fatal(err)
	}

	// The nurse scans the code: the public page shows the device (nothing about its customer),
	// and its actor may open a ticket for that one device, and nothing more.
	page, err := desk.OpenCode(ctx, code.Token, "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(page.Device.Name, page.Device.SerialNumber, "in", page.Device.Location, page.Actions)
	scanner := page.Actor
	scanner.Name = "Nina Nurse"
	submitted, err := desk.SubmitTicket(ctx, scanner, helpdesk.NewTicket{
		Title:     "Pump alarms every ten minutes",
		Requester: ticket.Contact{Name: "Nina Nurse", Email: "nina@northwind.example"},
	})
	if err != nil {
		log.Fatal(err)
	}
	tk := submitted.Ticket
	fmt.Println(tk.Ref(), tk.State)

	// Whoever scans the code next sees none of its tickets: the nurse follows hers through the
	// link carrying submitted.RequesterToken, which is returned here and put in her e-mails.
	_, err = desk.Ticket(ctx, scanner, tk.ID)
	fmt.Println("the scanner reading it:", helpdesk.KindOf(err))
	link, err := desk.OpenRequesterLink(ctx, submitted.RequesterToken)
	if err != nil {
		log.Fatal(err)
	}
	nurse := link.Actor
	fmt.Println("link opens:", link.Ticket.Ref(), "as", nurse.Name)

	// The ticket is offered to the default group's members; Sam accepts his offer.
	if tk, err = desk.Accept(ctx, agent, tk.ID); err != nil {
		log.Fatal(err)
	}
	fmt.Println("accepted:", tk.State)
	if _, err = desk.PostMessage(ctx, agent, tk.ID, helpdesk.NewMessage{Body: "Which firmware does it show?"}); err != nil {
		log.Fatal(err)
	}
	if tk, err = desk.Transition(ctx, agent, tk.ID, ticket.EventWait, helpdesk.Change{Reason: "asked the requester"}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("asked:", tk.State)
	if _, err = desk.PostMessage(ctx, nurse, tk.ID, helpdesk.NewMessage{Body: "2.4.1"}); err != nil {
		log.Fatal(err)
	}
	if tk, err = desk.Ticket(ctx, nurse, tk.ID); err != nil {
		log.Fatal(err)
	}
	fmt.Println("replied:", tk.State)
	if _, err = desk.Transition(ctx, agent, tk.ID, ticket.EventComplete, helpdesk.Change{Reason: "firmware updated"}); err != nil {
		log.Fatal(err)
	}
	if tk, err = desk.Rate(ctx, nurse, tk.ID, 5, "fixed within the hour"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("rated:", tk.State, tk.Rating.Stars)

	// The history comes a page at a time, oldest first; the last page has no Next.
	for p := (storage.PageRequest{}); ; {
		history, err := desk.History(ctx, agent, tk.ID, p)
		if err != nil {
			log.Fatal(err)
		}
		for _, h := range history.Items {
			fmt.Printf("%-9s %-10s %s -> %s", h.Action, h.Actor.Name, h.From, h.To)
			if h.Reason != "" {
				fmt.Printf(" (%s)", h.Reason)
			}
			fmt.Println()
		}
		if history.Next == "" {
			break
		}
		p.After = history.Next
	}
	// Output:
	// Pump 7 X200-0007 in Ward 3 [view open_ticket]
	// T-000001 open
	// the scanner reading it: not_found
	// link opens: T-000001 as Nina Nurse
	// accepted: assigned
	// asked: waiting
	// replied: in_progress
	// rated: closed 5
	// submit    Nina Nurse  -> open
	// accept    Sam Agent  open -> assigned
	// message   Sam Agent  assigned -> assigned
	// wait      Sam Agent  assigned -> waiting (asked the requester)
	// message   Nina Nurse waiting -> waiting
	// resume    Nina Nurse waiting -> in_progress (requester replied)
	// complete  Sam Agent  in_progress -> done (firmware updated)
	// rate      Nina Nurse done -> closed (5/5 fixed within the hour)
}

// KindOf classifies any error a Desk operation returns, however deeply wrapped, so a server
// can map it to a protocol status in one table.
func ExampleKindOf() {
	status := map[helpdesk.ErrorKind]int{
		helpdesk.KindInvalid:   http.StatusBadRequest,
		helpdesk.KindNotFound:  http.StatusNotFound,
		helpdesk.KindConflict:  http.StatusConflict,
		helpdesk.KindForbidden: http.StatusForbidden,
		helpdesk.KindInternal:  http.StatusInternalServerError,
	}
	for _, err := range []error{
		&helpdesk.ValidationError{Field: "requester", Problem: "an e-mail address or a phone number is required"},
		fmt.Errorf("get ticket T-000042: %w", storage.ErrNotFound),
		fmt.Errorf("accept ticket T-000042: %w", storage.ErrConflict),
		fmt.Errorf("submit ticket: %w", helpdesk.ErrSupportLapsed),
		errors.New("disk full"),
	} {
		code := helpdesk.KindOf(err)
		fmt.Println(code, status[code])
	}
	fmt.Printf("%q\n", helpdesk.KindOf(nil))
	// Output:
	// invalid 400
	// not_found 404
	// conflict 409
	// forbidden 403
	// internal 500
	// ""
}

// Sign-in as an embedding application does it: a session token from SignIn, kept in a cookie,
// is turned back into the acting tenant.Actor by Authenticate on every request.
func ExampleDesk_SignIn() {
	ctx := context.Background()
	store, err := bunstore.Open(ctx, "sqlite::memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := store.MigrateUp(ctx); err != nil {
		log.Fatal(err)
	}
	desk, err := helpdesk.New(store, &helpdesk.Config{BaseURL: "https://desk.acme.example"})
	if err != nil {
		log.Fatal(err)
	}
	op, err := desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Service"})
	if err != nil {
		log.Fatal(err)
	}
	// The first admin gets a password from the platform; everyone else is invited.
	_, _, err = desk.CreateUser(ctx, tenant.SystemFor(op.ID), helpdesk.NewUser{
		Email: "ada@acme.example", Name: "Ada Admin", Role: tenant.RoleAdmin, Password: "weak"})
	fmt.Println(err)
	_, _, err = desk.CreateUser(ctx, tenant.SystemFor(op.ID), helpdesk.NewUser{
		Email: "ada@acme.example", Name: "Ada Admin", Role: tenant.RoleAdmin, Password: "Acme-Admin-2026"})
	if err != nil {
		log.Fatal(err)
	}

	_, err = desk.SignIn(ctx, op.ID, "ada@acme.example", "wrong")
	fmt.Println(helpdesk.KindOf(err), errors.Is(err, helpdesk.ErrBadCredentials))
	session, err := desk.SignIn(ctx, op.ID, "ADA@acme.example", "Acme-Admin-2026")
	if err != nil {
		log.Fatal(err)
	}
	admin, err := desk.Authenticate(ctx, session.Token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(admin.Name, admin.Role)

	_, invitation, err := desk.CreateUser(ctx, admin, helpdesk.NewUser{
		Email: "sam@acme.example", Name: "Sam Agent", Role: tenant.RoleAgent})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(invitation.URL[:len(invitation.URL)-len(invitation.Token)] + "…")

	_ = desk.SignOut(ctx, session.Token)
	_, err = desk.Authenticate(ctx, session.Token)
	fmt.Println(errors.Is(err, helpdesk.ErrUnauthenticated))
	// Output:
	// invalid password: password needs at least 8 characters, an upper-case letter and a digit
	// unauthenticated true
	// Ada Admin admin
	// https://desk.acme.example/invitation/…
	// true
}
