package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/video"
	"github.com/deskkit/helpdesk/video/videotest"
	"github.com/google/uuid"
)

func main() {
	dsn := flag.String("dsn", "sqlite::memory:", "database: sqlite:FILE, sqlite::memory: or postgres://…")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *dsn); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer, dsn string) error {
	store, err := bunstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.MigrateUp(ctx); err != nil {
		return err
	}
	// Notifications go out through one Notifier per channel: notify/smtpmail and
	// notify/twiliosms in production. Here a Notifier that keeps them, to print at the end.
	// Calls go through a video.Provider (video/twiliovideo in production; here the fake of
	// video/videotest), files to a blob.Store (a directory by default; here memory).
	outbox := &printed{}
	calls := videotest.NewFake()
	// The master key signs the links the Desk hands out; a real server reads it from its
	// configuration, so that links keep working across restarts and instances.
	key := make([]byte, helpdesk.MinSecretKeyBytes)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	desk, err := helpdesk.New(store, &helpdesk.Config{
		SecretKeys: [][]byte{key},
		BaseURL:    "https://desk.acme.example",
		Notifiers:  map[notify.Channel]notify.Notifier{notify.Email: outbox, notify.SMS: outbox},
		Video:      calls,
		Blobs:      blob.NewMem(),
	})
	if err != nil {
		return err
	}

	// The platform creates an operator; its admin sets up a customer, a device and a code.
	op, err := desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Service", Language: "en", DefaultGroup: "Field service"})
	if err != nil {
		return err
	}
	// The platform (acting inside the new tenant) creates its first admin with a password.
	if _, _, err := desk.CreateUser(ctx, tenant.SystemFor(op.ID), helpdesk.NewUser{
		Email: "ada@acme.example", Name: "Ada Admin", Role: tenant.RoleAdmin, Password: "Quickstart-2026",
	}); err != nil {
		return err
	}
	// Ada signs in. An application keeps the session token in a cookie and turns it back into
	// the acting tenant.Actor on every request with Authenticate.
	session, err := desk.SignIn(ctx, op.ID, "Ada@Acme.example", "Quickstart-2026")
	if err != nil {
		return err
	}
	admin, err := desk.Authenticate(ctx, session.Token)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "signed in as %s (%s)\n", admin.Name, admin.Role)

	// Ada invites an agent; the agent follows the link, sets a password and is signed in.
	invited, invitation, err := desk.CreateUser(ctx, admin, helpdesk.NewUser{
		Email: "sam@acme.example", Name: "Sam Agent", Role: tenant.RoleAgent,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "invited %s: %s… (the invitation is e-mailed)\n", invited.Email, invitation.URL[:len(invitation.URL)-len(invitation.Token)])
	agentSession, err := desk.AcceptInvitation(ctx, invitation.Token, "Sam-Secret-7")
	if err != nil {
		return err
	}
	agent, err := desk.Authenticate(ctx, agentSession.Token)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "signed in as %s (%s)\n", agent.Name, agent.Role)
	// The tenant came with its default group, which receives new requests: give it a
	// supervisor and members.
	team, err := defaultGroup(ctx, desk, admin)
	if err != nil {
		return err
	}
	team.SupervisorID, team.Members = admin.UserID, []uuid.UUID{agent.UserID}
	if team, err = desk.UpdateTeam(ctx, admin, team); err != nil {
		return err
	}

	customer, err := desk.CreateCustomer(ctx, admin, helpdesk.NewCustomer{Name: "Northwind Hospital"})
	if err != nil {
		return err
	}
	tpl, err := desk.CreateTemplate(ctx, admin, helpdesk.NewTemplate{
		Name:   "Infusion pump X200",
		Fields: []device.FieldDef{{Key: "firmware", Label: "Firmware", Type: device.FieldText, Public: true}},
		Blocks: []device.Block{{Kind: device.BlockFAQ, Title: "The pump beeps twice", Body: "Check the tubing for air."}},
	})
	if err != nil {
		return err
	}
	pump, err := desk.CreateDevice(ctx, admin, helpdesk.NewDevice{
		Name: "Pump 7, ward 3", SerialNumber: "X200-0007", TemplateID: tpl.ID, CustomerID: customer.ID,
		Fields: map[string]string{"firmware": "2.4.1"},
	})
	if err != nil {
		return err
	}
	code, err := desk.CreateCode(ctx, admin, pump.ID, helpdesk.NewCode{
		Actions: []device.Action{device.ActionView, device.ActionOpenTicket, device.ActionUploadMedia},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "operator %q, customer %q, device %q (%s)\n", op.Name, customer.Name, pump.Name, pump.SerialNumber)

	// A nurse scans the QR code: the public page shows the device and lets her open a ticket.
	page, err := desk.OpenCode(ctx, code.Token, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "code scanned: %s (%s), firmware %s, FAQ %q\n", page.Device.Name, page.Device.Type,
		page.Device.Field("firmware"), page.Device.Content[0].Title)
	scanner := page.Actor
	scanner.Name = "Nina Nurse" // the public page asks for a name; history shows it
	tk, err := desk.SubmitTicket(ctx, scanner, helpdesk.NewTicket{
		Title:       "Pump alarms every ten minutes",
		Description: "Occlusion alarm, tubing replaced, still alarming.",
		Requester:   ticket.Contact{Name: "Nina Nurse", Email: "nina@northwind.example", Phone: "+49 30 1234567"},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "ticket %s submitted: %s, for team %q (the default group)\n", tk.Ref(), tk.State, team.Name)

	// The code opens the device to anyone who scans it, but not the tickets opened through it:
	// the nurse follows hers through her requester link (e-mailed to her, and shown once).
	link, err := desk.OpenRequesterLink(ctx, tk.RequesterToken)
	if err != nil {
		return err
	}
	nurse := link.Actor

	// The agent accepts the offer, asks a question, the nurse answers and sends a photo, the
	// agent invites her to a video call, which the provider's events start and end.
	var call *ticket.Session
	var room string
	current := func() (*ticket.Ticket, error) { return desk.Ticket(ctx, agent, tk.ID) }
	steps := []struct {
		name string
		do   func() (*ticket.Ticket, error)
	}{
		{"agent accepts", func() (*ticket.Ticket, error) { return desk.Accept(ctx, agent, tk.ID) }},
		{"agent starts", func() (*ticket.Ticket, error) {
			return desk.Transition(ctx, agent, tk.ID, ticket.EventStart, helpdesk.Change{})
		}},
		{"agent asks", func() (*ticket.Ticket, error) {
			if _, err := desk.PostMessage(ctx, agent, tk.ID, helpdesk.NewMessage{Body: "Which firmware does the display show?"}); err != nil {
				return nil, err
			}
			return desk.Transition(ctx, agent, tk.ID, ticket.EventWait, helpdesk.Change{Reason: "asked the requester"})
		}},
		{"nurse answers", func() (*ticket.Ticket, error) {
			if _, err := desk.PostMessage(ctx, nurse, tk.ID, helpdesk.NewMessage{Body: "2.4.1"}); err != nil {
				return nil, err
			}
			return desk.Ticket(ctx, nurse, tk.ID)
		}},
		{"nurse sends photo", func() (*ticket.Ticket, error) {
			jpeg := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 2048)...)
			if _, err := desk.UploadMedia(ctx, nurse, tk.ID, helpdesk.Upload{Name: "alarm.jpg", Body: bytes.NewReader(jpeg)}); err != nil {
				return nil, err
			}
			return current()
		}},
		{"agent invites", func() (*ticket.Ticket, error) {
			var err error
			if call, err = desk.Invite(ctx, agent, tk.ID, helpdesk.Invitation{}); err != nil {
				return nil, err
			}
			return current()
		}},
		{"both join", func() (*ticket.Ticket, error) {
			for _, who := range []tenant.Actor{nurse, agent} {
				grant, err := desk.JoinSession(ctx, who, call.ID)
				if err != nil {
					return nil, err
				}
				room = grant.Room
				if err := desk.HandleRoomEvent(ctx, video.Event{Kind: video.ParticipantJoined, Room: room, Participant: grant.Identity}); err != nil {
					return nil, err
				}
			}
			return current()
		}},
		{"call ends", func() (*ticket.Ticket, error) {
			if err := desk.HandleRoomEvent(ctx, video.Event{Kind: video.RoomEnded, Room: room}); err != nil {
				return nil, err
			}
			timers, err := desk.Timers(ctx, agent, tk.ID)
			if err != nil {
				return nil, err
			}
			for _, tm := range timers {
				fmt.Fprintf(out, "%17s    timer %s in %s\n", "", tm.Kind, time.Until(tm.DueAt).Round(time.Hour))
			}
			return current()
		}},
		{"nurse rates", func() (*ticket.Ticket, error) { return desk.Rate(ctx, nurse, tk.ID, 5, "Fixed within the hour") }},
	}
	for _, s := range steps {
		t, err := s.do()
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Fprintf(out, "%-17s -> %s\n", s.name, t.State)
	}

	fmt.Fprintf(out, "\nhistory of %s:\n", tk.Ref())
	// The history comes a page at a time, oldest first; the last page has no Next.
	for p := (storage.PageRequest{}); ; {
		history, err := desk.History(ctx, agent, tk.ID, p)
		if err != nil {
			return err
		}
		for _, h := range history.Items {
			move := h.To
			if h.From != "" && h.From != h.To {
				move = h.From + " -> " + h.To
			}
			fmt.Fprintf(out, "  %s  %-11s %-16s %-24s %s\n", h.At.Format(time.TimeOnly), h.Actor.Name, h.Action, move, h.Reason)
		}
		if history.Next == "" {
			break
		}
		p.After = history.Next
	}
	counts, err := desk.CountTickets(ctx, admin, storage.CountFilter{})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\ndashboard: %v\n", counts)

	// A server runs desk.Run(ctx) in the background, which delivers notifications as soon as
	// they are written; here the outbox is emptied in one go.
	for {
		n, err := desk.DispatchOnce(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	fmt.Fprintf(out, "\nnotifications sent:\n")
	for _, m := range outbox.sorted() {
		to := m.To.Email
		if m.Channel == notify.SMS {
			to = m.To.Phone
		}
		fmt.Fprintf(out, "  %-5s %-22s %-20s %s\n", m.Channel, to, m.Event, m.Subject)
	}
	bell, err := desk.UnreadCount(ctx, agent)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s's bell: %d unread\n", agent.Name, bell)
	return nil
}

// printed is a notify.Notifier that keeps what it is sent.
type printed struct {
	mu   sync.Mutex
	msgs []notify.Message
}

func (p *printed) Send(_ context.Context, m *notify.Message) (notify.Receipt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, *m)
	return notify.Receipt{ProviderID: m.IdempotencyKey}, nil
}

// sorted returns the messages in the order they were written (their IDs are UUIDv7).
func (p *printed) sorted() []notify.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := slices.Clone(p.msgs)
	slices.SortFunc(out, func(a, b notify.Message) int { return strings.Compare(a.ID.String(), b.ID.String()) })
	return out
}

// defaultGroup returns the tenant's default group.
func defaultGroup(ctx context.Context, desk *helpdesk.Desk, actor tenant.Actor) (*tenant.Team, error) {
	ten, err := desk.Tenant(ctx, actor)
	if err != nil {
		return nil, err
	}
	teams, err := desk.Teams(ctx, actor)
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		if t.ID == ten.DefaultTeamID {
			return t, nil
		}
	}
	return nil, fmt.Errorf("tenant %s has no default group", ten.Name)
}
