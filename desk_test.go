package helpdesk_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
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
	// custX and custY are two customers; userX and userY one user of each.
	custX, custY *tenant.Customer
	userX, userY tenant.Actor
	tpl          *device.Template
	// devX belongs to custX (and project), devY to custY.
	devX, devY *device.Device
	// code opens devX; holder is the actor OpenCode returned for it.
	code   *device.Code
	holder tenant.Actor
}

// fixture is a Desk on one store with one operator set up (the embedded *org).
type fixture struct {
	desk  *helpdesk.Desk
	clock *fakeClock
	store *bunstore.Store
	*org
}

var nurseContact = ticket.Contact{Name: "Nina Nurse", Email: "nina@northwind.example"}

func newFixture(t *testing.T, s *bunstore.Store) *fixture {
	t.Helper()
	d, clock := newDesk(t, s)
	f := &fixture{desk: d, clock: clock, store: s}
	f.org = f.addTenant(t, "Acme Service", "")
	return f
}

// addTenant creates an operator with two customers, a template, two devices and a code for devX.
func (f *fixture) addTenant(t *testing.T, name, prefix string) *org {
	t.Helper()
	ctx := t.Context()
	ten, err := f.desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: name, TicketPrefix: prefix})
	require.NoError(t, err)
	o := &org{
		tenant:     ten,
		admin:      tenant.Employee(ten.ID, uuid.New(), tenant.RoleAdmin, "Ada Admin"),
		supervisor: tenant.Employee(ten.ID, uuid.New(), tenant.RoleSupervisor, "Sue Supervisor"),
		agent:      tenant.Employee(ten.ID, uuid.New(), tenant.RoleAgent, "Sam Agent"),
		agent2:     tenant.Employee(ten.ID, uuid.New(), tenant.RoleAgent, "Alex Agent"),
		system:     tenant.SystemFor(ten.ID),
	}
	o.custX, err = f.desk.CreateCustomer(ctx, o.admin, helpdesk.NewCustomer{Name: "Northwind Hospital"})
	require.NoError(t, err)
	o.custY, err = f.desk.CreateCustomer(ctx, o.admin, helpdesk.NewCustomer{Name: "Contoso Clinic"})
	require.NoError(t, err)
	o.userX = tenant.CustomerUser(ten.ID, o.custX.ID, uuid.New(), tenant.RoleCustomerUser, "Xena Customer")
	o.userY = tenant.CustomerUser(ten.ID, o.custY.ID, uuid.New(), tenant.RoleCustomerAdmin, "Yuri Customer")
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
	o.code, err = f.desk.CreateCode(ctx, o.admin, o.devX.ID, helpdesk.NewCode{})
	require.NoError(t, err)
	page, err := f.desk.OpenCode(ctx, o.code.Token, "")
	require.NoError(t, err)
	o.holder = page.Actor
	return o
}

// newHolder creates a code for dev with in and returns the code and the actor OpenCode gives.
func (f *fixture) newHolder(t *testing.T, o *org, dev uuid.UUID, in helpdesk.NewCode) (*device.Code, tenant.Actor) {
	t.Helper()
	c, err := f.desk.CreateCode(t.Context(), o.admin, dev, in)
	require.NoError(t, err)
	page, err := f.desk.OpenCode(t.Context(), c.Token, in.PIN)
	require.NoError(t, err)
	return c, page.Actor
}

// submit opens a ticket for devX through the fixture's code.
func (f *fixture) submit(t *testing.T, title string) *ticket.Ticket {
	t.Helper()
	tk, err := f.desk.SubmitTicket(t.Context(), f.holder, helpdesk.NewTicket{Title: title, Requester: nurseContact})
	require.NoError(t, err)
	return tk
}

