package tenant

import (
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
)

// Action is something an actor does, as the access policy names it.
type Action string

// The actions of the access policy. Ticket lifecycle events are actions too: TicketEvent.
const (
	ActTenantCreate   Action = "tenant.create"
	ActTenantRead     Action = "tenant.read"
	ActTenantSettings Action = "tenant.settings"

	ActCustomerCreate Action = "customer.create"
	ActCustomerRead   Action = "customer.read"
	ActCustomerList   Action = "customer.list"
	ActCustomerUpdate Action = "customer.update"
	ActOrgManage      Action = "org.manage" // departments and projects
	ActOrgRead        Action = "org.read"   // list departments and projects

	ActTemplateManage Action = "template.manage"
	ActTemplateRead   Action = "template.read"
	ActDeviceManage   Action = "device.manage"
	ActDeviceRead     Action = "device.read"
	ActDeviceList     Action = "device.list"
	ActCodeManage     Action = "code.manage"
	ActCodeList       Action = "code.list"

	ActTicketCreate   Action = "ticket.create"
	ActTicketRead     Action = "ticket.read"
	ActTicketList     Action = "ticket.list"
	ActTicketEdit     Action = "ticket.edit"
	ActTicketStatus   Action = "ticket.status"
	ActTicketDelete   Action = "ticket.delete"
	ActTicketLink     Action = "ticket.link"       // rotate the requester's link
	ActRequestLink    Action = "request_link.send" // send a contact a link to open a ticket
	ActMessagePost    Action = "message.post"
	ActMessageIntern  Action = "message.internal"
	ActStatusManage   Action = "status.manage" // custom statuses and priorities
	ActStatusList     Action = "status.list"
	ActCannedManage   Action = "canned.manage" // create, edit and delete canned responses
	ActCannedUse      Action = "canned.use"    // list canned responses and render them for a ticket
	ActAuditRead      Action = "audit.read"
	ActEmployeeManage Action = "employee.manage"
	ActCustUserManage Action = "customer_user.manage"
	ActUserRead       Action = "user.read"
	ActUserList       Action = "user.list"
	ActProfileUpdate  Action = "profile.update"
	ActTeamManage     Action = "team.manage"
	ActTeamRead       Action = "team.read"
	ActShareLogin     Action = "login.share"
	ActAPITokens      Action = "api_token.manage" // one's own API tokens: create, list, revoke

	ActNotifyTemplates Action = "notify.templates" // notification templates and previews
	// ActAccountTemplates is editing the templates of account events (invitations, password
	// resets), which carry one-time sign-in links: whoever edits them could send the links
	// elsewhere, so only admins may.
	ActAccountTemplates Action = "notify.account_templates"
	ActOutbox           Action = "notify.outbox" // the delivery log: list, retry failed
	ActInbox            Action = "notify.inbox"  // one's own in-app notifications (the bell)
	ActPush             Action = "notify.push"   // one's own browsers' push subscriptions
	ActSMTP             Action = "notify.smtp"   // the tenant's own mail server: set, read, test
	// ActWebhooks is managing the tenant's webhook endpoints: they receive every event of
	// the tenant, so only admins may point them somewhere.
	ActWebhooks Action = "webhook.manage"

	ActSessionJoin Action = "session.join" // join a call: get a video token for it
	ActMediaUpload Action = "media.upload" // upload photos and videos to a ticket

	ActStatsRead Action = "stats.read" // statistics: the dashboard's, and those of templates, devices and customers
)

// SessionEvent returns the action of firing a video session lifecycle event ("session.invite").
func SessionEvent(event string) Action { return Action("session." + event) }

// TicketEvent returns the action of firing a ticket lifecycle event ("ticket.close").
func TicketEvent(event string) Action { return Action("ticket." + event) }

// ResourceKind says what a Resource is.
type ResourceKind string

// The kinds of resource the policy tells apart. Customer, device, ticket and user resources
// belong to a customer (or none); the others are the operator's alone.
const (
	KindTenant   ResourceKind = "tenant"
	KindCustomer ResourceKind = "customer"
	KindDevice   ResourceKind = "device"
	KindTicket   ResourceKind = "ticket"
	KindUser     ResourceKind = "user"
	KindOther    ResourceKind = "other"
)

// Resource is what an action targets, as much as the policy needs of it.
type Resource struct {
	Kind     ResourceKind
	TenantID uuid.UUID
	ID       uuid.UUID
	// CustomerID is the customer the resource belongs to (for a customer, its own ID);
	// uuid.Nil for the operator's own resources, such as employees and unassigned devices.
	CustomerID uuid.UUID
	// OwnerID is the user the resource is personal to: a ticket's opener, a user themself.
	OwnerID uuid.UUID
}

