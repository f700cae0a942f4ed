package helpdesk_test

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ---------------------------------------------------------------------------------------------
// Fixture

// org is one operator with its people, customers, devices and a code, as most tests need them.
type org struct {
	tenant                                   *tenant.Tenant
	admin, supervisor, agent, agent2, system tenant.Actor
	project                                  *tenant.Project
	// custX and custY are two customers; userX (role customer_user) and userY (role
	// customer_admin) one user of each.
	custX, custY *tenant.Customer
	userX, userY tenant.Actor
	tpl          *device.Template
	// teamA (the default group, supervised by supervisor, with agent and agent2) and teamB.
	teamA, teamB *tenant.Team
	// devX belongs to custX (and project), devY to custY.
	devX, devY *device.Device
	// code opens devX, offering every action; holder is the actor OpenCode returned for it. A code holder only opens
	// tickets: the requester then follows each through its requester link (fixture.link).
	code   *device.Code
	holder tenant.Actor
}

// fixture is a Desk on one store with one operator set up (the embedded *org).
type fixture struct {
	desk  *helpdesk.Desk
	clock *fakeClock
	store *bunstore.Store
	*org
	// tokens holds the requester-link secret of every ticket opened through open, by ticket ID:
	// SubmitTicket returns it once and no read gives it back.
	tokens map[uuid.UUID]string
}

// roomyCodeQuota is the fixture tenants' Quotas.TicketsPerCodeHour.
const roomyCodeQuota = 1000

var nurseContact = ticket.Contact{Name: "Nina Nurse", Email: "nina@northwind.example"}

func newFixture(t testing.TB, s *bunstore.Store) *fixture {
	t.Helper()
	d, clock := newDesk(t, s)
	f := &fixture{desk: d, clock: clock, store: s, tokens: map[uuid.UUID]string{}}
	f.org = f.addTenant(t, "Acme Service", "")
	return f
}

// addTenant creates an operator with two customers, a template, two devices and a code for devX.
func (f *fixture) addTenant(t testing.TB, name, prefix string) *org {
	t.Helper()
	ctx := t.Context()
	ten, err := f.desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: name, TicketPrefix: prefix})
	require.NoError(t, err)
	o := &org{
		tenant:     ten,
		admin:      f.person(t, ten.ID, uuid.Nil, tenant.RoleAdmin, "Ada Admin"),
		supervisor: f.person(t, ten.ID, uuid.Nil, tenant.RoleSupervisor, "Sue Supervisor"),
		agent:      f.person(t, ten.ID, uuid.Nil, tenant.RoleAgent, "Sam Agent"),
		agent2:     f.person(t, ten.ID, uuid.Nil, tenant.RoleAgent, "Alex Agent"),
		system:     tenant.SystemFor(ten.ID),
	}
	o.teamA, err = f.desk.CreateTeam(ctx, o.admin, helpdesk.NewTeam{Name: "Field service", SupervisorID: o.supervisor.UserID,
		Members: []uuid.UUID{o.agent.UserID, o.agent2.UserID}})
	require.NoError(t, err)
	o.teamB, err = f.desk.CreateTeam(ctx, o.admin, helpdesk.NewTeam{Name: "Second level", SupervisorID: o.supervisor.UserID})
	require.NoError(t, err)
	// Field service is the default group, which the tenant's own ("Support", empty) was.
	_, err = f.desk.SetDefaultTeam(ctx, o.admin, o.teamA.ID)
	require.NoError(t, err)
	// Tests open many tickets through the one code within the fake clock's frozen hour: the
	// fixture's tenant allows that (written without an audit entry); the quota has tests of its
	// own (TestTicketsPerCodeQuota).
	o.tenant, err = f.store.GetTenant(ctx, ten.ID)
	require.NoError(t, err)
	o.tenant.Settings.Quotas.TicketsPerCodeHour = roomyCodeQuota
	require.NoError(t, f.store.UpdateTenant(ctx, o.tenant))
	o.custX, err = f.desk.CreateCustomer(ctx, o.admin, helpdesk.NewCustomer{Name: "Northwind Hospital"})
	require.NoError(t, err)
	o.custY, err = f.desk.CreateCustomer(ctx, o.admin, helpdesk.NewCustomer{Name: "Contoso Clinic"})
	require.NoError(t, err)
	o.userX = f.person(t, ten.ID, o.custX.ID, tenant.RoleCustomerUser, "Xena Customer")
	o.userY = f.person(t, ten.ID, o.custY.ID, tenant.RoleCustomerAdmin, "Yuri Customer")
	o.project, err = f.desk.CreateProject(ctx, o.admin, helpdesk.NewProject{Name: "Ward 3 pumps", CustomerID: o.custX.ID})
	require.NoError(t, err)
	o.tpl, err = f.desk.CreateTemplate(ctx, o.admin, helpdesk.NewTemplate{
		Name: "Infusion pump X200",
		Fields: []device.FieldDef{
			{Key: "firmware", Label: "Firmware", Type: device.FieldText, Public: true},
			{Key: "service_pin", Label: "Service PIN", Type: device.FieldText},
		},
		Blocks: []device.Block{{Kind: device.BlockFAQ, Title: "The pump beeps twice", Body: "Check the tubing."}},
	})
	require.NoError(t, err)
	o.devX, err = f.desk.CreateDevice(ctx, o.admin, helpdesk.NewDevice{
		Name: "Pump 7", SerialNumber: "X200-0007", TemplateID: o.tpl.ID, CustomerID: o.custX.ID,
		ProjectID: o.project.ID, Fields: map[string]string{"firmware": "2.4.1", "service_pin": "9999"},
	})
	require.NoError(t, err)
	o.devY, err = f.desk.CreateDevice(ctx, o.admin, helpdesk.NewDevice{Name: "Pump 9", CustomerID: o.custY.ID})
	require.NoError(t, err)
	// The fixture's code offers every action, so its requesters may upload and ask for
	// calls; codes that leave actions out are made where that is the point.
	o.code, err = f.desk.CreateCode(ctx, o.admin, o.devX.ID, helpdesk.NewCode{Actions: device.Actions()})
	require.NoError(t, err)
	page, err := f.desk.OpenCode(ctx, o.code.Token, "")
	require.NoError(t, err)
	o.holder = page.Actor
	return o
}

// person stores an active user without a password (tests that sign in set one) and returns
// the actor they act as.
func (f *fixture) person(t testing.TB, tenantID, customerID uuid.UUID, role tenant.Role, name string) tenant.Actor {
	t.Helper()
	now := f.clock.Now().UTC()
	id := uuid.Must(uuid.NewV7())
	u := &tenant.User{ID: id, TenantID: tenantID, CustomerID: customerID, Role: role, Name: name, Status: tenant.UserActive,
		Email:     strings.ToLower(strings.Fields(name)[0]) + "." + id.String()[28:] + "@example.com",
		CreatedAt: now, UpdatedAt: now, Version: 1}
	require.NoError(t, f.store.CreateUser(t.Context(), u))
	return u.Actor()
}

// newHolder creates a code for dev with in and returns the code and the actor OpenCode gives.
func (f *fixture) newHolder(t testing.TB, o *org, dev uuid.UUID, in helpdesk.NewCode) (*device.Code, tenant.Actor) {
	t.Helper()
	c, err := f.desk.CreateCode(t.Context(), o.admin, dev, in)
	require.NoError(t, err)
	page, err := f.desk.OpenCode(t.Context(), c.Token, in.PIN)
	require.NoError(t, err)
	return c, page.Actor
}

// open submits in as actor, requires success, and keeps the ticket's requester-link secret for
// link.
func (f *fixture) open(t testing.TB, actor tenant.Actor, in helpdesk.NewTicket) *ticket.Ticket {
	t.Helper()
	tk, err := f.desk.SubmitTicket(t.Context(), actor, in)
	require.NoError(t, err)
	require.NotEmpty(t, tk.RequesterToken, "SubmitTicket returns the requester-link secret")
	f.tokens[tk.ID] = tk.RequesterToken
	return tk.Ticket
}

// link returns the requester-link actor of a ticket opened through open, as OpenRequesterLink
// gives it for the ticket's secret: the requester acts through it after submitting.
func (f *fixture) link(t *testing.T, tk *ticket.Ticket) tenant.Actor {
	t.Helper()
	token, ok := f.tokens[tk.ID]
	require.True(t, ok, "ticket %s was not opened through fixture.open", tk.Ref())
	page, err := f.desk.OpenRequesterLink(t.Context(), token)
	require.NoError(t, err)
	require.Equal(t, tk.ID, page.Ticket.ID)
	return page.Actor
}

// submit opens a ticket for devX through the fixture's code.
func (f *fixture) submit(t testing.TB, title string) *ticket.Ticket {
	t.Helper()
	return f.open(t, f.holder, helpdesk.NewTicket{Title: title, Requester: nurseContact})
}

// ticketIn returns a fresh ticket walked by staff to state: opened through the code, or for a
// draft (which code holders cannot make) by customer user X.
func (f *fixture) ticketIn(t *testing.T, state ticket.State) *ticket.Ticket {
	t.Helper()
	if state == ticket.StateDraft {
		return f.ticketBy(t, f.userX, state)
	}
	return f.ticketBy(t, f.holder, state)
}

// ticketBy returns a fresh ticket for devX opened by creator and walked by staff to state.
func (f *fixture) ticketBy(t *testing.T, creator tenant.Actor, state ticket.State) *ticket.Ticket {
	t.Helper()
	ctx := t.Context()
	in := helpdesk.NewTicket{Title: "a case to be " + string(state), Requester: nurseContact, DeviceID: f.devX.ID}
	if state == ticket.StateDraft {
		in.Draft = true
		tk := f.open(t, creator, in)
		require.Equal(t, ticket.StateDraft, tk.State)
		return tk
	}
	path := map[ticket.State][]ticket.Event{
		ticket.StateOpen:       nil,
		ticket.StateAssigned:   {ticket.EventAccept},
		ticket.StateInProgress: {ticket.EventAccept, ticket.EventStart},
		ticket.StateWaiting:    {ticket.EventAccept, ticket.EventWait},
		ticket.StateDone:       {ticket.EventAccept, ticket.EventComplete},
		ticket.StateClosed:     {ticket.EventAccept, ticket.EventClose},
		ticket.StateCancelled:  {ticket.EventCancel},
	}
	events, ok := path[state]
	require.True(t, ok, "no path to %s", state)
	tk := f.open(t, creator, in)
	for _, ev := range events {
		var err error
		tk, err = f.desk.Transition(ctx, f.agent, tk.ID, ev, helpdesk.Change{Reason: "setup"})
		require.NoError(t, err, "setup %s", ev)
	}
	require.Equal(t, state, tk.State)
	return tk
}

func (f *fixture) history(t *testing.T, actor tenant.Actor, id uuid.UUID) []*ticket.HistoryEntry {
	t.Helper()
	hs, err := historyOf(t.Context(), f.desk, actor, id)
	require.NoError(t, err)
	return hs
}

func (f *fixture) reload(t *testing.T, id uuid.UUID) *ticket.Ticket {
	t.Helper()
	tk, err := f.desk.Ticket(t.Context(), f.admin, id)
	require.NoError(t, err)
	return tk
}

// listAll lists every ticket actor may see with filter fl, following cursors.
func (f *fixture) listAll(t *testing.T, actor tenant.Actor, fl storage.TicketFilter) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	p := storage.PageRequest{Limit: 100}
	for {
		page, err := f.desk.Tickets(t.Context(), actor, fl, p)
		require.NoError(t, err)
		for _, tk := range page.Items {
			ids = append(ids, tk.ID)
		}
		if page.Next == "" {
			return ids
		}
		p.After = page.Next
	}
}

func historyActions(hs []*ticket.HistoryEntry) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.Action
	}
	return out
}

func ticketIDs(ts ...*ticket.Ticket) []uuid.UUID {
	out := make([]uuid.UUID, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// assertField checks that err is a *helpdesk.ValidationError about field.
func assertField(t *testing.T, err error, field string) {
	t.Helper()
	var ve *helpdesk.ValidationError
	if !assert.ErrorAs(t, err, &ve) {
		return
	}
	assert.Equal(t, field, ve.Field, "ValidationError.Field (%v)", err)
	assert.NotEmpty(t, ve.Problem)
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)
	assert.Equal(t, helpdesk.KindInvalid, helpdesk.KindOf(err))
}

func assertTime(t *testing.T, want time.Time, got *time.Time, msg string) {
	t.Helper()
	if assert.NotNil(t, got, msg) {
		assert.True(t, want.Equal(*got), "%s: want %s, got %s", msg, want, *got)
	}
}

func defaultPriority(t *testing.T, f *fixture, actor tenant.Actor) *ticket.Priority {
	t.Helper()
	ps, err := f.desk.Priorities(t.Context(), actor)
	require.NoError(t, err)
	var def *ticket.Priority
	for _, p := range ps {
		if p.Default {
			require.Nil(t, def, "two default priorities")
			def = p
		}
	}
	require.NotNil(t, def, "no default priority")
	return def
}

// ---------------------------------------------------------------------------------------------
// Submitting through a code

func TestDeskSubmitThroughCode(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		nurse := f.holder
		nurse.Name = "Nina Nurse"

		submitted, err := f.desk.SubmitTicket(ctx, nurse, helpdesk.NewTicket{
			Title: "  Pump alarms  ", Description: "Occlusion alarm.", Requester: nurseContact,
		})
		require.NoError(t, err)
		first := submitted.Ticket
		second := f.submit(t, "Display flickers")

		t.Run("numbered in the tenant's sequence", func(t *testing.T) {
			assert.Equal(t, int64(1), first.Number)
			assert.Equal(t, "T-000001", first.Ref())
			assert.Equal(t, int64(2), second.Number)
			assert.Equal(t, "T-000002", second.Ref())
		})
		t.Run("second tenant starts at one", func(t *testing.T) {
			b := f.addTenant(t, "Beta Service", "HD")
			tk, err := f.desk.SubmitTicket(ctx, b.holder, helpdesk.NewTicket{Title: "Beta case", Requester: nurseContact})
			require.NoError(t, err)
			assert.Equal(t, int64(1), tk.Number)
			assert.Equal(t, "HD-000001", tk.Ref())
			third := f.submit(t, "third in A")
			assert.Equal(t, "T-000003", third.Ref(), "tenant A's sequence is unaffected by B")
		})
		t.Run("fields inherited and pinned", func(t *testing.T) {
			got := f.reload(t, first.ID)
			for name, tk := range map[string]*ticket.Ticket{"returned": first, "stored": got} {
				assert.Equal(t, ticket.StateOpen, tk.State, name)
				assert.Equal(t, "Pump alarms", tk.Title, name+": title trimmed")
				assert.Equal(t, f.tenant.ID, tk.TenantID, name)
				assert.Equal(t, f.devX.ID, tk.DeviceID, name+": the code's device")
				assert.Equal(t, f.custX.ID, tk.CustomerID, name+": customer from the device")
				assert.Equal(t, f.project.ID, tk.ProjectID, name+": project from the device")
				assert.Equal(t, defaultPriority(t, f, f.admin).ID, tk.PriorityID, name+": default priority")
				assert.Equal(t, ticket.SourceCode, tk.Source, name)
				assert.Equal(t, f.code.ID, tk.CodeID, name)
				assert.Equal(t, nurse.Ref(), tk.CreatedBy, name)
				assert.Equal(t, nurseContact, tk.Requester, name)
				assert.Equal(t, uuid.Nil, tk.AssigneeID, name)
				assert.True(t, f.clock.Now().Equal(tk.CreatedAt), name+": created at the clock's time")
				assert.Equal(t, int64(1), tk.LinkVersion, name+": the requester link's first version")
			}
			assert.NotEmpty(t, submitted.RequesterToken, "the submission carries the link's secret")
			page, err := f.desk.OpenRequesterLink(ctx, submitted.RequesterToken)
			require.NoError(t, err)
			assert.Equal(t, first.ID, page.Ticket.ID, "the secret opens the ticket")
		})
		t.Run("history names the actor", func(t *testing.T) {
			hs := f.history(t, f.admin, first.ID)
			require.Len(t, hs, 1)
			h := hs[0]
			assert.Equal(t, "submit", h.Action)
			assert.Empty(t, h.From, "submitted straight to open: never a draft")
			assert.Equal(t, string(ticket.StateOpen), h.To)
			assert.Equal(t, nurse.Ref(), h.Actor)
			assert.Equal(t, "Nina Nurse", h.Actor.Name)
			assert.Equal(t, tenant.ActorCodeHolder, h.Actor.Kind)
			assert.Equal(t, f.code.ID, h.Actor.ID)
			assert.True(t, f.clock.Now().Equal(h.At))
		})
		t.Run("project from the customer when the device has none", func(t *testing.T) {
			proj, err := f.desk.CreateProject(ctx, f.admin, helpdesk.NewProject{Name: "Clinic rollout"})
			require.NoError(t, err)
			cust, err := f.desk.CreateCustomer(ctx, f.admin, helpdesk.NewCustomer{Name: "Fabrikam", ProjectID: proj.ID})
			require.NoError(t, err)
			dev, err := f.desk.CreateDevice(ctx, f.admin, helpdesk.NewDevice{Name: "Pump 12", CustomerID: cust.ID})
			require.NoError(t, err)
			_, holder := f.newHolder(t, f.org, dev.ID, helpdesk.NewCode{})
			tk, err := f.desk.SubmitTicket(ctx, holder, helpdesk.NewTicket{Title: "Beeps", Requester: nurseContact})
			require.NoError(t, err)
			assert.Equal(t, cust.ID, tk.CustomerID)
			assert.Equal(t, proj.ID, tk.ProjectID)
		})
	})
}

func TestDeskSubmitThroughCodeRequesterContact(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		cases := []struct {
			name    string
			contact ticket.Contact
			field   string // "" means accepted
		}{
			{"no contact at all", ticket.Contact{}, "requester"},
			{"name only", ticket.Contact{Name: "Nina"}, "requester"},
			{"blank e-mail and phone", ticket.Contact{Name: "Nina", Email: "  ", Phone: " "}, "requester"},
			{"bad e-mail", ticket.Contact{Email: "nina(at)example"}, "requester.email"},
			{"e-mail with display name", ticket.Contact{Email: "Nina <nina@example.com>"}, "requester.email"},
			{"bad phone", ticket.Contact{Phone: "call me"}, "requester.phone"},
			{"bad language", ticket.Contact{Email: "nina@example.com", Language: "English"}, "requester.language"},
			{"e-mail only", ticket.Contact{Email: "nina@example.com"}, ""},
			{"phone only", ticket.Contact{Phone: "+49 30 1234567"}, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := f.listAll(t, f.admin, storage.TicketFilter{})
				tk, err := f.desk.SubmitTicket(t.Context(), f.holder, helpdesk.NewTicket{Title: "Alarm", Requester: c.contact})
				after := f.listAll(t, f.admin, storage.TicketFilter{})
				if c.field == "" {
					require.NoError(t, err)
					assert.Len(t, after, len(before)+1)
					assert.Equal(t, ticket.StateOpen, tk.State)
					return
				}
				assert.Nil(t, tk)
				assertField(t, err, c.field)
				assert.Equal(t, before, after, "nothing written")
			})
		}
		t.Run("staff need no contact", func(t *testing.T) {
			_, err := f.desk.SubmitTicket(t.Context(), f.agent, helpdesk.NewTicket{Title: "Noticed on a visit", DeviceID: f.devX.ID})
			assert.NoError(t, err)
		})
	})
}

func TestDeskSubmitThroughCodeUnusable(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		cases := []struct {
			name string
			// prepare returns a holder whose submission must fail, and the token to re-open.
			prepare func(t *testing.T) (tenant.Actor, string)
			// opens says whether OpenCode still works afterwards.
			opens bool
		}{
			{"without open_ticket", func(t *testing.T) (tenant.Actor, string) {
				c, h := f.newHolder(t, f.org, f.devX.ID, helpdesk.NewCode{Actions: []device.Action{device.ActionView}})
				return h, c.Token
			}, true},
			{"inactive", func(t *testing.T) (tenant.Actor, string) {
				c, h := f.newHolder(t, f.org, f.devX.ID, helpdesk.NewCode{})
				got, err := f.desk.SetCodeActive(ctx, f.admin, c.ID, false)
				require.NoError(t, err)
				require.False(t, got.Active)
				return h, c.Token
			}, false},
			{"expired", func(t *testing.T) (tenant.Actor, string) {
				end := f.clock.Now().Add(time.Hour)
				c, h := f.newHolder(t, f.org, f.devX.ID, helpdesk.NewCode{ExpiresAt: &end})
				f.clock.Advance(2 * time.Hour)
				return h, c.Token
			}, false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				holder, token := c.prepare(t)
				tk, err := f.desk.SubmitTicket(ctx, holder, helpdesk.NewTicket{Title: "Alarm", Requester: nurseContact})
				assert.Nil(t, tk)
				assert.ErrorIs(t, err, helpdesk.ErrCodeUnusable)
				assert.Equal(t, helpdesk.KindForbidden, helpdesk.KindOf(err))
				_, err = f.desk.OpenCode(ctx, token, "")
				if c.opens {
					assert.NoError(t, err)
				} else {
					assert.ErrorIs(t, err, helpdesk.ErrCodeUnusable)
				}
			})
		}
		t.Run("reactivated code works again", func(t *testing.T) {
			c, h := f.newHolder(t, f.org, f.devX.ID, helpdesk.NewCode{})
			_, err := f.desk.SetCodeActive(ctx, f.admin, c.ID, false)
			require.NoError(t, err)
			_, err = f.desk.SetCodeActive(ctx, f.admin, c.ID, true)
			require.NoError(t, err)
			tk, err := f.desk.SubmitTicket(ctx, h, helpdesk.NewTicket{Title: "Alarm", Requester: nurseContact})
			require.NoError(t, err)
			assert.Equal(t, int64(1), tk.Number, "failed submissions consumed no number")
		})
		t.Run("another device is not found", func(t *testing.T) {
			tk, err := f.desk.SubmitTicket(ctx, f.holder, helpdesk.NewTicket{Title: "x", Requester: nurseContact, DeviceID: f.devY.ID})
			assert.Nil(t, tk)
			assert.ErrorIs(t, err, storage.ErrNotFound)
			assert.Equal(t, helpdesk.KindNotFound, helpdesk.KindOf(err))
		})
		t.Run("customer or project cannot be chosen", func(t *testing.T) {
			_, err := f.desk.SubmitTicket(ctx, f.holder, helpdesk.NewTicket{Title: "x", Requester: nurseContact, CustomerID: f.custY.ID})
			assert.ErrorIs(t, err, helpdesk.ErrInvalid)
			_, err = f.desk.SubmitTicket(ctx, f.holder, helpdesk.NewTicket{Title: "x", Requester: nurseContact, ProjectID: f.project.ID})
			assert.ErrorIs(t, err, helpdesk.ErrInvalid)
		})
		// Drafts and priorities are for customer users and staff: a code holder cannot come back
		// to a draft, and the urgency is staff's call.
		for _, c := range []struct {
			name  string
			in    helpdesk.NewTicket
			field string
		}{
			{"no draft", helpdesk.NewTicket{Title: "x", Requester: nurseContact, Draft: true}, "draft"},
			{"no priority", helpdesk.NewTicket{Title: "x", Requester: nurseContact, PriorityID: defaultPriority(t, f, f.admin).ID}, "priority_id"},
		} {
			t.Run(c.name, func(t *testing.T) {
				tk, err := f.desk.SubmitTicket(ctx, f.holder, c.in)
				assert.Nil(t, tk)
				assertField(t, err, c.field)
			})
		}
		t.Run("forged holders are refused", func(t *testing.T) {
			b := f.addTenant(t, "Beta", "")
			for name, a := range map[string]tenant.Actor{
				"code of another device":   tenant.CodeHolder(f.tenant.ID, f.devY.ID, f.code.ID),
				"code of another tenant":   tenant.CodeHolder(f.tenant.ID, f.devX.ID, b.code.ID),
				"device of another tenant": tenant.CodeHolder(f.tenant.ID, b.devX.ID, f.code.ID),
			} {
				tk, err := f.desk.SubmitTicket(ctx, a, helpdesk.NewTicket{Title: "x", Requester: nurseContact})
				assert.Nil(t, tk, name)
				assert.Error(t, err, name)
			}
		})
		page, err := f.desk.Tickets(ctx, f.admin, storage.TicketFilter{}, storage.PageRequest{})
		require.NoError(t, err)
		assert.Len(t, page.Items, 1, "only the one successful submission was written")
	})
}