// ticketIn returns a fresh ticket (opened through the code) walked by staff to state.
func (f *fixture) ticketIn(t *testing.T, state ticket.State) *ticket.Ticket {
	t.Helper()
	ctx := t.Context()
	if state == ticket.StateDraft {
		tk, err := f.desk.SubmitTicket(ctx, f.holder, helpdesk.NewTicket{Title: "a draft", Requester: nurseContact, Draft: true})
		require.NoError(t, err)
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
	tk := f.submit(t, "a case to be "+string(state))
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
	hs, err := f.desk.History(t.Context(), actor, id)
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
	assert.Equal(t, helpdesk.CodeInvalid, helpdesk.ErrorCode(err))
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

		first, err := f.desk.SubmitTicket(ctx, nurse, helpdesk.NewTicket{
			Title: "  Pump alarms  ", Description: "Occlusion alarm.", Requester: nurseContact,
		})
		require.NoError(t, err)
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
			}
		})
		t.Run("history names the actor", func(t *testing.T) {
			hs := f.history(t, f.admin, first.ID)
			require.Len(t, hs, 1)
			h := hs[0]
			assert.Equal(t, "submit", h.Action)
			assert.Equal(t, string(ticket.StateDraft), h.From)
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
				assert.Equal(t, helpdesk.CodeForbidden, helpdesk.ErrorCode(err))
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
			assert.Equal(t, helpdesk.CodeNotFound, helpdesk.ErrorCode(err))
		})
		t.Run("customer or project cannot be chosen", func(t *testing.T) {
			_, err := f.desk.SubmitTicket(ctx, f.holder, helpdesk.NewTicket{Title: "x", Requester: nurseContact, CustomerID: f.custY.ID})
			assert.ErrorIs(t, err, helpdesk.ErrInvalid)
			_, err = f.desk.SubmitTicket(ctx, f.holder, helpdesk.NewTicket{Title: "x", Requester: nurseContact, ProjectID: f.project.ID})
			assert.ErrorIs(t, err, helpdesk.ErrInvalid)
		})
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
				assert.Equal(t, helpdesk.CodeNotFound, helpdesk.ErrorCode(err))
			}
		})
		t.Run("scan count increments", func(t *testing.T) {
			c, err := f.desk.CreateCode(ctx, f.admin, f.devX.ID, helpdesk.NewCode{})
			require.NoError(t, err)
			require.Zero(t, c.ScanCount)
			for want := int64(1); want <= 3; want++ {
				f.clock.Advance(time.Minute)
				page, err := f.desk.OpenCode(ctx, c.Token, "")
				require.NoError(t, err)
				assert.Equal(t, want, page.Code.ScanCount)
				assertTime(t, f.clock.Now(), page.Code.LastScanAt, "last scan")
			}
			// The count is stored, not just returned: a fresh read sees it.
			stored, err := f.store.GetCode(ctx, f.tenant.ID, c.ID)
			require.NoError(t, err)
			assert.Equal(t, int64(3), stored.ScanCount)
		})
		t.Run("page for the code's device", func(t *testing.T) {
			page, err := f.desk.OpenCode(ctx, f.code.Token, "")
			require.NoError(t, err)
			assert.Equal(t, tenant.CodeHolder(f.tenant.ID, f.devX.ID, f.code.ID), page.Actor)
			assert.Equal(t, f.devX.ID, page.Device.ID)
			require.NotNil(t, page.Template)
			assert.Equal(t, f.tpl.ID, page.Template.ID)
			assert.Equal(t, f.tpl.Blocks, page.Template.Blocks)
		})
		t.Run("only public fields and values", func(t *testing.T) {
			page, err := f.desk.OpenCode(ctx, f.code.Token, "")
			require.NoError(t, err)
			require.NotNil(t, page.Template)
			var keys []string
			for _, fd := range page.Template.Fields {
				keys = append(keys, fd.Key)
			}
			assert.Equal(t, []string{"firmware"}, keys)
			assert.Equal(t, map[string]string{"firmware": "2.4.1"}, page.Device.Fields)
			// Staff still see everything: the page filtered a copy.
			tpl, err := f.desk.Template(ctx, f.admin, f.tpl.ID)
			require.NoError(t, err)
			assert.Len(t, tpl.Fields, 2)
			dev, err := f.desk.Device(ctx, f.admin, f.devX.ID)
			require.NoError(t, err)
			assert.Equal(t, "9999", dev.Fields["service_pin"])
		})
		t.Run("device without template shows no fields", func(t *testing.T) {
			dev, err := f.desk.CreateDevice(ctx, f.admin, helpdesk.NewDevice{Name: "Loose pump"})
			require.NoError(t, err)
			c, err := f.desk.CreateCode(ctx, f.admin, dev.ID, helpdesk.NewCode{})
			require.NoError(t, err)
			page, err := f.desk.OpenCode(ctx, c.Token, "")
			require.NoError(t, err)
			assert.Nil(t, page.Template)
			assert.Empty(t, page.Device.Fields)
		})
		t.Run("PIN", func(t *testing.T) {
			c, err := f.desk.CreateCode(ctx, f.admin, f.devX.ID, helpdesk.NewCode{PIN: "4711"})
			require.NoError(t, err)
			assert.NotContains(t, c.PINHash, "4711")
			for _, pin := range []string{"", "1234", "47110", " 4711"} {
				page, err := f.desk.OpenCode(ctx, c.Token, pin)
				assert.Nil(t, page, "pin %q", pin)
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, "pin %q", pin)
				assert.Equal(t, helpdesk.CodeForbidden, helpdesk.ErrorCode(err))
			}
			page, err := f.desk.OpenCode(ctx, c.Token, "4711")
			require.NoError(t, err)
			assert.Equal(t, c.ID, page.Actor.CodeID)
		})
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
				assert.Equal(t, helpdesk.CodeNotFound, helpdesk.ErrorCode(err))
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
			link := tenant.RequesterLink(f.tenant.ID, tk.ID, "")
			got, err := f.desk.SubmitTicket(ctx, link, helpdesk.NewTicket{Title: "another", Requester: nurseContact})
			assert.Nil(t, got)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			assert.Equal(t, helpdesk.CodeForbidden, helpdesk.ErrorCode(err))
		})
		t.Run("invalid actor", func(t *testing.T) {
			_, err := f.desk.SubmitTicket(ctx, tenant.Actor{Kind: tenant.ActorEmployee, TenantID: f.tenant.ID}, helpdesk.NewTicket{Title: "x"})
			assert.ErrorIs(t, err, tenant.ErrInvalidActor)
			assert.Equal(t, helpdesk.CodeUnauthenticated, helpdesk.ErrorCode(err))
			_, err = f.desk.SubmitTicket(ctx, tenant.System(), helpdesk.NewTicket{Title: "x"})
			assert.ErrorIs(t, err, tenant.ErrInvalidActor, "the platform actor acts in no tenant")
		})
	})
}

func TestDeskSubmitSupportLapsed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		first, err := f.desk.SubmitTicket(ctx, f.userX, helpdesk.NewTicket{Title: "before the plan ends"})
		require.NoError(t, err)
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
				assert.Equal(t, helpdesk.CodeForbidden, helpdesk.ErrorCode(err))
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
		for _, actor := range []tenant.Actor{f.holder, f.userX, f.agent} {
			t.Run(string(actor.Kind), func(t *testing.T) {
				draft, err := f.desk.SubmitTicket(ctx, actor, helpdesk.NewTicket{Title: "half done", Requester: nurseContact, DeviceID: f.devX.ID, Draft: true})
				require.NoError(t, err)
				assert.Equal(t, ticket.StateDraft, draft.State)
				assert.NotZero(t, draft.Number, "a draft is numbered already")
				hs := f.history(t, f.admin, draft.ID)
				require.Len(t, hs, 1)
				assert.Equal(t, "create", hs[0].Action)
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
	})
}

// ---------------------------------------------------------------------------------------------
// Lifecycle through the Desk

