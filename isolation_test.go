package helpdesk_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/webhook"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The isolation matrix drives every Desk operation as every kind of actor against records of
// three scopes, and checks each answer against the table below. The table is written out here
// by hand, independently of tenant/policy.go, so that a change to the policy that is not also
// a deliberate change to this table fails the test.
//
// Actors, in the order of every row of outcomes (spaces and bars are ignored):
//
//	admin moderator supervisor agent system | customer_admin customer_user colleague | code_holder requester_link | anonymous
//
// All of them act in tenant 1; the customer users are users of customer X, the code holder
// came through a code of customer X's device, and the requester link is for a ticket of
// customer X (for ticket operations in the own scope, for the very ticket operated on).
// customer_user opened the own scope's tickets; colleague is another customer_user of
// customer X, so that every rule a customer_user may use on their own tickets only is tried
// on a colleague's ticket too, not only on a stranger's.
//
// Scopes: own (tenant 1, customer X), other (tenant 1, customer Y) and foreign (tenant 2).
//
// Outcomes: A allowed; N not found (storage.ErrNotFound, so existence does not leak); F
// forbidden (KindForbidden); U unauthenticated (KindUnauthenticated); H allowed, but the
// listing or count leaves the record out.
var matrixActors = []string{"admin", "moderator", "supervisor", "agent", "system",
	"customer_admin", "customer_user", "colleague", "code_holder", "requester_link", "anonymous"}

// matrixOp is one Desk operation in the matrix.
type matrixOp struct {
	// state, when set, gives the cell a ticket of the scope in that state (c.ticket); fresh
	// asks for a new one per cell (operations that change it).
	state ticket.State
	fresh bool
	// run performs the operation as c.actor on the scope's records. A listing returns the IDs
	// it listed; the cell's outcome is H when c.target is not among them.
	run func(c *cell) (listed []uuid.UUID, err error)
	// own, other and foreign are the expected outcomes per actor. An operation that names no
	// record of a scope (it acts on the actor's own tenant or self) leaves other and foreign
	// empty and runs in the own scope only.
	own, other, foreign string
}

// credentialOp is a Desk operation that takes a credential (a token, a password) instead of
// an actor. It runs once per scope with that scope's credential and must reach exactly that
// scope's records: check returns the tenant and customer of what the credential opened.
type credentialOp func(c *cell) (tenantID, customerID uuid.UUID, err error)

var listed = func(ids ...uuid.UUID) []uuid.UUID { return ids }

