package tenant_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuthorizeScope(t *testing.T) {
	t1, t2 := uuid.New(), uuid.New()
	custX, custY := uuid.New(), uuid.New()
	devX, ticketX := uuid.New(), uuid.New()
	userX := uuid.New()
	agent := tenant.Employee(t1, uuid.New(), tenant.RoleAgent, "Sam")
	cuser := tenant.CustomerUser(t1, custX, userX, tenant.RoleCustomerUser, "Xena")
	cadmin := tenant.CustomerUser(t1, custX, uuid.New(), tenant.RoleCustomerAdmin, "Carla")
	holder := tenant.CodeHolder(t1, devX, uuid.New())
	link := tenant.RequesterLink(t1, ticketX, 1, "")
	tk := func(tenantID, id, customer, owner uuid.UUID) *tenant.Resource {
		return &tenant.Resource{Kind: tenant.KindTicket, TenantID: tenantID, ID: id, CustomerID: customer, OwnerID: owner}
	}
	dev := func(tenantID, id, customer uuid.UUID) *tenant.Resource {
		return &tenant.Resource{Kind: tenant.KindDevice, TenantID: tenantID, ID: id, CustomerID: customer}
	}
	cases := []struct {
		name  string
		actor tenant.Actor
		act   tenant.Action
		res   *tenant.Resource
		want  error
	}{
		{"agent reads a ticket of any customer", agent, tenant.ActTicketRead, tk(t1, uuid.New(), custY, uuid.Nil), nil},
		{"agent does not see another tenant", agent, tenant.ActTicketRead, tk(t2, uuid.New(), custX, uuid.Nil), tenant.ErrHidden},
		{"agent may not delete", agent, tenant.ActTicketDelete, nil, tenant.ErrForbidden},
		{"customer user reads own customer's ticket", cuser, tenant.ActTicketRead, tk(t1, uuid.New(), custX, uuid.Nil), nil},
		{"customer user does not see another customer", cuser, tenant.ActTicketRead, tk(t1, uuid.New(), custY, userX), tenant.ErrHidden},
		{"customer user closes own ticket", cuser, tenant.TicketEvent("close"), tk(t1, uuid.New(), custX, userX), nil},
		{"customer user may not close a colleague's", cuser, tenant.TicketEvent("close"), tk(t1, uuid.New(), custX, uuid.New()), tenant.ErrForbidden},
		{"customer admin closes a colleague's", cadmin, tenant.TicketEvent("close"), tk(t1, uuid.New(), custX, uuid.New()), nil},
		{"customer user never sees templates", cuser, tenant.ActTemplateRead, nil, tenant.ErrForbidden},
		{"customer user does not see employees", cuser, tenant.ActUserRead, &tenant.Resource{Kind: tenant.KindUser, TenantID: t1, ID: uuid.New()}, tenant.ErrHidden},
		{"code holder opens a ticket for its device", holder, tenant.ActTicketCreate, dev(t1, devX, custX), nil},
		{"code holder reaches no other device", holder, tenant.ActTicketCreate, dev(t1, uuid.New(), custX), tenant.ErrHidden},
		{"code holder reads no ticket", holder, tenant.ActTicketRead, nil, tenant.ErrForbidden},
		{"requester link reads its ticket", link, tenant.ActTicketRead, tk(t1, ticketX, custX, uuid.Nil), nil},
		{"requester link reaches no other ticket", link, tenant.ActTicketRead, tk(t1, uuid.New(), custX, uuid.Nil), tenant.ErrHidden},
		{"requester link rates", link, tenant.TicketEvent("rate"), tk(t1, ticketX, custX, uuid.Nil), nil},
		{"system does not close", tenant.SystemFor(t1), tenant.TicketEvent("close"), nil, tenant.ErrForbidden},
		{"system expires", tenant.SystemFor(t1), tenant.TicketEvent("expire"), nil, nil},
		{"platform creates tenants", tenant.System(), tenant.ActTenantCreate, nil, nil},
		{"platform acts in no tenant", tenant.System(), tenant.ActTicketRead, nil, tenant.ErrInvalidActor},
		{"tenant system creates no tenant", tenant.SystemFor(t1), tenant.ActTenantCreate, nil, tenant.ErrForbidden},
		{"anonymous", tenant.Actor{}, tenant.ActTicketRead, nil, tenant.ErrInvalidActor},
		{"unknown action", agent, tenant.Action("ticket.teleport"), nil, tenant.ErrForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := tenant.Authorize(c.actor, c.act, c.res)
			if c.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, c.want)
			for _, other := range []error{tenant.ErrHidden, tenant.ErrForbidden, tenant.ErrInvalidActor} {
				if other != c.want {
					assert.False(t, errors.Is(err, other), "%v is also %v", err, other)
				}
			}
		})
	}
}