// ---------------------------------------------------------------------------------------------
// OpenCode

func TestDeskOpenCode(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()

		t.Run("unknown token", func(t *testing.T) {
			for _, token := range []string{"", "no-such-token", device.NewToken()} {
				page, err := f.desk.OpenCode(ctx, token, "")
				assert.Nil(t, page)
				assert.ErrorIs(t, err, storage.ErrNotFound, "token %q", token)
				assert.Equal(t, helpdesk.KindNotFound, helpdesk.KindOf(err))
			}
		})
		t.Run("scan count increments", func(t *testing.T) {
			c, err := f.desk.CreateCode(ctx, f.admin, f.devX.ID, helpdesk.NewCode{})
			require.NoError(t, err)
			require.Zero(t, c.ScanCount)
			for want := int64(1); want <= 3; want++ {
				f.clock.Advance(time.Minute)
				_, err := f.desk.OpenCode(ctx, c.Token, "")
				require.NoError(t, err)
				// The count is stored: a fresh read sees it.
				stored, err := f.store.GetCode(ctx, f.tenant.ID, c.ID)
				require.NoError(t, err)
				assert.Equal(t, want, stored.ScanCount)
				assertTime(t, f.clock.Now(), stored.LastScanAt, "last scan")
			}
			// ResolveCode answers alike but counts nothing.
			page, err := f.desk.ResolveCode(ctx, c.Token, "")
			require.NoError(t, err)
			assert.Equal(t, tenant.CodeHolder(f.tenant.ID, f.devX.ID, c.ID), page.Actor)
			require.NotNil(t, page.Device)
			stored, err := f.store.GetCode(ctx, f.tenant.ID, c.ID)
			require.NoError(t, err)
			assert.Equal(t, int64(3), stored.ScanCount, "ResolveCode counts no scan")
			_, err = f.desk.SetCodeActive(ctx, f.admin, c.ID, false)
			require.NoError(t, err)
			_, err = f.desk.ResolveCode(ctx, c.Token, "")
			assert.ErrorIs(t, err, helpdesk.ErrCodeUnusable, "with OpenCode's checks")
		})
		t.Run("page for the code's device", func(t *testing.T) {
			page, err := f.desk.OpenCode(ctx, f.code.Token, "")
			require.NoError(t, err)
			assert.Equal(t, tenant.CodeHolder(f.tenant.ID, f.devX.ID, f.code.ID), page.Actor)
			assert.Equal(t, device.Actions(), page.Actions)
			require.NotNil(t, page.Device)
			assert.Equal(t, f.devX.ID, page.Device.ID)
			assert.Equal(t, "Pump 7", page.Device.Name)
			assert.Equal(t, "X200-0007", page.Device.SerialNumber)
			assert.Equal(t, "Infusion pump X200", page.Device.Type, "the template's name")
			assert.Equal(t, f.tpl.Blocks, page.Device.Content)
		})
		t.Run("only public fields and values", func(t *testing.T) {
			page, err := f.desk.OpenCode(ctx, f.code.Token, "")
			require.NoError(t, err)
			require.NotNil(t, page.Device)
			assert.Equal(t, []helpdesk.PublicField{{Key: "firmware", Label: "Firmware", Value: "2.4.1"}}, page.Device.Fields)
			assert.Equal(t, "2.4.1", page.Device.Field("firmware"))
			assert.Equal(t, "", page.Device.Field("service_pin"), "a private field is not on the page")
			assert.Equal(t, "", page.Device.Field("nonexistent"))
			// Staff still see everything.
			tpl, err := f.desk.Template(ctx, f.admin, f.tpl.ID)
			require.NoError(t, err)
			assert.Len(t, tpl.Fields, 2)
			dev, err := f.desk.Device(ctx, f.admin, f.devX.ID)
			require.NoError(t, err)
			assert.Equal(t, "9999", dev.Fields["service_pin"])
		})
		t.Run("public fields in template order", func(t *testing.T) {
			tpl, err := f.desk.CreateTemplate(ctx, f.admin, helpdesk.NewTemplate{Name: "Monitor", Fields: []device.FieldDef{
				{Key: "zeta", Label: "Zeta", Type: device.FieldText, Public: true},
				{Key: "hidden", Label: "Hidden", Type: device.FieldText},
				{Key: "alpha", Label: "Alpha", Type: device.FieldNumber, Public: true},
				{Key: "unset", Label: "Unset", Type: device.FieldText, Public: true},
			}})
			require.NoError(t, err)
			dev, err := f.desk.CreateDevice(ctx, f.admin, helpdesk.NewDevice{Name: "Monitor 1", Location: "Ward 3, bed 2",
				TemplateID: tpl.ID, Fields: map[string]string{"zeta": "z", "hidden": "h", "alpha": "1"}})
			require.NoError(t, err)
			c, err := f.desk.CreateCode(ctx, f.admin, dev.ID, helpdesk.NewCode{})
			require.NoError(t, err)
			page, err := f.desk.OpenCode(ctx, c.Token, "")
			require.NoError(t, err)
			require.NotNil(t, page.Device)
			assert.Equal(t, []helpdesk.PublicField{
				{Key: "zeta", Label: "Zeta", Value: "z"},
				{Key: "alpha", Label: "Alpha", Value: "1"},
				{Key: "unset", Label: "Unset", Value: ""},
			}, page.Device.Fields)
			assert.Equal(t, "Ward 3, bed 2", page.Device.Location)
			assert.Empty(t, page.Device.Content)
		})
		t.Run("device without template shows no fields", func(t *testing.T) {
			dev, err := f.desk.CreateDevice(ctx, f.admin, helpdesk.NewDevice{Name: "Loose pump"})
			require.NoError(t, err)
			c, err := f.desk.CreateCode(ctx, f.admin, dev.ID, helpdesk.NewCode{})
			require.NoError(t, err)
			page, err := f.desk.OpenCode(ctx, c.Token, "")
			require.NoError(t, err)
			require.NotNil(t, page.Device)
			assert.Equal(t, "Loose pump", page.Device.Name)
			assert.Empty(t, page.Device.Type)
			assert.Empty(t, page.Device.Fields)
			assert.Empty(t, page.Device.Content)
		})
		t.Run("no device without the view action", func(t *testing.T) {
			for _, actions := range [][]device.Action{
				{device.ActionOpenTicket},
				{device.ActionOpenTicket, device.ActionRequestSession},
			} {
				c, err := f.desk.CreateCode(ctx, f.admin, f.devX.ID, helpdesk.NewCode{Actions: actions})
				require.NoError(t, err)
				page, err := f.desk.OpenCode(ctx, c.Token, "")
				require.NoError(t, err)
				assert.Nil(t, page.Device, "actions %v", actions)
				assert.Equal(t, actions, page.Actions)
				assert.Equal(t, c.ID, page.Actor.CodeID, "the page still gives an actor to submit with")
			}
			c, err := f.desk.CreateCode(ctx, f.admin, f.devX.ID, helpdesk.NewCode{Actions: []device.Action{device.ActionView}})
			require.NoError(t, err)
			page, err := f.desk.OpenCode(ctx, c.Token, "")
			require.NoError(t, err)
			assert.NotNil(t, page.Device, "view alone shows the device")
		})
		t.Run("carries nothing secret and nothing about the customer", func(t *testing.T) {
			dev, err := f.desk.CreateDevice(ctx, f.admin, helpdesk.NewDevice{Name: "Pump 8", TemplateID: f.tpl.ID,
				CustomerID: f.custX.ID, ProjectID: f.project.ID,
				Fields: map[string]string{"firmware": "2.4.2", "service_pin": "zz-private-zz"}})
			require.NoError(t, err)
			c, err := f.desk.CreateCode(ctx, f.admin, dev.ID, helpdesk.NewCode{PIN: "4711"})
			require.NoError(t, err)
			require.NotEmpty(t, c.PINHash)
			page, err := f.desk.OpenCode(ctx, c.Token, "4711")
			require.NoError(t, err)
			require.NotNil(t, page.Device)
			assert.Equal(t, "2.4.2", page.Device.Field("firmware"))
			raw, err := json.Marshal(page)
			require.NoError(t, err)
			for what, secret := range map[string]string{
				"code token": c.Token, "PIN hash": c.PINHash, "private field value": "zz-private-zz",
				"private field key": "service_pin", "customer ID": f.custX.ID.String(), "customer name": f.custX.Name,
				"project ID": f.project.ID.String(), "template ID": f.tpl.ID.String(),
			} {
				assert.NotContains(t, string(raw), secret, what)
			}
		})
		t.Run("PIN", func(t *testing.T) {
			c, err := f.desk.CreateCode(ctx, f.admin, f.devX.ID, helpdesk.NewCode{PIN: "4711"})
			require.NoError(t, err)
			assert.NotContains(t, c.PINHash, "4711")
			for _, pin := range []string{"", "1234", "47110", " 4711"} {
				page, err := f.desk.OpenCode(ctx, c.Token, pin)
				assert.Nil(t, page, "pin %q", pin)
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, "pin %q", pin)
				assert.Equal(t, helpdesk.KindForbidden, helpdesk.KindOf(err))
			}
			page, err := f.desk.OpenCode(ctx, c.Token, "4711")
			require.NoError(t, err)
			assert.Equal(t, c.ID, page.Actor.CodeID)
			require.NotNil(t, page.Device)
			assert.Equal(t, f.devX.ID, page.Device.ID)
		})
	})
}

// A code holder reads its device's public part through OpenCode only; Device refuses it.
func TestDeskCodeHolderAndDevices(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		tk := f.submit(t, "Alarm")
		link := f.link(t, tk)
		cases := []struct {
			name  string
			actor tenant.Actor
			id    uuid.UUID
			want  error
		}{
			{"code holder, its own device", f.holder, f.devX.ID, helpdesk.ErrForbidden},
			{"code holder, another device", f.holder, f.devY.ID, storage.ErrNotFound},
			{"code holder, unknown device", f.holder, uuid.New(), storage.ErrNotFound},
			{"requester link, the ticket's device", link, f.devX.ID, storage.ErrNotFound},
			{"requester link, another device", link, f.devY.ID, storage.ErrNotFound},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				dev, err := f.desk.Device(ctx, c.actor, c.id)
				assert.Nil(t, dev)
				assert.ErrorIs(t, err, c.want)
			})
		}
		for name, a := range map[string]tenant.Actor{"code holder": f.holder, "requester link": link} {
			t.Run(name+" lists no devices", func(t *testing.T) {
				_, err := f.desk.Devices(ctx, a, storage.DeviceFilter{}, storage.PageRequest{})
				assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			})
		}
	})
}

// ---------------------------------------------------------------------------------------------
// Submitting as customer users and employees

func TestDeskSubmitAsCustomerUser(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		t.Run("customer pinned", func(t *testing.T) {
			tk, err := f.desk.SubmitTicket(ctx, f.userX, helpdesk.NewTicket{Title: "Pump 7 alarms", DeviceID: f.devX.ID})
			require.NoError(t, err)
			assert.Equal(t, f.custX.ID, tk.CustomerID)
			assert.Equal(t, f.devX.ID, tk.DeviceID)
			assert.Equal(t, f.project.ID, tk.ProjectID)
			assert.Equal(t, ticket.SourceCustomer, tk.Source)
			assert.Equal(t, uuid.Nil, tk.CodeID)
			assert.Equal(t, f.userX.Ref(), tk.CreatedBy)
			assert.Equal(t, ticket.StateOpen, tk.State)
			hs := f.history(t, f.admin, tk.ID)
			require.Len(t, hs, 1)
			assert.Equal(t, f.userX.Ref(), hs[0].Actor)
		})
		t.Run("no device", func(t *testing.T) {
			tk, err := f.desk.SubmitTicket(ctx, f.userX, helpdesk.NewTicket{Title: "Invoice question"})
			require.NoError(t, err)
			assert.Equal(t, f.custX.ID, tk.CustomerID)
			assert.Equal(t, uuid.Nil, tk.DeviceID)
		})
		cases := []struct {
			name string
			in   helpdesk.NewTicket
		}{
			{"device of another customer", helpdesk.NewTicket{Title: "x", DeviceID: f.devY.ID}},
			{"another customer", helpdesk.NewTicket{Title: "x", CustomerID: f.custY.ID}},
			{"unknown device", helpdesk.NewTicket{Title: "x", DeviceID: uuid.New()}},
			{"unknown priority", helpdesk.NewTicket{Title: "x", PriorityID: uuid.New()}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				tk, err := f.desk.SubmitTicket(ctx, f.userX, c.in)
				assert.Nil(t, tk)
				assert.ErrorIs(t, err, storage.ErrNotFound)
				assert.Equal(t, helpdesk.KindNotFound, helpdesk.KindOf(err))
			})
		}
		t.Run("unassigned device is not theirs", func(t *testing.T) {
			dev, err := f.desk.CreateDevice(ctx, f.admin, helpdesk.NewDevice{Name: "Spare pump"})
			require.NoError(t, err)
			_, err = f.desk.SubmitTicket(ctx, f.userX, helpdesk.NewTicket{Title: "x", DeviceID: dev.ID})
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})
		t.Run("bad title", func(t *testing.T) {
			_, err := f.desk.SubmitTicket(ctx, f.userX, helpdesk.NewTicket{Title: "   "})
			assertField(t, err, "title")
		})
	})
}

func TestDeskSubmitOnBehalf(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		high := func() *ticket.Priority {
			ps, err := f.desk.Priorities(ctx, f.admin)
			require.NoError(t, err)
			for _, p := range ps {
				if p.Name == "High" {
					return p
				}
			}
			t.Fatal("no High priority")
			return nil
		}()
		t.Run("employee for a customer", func(t *testing.T) {
			tk, err := f.desk.SubmitTicket(ctx, f.agent, helpdesk.NewTicket{
				Title: "Reported by phone", CustomerID: f.custY.ID, DeviceID: f.devY.ID, PriorityID: high.ID,
				Requester: ticket.Contact{Name: "Yuri", Phone: "+44 20 7946 0000"},
			})
			require.NoError(t, err)
			assert.Equal(t, f.custY.ID, tk.CustomerID)
			assert.Equal(t, f.devY.ID, tk.DeviceID)
			assert.Equal(t, high.ID, tk.PriorityID, "a chosen priority is kept")
			assert.Equal(t, ticket.SourceEmployee, tk.Source)
			assert.Equal(t, f.agent.Ref(), tk.CreatedBy)
		})
		t.Run("customer from the device", func(t *testing.T) {
			tk, err := f.desk.SubmitTicket(ctx, f.system, helpdesk.NewTicket{Title: "Monitoring alert", DeviceID: f.devY.ID})
			require.NoError(t, err)
			assert.Equal(t, f.custY.ID, tk.CustomerID)
		})
		t.Run("device of another customer", func(t *testing.T) {
			_, err := f.desk.SubmitTicket(ctx, f.agent, helpdesk.NewTicket{Title: "x", CustomerID: f.custX.ID, DeviceID: f.devY.ID})
			assertField(t, err, "device_id")
		})
		t.Run("requester link may not submit", func(t *testing.T) {
			tk := f.submit(t, "existing")
			link := f.link(t, tk)
			got, err := f.desk.SubmitTicket(ctx, link, helpdesk.NewTicket{Title: "another", Requester: nurseContact})
			assert.Nil(t, got)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			assert.Equal(t, helpdesk.KindForbidden, helpdesk.KindOf(err))
		})
		t.Run("invalid actor", func(t *testing.T) {
			_, err := f.desk.SubmitTicket(ctx, tenant.Actor{Kind: tenant.ActorEmployee, TenantID: f.tenant.ID}, helpdesk.NewTicket{Title: "x"})
			assert.ErrorIs(t, err, tenant.ErrInvalidActor)
			assert.Equal(t, helpdesk.KindUnauthenticated, helpdesk.KindOf(err))
			_, err = f.desk.SubmitTicket(ctx, tenant.System(), helpdesk.NewTicket{Title: "x"})
			assert.ErrorIs(t, err, tenant.ErrInvalidActor, "the platform actor acts in no tenant")
		})
	})
}

func TestDeskSubmitSupportLapsed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		submitted, err := f.desk.SubmitTicket(ctx, f.userX, helpdesk.NewTicket{Title: "before the plan ends"})
		require.NoError(t, err)
		first := submitted.Ticket
		require.Equal(t, int64(1), first.Number)

		past := f.clock.Now().Add(-time.Hour)
		c, err := f.desk.SetSupportPlan(ctx, f.admin, f.custX.ID, &past)
		require.NoError(t, err)
		assertTime(t, past, c.SupportUntil, "support until")

		submitters := []struct {
			name  string
			actor tenant.Actor
			in    helpdesk.NewTicket
		}{
			{"customer user", f.userX, helpdesk.NewTicket{Title: "after"}},
			{"code holder", f.holder, helpdesk.NewTicket{Title: "after", Requester: nurseContact}},
			{"employee on behalf", f.agent, helpdesk.NewTicket{Title: "after", CustomerID: f.custX.ID}},
			{"employee via the device", f.agent, helpdesk.NewTicket{Title: "after", DeviceID: f.devX.ID}},
		}
		for _, sub := range submitters {
			t.Run(sub.name, func(t *testing.T) {
				tk, err := f.desk.SubmitTicket(ctx, sub.actor, sub.in)
				assert.Nil(t, tk)
				assert.ErrorIs(t, err, helpdesk.ErrSupportLapsed)
				assert.Equal(t, helpdesk.KindForbidden, helpdesk.KindOf(err))
				if sub.actor.IsRequester() {
					// A stranger with the code learns nothing of the device's owner.
					assert.NotContains(t, err.Error(), f.custX.Name)
					assert.NotContains(t, err.Error(), past.Format(time.DateOnly))
				} else {
					assert.Contains(t, err.Error(), f.custX.Name, "staff and the customer's people are told whose plan")
				}
			})
		}
		t.Run("nothing written", func(t *testing.T) {
			assert.Equal(t, ticketIDs(first), f.listAll(t, f.admin, storage.TicketFilter{}))
			counts, err := f.desk.CountTickets(ctx, f.admin, storage.CountFilter{})
			require.NoError(t, err)
			assert.Equal(t, map[ticket.State]int{ticket.StateOpen: 1}, counts)
		})
		t.Run("other customers unaffected", func(t *testing.T) {
			tk, err := f.desk.SubmitTicket(ctx, f.userY, helpdesk.NewTicket{Title: "Y is fine"})
			require.NoError(t, err)
			assert.Equal(t, int64(2), tk.Number, "the refused submissions consumed no number")
		})
		t.Run("renewed plan", func(t *testing.T) {
			_, err := f.desk.SetSupportPlan(ctx, f.admin, f.custX.ID, nil)
			require.NoError(t, err)
			tk, err := f.desk.SubmitTicket(ctx, f.userX, helpdesk.NewTicket{Title: "renewed"})
			require.NoError(t, err)
			assert.Equal(t, int64(3), tk.Number)
		})
		t.Run("lapses as the clock passes its end", func(t *testing.T) {
			end := f.clock.Now().Add(24 * time.Hour)
			_, err := f.desk.SetSupportPlan(ctx, f.admin, f.custX.ID, &end)
			require.NoError(t, err)
			_, err = f.desk.SubmitTicket(ctx, f.userX, helpdesk.NewTicket{Title: "within the plan"})
			require.NoError(t, err)
			f.clock.Advance(25 * time.Hour)
			_, err = f.desk.SubmitTicket(ctx, f.userX, helpdesk.NewTicket{Title: "after the plan"})
			assert.ErrorIs(t, err, helpdesk.ErrSupportLapsed)
		})
		t.Run("only managers set plans", func(t *testing.T) {
			_, err := f.desk.SetSupportPlan(ctx, f.agent, f.custX.ID, nil)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			_, err = f.desk.SetSupportPlan(ctx, f.userX, f.custX.ID, nil)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		})
	})
}