var matrix = map[string]matrixOp{
	"CreateTenant": {own: "FFFFF|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.CreateTenant(c.ctx, c.actor, helpdesk.NewTenant{Name: "Rogue"})
		return nil, err
	}},
	"Tenant": {own: "AAAAA|AAA|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Tenant(c.ctx, c.actor)
		return nil, err
	}},
	"ResealSecrets": {own: "FFFFF|FFF|FF|F", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.ResealSecrets(c.ctx, c.actor)
		return nil, err
	}},
	"Settings": {own: "AFFFA|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Settings(c.ctx, c.actor)
		return nil, err
	}},
	"UpdateSettings": {own: "AFFFA|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := updateSettings(c.ctx, c.d, c.actor, tenant.Settings{SelfRegistration: true})
		return nil, err
	}},
	"SetFormFile": {own: "AFFFA|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		var version int64
		if ten, err := c.store.GetTenant(c.ctx, c.actor.TenantID); err == nil {
			version = ten.Version
		}
		_, err := c.d.SetFormFile(c.ctx, c.actor, version, helpdesk.FormLogo, &helpdesk.Upload{Name: "logo.png", Body: bytes.NewReader(brandingPNG(c.t))})
		return nil, err
	}},
	// Every actor of a tenant reads its branding, code holders and requester links included.
	"OpenFormFile": {own: "AAAAA|AAA|AA|U", run: func(c *cell) ([]uuid.UUID, error) {
		if ten, err := c.store.GetTenant(c.ctx, c.sc.org.tenant.ID); err == nil && ten.Settings.Form.Logo == nil {
			_, err := c.d.SetFormFile(c.ctx, c.sc.org.system, ten.Version, helpdesk.FormLogo, &helpdesk.Upload{Name: "logo.png", Body: bytes.NewReader(brandingPNG(c.t))})
			require.NoError(c.t, err)
		}
		_, rc, err := c.d.OpenFormFile(c.ctx, c.actor, helpdesk.FormLogo)
		if err == nil {
			_ = rc.Close()
		}
		return nil, err
	}},
	// The form's public part, as every actor of the tenant reads its branding.
	"PublicForm": {own: "AAAAA|AAA|AA|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.PublicForm(c.ctx, c.actor)
		return nil, err
	}},
	// The tenant's own mail server: admins only, not even the system.
	"SMTP": {own: "AFFFF|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.SMTP(c.ctx, c.actor)
		return nil, err
	}},
	"SetSMTP": {own: "AFFFF|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.SetSMTP(c.ctx, c.actor, helpdesk.SMTPInput{Host: "smtp.example.com", Username: "desk", Password: "Pa55word",
			From: "support@example.com"})
		return nil, err
	}},
	"DeleteSMTP": {own: "AFFFF|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.ownSMTP()
		return nil, c.d.DeleteSMTP(c.ctx, c.actor)
	}},
	"TestSMTP": {own: "AFFFF|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.ownSMTP()
		return nil, c.d.TestSMTP(c.ctx, c.actor, "ada@example.com")
	}},
	// Webhook endpoints: admins only, not even the system; another tenant's are not found.
	"CreateWebhook": {own: "AFFFF|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, _, err := c.d.CreateWebhook(c.ctx, c.actor, helpdesk.NewWebhook{URL: "https://93.184.215.14/hooks"})
		return nil, err
	}},
	"Webhooks": {own: "AFFFF|FFF|FF|U", other: "AFFFF|FFF|FF|U", foreign: "HFFFF|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.webhook().ID
		es, err := c.d.Webhooks(c.ctx, c.actor)
		return ids(es, func(x *webhook.Endpoint) uuid.UUID { return x.ID }), err
	}},
	"Webhook": {own: "AFFFF|FFF|NN|U", other: "AFFFF|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Webhook(c.ctx, c.actor, c.webhook().ID)
		return nil, err
	}},
	"UpdateWebhook": {own: "AFFFF|FFF|NN|U", other: "AFFFF|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		e := c.webhook()
		_, err := c.d.UpdateWebhook(c.ctx, c.actor, e.ID, helpdesk.WebhookEdit{Version: e.Version, URL: "https://93.184.215.14/v2", Active: true})
		return nil, err
	}},
	"DeleteWebhook": {own: "AFFFF|FFF|NN|U", other: "AFFFF|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		return nil, c.d.DeleteWebhook(c.ctx, c.actor, c.webhook().ID)
	}},
	"RotateWebhookSecret": {own: "AFFFF|FFF|NN|U", other: "AFFFF|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.RotateWebhookSecret(c.ctx, c.actor, c.webhook().ID, 0)
		return nil, err
	}},
	// The endpoint is on loopback, which the matrix's Desk refuses to connect to: the send
	// fails at once, and the operation itself succeeds.
	"TestWebhook": {own: "AFFFF|FFF|NN|U", other: "AFFFF|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.TestWebhook(c.ctx, c.actor, c.webhook().ID)
		return nil, err
	}},
	"WebhookDeliveries": {own: "AFFFF|FFF|NN|U", other: "AFFFF|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.WebhookDeliveries(c.ctx, c.actor, c.webhookDelivery().EndpointID, storage.PageRequest{})
		return nil, err
	}},
	"ReplayWebhookDelivery": {own: "AFFFF|FFF|NN|U", other: "AFFFF|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.ReplayWebhookDelivery(c.ctx, c.actor, c.webhookDelivery().ID)
		return nil, err
	}},
	"CreateCustomer": {own: "AAFFA|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.CreateCustomer(c.ctx, c.actor, helpdesk.NewCustomer{Name: "New customer"})
		return nil, err
	}},
	"Customer": {own: "AAAAA|AAA|NN|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Customer(c.ctx, c.actor, c.sc.cust.ID)
		return nil, err
	}},
	"Customers": {own: "AAAAA|FFF|FF|U", other: "AAAAA|FFF|FF|U", foreign: "HHHHH|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.sc.cust.ID
		cs, err := c.d.Customers(c.ctx, c.actor)
		return ids(cs, func(x *tenant.Customer) uuid.UUID { return x.ID }), err
	}},
	"SetSupportPlan": {own: "AAFFA|FFF|NN|U", other: "AAFFA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.SetSupportPlan(c.ctx, c.actor, c.sc.cust.ID, nil)
		return nil, err
	}},
	"UpdateCustomer": {own: "AAFFA|FFF|NN|U", other: "AAFFA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		cur, err := c.store.GetCustomer(c.ctx, c.sc.org.tenant.ID, c.sc.cust.ID)
		require.NoError(c.t, err)
		_, err = c.d.UpdateCustomer(c.ctx, c.actor, cur)
		return nil, err
	}},
	"SetSignupDomains": {own: "AAFFA|FFF|NN|U", other: "AAFFA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.SetSignupDomains(c.ctx, c.actor, c.sc.cust.ID, []string{c.w.domain[c.sc.cust.ID], c.unique() + ".example"})
		return nil, err
	}},
	"CreateDepartment": {own: "AAFFA|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.CreateDepartment(c.ctx, c.actor, "Branch "+c.unique())
		return nil, err
	}},
	"CreateProject": {own: "AAFFA|FFF|FF|U", other: "AAFFA|FFF|FF|U", foreign: "NNFFN|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.CreateProject(c.ctx, c.actor, helpdesk.NewProject{Name: "Project", CustomerID: c.sc.cust.ID})
		return nil, err
	}},

	"Departments": {own: "AAAAA|FFF|FF|U", other: "AAAAA|FFF|FF|U", foreign: "HHHHH|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.department().ID
		ds, err := c.d.Departments(c.ctx, c.actor)
		return ids(ds, func(x *tenant.Department) uuid.UUID { return x.ID }), err
	}},
	"UpdateDepartment": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.UpdateDepartment(c.ctx, c.actor, c.department())
		return nil, err
	}},
	"Projects": {own: "AAAAA|FFF|FF|U", other: "AAAAA|FFF|FF|U", foreign: "HHHHH|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.sc.org.project.ID
		ps, err := c.d.Projects(c.ctx, c.actor)
		return ids(ps, func(x *tenant.Project) uuid.UUID { return x.ID }), err
	}},
	"UpdateProject": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		cur, err := c.store.GetProject(c.ctx, c.sc.org.tenant.ID, c.sc.org.project.ID)
		require.NoError(c.t, err)
		_, err = c.d.UpdateProject(c.ctx, c.actor, cur)
		return nil, err
	}},
	// Putting an employee in a department: customer users and public actors do not see
	// employees at all.
	"SetUserDepartment": {own: "AAFFA|NNN|NN|U", other: "AAFFA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.SetUserDepartment(c.ctx, c.actor, c.sc.org.agent2.UserID, c.department().ID)
		return nil, err
	}},
	"CreateTemplate": {own: "AAFFA|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.CreateTemplate(c.ctx, c.actor, helpdesk.NewTemplate{Name: "Type"})
		return nil, err
	}},
	"Template": {own: "AAAAA|FFF|NN|U", other: "AAAAA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Template(c.ctx, c.actor, c.sc.org.tpl.ID)
		return nil, err
	}},
	"Templates": {own: "AAAAA|FFF|FF|U", other: "AAAAA|FFF|FF|U", foreign: "HHHHH|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.sc.org.tpl.ID
		ts, err := c.d.Templates(c.ctx, c.actor)
		return ids(ts, func(x *device.Template) uuid.UUID { return x.ID }), err
	}},
	"UpdateTemplate": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		cur, err := c.store.GetTemplate(c.ctx, c.sc.org.tenant.ID, c.sc.org.tpl.ID)
		require.NoError(c.t, err)
		_, err = c.d.UpdateTemplate(c.ctx, c.actor, cur)
		return nil, err
	}},
	"CreateDevice": {own: "AAFFA|FFF|FF|U", other: "AAFFA|FFF|FF|U", foreign: "NNFFN|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.CreateDevice(c.ctx, c.actor, helpdesk.NewDevice{Name: "Pump", CustomerID: c.sc.cust.ID})
		return nil, err
	}},
	"AssignDevice": {own: "AAFFA|FFF|FN|U", other: "AAFFA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.AssignDevice(c.ctx, c.actor, c.sc.dev.ID, c.sc.cust.ID)
		return nil, err
	}},
	"UpdateDevice": {own: "AAFFA|FFF|FN|U", other: "AAFFA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		cur, err := c.store.GetDevice(c.ctx, c.sc.org.tenant.ID, c.sc.dev.ID)
		require.NoError(c.t, err)
		_, err = c.d.UpdateDevice(c.ctx, c.actor, cur)
		return nil, err
	}},
	"Device": {own: "AAAAA|AAA|FN|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Device(c.ctx, c.actor, c.sc.dev.ID)
		return nil, err
	}},
	"DeviceFields": {own: "AAAAA|AAA|FN|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.DeviceFields(c.ctx, c.actor, c.sc.dev.ID)
		return nil, err
	}},
	"Devices": {own: "AAAAA|AAA|FF|U", other: "AAAAA|HHH|FF|U", foreign: "HHHHH|HHH|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.sc.dev.ID
		p, err := c.d.Devices(c.ctx, c.actor, storage.DeviceFilter{Text: c.sc.dev.SerialNumber}, storage.PageRequest{})
		return ids(p.Items, func(x *device.Device) uuid.UUID { return x.ID }), err
	}},
	"CreateCode": {own: "AAFFA|FFF|FN|U", other: "AAFFA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.CreateCode(c.ctx, c.actor, c.sc.dev.ID, helpdesk.NewCode{})
		return nil, err
	}},
	"SetCodeActive": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.SetCodeActive(c.ctx, c.actor, c.sc.code.ID, true)
		return nil, err
	}},
	"UpdateCode": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.UpdateCode(c.ctx, c.actor, c.sc.code.ID, helpdesk.CodeSettings{Actions: []device.Action{device.ActionView, device.ActionOpenTicket}})
		return nil, err
	}},
	"CodeImage": {own: "AAAAA|FFF|NN|U", other: "AAAAA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.CodeImage(c.ctx, c.actor, c.sc.code.ID, device.FormatSVG)
		return nil, err
	}},
	"SendRequestLink": {own: "AAAAA|FFF|FN|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.SendRequestLink(c.ctx, c.actor, c.sc.dev.ID, helpdesk.NewRequestLink{Contact: nurseContact})
		return nil, err
	}},
	"CodesPage": {own: "AAAAA|FFF|FF|U", other: "AAAAA|FFF|FF|U", foreign: "HHHHH|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.sc.code.ID
		p, err := c.d.CodesPage(c.ctx, c.actor, storage.CodeFilter{DeviceID: c.sc.dev.ID}, storage.PageRequest{})
		return ids(p.Items, func(x *device.Code) uuid.UUID { return x.ID }), err
	}},
	"Code": {own: "AAAAA|FFF|NN|U", other: "AAAAA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Code(c.ctx, c.actor, c.sc.code.ID)
		return nil, err
	}},
	"PreviewCode": {own: "AAAAA|FFF|NN|U", other: "AAAAA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.PreviewCode(c.ctx, c.actor, c.sc.code.ID, device.FormatSVG, helpdesk.CodeSettings{Appearance: device.Appearance{Correction: device.CorrectionHigh}})
		return nil, err
	}},
	"Codes": {own: "AAAAA|FFF|FN|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.sc.code.ID
		cs, err := c.d.Codes(c.ctx, c.actor, c.sc.dev.ID)
		return ids(cs, func(x *device.Code) uuid.UUID { return x.ID }), err
	}},

	"SubmitTicket": {own: "AAAAA|AAA|AF|U", other: "AAAAA|NNN|NF|U", foreign: "NNNNN|NNN|NF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.SubmitTicket(c.ctx, c.actor, helpdesk.NewTicket{Title: "Beeping", DeviceID: c.sc.dev.ID, Requester: nurseContact})
		return nil, err
	}},
	"Submit": {state: ticket.StateDraft, fresh: true, own: "AAAAA|AAF|NA|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Submit(c.ctx, c.actor, c.ticket.ID)
		return nil, err
	}},
	"Transition": {state: ticket.StateOpen, fresh: true, own: "AAAAF|AAF|NA|U", other: "AAAAF|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Transition(c.ctx, c.actor, c.ticket.ID, ticket.EventCancel, helpdesk.Change{Reason: "withdrawn"})
		return nil, err
	}},
	"Accept": {state: ticket.StateOpen, fresh: true, own: "AAAAF|FFF|NF|U", other: "AAAAF|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Accept(c.ctx, c.actor, c.ticket.ID)
		return nil, err
	}},
	"Assign": {state: ticket.StateOpen, fresh: true, own: "AAAFA|FFF|NF|U", other: "AAAFA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Assign(c.ctx, c.actor, c.ticket.ID, helpdesk.Assignment{AssigneeID: c.w.f.agent.UserID})
		return nil, err
	}},
	"Rate": {state: ticket.StateDone, fresh: true, own: "FFFFF|AAF|NA|U", other: "FFFFF|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Rate(c.ctx, c.actor, c.ticket.ID, 5, "fixed")
		return nil, err
	}},
	"Close": {state: ticket.StateAssigned, fresh: true, own: "AAAAF|AAF|NA|U", other: "AAAAF|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Close(c.ctx, c.actor, c.ticket.ID, "resolved")
		return nil, err
	}},
	"SetStatus": {state: ticket.StateOpen, own: "AAAAA|FFF|NF|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.SetStatus(c.ctx, c.actor, c.ticket.ID, c.w.openStatus[c.sc.org.tenant.ID])
		return nil, err
	}},
	"EditTicket": {state: ticket.StateOpen, own: "AAAAA|FFF|NF|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.EditTicket(c.ctx, c.actor, c.ticket.ID, helpdesk.TicketEdit{Type: ptr("repair")})
		return nil, err
	}},
	"RotateRequesterLink": {state: ticket.StateOpen, fresh: true, own: "AAAAA|FFF|NF|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.RotateRequesterLink(c.ctx, c.actor, c.ticket.ID)
		return nil, err
	}},
	"DeleteTicket": {state: ticket.StateOpen, fresh: true, own: "AFFFF|FFF|NF|U", other: "AFFFF|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		return nil, c.d.DeleteTicket(c.ctx, c.actor, c.ticket.ID)
	}},
	"Ticket": {state: ticket.StateOpen, own: "AAAAA|AAA|NA|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Ticket(c.ctx, c.actor, c.ticket.ID)
		return nil, err
	}},
	"TicketByRef": {state: ticket.StateOpen, own: "AAAAA|AAA|NA|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.TicketByRef(c.ctx, c.actor, c.ticket.Ref())
		return nil, err
	}},
	"History": {state: ticket.StateOpen, own: "AAAAA|AAA|NA|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := historyOf(c.ctx, c.d, c.actor, c.ticket.ID)
		return nil, err
	}},
	"Messages": {state: ticket.StateOpen, own: "AAAAA|AAA|NA|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := messagesOf(c.ctx, c.d, c.actor, c.ticket.ID)
		return nil, err
	}},
	"PostMessage": {state: ticket.StateOpen, own: "AAAAA|AAA|NA|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.PostMessage(c.ctx, c.actor, c.ticket.ID, helpdesk.NewMessage{Body: "Any news?"})
		return nil, err
	}},
	"Tickets": {state: ticket.StateOpen, own: "AAAAA|AAA|FF|U", other: "AAAAA|HHH|FF|U", foreign: "HHHHH|HHH|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.ticket.ID
		p, err := c.d.Tickets(c.ctx, c.actor, storage.TicketFilter{Text: c.ticket.Title}, storage.PageRequest{})
		return ids(p.Items, func(x *ticket.Ticket) uuid.UUID { return x.ID }), err
	}},
	"CountTickets": {state: ticket.StateOpen, own: "AAAAA|AAA|FF|U", other: "AAAAA|HHH|FF|U", foreign: "HHHHH|HHH|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.ticket.ID
		counts, err := c.d.CountTickets(c.ctx, c.actor, storage.CountFilter{DeviceID: c.ticket.DeviceID})
		if counts[ticket.StateOpen] > 0 {
			return listed(c.ticket.ID), err
		}
		return listed(), err
	}},
	"Dashboard": {state: ticket.StateOpen, own: "AAAAA|AAA|FF|U", other: "AAAAA|HHH|FF|U", foreign: "HHHHH|HHH|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.ticket.ID
		db, err := c.d.Dashboard(c.ctx, c.actor, helpdesk.StatsPeriod{From: c.ticket.CreatedAt.Add(-time.Hour),
			To: c.ticket.CreatedAt.Add(time.Hour), CustomerID: c.sc.cust.ID})
		if err == nil && db.States[ticket.StateOpen] > 0 && db.Period.Opened > 0 {
			return listed(c.ticket.ID), nil
		}
		return listed(), err
	}},
	"TemplateStats": {state: ticket.StateOpen, own: "AAAAA|FFF|NN|U", other: "AAAAA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.TemplateStats(c.ctx, c.actor, c.sc.org.tpl.ID)
		return nil, err
	}},
	"DeviceStats": {state: ticket.StateOpen, own: "AAAAA|AAA|FN|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.DeviceStats(c.ctx, c.actor, c.sc.dev.ID)
		return nil, err
	}},
	"CustomerStats": {state: ticket.StateOpen, own: "AAAAA|AAA|NN|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.CustomerStats(c.ctx, c.actor, c.sc.cust.ID)
		return nil, err
	}},
	// The ...StatsByID listings leave out the records without tickets the actor may see.
	"TemplateStatsByID": {state: ticket.StateOpen, own: "AAAAA|FFF|FF|U", other: "AAAAA|FFF|FF|U", foreign: "HHHHH|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.sc.org.tpl.ID
		m, err := c.d.TemplateStatsByID(c.ctx, c.actor, []uuid.UUID{c.sc.org.tpl.ID})
		return counted(m), err
	}},
	"DeviceStatsByID": {state: ticket.StateOpen, own: "AAAAA|AAA|FF|U", other: "AAAAA|HHH|FF|U", foreign: "HHHHH|HHH|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.sc.dev.ID
		m, err := c.d.DeviceStatsByID(c.ctx, c.actor, []uuid.UUID{c.sc.dev.ID})
		return counted(m), err
	}},
	"CustomerStatsByID": {state: ticket.StateOpen, own: "AAAAA|AAA|FF|U", other: "AAAAA|HHH|FF|U", foreign: "HHHHH|HHH|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.sc.cust.ID
		m, err := c.d.CustomerStatsByID(c.ctx, c.actor, []uuid.UUID{c.sc.cust.ID})
		return counted(m), err
	}},
	"Statuses": {own: "AAAAA|AAA|FF|U", other: "AAAAA|AAA|FF|U", foreign: "HHHHH|HHH|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.w.openStatus[c.sc.org.tenant.ID]
		ss, err := c.d.Statuses(c.ctx, c.actor)
		return ids(ss, func(x *ticket.Status) uuid.UUID { return x.ID }), err
	}},
	"Priorities": {own: "AAAAA|AAA|FF|U", other: "AAAAA|AAA|FF|U", foreign: "HHHHH|HHH|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.w.priority[c.sc.org.tenant.ID]
		ps, err := c.d.Priorities(c.ctx, c.actor)
		return ids(ps, func(x *ticket.Priority) uuid.UUID { return x.ID }), err
	}},
	"CreateStatus": {own: "AAFFA|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.CreateStatus(c.ctx, c.actor, helpdesk.NewStatus{Name: "Parts ordered", State: ticket.StateWaiting})
		return nil, err
	}},
	"CreatePriority": {own: "AAFFA|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.CreatePriority(c.ctx, c.actor, helpdesk.NewPriority{Name: "Critical " + c.unique(), Rank: 99})
		return nil, err
	}},
	"CreateCannedResponse": {own: "AAFFA|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.CreateCannedResponse(c.ctx, c.actor, helpdesk.NewCannedResponse{Language: "en", Title: "Hello", Body: "Hi {{.recipient_name}}"})
		return nil, err
	}},
	"UpdateCannedResponse": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.UpdateCannedResponse(c.ctx, c.actor, c.cannedResponse())
		return nil, err
	}},
	"DeleteCannedResponse": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		return nil, c.d.DeleteCannedResponse(c.ctx, c.actor, c.cannedResponse().ID)
	}},
	// Staff list canned responses; requesters and customer users never see them.
	"CannedResponses": {own: "AAAAA|FFF|FF|U", other: "AAAAA|FFF|FF|U", foreign: "HHHHH|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.cannedResponse().ID
		cs, err := c.d.CannedResponses(c.ctx, c.actor, "")
		return ids(cs, func(x *ticket.CannedResponse) uuid.UUID { return x.ID }), err
	}},
	// Staff render a canned response for any ticket of the tenant; those who see the ticket
	// but may not use canned responses are forbidden, the others do not find it.
	"RenderCannedResponse": {state: ticket.StateOpen, own: "AAAAA|FFF|NF|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.RenderCannedResponse(c.ctx, c.actor, c.cannedResponse().ID, c.ticket.ID)
		return nil, err
	}},
	"UpdateStatus": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		cur, err := c.store.GetStatus(c.ctx, c.sc.org.tenant.ID, c.w.openStatus[c.sc.org.tenant.ID])
		require.NoError(c.t, err)
		_, err = c.d.UpdateStatus(c.ctx, c.actor, cur)
		return nil, err
	}},
	"UpdatePriority": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		cur, err := c.store.GetPriority(c.ctx, c.sc.org.tenant.ID, c.w.priority[c.sc.org.tenant.ID])
		require.NoError(c.t, err)
		_, err = c.d.UpdatePriority(c.ctx, c.actor, cur)
		return nil, err
	}},
	"MoveStatus": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.MoveStatus(c.ctx, c.actor, c.w.openStatus[c.sc.org.tenant.ID], 1)
		return nil, err
	}},
	"MovePriority": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.MovePriority(c.ctx, c.actor, c.w.priority[c.sc.org.tenant.ID], 1)
		return nil, err
	}},
	"UpdateMetaTeam": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		m, err := c.d.CreateMetaTeam(c.ctx, c.sc.org.system, "Meta "+c.unique())
		require.NoError(c.t, err)
		m.Name = "Renamed " + c.unique()
		_, err = c.d.UpdateMetaTeam(c.ctx, c.actor, m)
		return nil, err
	}},
	"DeleteMetaTeam": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		m, err := c.d.CreateMetaTeam(c.ctx, c.sc.org.system, "Meta "+c.unique())
		require.NoError(c.t, err)
		return nil, c.d.DeleteMetaTeam(c.ctx, c.actor, m.ID)
	}},
	"AuditLog": {own: "AAFFA|FFF|FF|U", other: "AAFFA|FFF|FF|U", foreign: "HHFFH|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		dep, err := c.d.CreateDepartment(c.ctx, c.sc.org.system, "Audited "+c.unique())
		require.NoError(c.t, err)
		c.target = dep.ID
		p, err := c.d.AuditLog(c.ctx, c.actor, storage.PageRequest{})
		return ids(p.Items, func(x *tenant.AuditEntry) uuid.UUID { return x.EntityID }), err
	}},

	"CreateUser": {own: "AAFFA|AFF|FF|U", other: "AAFFA|NFF|FF|U", foreign: "NNFFN|NFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, _, err := c.d.CreateUser(c.ctx, c.actor, helpdesk.NewUser{Email: c.unique() + "@example.com", Name: "New Colleague",
			Role: tenant.RoleCustomerUser, CustomerID: c.sc.cust.ID})
		return nil, err
	}},
	"ResendInvitation": {own: "AAFFA|AFF|NN|U", other: "AAFFA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		u := c.newUser(tenant.UserInvited)
		_, err := c.d.ResendInvitation(c.ctx, c.actor, u.ID)
		return nil, err
	}},
	"User": {own: "AAAAA|AAA|NN|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.User(c.ctx, c.actor, c.sc.user.ID)
		return nil, err
	}},
	"Users": {own: "AAAAA|AFF|FF|U", other: "AAAAA|HFF|FF|U", foreign: "HHHHH|HFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.sc.user.ID
		p, err := c.d.Users(c.ctx, c.actor, storage.UserFilter{Text: c.sc.user.Email}, storage.PageRequest{})
		return ids(p.Items, func(x *tenant.User) uuid.UUID { return x.ID }), err
	}},
	"UpdateUser": {own: "AAFFA|AFF|NN|U", other: "AAFFA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		u := c.newUser(tenant.UserActive)
		_, err := c.d.UpdateUser(c.ctx, c.actor, u.ID, helpdesk.UserEdit{Name: ptr("Renamed")})
		return nil, err
	}},
	"DeactivateUser": {own: "AAFFA|AFF|NN|U", other: "AAFFA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		u := c.newUser(tenant.UserActive)
		_, err := c.d.DeactivateUser(c.ctx, c.actor, u.ID)
		return nil, err
	}},
	"ReactivateUser": {own: "AAFFA|AFF|NN|U", other: "AAFFA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		u := c.newUser(tenant.UserDeactivated)
		_, err := c.d.ReactivateUser(c.ctx, c.actor, u.ID)
		return nil, err
	}},
	"SetPassword": {own: "AAFFA|AFF|NN|U", other: "AAFFA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		u := c.newUser(tenant.UserInvited)
		return nil, c.d.SetPassword(c.ctx, c.actor, u.ID, matrixPassword)
	}},
	"ChangePassword": {own: "AAAAF|AAA|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.ChangePassword(c.ctx, c.actor, matrixPassword, matrixPassword)
		return nil, err
	}},
	"ShareLogin": {own: "AAAAF|AAA|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.ShareLogin(c.ctx, c.actor)
		return nil, err
	}},
	"CreateTeam": {own: "AAFFA|FFF|FF|U", other: "AAFFA|FFF|FF|U", foreign: "NNFFN|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.CreateTeam(c.ctx, c.actor, helpdesk.NewTeam{Name: "Night shift", SupervisorID: c.sc.org.supervisor.UserID})
		return nil, err
	}},
	"UpdateTeam": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		cur, err := c.store.GetTeam(c.ctx, c.sc.org.tenant.ID, c.sc.org.teamB.ID)
		require.NoError(c.t, err)
		_, err = c.d.UpdateTeam(c.ctx, c.actor, cur)
		return nil, err
	}},
	"SetDefaultTeam": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.SetDefaultTeam(c.ctx, c.actor, c.sc.org.teamA.ID)
		return nil, err
	}},
	// DeleteTeam deletes a fresh team of the scope's tenant each time; teams are the
	// operator's, so the other customer's scope answers as the own.
	"DeleteTeam": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		team, err := c.d.CreateTeam(c.ctx, c.sc.org.system, helpdesk.NewTeam{Name: "Doomed " + c.unique(), SupervisorID: c.sc.org.supervisor.UserID})
		require.NoError(c.t, err)
		return nil, c.d.DeleteTeam(c.ctx, c.actor, team.ID)
	}},
	"Teams": {own: "AAAAA|FFF|FF|U", other: "AAAAA|FFF|FF|U", foreign: "HHHHH|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.sc.org.teamA.ID
		ts, err := c.d.Teams(c.ctx, c.actor)
		return ids(ts, func(x *tenant.Team) uuid.UUID { return x.ID }), err
	}},
	"CreateMetaTeam": {own: "AAFFA|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.CreateMetaTeam(c.ctx, c.actor, "Europe")
		return nil, err
	}},
	"Inbox": {own: "AAAAF|AAA|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Inbox(c.ctx, c.actor, storage.PageRequest{})
		return nil, err
	}},
	"UnreadCount": {own: "AAAAF|AAA|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.UnreadCount(c.ctx, c.actor)
		return nil, err
	}},
	"MarkAllRead": {own: "AAAAF|AAA|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.MarkAllRead(c.ctx, c.actor)
		return nil, err
	}},
	// MarkRead marks the actor's own notification in the own scope, and otherwise one of the
	// scope's customer user: nobody marks another's.
	"MarkRead": {own: "AAAAF|AAA|NN|U", other: "NNNNF|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		owner := c.sc.user.ID
		if c.sc.name == "own" && c.actor.UserID != uuid.Nil {
			owner = c.actor.UserID
		}
		n := c.notification(owner, notify.InApp, notify.StatusDelivered)
		return nil, c.d.MarkRead(c.ctx, c.actor, n.ID)
	}},
	// Push subscriptions are the acting user's own: a user adds, lists and removes only theirs.
	"AddPushSubscription": {own: "AAAAF|AAA|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.AddPushSubscription(c.ctx, c.actor, pushInput("https://push.example.com/"+c.unique()))
		return nil, err
	}},
	"PushSubscriptions": {own: "AAAAF|AAA|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		theirs := c.pushSubscription(c.sc.user.ID)
		if c.actor.UserID != uuid.Nil {
			c.target = c.pushSubscription(c.actor.UserID).ID
		}
		subs, err := c.d.PushSubscriptions(c.ctx, c.actor)
		got := ids(subs, func(x *notify.PushSubscription) uuid.UUID { return x.ID })
		if c.actor.UserID != c.sc.user.ID && slices.Contains(got, theirs.ID) {
			return got, errors.New("listed another user's subscription")
		}
		return got, err
	}},
	"RemovePushSubscription": {own: "AAAAF|AAA|FF|U", other: "NNNNF|NNN|FF|U", foreign: "NNNNF|NNN|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		owner := c.sc.user.ID
		if c.sc.name == "own" && c.actor.UserID != uuid.Nil {
			owner = c.actor.UserID
		}
		return nil, c.d.RemovePushSubscription(c.ctx, c.actor, c.pushSubscription(owner).ID)
	}},
	// API tokens are the acting user's own, like push subscriptions: only people make them.
	"CreateAPIToken": {own: "AAAAF|AAA|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, _, err := c.d.CreateAPIToken(c.ctx, c.actor, helpdesk.NewAPIToken{Name: "matrix", Scopes: tenant.ScopeRead,
			ExpiresAt: c.w.f.clock.Now().Add(time.Hour)})
		return nil, err
	}},
	"APITokens": {own: "AAAAF|AAA|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		theirs := c.apiToken(c.sc.user.ID)
		if c.actor.UserID != uuid.Nil {
			c.target = c.apiToken(c.actor.UserID).ID
		}
		toks, err := c.d.APITokens(c.ctx, c.actor)
		got := ids(toks, func(x *tenant.APIToken) uuid.UUID { return x.ID })
		if c.actor.UserID != c.sc.user.ID && slices.Contains(got, theirs.ID) {
			return got, errors.New("listed another user's API token")
		}
		return got, err
	}},
	"RevokeAPIToken": {own: "AAAAF|AAA|FF|U", other: "NNNNF|NNN|FF|U", foreign: "NNNNF|NNN|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		owner := c.sc.user.ID
		if c.sc.name == "own" && c.actor.UserID != uuid.Nil {
			owner = c.actor.UserID
		}
		return nil, c.d.RevokeAPIToken(c.ctx, c.actor, c.apiToken(owner).ID)
	}},
	// Idempotency keys are every actor's own within its tenant: they name no record.
	"BeginIdempotent": {own: "AAAAA|AAA|AA|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.BeginIdempotent(c.ctx, c.actor, "matrix-"+c.unique(), "fp")
		return nil, err
	}},
	"FinishIdempotent": {own: "AAAAA|AAA|AA|U", run: func(c *cell) ([]uuid.UUID, error) {
		key := "matrix-" + c.unique()
		if c.actor.TenantID != uuid.Nil {
			_, err := c.d.BeginIdempotent(c.ctx, c.actor, key, "fp")
			require.NoError(c.t, err)
		}
		return nil, c.d.FinishIdempotent(c.ctx, c.actor, key, helpdesk.StoredResponse{Status: 201})
	}},
	"AbandonIdempotent": {own: "AAAAA|AAA|AA|U", run: func(c *cell) ([]uuid.UUID, error) {
		return nil, c.d.AbandonIdempotent(c.ctx, c.actor, "matrix-"+c.unique())
	}},
	"Notifications": {own: "AAFFA|FFF|FF|U", other: "AAFFA|FFF|FF|U", foreign: "HHFFH|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.notification(c.sc.user.ID, notify.Email, notify.StatusPending).ID
		page, err := c.d.Notifications(c.ctx, c.actor, storage.NotificationFilter{}, storage.PageRequest{Limit: storage.MaxPageSize})
		return ids(page.Items, func(x *notify.Notification) uuid.UUID { return x.ID }), err
	}},
	"RetryNotification": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		n := c.notification(c.sc.user.ID, notify.Email, notify.StatusFailed)
		_, err := c.d.RetryNotification(c.ctx, c.actor, n.ID)
		return nil, err
	}},
	"NotificationTemplates": {own: "AAFFA|FFF|FF|U", other: "AAFFA|FFF|FF|U", foreign: "HHFFH|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.notificationTemplate().ID
		ts, err := c.d.NotificationTemplates(c.ctx, c.actor, "")
		return ids(ts, func(x *notify.Template) uuid.UUID { return x.ID }), err
	}},
	"SaveNotificationTemplate": {own: "AAFFA|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.SaveNotificationTemplate(c.ctx, c.actor, notify.Template{Event: notify.TicketDone, Channel: notify.SMS,
			Language: "en-" + c.unique(), Text: "Done: {{.ticket_ref}}"})
		return nil, err
	}},
	"DeleteNotificationTemplate": {own: "AAFFA|FFF|NN|U", other: "AAFFA|FFF|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		return nil, c.d.DeleteNotificationTemplate(c.ctx, c.actor, c.notificationTemplate().ID)
	}},
	"PreviewNotificationTemplate": {own: "AAFFA|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.PreviewNotificationTemplate(c.ctx, c.actor, notify.Template{Event: notify.TicketDone, Channel: notify.SMS,
			Language: "en", Text: "Done: {{.ticket_ref}}"})
		return nil, err
	}},
	"RequestSession": {state: ticket.StateAssigned, fresh: true, own: "FFFFF|AAF|FA|U", other: "FFFFF|NNN|FN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.RequestSession(c.ctx, c.actor, c.ticket.ID)
		return nil, err
	}},
	"Invite": {state: ticket.StateAssigned, own: "AAAAF|FFF|NF|U", other: "AAAAF|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Invite(c.ctx, c.actor, c.ticket.ID, helpdesk.Invitation{})
		return nil, err
	}},
	"SessionTransition": {state: ticket.StateAssigned, fresh: true, own: "AAAAA|AAF|NA|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.SessionTransition(c.ctx, c.actor, c.session().ID, ticket.SessionEventCancel, helpdesk.SessionChange{Reason: "not needed"})
		return nil, err
	}},
	"Session": {state: ticket.StateAssigned, own: "AAAAA|AAA|NA|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Session(c.ctx, c.actor, c.session().ID)
		return nil, err
	}},
	"Sessions": {state: ticket.StateAssigned, own: "AAAAA|AAA|NA|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.session().ID
		ss, err := sessionsOf(c.ctx, c.d, c.actor, c.ticket.ID)
		return ids(ss, func(x *ticket.Session) uuid.UUID { return x.ID }), err
	}},
	"ListSessions": {state: ticket.StateAssigned, own: "AAAAA|AAA|FF|U", other: "AAAAA|HHH|FF|U", foreign: "HHHHH|HHH|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.session().ID
		p, err := c.d.ListSessions(c.ctx, c.actor, storage.SessionFilter{States: []ticket.SessionState{ticket.SessionInvited}},
			storage.PageRequest{Limit: storage.MaxPageSize})
		return ids(p.Items, func(x *ticket.Session) uuid.UUID { return x.ID }), err
	}},
	"JoinSession": {state: ticket.StateAssigned, own: "FFFAF|AAF|NA|U", other: "FFFAF|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.JoinSession(c.ctx, c.actor, c.session().ID)
		return nil, err
	}},
	// A ticket's offers are staff's, as its timers are.
	"Offers": {state: ticket.StateOpen, own: "AAAAA|FFF|NF|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Offers(c.ctx, c.actor, c.ticket.ID, storage.PageRequest{})
		return nil, err
	}},
	// MyOffers lists the acting employee's own open offers: those who may accept tickets. The
	// own scope's open ticket is offered to the agent, a member of the default group; the
	// others list none of it.
	"MyOffers": {state: ticket.StateOpen, own: "HHHAF|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.ticket.ID
		p, err := c.d.MyOffers(c.ctx, c.actor, storage.PageRequest{Limit: storage.MaxPageSize})
		return ids(p.Items, func(x *ticket.Offer) uuid.UUID { return x.TicketID }), err
	}},
	"Timers": {state: ticket.StateOpen, own: "AAAAA|FFF|NF|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.Timers(c.ctx, c.actor, c.ticket.ID)
		return nil, err
	}},
	"UploadMedia": {state: ticket.StateAssigned, fresh: true, own: "FFFFF|AAF|NA|U", other: "FFFFF|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, err := c.d.UploadMedia(c.ctx, c.actor, c.ticket.ID, upload("photo.jpg", jpegFile))
		return nil, err
	}},
	"Attachments": {state: ticket.StateAssigned, fresh: true, own: "AAAAA|AAA|NA|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.attachment().ID
		as, err := attachmentsOf(c.ctx, c.d, c.actor, c.ticket.ID)
		return ids(as, func(x *ticket.Attachment) uuid.UUID { return x.ID }), err
	}},
	"OpenAttachment": {state: ticket.StateAssigned, fresh: true, own: "AAAAA|AAA|NA|U", other: "AAAAA|NNN|NN|U", foreign: "NNNNN|NNN|NN|U", run: func(c *cell) ([]uuid.UUID, error) {
		_, rc, err := c.d.OpenAttachment(c.ctx, c.actor, c.attachment().ID)
		if err == nil {
			err = rc.Close()
		}
		return nil, err
	}},
	"MetaTeams": {own: "AAAAA|FFF|FF|U", other: "AAAAA|FFF|FF|U", foreign: "HHHHH|FFF|FF|U", run: func(c *cell) ([]uuid.UUID, error) {
		c.target = c.w.metaTeam[c.sc.org.tenant.ID]
		ms, err := c.d.MetaTeams(c.ctx, c.actor)
		return ids(ms, func(x *tenant.MetaTeam) uuid.UUID { return x.ID }), err
	}},
}