// Every action the policy knows is allowed to somebody, and refused to anonymous callers.
func TestActionsAllowSomeone(t *testing.T) {
	tid := uuid.New()
	actors := []tenant.Actor{tenant.System(), tenant.SystemFor(tid),
		tenant.CodeHolder(tid, uuid.New(), uuid.New()), tenant.RequesterLink(tid, uuid.New(), 1, "")}
	for _, r := range []tenant.Role{tenant.RoleAdmin, tenant.RoleModerator, tenant.RoleSupervisor, tenant.RoleAgent} {
		actors = append(actors, tenant.Employee(tid, uuid.New(), r, ""))
	}
	for _, r := range []tenant.Role{tenant.RoleCustomerAdmin, tenant.RoleCustomerUser} {
		actors = append(actors, tenant.CustomerUser(tid, uuid.New(), uuid.New(), r, ""))
	}
	assert.Greater(t, len(tenant.Actions()), 40)
	for _, act := range tenant.Actions() {
		allowed := 0
		for _, a := range actors {
			if tenant.Authorize(a, act, nil) == nil {
				allowed++
			}
		}
		assert.Positive(t, allowed, "%s is allowed to nobody", act)
		assert.ErrorIs(t, tenant.Authorize(tenant.Actor{}, act, nil), tenant.ErrInvalidActor)
	}
}