func TestDeskDraftThenSubmit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		cases := []struct {
			name string
			// creator makes the draft; submitter (nil: the creator) sends it.
			creator   tenant.Actor
			submitter func(t *testing.T, draft *ticket.Ticket) tenant.Actor
		}{
			{"customer user", f.userX, nil},
			{"employee", f.agent, nil},
			{"employee's draft sent by the requester link", f.agent, f.link},
			{"customer user's draft sent by staff", f.userX, f.as(f.supervisor)},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				draft := f.open(t, c.creator, helpdesk.NewTicket{Title: "half done", Requester: nurseContact, DeviceID: f.devX.ID, Draft: true})
				actor := c.creator
				if c.submitter != nil {
					actor = c.submitter(t, draft)
				}
				assert.Equal(t, ticket.StateDraft, draft.State)
				assert.NotZero(t, draft.Number, "a draft is numbered already")
				hs := f.history(t, f.admin, draft.ID)
				require.Len(t, hs, 1)
				assert.Equal(t, "create", hs[0].Action)
				assert.Equal(t, c.creator.Ref(), hs[0].Actor)
				assert.Equal(t, "", hs[0].From)
				assert.Equal(t, string(ticket.StateDraft), hs[0].To)

				drafts := f.listAll(t, f.admin, storage.TicketFilter{States: []ticket.State{ticket.StateDraft}})
				assert.Contains(t, drafts, draft.ID)

				f.clock.Advance(time.Minute)
				open, err := f.desk.Submit(ctx, actor, draft.ID)
				require.NoError(t, err)
				assert.Equal(t, ticket.StateOpen, open.State)
				assert.Equal(t, draft.Number, open.Number)
				assert.Greater(t, open.Version, draft.Version)
				assert.True(t, f.clock.Now().Equal(open.UpdatedAt))
				assert.True(t, draft.CreatedAt.Equal(f.reload(t, draft.ID).CreatedAt), "CreatedAt kept")
				hs = f.history(t, f.admin, draft.ID)
				assert.Equal(t, []string{"create", "submit"}, historyActions(hs))
				assert.Equal(t, actor.Ref(), hs[1].Actor)

				_, err = f.desk.Submit(ctx, actor, draft.ID)
				assert.ErrorIs(t, err, ticket.ErrInvalidTransition, "a second submit")
			})
		}
		t.Run("code holders make no drafts", func(t *testing.T) {
			before := f.listAll(t, f.admin, storage.TicketFilter{})
			tk, err := f.desk.SubmitTicket(ctx, f.holder, helpdesk.NewTicket{Title: "half done", Requester: nurseContact, Draft: true})
			assert.Nil(t, tk)
			assertField(t, err, "draft")
			assert.Equal(t, before, f.listAll(t, f.admin, storage.TicketFilter{}), "nothing written")
		})
	})
}

// ---------------------------------------------------------------------------------------------
// Lifecycle through the Desk

// lifecycleTable is the ticket lifecycle as the concept guide (docs/concepts.md, "Ticket
// lifecycle") states it, written out independently of ticket.TicketLifecycle so the Desk is
// checked against the documentation.
var lifecycleTable = map[ticket.Event]struct {
	from []ticket.State
	to   ticket.State
}{
	ticket.EventSubmit:   {[]ticket.State{ticket.StateDraft}, ticket.StateOpen},
	ticket.EventAccept:   {[]ticket.State{ticket.StateOpen}, ticket.StateAssigned},
	ticket.EventAssign:   {[]ticket.State{ticket.StateOpen}, ticket.StateAssigned},
	ticket.EventStart:    {[]ticket.State{ticket.StateAssigned, ticket.StateWaiting}, ticket.StateInProgress},
	ticket.EventWait:     {[]ticket.State{ticket.StateAssigned, ticket.StateInProgress}, ticket.StateWaiting},
	ticket.EventResume:   {[]ticket.State{ticket.StateWaiting}, ticket.StateInProgress},
	ticket.EventComplete: {[]ticket.State{ticket.StateAssigned, ticket.StateInProgress, ticket.StateWaiting}, ticket.StateDone},
	ticket.EventRate:     {[]ticket.State{ticket.StateDone}, ticket.StateClosed},
	ticket.EventClose:    {[]ticket.State{ticket.StateAssigned, ticket.StateInProgress, ticket.StateWaiting, ticket.StateDone}, ticket.StateClosed},
	ticket.EventExpire:   {[]ticket.State{ticket.StateInProgress, ticket.StateWaiting, ticket.StateDone}, ticket.StateClosed},
	ticket.EventReject:   {[]ticket.State{ticket.StateOpen, ticket.StateAssigned}, ticket.StateCancelled},
	ticket.EventCancel:   {[]ticket.State{ticket.StateDraft, ticket.StateOpen, ticket.StateAssigned, ticket.StateInProgress, ticket.StateWaiting}, ticket.StateCancelled},
	ticket.EventReopen:   {[]ticket.State{ticket.StateDone, ticket.StateClosed}, ticket.StateAssigned},
}

// firer returns an actor allowed to fire ev on tk and a Change that satisfies it. The
// requester's events are fired through tk's requester link.
func (f *fixture) firer(t *testing.T, tk *ticket.Ticket, ev ticket.Event) (tenant.Actor, helpdesk.Change) {
	t.Helper()
	reason := helpdesk.Change{Reason: "because " + string(ev)}
	switch ev {
	case ticket.EventSubmit, ticket.EventResume, ticket.EventCancel:
		return f.link(t, tk), reason
	case ticket.EventRate:
		return f.link(t, tk), helpdesk.Change{Stars: 4, Comment: " quick fix "}
	case ticket.EventAssign:
		return f.supervisor, helpdesk.Change{AssigneeID: f.agent2.UserID, Reason: "Alex knows pumps"}
	case ticket.EventReject:
		return f.supervisor, reason
	case ticket.EventExpire:
		return f.system, reason
	}
	return f.agent, reason
}

func TestDeskTransitionsAllowed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		for _, ev := range ticket.Events() {
			row, ok := lifecycleTable[ev]
			require.True(t, ok, "DOMAIN table lacks %s", ev)
			for _, from := range row.from {
				t.Run(fmt.Sprintf("%s from %s", ev, from), func(t *testing.T) {
					tk := f.ticketIn(t, from)
					before := f.history(t, f.admin, tk.ID)
					actor, ch := f.firer(t, tk, ev)
					f.clock.Advance(time.Minute)
					now := f.clock.Now()

					got, err := f.desk.Transition(t.Context(), actor, tk.ID, ev, ch)
					require.NoError(t, err)
					assert.Equal(t, row.to, got.State)
					assert.Equal(t, tk.Version+1, got.Version)
					assert.True(t, now.Equal(got.UpdatedAt))

					stored := f.reload(t, tk.ID)
					assert.Equal(t, row.to, stored.State, "stored state")
					assert.Equal(t, got.Version, stored.Version)

					hs := f.history(t, f.admin, tk.ID)
					require.Len(t, hs, len(before)+1)
					h := hs[len(hs)-1]
					assert.Equal(t, string(ev), h.Action)
					assert.Equal(t, string(from), h.From)
					assert.Equal(t, string(row.to), h.To)
					assert.Equal(t, actor.Ref(), h.Actor)
					assert.True(t, now.Equal(h.At))

					switch ev {
					case ticket.EventAccept:
						assert.Equal(t, f.agent.UserID, stored.AssigneeID, "the acceptor is the assignee")
					case ticket.EventAssign:
						assert.Equal(t, f.agent2.UserID, stored.AssigneeID)
						assert.Equal(t, ch.Reason, h.Reason)
					case ticket.EventRate:
						require.NotNil(t, stored.Rating)
						assert.Equal(t, 4, stored.Rating.Stars)
						assert.Equal(t, "quick fix", stored.Rating.Comment)
						assert.True(t, now.Equal(stored.Rating.At))
						assertTime(t, now, stored.ClosedAt, "closed at")
						assert.Equal(t, "4/5 quick fix", h.Reason)
					case ticket.EventClose, ticket.EventExpire, ticket.EventReject, ticket.EventCancel:
						assert.Equal(t, ch.Reason, stored.CloseReason)
						assertTime(t, now, stored.ClosedAt, "closed at")
						assert.Equal(t, ch.Reason, h.Reason)
					case ticket.EventReopen:
						assert.Nil(t, stored.ClosedAt)
						assert.Empty(t, stored.CloseReason)
						assert.Nil(t, stored.Rating)
						assert.Equal(t, f.agent.UserID, stored.AssigneeID, "the assignee is kept")
					default:
						assert.Equal(t, ch.Reason, h.Reason)
						assert.Nil(t, stored.ClosedAt)
					}
				})
			}
		}
	})
}

func TestDeskTransitionsRefusedByState(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		for _, from := range ticket.States() {
			tk := f.ticketIn(t, from)
			before := f.history(t, f.admin, tk.ID)
			for _, ev := range ticket.Events() {
				if slices.Contains(lifecycleTable[ev].from, from) {
					continue
				}
				if ev == ticket.EventAssign && from.Active() {
					continue // a re-assignment that keeps the state: see TestDeskAssign
				}
				t.Run(fmt.Sprintf("%s from %s", ev, from), func(t *testing.T) {
					actor, ch := f.firer(t, tk, ev)
					got, err := f.desk.Transition(t.Context(), actor, tk.ID, ev, ch)
					assert.Nil(t, got)
					require.Error(t, err)
					assert.ErrorIs(t, err, ticket.ErrInvalidTransition)
					assert.Equal(t, helpdesk.KindConflict, helpdesk.KindOf(err))
					var te *ticket.TransitionError
					if assert.ErrorAs(t, err, &te) {
						assert.Equal(t, string(from), te.From)
						if ev != ticket.EventAssign { // see TestDeskAssignRefusalNamesTheEvent
							assert.Equal(t, string(ev), te.Event)
						}
					}
					stored := f.reload(t, tk.ID)
					assert.Equal(t, from, stored.State, "state unchanged")
					assert.Equal(t, tk.Version, stored.Version, "version unchanged")
					assert.Equal(t, tk.AssigneeID, stored.AssigneeID)
					assert.Equal(t, tk.ClosedAt, stored.ClosedAt)
					assert.Equal(t, tk.CloseReason, stored.CloseReason)
					assert.Equal(t, historyActions(before), historyActions(f.history(t, f.admin, tk.ID)), "history unchanged")
				})
			}
		}
	})
}

func TestDeskTransitionWhoMay(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		reason := helpdesk.Change{Reason: "a reason"}
		assign := helpdesk.Change{AssigneeID: f.agent2.UserID}
		adminX := tenant.CustomerUser(f.tenant.ID, f.custX.ID, uuid.New(), tenant.RoleCustomerAdmin, "Xavier Admin")
		link := f.link
		cases := []struct {
			name string
			// by opens the ticket; the zero Actor means the code holder (a customer user for drafts).
			by    tenant.Actor
			from  ticket.State
			ev    ticket.Event
			actor func(*testing.T, *ticket.Ticket) tenant.Actor
			ch    helpdesk.Change
			ok    bool
		}{
			{"agent assigns", tenant.Actor{}, ticket.StateOpen, ticket.EventAssign, f.as(f.agent), assign, false},
			{"agent rejects", tenant.Actor{}, ticket.StateOpen, ticket.EventReject, f.as(f.agent), reason, false},
			{"requester assigns", tenant.Actor{}, ticket.StateOpen, ticket.EventAssign, link, assign, false},
			{"customer user rejects", tenant.Actor{}, ticket.StateOpen, ticket.EventReject, f.as(f.userX), reason, false},
			{"supervisor assigns", tenant.Actor{}, ticket.StateOpen, ticket.EventAssign, f.as(f.supervisor), assign, true},
			{"moderator rejects", tenant.Actor{}, ticket.StateOpen, ticket.EventReject, f.as(tenant.Employee(f.tenant.ID, uuid.New(), tenant.RoleModerator, "Mo")), reason, true},
			{"admin rejects", tenant.Actor{}, ticket.StateAssigned, ticket.EventReject, f.as(f.admin), reason, true},
			{"system assigns", tenant.Actor{}, ticket.StateOpen, ticket.EventAssign, f.as(f.system), assign, true},
			{"requester accepts", tenant.Actor{}, ticket.StateOpen, ticket.EventAccept, link, helpdesk.Change{}, false},
			{"system accepts", tenant.Actor{}, ticket.StateOpen, ticket.EventAccept, f.as(f.system), helpdesk.Change{}, false},
			{"supervisor accepts", tenant.Actor{}, ticket.StateOpen, ticket.EventAccept, f.as(f.supervisor), helpdesk.Change{}, true},
			{"requester starts", tenant.Actor{}, ticket.StateAssigned, ticket.EventStart, link, helpdesk.Change{}, false},
			{"customer user starts", tenant.Actor{}, ticket.StateAssigned, ticket.EventStart, f.as(f.userX), helpdesk.Change{}, false},
			{"customer user starts their own ticket", f.userX, ticket.StateAssigned, ticket.EventStart, f.as(f.userX), helpdesk.Change{}, false},
			{"requester waits", tenant.Actor{}, ticket.StateInProgress, ticket.EventWait, link, helpdesk.Change{}, false},
			{"requester completes", tenant.Actor{}, ticket.StateInProgress, ticket.EventComplete, link, helpdesk.Change{}, false},
			{"customer user completes", tenant.Actor{}, ticket.StateInProgress, ticket.EventComplete, f.as(f.userX), helpdesk.Change{}, false},
			{"system starts", tenant.Actor{}, ticket.StateAssigned, ticket.EventStart, f.as(f.system), helpdesk.Change{}, true},
			{"system completes", tenant.Actor{}, ticket.StateInProgress, ticket.EventComplete, f.as(f.system), helpdesk.Change{}, true},
			{"requester resumes", tenant.Actor{}, ticket.StateWaiting, ticket.EventResume, link, helpdesk.Change{}, true},
			{"agent rates", tenant.Actor{}, ticket.StateDone, ticket.EventRate, f.as(f.agent), helpdesk.Change{Stars: 5}, false},
			{"supervisor rates", tenant.Actor{}, ticket.StateDone, ticket.EventRate, f.as(f.supervisor), helpdesk.Change{Stars: 5}, false},
			{"system rates", tenant.Actor{}, ticket.StateDone, ticket.EventRate, f.as(f.system), helpdesk.Change{Stars: 5}, false},
			{"requester link rates", tenant.Actor{}, ticket.StateDone, ticket.EventRate, link, helpdesk.Change{Stars: 5}, true},
			{"customer user rates their own ticket", f.userX, ticket.StateDone, ticket.EventRate, f.as(f.userX), helpdesk.Change{Stars: 5}, true},
			{"customer user rates a ticket opened through the code", tenant.Actor{}, ticket.StateDone, ticket.EventRate, f.as(f.userX), helpdesk.Change{Stars: 5}, false},
			{"customer admin rates a ticket opened through the code", tenant.Actor{}, ticket.StateDone, ticket.EventRate, f.as(adminX), helpdesk.Change{Stars: 5}, true},
			{"agent expires", tenant.Actor{}, ticket.StateWaiting, ticket.EventExpire, f.as(f.agent), reason, false},
			{"admin expires", tenant.Actor{}, ticket.StateDone, ticket.EventExpire, f.as(f.admin), reason, false},
			{"requester expires", tenant.Actor{}, ticket.StateDone, ticket.EventExpire, link, reason, false},
			{"system expires", tenant.Actor{}, ticket.StateDone, ticket.EventExpire, f.as(f.system), reason, true},
			{"requester closes", tenant.Actor{}, ticket.StateDone, ticket.EventClose, link, reason, true},
			{"requester cancels", tenant.Actor{}, ticket.StateOpen, ticket.EventCancel, link, reason, true},
			{"requester reopens", tenant.Actor{}, ticket.StateClosed, ticket.EventReopen, link, helpdesk.Change{}, true},
			{"requester submits", tenant.Actor{}, ticket.StateDraft, ticket.EventSubmit, link, helpdesk.Change{}, true},
			{"agent submits", tenant.Actor{}, ticket.StateDraft, ticket.EventSubmit, f.as(f.agent), helpdesk.Change{}, true},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var tk *ticket.Ticket
				if c.by.Kind == "" {
					tk = f.ticketIn(t, c.from)
				} else {
					tk = f.ticketBy(t, c.by, c.from)
				}
				before := f.history(t, f.admin, tk.ID)
				got, err := f.desk.Transition(t.Context(), c.actor(t, tk), tk.ID, c.ev, c.ch)
				if c.ok {
					require.NoError(t, err)
					assert.Equal(t, lifecycleTable[c.ev].to, got.State)
					return
				}
				assert.Nil(t, got)
				assert.ErrorIs(t, err, helpdesk.ErrForbidden)
				assert.Equal(t, helpdesk.KindForbidden, helpdesk.KindOf(err))
				stored := f.reload(t, tk.ID)
				assert.Equal(t, c.from, stored.State)
				assert.Equal(t, tk.Version, stored.Version)
				assert.Len(t, f.history(t, f.admin, tk.ID), len(before), "no history written")
			})
		}
	})
}

// A customer user whose role is customer_user is the requester of the tickets they opened
// only; their company's customer_admin is the requester of all its tickets. Either may read
// every ticket of the customer.
func TestDeskCustomerUserRequesterEvents(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		colleague := tenant.CustomerUser(f.tenant.ID, f.custX.ID, uuid.New(), tenant.RoleCustomerUser, "Carl Colleague")
		adminX := tenant.CustomerUser(f.tenant.ID, f.custX.ID, uuid.New(), tenant.RoleCustomerAdmin, "Xavier Admin")
		events := []struct {
			from ticket.State
			ev   ticket.Event
			ch   helpdesk.Change
		}{
			{ticket.StateDraft, ticket.EventSubmit, helpdesk.Change{}},
			{ticket.StateWaiting, ticket.EventResume, helpdesk.Change{}},
			{ticket.StateDone, ticket.EventRate, helpdesk.Change{Stars: 4}},
			{ticket.StateDone, ticket.EventClose, helpdesk.Change{}},
			{ticket.StateOpen, ticket.EventCancel, helpdesk.Change{}},
			{ticket.StateClosed, ticket.EventReopen, helpdesk.Change{}},
		}
		actors := []struct {
			name    string
			creator tenant.Actor // opens the ticket
			actor   tenant.Actor // fires the event
			ok      bool
		}{
			{"customer user on their own ticket", f.userX, f.userX, true},
			{"colleague on another user's ticket", f.userX, colleague, false},
			{"customer admin on a user's ticket", f.userX, adminX, true},
			{"customer user on a ticket opened through the code", f.holder, f.userX, false},
			{"customer admin on a ticket opened through the code", f.holder, adminX, true},
			{"customer user on a ticket staff opened for the customer", f.agent, f.userX, false},
		}
		for _, e := range events {
			for _, a := range actors {
				if e.from == ticket.StateDraft && a.creator.Kind == tenant.ActorCodeHolder {
					continue // code holders make no drafts
				}
				t.Run(string(e.ev)+"/"+a.name, func(t *testing.T) {
					tk := f.ticketBy(t, a.creator, e.from)
					_, err := f.desk.Ticket(t.Context(), a.actor, tk.ID)
					require.NoError(t, err, "every user of the customer sees the ticket")
					got, err := f.desk.Transition(t.Context(), a.actor, tk.ID, e.ev, e.ch)
					if a.ok {
						require.NoError(t, err)
						assert.Equal(t, lifecycleTable[e.ev].to, got.State)
						return
					}
					assert.Nil(t, got)
					assert.ErrorIs(t, err, helpdesk.ErrForbidden)
					stored := f.reload(t, tk.ID)
					assert.Equal(t, e.from, stored.State)
					assert.Equal(t, tk.Version, stored.Version)
				})
			}
		}
	})
}

// Transition's doc comment says "close, cancel, reopen: employees and the requester", and
// the who column of docs/concepts.md, "Ticket lifecycle", names no system actor for them
// either (the system closes through expire), while the lines around them name "the system"
// wherever it is meant.
func TestDeskSystemMayNotCloseCancelReopen(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		for _, c := range []struct {
			from ticket.State
			ev   ticket.Event
		}{
			{ticket.StateInProgress, ticket.EventClose},
			{ticket.StateOpen, ticket.EventCancel},
			{ticket.StateClosed, ticket.EventReopen},
		} {
			t.Run(string(c.ev), func(t *testing.T) {
				tk := f.ticketIn(t, c.from)
				_, err := f.desk.Transition(t.Context(), f.system, tk.ID, c.ev, helpdesk.Change{Reason: "automation"})
				assert.ErrorIs(t, err, helpdesk.ErrForbidden)
				assert.Equal(t, c.from, f.reload(t, tk.ID).State)
			})
		}
	})
}

func TestDeskTransitionUnknownEvent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		tk := f.ticketIn(t, ticket.StateOpen)
		for _, a := range []tenant.Actor{f.admin, f.system, f.link(t, tk), f.userX} {
			got, err := f.desk.Transition(t.Context(), a, tk.ID, ticket.Event("fly"), helpdesk.Change{})
			assert.Nil(t, got, string(a.Kind))
			assert.ErrorIs(t, err, ticket.ErrUnknownEvent, string(a.Kind))
			assert.Equal(t, helpdesk.KindInvalid, helpdesk.KindOf(err), string(a.Kind))
		}
		stored := f.reload(t, tk.ID)
		assert.Equal(t, ticket.StateOpen, stored.State)
		assert.Equal(t, tk.Version, stored.Version)
		assert.Len(t, f.history(t, f.admin, tk.ID), 1)
	})
}

// as returns a ticket's actor picker that always picks a (compare fixture.link).
func (f *fixture) as(a tenant.Actor) func(*testing.T, *ticket.Ticket) tenant.Actor {
	return func(*testing.T, *ticket.Ticket) tenant.Actor { return a }
}