// lifecycleTable is the ticket lifecycle as DOMAIN.md states it, written out independently of
// ticket.TicketLifecycle so the Desk is checked against the documentation.
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
	ticket.EventExpire:   {[]ticket.State{ticket.StateWaiting, ticket.StateDone}, ticket.StateClosed},
	ticket.EventReject:   {[]ticket.State{ticket.StateOpen, ticket.StateAssigned}, ticket.StateCancelled},
	ticket.EventCancel:   {[]ticket.State{ticket.StateDraft, ticket.StateOpen, ticket.StateAssigned, ticket.StateInProgress, ticket.StateWaiting}, ticket.StateCancelled},
	ticket.EventReopen:   {[]ticket.State{ticket.StateDone, ticket.StateClosed}, ticket.StateAssigned},
}

// firer returns an actor allowed to fire ev and a Change that satisfies it.
func (f *fixture) firer(ev ticket.Event) (tenant.Actor, helpdesk.Change) {
	reason := helpdesk.Change{Reason: "because " + string(ev)}
	switch ev {
	case ticket.EventSubmit, ticket.EventResume, ticket.EventCancel:
		return f.holder, reason
	case ticket.EventRate:
		return f.holder, helpdesk.Change{Stars: 4, Comment: " quick fix "}
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
					actor, ch := f.firer(ev)
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
				t.Run(fmt.Sprintf("%s from %s", ev, from), func(t *testing.T) {
					actor, ch := f.firer(ev)
					got, err := f.desk.Transition(t.Context(), actor, tk.ID, ev, ch)
					assert.Nil(t, got)
					require.Error(t, err)
					assert.ErrorIs(t, err, ticket.ErrInvalidTransition)
					assert.Equal(t, helpdesk.CodeConflict, helpdesk.ErrorCode(err))
					var te *ticket.TransitionError
					if assert.ErrorAs(t, err, &te) {
						assert.Equal(t, string(from), te.From)
						assert.Equal(t, string(ev), te.Event)
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
		cases := []struct {
			name  string
			from  ticket.State
			ev    ticket.Event
			actor func(tk *ticket.Ticket) tenant.Actor
			ch    helpdesk.Change
			ok    bool
		}{
			{"agent assigns", ticket.StateOpen, ticket.EventAssign, f.as(f.agent), assign, false},
			{"agent rejects", ticket.StateOpen, ticket.EventReject, f.as(f.agent), reason, false},
			{"requester assigns", ticket.StateOpen, ticket.EventAssign, f.as(f.holder), assign, false},
			{"customer user rejects", ticket.StateOpen, ticket.EventReject, f.as(f.userX), reason, false},
			{"supervisor assigns", ticket.StateOpen, ticket.EventAssign, f.as(f.supervisor), assign, true},
			{"moderator rejects", ticket.StateOpen, ticket.EventReject, f.as(tenant.Employee(f.tenant.ID, uuid.New(), tenant.RoleModerator, "Mo")), reason, true},
			{"admin rejects", ticket.StateAssigned, ticket.EventReject, f.as(f.admin), reason, true},
			{"system assigns", ticket.StateOpen, ticket.EventAssign, f.as(f.system), assign, true},
			{"requester accepts", ticket.StateOpen, ticket.EventAccept, f.as(f.holder), helpdesk.Change{}, false},
			{"system accepts", ticket.StateOpen, ticket.EventAccept, f.as(f.system), helpdesk.Change{}, false},
			{"supervisor accepts", ticket.StateOpen, ticket.EventAccept, f.as(f.supervisor), helpdesk.Change{}, true},
			{"requester starts", ticket.StateAssigned, ticket.EventStart, f.as(f.holder), helpdesk.Change{}, false},
			{"requester link starts", ticket.StateAssigned, ticket.EventStart, requesterLink, helpdesk.Change{}, false},
			{"customer user starts", ticket.StateAssigned, ticket.EventStart, f.as(f.userX), helpdesk.Change{}, false},
			{"requester waits", ticket.StateInProgress, ticket.EventWait, f.as(f.holder), helpdesk.Change{}, false},
			{"requester completes", ticket.StateInProgress, ticket.EventComplete, f.as(f.holder), helpdesk.Change{}, false},
			{"customer user completes", ticket.StateInProgress, ticket.EventComplete, f.as(f.userX), helpdesk.Change{}, false},
			{"system starts", ticket.StateAssigned, ticket.EventStart, f.as(f.system), helpdesk.Change{}, true},
			{"system completes", ticket.StateInProgress, ticket.EventComplete, f.as(f.system), helpdesk.Change{}, true},
			{"requester resumes", ticket.StateWaiting, ticket.EventResume, f.as(f.holder), helpdesk.Change{}, true},
			{"agent rates", ticket.StateDone, ticket.EventRate, f.as(f.agent), helpdesk.Change{Stars: 5}, false},
			{"supervisor rates", ticket.StateDone, ticket.EventRate, f.as(f.supervisor), helpdesk.Change{Stars: 5}, false},
			{"system rates", ticket.StateDone, ticket.EventRate, f.as(f.system), helpdesk.Change{Stars: 5}, false},
			{"requester link rates", ticket.StateDone, ticket.EventRate, requesterLink, helpdesk.Change{Stars: 5}, true},
			{"customer user rates", ticket.StateDone, ticket.EventRate, f.as(f.userX), helpdesk.Change{Stars: 5}, true},
			{"agent expires", ticket.StateWaiting, ticket.EventExpire, f.as(f.agent), reason, false},
			{"admin expires", ticket.StateDone, ticket.EventExpire, f.as(f.admin), reason, false},
			{"requester expires", ticket.StateDone, ticket.EventExpire, f.as(f.holder), reason, false},
			{"system expires", ticket.StateDone, ticket.EventExpire, f.as(f.system), reason, true},
			{"requester closes", ticket.StateDone, ticket.EventClose, f.as(f.holder), reason, true},
			{"requester cancels", ticket.StateOpen, ticket.EventCancel, f.as(f.holder), reason, true},
			{"requester reopens", ticket.StateClosed, ticket.EventReopen, f.as(f.holder), helpdesk.Change{}, true},
			{"requester submits", ticket.StateDraft, ticket.EventSubmit, f.as(f.holder), helpdesk.Change{}, true},
			{"agent submits", ticket.StateDraft, ticket.EventSubmit, f.as(f.agent), helpdesk.Change{}, true},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				tk := f.ticketIn(t, c.from)
				before := f.history(t, f.admin, tk.ID)
				got, err := f.desk.Transition(t.Context(), c.actor(tk), tk.ID, c.ev, c.ch)
				if c.ok {
					require.NoError(t, err)
					assert.Equal(t, lifecycleTable[c.ev].to, got.State)
					return
				}
				assert.Nil(t, got)
				assert.ErrorIs(t, err, helpdesk.ErrForbidden)
				assert.Equal(t, helpdesk.CodeForbidden, helpdesk.ErrorCode(err))
				stored := f.reload(t, tk.ID)
				assert.Equal(t, c.from, stored.State)
				assert.Equal(t, tk.Version, stored.Version)
				assert.Len(t, f.history(t, f.admin, tk.ID), len(before), "no history written")
			})
		}
	})
}