// Scopes narrow what a token's user may do, and never widen it.
func TestAuthorizeTokenScopes(t *testing.T) {
	tid, cust := uuid.New(), uuid.New()
	token := func(a tenant.Actor, s tenant.Scopes) tenant.Actor { a.Scopes = s; return a }
	admin := tenant.Employee(tid, uuid.New(), tenant.RoleAdmin, "Ada")
	agent := tenant.Employee(tid, uuid.New(), tenant.RoleAgent, "Sam")
	cuser := tenant.CustomerUser(tid, cust, uuid.New(), tenant.RoleCustomerUser, "Xena")
	own := &tenant.Resource{Kind: tenant.KindTicket, TenantID: tid, ID: uuid.New(), CustomerID: cust, OwnerID: cuser.UserID}
	cases := []struct {
		name  string
		actor tenant.Actor
		act   tenant.Action
		res   *tenant.Resource
		want  error
	}{
		{"read token reads tickets", token(agent, tenant.ScopeRead), tenant.ActTicketRead, nil, nil},
		{"read token lists statistics", token(agent, tenant.ScopeRead), tenant.ActStatsRead, nil, nil},
		{"read token cannot post a message", token(agent, tenant.ScopeRead), tenant.ActMessagePost, nil, tenant.ErrForbidden},
		{"read token cannot close a ticket", token(cuser, tenant.ScopeRead), tenant.TicketEvent("close"), own, tenant.ErrForbidden},
		{"write token posts a message", token(agent, tenant.ScopeWrite), tenant.ActMessagePost, nil, nil},
		{"write token closes its user's ticket", token(cuser, tenant.ScopeWrite), tenant.TicketEvent("close"), own, nil},
		{"write token reads (write implies read)", token(agent, tenant.ScopeWrite), tenant.ActTicketList, nil, nil},
		{"write token cannot change settings", token(admin, tenant.ScopeWrite), tenant.ActTenantSettings, nil, tenant.ErrForbidden},
		{"write token cannot delete a ticket", token(admin, tenant.ScopeWrite), tenant.ActTicketDelete, nil, tenant.ErrForbidden},
		{"write token cannot mint tokens", token(admin, tenant.ScopeWrite|tenant.ScopeRead), tenant.ActAPITokens, nil, tenant.ErrForbidden},
		{"admin token of an admin changes settings", token(admin, tenant.ScopeAdmin), tenant.ActTenantSettings, nil, nil},
		{"admin token implies write", token(admin, tenant.ScopeAdmin), tenant.TicketEvent("assign"), nil, nil},
		{"admin token of an agent cannot delete", token(agent, tenant.ScopeAdmin), tenant.ActTicketDelete, nil, tenant.ErrForbidden},
		{"admin token of an agent cannot manage devices", token(agent, tenant.ScopeAdmin), tenant.ActDeviceManage, nil, tenant.ErrForbidden},
		{"admin token of a customer user sees no templates", token(cuser, tenant.ScopeAdmin), tenant.ActTemplateRead, nil, tenant.ErrForbidden},
		{"unknown action for a token", token(admin, tenant.ScopeAdmin), tenant.Action("ticket.teleport"), nil, tenant.ErrForbidden},
		{"scopes on a system actor", token(tenant.SystemFor(tid), tenant.ScopeRead), tenant.ActTicketRead, nil, tenant.ErrInvalidActor},
		{"unknown scope bits", token(agent, 1<<5), tenant.ActTicketRead, nil, tenant.ErrInvalidActor},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := tenant.Authorize(c.actor, c.act, c.res)
			if c.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, c.want)
		})
	}
	t.Run("the reason names the scope", func(t *testing.T) {
		err := tenant.Authorize(token(agent, tenant.ScopeRead), tenant.ActMessagePost, nil)
		assert.ErrorContains(t, err, "write scope")
	})
}

// Every action of the policy says which scope a token needs for it; a new action without one
// would be refused to every token, silently.
func TestEveryActionHasAScope(t *testing.T) {
	for _, act := range tenant.Actions() {
		need, ok := tenant.ScopeOf(act)
		if assert.True(t, ok, "%s has no scope", act) {
			assert.Len(t, need.Strings(), 1, "%s needs exactly one scope", act)
		}
	}
}

func TestScopes(t *testing.T) {
	for _, c := range []struct {
		has, need tenant.Scopes
		want      bool
	}{
		{tenant.ScopeRead, tenant.ScopeRead, true},
		{tenant.ScopeRead, tenant.ScopeWrite, false},
		{tenant.ScopeRead, tenant.ScopeAdmin, false},
		{tenant.ScopeWrite, tenant.ScopeRead, true},
		{tenant.ScopeWrite, tenant.ScopeAdmin, false},
		{tenant.ScopeAdmin, tenant.ScopeRead | tenant.ScopeWrite, true},
		{tenant.ScopeRead | tenant.ScopeWrite, tenant.ScopeAdmin, false},
	} {
		assert.Equal(t, c.want, c.has.Allows(c.need), "%v allows %v", c.has.Strings(), c.need.Strings())
	}
	for _, name := range []string{"read", "write", "admin"} {
		s, err := tenant.ParseScope(name)
		require.NoError(t, err)
		assert.Equal(t, []string{name}, s.Strings())
	}
	_, err := tenant.ParseScope("Admin")
	assert.ErrorIs(t, err, tenant.ErrUnknownScope)
	assert.Equal(t, []string{"read", "write", "admin"}, (tenant.ScopeAdmin | tenant.ScopeRead | tenant.ScopeWrite).Strings())
	assert.True(t, tenant.ScopeRead.Within(tenant.ScopeWrite))
	assert.False(t, tenant.ScopeAdmin.Within(tenant.ScopeWrite))
	assert.True(t, (tenant.ScopeRead | tenant.ScopeWrite).Within(tenant.ScopeAdmin))

	rw, all := tenant.ScopeRead|tenant.ScopeWrite, tenant.ScopeRead|tenant.ScopeWrite|tenant.ScopeAdmin
	for role, want := range map[tenant.Role]tenant.Scopes{tenant.RoleAdmin: all, tenant.RoleModerator: all,
		tenant.RoleSupervisor: rw, tenant.RoleAgent: rw, tenant.RoleCustomerAdmin: all, tenant.RoleCustomerUser: rw} {
		assert.Equal(t, want.Strings(), tenant.OfferedScopes(role).Strings(), "%s", role)
	}
}