func TestDeskTransitionChangeValidation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		link := f.link
		cases := []struct {
			name  string
			from  ticket.State
			ev    ticket.Event
			actor func(*testing.T, *ticket.Ticket) tenant.Actor
			ch    helpdesk.Change
			field string // "" means accepted
		}{
			{"reject without reason", ticket.StateOpen, ticket.EventReject, f.as(f.supervisor), helpdesk.Change{}, "reason"},
			{"reject with blank reason", ticket.StateAssigned, ticket.EventReject, f.as(f.supervisor), helpdesk.Change{Reason: " \t "}, "reason"},
			{"reject with a reason", ticket.StateOpen, ticket.EventReject, f.as(f.supervisor), helpdesk.Change{Reason: "duplicate of T-000001"}, ""},
			{"requester cancels without reason", ticket.StateOpen, ticket.EventCancel, link, helpdesk.Change{}, ""},
			{"requester closes without reason", ticket.StateDone, ticket.EventClose, link, helpdesk.Change{}, ""},
			{"customer admin cancels without reason", ticket.StateOpen, ticket.EventCancel, f.as(tenant.CustomerUser(f.tenant.ID, f.custX.ID, uuid.New(), tenant.RoleCustomerAdmin, "Xavier")), helpdesk.Change{}, ""},
			{"agent cancels without reason", ticket.StateOpen, ticket.EventCancel, f.as(f.agent), helpdesk.Change{}, "reason"},
			{"agent cancels with a blank reason", ticket.StateInProgress, ticket.EventCancel, f.as(f.agent), helpdesk.Change{Reason: "  "}, "reason"},
			{"supervisor cancels without reason", ticket.StateAssigned, ticket.EventCancel, f.as(f.supervisor), helpdesk.Change{}, "reason"},
			{"agent closes without reason", ticket.StateDone, ticket.EventClose, f.as(f.agent), helpdesk.Change{}, "reason"},
			{"admin closes without reason", ticket.StateWaiting, ticket.EventClose, f.as(f.admin), helpdesk.Change{}, "reason"},
			{"agent closes with a reason", ticket.StateDone, ticket.EventClose, f.as(f.agent), helpdesk.Change{Reason: "fixed"}, ""},
			{"agent reopens without reason", ticket.StateClosed, ticket.EventReopen, f.as(f.agent), helpdesk.Change{}, ""},
			{"close with an oversized reason", ticket.StateDone, ticket.EventClose, f.as(f.agent), helpdesk.Change{Reason: strings.Repeat("x", helpdesk.MaxReasonLen+1)}, "reason"},
			{"requester closes with an oversized reason", ticket.StateDone, ticket.EventClose, link, helpdesk.Change{Reason: strings.Repeat("x", helpdesk.MaxReasonLen+1)}, "reason"},
			{"rate 0 stars", ticket.StateDone, ticket.EventRate, link, helpdesk.Change{Stars: 0}, "stars"},
			{"rate 6 stars", ticket.StateDone, ticket.EventRate, link, helpdesk.Change{Stars: 6}, "stars"},
			{"rate -1 stars", ticket.StateDone, ticket.EventRate, link, helpdesk.Change{Stars: -1}, "stars"},
			{"rate 1 star", ticket.StateDone, ticket.EventRate, link, helpdesk.Change{Stars: 1}, ""},
			{"rate 5 stars", ticket.StateDone, ticket.EventRate, link, helpdesk.Change{Stars: 5, Comment: "great"}, ""},
			{"assign nobody", ticket.StateOpen, ticket.EventAssign, f.as(f.supervisor), helpdesk.Change{}, "assignee_id"},
			{"assign its own team only from open", ticket.StateOpen, ticket.EventAssign, f.as(f.supervisor), helpdesk.Change{TeamID: f.teamA.ID}, "assignee_id"},
			{"assign an agent", ticket.StateOpen, ticket.EventAssign, f.as(f.supervisor), helpdesk.Change{AssigneeID: f.agent2.UserID}, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				tk := f.ticketIn(t, c.from)
				got, err := f.desk.Transition(t.Context(), c.actor(t, tk), tk.ID, c.ev, c.ch)
				if c.field == "" {
					require.NoError(t, err)
					assert.Equal(t, lifecycleTable[c.ev].to, got.State)
					return
				}
				assert.Nil(t, got)
				assertField(t, err, c.field)
				stored := f.reload(t, tk.ID)
				assert.Equal(t, c.from, stored.State)
				assert.Equal(t, tk.Version, stored.Version)
			})
		}
		t.Run("Rate validates stars", func(t *testing.T) {
			tk := f.ticketIn(t, ticket.StateDone)
			_, err := f.desk.Rate(t.Context(), f.link(t, tk), tk.ID, 7, "")
			assertField(t, err, "stars")
			got, err := f.desk.Rate(t.Context(), f.link(t, tk), tk.ID, 3, "ok")
			require.NoError(t, err)
			assert.Equal(t, 3, got.Rating.Stars)
		})
		t.Run("Close by staff needs a reason", func(t *testing.T) {
			tk := f.ticketIn(t, ticket.StateDone)
			_, err := f.desk.Close(t.Context(), f.agent, tk.ID, "")
			assertField(t, err, "reason")
			got, err := f.desk.Close(t.Context(), f.link(t, tk), tk.ID, "")
			require.NoError(t, err, "the requester needs none")
			assert.Equal(t, ticket.StateClosed, got.State)
			assert.Empty(t, got.CloseReason)
		})
	})
}

func TestDeskWrappers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		tk := f.submit(t, "walk the wrappers")

		got, err := f.desk.Accept(ctx, f.agent, tk.ID)
		require.NoError(t, err)
		assert.Equal(t, ticket.StateAssigned, got.State)
		assert.Equal(t, f.agent.UserID, got.AssigneeID)

		got, err = f.desk.Close(ctx, f.agent, tk.ID, "  fixed on site  ")
		require.NoError(t, err)
		assert.Equal(t, ticket.StateClosed, got.State)
		assert.Equal(t, "fixed on site", got.CloseReason)

		requester := f.link(t, tk)
		got, err = f.desk.Transition(ctx, requester, tk.ID, ticket.EventReopen, helpdesk.Change{Reason: "alarm again"})
		require.NoError(t, err)
		assert.Equal(t, ticket.StateAssigned, got.State)

		_, err = f.desk.Transition(ctx, f.agent, tk.ID, ticket.EventComplete, helpdesk.Change{})
		require.NoError(t, err)
		got, err = f.desk.Rate(ctx, requester, tk.ID, 5, "thanks")
		require.NoError(t, err)
		assert.Equal(t, ticket.StateClosed, got.State)

		hs := f.history(t, f.admin, tk.ID)
		assert.Equal(t, []string{"submit", "accept", "close", "reopen", "complete", "rate"}, historyActions(hs))
		assert.Equal(t, f.holder.Ref(), hs[0].Actor, "the code holder submitted")
		assert.Equal(t, f.agent.Ref(), hs[1].Actor)
		assert.Equal(t, "fixed on site", hs[2].Reason)
		assert.Equal(t, requester.Ref(), hs[3].Actor)
		assert.Equal(t, tenant.ActorRequesterLink, hs[3].Actor.Kind)
		assert.Equal(t, tk.ID, hs[3].Actor.ID)
		assert.Equal(t, requester.Ref(), hs[5].Actor)
		assert.Equal(t, "5/5 thanks", hs[5].Reason)
	})
}

func TestDeskAssign(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		team, team2 := f.teamA.ID, f.teamB.ID
		t.Run("from open is the assign event", func(t *testing.T) {
			tk := f.ticketIn(t, ticket.StateOpen)
			got, err := f.desk.Assign(ctx, f.supervisor, tk.ID, helpdesk.Assignment{AssigneeID: f.agent2.UserID, TeamID: team, Reason: "pump expert"})
			require.NoError(t, err)
			assert.Equal(t, ticket.StateAssigned, got.State)
			assert.Equal(t, tk.Version+1, got.Version)
			stored := f.reload(t, tk.ID)
			assert.Equal(t, f.agent2.UserID, stored.AssigneeID)
			assert.Equal(t, team, stored.TeamID)
			hs := f.history(t, f.admin, tk.ID)
			require.Len(t, hs, 2)
			h := hs[1]
			assert.Equal(t, "assign", h.Action)
			assert.Equal(t, "open", h.From)
			assert.Equal(t, "assigned", h.To)
			assert.Equal(t, "pump expert", h.Reason)
			assert.Equal(t, f.supervisor.Ref(), h.Actor)
		})
		t.Run("from open an agent is required", func(t *testing.T) {
			for name, a := range map[string]helpdesk.Assignment{
				"nothing":   {},
				"team only": {TeamID: team},
			} {
				tk := f.ticketIn(t, ticket.StateOpen)
				got, err := f.desk.Assign(ctx, f.supervisor, tk.ID, a)
				assert.Nil(t, got, name)
				assertField(t, err, "assignee_id")
				stored := f.reload(t, tk.ID)
				assert.Equal(t, ticket.StateOpen, stored.State, name)
				assert.Equal(t, tk.Version, stored.Version, name)
			}
		})
		for _, from := range []ticket.State{ticket.StateAssigned, ticket.StateInProgress, ticket.StateWaiting} {
			t.Run("from "+string(from)+" is a reassign", func(t *testing.T) {
				tk := f.ticketIn(t, from)
				require.Equal(t, f.agent.UserID, tk.AssigneeID)
				before := f.history(t, f.admin, tk.ID)
				f.clock.Advance(time.Minute)
				got, err := f.desk.Assign(ctx, f.supervisor, tk.ID, helpdesk.Assignment{AssigneeID: f.agent2.UserID, Reason: "shift change"})
				require.NoError(t, err)
				assert.Equal(t, from, got.State, "state kept")
				assert.Equal(t, tk.Version+1, got.Version)
				assert.True(t, f.clock.Now().Equal(got.UpdatedAt))
				stored := f.reload(t, tk.ID)
				assert.Equal(t, from, stored.State)
				assert.Equal(t, f.agent2.UserID, stored.AssigneeID)
				hs := f.history(t, f.admin, tk.ID)
				require.Len(t, hs, len(before)+1)
				h := hs[len(hs)-1]
				assert.Equal(t, "reassign", h.Action)
				assert.Equal(t, string(from), h.From)
				assert.Equal(t, string(from), h.To)
				assert.Equal(t, "shift change", h.Reason)
				assert.Equal(t, f.supervisor.Ref(), h.Actor)
			})
		}
		t.Run("a reassign keeps what it does not name", func(t *testing.T) {
			tk := f.ticketIn(t, ticket.StateOpen)
			_, err := f.desk.Assign(ctx, f.supervisor, tk.ID, helpdesk.Assignment{AssigneeID: f.agent.UserID, TeamID: team})
			require.NoError(t, err)
			steps := []struct {
				name         string
				a            helpdesk.Assignment
				agent, group uuid.UUID
			}{
				{"team only keeps the agent", helpdesk.Assignment{TeamID: team2}, f.agent.UserID, team2},
				{"agent only keeps the team", helpdesk.Assignment{AssigneeID: f.agent2.UserID}, f.agent2.UserID, team2},
				{"both change both", helpdesk.Assignment{AssigneeID: f.agent.UserID, TeamID: team}, f.agent.UserID, team},
			}
			for _, st := range steps {
				got, err := f.desk.Assign(ctx, f.supervisor, tk.ID, st.a)
				require.NoError(t, err, st.name)
				assert.Equal(t, ticket.StateAssigned, got.State, st.name)
				stored := f.reload(t, tk.ID)
				assert.Equal(t, st.agent, stored.AssigneeID, st.name)
				assert.Equal(t, st.group, stored.TeamID, st.name)
			}
			assert.Equal(t, []string{"submit", "assign", "reassign", "reassign", "reassign"}, historyActions(f.history(t, f.admin, tk.ID)))
		})
		t.Run("Transition with assign is the same reassign", func(t *testing.T) {
			tk := f.ticketIn(t, ticket.StateInProgress)
			got, err := f.desk.Transition(ctx, f.supervisor, tk.ID, ticket.EventAssign, helpdesk.Change{TeamID: team, Reason: "escalated"})
			require.NoError(t, err)
			assert.Equal(t, ticket.StateInProgress, got.State)
			stored := f.reload(t, tk.ID)
			assert.Equal(t, f.agent.UserID, stored.AssigneeID, "the agent is kept")
			assert.Equal(t, team, stored.TeamID)
			hs := f.history(t, f.admin, tk.ID)
			h := hs[len(hs)-1]
			assert.Equal(t, "reassign", h.Action)
			assert.Equal(t, "escalated", h.Reason)
			_, err = f.desk.Transition(ctx, f.supervisor, tk.ID, ticket.EventAssign, helpdesk.Change{})
			assertField(t, err, "assignee_id")
		})
		for _, from := range []ticket.State{ticket.StateDraft, ticket.StateDone, ticket.StateClosed, ticket.StateCancelled} {
			t.Run("refused from "+string(from), func(t *testing.T) {
				tk := f.ticketIn(t, from)
				_, err := f.desk.Assign(ctx, f.supervisor, tk.ID, helpdesk.Assignment{AssigneeID: f.agent2.UserID})
				assert.ErrorIs(t, err, ticket.ErrInvalidTransition)
				assert.Equal(t, helpdesk.KindConflict, helpdesk.KindOf(err))
				stored := f.reload(t, tk.ID)
				assert.Equal(t, tk.Version, stored.Version)
				assert.Equal(t, tk.AssigneeID, stored.AssigneeID)
			})
		}
		forbidden := []struct {
			name  string
			from  ticket.State
			actor func(*testing.T, *ticket.Ticket) tenant.Actor
		}{
			{"agent from open", ticket.StateOpen, f.as(f.agent)},
			{"agent from in_progress", ticket.StateInProgress, f.as(f.agent)},
			{"requester from in_progress", ticket.StateInProgress, f.link},
			{"customer user from waiting", ticket.StateWaiting, f.as(f.userX)},
			{"customer admin from open", ticket.StateOpen, f.as(tenant.CustomerUser(f.tenant.ID, f.custX.ID, uuid.New(), tenant.RoleCustomerAdmin, "Xavier"))},
		}
		for _, c := range forbidden {
			t.Run("forbidden: "+c.name, func(t *testing.T) {
				tk := f.ticketIn(t, c.from)
				_, err := f.desk.Assign(ctx, c.actor(t, tk), tk.ID, helpdesk.Assignment{AssigneeID: f.agent2.UserID})
				assert.ErrorIs(t, err, helpdesk.ErrForbidden)
				assert.Equal(t, tk.AssigneeID, f.reload(t, tk.ID).AssigneeID)
			})
		}
		t.Run("nobody to assign", func(t *testing.T) {
			tk := f.ticketIn(t, ticket.StateInProgress)
			_, err := f.desk.Assign(ctx, f.supervisor, tk.ID, helpdesk.Assignment{Reason: "just because"})
			assertField(t, err, "assignee_id")
			stored := f.reload(t, tk.ID)
			assert.Equal(t, f.agent.UserID, stored.AssigneeID)
			assert.Equal(t, tk.Version, stored.Version)
		})
		t.Run("oversized reason", func(t *testing.T) {
			tk := f.ticketIn(t, ticket.StateAssigned)
			_, err := f.desk.Assign(ctx, f.supervisor, tk.ID, helpdesk.Assignment{AssigneeID: f.agent2.UserID, Reason: strings.Repeat("x", helpdesk.MaxReasonLen+1)})
			assertField(t, err, "reason")
		})
	})
}

// A TransitionError names the event that was refused: asked to assign, Transition refuses
// "assign", an event of the table.
func TestDeskAssignRefusalNamesTheEvent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		for _, from := range []ticket.State{ticket.StateDraft, ticket.StateDone, ticket.StateClosed, ticket.StateCancelled} {
			t.Run(string(from), func(t *testing.T) {
				tk := f.ticketIn(t, from)
				_, err := f.desk.Transition(t.Context(), f.supervisor, tk.ID, ticket.EventAssign, helpdesk.Change{AssigneeID: f.agent2.UserID})
				var te *ticket.TransitionError
				require.ErrorAs(t, err, &te)
				assert.Equal(t, string(from), te.From)
				assert.Equal(t, string(ticket.EventAssign), te.Event)
			})
		}
	})
}

func TestDeskReopenClearsClosure(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		for _, via := range []string{"rate", "close"} {
			t.Run("after "+via, func(t *testing.T) {
				tk := f.ticketIn(t, ticket.StateDone)
				var err error
				if via == "rate" {
					_, err = f.desk.Rate(ctx, f.link(t, tk), tk.ID, 2, "slow")
				} else {
					_, err = f.desk.Close(ctx, f.agent, tk.ID, "no answer")
				}
				require.NoError(t, err)
				closed := f.reload(t, tk.ID)
				require.Equal(t, ticket.StateClosed, closed.State)
				require.NotNil(t, closed.ClosedAt)
				require.True(t, closed.Rating != nil || closed.CloseReason != "")

				got, err := f.desk.Transition(ctx, f.agent, tk.ID, ticket.EventReopen, helpdesk.Change{Reason: "still broken"})
				require.NoError(t, err)
				assert.Equal(t, ticket.StateAssigned, got.State)
				stored := f.reload(t, tk.ID)
				assert.Equal(t, ticket.StateAssigned, stored.State)
				assert.Nil(t, stored.ClosedAt)
				assert.Empty(t, stored.CloseReason)
				assert.Nil(t, stored.Rating)
			})
		}
	})
}

// ---------------------------------------------------------------------------------------------
// Messages

func TestDeskPostMessage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		t.Run("internal only by staff", func(t *testing.T) {
			tk := f.ticketIn(t, ticket.StateAssigned)
			for _, a := range []tenant.Actor{f.holder, f.link(t, tk), f.userX} {
				m, err := f.desk.PostMessage(ctx, a, tk.ID, helpdesk.NewMessage{Body: "secret", Internal: true})
				assert.Nil(t, m, string(a.Kind))
				if a.Kind == tenant.ActorCodeHolder {
					assert.ErrorIs(t, err, storage.ErrNotFound, "a code holder sees no ticket")
					continue
				}
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, string(a.Kind))
			}
			for _, a := range []tenant.Actor{f.agent, f.system} {
				m, err := f.desk.PostMessage(ctx, a, tk.ID, helpdesk.NewMessage{Body: "note", Internal: true})
				require.NoError(t, err, string(a.Kind))
				assert.Equal(t, ticket.Internal, m.Visibility)
				assert.Equal(t, a.Ref(), m.Author)
			}
			ms, err := messagesOf(ctx, f.desk, f.admin, tk.ID)
			require.NoError(t, err)
			assert.Len(t, ms, 2, "the refused posts wrote nothing")
		})
		requesters := []struct {
			name string
			by   tenant.Actor // opens the ticket
			// actor posts the reply.
			actor func(*testing.T, *ticket.Ticket) tenant.Actor
		}{
			{"requester link", f.holder, f.link},
			{"requester link of a customer user's ticket", f.userX, f.link},
			{"customer user on their own ticket", f.userX, f.as(f.userX)},
		}
		for _, r := range requesters {
			t.Run(r.name+" reply resumes a waiting ticket", func(t *testing.T) {
				tk := f.ticketBy(t, r.by, ticket.StateWaiting)
				a := r.actor(t, tk)
				f.clock.Advance(time.Minute)
				m, err := f.desk.PostMessage(ctx, a, tk.ID, helpdesk.NewMessage{Body: "  firmware 2.4.1  "})
				require.NoError(t, err)
				assert.Equal(t, "firmware 2.4.1", m.Body)
				assert.Equal(t, ticket.Public, m.Visibility)
				assert.Equal(t, a.Ref(), m.Author)
				stored := f.reload(t, tk.ID)
				assert.Equal(t, ticket.StateInProgress, stored.State)
				assert.Greater(t, stored.Version, tk.Version)
				hs := f.history(t, f.admin, tk.ID)
				require.GreaterOrEqual(t, len(hs), 2)
				msg, resume := hs[len(hs)-2], hs[len(hs)-1]
				assert.Equal(t, "message", msg.Action)
				assert.Equal(t, "resume", resume.Action)
				assert.Equal(t, "waiting", resume.From)
				assert.Equal(t, "in_progress", resume.To)
				assert.Equal(t, "requester replied", resume.Reason)
				assert.Equal(t, a.Ref(), resume.Actor)
				assert.True(t, f.clock.Now().Equal(resume.At))
			})
		}
		t.Run("staff message keeps waiting", func(t *testing.T) {
			tk := f.ticketIn(t, ticket.StateWaiting)
			_, err := f.desk.PostMessage(ctx, f.agent, tk.ID, helpdesk.NewMessage{Body: "Any news?"})
			require.NoError(t, err)
			assert.Equal(t, ticket.StateWaiting, f.reload(t, tk.ID).State)
			assert.NotContains(t, historyActions(f.history(t, f.admin, tk.ID)), "resume")
		})
		// Every post updates the ticket, so a post and a concurrent change of state cannot both
		// commit unseen by each other.
		posters := []struct {
			name  string
			actor func(*testing.T, *ticket.Ticket) tenant.Actor
		}{
			{"requester link", f.link},
			{"customer user", f.as(f.userX)},
			{"agent", f.as(f.agent)},
			{"agent, internal", f.as(f.agent)},
		}
		for _, p := range posters {
			t.Run(p.name+" post updates a ticket and keeps its state", func(t *testing.T) {
				tk := f.ticketIn(t, ticket.StateInProgress)
				a := p.actor(t, tk)
				f.clock.Advance(time.Minute)
				_, err := f.desk.PostMessage(ctx, a, tk.ID, helpdesk.NewMessage{Body: "hello", Internal: strings.HasSuffix(p.name, "internal")})
				require.NoError(t, err)
				stored := f.reload(t, tk.ID)
				assert.Equal(t, ticket.StateInProgress, stored.State)
				assert.Equal(t, tk.Version+1, stored.Version, "the post bumps the version")
				assert.True(t, f.clock.Now().Equal(stored.UpdatedAt), "the post is the ticket's last activity")
				assert.Equal(t, tk.AssigneeID, stored.AssigneeID)
				f.clock.Advance(time.Minute)
				_, err = f.desk.PostMessage(ctx, a, tk.ID, helpdesk.NewMessage{Body: "again"})
				require.NoError(t, err)
				again := f.reload(t, tk.ID)
				assert.Equal(t, tk.Version+2, again.Version)
				assert.True(t, f.clock.Now().Equal(again.UpdatedAt))
			})
		}
		for _, state := range []ticket.State{ticket.StateClosed, ticket.StateCancelled} {
			t.Run("requester cannot post on "+string(state), func(t *testing.T) {
				tk := f.ticketIn(t, state)
				for _, a := range []tenant.Actor{f.link(t, tk), f.userX} {
					m, err := f.desk.PostMessage(ctx, a, tk.ID, helpdesk.NewMessage{Body: "hello?"})
					assert.Nil(t, m)
					assert.ErrorIs(t, err, helpdesk.ErrTicketClosed, string(a.Kind))
					assert.Equal(t, helpdesk.KindConflict, helpdesk.KindOf(err))
				}
				assert.Equal(t, tk.Version, f.reload(t, tk.ID).Version, "a refused post changes nothing")
				_, err := f.desk.PostMessage(ctx, f.agent, tk.ID, helpdesk.NewMessage{Body: "closing note"})
				assert.NoError(t, err, "staff may still post")
				ms, err := messagesOf(ctx, f.desk, f.admin, tk.ID)
				require.NoError(t, err)
				assert.Len(t, ms, 1)
				assert.Equal(t, state, f.reload(t, tk.ID).State)
			})
		}
		t.Run("body required", func(t *testing.T) {
			tk := f.ticketIn(t, ticket.StateOpen)
			_, err := f.desk.PostMessage(ctx, f.agent, tk.ID, helpdesk.NewMessage{Body: "  \n "})
			assertField(t, err, "body")
			assert.Equal(t, tk.Version, f.reload(t, tk.ID).Version)
		})
	})
}