// credentialMatrix lists the operations that take a credential instead of an actor.
var credentialMatrix = map[string]credentialOp{
	// An API token's secret opens its user's actor, in the user's tenant and customer.
	"AuthenticateAPIToken": func(c *cell) (uuid.UUID, uuid.UUID, error) {
		_, plain, err := c.d.CreateAPIToken(c.ctx, c.sc.user.Actor(), helpdesk.NewAPIToken{Name: "matrix",
			Scopes: tenant.ScopeRead, ExpiresAt: c.w.f.clock.Now().Add(time.Hour)})
		require.NoError(c.t, err)
		actor, err := c.d.AuthenticateAPIToken(c.ctx, plain)
		return actor.TenantID, actor.CustomerID, err
	},
	"OpenSessionLink": func(c *cell) (uuid.UUID, uuid.UUID, error) {
		c.ticket = c.w.ticket(c.t, c.sc, ticket.StateAssigned, true)
		s := c.session()
		actor, got, err := c.d.OpenSessionLink(c.ctx, secret.Link(testKey, "session", s.TenantID, s.ID, c.ticket.LinkVersion))
		if err != nil {
			return uuid.Nil, uuid.Nil, err
		}
		require.Equal(c.t, s.ID, got.ID)
		return actor.TenantID, c.ticket.CustomerID, nil
	},
	"OpenCode": func(c *cell) (uuid.UUID, uuid.UUID, error) {
		p, err := c.d.OpenCode(c.ctx, c.sc.code.Token, "")
		if err != nil {
			return uuid.Nil, uuid.Nil, err
		}
		dev, err := c.store.GetDevice(c.ctx, p.Actor.TenantID, p.Actor.DeviceID)
		require.NoError(c.t, err)
		return p.Actor.TenantID, dev.CustomerID, nil
	},
	"ResolveCode": func(c *cell) (uuid.UUID, uuid.UUID, error) {
		p, err := c.d.ResolveCode(c.ctx, c.sc.code.Token, "")
		if err != nil {
			return uuid.Nil, uuid.Nil, err
		}
		dev, err := c.store.GetDevice(c.ctx, p.Actor.TenantID, p.Actor.DeviceID)
		require.NoError(c.t, err)
		return p.Actor.TenantID, dev.CustomerID, nil
	},
	"OpenRequestLink": func(c *cell) (uuid.UUID, uuid.UUID, error) {
		sent, err := c.d.SendRequestLink(c.ctx, c.sc.org.system, c.sc.dev.ID, helpdesk.NewRequestLink{Contact: nurseContact})
		require.NoError(c.t, err)
		p, err := c.d.OpenRequestLink(c.ctx, sent.Token)
		if err != nil {
			return uuid.Nil, uuid.Nil, err
		}
		dev, err := c.store.GetDevice(c.ctx, p.Actor.TenantID, p.Actor.DeviceID)
		require.NoError(c.t, err)
		return p.Actor.TenantID, dev.CustomerID, nil
	},
	// A used link still names its holder (the retry of the request that used it is theirs).
	"RequestLinkActor": func(c *cell) (uuid.UUID, uuid.UUID, error) {
		sent, err := c.d.SendRequestLink(c.ctx, c.sc.org.system, c.sc.dev.ID, helpdesk.NewRequestLink{Contact: nurseContact})
		require.NoError(c.t, err)
		a, err := c.d.RequestLinkActor(c.ctx, sent.Token)
		if err != nil {
			return uuid.Nil, uuid.Nil, err
		}
		_, err = c.d.SubmitTicket(c.ctx, a, helpdesk.NewTicket{Title: "Through the link", Requester: nurseContact})
		require.NoError(c.t, err)
		again, err := c.d.RequestLinkActor(c.ctx, sent.Token)
		require.NoError(c.t, err)
		require.Equal(c.t, a, again)
		dev, err := c.store.GetDevice(c.ctx, a.TenantID, a.DeviceID)
		require.NoError(c.t, err)
		return a.TenantID, dev.CustomerID, nil
	},
	"OpenRequesterLink": func(c *cell) (uuid.UUID, uuid.UUID, error) {
		tk := c.w.ticket(c.t, c.sc, ticket.StateOpen, false)
		p, err := c.d.OpenRequesterLink(c.ctx, c.w.f.tokens[tk.ID])
		if err != nil {
			return uuid.Nil, uuid.Nil, err
		}
		require.Equal(c.t, tk.ID, p.Actor.TicketID)
		return p.Actor.TenantID, p.Ticket.CustomerID, nil
	},
	"SignIn": func(c *cell) (uuid.UUID, uuid.UUID, error) {
		in, err := c.d.SignIn(c.ctx, c.sc.org.tenant.ID, c.sc.user.Email, matrixPassword)
		return signedIn(in, err)
	},
	"Authenticate": func(c *cell) (uuid.UUID, uuid.UUID, error) {
		in, err := c.d.SignIn(c.ctx, c.sc.org.tenant.ID, c.sc.user.Email, matrixPassword)
		require.NoError(c.t, err)
		a, err := c.d.Authenticate(c.ctx, in.Token)
		return a.TenantID, a.CustomerID, err
	},
	"SignOut": func(c *cell) (uuid.UUID, uuid.UUID, error) {
		in, err := c.d.SignIn(c.ctx, c.sc.org.tenant.ID, c.sc.user.Email, matrixPassword)
		require.NoError(c.t, err)
		if err := c.d.SignOut(c.ctx, in.Token); err != nil {
			return uuid.Nil, uuid.Nil, err
		}
		_, err = c.d.Authenticate(c.ctx, in.Token)
		require.ErrorIs(c.t, err, helpdesk.ErrUnauthenticated)
		return in.Actor.TenantID, in.Actor.CustomerID, nil
	},
	"AcceptInvitation": func(c *cell) (uuid.UUID, uuid.UUID, error) {
		u := c.newUser(tenant.UserInvited)
		link, err := c.d.ResendInvitation(c.ctx, c.sc.org.system, u.ID)
		require.NoError(c.t, err)
		in, err := c.d.AcceptInvitation(c.ctx, link.Token, matrixPassword)
		return signedIn(in, err)
	},
	"RequestPasswordReset": func(c *cell) (uuid.UUID, uuid.UUID, error) {
		link, err := c.d.RequestPasswordReset(c.ctx, c.sc.org.tenant.ID, c.sc.user.Email)
		if err != nil {
			return uuid.Nil, uuid.Nil, err
		}
		require.NotNil(c.t, link)
		ut, err := c.store.GetUserToken(c.ctx, secret.Hash(link.Token))
		require.NoError(c.t, err)
		require.Equal(c.t, c.sc.user.ID, ut.UserID)
		return ut.TenantID, c.sc.user.CustomerID, nil
	},
	"ResetPassword": func(c *cell) (uuid.UUID, uuid.UUID, error) {
		link, err := c.d.RequestPasswordReset(c.ctx, c.sc.org.tenant.ID, c.sc.user.Email)
		require.NoError(c.t, err)
		in, err := c.d.ResetPassword(c.ctx, link.Token, matrixPassword)
		return signedIn(in, err)
	},
	"Register": func(c *cell) (uuid.UUID, uuid.UUID, error) {
		link, err := c.d.Register(c.ctx, c.sc.org.tenant.ID, helpdesk.Registration{
			Email: c.unique() + "@" + c.w.domain[c.sc.cust.ID], Name: "Self Registered"})
		if err != nil {
			return uuid.Nil, uuid.Nil, err
		}
		require.NotNil(c.t, link)
		in, err := c.d.AcceptInvitation(c.ctx, link.Token, matrixPassword)
		return signedIn(in, err)
	},
	// The provider's message ID is the credential of a delivery report.
	"ReportDelivery": func(c *cell) (uuid.UUID, uuid.UUID, error) {
		n := c.notification(c.sc.user.ID, notify.SMS, notify.StatusSent)
		if err := c.d.ReportDelivery(c.ctx, notify.StatusReport{Channel: notify.SMS, ProviderID: n.ProviderID, Delivered: true}); err != nil {
			return uuid.Nil, uuid.Nil, err
		}
		got, err := c.store.GetNotification(c.ctx, n.TenantID, n.ID)
		require.NoError(c.t, err)
		require.Equal(c.t, notify.StatusDelivered, got.Status)
		u, err := c.store.GetUser(c.ctx, got.TenantID, got.To.UserID)
		require.NoError(c.t, err)
		return got.TenantID, u.CustomerID, nil
	},
	"RedeemShareLogin": func(c *cell) (uuid.UUID, uuid.UUID, error) {
		link, err := c.d.ShareLogin(c.ctx, c.sc.user.Actor())
		require.NoError(c.t, err)
		in, err := c.d.RedeemShareLogin(c.ctx, link.Token)
		return signedIn(in, err)
	},
}