// Transition's doc comment says "close, cancel, reopen: employees and the requester", and
// DOMAIN.md's who column names no system actor for them either (the system closes through
// expire), while the lines around them name "the system" wherever it is meant.
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
		for _, a := range []tenant.Actor{f.admin, f.system, f.holder} {
			got, err := f.desk.Transition(t.Context(), a, tk.ID, ticket.Event("fly"), helpdesk.Change{})
			assert.Nil(t, got, string(a.Kind))
			assert.ErrorIs(t, err, ticket.ErrUnknownEvent, string(a.Kind))
			assert.Equal(t, helpdesk.CodeInvalid, helpdesk.ErrorCode(err), string(a.Kind))
		}
		stored := f.reload(t, tk.ID)
		assert.Equal(t, ticket.StateOpen, stored.State)
		assert.Equal(t, tk.Version, stored.Version)
		assert.Len(t, f.history(t, f.admin, tk.ID), 1)
	})
}

func (f *fixture) as(a tenant.Actor) func(*ticket.Ticket) tenant.Actor {
	return func(*ticket.Ticket) tenant.Actor { return a }
}

func requesterLink(tk *ticket.Ticket) tenant.Actor {
	return tenant.RequesterLink(tk.TenantID, tk.ID, "Nina")
}

func TestDeskTransitionChangeValidation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		cases := []struct {
			name  string
			from  ticket.State
			ev    ticket.Event
			actor tenant.Actor
			ch    helpdesk.Change
			field string // "" means accepted
		}{
			{"reject without reason", ticket.StateOpen, ticket.EventReject, f.supervisor, helpdesk.Change{}, "reason"},
			{"reject with blank reason", ticket.StateAssigned, ticket.EventReject, f.supervisor, helpdesk.Change{Reason: " \t "}, "reason"},
			{"reject with a reason", ticket.StateOpen, ticket.EventReject, f.supervisor, helpdesk.Change{Reason: "duplicate of T-000001"}, ""},
			{"cancel without reason", ticket.StateOpen, ticket.EventCancel, f.holder, helpdesk.Change{}, ""},
			{"close with an oversized reason", ticket.StateDone, ticket.EventClose, f.agent, helpdesk.Change{Reason: strings.Repeat("x", helpdesk.MaxReasonLen+1)}, "reason"},
			{"rate 0 stars", ticket.StateDone, ticket.EventRate, f.holder, helpdesk.Change{Stars: 0}, "stars"},
			{"rate 6 stars", ticket.StateDone, ticket.EventRate, f.holder, helpdesk.Change{Stars: 6}, "stars"},
			{"rate -1 stars", ticket.StateDone, ticket.EventRate, f.holder, helpdesk.Change{Stars: -1}, "stars"},
			{"rate 1 star", ticket.StateDone, ticket.EventRate, f.holder, helpdesk.Change{Stars: 1}, ""},
			{"rate 5 stars", ticket.StateDone, ticket.EventRate, f.holder, helpdesk.Change{Stars: 5, Comment: "great"}, ""},
			{"assign nobody", ticket.StateOpen, ticket.EventAssign, f.supervisor, helpdesk.Change{}, "assignee_id"},
			{"assign a team only", ticket.StateOpen, ticket.EventAssign, f.supervisor, helpdesk.Change{TeamID: uuid.New()}, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				tk := f.ticketIn(t, c.from)
				got, err := f.desk.Transition(t.Context(), c.actor, tk.ID, c.ev, c.ch)
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
			_, err := f.desk.Rate(t.Context(), f.holder, tk.ID, 7, "")
			assertField(t, err, "stars")
			got, err := f.desk.Rate(t.Context(), f.holder, tk.ID, 3, "ok")
			require.NoError(t, err)
			assert.Equal(t, 3, got.Rating.Stars)
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

		got, err = f.desk.Transition(ctx, f.holder, tk.ID, ticket.EventReopen, helpdesk.Change{Reason: "alarm again"})
		require.NoError(t, err)
		assert.Equal(t, ticket.StateAssigned, got.State)

		_, err = f.desk.Transition(ctx, f.agent, tk.ID, ticket.EventComplete, helpdesk.Change{})
		require.NoError(t, err)
		got, err = f.desk.Rate(ctx, requesterLink(tk), tk.ID, 5, "thanks")
		require.NoError(t, err)
		assert.Equal(t, ticket.StateClosed, got.State)

		hs := f.history(t, f.admin, tk.ID)
		assert.Equal(t, []string{"submit", "accept", "close", "reopen", "complete", "rate"}, historyActions(hs))
		assert.Equal(t, f.agent.Ref(), hs[1].Actor)
		assert.Equal(t, "fixed on site", hs[2].Reason)
		assert.Equal(t, f.holder.Ref(), hs[3].Actor)
		assert.Equal(t, requesterLink(tk).Ref(), hs[5].Actor)
		assert.Equal(t, "5/5 thanks", hs[5].Reason)
	})
}