// A requester's post racing a staff close: both may commit only one after the other, so a
// requester's message never lands on a ticket already closed.
func TestDeskConcurrentPostAndClose(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		for round := range 5 {
			t.Run(fmt.Sprintf("round %d", round), func(t *testing.T) {
				tk := f.ticketIn(t, ticket.StateInProgress)
				requester := f.link(t, tk)
				var postErr, closeErr error
				start := make(chan struct{})
				var wg sync.WaitGroup
				wg.Go(func() {
					<-start
					_, postErr = f.desk.PostMessage(context.Background(), requester, tk.ID, helpdesk.NewMessage{Body: "still alarming"})
				})
				wg.Go(func() {
					<-start
					_, closeErr = f.desk.Close(context.Background(), f.agent, tk.ID, "fixed")
				})
				close(start)
				wg.Wait()
				t.Logf("post: %v; close: %v", postErr, closeErr)
				for name, err := range map[string]error{"post": postErr, "close": closeErr} {
					if err != nil {
						assert.Equal(t, helpdesk.KindConflict, helpdesk.KindOf(err), "%s lost with: %v", name, err)
					}
				}
				require.False(t, postErr != nil && closeErr != nil, "one of them wins")

				stored := f.reload(t, tk.ID)
				acts := historyActions(f.history(t, f.admin, tk.ID))
				wins := 0
				if postErr == nil {
					wins++
					assert.Contains(t, acts, "message")
				}
				if closeErr == nil {
					wins++
					assert.Equal(t, ticket.StateClosed, stored.State)
					assert.Equal(t, "close", acts[len(acts)-1], "nothing after the close")
				} else {
					assert.Equal(t, ticket.StateInProgress, stored.State)
				}
				assert.Equal(t, tk.Version+int64(wins), stored.Version, "each winner bumped the version once")
				ms, err := messagesOf(t.Context(), f.desk, f.admin, tk.ID)
				require.NoError(t, err)
				assert.Len(t, ms, map[bool]int{true: 1, false: 0}[postErr == nil])
			})
		}
	})
}

func TestDeskMessagesAndHistoryHideInternal(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		tk := f.ticketIn(t, ticket.StateAssigned)
		_, err := f.desk.PostMessage(ctx, f.agent, tk.ID, helpdesk.NewMessage{Body: "Which firmware?"})
		require.NoError(t, err)
		_, err = f.desk.PostMessage(ctx, f.agent, tk.ID, helpdesk.NewMessage{Body: "probably the tubing", Internal: true})
		require.NoError(t, err)
		requester := f.link(t, tk)
		_, err = f.desk.PostMessage(ctx, requester, tk.ID, helpdesk.NewMessage{Body: "2.4.1"})
		require.NoError(t, err)
		adminX := tenant.CustomerUser(f.tenant.ID, f.custX.ID, uuid.New(), tenant.RoleCustomerAdmin, "Xavier Admin")

		cases := []struct {
			name   string
			actor  tenant.Actor
			bodies []string
			acts   []string
		}{
			{"agent", f.agent, []string{"Which firmware?", "probably the tubing", "2.4.1"},
				[]string{"submit", "accept", "message", "message.internal", "message"}},
			{"system", f.system, []string{"Which firmware?", "probably the tubing", "2.4.1"},
				[]string{"submit", "accept", "message", "message.internal", "message"}},
			{"requester link", requester, []string{"Which firmware?", "2.4.1"}, []string{"submit", "accept", "message", "message"}},
			{"customer user", f.userX, []string{"Which firmware?", "2.4.1"}, []string{"submit", "accept", "message", "message"}},
			{"customer admin", adminX, []string{"Which firmware?", "2.4.1"}, []string{"submit", "accept", "message", "message"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ms, err := messagesOf(ctx, f.desk, c.actor, tk.ID)
				require.NoError(t, err)
				var bodies []string
				for _, m := range ms {
					bodies = append(bodies, m.Body)
				}
				assert.Equal(t, c.bodies, bodies)
				assert.Equal(t, c.acts, historyActions(f.history(t, c.actor, tk.ID)))
			})
		}
	})
}

// ---------------------------------------------------------------------------------------------
// Visibility and isolation

func TestDeskTenantIsolation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		tk := f.ticketIn(t, ticket.StateAssigned)
		_, err := f.desk.PostMessage(ctx, f.agent, tk.ID, helpdesk.NewMessage{Body: "A's message"})
		require.NoError(t, err)
		tk = f.reload(t, tk.ID)
		b := f.addTenant(t, "Beta Service", "")

		actors := map[string]tenant.Actor{
			"admin":          b.admin,
			"supervisor":     b.supervisor,
			"agent":          b.agent,
			"system":         b.system,
			"customer user":  b.userX,
			"code holder":    b.holder,
			"requester link": tenant.RequesterLink(b.tenant.ID, tk.ID, 1, ""),
		}
		ops := map[string]func(a tenant.Actor) error{
			"Ticket": func(a tenant.Actor) error { _, err := f.desk.Ticket(ctx, a, tk.ID); return err },
			"TicketByRef": func(a tenant.Actor) error {
				_, err := f.desk.TicketByRef(ctx, a, tk.Ref())
				return err
			},
			"Transition": func(a tenant.Actor) error {
				_, err := f.desk.Transition(ctx, a, tk.ID, ticket.EventCancel, helpdesk.Change{Reason: "mine now"})
				return err
			},
			"Assign": func(a tenant.Actor) error {
				_, err := f.desk.Assign(ctx, a, tk.ID, helpdesk.Assignment{AssigneeID: uuid.New()})
				return err
			},
			"PostMessage": func(a tenant.Actor) error {
				_, err := f.desk.PostMessage(ctx, a, tk.ID, helpdesk.NewMessage{Body: "hi"})
				return err
			},
			"Messages": func(a tenant.Actor) error { _, err := messagesOf(ctx, f.desk, a, tk.ID); return err },
			"History":  func(a tenant.Actor) error { _, err := historyOf(ctx, f.desk, a, tk.ID); return err },
		}
		for an, a := range actors {
			for on, op := range ops {
				t.Run(an+"/"+on, func(t *testing.T) {
					err := op(a)
					assert.ErrorIs(t, err, storage.ErrNotFound)
					assert.Equal(t, helpdesk.KindNotFound, helpdesk.KindOf(err))
				})
			}
		}
		t.Run("listings", func(t *testing.T) {
			assert.Empty(t, f.listAll(t, b.admin, storage.TicketFilter{}))
			assert.Empty(t, f.listAll(t, b.admin, storage.TicketFilter{CustomerID: f.custX.ID, DeviceID: f.devX.ID}))
			counts, err := f.desk.CountTickets(ctx, b.admin, storage.CountFilter{})
			require.NoError(t, err)
			assert.Empty(t, counts)
		})
		t.Run("A's ticket untouched", func(t *testing.T) {
			stored := f.reload(t, tk.ID)
			assert.Equal(t, tk.Version, stored.Version)
			assert.Equal(t, ticket.StateAssigned, stored.State)
			ms, err := messagesOf(ctx, f.desk, f.admin, tk.ID)
			require.NoError(t, err)
			assert.Len(t, ms, 1)
			assert.Len(t, f.history(t, f.admin, tk.ID), 3)
		})
	})
}

func TestDeskVisibilityWithinTenant(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		viaCode := f.submit(t, "through the code")
		code2, holder2 := f.newHolder(t, f.org, f.devX.ID, helpdesk.NewCode{})
		viaCode2 := f.open(t, holder2, helpdesk.NewTicket{Title: "through code 2", Requester: nurseContact})
		byUserX := f.open(t, f.userX, helpdesk.NewTicket{Title: "X's portal ticket", DeviceID: f.devX.ID})
		forY := f.open(t, f.agent, helpdesk.NewTicket{Title: "for Y", DeviceID: f.devY.ID})
		all := []*ticket.Ticket{viaCode, viaCode2, byUserX, forY}
		// Public requesters list nothing: they reach tickets one by one, through a link.
		listsNothing := map[tenant.ActorKind]bool{tenant.ActorCodeHolder: true, tenant.ActorRequesterLink: true}

		cases := []struct {
			name    string
			actor   tenant.Actor
			visible []*ticket.Ticket
		}{
			{"agent", f.agent, all},
			{"system", f.system, all},
			{"customer user X", f.userX, []*ticket.Ticket{viaCode, viaCode2, byUserX}},
			{"customer user Y", f.userY, []*ticket.Ticket{forY}},
			{"customer admin X", tenant.CustomerUser(f.tenant.ID, f.custX.ID, uuid.New(), tenant.RoleCustomerAdmin, "Xavier"), []*ticket.Ticket{viaCode, viaCode2, byUserX}},
			{"code holder, not even the tickets it opened", f.holder, nil},
			{"holder of code 2", holder2, nil},
			{"requester link", f.link(t, viaCode), []*ticket.Ticket{viaCode}},
			{"requester link of code 2's ticket", f.link(t, viaCode2), []*ticket.Ticket{viaCode2}},
			{"requester link of a customer user's ticket", f.link(t, byUserX), []*ticket.Ticket{byUserX}},
			{"requester link for Y's ticket", f.link(t, forY), []*ticket.Ticket{forY}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				for _, tk := range all {
					want := slices.Contains(c.visible, tk)
					got, err := f.desk.Ticket(ctx, c.actor, tk.ID)
					byRef, errRef := f.desk.TicketByRef(ctx, c.actor, tk.Ref())
					_, errMsgs := messagesOf(ctx, f.desk, c.actor, tk.ID)
					_, errHist := historyOf(ctx, f.desk, c.actor, tk.ID)
					if want {
						if assert.NoError(t, err, tk.Title) {
							assert.Equal(t, tk.ID, got.ID)
						}
						if assert.NoError(t, errRef, tk.Title) {
							assert.Equal(t, tk.ID, byRef.ID)
						}
						assert.NoError(t, errMsgs, tk.Title)
						assert.NoError(t, errHist, tk.Title)
						continue
					}
					for op, e := range map[string]error{"Ticket": err, "TicketByRef": errRef, "Messages": errMsgs, "History": errHist} {
						assert.ErrorIs(t, e, storage.ErrNotFound, "%s of %q", op, tk.Title)
					}
					_, e := f.desk.PostMessage(ctx, c.actor, tk.ID, helpdesk.NewMessage{Body: "peek"})
					assert.ErrorIs(t, e, storage.ErrNotFound, "PostMessage on %q", tk.Title)
					_, e = f.desk.Transition(ctx, c.actor, tk.ID, ticket.EventCancel, helpdesk.Change{})
					assert.ErrorIs(t, e, storage.ErrNotFound, "Transition on %q", tk.Title)
				}
				if listsNothing[c.actor.Kind] {
					for _, fl := range []storage.TicketFilter{{}, {CodeID: f.code.ID}, {DeviceID: f.devX.ID}} {
						page, err := f.desk.Tickets(ctx, c.actor, fl, storage.PageRequest{})
						assert.Empty(t, page.Items)
						assert.ErrorIs(t, err, helpdesk.ErrForbidden, "Tickets %+v", fl)
						assert.Equal(t, helpdesk.KindForbidden, helpdesk.KindOf(err))
					}
					counts, err := f.desk.CountTickets(ctx, c.actor, storage.CountFilter{DeviceID: f.devX.ID})
					assert.Nil(t, counts)
					assert.ErrorIs(t, err, helpdesk.ErrForbidden, "CountTickets")
					return
				}
				// Listing with a filter aimed elsewhere still yields only what the actor may see.
				want := ticketIDs(c.visible...)
				slices.Reverse(want)
				assert.Equal(t, want, f.listAll(t, c.actor, storage.TicketFilter{}))
				for _, fl := range []storage.TicketFilter{{CustomerID: f.custY.ID}, {CodeID: f.code.ID}, {CodeID: code2.ID}} {
					got := f.listAll(t, c.actor, fl)
					for _, id := range got {
						assert.Contains(t, want, id, "filter %+v", fl)
					}
				}
			})
		}
		t.Run("malformed reference", func(t *testing.T) {
			_, err := f.desk.TicketByRef(ctx, f.agent, "000001")
			assert.ErrorIs(t, err, ticket.ErrInvalidRef)
			assert.Equal(t, helpdesk.KindInvalid, helpdesk.KindOf(err))
		})
		t.Run("as people type it", func(t *testing.T) {
			for _, ref := range []string{viaCode.Ref(), strings.ToLower(viaCode.Ref()), fmt.Sprintf("T-%d", viaCode.Number),
				fmt.Sprintf(" t-%d ", viaCode.Number)} {
				got, err := f.desk.TicketByRef(ctx, f.agent, ref)
				if assert.NoError(t, err, ref) {
					assert.Equal(t, viaCode.ID, got.ID, ref)
				}
			}
		})
		t.Run("wrong prefix", func(t *testing.T) {
			_, err := f.desk.TicketByRef(ctx, f.agent, ticket.FormatRef("X", viaCode.Number))
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})
		t.Run("customer user pinned even when asking for Y", func(t *testing.T) {
			got := f.listAll(t, f.userX, storage.TicketFilter{CustomerID: f.custY.ID})
			assert.NotContains(t, got, forY.ID)
			for _, id := range got {
				assert.NotEqual(t, forY.ID, id)
			}
		})
	})
}

// TestDeskTicketRoundTrip checks that every field a Desk operation returns is what every read
// path (Ticket, TicketByRef, Tickets) gives back afterwards.
func TestDeskTicketRoundTrip(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		prios, err := f.desk.Priorities(ctx, f.admin)
		require.NoError(t, err)
		team := f.teamB.ID
		check := func(t *testing.T, want *ticket.Ticket) {
			t.Helper()
			got, err := f.desk.Ticket(ctx, f.admin, want.ID)
			require.NoError(t, err)
			assert.Equal(t, want, got, "Ticket")
			byRef, err := f.desk.TicketByRef(ctx, f.userX, want.Ref())
			require.NoError(t, err)
			assert.Equal(t, want, byRef, "TicketByRef")
			page, err := f.desk.Tickets(ctx, f.agent, storage.TicketFilter{DeviceID: want.DeviceID}, storage.PageRequest{})
			require.NoError(t, err)
			require.Len(t, page.Items, 1)
			assert.Equal(t, want, page.Items[0], "Tickets")
		}
		tk := f.open(t, f.agent, helpdesk.NewTicket{
			Title: "Everything set", Description: "Line one\nLine two ✓", Type: "repair",
			Requester:  ticket.Contact{Name: "Nina Nurse", Email: "nina@northwind.example", Phone: "+49 30 1234567", Language: "de-AT"},
			DeviceID:   f.devX.ID,
			PriorityID: prios[0].ID,
		})
		requester := f.link(t, tk)
		steps := []struct {
			name string
			do   func() (*ticket.Ticket, error)
		}{
			{"submitted", func() (*ticket.Ticket, error) {
				return tk, nil
			}},
			{"assigned with a team", func() (*ticket.Ticket, error) {
				return f.desk.Assign(ctx, f.supervisor, tk.ID, helpdesk.Assignment{AssigneeID: f.agent.UserID, TeamID: team})
			}},
			{"messaged", func() (*ticket.Ticket, error) {
				if _, err := f.desk.PostMessage(ctx, f.agent, tk.ID, helpdesk.NewMessage{Body: "on my way"}); err != nil {
					return nil, err
				}
				got := f.reload(t, tk.ID)
				assert.True(t, f.clock.Now().Equal(got.UpdatedAt), "a post updates the ticket")
				return got, nil
			}},
			{"done", func() (*ticket.Ticket, error) {
				return f.desk.Transition(ctx, f.agent, tk.ID, ticket.EventComplete, helpdesk.Change{})
			}},
			{"rated", func() (*ticket.Ticket, error) { return f.desk.Rate(ctx, requester, tk.ID, 4, "good") }},
			{"reopened", func() (*ticket.Ticket, error) {
				return f.desk.Transition(ctx, f.agent, tk.ID, ticket.EventReopen, helpdesk.Change{})
			}},
			{"rejected", func() (*ticket.Ticket, error) {
				return f.desk.Transition(ctx, f.supervisor, tk.ID, ticket.EventReject, helpdesk.Change{Reason: "out of contract"})
			}},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				f.clock.Advance(time.Second)
				got, err := st.do()
				require.NoError(t, err)
				assert.Equal(t, tk.LinkVersion, got.LinkVersion, "the requester link never changes by itself")
				check(t, got)
			})
		}
	})
}

// A code holder reaches one device's public page and may open tickets for it, nothing else:
// anyone can scan the same sticker, so the tickets opened through it (even its own) stay hidden,
// and each requester follows theirs through its requester link.
func TestDeskCodeHolderSeesNoTickets(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		tk := f.ticketIn(t, ticket.StateWaiting)
		done := f.ticketIn(t, ticket.StateDone)
		holders := map[string]tenant.Actor{"the holder who opened them": f.holder}
		_, holders["holder of another code of the device"] = f.newHolder(t, f.org, f.devX.ID, helpdesk.NewCode{})

		notFound := map[string]func(a tenant.Actor) error{
			"Ticket":      func(a tenant.Actor) error { _, err := f.desk.Ticket(ctx, a, tk.ID); return err },
			"TicketByRef": func(a tenant.Actor) error { _, err := f.desk.TicketByRef(ctx, a, tk.Ref()); return err },
			"Messages":    func(a tenant.Actor) error { _, err := messagesOf(ctx, f.desk, a, tk.ID); return err },
			"History":     func(a tenant.Actor) error { _, err := historyOf(ctx, f.desk, a, tk.ID); return err },
			"PostMessage": func(a tenant.Actor) error {
				_, err := f.desk.PostMessage(ctx, a, tk.ID, helpdesk.NewMessage{Body: "hi"})
				return err
			},
			"Transition resume": func(a tenant.Actor) error {
				_, err := f.desk.Transition(ctx, a, tk.ID, ticket.EventResume, helpdesk.Change{})
				return err
			},
			"Transition cancel": func(a tenant.Actor) error {
				_, err := f.desk.Transition(ctx, a, tk.ID, ticket.EventCancel, helpdesk.Change{})
				return err
			},
			"Rate":  func(a tenant.Actor) error { _, err := f.desk.Rate(ctx, a, done.ID, 5, ""); return err },
			"Close": func(a tenant.Actor) error { _, err := f.desk.Close(ctx, a, done.ID, ""); return err },
			"Assign": func(a tenant.Actor) error {
				_, err := f.desk.Assign(ctx, a, tk.ID, helpdesk.Assignment{AssigneeID: f.agent2.UserID})
				return err
			},
			"Device of another device": func(a tenant.Actor) error { _, err := f.desk.Device(ctx, a, f.devY.ID); return err },
			"Template":                 func(a tenant.Actor) error { _, err := f.desk.Template(ctx, a, f.tpl.ID); return err },
			"Customer, even the device's": func(a tenant.Actor) error {
				_, err := f.desk.Customer(ctx, a, f.custX.ID)
				return err
			},
		}
		forbidden := map[string]func(a tenant.Actor) error{
			"Tickets": func(a tenant.Actor) error {
				_, err := f.desk.Tickets(ctx, a, storage.TicketFilter{CodeID: f.code.ID}, storage.PageRequest{})
				return err
			},
			"CountTickets": func(a tenant.Actor) error {
				_, err := f.desk.CountTickets(ctx, a, storage.CountFilter{DeviceID: f.devX.ID})
				return err
			},
			"Device of its own device": func(a tenant.Actor) error { _, err := f.desk.Device(ctx, a, f.devX.ID); return err },
			"Devices": func(a tenant.Actor) error {
				_, err := f.desk.Devices(ctx, a, storage.DeviceFilter{}, storage.PageRequest{})
				return err
			},
			"Customers":  func(a tenant.Actor) error { _, err := f.desk.Customers(ctx, a); return err },
			"Tenant":     func(a tenant.Actor) error { _, err := f.desk.Tenant(ctx, a); return err },
			"Statuses":   func(a tenant.Actor) error { _, err := f.desk.Statuses(ctx, a); return err },
			"Priorities": func(a tenant.Actor) error { _, err := f.desk.Priorities(ctx, a); return err },
		}
		for hn, h := range holders {
			for on, op := range notFound {
				t.Run(hn+"/"+on, func(t *testing.T) {
					err := op(h)
					assert.ErrorIs(t, err, storage.ErrNotFound)
					assert.Equal(t, helpdesk.KindNotFound, helpdesk.KindOf(err))
				})
			}
			for on, op := range forbidden {
				t.Run(hn+"/"+on, func(t *testing.T) {
					err := op(h)
					assert.ErrorIs(t, err, helpdesk.ErrForbidden)
					assert.Equal(t, helpdesk.KindForbidden, helpdesk.KindOf(err))
				})
			}
		}
		t.Run("tickets untouched", func(t *testing.T) {
			for _, want := range []*ticket.Ticket{tk, done} {
				stored := f.reload(t, want.ID)
				assert.Equal(t, want.State, stored.State)
				assert.Equal(t, want.Version, stored.Version)
			}
			ms, err := messagesOf(ctx, f.desk, f.admin, tk.ID)
			require.NoError(t, err)
			assert.Empty(t, ms)
		})
		t.Run("the requester link does what the holder may not", func(t *testing.T) {
			requester := f.link(t, tk)
			_, err := f.desk.PostMessage(ctx, requester, tk.ID, helpdesk.NewMessage{Body: "hi"})
			require.NoError(t, err)
			assert.Equal(t, ticket.StateInProgress, f.reload(t, tk.ID).State, "the reply resumed it")
		})
		t.Run("a customer user sees their customer's devices only", func(t *testing.T) {
			page, err := f.desk.Devices(ctx, f.userX, storage.DeviceFilter{CustomerID: f.custY.ID}, storage.PageRequest{})
			require.NoError(t, err)
			assert.Empty(t, page.Items, "asking for another customer's devices lists none")
			page, err = f.desk.Devices(ctx, f.userX, storage.DeviceFilter{}, storage.PageRequest{})
			require.NoError(t, err)
			require.Len(t, page.Items, 1)
			assert.Equal(t, f.devX.ID, page.Items[0].ID)
			_, err = f.desk.Device(ctx, f.userX, f.devY.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})
	})
}