// ownOnly lists, by hand and independently of the policy, every action a customer_user may
// perform on what is theirs alone: the tickets they opened (and those tickets' calls and
// media), their own profile and their own API tokens.
var ownOnly = []tenant.Action{
	tenant.ActProfileUpdate,
	tenant.TicketEvent("submit"), tenant.TicketEvent("resume"), tenant.TicketEvent("rate"),
	tenant.TicketEvent("close"), tenant.TicketEvent("cancel"), tenant.TicketEvent("reopen"),
	tenant.SessionEvent("request"), tenant.SessionEvent("accept"), tenant.SessionEvent("refuse"),
	tenant.SessionEvent("rate"), tenant.SessionEvent("cancel"),
	tenant.ActSessionJoin, tenant.ActMediaUpload,
	tenant.ActAPITokens, // one's own API tokens
}

// Every "own" rule is tried against a colleague (a second customer_user of the same customer),
// not only against a stranger: the owner may, the colleague is forbidden (the record is
// visible to them, so forbidden and not hidden), and the customer's admin, who answers for
// all of the company's tickets, may. Every other action treats the two users alike.
func TestAuthorizeOwnAgainstColleague(t *testing.T) {
	tid, cust := uuid.New(), uuid.New()
	owner := tenant.CustomerUser(tid, cust, uuid.New(), tenant.RoleCustomerUser, "Xena")
	colleague := tenant.CustomerUser(tid, cust, uuid.New(), tenant.RoleCustomerUser, "Cleo")
	cadmin := tenant.CustomerUser(tid, cust, uuid.New(), tenant.RoleCustomerAdmin, "Carla")
	for _, act := range tenant.Actions() {
		t.Run(string(act), func(t *testing.T) {
			kind := tenant.KindTicket
			personal := act == tenant.ActProfileUpdate || act == tenant.ActAPITokens
			if personal {
				kind = tenant.KindUser
			}
			res := &tenant.Resource{Kind: kind, TenantID: tid, ID: uuid.New(), CustomerID: cust, OwnerID: owner.UserID}
			ownerErr := tenant.Authorize(owner, act, res)
			colleagueErr := tenant.Authorize(colleague, act, res)
			if !slices.Contains(ownOnly, act) {
				assert.Equal(t, ownerErr == nil, colleagueErr == nil, "not an own rule: the owner (%v) and a colleague (%v) are alike", ownerErr, colleagueErr)
				return
			}
			assert.NoError(t, ownerErr, "the owner may")
			assert.ErrorIs(t, colleagueErr, tenant.ErrForbidden, "a colleague may not")
			assert.False(t, errors.Is(colleagueErr, tenant.ErrHidden), "the colleague sees the record: forbidden, not hidden")
			if personal {
				assert.ErrorIs(t, tenant.Authorize(cadmin, act, res), tenant.ErrForbidden, "a person's own: not even their admin's")
			} else {
				assert.NoError(t, tenant.Authorize(cadmin, act, res), "the customer's admin answers for the company's tickets")
			}
		})
	}
}