func TestDeskAssign(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		team := uuid.New()
		t.Run("from open is the assign event", func(t *testing.T) {
			tk := f.ticketIn(t, ticket.StateOpen)
			got, err := f.desk.Assign(ctx, f.supervisor, tk.ID, f.agent2.UserID, team, "pump expert")
			require.NoError(t, err)
			assert.Equal(t, ticket.StateAssigned, got.State)
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
		for _, from := range []ticket.State{ticket.StateAssigned, ticket.StateInProgress, ticket.StateWaiting} {
			t.Run("from "+string(from)+" is a reassign", func(t *testing.T) {
				tk := f.ticketIn(t, from)
				require.Equal(t, f.agent.UserID, tk.AssigneeID)
				before := f.history(t, f.admin, tk.ID)
				got, err := f.desk.Assign(ctx, f.supervisor, tk.ID, f.agent2.UserID, uuid.Nil, "shift change")
				require.NoError(t, err)
				assert.Equal(t, from, got.State, "state kept")
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
			})
		}
		for _, from := range []ticket.State{ticket.StateDraft, ticket.StateDone, ticket.StateClosed, ticket.StateCancelled} {
			t.Run("refused from "+string(from), func(t *testing.T) {
				tk := f.ticketIn(t, from)
				_, err := f.desk.Assign(ctx, f.supervisor, tk.ID, f.agent2.UserID, uuid.Nil, "")
				assert.ErrorIs(t, err, ticket.ErrInvalidTransition)
				assert.Equal(t, helpdesk.CodeConflict, helpdesk.ErrorCode(err))
				stored := f.reload(t, tk.ID)
				assert.Equal(t, tk.Version, stored.Version)
				assert.Equal(t, tk.AssigneeID, stored.AssigneeID)
			})
		}
		forbidden := []struct {
			name  string
			from  ticket.State
			actor tenant.Actor
		}{
			{"agent from open", ticket.StateOpen, f.agent},
			{"agent from in_progress", ticket.StateInProgress, f.agent},
			{"requester from in_progress", ticket.StateInProgress, f.holder},
			{"customer user from waiting", ticket.StateWaiting, f.userX},
		}
		for _, c := range forbidden {
			t.Run("forbidden: "+c.name, func(t *testing.T) {
				tk := f.ticketIn(t, c.from)
				_, err := f.desk.Assign(ctx, c.actor, tk.ID, f.agent2.UserID, uuid.Nil, "")
				assert.ErrorIs(t, err, helpdesk.ErrForbidden)
				assert.Equal(t, tk.AssigneeID, f.reload(t, tk.ID).AssigneeID)
			})
		}
		t.Run("nobody to assign", func(t *testing.T) {
			tk := f.ticketIn(t, ticket.StateInProgress)
			_, err := f.desk.Assign(ctx, f.supervisor, tk.ID, uuid.Nil, uuid.Nil, "")
			assertField(t, err, "assignee_id")
			assert.Equal(t, f.agent.UserID, f.reload(t, tk.ID).AssigneeID)
		})
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
					_, err = f.desk.Rate(ctx, f.holder, tk.ID, 2, "slow")
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
			for _, a := range []tenant.Actor{f.holder, requesterLink(tk), f.userX} {
				m, err := f.desk.PostMessage(ctx, a, tk.ID, helpdesk.NewMessage{Body: "secret", Internal: true})
				assert.Nil(t, m, string(a.Kind))
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, string(a.Kind))
			}
			for _, a := range []tenant.Actor{f.agent, f.system} {
				m, err := f.desk.PostMessage(ctx, a, tk.ID, helpdesk.NewMessage{Body: "note", Internal: true})
				require.NoError(t, err, string(a.Kind))
				assert.Equal(t, ticket.Internal, m.Visibility)
				assert.Equal(t, a.Ref(), m.Author)
			}
			ms, err := f.desk.Messages(ctx, f.admin, tk.ID)
			require.NoError(t, err)
			assert.Len(t, ms, 2, "the refused posts wrote nothing")
		})
		requesters := []struct {
			name  string
			actor func(*ticket.Ticket) tenant.Actor
		}{
			{"code holder", f.as(f.holder)},
			{"requester link", requesterLink},
			{"customer user", f.as(f.userX)},
		}
		for _, r := range requesters {
			t.Run(r.name+" reply resumes a waiting ticket", func(t *testing.T) {
				tk := f.ticketIn(t, ticket.StateWaiting)
				a := r.actor(tk)
				f.clock.Advance(time.Minute)
				m, err := f.desk.PostMessage(ctx, a, tk.ID, helpdesk.NewMessage{Body: "  firmware 2.4.1  "})
				require.NoError(t, err)
				assert.Equal(t, "firmware 2.4.1", m.Body)
				assert.Equal(t, ticket.Public, m.Visibility)
				stored := f.reload(t, tk.ID)
				assert.Equal(t, ticket.StateInProgress, stored.State)
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
		t.Run("requester reply to a non-waiting ticket keeps its state", func(t *testing.T) {
			tk := f.ticketIn(t, ticket.StateInProgress)
			_, err := f.desk.PostMessage(ctx, f.holder, tk.ID, helpdesk.NewMessage{Body: "hello"})
			require.NoError(t, err)
			stored := f.reload(t, tk.ID)
			assert.Equal(t, ticket.StateInProgress, stored.State)
			assert.Equal(t, tk.Version, stored.Version)
		})
		for _, state := range []ticket.State{ticket.StateClosed, ticket.StateCancelled} {
			t.Run("requester cannot post on "+string(state), func(t *testing.T) {
				tk := f.ticketIn(t, state)
				for _, a := range []tenant.Actor{f.holder, requesterLink(tk), f.userX} {
					m, err := f.desk.PostMessage(ctx, a, tk.ID, helpdesk.NewMessage{Body: "hello?"})
					assert.Nil(t, m)
					assert.ErrorIs(t, err, helpdesk.ErrTicketClosed, string(a.Kind))
					assert.Equal(t, helpdesk.CodeConflict, helpdesk.ErrorCode(err))
				}
				_, err := f.desk.PostMessage(ctx, f.agent, tk.ID, helpdesk.NewMessage{Body: "closing note"})
				assert.NoError(t, err, "staff may still post")
				ms, err := f.desk.Messages(ctx, f.admin, tk.ID)
				require.NoError(t, err)
				assert.Len(t, ms, 1)
			})
		}
		t.Run("body required", func(t *testing.T) {
			tk := f.ticketIn(t, ticket.StateOpen)
			_, err := f.desk.PostMessage(ctx, f.agent, tk.ID, helpdesk.NewMessage{Body: "  \n "})
			assertField(t, err, "body")
		})
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
		_, err = f.desk.PostMessage(ctx, f.holder, tk.ID, helpdesk.NewMessage{Body: "2.4.1"})
		require.NoError(t, err)

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
			{"code holder", f.holder, []string{"Which firmware?", "2.4.1"}, []string{"submit", "accept", "message", "message"}},
			{"requester link", requesterLink(tk), []string{"Which firmware?", "2.4.1"}, []string{"submit", "accept", "message", "message"}},
			{"customer user", f.userX, []string{"Which firmware?", "2.4.1"}, []string{"submit", "accept", "message", "message"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ms, err := f.desk.Messages(ctx, c.actor, tk.ID)
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
			"requester link": tenant.RequesterLink(b.tenant.ID, tk.ID, ""),
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
				_, err := f.desk.Assign(ctx, a, tk.ID, uuid.New(), uuid.Nil, "")
				return err
			},
			"PostMessage": func(a tenant.Actor) error {
				_, err := f.desk.PostMessage(ctx, a, tk.ID, helpdesk.NewMessage{Body: "hi"})
				return err
			},
			"Messages": func(a tenant.Actor) error { _, err := f.desk.Messages(ctx, a, tk.ID); return err },
			"History":  func(a tenant.Actor) error { _, err := f.desk.History(ctx, a, tk.ID); return err },
		}
		for an, a := range actors {
			for on, op := range ops {
				t.Run(an+"/"+on, func(t *testing.T) {
					err := op(a)
					assert.ErrorIs(t, err, storage.ErrNotFound)
					assert.Equal(t, helpdesk.CodeNotFound, helpdesk.ErrorCode(err))
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
			ms, err := f.desk.Messages(ctx, f.admin, tk.ID)
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
		viaCode2, err := f.desk.SubmitTicket(ctx, holder2, helpdesk.NewTicket{Title: "through code 2", Requester: nurseContact})
		require.NoError(t, err)
		byUserX, err := f.desk.SubmitTicket(ctx, f.userX, helpdesk.NewTicket{Title: "X's portal ticket", DeviceID: f.devX.ID})
		require.NoError(t, err)
		forY, err := f.desk.SubmitTicket(ctx, f.agent, helpdesk.NewTicket{Title: "for Y", DeviceID: f.devY.ID})
		require.NoError(t, err)
		all := []*ticket.Ticket{viaCode, viaCode2, byUserX, forY}

		cases := []struct {
			name    string
			actor   tenant.Actor
			visible []*ticket.Ticket
		}{
			{"agent", f.agent, all},
			{"system", f.system, all},
			{"customer user X", f.userX, []*ticket.Ticket{viaCode, viaCode2, byUserX}},
			{"customer user Y", f.userY, []*ticket.Ticket{forY}},
			{"code holder", f.holder, []*ticket.Ticket{viaCode}},
			{"holder of code 2", holder2, []*ticket.Ticket{viaCode2}},
			{"requester link", requesterLink(viaCode), []*ticket.Ticket{viaCode}},
			{"requester link for Y's ticket", requesterLink(forY), []*ticket.Ticket{forY}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				for _, tk := range all {
					want := slices.Contains(c.visible, tk)
					got, err := f.desk.Ticket(ctx, c.actor, tk.ID)
					byRef, errRef := f.desk.TicketByRef(ctx, c.actor, tk.Ref())
					_, errMsgs := f.desk.Messages(ctx, c.actor, tk.ID)
					_, errHist := f.desk.History(ctx, c.actor, tk.ID)
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
				if c.actor.Kind == tenant.ActorRequesterLink {
					_, err := f.desk.Tickets(ctx, c.actor, storage.TicketFilter{}, storage.PageRequest{})
					assert.ErrorIs(t, err, helpdesk.ErrForbidden)
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
			assert.Equal(t, helpdesk.CodeInvalid, helpdesk.ErrorCode(err))
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
		team := uuid.New()
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
		tk, err := f.desk.SubmitTicket(ctx, f.agent, helpdesk.NewTicket{
			Title: "Everything set", Description: "Line one\nLine two ✓", Type: "repair",
			Requester:  ticket.Contact{Name: "Nina Nurse", Email: "nina@northwind.example", Phone: "+49 30 1234567", Language: "de-AT"},
			DeviceID:   f.devX.ID,
			PriorityID: prios[0].ID,
		})
		require.NoError(t, err)
		steps := []struct {
			name string
			do   func() (*ticket.Ticket, error)
		}{
			{"submitted", func() (*ticket.Ticket, error) { return tk, nil }},
			{"assigned with a team", func() (*ticket.Ticket, error) {
				return f.desk.Assign(ctx, f.supervisor, tk.ID, f.agent.UserID, team, "")
			}},
			{"done", func() (*ticket.Ticket, error) {
				return f.desk.Transition(ctx, f.agent, tk.ID, ticket.EventComplete, helpdesk.Change{})
			}},
			{"rated", func() (*ticket.Ticket, error) { return f.desk.Rate(ctx, f.userX, tk.ID, 4, "good") }},
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
				check(t, got)
			})
		}
	})
}

func TestDeskCodeHolderReachesOneDevice(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		dev, err := f.desk.Device(ctx, f.holder, f.devX.ID)
		require.NoError(t, err)
		assert.Equal(t, f.devX.ID, dev.ID)

		_, err = f.desk.Device(ctx, f.holder, f.devY.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "another device")
		_, err = f.desk.Customer(ctx, f.holder, f.custX.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "even the device's own customer")
		_, err = f.desk.Devices(ctx, f.holder, storage.DeviceFilter{}, storage.PageRequest{})
		assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		_, err = f.desk.Customers(ctx, f.holder)
		assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		_, err = f.desk.Template(ctx, f.holder, f.tpl.ID)
		assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		_, err = f.desk.CountTickets(ctx, f.holder, storage.CountFilter{DeviceID: f.devX.ID})
		assert.ErrorIs(t, err, helpdesk.ErrForbidden)

		// A customer user sees their customer's devices only.
		page, err := f.desk.Devices(ctx, f.userX, storage.DeviceFilter{CustomerID: f.custY.ID}, storage.PageRequest{})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		assert.Equal(t, f.devX.ID, page.Items[0].ID)
		_, err = f.desk.Device(ctx, f.userX, f.devY.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)
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
		t3, err := f.desk.SubmitTicket(ctx, f.userX, helpdesk.NewTicket{Title: "Screen dark", DeviceID: f.devX.ID, PriorityID: high})
		require.NoError(t, err)
		t4, err := f.desk.SubmitTicket(ctx, f.agent, helpdesk.NewTicket{Title: "Battery weak", Description: "The PRINTER too", DeviceID: f.devY.ID})
		require.NoError(t, err)
		t5 := f.submit(t, "Withdrawn")
		_, err = f.desk.Transition(ctx, f.holder, t5.ID, ticket.EventCancel, helpdesk.Change{})
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
				assert.Equal(t, want, got)
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
			assert.Equal(t, helpdesk.CodeInvalid, helpdesk.ErrorCode(err))
		})
		t.Run("bad state", func(t *testing.T) {
			_, err := f.desk.Tickets(ctx, f.admin, storage.TicketFilter{States: []ticket.State{ticket.StateOpen, "resolved"}}, storage.PageRequest{})
			assertField(t, err, "states[1]")
		})
		t.Run("customer user and code holder listings", func(t *testing.T) {
			assert.Equal(t, ticketIDs(t5, t3, t2, t1), f.listAll(t, f.userX, storage.TicketFilter{}))
			assert.Equal(t, ticketIDs(t4), f.listAll(t, f.userY, storage.TicketFilter{}))
			assert.Equal(t, ticketIDs(t5, t2, t1), f.listAll(t, f.holder, storage.TicketFilter{}))
			assert.Equal(t, ticketIDs(t2), f.listAll(t, f.holder, storage.TicketFilter{States: []ticket.State{ticket.StateAssigned}}))
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
				{"customer user X asking for Y", f.userX, storage.CountFilter{CustomerID: f.custY.ID}, map[ticket.State]int{ticket.StateOpen: 2, ticket.StateAssigned: 1, ticket.StateCancelled: 1}},
				{"customer user Y", f.userY, storage.CountFilter{}, map[ticket.State]int{ticket.StateOpen: 1}},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					got, err := f.desk.CountTickets(ctx, c.actor, c.filter)
					require.NoError(t, err)
					assert.Equal(t, c.want, got)
				})
			}
			for _, a := range []tenant.Actor{f.holder, requesterLink(t1)} {
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
					assert.Equal(t, helpdesk.CodeConflict, helpdesk.ErrorCode(err), "loser's error: %v", err)
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
				assert.Equal(t, helpdesk.CodeForbidden, helpdesk.ErrorCode(err), name)
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
			{"link without scheme", helpdesk.NewTemplate{Name: "T", Blocks: []device.Block{{Kind: device.BlockLink, Title: "Manual", URL: "example.com/manual"}}}, "blocks[0].url"},
			{"ftp link", helpdesk.NewTemplate{Name: "T", Blocks: []device.Block{{Kind: device.BlockLink, Title: "Manual", URL: "ftp://example.com/m.pdf"}}}, "blocks[0].url"},
			{"javascript link", helpdesk.NewTemplate{Name: "T", Blocks: []device.Block{{Kind: device.BlockLink, Title: "x", URL: "javascript:alert(1)"}}}, "blocks[0].url"},
			{"document without host", helpdesk.NewTemplate{Name: "T", Blocks: []device.Block{
				{Kind: device.BlockText, Title: "Intro", Body: "Hello"},
				{Kind: device.BlockDocument, Title: "Manual", URL: "https://"},
			}}, "blocks[1].url"},
			{"block without title", helpdesk.NewTemplate{Name: "T", Blocks: []device.Block{{Kind: device.BlockText, Body: "x"}}}, "blocks[0].title"},
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
			{"custom appearance", helpdesk.NewCode{Appearance: device.Appearance{Foreground: "#1A2B3C", Background: "#fafafa", Size: 64, Correction: device.CorrectionHigh}}, ""},
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
		t.Run("defaults", func(t *testing.T) {
			assert.Equal(t, device.DefaultAppearance(), f.code.Appearance)
			assert.ElementsMatch(t, []device.Action{device.ActionView, device.ActionOpenTicket}, f.code.Actions)
			assert.GreaterOrEqual(t, len(f.code.Token), 22, "at least 128 bits")
			other, err := f.desk.CreateCode(ctx, f.admin, f.devX.ID, helpdesk.NewCode{})
			require.NoError(t, err)
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
// ErrorCode

func TestErrorCode(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", err)) }
	transition := &ticket.TransitionError{Machine: "ticket", From: "open", Event: "rate", Err: ticket.ErrInvalidTransition}
	unknown := &ticket.TransitionError{Machine: "ticket", Event: "fly", Err: ticket.ErrUnknownEvent}
	validation := &helpdesk.ValidationError{Field: "title", Problem: "is required"}
	cases := []struct {
		name string
		err  error
		want helpdesk.Code
	}{
		{"nil", nil, ""},
		{"ErrInvalid", helpdesk.ErrInvalid, helpdesk.CodeInvalid},
		{"ValidationError", validation, helpdesk.CodeInvalid},
		{"wrapped ValidationError", wrap(validation), helpdesk.CodeInvalid},
		{"ErrInvalidCursor", storage.ErrInvalidCursor, helpdesk.CodeInvalid},
		{"ErrUnknownEvent", unknown, helpdesk.CodeInvalid},
		{"ErrInvalidRef", wrap(ticket.ErrInvalidRef), helpdesk.CodeInvalid},
		{"ErrNotFound", storage.ErrNotFound, helpdesk.CodeNotFound},
		{"wrapped ErrNotFound", wrap(storage.ErrNotFound), helpdesk.CodeNotFound},
		{"ErrConflict", storage.ErrConflict, helpdesk.CodeConflict},
		{"wrapped ErrConflict", wrap(storage.ErrConflict), helpdesk.CodeConflict},
		{"ErrInvalidTransition", transition, helpdesk.CodeConflict},
		{"wrapped ErrInvalidTransition", wrap(transition), helpdesk.CodeConflict},
		{"ErrTicketClosed", wrap(helpdesk.ErrTicketClosed), helpdesk.CodeConflict},
		{"ErrForbidden", helpdesk.ErrForbidden, helpdesk.CodeForbidden},
		{"wrapped ErrForbidden", wrap(helpdesk.ErrForbidden), helpdesk.CodeForbidden},
		{"ErrCodeUnusable", wrap(helpdesk.ErrCodeUnusable), helpdesk.CodeForbidden},
		{"ErrSupportLapsed", wrap(helpdesk.ErrSupportLapsed), helpdesk.CodeForbidden},
		{"ErrInvalidActor", wrap(tenant.ErrInvalidActor), helpdesk.CodeUnauthenticated},
		{"Canceled", wrap(context.Canceled), helpdesk.CodeUnavailable},
		{"DeadlineExceeded", wrap(context.DeadlineExceeded), helpdesk.CodeUnavailable},
		{"unknown", errors.New("disk on fire"), helpdesk.CodeInternal},
		{"wrapped unknown", wrap(errors.New("disk on fire")), helpdesk.CodeInternal},
		{"ErrInvalidPIN (not a Desk sentinel)", device.ErrInvalidPIN, helpdesk.CodeInternal},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, helpdesk.ErrorCode(c.err))
		})
	}
}

// A code holder's access ends with its code: switched off or expired, the actor it gave is
// refused everywhere, not only at OpenCode.
func TestDeskCodeHolderLosesAccessWithCode(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		draft, err := f.desk.SubmitTicket(ctx, f.holder, helpdesk.NewTicket{Title: "draft", Requester: nurseContact, Draft: true})
		require.NoError(t, err)
		open := f.submit(t, "open")
		_, err = f.desk.SetCodeActive(ctx, f.admin, f.code.ID, false)
		require.NoError(t, err)

		ops := map[string]func() error{
			"Ticket":      func() error { _, err := f.desk.Ticket(ctx, f.holder, open.ID); return err },
			"TicketByRef": func() error { _, err := f.desk.TicketByRef(ctx, f.holder, open.Ref()); return err },
			"Tickets": func() error {
				_, err := f.desk.Tickets(ctx, f.holder, storage.TicketFilter{}, storage.PageRequest{})
				return err
			},
			"Submit": func() error { _, err := f.desk.Submit(ctx, f.holder, draft.ID); return err },
			"PostMessage": func() error {
				_, err := f.desk.PostMessage(ctx, f.holder, open.ID, helpdesk.NewMessage{Body: "hi"})
				return err
			},
			"Messages": func() error { _, err := f.desk.Messages(ctx, f.holder, open.ID); return err },
			"History":  func() error { _, err := f.desk.History(ctx, f.holder, open.ID); return err },
			"Cancel": func() error {
				_, err := f.desk.Transition(ctx, f.holder, open.ID, ticket.EventCancel, helpdesk.Change{})
				return err
			},
		}
		for name, op := range ops {
			t.Run(name, func(t *testing.T) {
				assert.ErrorIs(t, op(), helpdesk.ErrCodeUnusable)
			})
		}
		assert.Equal(t, ticket.StateOpen, f.reload(t, open.ID).State)
		assert.Equal(t, ticket.StateDraft, f.reload(t, draft.ID).State)

		_, err = f.desk.SetCodeActive(ctx, f.admin, f.code.ID, true)
		require.NoError(t, err)
		_, err = f.desk.Ticket(ctx, f.holder, open.ID)
		assert.NoError(t, err, "switched on again, the code works again")
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

// Assign asks who before it asks about the state: a requester is forbidden whatever the state.
func TestDeskAssignChecksActorFirst(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		for _, st := range []ticket.State{ticket.StateOpen, ticket.StateDone, ticket.StateClosed} {
			tk := f.ticketIn(t, st)
			_, err := f.desk.Assign(t.Context(), f.holder, tk.ID, f.agent.UserID, uuid.Nil, "")
			assert.ErrorIs(t, err, helpdesk.ErrForbidden, string(st))
			_, err = f.desk.Assign(t.Context(), f.agent, tk.ID, f.agent.UserID, uuid.Nil, "")
			assert.ErrorIs(t, err, helpdesk.ErrForbidden, "agents do not assign (%s)", st)
		}
	})
}