const matrixPassword = "Matrix-Pass-1"

func signedIn(in *helpdesk.SignedIn, err error) (uuid.UUID, uuid.UUID, error) {
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	return in.Actor.TenantID, in.Actor.CustomerID, nil
}

// counted lists the records of a statistics map that have tickets.
func counted(m map[uuid.UUID]storage.RecordStats) []uuid.UUID {
	var out []uuid.UUID
	for id, r := range m {
		if r.Tickets > 0 {
			out = append(out, id)
		}
	}
	return out
}

func ids[T any](items []T, id func(T) uuid.UUID) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(items))
	for _, x := range items {
		out = append(out, id(x))
	}
	return out
}

// background lists the Desk's background work, which acts for every tenant by design and
// takes neither actor nor credential.
var background = map[string]string{
	"Run":                 "fires every tenant's due timers and delivers every tenant's due notifications",
	"DispatchOnce":        "delivers one batch of every tenant's due notifications",
	"DeliverWebhooksOnce": "delivers one batch of every tenant's due webhooks",
	"FireTimersOnce":      "fires one batch of every tenant's due timers",
	"HousekeepOnce":       "purges what no record needs any more, in every tenant",
	"Backlog":             "counts the whole outbox and the due timers, for metrics; names no record",
	"Ready":               "checks the database answers and its migrations are current; reads no record",
	"HandleRoomEvent":     "applies a video provider's event to the session of the room it names, in whichever tenant",
	"CodeURL":             "builds a URL from a token the caller holds; reads nothing",
	"PushPublicKey":       "returns the server's VAPID public key, the same for everyone; reads nothing",
}