// ---------------------------------------------------------------------------------------------
// Listing and counting

func TestDeskTicketsListing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		high := func() uuid.UUID {
			ps, err := f.desk.Priorities(ctx, f.admin)
			require.NoError(t, err)
			for _, p := range ps {
				if p.Name == "High" {
					return p.ID
				}
			}
			t.Fatal("no High priority")
			return uuid.Nil
		}()
		t1 := f.submit(t, "Pump alarms")
		t2 := f.submit(t, "Printer jam in ward 3")
		_, err := f.desk.Accept(ctx, f.agent, t2.ID)
		require.NoError(t, err)
		s3, err := f.desk.SubmitTicket(ctx, f.userX, helpdesk.NewTicket{Title: "Screen dark", DeviceID: f.devX.ID, PriorityID: high})
		require.NoError(t, err)
		s4, err := f.desk.SubmitTicket(ctx, f.agent, helpdesk.NewTicket{Title: "Battery weak", Description: "The PRINTER too", DeviceID: f.devY.ID})
		require.NoError(t, err)
		t3, t4 := s3.Ticket, s4.Ticket
		t5 := f.submit(t, "Withdrawn")
		_, err = f.desk.Transition(ctx, f.link(t, t5), t5.ID, ticket.EventCancel, helpdesk.Change{})
		require.NoError(t, err)

		cases := []struct {
			name   string
			filter storage.TicketFilter
			want   []*ticket.Ticket // newest first
		}{
			{"all", storage.TicketFilter{}, []*ticket.Ticket{t5, t4, t3, t2, t1}},
			{"open", storage.TicketFilter{States: []ticket.State{ticket.StateOpen}}, []*ticket.Ticket{t4, t3, t1}},
			{"assigned or cancelled", storage.TicketFilter{States: []ticket.State{ticket.StateAssigned, ticket.StateCancelled}}, []*ticket.Ticket{t5, t2}},
			{"customer Y", storage.TicketFilter{CustomerID: f.custY.ID}, []*ticket.Ticket{t4}},
			{"device X", storage.TicketFilter{DeviceID: f.devX.ID}, []*ticket.Ticket{t5, t3, t2, t1}},
			{"project", storage.TicketFilter{ProjectID: f.project.ID}, []*ticket.Ticket{t5, t3, t2, t1}},
			{"code", storage.TicketFilter{CodeID: f.code.ID}, []*ticket.Ticket{t5, t2, t1}},
			{"assignee", storage.TicketFilter{AssigneeID: f.agent.UserID}, []*ticket.Ticket{t2}},
			{"unassigned", storage.TicketFilter{Unassigned: true}, []*ticket.Ticket{t5, t4, t3, t1}},
			{"text in title or description", storage.TicketFilter{Text: "printer"}, []*ticket.Ticket{t4, t2}},
			{"priority", storage.TicketFilter{PriorityIDs: []uuid.UUID{high}}, []*ticket.Ticket{t3}},
			{"open for customer X", storage.TicketFilter{States: []ticket.State{ticket.StateOpen}, CustomerID: f.custX.ID}, []*ticket.Ticket{t3, t1}},
			{"nothing matches", storage.TicketFilter{States: []ticket.State{ticket.StateDone}}, nil},
			{"percent sign is literal", storage.TicketFilter{Text: "%"}, nil},
			{"underscore is literal", storage.TicketFilter{Text: "_"}, nil},
			{"text in another case", storage.TicketFilter{Text: "SCREEN"}, []*ticket.Ticket{t3}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				page, err := f.desk.Tickets(ctx, f.admin, c.filter, storage.PageRequest{})
				require.NoError(t, err)
				var got []uuid.UUID
				for _, tk := range page.Items {
					got = append(got, tk.ID)
				}
				var want []uuid.UUID
				if c.want != nil {
					want = ticketIDs(c.want...)
				}
				if c.filter.Text != "" { // a search orders by relevance (storage conformance checks it)
					assert.ElementsMatch(t, want, got)
				} else {
					assert.Equal(t, want, got)
				}
				assert.Empty(t, page.Next)
			})
		}
		t.Run("pagination", func(t *testing.T) {
			for _, c := range []struct {
				filter storage.TicketFilter
				pages  [][]*ticket.Ticket
			}{
				{storage.TicketFilter{}, [][]*ticket.Ticket{{t5, t4}, {t3, t2}, {t1}}},
				{storage.TicketFilter{CodeID: f.code.ID}, [][]*ticket.Ticket{{t5, t2}, {t1}}},
				{storage.TicketFilter{DeviceID: f.devX.ID}, [][]*ticket.Ticket{{t5, t3}, {t2, t1}}},
			} {
				p := storage.PageRequest{Limit: 2}
				for i, want := range c.pages {
					page, err := f.desk.Tickets(ctx, f.admin, c.filter, p)
					require.NoError(t, err)
					var got []uuid.UUID
					for _, tk := range page.Items {
						got = append(got, tk.ID)
					}
					assert.Equal(t, ticketIDs(want...), got, "page %d of %+v", i, c.filter)
					if i == len(c.pages)-1 {
						if len(want) < 2 {
							assert.Empty(t, page.Next, "last page")
						}
						if page.Next != "" { // a full last page may still carry a cursor to an empty page
							next, err := f.desk.Tickets(ctx, f.admin, c.filter, storage.PageRequest{Limit: 2, After: page.Next})
							require.NoError(t, err)
							assert.Empty(t, next.Items)
						}
						break
					}
					require.NotEmpty(t, page.Next, "page %d has a successor", i)
					p.After = page.Next
				}
			}
		})
		t.Run("bad cursor", func(t *testing.T) {
			_, err := f.desk.Tickets(ctx, f.admin, storage.TicketFilter{}, storage.PageRequest{After: "not a cursor!"})
			assert.ErrorIs(t, err, storage.ErrInvalidCursor)
			assert.Equal(t, helpdesk.KindInvalid, helpdesk.KindOf(err))
		})
		t.Run("bad state", func(t *testing.T) {
			_, err := f.desk.Tickets(ctx, f.admin, storage.TicketFilter{States: []ticket.State{ticket.StateOpen, "resolved"}}, storage.PageRequest{})
			assertField(t, err, "states[1]")
		})
		t.Run("customer user listings", func(t *testing.T) {
			assert.Equal(t, ticketIDs(t5, t3, t2, t1), f.listAll(t, f.userX, storage.TicketFilter{}))
			assert.Equal(t, ticketIDs(t4), f.listAll(t, f.userY, storage.TicketFilter{}))
			assert.Equal(t, ticketIDs(t5, t2, t1), f.listAll(t, f.userX, storage.TicketFilter{CodeID: f.code.ID}))
			assert.Equal(t, ticketIDs(t2), f.listAll(t, f.userX, storage.TicketFilter{States: []ticket.State{ticket.StateAssigned}}))
		})
		t.Run("public requesters list nothing", func(t *testing.T) {
			for _, a := range []tenant.Actor{f.holder, f.link(t, t1)} {
				page, err := f.desk.Tickets(ctx, a, storage.TicketFilter{}, storage.PageRequest{})
				assert.Empty(t, page.Items, string(a.Kind))
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, string(a.Kind))
			}
		})
		t.Run("counts", func(t *testing.T) {
			cases := []struct {
				name   string
				actor  tenant.Actor
				filter storage.CountFilter
				want   map[ticket.State]int
			}{
				{"tenant", f.admin, storage.CountFilter{}, map[ticket.State]int{ticket.StateOpen: 3, ticket.StateAssigned: 1, ticket.StateCancelled: 1}},
				{"customer X", f.agent, storage.CountFilter{CustomerID: f.custX.ID}, map[ticket.State]int{ticket.StateOpen: 2, ticket.StateAssigned: 1, ticket.StateCancelled: 1}},
				{"customer Y", f.agent, storage.CountFilter{CustomerID: f.custY.ID}, map[ticket.State]int{ticket.StateOpen: 1}},
				{"device X", f.system, storage.CountFilter{DeviceID: f.devX.ID}, map[ticket.State]int{ticket.StateOpen: 2, ticket.StateAssigned: 1, ticket.StateCancelled: 1}},
				{"device Y", f.system, storage.CountFilter{DeviceID: f.devY.ID}, map[ticket.State]int{ticket.StateOpen: 1}},
				{"unused device", f.admin, storage.CountFilter{DeviceID: uuid.New()}, map[ticket.State]int{}},
				{"customer user X", f.userX, storage.CountFilter{}, map[ticket.State]int{ticket.StateOpen: 2, ticket.StateAssigned: 1, ticket.StateCancelled: 1}},
				{"customer user X asking for Y counts nothing", f.userX, storage.CountFilter{CustomerID: f.custY.ID}, map[ticket.State]int{}},
				{"customer user Y", f.userY, storage.CountFilter{}, map[ticket.State]int{ticket.StateOpen: 1}},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					got, err := f.desk.CountTickets(ctx, c.actor, c.filter)
					require.NoError(t, err)
					assert.Equal(t, c.want, got)
				})
			}
			for _, a := range []tenant.Actor{f.holder, f.link(t, t1)} {
				_, err := f.desk.CountTickets(ctx, a, storage.CountFilter{})
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, string(a.Kind))
			}
		})
	})
}

// ---------------------------------------------------------------------------------------------
// Optimistic concurrency

func TestDeskConcurrentAccept(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		for round := range 3 {
			t.Run(fmt.Sprintf("round %d", round), func(t *testing.T) {
				tk := f.submit(t, "race")
				agents := []tenant.Actor{f.agent, f.agent2}
				errs := make([]error, len(agents))
				results := make([]*ticket.Ticket, len(agents))
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i, a := range agents {
					wg.Go(func() {
						<-start
						results[i], errs[i] = f.desk.Accept(context.Background(), a, tk.ID)
					})
				}
				close(start)
				wg.Wait()

				winner := -1
				for i, err := range errs {
					if err == nil {
						require.Equal(t, -1, winner, "both accepts succeeded")
						winner = i
						continue
					}
					t.Logf("loser %s: %v", agents[i].Name, err)
					assert.Equal(t, helpdesk.KindConflict, helpdesk.KindOf(err), "loser's error: %v", err)
					assert.True(t, errors.Is(err, storage.ErrConflict) || errors.Is(err, ticket.ErrInvalidTransition), "loser's error: %v", err)
				}
				require.NotEqual(t, -1, winner, "no accept succeeded: %v", errs)
				assert.Equal(t, agents[winner].UserID, results[winner].AssigneeID)
				stored := f.reload(t, tk.ID)
				assert.Equal(t, ticket.StateAssigned, stored.State)
				assert.Equal(t, agents[winner].UserID, stored.AssigneeID, "the winner is the assignee")
				assert.Equal(t, tk.Version+1, stored.Version)
				hs := f.history(t, f.admin, tk.ID)
				assert.Equal(t, []string{"submit", "accept"}, historyActions(hs))
				assert.Equal(t, agents[winner].Ref(), hs[1].Actor)
			})
		}
	})
}

// Two staff members change the same ticket at once: the one whose transaction read the ticket
// before the other's change committed must not overwrite it. The Desk tests run on bunstore,
// whose SQLite store runs one transaction at a time, so the interleaving is staged: the loser's
// Desk reads the ticket as it was before the winner's change (staleTicket), as a transaction
// that began first would on an engine that runs them side by side. One wins, the other gets a
// conflict, and the history shows exactly one change: the Desk writes the version it read, and
// the store refuses it.
func TestDeskConcurrentStaffChange(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		ps, err := f.desk.Priorities(ctx, f.admin)
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(ps), 2)
		cases := []struct {
			name string
			// winner changes the ticket first (and commits); loser read it before that.
			winner, loser func(d *helpdesk.Desk, tk *ticket.Ticket) (*ticket.Ticket, error)
			// kept checks that the stored ticket has the winner's change and not the loser's.
			kept func(t *testing.T, tk, stored *ticket.Ticket)
		}{
			{
				name: "two edits",
				winner: func(d *helpdesk.Desk, tk *ticket.Ticket) (*ticket.Ticket, error) {
					p := ps[0].ID
					if p == tk.PriorityID {
						p = ps[1].ID
					}
					return d.EditTicket(ctx, f.supervisor, tk.ID, helpdesk.TicketEdit{PriorityID: &p})
				},
				loser: func(d *helpdesk.Desk, tk *ticket.Ticket) (*ticket.Ticket, error) {
					return d.EditTicket(ctx, f.agent, tk.ID, helpdesk.TicketEdit{Title: ptr("The agent's title")})
				},
				kept: func(t *testing.T, tk, stored *ticket.Ticket) {
					assert.NotEqual(t, tk.PriorityID, stored.PriorityID, "the supervisor's priority")
					assert.Equal(t, tk.Title, stored.Title, "not the agent's title")
				},
			},
			{
				name: "a reassignment and a start",
				winner: func(d *helpdesk.Desk, tk *ticket.Ticket) (*ticket.Ticket, error) {
					return d.Assign(ctx, f.supervisor, tk.ID, helpdesk.Assignment{AssigneeID: f.agent2.UserID, Reason: "Alex knows pumps"})
				},
				loser: func(d *helpdesk.Desk, tk *ticket.Ticket) (*ticket.Ticket, error) {
					return d.Transition(ctx, f.agent, tk.ID, ticket.EventStart, helpdesk.Change{})
				},
				kept: func(t *testing.T, tk, stored *ticket.Ticket) {
					assert.Equal(t, f.agent2.UserID, stored.AssigneeID, "the supervisor's reassignment")
					assert.Equal(t, ticket.StateAssigned, stored.State, "not the agent's start")
				},
			},
			{
				name: "an edit and a close",
				winner: func(d *helpdesk.Desk, tk *ticket.Ticket) (*ticket.Ticket, error) {
					return d.EditTicket(ctx, f.agent2, tk.ID, helpdesk.TicketEdit{Description: ptr("Beeps twice, then stops.")})
				},
				loser: func(d *helpdesk.Desk, tk *ticket.Ticket) (*ticket.Ticket, error) {
					return d.Close(ctx, f.agent, tk.ID, "fixed")
				},
				kept: func(t *testing.T, tk, stored *ticket.Ticket) {
					assert.Equal(t, "Beeps twice, then stops.", stored.Description, "the edit")
					assert.Equal(t, ticket.StateAssigned, stored.State, "not the close")
				},
			},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				tk := f.ticketIn(t, ticket.StateAssigned)
				before := f.history(t, f.admin, tk.ID)
				read, err := s.GetTicket(ctx, tk.TenantID, tk.ID)
				require.NoError(t, err)
				loserDesk, err := helpdesk.New(&staleTicket{Store: s, read: read},
					&helpdesk.Config{Now: f.clock.Now, SecretKeys: [][]byte{testKey}})
				require.NoError(t, err)

				won, err := c.winner(f.desk, tk)
				require.NoError(t, err, "the first change")
				_, err = c.loser(loserDesk, tk)
				require.Error(t, err, "the change made on what the first one changed")
				assert.ErrorIs(t, err, storage.ErrConflict)
				assert.Equal(t, helpdesk.KindConflict, helpdesk.KindOf(err))

				stored := f.reload(t, tk.ID)
				assert.Equal(t, won.Version, stored.Version, "only the first change was written")
				c.kept(t, tk, stored)
				after := f.history(t, f.admin, tk.ID)
				require.Len(t, after, len(before)+1, "the history shows exactly one change")
			})
		}

		// Two staff members who opened the edit form on the same version and save at once:
		// whatever the order, one edit is written and the other is refused.
		t.Run("two edit forms saved at once", func(t *testing.T) {
			tk := f.ticketIn(t, ticket.StateAssigned)
			before := len(f.history(t, f.admin, tk.ID))
			editors := []tenant.Actor{f.agent, f.supervisor}
			errs := make([]error, len(editors))
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, a := range editors {
				wg.Go(func() {
					<-start
					_, errs[i] = f.desk.EditTicket(context.Background(), a, tk.ID,
						helpdesk.TicketEdit{Title: ptr("Title by " + a.Name), Version: tk.Version})
				})
			}
			close(start)
			wg.Wait()
			winner := -1
			for i, err := range errs {
				if err == nil {
					require.Equal(t, -1, winner, "both edits were written")
					winner = i
					continue
				}
				assert.ErrorIs(t, err, storage.ErrConflict, "%s's edit", editors[i].Name)
			}
			require.NotEqual(t, -1, winner, "no edit was written: %v", errs)
			stored := f.reload(t, tk.ID)
			assert.Equal(t, "Title by "+editors[winner].Name, stored.Title)
			assert.Equal(t, tk.Version+1, stored.Version)
			hs := f.history(t, f.admin, tk.ID)
			require.Len(t, hs, before+1, "the history shows exactly one edit")
			assert.Equal(t, editors[winner].Ref(), hs[len(hs)-1].Actor)
		})
	})
}

// staleTicket is a store whose transactions read one ticket as it was at read: the first
// GetTicket of that ticket in each transaction returns the copy, as a transaction that began
// before another change committed would see it.
type staleTicket struct {
	storage.Store
	read *ticket.Ticket
}

func (s *staleTicket) InTx(ctx context.Context, fn func(q storage.Queries) error) error {
	return s.Store.InTx(ctx, func(q storage.Queries) error { return fn(&staleTicketQueries{Queries: q, read: s.read}) })
}

type staleTicketQueries struct {
	storage.Queries
	read   *ticket.Ticket
	served bool
}

func (q *staleTicketQueries) GetTicket(ctx context.Context, tenantID, id uuid.UUID) (*ticket.Ticket, error) {
	if id == q.read.ID && tenantID == q.read.TenantID && !q.served {
		q.served = true
		cp := *q.read
		return &cp, nil
	}
	return q.Queries.GetTicket(ctx, tenantID, id)
}

// GetTicketForUpdate serves the stale read too: the version check must hold where the read a
// change starts from is stale (an engine without row locks, a client's If-Match).
func (q *staleTicketQueries) GetTicketForUpdate(ctx context.Context, tenantID, id uuid.UUID) (*ticket.Ticket, error) {
	if id == q.read.ID && tenantID == q.read.TenantID && !q.served {
		return q.GetTicket(ctx, tenantID, id)
	}
	return q.Queries.GetTicketForUpdate(ctx, tenantID, id)
}

// ---------------------------------------------------------------------------------------------
// Validation of setup operations

func TestDeskCreateTenant(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		t.Run("forbidden for non-platform actors", func(t *testing.T) {
			for name, a := range map[string]tenant.Actor{
				"tenant system": f.system,
				"admin":         f.admin,
				"customer user": f.userX,
				"code holder":   f.holder,
			} {
				ten, err := f.desk.CreateTenant(ctx, a, helpdesk.NewTenant{Name: "Rogue"})
				assert.Nil(t, ten, name)
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, name)
				assert.Equal(t, helpdesk.KindForbidden, helpdesk.KindOf(err), name)
			}
			_, err := f.desk.CreateTenant(ctx, tenant.Actor{}, helpdesk.NewTenant{Name: "Rogue"})
			assert.ErrorIs(t, err, tenant.ErrInvalidActor)
		})
		cases := []struct {
			name  string
			in    helpdesk.NewTenant
			field string
		}{
			{"lower-case prefix", helpdesk.NewTenant{Name: "A", TicketPrefix: "t"}, "ticket_prefix"},
			{"prefix starting with a digit", helpdesk.NewTenant{Name: "A", TicketPrefix: "1A"}, "ticket_prefix"},
			{"prefix with a dash", helpdesk.NewTenant{Name: "A", TicketPrefix: "T-"}, "ticket_prefix"},
			{"prefix too long", helpdesk.NewTenant{Name: "A", TicketPrefix: "ABCDEFGHIJK"}, "ticket_prefix"},
			{"prefix with a space", helpdesk.NewTenant{Name: "A", TicketPrefix: "T X"}, "ticket_prefix"},
			{"no name", helpdesk.NewTenant{Name: "  "}, "name"},
			{"bad language", helpdesk.NewTenant{Name: "A", Language: "German"}, "language"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ten, err := f.desk.CreateTenant(ctx, tenant.System(), c.in)
				assert.Nil(t, ten)
				assertField(t, err, c.field)
			})
		}
		t.Run("defaults and a ten-character prefix", func(t *testing.T) {
			ten, err := f.desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: " Gamma ", TicketPrefix: "ABCDEFGHI9"})
			require.NoError(t, err)
			assert.Equal(t, "Gamma", ten.Name)
			assert.Equal(t, "en", ten.Language)
			got, err := f.desk.Tenant(ctx, tenant.SystemFor(ten.ID))
			require.NoError(t, err)
			assert.Equal(t, "ABCDEFGHI9", got.TicketPrefix)
			statuses, err := f.desk.Statuses(ctx, tenant.SystemFor(ten.ID))
			require.NoError(t, err)
			assert.Len(t, statuses, len(ticket.States()), "one default status per state")
			ps, err := f.desk.Priorities(ctx, tenant.SystemFor(ten.ID))
			require.NoError(t, err)
			assert.Len(t, ps, 4)
			assert.Equal(t, "T", f.tenant.TicketPrefix, "an empty prefix defaults to T")
		})
	})
}

