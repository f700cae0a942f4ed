package scaleseed

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// Check reads the seeded data back through the Desk as the back office does, signed in as
// tenant 0's admin and its first agent: a page of tickets, the newest ticket with a long
// conversation (20 messages), its messages, history, customer and device, the dashboard, the
// agent's offers and unread count. It returns the first thing the Desk refuses or reads wrong.
func Check(ctx context.Context, dsn string, log io.Writer) error {
	store, err := bunstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	desk, err := helpdesk.New(store, nil)
	if err != nil {
		return err
	}
	var tid uuid.UUID
	if err := store.DB().QueryRowContext(ctx, "SELECT id FROM tenants WHERE name = ?", TenantName(0)).Scan(&tid); err != nil {
		return fmt.Errorf("tenant 0: %w", err)
	}
	admin, err := desk.SignIn(ctx, tid, Email(0, "admin"), Password)
	if err != nil {
		return fmt.Errorf("sign in as admin: %w", err)
	}
	agent, err := desk.SignIn(ctx, tid, Email(0, "agent01"), Password)
	if err != nil {
		return fmt.Errorf("sign in as agent: %w", err)
	}
	page, err := desk.Tickets(ctx, admin.Actor, storage.TicketFilter{States: []ticket.State{ticket.StateOpen}}, storage.PageRequest{Limit: 25})
	if err != nil || len(page.Items) == 0 {
		return fmt.Errorf("open tickets: %d, %v", len(page.Items), err)
	}
	long, err := LongTicket(ctx, store, tid)
	if err != nil {
		return err
	}
	t, err := desk.Ticket(ctx, admin.Actor, long)
	if err != nil {
		return fmt.Errorf("ticket: %w", err)
	}
	msgs, err := desk.Messages(ctx, admin.Actor, t.ID, storage.PageRequest{Limit: 50})
	if err != nil || len(msgs.Items) != 20 {
		return fmt.Errorf("messages of %s: %d, %v", t.Ref(), len(msgs.Items), err)
	}
	hist, err := desk.History(ctx, admin.Actor, t.ID, storage.PageRequest{Limit: 50})
	if err != nil || len(hist.Items) < 21 {
		return fmt.Errorf("history of %s: %d, %v", t.Ref(), len(hist.Items), err)
	}
	c, err := desk.Customer(ctx, admin.Actor, t.CustomerID)
	if err != nil {
		return fmt.Errorf("customer: %w", err)
	}
	dev, err := desk.Device(ctx, admin.Actor, t.DeviceID)
	if err != nil {
		return fmt.Errorf("device: %w", err)
	}
	now := time.Now()
	dash, err := desk.Dashboard(ctx, agent.Actor, helpdesk.StatsPeriod{From: now.AddDate(0, 0, -30), To: now})
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	offers, err := desk.MyOffers(ctx, agent.Actor, storage.PageRequest{Limit: 10})
	if err != nil || len(offers.Items) == 0 {
		return fmt.Errorf("offers: %d, %v", len(offers.Items), err)
	}
	unread, err := desk.UnreadCount(ctx, agent.Actor)
	if err != nil {
		return fmt.Errorf("unread: %w", err)
	}
	total := 0
	for _, n := range dash.States {
		total += n
	}
	fmt.Fprintf(log, "check: %s %q (%s, %s, %s) %d messages, %d history entries; dashboard: %d tickets %v, last 30 days %d opened, %d closed, first response %s; agent: %d offers on the first page, %d unread\n",
		t.Ref(), t.Title, t.State, c.Name, dev.Name, len(msgs.Items), len(hist.Items), total, dash.States,
		dash.Period.Opened, dash.Period.Closed, dash.Period.MedianFirstResponse.Round(time.Second), len(offers.Items), unread)
	return nil
}

// LongTicket returns the newest ticket of tenant tid with 20 messages.
func LongTicket(ctx context.Context, store *bunstore.Store, tid uuid.UUID) (uuid.UUID, error) {
	var id uuid.UUID
	err := store.DB().QueryRowContext(ctx, `SELECT id FROM tickets WHERE tenant_id = ? AND number % 500 = 0 AND state = 'closed'
		ORDER BY number DESC LIMIT 1`, tid).Scan(&id)
	if err != nil {
		return id, fmt.Errorf("a ticket with 20 messages: %w", err)
	}
	return id, nil
}