// session returns a new invited session of the cell's ticket, by the scope's agent.
func (c *cell) session() *ticket.Session {
	c.t.Helper()
	s, err := c.d.Invite(c.ctx, c.sc.org.agent, c.ticket.ID, helpdesk.Invitation{})
	require.NoError(c.t, err)
	return s
}

// attachment returns a new photo on the cell's ticket, uploaded by the ticket's creator.
func (c *cell) attachment() *ticket.Attachment {
	c.t.Helper()
	a, err := c.d.UploadMedia(c.ctx, c.sc.creator, c.ticket.ID, upload("photo.jpg", jpegFile))
	require.NoError(c.t, err)
	return a
}

// ownSMTP gives the cell's tenant a mail server of its own, if it has none.
func (c *cell) ownSMTP() {
	c.t.Helper()
	tid := c.sc.org.tenant.ID
	if _, err := c.store.GetTenantSMTP(c.ctx, tid); err == nil {
		return
	}
	require.NoError(c.t, c.store.PutTenantSMTP(c.ctx, &tenant.SMTP{TenantID: tid, Host: "smtp.example.com", Security: "starttls",
		From: "support@example.com", UpdatedAt: time.Now()}))
}

// TestIsolationMatrixCoversDesk fails when a Desk operation is missing from the matrix, or
// the matrix names an operation the Desk does not have.
func TestIsolationMatrixCoversDesk(t *testing.T) {
	desk := reflect.TypeOf(&helpdesk.Desk{})
	var missing []string
	for i := range desk.NumMethod() {
		name := desk.Method(i).Name
		_, a := matrix[name]
		_, c := credentialMatrix[name]
		_, b := background[name]
		if !a && !c && !b {
			missing = append(missing, name)
		}
	}
	assert.Empty(t, missing, "Desk operations missing from the isolation matrix: add them to matrix or credentialMatrix")
	for name := range matrix {
		_, ok := desk.MethodByName(name)
		assert.True(t, ok, "matrix names %s, which the Desk does not have", name)
	}
	for name := range credentialMatrix {
		_, ok := desk.MethodByName(name)
		assert.True(t, ok, "credentialMatrix names %s, which the Desk does not have", name)
	}
}