func TestDeskCreateTemplateValidation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		text := func(key string) device.FieldDef {
			return device.FieldDef{Key: key, Label: "L", Type: device.FieldText}
		}
		cases := []struct {
			name  string
			in    helpdesk.NewTemplate
			field string
		}{
			{"no name", helpdesk.NewTemplate{}, "name"},
			{"upper-case key", helpdesk.NewTemplate{Name: "T", Fields: []device.FieldDef{text("Voltage")}}, "fields[0].key"},
			{"key starting with a digit", helpdesk.NewTemplate{Name: "T", Fields: []device.FieldDef{text("1volt")}}, "fields[0].key"},
			{"empty key", helpdesk.NewTemplate{Name: "T", Fields: []device.FieldDef{text("")}}, "fields[0].key"},
			{"key with a dash", helpdesk.NewTemplate{Name: "T", Fields: []device.FieldDef{text("ok"), text("max-volt")}}, "fields[1].key"},
			{"duplicate key", helpdesk.NewTemplate{Name: "T", Fields: []device.FieldDef{text("volt"), text("amps"), text("volt")}}, "fields[2].key"},
			{"no label", helpdesk.NewTemplate{Name: "T", Fields: []device.FieldDef{{Key: "volt", Type: device.FieldText}}}, "fields[0].label"},
			{"unknown type", helpdesk.NewTemplate{Name: "T", Fields: []device.FieldDef{{Key: "volt", Label: "V", Type: "float"}}}, "fields[0].type"},
			{"select without options", helpdesk.NewTemplate{Name: "T", Fields: []device.FieldDef{{Key: "colour", Label: "C", Type: device.FieldSelect}}}, "fields[0].options"},
			{"text with options", helpdesk.NewTemplate{Name: "T", Fields: []device.FieldDef{{Key: "colour", Label: "C", Type: device.FieldText, Options: []string{"red"}}}}, "fields[0].options"},
			{"empty option", helpdesk.NewTemplate{Name: "T", Fields: []device.FieldDef{{Key: "colour", Label: "C", Type: device.FieldSelect, Options: []string{"red", ""}}}}, "fields[0].options[1]"},
			{"blank option", helpdesk.NewTemplate{Name: "T", Fields: []device.FieldDef{text("ok"), {Key: "colour", Label: "C", Type: device.FieldSelect, Options: []string{" \t", "red"}}}}, "fields[1].options[0]"},
			{"duplicate option", helpdesk.NewTemplate{Name: "T", Fields: []device.FieldDef{{Key: "colour", Label: "C", Type: device.FieldSelect, Options: []string{"red", "blue", "red"}}}}, "fields[0].options[2]"},
			{"too many fields", helpdesk.NewTemplate{Name: "T", Fields: manyFields(101)}, "fields"},
			{"too many blocks", helpdesk.NewTemplate{Name: "T", Blocks: manyBlocks(101)}, "blocks"},
			{"oversized description", helpdesk.NewTemplate{Name: "T", Description: strings.Repeat("x", helpdesk.MaxTextLen+1)}, "description"},
			{"link without scheme", helpdesk.NewTemplate{Name: "T", Blocks: []device.Block{{Kind: device.BlockLink, Title: "Manual", URL: "example.com/manual"}}}, "blocks[0].url"},
			{"ftp link", helpdesk.NewTemplate{Name: "T", Blocks: []device.Block{{Kind: device.BlockLink, Title: "Manual", URL: "ftp://example.com/m.pdf"}}}, "blocks[0].url"},
			{"javascript link", helpdesk.NewTemplate{Name: "T", Blocks: []device.Block{{Kind: device.BlockLink, Title: "x", URL: "javascript:alert(1)"}}}, "blocks[0].url"},
			{"document without host", helpdesk.NewTemplate{Name: "T", Blocks: []device.Block{
				{Kind: device.BlockText, Title: "Intro", Body: "Hello"},
				{Kind: device.BlockDocument, Title: "Manual", URL: "https://"},
			}}, "blocks[1].url"},
			{"block without title", helpdesk.NewTemplate{Name: "T", Blocks: []device.Block{{Kind: device.BlockText, Body: "x"}}}, "blocks[0].title"},
			{"block with a blank title", helpdesk.NewTemplate{Name: "T", Blocks: []device.Block{{Kind: device.BlockText, Title: "  ", Body: "x"}}}, "blocks[0].title"},
			{"FAQ without answer", helpdesk.NewTemplate{Name: "T", Blocks: []device.Block{{Kind: device.BlockFAQ, Title: "Q?"}}}, "blocks[0].body"},
			{"unknown block kind", helpdesk.NewTemplate{Name: "T", Blocks: []device.Block{{Kind: "video", Title: "x", URL: "https://example.com"}}}, "blocks[0].kind"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				tpl, err := f.desk.CreateTemplate(ctx, f.admin, c.in)
				assert.Nil(t, tpl)
				assertField(t, err, c.field)
			})
		}
		t.Run("valid template is stored", func(t *testing.T) {
			in := helpdesk.NewTemplate{Name: "Ventilator", Fields: []device.FieldDef{
				{Key: "mode", Label: "Mode", Type: device.FieldSelect, Options: []string{"auto", "manual"}, Required: true},
				{Key: "hours_2", Label: "Hours", Type: device.FieldNumber},
			}, Blocks: []device.Block{{Kind: device.BlockLink, Title: "Manual", URL: "https://example.com/manual"}}}
			tpl, err := f.desk.CreateTemplate(ctx, f.admin, in)
			require.NoError(t, err)
			got, err := f.desk.Template(ctx, f.agent, tpl.ID)
			require.NoError(t, err)
			assert.Equal(t, in.Fields, got.Fields)
			assert.Equal(t, in.Blocks, got.Blocks)
		})
		t.Run("at the limits", func(t *testing.T) {
			tpl, err := f.desk.CreateTemplate(ctx, f.admin, helpdesk.NewTemplate{Name: "Big", Fields: manyFields(100), Blocks: manyBlocks(100)})
			require.NoError(t, err)
			got, err := f.desk.Template(ctx, f.admin, tpl.ID)
			require.NoError(t, err)
			assert.Len(t, got.Fields, 100)
			assert.Len(t, got.Blocks, 100)
		})
		t.Run("names, description and block titles are trimmed", func(t *testing.T) {
			tpl, err := f.desk.CreateTemplate(ctx, f.admin, helpdesk.NewTemplate{
				Name: "  Ventilator V2 ", Description: "\n Ward model \t",
				Fields: []device.FieldDef{{Key: "mode", Label: " Mode ", Type: device.FieldText}},
				Blocks: []device.Block{
					{Kind: device.BlockFAQ, Title: "  Why does it beep?\n", Body: "Low battery."},
					{Kind: device.BlockLink, Title: " Manual ", URL: "https://example.com/manual"},
				},
			})
			require.NoError(t, err)
			for name, got := range map[string]*device.Template{"returned": tpl, "stored": func() *device.Template {
				got, err := f.desk.Template(ctx, f.admin, tpl.ID)
				require.NoError(t, err)
				return got
			}()} {
				assert.Equal(t, "Ventilator V2", got.Name, name)
				assert.Equal(t, "Ward model", got.Description, name)
				assert.Equal(t, "Mode", got.Fields[0].Label, name)
				assert.Equal(t, "Why does it beep?", got.Blocks[0].Title, name)
				assert.Equal(t, "Manual", got.Blocks[1].Title, name)
			}
		})
		t.Run("forbidden", func(t *testing.T) {
			for _, a := range []tenant.Actor{f.agent, f.supervisor, f.userX, f.holder} {
				_, err := f.desk.CreateTemplate(ctx, a, helpdesk.NewTemplate{Name: "T"})
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, string(a.Kind)+" "+string(a.Role))
			}
			_, err := f.desk.Template(ctx, f.userX, f.tpl.ID)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden, "customer users never see templates")
		})
	})
}

// manyFields returns n valid text field definitions.
func manyFields(n int) []device.FieldDef {
	out := make([]device.FieldDef, n)
	for i := range out {
		out[i] = device.FieldDef{Key: fmt.Sprintf("f%d", i), Label: fmt.Sprintf("Field %d", i), Type: device.FieldText}
	}
	return out
}

// manyBlocks returns n valid text blocks.
func manyBlocks(n int) []device.Block {
	out := make([]device.Block, n)
	for i := range out {
		out[i] = device.Block{Kind: device.BlockText, Title: fmt.Sprintf("Block %d", i), Body: "text"}
	}
	return out
}

func TestDeskCreateDeviceValidation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		tpl, err := f.desk.CreateTemplate(ctx, f.admin, helpdesk.NewTemplate{Name: "Ventilator", Fields: []device.FieldDef{
			{Key: "voltage", Label: "Voltage", Type: device.FieldNumber, Required: true},
			{Key: "installed", Label: "Installed", Type: device.FieldDate},
			{Key: "colour", Label: "Colour", Type: device.FieldSelect, Options: []string{"red", "blue"}},
			{Key: "note", Label: "Note", Type: device.FieldText},
		}})
		require.NoError(t, err)
		ok := func(extra map[string]string) map[string]string {
			m := map[string]string{"voltage": "230"}
			for k, v := range extra {
				m[k] = v
			}
			return m
		}
		cases := []struct {
			name   string
			fields map[string]string
			field  string // "" means accepted
		}{
			{"unknown key", ok(map[string]string{"bogus": "1"}), "fields.bogus"},
			{"not a number", map[string]string{"voltage": "high"}, "fields.voltage"},
			{"bad date", ok(map[string]string{"installed": "2026-13-01"}), "fields.installed"},
			{"date in another format", ok(map[string]string{"installed": "23.11.2026"}), "fields.installed"},
			{"option not in the list", ok(map[string]string{"colour": "green"}), "fields.colour"},
			{"option in another case", ok(map[string]string{"colour": "Red"}), "fields.colour"},
			{"required missing", map[string]string{"note": "x"}, "fields.voltage"},
			{"required empty", map[string]string{"voltage": ""}, "fields.voltage"},
			{"no fields at all", nil, "fields.voltage"},
			{"value too long", ok(map[string]string{"note": strings.Repeat("x", helpdesk.MaxFieldValueLen+1)}), "fields.note"},
			{"all valid", ok(map[string]string{"installed": "2026-11-23", "colour": "blue", "note": "by the window"}), ""},
			{"decimal number", map[string]string{"voltage": "-12.5"}, ""},
			{"optional fields empty", ok(map[string]string{"colour": "", "installed": ""}), ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				dev, err := f.desk.CreateDevice(ctx, f.admin, helpdesk.NewDevice{Name: "Vent 1", TemplateID: tpl.ID, Fields: c.fields})
				if c.field == "" {
					require.NoError(t, err)
					got, err := f.desk.Device(ctx, f.admin, dev.ID)
					require.NoError(t, err)
					assert.Equal(t, c.fields, got.Fields)
					return
				}
				assert.Nil(t, dev)
				assertField(t, err, c.field)
			})
		}
		t.Run("fields without a template", func(t *testing.T) {
			_, err := f.desk.CreateDevice(ctx, f.admin, helpdesk.NewDevice{Name: "Vent 2", Fields: map[string]string{"voltage": "230"}})
			assertField(t, err, "fields.voltage")
		})
		t.Run("nothing stored on failure", func(t *testing.T) {
			page, err := f.desk.Devices(ctx, f.admin, storage.DeviceFilter{TemplateID: tpl.ID}, storage.PageRequest{})
			require.NoError(t, err)
			assert.Len(t, page.Items, 3, "only the three valid devices")
		})
		t.Run("unknown references", func(t *testing.T) {
			for name, in := range map[string]helpdesk.NewDevice{
				"template": {Name: "x", TemplateID: uuid.New()},
				"customer": {Name: "x", CustomerID: uuid.New()},
				"project":  {Name: "x", ProjectID: uuid.New()},
			} {
				_, err := f.desk.CreateDevice(ctx, f.admin, in)
				assert.ErrorIs(t, err, storage.ErrNotFound, name)
			}
		})
		t.Run("bad name", func(t *testing.T) {
			_, err := f.desk.CreateDevice(ctx, f.admin, helpdesk.NewDevice{Name: " "})
			assertField(t, err, "name")
		})
		t.Run("oversized location", func(t *testing.T) {
			_, err := f.desk.CreateDevice(ctx, f.admin, helpdesk.NewDevice{Name: "x", Location: strings.Repeat("x", helpdesk.MaxNameLen+1)})
			assertField(t, err, "location")
		})
		t.Run("name, serial number and location are trimmed", func(t *testing.T) {
			dev, err := f.desk.CreateDevice(ctx, f.admin, helpdesk.NewDevice{Name: " Vent 3 ", SerialNumber: " V-3\t", Location: "  Ward 3, bed 2 \n"})
			require.NoError(t, err)
			got, err := f.desk.Device(ctx, f.admin, dev.ID)
			require.NoError(t, err)
			for name, d := range map[string]*device.Device{"returned": dev, "stored": got} {
				assert.Equal(t, "Vent 3", d.Name, name)
				assert.Equal(t, "V-3", d.SerialNumber, name)
				assert.Equal(t, "Ward 3, bed 2", d.Location, name)
			}
		})
	})
}