// Errors of Authorize, always wrapped with the reason.
var (
	// ErrForbidden means the actor may never perform the action, or may see the resource but
	// not act on it. It never depends on whether a record exists.
	ErrForbidden = errors.New("forbidden")
	// ErrHidden means the resource lies outside what the actor may see (another tenant,
	// another customer, another device or ticket). Callers report it as not found, so that
	// existence does not leak.
	ErrHidden = errors.New("not visible")
)

// party is one kind of actor as the policy tells them apart: an employee role, the system, a
// customer role, a code holder or a requester link.
type party uint16

const (
	pAdmin party = 1 << iota
	pModerator
	pSupervisor
	pAgent
	pSystem
	pCustAdmin
	pCustUser
	pHolder
	pLink

	employees  = pAdmin | pModerator | pSupervisor | pAgent
	staff      = employees | pSystem
	managers   = pAdmin | pModerator | pSystem
	leads      = managers | pSupervisor
	customers  = pCustAdmin | pCustUser
	people     = staff | customers
	requesters = customers | pLink
)

// rule says who may perform an action at all (who) and which of them only on resources
// personal to them (own).
type rule struct{ who, own party }

// rules is the access policy, one line per action. Scope (tenant, customer, device, ticket) is
// applied to every actor by Authorize; a rule only says who.
var rules = map[Action]rule{
	ActTenantRead:       {who: people},
	ActTenantSettings:   {who: pAdmin | pSystem},
	ActCustomerCreate:   {who: managers},
	ActCustomerRead:     {who: people},
	ActCustomerList:     {who: staff},
	ActCustomerUpdate:   {who: managers},
	ActOrgManage:        {who: managers},
	ActOrgRead:          {who: staff},
	ActTemplateManage:   {who: managers},
	ActTemplateRead:     {who: staff},
	ActDeviceManage:     {who: managers},
	ActDeviceRead:       {who: people},
	ActDeviceList:       {who: people},
	ActCodeManage:       {who: managers},
	ActCodeList:         {who: staff},
	ActTicketCreate:     {who: people | pHolder},
	ActTicketRead:       {who: people | pLink},
	ActTicketList:       {who: people},
	ActTicketEdit:       {who: staff},
	ActTicketStatus:     {who: staff},
	ActTicketDelete:     {who: pAdmin},
	ActTicketLink:       {who: staff},
	ActRequestLink:      {who: staff},
	ActMessagePost:      {who: people | pLink},
	ActMessageIntern:    {who: staff},
	ActStatusManage:     {who: managers},
	ActStatusList:       {who: people},
	ActCannedManage:     {who: managers},
	ActCannedUse:        {who: staff},
	ActAuditRead:        {who: managers},
	ActEmployeeManage:   {who: pAdmin | pSystem},
	ActCustUserManage:   {who: managers | pCustAdmin},
	ActUserRead:         {who: people},
	ActUserList:         {who: staff | pCustAdmin},
	ActProfileUpdate:    {who: employees | customers, own: employees | customers},
	ActTeamManage:       {who: managers},
	ActTeamRead:         {who: staff},
	ActShareLogin:       {who: employees | customers},
	ActAPITokens:        {who: employees | customers, own: employees | customers},
	ActNotifyTemplates:  {who: managers},
	ActAccountTemplates: {who: pAdmin | pSystem},
	ActOutbox:           {who: managers},
	ActInbox:            {who: employees | customers},
	ActPush:             {who: employees | customers},
	ActSMTP:             {who: pAdmin},
	ActWebhooks:         {who: pAdmin},
	ActStatsRead:        {who: people},

	// The "who" column of the ticket lifecycle. A customer_user is the requester of the
	// tickets they opened; a customer_admin answers for all of their company's.
	TicketEvent("submit"):   {who: staff | requesters, own: pCustUser},
	TicketEvent("accept"):   {who: employees},
	TicketEvent("assign"):   {who: leads},
	TicketEvent("reject"):   {who: leads},
	TicketEvent("start"):    {who: staff},
	TicketEvent("wait"):     {who: staff},
	TicketEvent("complete"): {who: staff},
	TicketEvent("resume"):   {who: staff | requesters, own: pCustUser},
	TicketEvent("rate"):     {who: requesters, own: pCustUser},
	// People decide these; automation closes through expire.
	TicketEvent("close"):  {who: employees | requesters, own: pCustUser},
	TicketEvent("cancel"): {who: employees | requesters, own: pCustUser},
	TicketEvent("reopen"): {who: employees | requesters, own: pCustUser},
	TicketEvent("expire"): {who: pSystem},

	// The video session lifecycle: requesters ask, accept, refuse, rate and withdraw; staff
	// invite, propose, confirm, close and reopen; calls start and end by themselves (the
	// provider's events, as the system) or by staff; only the system lets an invitation expire.
	SessionEvent("request"): {who: requesters | pHolder, own: pCustUser},
	SessionEvent("invite"):  {who: employees},
	SessionEvent("propose"): {who: employees},
	SessionEvent("confirm"): {who: employees},
	SessionEvent("accept"):  {who: requesters, own: pCustUser},
	SessionEvent("refuse"):  {who: requesters, own: pCustUser},
	SessionEvent("start"):   {who: staff},
	SessionEvent("end"):     {who: staff},
	SessionEvent("rate"):    {who: requesters, own: pCustUser},
	SessionEvent("close"):   {who: staff},
	SessionEvent("expire"):  {who: pSystem},
	SessionEvent("cancel"):  {who: staff | requesters, own: pCustUser},
	SessionEvent("reopen"):  {who: employees},
	ActSessionJoin:          {who: employees | requesters, own: pCustUser},
	ActMediaUpload:          {who: requesters, own: pCustUser},
}