func TestIsolationMatrix(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		w := newMatrixWorld(t, s)
		names := make([]string, 0, len(matrix))
		for name := range matrix {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			op := matrix[name]
			t.Run(name, func(t *testing.T) {
				for _, sc := range w.scopes {
					want := map[string]string{"own": op.own, "other": op.other, "foreign": op.foreign}[sc.name]
					if sc.name != "own" && op.other == "" && op.foreign == "" {
						continue
					}
					want = strings.NewReplacer(" ", "", "|", "").Replace(want)
					require.Len(t, want, len(matrixActors), "%s %s: one outcome per actor", name, sc.name)
					got := make([]byte, len(matrixActors))
					for i, kind := range matrixActors {
						got[i] = w.cell(t, sc, kind, op).outcome
					}
					assert.Equal(t, want, string(got), "%s on %s records (actors: %s)", name, sc.name, strings.Join(matrixActors, " "))
				}
			})
		}
		for _, name := range sortedKeys(credentialMatrix) {
			run := credentialMatrix[name]
			t.Run(name, func(t *testing.T) {
				for _, sc := range w.scopes {
					c := &cell{t: t, ctx: t.Context(), w: w, d: w.f.desk, store: w.f.store, sc: sc}
					tid, cid, err := run(c)
					require.NoError(t, err, "%s with a credential of the %s scope", name, sc.name)
					assert.Equal(t, sc.org.tenant.ID, tid, "%s: the %s credential reaches its own tenant only", name, sc.name)
					assert.Equal(t, sc.cust.ID, cid, "%s: the %s credential reaches its own customer only", name, sc.name)
				}
			})
		}
	})
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// matrixScope is one set of records the matrix acts on.
type matrixScope struct {
	name string
	org  *org
	cust *tenant.Customer
	dev  *device.Device
	code *device.Code
	// creator opens the scope's tickets: a customer_user of cust.
	creator tenant.Actor
	// user is an active customer user of cust with matrixPassword.
	user *tenant.User
}