func TestDeskCreateCodeValidation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		now := f.clock.Now()
		past, exactlyNow, future := now.Add(-time.Minute), now, now.Add(time.Hour)
		cases := []struct {
			name  string
			in    helpdesk.NewCode
			field string // "" means accepted
		}{
			{"named colour", helpdesk.NewCode{Appearance: device.Appearance{Foreground: "red"}}, "appearance.foreground"},
			{"short colour", helpdesk.NewCode{Appearance: device.Appearance{Background: "#fff"}}, "appearance.background"},
			{"colour without hash", helpdesk.NewCode{Appearance: device.Appearance{Background: "ffffff"}}, "appearance.background"},
			{"tiny", helpdesk.NewCode{Appearance: device.Appearance{Size: 10}}, "appearance.size"},
			{"huge", helpdesk.NewCode{Appearance: device.Appearance{Size: 5000}}, "appearance.size"},
			{"negative size", helpdesk.NewCode{Appearance: device.Appearance{Size: -1}}, "appearance.size"},
			{"bad correction", helpdesk.NewCode{Appearance: device.Appearance{Correction: "X"}}, "appearance.correction"},
			{"expired already", helpdesk.NewCode{ExpiresAt: &past}, "expires_at"},
			{"expiring now", helpdesk.NewCode{ExpiresAt: &exactlyNow}, "expires_at"},
			{"unknown action", helpdesk.NewCode{Actions: []device.Action{device.ActionView, "teleport"}}, "actions"},
			{"short PIN", helpdesk.NewCode{PIN: "12"}, "pin"},
			{"PIN with letters", helpdesk.NewCode{PIN: "12ab"}, "pin"},
			{"long PIN", helpdesk.NewCode{PIN: "1234567890123"}, "pin"},
			{"logo key set directly", helpdesk.NewCode{Appearance: device.Appearance{Logo: "other-tenant/codes/x/logo"}}, "appearance.logo"},
			{"logo not an image", helpdesk.NewCode{Logo: []byte("<svg onload=alert(1)>")}, "appearance.logo"},
			{"logo as SVG", helpdesk.NewCode{Logo: []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`)}, "appearance.logo"},
			{"logo too small", helpdesk.NewCode{Logo: pngBytes(t, 8, 8)}, "appearance.logo"},
			{"logo at level L", helpdesk.NewCode{Logo: pngBytes(t, 64, 64), Appearance: device.Appearance{Correction: device.CorrectionLow}}, "appearance.correction"},
			{"logo too large for H", helpdesk.NewCode{Logo: pngBytes(t, 64, 64), Appearance: device.Appearance{Correction: device.CorrectionHigh, LogoSize: 26}}, "appearance.logo_size"},
			{"too little contrast", helpdesk.NewCode{Appearance: device.Appearance{Foreground: "#777777", Background: "#ffffff"}}, "appearance.foreground"},
			{"light on dark", helpdesk.NewCode{Appearance: device.Appearance{Foreground: "#ffffff", Background: "#000000"}}, "appearance.foreground"},
			{"modules under 2 px", helpdesk.NewCode{Appearance: device.Appearance{Size: 64, Correction: device.CorrectionHigh}}, "appearance.size"},
			{"quiet zone too narrow", helpdesk.NewCode{Appearance: device.Appearance{QuietZone: -1}}, "appearance.quiet_zone"},
			{"largest logo at H", helpdesk.NewCode{Logo: pngBytes(t, 64, 64), Appearance: device.Appearance{Correction: device.CorrectionHigh, LogoSize: device.MaxLogoSize(device.CorrectionHigh)}}, ""},
			{"12-digit PIN", helpdesk.NewCode{PIN: "123456789012"}, ""},
			{"custom appearance", helpdesk.NewCode{Appearance: device.Appearance{Foreground: "#1A2B3C", Background: "#fafafa", Size: 128, Correction: device.CorrectionHigh}}, ""},
			{"expiring later", helpdesk.NewCode{ExpiresAt: &future}, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before, err := f.store.ListCodes(ctx, f.tenant.ID, f.devX.ID)
				require.NoError(t, err)
				code, err := f.desk.CreateCode(ctx, f.admin, f.devX.ID, c.in)
				after, lerr := f.store.ListCodes(ctx, f.tenant.ID, f.devX.ID)
				require.NoError(t, lerr)
				if c.field == "" {
					require.NoError(t, err)
					assert.True(t, code.Active)
					assert.Len(t, after, len(before)+1)
					return
				}
				assert.Nil(t, code)
				assertField(t, err, c.field)
				assert.Len(t, after, len(before), "nothing stored")
			})
		}
		t.Run("a bad PIN's error names the PIN rule", func(t *testing.T) {
			for _, pin := range []string{"12", "12ab", "1234567890123", "12 34"} {
				_, err := f.desk.CreateCode(ctx, f.admin, f.devX.ID, helpdesk.NewCode{PIN: pin})
				assert.ErrorIs(t, err, device.ErrInvalidPIN, "pin %q", pin)
				assert.ErrorIs(t, err, helpdesk.ErrInvalid, "pin %q", pin)
				assert.Equal(t, helpdesk.KindInvalid, helpdesk.KindOf(err))
			}
		})
		t.Run("defaults", func(t *testing.T) {
			other, err := f.desk.CreateCode(ctx, f.admin, f.devX.ID, helpdesk.NewCode{})
			require.NoError(t, err)
			assert.Equal(t, device.DefaultAppearance(), other.Appearance)
			assert.ElementsMatch(t, []device.Action{device.ActionView, device.ActionOpenTicket}, other.Actions)
			assert.GreaterOrEqual(t, len(f.code.Token), 22, "at least 128 bits")
			assert.NotEqual(t, f.code.Token, other.Token)
		})
		t.Run("unknown device", func(t *testing.T) {
			_, err := f.desk.CreateCode(ctx, f.admin, uuid.New(), helpdesk.NewCode{})
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})
		t.Run("forbidden", func(t *testing.T) {
			for _, a := range []tenant.Actor{f.agent, f.userX, f.holder} {
				_, err := f.desk.CreateCode(ctx, a, f.devX.ID, helpdesk.NewCode{})
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, string(a.Kind))
			}
		})
	})
}

// ---------------------------------------------------------------------------------------------
// KindOf

func TestKindOf(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", err)) }
	transition := &ticket.TransitionError{Machine: "ticket", From: "open", Event: "rate", Err: ticket.ErrInvalidTransition}
	unknown := &ticket.TransitionError{Machine: "ticket", Event: "fly", Err: ticket.ErrUnknownEvent}
	validation := &helpdesk.ValidationError{Field: "title", Problem: "is required"}
	cases := []struct {
		name string
		err  error
		want helpdesk.ErrorKind
	}{
		{"nil", nil, ""},
		{"ErrInvalid", helpdesk.ErrInvalid, helpdesk.KindInvalid},
		{"ValidationError", validation, helpdesk.KindInvalid},
		{"wrapped ValidationError", wrap(validation), helpdesk.KindInvalid},
		{"ErrInvalidCursor", storage.ErrInvalidCursor, helpdesk.KindInvalid},
		{"ErrUnknownEvent", unknown, helpdesk.KindInvalid},
		{"ErrInvalidRef", wrap(ticket.ErrInvalidRef), helpdesk.KindInvalid},
		{"ErrNotFound", storage.ErrNotFound, helpdesk.KindNotFound},
		{"wrapped ErrNotFound", wrap(storage.ErrNotFound), helpdesk.KindNotFound},
		{"ErrConflict", storage.ErrConflict, helpdesk.KindConflict},
		{"wrapped ErrConflict", wrap(storage.ErrConflict), helpdesk.KindConflict},
		{"ErrInvalidTransition", transition, helpdesk.KindConflict},
		{"wrapped ErrInvalidTransition", wrap(transition), helpdesk.KindConflict},
		{"ErrTicketClosed", wrap(helpdesk.ErrTicketClosed), helpdesk.KindConflict},
		{"ErrForbidden", helpdesk.ErrForbidden, helpdesk.KindForbidden},
		{"wrapped ErrForbidden", wrap(helpdesk.ErrForbidden), helpdesk.KindForbidden},
		{"ErrCodeUnusable", wrap(helpdesk.ErrCodeUnusable), helpdesk.KindForbidden},
		{"ErrSupportLapsed", wrap(helpdesk.ErrSupportLapsed), helpdesk.KindForbidden},
		{"ErrInvalidActor", wrap(tenant.ErrInvalidActor), helpdesk.KindUnauthenticated},
		{"ErrBadCredentials", wrap(helpdesk.ErrBadCredentials), helpdesk.KindUnauthenticated},
		{"ErrInvalidLink", wrap(helpdesk.ErrInvalidLink), helpdesk.KindUnauthenticated},
		{"ThrottledError", wrap(&helpdesk.ThrottledError{}), helpdesk.KindThrottled},
		{"ErrQuotaExceeded", wrap(helpdesk.ErrQuotaExceeded), helpdesk.KindThrottled},
		{"ErrBusy", wrap(helpdesk.ErrBusy), helpdesk.KindUnavailable},
		{"Canceled", wrap(context.Canceled), helpdesk.KindUnavailable},
		{"DeadlineExceeded", wrap(context.DeadlineExceeded), helpdesk.KindUnavailable},
		{"storage.ErrUnavailable", wrap(storage.ErrUnavailable), helpdesk.KindUnavailable},
		{"connection refused", wrap(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), helpdesk.KindUnavailable},
		{"connection closed", wrap(io.EOF), helpdesk.KindUnavailable},
		{"bad connection", wrap(driver.ErrBadConn), helpdesk.KindUnavailable},
		{"PostgreSQL shutting down (Field)", wrap(fieldError{'C': "57P01"}), helpdesk.KindUnavailable},
		{"PostgreSQL starting up (SQLState)", wrap(stateError("57P03")), helpdesk.KindUnavailable},
		{"too many connections", wrap(stateError("53300")), helpdesk.KindUnavailable},
		{"connection exception class", wrap(fieldError{'C': "08006"}), helpdesk.KindUnavailable},
		{"another SQLSTATE", wrap(fieldError{'C': "42P01"}), helpdesk.KindInternal},
		{"conflict first", wrap(fmt.Errorf("%w: %w", storage.ErrConflict, io.EOF)), helpdesk.KindConflict},
		{"unknown", errors.New("disk on fire"), helpdesk.KindInternal},
		{"wrapped unknown", wrap(errors.New("disk on fire")), helpdesk.KindInternal},
		{"ErrInvalidPIN (not a Desk sentinel)", device.ErrInvalidPIN, helpdesk.KindInternal},
		{"ValidationError with a cause", wrap(&helpdesk.ValidationError{Field: "pin", Problem: "x", Err: device.ErrInvalidPIN}), helpdesk.KindInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, helpdesk.KindOf(c.err))
		})
	}
	// A handler that tests for "not signed in" must catch a failed sign-in too.
	assert.ErrorIs(t, fmt.Errorf("sign in: %w", helpdesk.ErrBadCredentials), helpdesk.ErrUnauthenticated)
	assert.NotErrorIs(t, helpdesk.ErrUnauthenticated, helpdesk.ErrBadCredentials)
}

// fieldError is a driver error read as pgdriver's: Field('C') is its SQLSTATE.
type fieldError map[byte]string

func (e fieldError) Error() string       { return "driver: " + e['C'] }
func (e fieldError) Field(k byte) string { return e[k] }

// stateError is a driver error read as pgx's: SQLState() is its SQLSTATE.
type stateError string

func (e stateError) Error() string    { return "driver: " + string(e) }
func (e stateError) SQLState() string { return string(e) }

// A code holder's access ends with its code: switched off or expired, the actor it gave can no
// longer open tickets, while the requester links of the tickets it opened keep working.
func TestDeskCodeHolderLosesAccessWithCode(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		cases := []struct {
			name string
			// end ends code c's validity; renew (nil: none) makes it usable again.
			end, renew func(t *testing.T, c *device.Code)
		}{
			{"switched off", func(t *testing.T, c *device.Code) {
				_, err := f.desk.SetCodeActive(ctx, f.admin, c.ID, false)
				require.NoError(t, err)
			}, func(t *testing.T, c *device.Code) {
				_, err := f.desk.SetCodeActive(ctx, f.admin, c.ID, true)
				require.NoError(t, err)
			}},
			{"expired", func(t *testing.T, c *device.Code) {
				require.NotNil(t, c.ExpiresAt)
				f.clock.Advance(c.ExpiresAt.Sub(f.clock.Now()))
			}, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				end := f.clock.Now().Add(time.Hour)
				code, holder := f.newHolder(t, f.org, f.devX.ID, helpdesk.NewCode{ExpiresAt: &end})
				before := f.open(t, holder, helpdesk.NewTicket{Title: "while usable", Requester: nurseContact})
				c.end(t, code)

				tk, err := f.desk.SubmitTicket(ctx, holder, helpdesk.NewTicket{Title: "after", Requester: nurseContact})
				assert.Nil(t, tk)
				assert.ErrorIs(t, err, helpdesk.ErrCodeUnusable)
				assert.Equal(t, helpdesk.KindForbidden, helpdesk.KindOf(err))
				_, err = f.desk.OpenCode(ctx, code.Token, "")
				assert.ErrorIs(t, err, helpdesk.ErrCodeUnusable)
				assert.Equal(t, ticket.StateOpen, f.reload(t, before.ID).State)

				requester := f.link(t, before)
				_, err = f.desk.PostMessage(ctx, requester, before.ID, helpdesk.NewMessage{Body: "any news?"})
				assert.NoError(t, err, "the requester link outlives the code")

				if c.renew == nil {
					return
				}
				c.renew(t, code)
				tk, err = f.desk.SubmitTicket(ctx, holder, helpdesk.NewTicket{Title: "again", Requester: nurseContact})
				require.NoError(t, err, "usable again, the code works again")
				assert.Equal(t, ticket.StateOpen, tk.State)
			})
		}
	})
}

// A draft opened before the support plan ended cannot be submitted after it.
func TestDeskSubmitDraftAfterSupportLapsed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		draft, err := f.desk.SubmitTicket(ctx, f.userX, helpdesk.NewTicket{Title: "draft", Draft: true})
		require.NoError(t, err)
		end := f.clock.Now().Add(time.Hour)
		_, err = f.desk.SetSupportPlan(ctx, f.admin, f.custX.ID, &end)
		require.NoError(t, err)
		f.clock.Advance(2 * time.Hour)
		_, err = f.desk.Submit(ctx, f.userX, draft.ID)
		assert.ErrorIs(t, err, helpdesk.ErrSupportLapsed)
		assert.Equal(t, ticket.StateDraft, f.reload(t, draft.ID).State)
	})
}

// Assign asks who before it asks about the state or the input: a requester is forbidden
// whatever the state.
func TestDeskAssignChecksActorFirst(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		for _, st := range []ticket.State{ticket.StateOpen, ticket.StateDone, ticket.StateClosed} {
			tk := f.ticketIn(t, st)
			for _, a := range []helpdesk.Assignment{{AssigneeID: f.agent.UserID}, {}} {
				_, err := f.desk.Assign(t.Context(), f.link(t, tk), tk.ID, a)
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, "requester link (%s, %+v)", st, a)
				_, err = f.desk.Assign(t.Context(), f.agent, tk.ID, a)
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, "agents do not assign (%s, %+v)", st, a)
			}
		}
	})
}

// ---------------------------------------------------------------------------------------------
// Requester links

func TestDeskRequesterLink(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		tk := f.submit(t, "Pump alarms")
		token := f.tokens[tk.ID]
		t.Run("every ticket gets its own secret", func(t *testing.T) {
			others := []*ticket.Ticket{
				tk,
				f.submit(t, "same code, same device"),
				f.open(t, f.userX, helpdesk.NewTicket{Title: "portal"}),
				f.open(t, f.userX, helpdesk.NewTicket{Title: "portal draft", Draft: true}),
				f.open(t, f.agent, helpdesk.NewTicket{Title: "by phone", CustomerID: f.custY.ID}),
				f.open(t, f.system, helpdesk.NewTicket{Title: "monitoring"}),
			}
			tokens := map[string]bool{}
			for _, o := range others {
				tok := f.tokens[o.ID]
				assert.NotEmpty(t, tok, o.Title)
				assert.NotContains(t, tok, o.ID.String(), "the ticket's ID is not readable in the link")
				tokens[tok] = true
			}
			assert.Len(t, tokens, len(others), "no two tickets share a secret")
		})
		t.Run("opens the ticket and an actor for it", func(t *testing.T) {
			page, err := f.desk.OpenRequesterLink(ctx, token)
			require.NoError(t, err)
			assert.Equal(t, tenant.RequesterLink(f.tenant.ID, tk.ID, 1, "Nina Nurse"), page.Actor)
			assert.Equal(t, tenant.ActorRequesterLink, page.Actor.Kind)
			assert.Equal(t, "Nina Nurse", page.Actor.Name, "named after the requester")
			require.NotNil(t, page.Ticket)
			assert.Equal(t, tk.ID, page.Ticket.ID)
			assert.Equal(t, tk.Title, page.Ticket.Title)
		})
		t.Run("a requester without a name", func(t *testing.T) {
			anon := f.open(t, f.holder, helpdesk.NewTicket{Title: "x", Requester: ticket.Contact{Phone: "+49 30 1234567"}})
			page, err := f.desk.OpenRequesterLink(ctx, f.tokens[anon.ID])
			require.NoError(t, err)
			assert.Equal(t, tenant.RequesterLink(f.tenant.ID, anon.ID, 1, ""), page.Actor)
			assert.NoError(t, page.Actor.Validate())
		})
		t.Run("the link survives changes", func(t *testing.T) {
			moved, err := f.desk.Accept(ctx, f.agent, tk.ID)
			require.NoError(t, err)
			assert.Equal(t, tk.LinkVersion, moved.LinkVersion)
			page, err := f.desk.OpenRequesterLink(ctx, token)
			require.NoError(t, err)
			assert.Equal(t, ticket.StateAssigned, page.Ticket.State, "the link shows the current ticket")
		})
		t.Run("the link is signed by the Desk's key, not stored", func(t *testing.T) {
			other, err := helpdesk.New(s, &helpdesk.Config{Now: f.clock.Now, SecretKeys: [][]byte{[]byte(strings.Repeat("k", 32))}})
			require.NoError(t, err)
			_, err = other.OpenRequesterLink(ctx, token)
			assert.ErrorIs(t, err, helpdesk.ErrInvalidLink, "a Desk with another key on the same database")
			rotated, err := helpdesk.New(s, &helpdesk.Config{Now: f.clock.Now, SecretKeys: [][]byte{[]byte(strings.Repeat("k", 32)), testKey}})
			require.NoError(t, err)
			_, err = rotated.OpenRequesterLink(ctx, token)
			assert.NoError(t, err, "an older key kept after the new one still opens its links")
		})
		t.Run("unknown tokens", func(t *testing.T) {
			forged := []byte(token)
			forged[len(forged)-3] ^= 1 // a bit of the MAC
			for name, bad := range map[string]string{
				"empty":               "",
				"random":              device.NewToken(),
				"the code's token":    f.code.Token,
				"a truncated secret":  token[:len(token)-1],
				"the secret, spaced":  " " + token,
				"the secret, shouted": strings.ToUpper(token),
				"a forged MAC":        string(forged),
				"another ticket's ID": strings.Replace(token, token[22:43], f.tokens[f.submit(t, "other").ID][22:43], 1),
			} {
				if bad == token {
					continue // an all-upper-case secret is possible, if unlikely
				}
				page, err := f.desk.OpenRequesterLink(ctx, bad)
				assert.Nil(t, page, name)
				assert.ErrorIs(t, err, helpdesk.ErrInvalidLink, name)
				assert.Equal(t, helpdesk.KindUnauthenticated, helpdesk.KindOf(err), name)
			}
		})
		t.Run("a deleted ticket's link opens nothing", func(t *testing.T) {
			gone := f.submit(t, "to be deleted")
			require.NoError(t, f.desk.DeleteTicket(ctx, f.admin, gone.ID))
			_, err := f.desk.OpenRequesterLink(ctx, f.tokens[gone.ID])
			assert.ErrorIs(t, err, helpdesk.ErrInvalidLink)
		})
		t.Run("the link reaches its ticket alone", func(t *testing.T) {
			other := f.submit(t, "someone else's")
			link := f.link(t, tk)
			_, err := f.desk.Ticket(ctx, link, other.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound)
			_, err = f.desk.PostMessage(ctx, link, other.ID, helpdesk.NewMessage{Body: "hi"})
			assert.ErrorIs(t, err, storage.ErrNotFound)
			for name, op := range map[string]func() error{
				"SubmitTicket": func() error {
					_, err := f.desk.SubmitTicket(ctx, link, helpdesk.NewTicket{Title: "x", Requester: nurseContact})
					return err
				},
				"Tickets": func() error {
					_, err := f.desk.Tickets(ctx, link, storage.TicketFilter{}, storage.PageRequest{})
					return err
				},
				"Tenant":     func() error { _, err := f.desk.Tenant(ctx, link); return err },
				"Statuses":   func() error { _, err := f.desk.Statuses(ctx, link); return err },
				"Priorities": func() error { _, err := f.desk.Priorities(ctx, link); return err },
			} {
				assert.ErrorIs(t, op(), helpdesk.ErrForbidden, name)
			}
		})
		t.Run("the requester follows the ticket through the link", func(t *testing.T) {
			tk := f.ticketIn(t, ticket.StateWaiting)
			link := f.link(t, tk)
			_, err := f.desk.PostMessage(ctx, link, tk.ID, helpdesk.NewMessage{Body: "2.4.1"})
			require.NoError(t, err)
			ms, err := messagesOf(ctx, f.desk, link, tk.ID)
			require.NoError(t, err)
			require.Len(t, ms, 1)
			assert.Equal(t, link.Ref(), ms[0].Author)
			hs := f.history(t, link, tk.ID)
			assert.Equal(t, []string{"submit", "accept", "wait", "message", "resume"}, historyActions(hs))
			assert.Equal(t, f.holder.Ref(), hs[0].Actor, "the code holder submitted")
			assert.Equal(t, link.Ref(), hs[4].Actor)
			_, err = f.desk.Transition(ctx, f.agent, tk.ID, ticket.EventComplete, helpdesk.Change{})
			require.NoError(t, err)
			got, err := f.desk.Rate(ctx, link, tk.ID, 5, "thanks")
			require.NoError(t, err)
			assert.Equal(t, ticket.StateClosed, got.State)
		})
	})
}

// ---------------------------------------------------------------------------------------------
// Projects belong to a customer or to the whole operator

func TestDeskProjectsBelongToCustomer(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		projX := f.project // tied to custX
		projY, err := f.desk.CreateProject(ctx, f.admin, helpdesk.NewProject{Name: "Contoso rollout", CustomerID: f.custY.ID})
		require.NoError(t, err)
		wide, err := f.desk.CreateProject(ctx, f.admin, helpdesk.NewProject{Name: "Recall 2026"})
		require.NoError(t, err)

		t.Run("SubmitTicket", func(t *testing.T) {
			cases := []struct {
				name  string
				actor tenant.Actor
				in    helpdesk.NewTicket
				// want is nil for success, storage.ErrNotFound, or a field for *ValidationError.
				want  error
				field string
			}{
				{"customer user, own customer's project", f.userX, helpdesk.NewTicket{ProjectID: projX.ID}, nil, ""},
				{"customer user, operator-wide project", f.userX, helpdesk.NewTicket{ProjectID: wide.ID}, nil, ""},
				{"customer user, another customer's project", f.userX, helpdesk.NewTicket{ProjectID: projY.ID}, storage.ErrNotFound, ""},
				{"customer admin, another customer's project", f.userY, helpdesk.NewTicket{ProjectID: projX.ID}, storage.ErrNotFound, ""},
				{"customer user, own device, another customer's project", f.userX, helpdesk.NewTicket{DeviceID: f.devX.ID, ProjectID: projY.ID}, storage.ErrNotFound, ""},
				{"customer user, unknown project", f.userX, helpdesk.NewTicket{ProjectID: uuid.New()}, storage.ErrNotFound, ""},
				{"employee, the customer's project", f.agent, helpdesk.NewTicket{CustomerID: f.custY.ID, ProjectID: projY.ID}, nil, ""},
				{"employee, operator-wide project", f.agent, helpdesk.NewTicket{CustomerID: f.custY.ID, ProjectID: wide.ID}, nil, ""},
				{"employee, another customer's project", f.agent, helpdesk.NewTicket{CustomerID: f.custY.ID, ProjectID: projX.ID}, helpdesk.ErrInvalid, "project_id"},
				{"employee, the device's customer and another's project", f.agent, helpdesk.NewTicket{DeviceID: f.devY.ID, ProjectID: projX.ID}, helpdesk.ErrInvalid, "project_id"},
				{"system, another customer's project", f.system, helpdesk.NewTicket{CustomerID: f.custX.ID, ProjectID: projY.ID}, helpdesk.ErrInvalid, "project_id"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					before := f.listAll(t, f.admin, storage.TicketFilter{})
					c.in.Title = c.name
					tk, err := f.desk.SubmitTicket(ctx, c.actor, c.in)
					switch {
					case c.want == nil:
						require.NoError(t, err)
						assert.Equal(t, c.in.ProjectID, tk.ProjectID)
						assert.Equal(t, c.in.ProjectID, f.reload(t, tk.ID).ProjectID)
						return
					case c.field != "":
						assertField(t, err, c.field)
					default:
						assert.ErrorIs(t, err, c.want)
						assert.Equal(t, helpdesk.KindOf(c.want), helpdesk.KindOf(err))
					}
					assert.Nil(t, tk)
					assert.Equal(t, before, f.listAll(t, f.admin, storage.TicketFilter{}), "nothing written")
				})
			}
		})
		t.Run("CreateDevice", func(t *testing.T) {
			cases := []struct {
				name  string
				in    helpdesk.NewDevice
				field string // "" means accepted
			}{
				{"the customer's project", helpdesk.NewDevice{CustomerID: f.custY.ID, ProjectID: projY.ID}, ""},
				{"operator-wide project", helpdesk.NewDevice{CustomerID: f.custY.ID, ProjectID: wide.ID}, ""},
				{"unassigned device, operator-wide project", helpdesk.NewDevice{ProjectID: wide.ID}, ""},
				{"another customer's project", helpdesk.NewDevice{CustomerID: f.custY.ID, ProjectID: projX.ID}, "project_id"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					c.in.Name = "Pump " + c.name
					dev, err := f.desk.CreateDevice(ctx, f.admin, c.in)
					if c.field == "" {
						require.NoError(t, err)
						assert.Equal(t, c.in.ProjectID, dev.ProjectID)
						return
					}
					assert.Nil(t, dev)
					assertField(t, err, c.field)
					page, err := f.desk.Devices(ctx, f.admin, storage.DeviceFilter{CustomerID: f.custY.ID}, storage.PageRequest{Limit: storage.MaxPageSize})
					require.NoError(t, err)
					for _, d := range page.Items {
						assert.NotEqual(t, c.in.Name, d.Name, "nothing written")
					}
				})
			}
		})
		t.Run("CreateCustomer", func(t *testing.T) {
			_, err := f.desk.CreateCustomer(ctx, f.admin, helpdesk.NewCustomer{Name: "Fabrikam", ProjectID: projX.ID})
			assertField(t, err, "project_id")
			c, err := f.desk.CreateCustomer(ctx, f.admin, helpdesk.NewCustomer{Name: "Fabrikam", ProjectID: wide.ID})
			require.NoError(t, err)
			assert.Equal(t, wide.ID, c.ProjectID)
			_, err = f.desk.CreateCustomer(ctx, f.admin, helpdesk.NewCustomer{Name: "Tailspin", ProjectID: uuid.New()})
			assert.ErrorIs(t, err, storage.ErrNotFound)
			cs, err := f.desk.Customers(ctx, f.admin)
			require.NoError(t, err)
			var names []string
			for _, c := range cs {
				names = append(names, c.Name)
			}
			assert.ElementsMatch(t, []string{"Northwind Hospital", "Contoso Clinic", "Fabrikam"}, names, "the refused customers were not written")
		})
	})
}

// ---------------------------------------------------------------------------------------------
// Customers and support plans

func TestDeskCreateCustomerValidation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		var zero time.Time
		later := f.clock.Now().Add(30 * 24 * time.Hour)
		cases := []struct {
			name  string
			in    helpdesk.NewCustomer
			field string // "" means accepted
		}{
			{"no name", helpdesk.NewCustomer{Name: "  "}, "name"},
			{"bad language", helpdesk.NewCustomer{Name: "A", Language: "German"}, "language"},
			{"zero support end", helpdesk.NewCustomer{Name: "A", SupportUntil: &zero}, "support_until"},
			{"support end set", helpdesk.NewCustomer{Name: "With plan", SupportUntil: &later}, ""},
			{"unlimited support", helpdesk.NewCustomer{Name: "Without plan"}, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := f.desk.CreateCustomer(ctx, f.admin, c.in)
				if c.field == "" {
					require.NoError(t, err)
					stored, err := f.desk.Customer(ctx, f.admin, got.ID)
					require.NoError(t, err)
					if c.in.SupportUntil == nil {
						assert.Nil(t, stored.SupportUntil)
					} else {
						assertTime(t, *c.in.SupportUntil, stored.SupportUntil, "support until")
					}
					return
				}
				assert.Nil(t, got)
				assertField(t, err, c.field)
			})
		}
		t.Run("SetSupportPlan refuses the zero time", func(t *testing.T) {
			_, err := f.desk.SetSupportPlan(ctx, f.admin, f.custX.ID, &later)
			require.NoError(t, err)
			got, err := f.desk.SetSupportPlan(ctx, f.admin, f.custX.ID, &zero)
			assert.Nil(t, got)
			assertField(t, err, "support_until")
			stored, err := f.desk.Customer(ctx, f.admin, f.custX.ID)
			require.NoError(t, err)
			assertTime(t, later, stored.SupportUntil, "the plan is unchanged")
			_, err = f.desk.SubmitTicket(ctx, f.userX, helpdesk.NewTicket{Title: "still supported"})
			assert.NoError(t, err)
		})
	})
}

func TestValidationErrorUnwrap(t *testing.T) {
	cases := []struct {
		name   string
		err    *helpdesk.ValidationError
		is     []error
		isNot  []error
		prefix string
	}{
		{"without a cause", &helpdesk.ValidationError{Field: "title", Problem: "is required"},
			[]error{helpdesk.ErrInvalid}, []error{device.ErrInvalidPIN}, "invalid title: is required"},
		{"with a cause", &helpdesk.ValidationError{Field: "pin", Problem: "a PIN is 4 to 12 digits", Err: device.ErrInvalidPIN},
			[]error{helpdesk.ErrInvalid, device.ErrInvalidPIN}, []error{helpdesk.ErrForbidden}, "invalid pin: a PIN is 4 to 12 digits"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wrapped := fmt.Errorf("create code: %w", c.err)
			for _, target := range c.is {
				assert.ErrorIs(t, wrapped, target)
			}
			for _, target := range c.isNot {
				assert.NotErrorIs(t, wrapped, target)
			}
			assert.Equal(t, c.prefix, c.err.Error())
		})
	}
}