// Actions lists every action the policy knows, sorted.
func Actions() []Action {
	out := []Action{ActTenantCreate}
	for a := range rules {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

func (a Actor) party() party {
	switch a.Kind {
	case ActorSystem:
		return pSystem
	case ActorCodeHolder:
		return pHolder
	case ActorRequesterLink:
		return pLink
	}
	switch a.Role {
	case RoleAdmin:
		return pAdmin
	case RoleModerator:
		return pModerator
	case RoleSupervisor:
		return pSupervisor
	case RoleAgent:
		return pAgent
	case RoleCustomerAdmin:
		return pCustAdmin
	case RoleCustomerUser:
		return pCustUser
	}
	return 0
}

// Authorize decides whether actor a may perform act, on r when r is not nil. Every Desk
// operation asks twice: before touching storage with r nil (may this actor ever do this?), and
// again with the record it loaded. It returns nil when allowed, and otherwise an error
// wrapping:
//
//   - ErrInvalidActor for an actor that fails Validate or acts outside any tenant;
//   - ErrForbidden when the action is not the actor's to perform, the actor is an API token's
//     whose scopes do not allow it (the reason names the scope needed), or r is visible to the
//     actor but personal to someone else;
//   - ErrHidden when r belongs to another tenant, another customer (for customer users), or
//     another device or ticket (for code holders and requester links).
//
// Only the platform's System actor (no tenant) may create tenants, and it may do nothing else.
func Authorize(a Actor, act Action, r *Resource) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if act == ActTenantCreate {
		if a.Kind == ActorSystem && a.TenantID == uuid.Nil && a.Scopes == 0 {
			return nil
		}
		return fmt.Errorf("%w: only the platform creates tenants", ErrForbidden)
	}
	if a.TenantID == uuid.Nil {
		return fmt.Errorf("%w: %s actor acts outside any tenant", ErrInvalidActor, a.Kind)
	}
	ru, ok := rules[act]
	if !ok {
		return fmt.Errorf("%w: unknown action %q", ErrForbidden, act)
	}
	p := a.party()
	if ru.who&p == 0 {
		return fmt.Errorf("%w: %s may not %s", ErrForbidden, a.label(), act)
	}
	// Scopes only narrow: the role's rule above has already answered for the person.
	if a.Scopes != 0 {
		need, ok := scopes[act]
		if !ok {
			return fmt.Errorf("%w: no API token may %s", ErrForbidden, act)
		}
		if !a.Scopes.Allows(need) {
			return fmt.Errorf("%w: %s needs the %s scope, the token has %v", ErrForbidden, act,
				need.Strings()[0], a.Scopes.Strings())
		}
	}
	if r == nil {
		return nil
	}
	if !a.Reaches(*r) {
		return fmt.Errorf("%w: %s %s", ErrHidden, r.Kind, r.ID)
	}
	if ru.own&p != 0 && r.OwnerID != a.UserID {
		return fmt.Errorf("%w: %s may %s only their own %s", ErrForbidden, a.label(), act, r.Kind)
	}
	return nil
}

// Reaches reports whether r lies within what a may see at all: its tenant and, for customer
// users, code holders and requester links, their customer, device or ticket.
func (a Actor) Reaches(r Resource) bool {
	if r.TenantID != a.TenantID {
		return false
	}
	switch a.Kind {
	case ActorCustomerUser:
		switch r.Kind {
		case KindCustomer, KindDevice, KindTicket, KindUser:
			return r.CustomerID == a.CustomerID
		}
		return r.Kind == KindTenant || r.Kind == KindOther
	case ActorCodeHolder:
		return r.Kind == KindDevice && r.ID == a.DeviceID
	case ActorRequesterLink:
		return r.Kind == KindTicket && r.ID == a.TicketID
	}
	return true
}

// CustomerScope returns the customer a listing by a must be confined to: a customer user's
// own customer, or uuid.Nil for actors who see the whole tenant.
func (a Actor) CustomerScope() uuid.UUID {
	if a.Kind == ActorCustomerUser {
		return a.CustomerID
	}
	return uuid.Nil
}

func (a Actor) label() string {
	if a.Role != "" {
		return string(a.Role)
	}
	return string(a.Kind)
}