// matrixWorld holds two tenants, the actors of tenant 1 and the three scopes.
type matrixWorld struct {
	f      *fixture
	actors map[string]tenant.Actor
	scopes []*matrixScope
	// linkTicket is a ticket of customer X whose requester link acts outside the own scope.
	linkTicket *ticket.Ticket
	openStatus map[uuid.UUID]uuid.UUID // per tenant: its "Open" status
	priority   map[uuid.UUID]uuid.UUID // per tenant: one priority
	metaTeam   map[uuid.UUID]uuid.UUID // per tenant: one meta-team
	domain     map[uuid.UUID]string    // per customer: its signup domain
	tickets    map[string]*ticket.Ticket
	seq        int
}

func newMatrixWorld(t *testing.T, s *bunstore.Store) *matrixWorld {
	t.Helper()
	ctx := t.Context()
	f := newFixture(t, s)
	o2 := f.addTenant(t, "Globex Service", "G")
	w := &matrixWorld{f: f, openStatus: map[uuid.UUID]uuid.UUID{}, priority: map[uuid.UUID]uuid.UUID{},
		metaTeam: map[uuid.UUID]uuid.UUID{}, domain: map[uuid.UUID]string{}, tickets: map[string]*ticket.Ticket{}}
	cadmin := f.person(t, f.tenant.ID, f.custX.ID, tenant.RoleCustomerAdmin, "Carla Admin")
	w.actors = map[string]tenant.Actor{
		"admin": f.admin, "moderator": f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleModerator, "Mo Moderator"),
		"supervisor": f.supervisor, "agent": f.agent, "system": f.system,
		"customer_admin": cadmin, "customer_user": f.userX,
		"colleague":   f.person(t, f.tenant.ID, f.custX.ID, tenant.RoleCustomerUser, "Cleo Colleague"),
		"code_holder": f.holder, "anonymous": {},
	}
	for _, a := range w.actors {
		if a.UserID != uuid.Nil {
			require.NoError(t, f.desk.SetPassword(ctx, f.system, a.UserID, matrixPassword))
		}
	}
	for _, o := range []*org{f.org, o2} {
		ss, err := f.desk.Statuses(ctx, o.system)
		require.NoError(t, err)
		for _, st := range ss {
			if st.State == ticket.StateOpen {
				w.openStatus[o.tenant.ID] = st.ID
			}
		}
		ps, err := f.desk.Priorities(ctx, o.system)
		require.NoError(t, err)
		w.priority[o.tenant.ID] = ps[0].ID
		m, err := f.desk.CreateMetaTeam(ctx, o.system, "Region")
		require.NoError(t, err)
		w.metaTeam[o.tenant.ID] = m.ID
		_, err = updateSettings(ctx, f.desk, o.system, tenant.Settings{SelfRegistration: true})
		require.NoError(t, err)
	}
	scope := func(name string, o *org, cust *tenant.Customer, dev *device.Device, code *device.Code, creator tenant.Actor) *matrixScope {
		sc := &matrixScope{name: name, org: o, cust: cust, dev: dev, code: code, creator: creator}
		u := f.person(t, o.tenant.ID, cust.ID, tenant.RoleCustomerUser, "Una User")
		require.NoError(t, f.desk.SetPassword(ctx, o.system, u.UserID, matrixPassword))
		var err error
		sc.user, err = f.store.GetUser(ctx, o.tenant.ID, u.UserID)
		require.NoError(t, err)
		w.domain[cust.ID] = strings.ToLower(name) + "." + cust.ID.String()[:8] + ".example"
		_, err = f.desk.SetSignupDomains(ctx, o.system, cust.ID, []string{w.domain[cust.ID]})
		require.NoError(t, err)
		return sc
	}
	codeY, _ := f.newHolder(t, f.org, f.devY.ID, helpdesk.NewCode{})
	w.scopes = []*matrixScope{
		scope("own", f.org, f.custX, f.devX, f.code, f.userX),
		scope("other", f.org, f.custY, f.devY, codeY, f.userY),
		scope("foreign", o2, o2.custX, o2.devX, o2.code, o2.userX),
	}
	w.linkTicket = w.ticket(t, w.scopes[0], ticket.StateOpen, true)
	return w
}

// ticket returns a ticket of sc in state, opened by sc.creator through fixture.open (so its
// requester link is known) and walked there by the scope's agent; a cached one unless fresh.
func (w *matrixWorld) ticket(t *testing.T, sc *matrixScope, state ticket.State, fresh bool) *ticket.Ticket {
	t.Helper()
	key := sc.name + "/" + string(state)
	if tk, ok := w.tickets[key]; ok && !fresh {
		return tk
	}
	w.seq++
	in := helpdesk.NewTicket{Title: fmt.Sprintf("matrix %s %s %d", sc.name, state, w.seq), DeviceID: sc.dev.ID,
		Requester: nurseContact, Draft: state == ticket.StateDraft}
	tk := w.f.open(t, sc.creator, in)
	path := map[ticket.State][]ticket.Event{
		ticket.StateDraft: nil, ticket.StateOpen: nil,
		ticket.StateAssigned: {ticket.EventAccept},
		ticket.StateDone:     {ticket.EventAccept, ticket.EventComplete},
	}
	events, ok := path[state]
	require.True(t, ok, "no path to %s", state)
	for _, ev := range events {
		var err error
		tk, err = w.f.desk.Transition(t.Context(), sc.org.agent, tk.ID, ev, helpdesk.Change{})
		require.NoError(t, err)
	}
	if !fresh {
		w.tickets[key] = tk
	}
	return tk
}

// cell is one operation run by one actor on one scope's records.
type cell struct {
	t      *testing.T
	ctx    context.Context
	w      *matrixWorld
	d      *helpdesk.Desk
	store  *bunstore.Store
	sc     *matrixScope
	actor  tenant.Actor
	ticket *ticket.Ticket
	// target is the record a listing must contain for the outcome A (H otherwise).
	target  uuid.UUID
	outcome byte
}

// cell runs op as the actor of kind on sc and classifies the answer.
func (w *matrixWorld) cell(t *testing.T, sc *matrixScope, kind string, op matrixOp) *cell {
	t.Helper()
	c := &cell{t: t, ctx: t.Context(), w: w, d: w.f.desk, store: w.f.store, sc: sc, actor: w.actors[kind]}
	if op.state != "" {
		c.ticket = w.ticket(t, sc, op.state, op.fresh)
	}
	if kind == "requester_link" {
		tk := w.linkTicket
		if c.ticket != nil && sc.name == "own" {
			tk = c.ticket
		}
		c.actor = w.f.link(t, tk)
	}
	got, err := op.run(c)
	switch {
	case err == nil && c.target != uuid.Nil && !slices.Contains(got, c.target):
		c.outcome = 'H'
	case err == nil:
		c.outcome = 'A'
	case errors.Is(err, storage.ErrNotFound):
		c.outcome = 'N'
	case helpdesk.KindOf(err) == helpdesk.KindForbidden:
		c.outcome = 'F'
	case helpdesk.KindOf(err) == helpdesk.KindUnauthenticated:
		c.outcome = 'U'
	default:
		c.outcome = '?'
	}
	if c.outcome == '?' || err != nil && c.outcome != 'U' && testing.Verbose() {
		t.Logf("%s on %s: %v", kind, sc.name, err)
	}
	if c.outcome == '?' {
		t.Errorf("%s on %s: unexpected error %v", kind, sc.name, err)
	}
	return c
}

// unique returns a string no other cell uses.
func (c *cell) unique() string {
	c.w.seq++
	return fmt.Sprintf("m%d", c.w.seq)
}

// notification stores a notification of the scope's tenant for the user on ch in status st.
func (c *cell) notification(userID uuid.UUID, ch notify.Channel, st notify.Status) *notify.Notification {
	c.t.Helper()
	now := c.w.f.clock.Now().UTC()
	id := uuid.Must(uuid.NewV7())
	n := &notify.Notification{Message: notify.Message{ID: id, IdempotencyKey: id.String(), TenantID: c.sc.org.tenant.ID,
		Event: notify.TicketDone, Channel: ch, To: notify.Address{UserID: userID, Name: "Tess", Email: "tess@example.com", Phone: "+4930111111"},
		Language: "en", Subject: "Done", Text: "Done."}, Status: st, NextAttemptAt: now.Add(time.Hour), CreatedAt: now}
	if st == notify.StatusSent {
		n.ProviderID, n.SentAt = "SM"+strings.ReplaceAll(id.String(), "-", ""), &now
	}
	require.NoError(c.t, c.store.EnqueueNotifications(c.ctx, []*notify.Notification{n}))
	return n
}

// webhook stores an active webhook endpoint of the scope's tenant, on loopback.
func (c *cell) webhook() *webhook.Endpoint {
	c.t.Helper()
	now := c.w.f.clock.Now().UTC()
	e := &webhook.Endpoint{ID: uuid.Must(uuid.NewV7()), TenantID: c.sc.org.tenant.ID, URL: "http://127.0.0.1:9/hooks", Active: true,
		SealedSecret: "not sealed", CreatedAt: now, UpdatedAt: now, Version: 1}
	require.NoError(c.t, c.store.CreateWebhookEndpoint(c.ctx, e))
	return e
}

// webhookDelivery stores a failed delivery to a new endpoint of the scope's tenant.
func (c *cell) webhookDelivery() *webhook.Delivery {
	c.t.Helper()
	e := c.webhook()
	now := c.w.f.clock.Now().UTC()
	id := uuid.Must(uuid.NewV7())
	d := &webhook.Delivery{ID: id, TenantID: e.TenantID, EndpointID: e.ID, MessageID: "msg_" + id.String(), Event: string(notify.TicketDone),
		Payload: []byte(`{"type":"ticket.done"}`), State: webhook.Failed, Attempts: 8, NextAttemptAt: now, CreatedAt: now}
	require.NoError(c.t, c.store.EnqueueWebhookDeliveries(c.ctx, []*webhook.Delivery{d}))
	return d
}

// pushSubscription stores a push subscription of the scope's tenant for userID.
func (c *cell) pushSubscription(userID uuid.UUID) *notify.PushSubscription {
	c.t.Helper()
	in := pushInput("https://push.example.com/" + c.unique())
	sub := &notify.PushSubscription{ID: uuid.Must(uuid.NewV7()), TenantID: c.sc.org.tenant.ID, UserID: userID,
		Endpoint: in.Endpoint, P256dh: in.P256dh, Auth: in.Auth, CreatedAt: c.w.f.clock.Now().UTC()}
	require.NoError(c.t, c.store.CreatePushSubscription(c.ctx, sub))
	return sub
}

// apiToken stores an API token of the user, in the scope's tenant.
func (c *cell) apiToken(userID uuid.UUID) *tenant.APIToken {
	c.t.Helper()
	now := c.w.f.clock.Now().UTC()
	tok := &tenant.APIToken{ID: uuid.Must(uuid.NewV7()), TenantID: c.sc.org.tenant.ID, UserID: userID, Name: "matrix",
		Scopes: tenant.ScopeRead, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	require.NoError(c.t, c.store.CreateAPIToken(c.ctx, tok, secret.Hash(c.unique())))
	return tok
}

// notificationTemplate stores a notification template of the scope's tenant.
func (c *cell) notificationTemplate() *notify.Template {
	c.t.Helper()
	now := c.w.f.clock.Now().UTC()
	t := &notify.Template{ID: uuid.Must(uuid.NewV7()), TenantID: c.sc.org.tenant.ID, Event: notify.TicketDone, Channel: notify.SMS,
		Language: "en-" + c.unique(), Text: "Done: {{.ticket_ref}}", CreatedAt: now, UpdatedAt: now, Version: 1}
	require.NoError(c.t, c.store.CreateNotificationTemplate(c.ctx, t))
	return t
}

// department stores a department of the scope's tenant.
func (c *cell) department() *tenant.Department {
	c.t.Helper()
	now := c.w.f.clock.Now().UTC()
	dep := &tenant.Department{ID: uuid.Must(uuid.NewV7()), TenantID: c.sc.org.tenant.ID, Name: "Branch " + c.unique(),
		CreatedAt: now, UpdatedAt: now, Version: 1}
	require.NoError(c.t, c.store.CreateDepartment(c.ctx, dep))
	return dep
}

// cannedResponse stores a canned response of the scope's tenant.
func (c *cell) cannedResponse() *ticket.CannedResponse {
	c.t.Helper()
	now := c.w.f.clock.Now().UTC()
	r := &ticket.CannedResponse{ID: uuid.Must(uuid.NewV7()), TenantID: c.sc.org.tenant.ID, Language: "en",
		Title: "Thanks " + c.unique(), Body: "Thank you, {{.recipient_name}}.", CreatedAt: now, UpdatedAt: now, Version: 1}
	require.NoError(c.t, c.store.CreateCannedResponse(c.ctx, r))
	return r
}

// newUser stores a fresh customer user of the scope's customer with status st.
func (c *cell) newUser(st tenant.UserStatus) *tenant.User {
	c.t.Helper()
	a := c.w.f.person(c.t, c.sc.org.tenant.ID, c.sc.cust.ID, tenant.RoleCustomerUser, "Tess Target")
	u, err := c.store.GetUser(c.ctx, c.sc.org.tenant.ID, a.UserID)
	require.NoError(c.t, err)
	if u.Status != st {
		u.Status = st
		require.NoError(c.t, c.store.UpdateUser(c.ctx, u))
	}
	return u
}
