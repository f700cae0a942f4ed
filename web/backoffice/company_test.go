package backoffice_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/internal/browsertest"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// customerRole reports whether who is one of customer X's users in the world.
func (w *world) customerRole(who string) bool {
	a, ok := w.actors[who]
	return ok && a.Kind == tenant.ActorCustomerUser
}

// person invites a new user for a walk of who: a user of customer X for X's users (the people
// they manage), else an agent.
func (w *world) person(t *testing.T, who, name string) *tenant.User {
	t.Helper()
	in := helpdesk.NewUser{Email: uuid.NewString()[:8] + "@acme.example", Name: name, Role: tenant.RoleAgent}
	if w.customerRole(who) {
		in.Role, in.CustomerID = tenant.RoleCustomerUser, w.x.ID
	}
	u, _, err := w.desk.CreateUser(t.Context(), w.admin, in)
	require.NoError(t, err)
	return u
}

// yarrow invites a user of customer Y.
func (w *world) yarrow(t *testing.T) *tenant.User {
	t.Helper()
	u, _, err := w.desk.CreateUser(t.Context(), w.admin, helpdesk.NewUser{Email: uuid.NewString()[:8] + "@yarrow.example",
		Name: "Yarrow Yolanda", Role: tenant.RoleCustomerUser, CustomerID: w.y.ID})
	require.NoError(t, err)
	return u
}

// otherUser invites an employee of the second tenant.
func (w *world) otherUser(t *testing.T) *tenant.User {
	t.Helper()
	u, _, err := w.desk.CreateUser(t.Context(), w.admin2, helpdesk.NewUser{Email: uuid.NewString()[:8] + "@other.example",
		Name: "Other tenant's agent", Role: tenant.RoleAgent})
	require.NoError(t, err)
	return u
}

// department returns a department of the tenant, created as the admin (or, with a, as a).
func (w *world) department(t *testing.T, a tenant.Actor, name string) *tenant.Department {
	t.Helper()
	d, err := w.desk.CreateDepartment(t.Context(), a, name)
	require.NoError(t, err)
	return d
}

// team creates a team led by the world's supervisor, as a (the admin, or the second tenant's).
func (w *world) team(t *testing.T, a tenant.Actor, name string) *tenant.Team {
	t.Helper()
	sup := w.actors["supervisor"].UserID
	if a.TenantID != w.tenant.ID {
		sup = a.UserID
	}
	tm, err := w.desk.CreateTeam(t.Context(), a, helpdesk.NewTeam{Name: name, SupervisorID: sup})
	require.NoError(t, err)
	return tm
}

// metaTeam creates a meta-team as a.
func (w *world) metaTeam(t *testing.T, a tenant.Actor, name string) *tenant.MetaTeam {
	t.Helper()
	m, err := w.desk.CreateMetaTeam(t.Context(), a, name)
	require.NoError(t, err)
	return m
}

// defaultTeam returns the tenant's default group.
func (w *world) defaultTeam(t *testing.T) *tenant.Team {
	t.Helper()
	ten, err := w.desk.Tenant(t.Context(), w.admin)
	require.NoError(t, err)
	teams, err := w.desk.Teams(t.Context(), w.admin)
	require.NoError(t, err)
	for _, tm := range teams {
		if tm.ID == ten.DefaultTeamID {
			return tm
		}
	}
	t.Fatal("no default group")
	return nil
}

func (w *world) status(t *testing.T, a tenant.Actor, name string) *ticket.Status {
	t.Helper()
	s, err := w.desk.CreateStatus(t.Context(), a, helpdesk.NewStatus{Name: name, State: ticket.StateInProgress})
	require.NoError(t, err)
	return s
}

func (w *world) priority(t *testing.T, a tenant.Actor, name string) *ticket.Priority {
	t.Helper()
	p, err := w.desk.CreatePriority(t.Context(), a, helpdesk.NewPriority{Name: name, Rank: -5})
	require.NoError(t, err)
	return p
}

func (w *world) cannedResponse(t *testing.T, a tenant.Actor, title string) *ticket.CannedResponse {
	t.Helper()
	c, err := w.desk.CreateCannedResponse(t.Context(), a, helpdesk.NewCannedResponse{Language: "en", Title: title, Body: "About {{.ticket_ref}}"})
	require.NoError(t, err)
	return c
}

func (w *world) user(t *testing.T, id uuid.UUID) *tenant.User {
	t.Helper()
	u, err := w.desk.User(t.Context(), w.admin, id)
	require.NoError(t, err)
	return u
}

// companyRoutes are this module's routes in the walks of routes_test.go.
func companyRoutes() module {
	// managers is what admins and moderators may do and nobody else.
	managers := func(ok int) map[string]int {
		m := staff(403, 403, 403)
		m["admin"], m["moderator"] = ok, ok
		return m
	}
	// admins is what an operator's admin and a customer's admin may do to the people they manage.
	admins := func(ok int) map[string]int {
		m := staff(403, 403, 403)
		m["admin"], m["customer_admin"] = ok, ok
		return m
	}
	at := func(p string, kv ...string) request {
		return func(*testing.T, *world, string) (string, url.Values) {
			path, post := strings.CutPrefix(p, "POST ")
			if !post {
				return path, nil
			}
			v := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return path, v
		}
	}
	// onPerson acts on a newly invited person for who (a user of X for X's users), with the
	// form form returns.
	onPerson := func(suffix string, prepare func(t *testing.T, w *world, u *tenant.User), form func(w *world, who string) url.Values) request {
		return func(t *testing.T, w *world, who string) (string, url.Values) {
			u := w.person(t, who, "Walked person")
			if prepare != nil {
				prepare(t, w, u)
			}
			return "/company/users/" + u.ID.String() + suffix, form(w, who)
		}
	}
	// foreignUser is the second tenant's employee for the admin, a user of Y for X's user.
	foreignUser := func(suffix string, form url.Values) request {
		return func(t *testing.T, w *world, who string) (string, url.Values) {
			id := w.otherUser(t).ID
			if who == "customer_user" {
				id = w.yarrow(t).ID
			}
			return "/company/users/" + id.String() + suffix, form
		}
	}
	empty := func(*world, string) url.Values { return url.Values{} }
	deactivated := func(t *testing.T, w *world, u *tenant.User) {
		_, err := w.desk.DeactivateUser(t.Context(), w.admin, u.ID)
		require.NoError(t, err)
	}
	// otherTenant makes a record in the second tenant for the foreign case of every role (staff
	// and customer users alike meet another tenant's records as not found); with staffOnly,
	// customer users never see the module and their case is their refusal.
	otherTenant := func(staffOnly bool, make func(t *testing.T, w *world) string, form url.Values) request {
		return func(t *testing.T, w *world, who string) (string, url.Values) {
			if staffOnly && who == "customer_user" {
				return "", nil
			}
			return make(t, w), form
		}
	}
	withCustomers := func(m map[string]int, status int) map[string]int {
		m["customer_admin"], m["customer_user"] = status, status
		return m
	}
	nearlyEvery := withCustomers(every(200), 200)
	nearlyEvery["customer_user"] = 403
	staffOnly := withCustomers(every(200), 403)
	teamForm := func(w *world, name string) url.Values {
		return url.Values{"name": {name}, "supervisor": {w.actors["supervisor"].UserID.String()}, "version": {"1"}}
	}
	cannedForm := url.Values{"language": {"en"}, "title": {"Walked reply"}, "body": {"About {{.ticket_ref}}"}, "version": {"1"}, "do": {"save"}}
	return module{
		"GET /company":       {target: at("/company"), want: nearlyEvery},
		"GET /company/users": {target: at("/company/users?q=name"), want: nearlyEvery},
		"POST /company/users": {target: func(_ *testing.T, w *world, who string) (string, url.Values) {
			role := "agent"
			if w.customerRole(who) {
				role = "customer_user"
			}
			return "/company/users", url.Values{"email": {uuid.NewString()[:8] + "@acme.example"}, "name": {"Invited by " + who}, "role": {role}}
		}, want: admins(303)},
		"GET /company/users/{id}": {target: func(t *testing.T, w *world, who string) (string, url.Values) {
			id := w.actors["agent2"].UserID
			if w.customerRole(who) {
				id = w.actors["customer_user"].UserID
			}
			return "/company/users/" + id.String(), nil
		}, want: every(200), foreign: foreignUser("", nil)},
		"POST /company/users/{id}/role": {target: onPerson("/role", nil, func(w *world, who string) url.Values {
			if w.customerRole(who) {
				return url.Values{"role": {"customer_admin"}}
			}
			return url.Values{"role": {"supervisor"}}
		}), want: admins(303), foreign: foreignUser("/role", url.Values{"role": {"supervisor"}})},
		"POST /company/users/{id}/department": {target: func(t *testing.T, w *world, who string) (string, url.Values) {
			u := w.person(t, who, "Walked person")
			return "/company/users/" + u.ID.String() + "/department", url.Values{"department": {w.department(t, w.admin, "Walk branch").ID.String()}}
		}, want: managers(303), foreign: foreignUser("/department", url.Values{"department": {""}})},
		"POST /company/users/{id}/invitation": {target: onPerson("/invitation", nil, empty), want: admins(303),
			foreign: foreignUser("/invitation", url.Values{})},
		"POST /company/users/{id}/deactivate": {target: onPerson("/deactivate", nil, empty), want: admins(303),
			foreign: foreignUser("/deactivate", url.Values{})},
		"POST /company/users/{id}/reactivate": {target: onPerson("/reactivate", deactivated, empty), want: admins(303),
			foreign: foreignUser("/reactivate", url.Values{})},

		"GET /company/departments":  {target: at("/company/departments"), want: staffOnly},
		"POST /company/departments": {target: at("POST /company/departments", "name", "Walk department"), want: managers(303)},
		"POST /company/departments/{id}": {target: func(t *testing.T, w *world, who string) (string, url.Values) {
			d := w.department(t, w.admin, "Walk department of "+who)
			return "/company/departments/" + d.ID.String(), url.Values{"name": {"Renamed by " + who}, "version": {"1"}}
		}, want: managers(303), foreign: otherTenant(false, func(t *testing.T, w *world) string {
			return "/company/departments/" + w.department(t, w.admin2, "Other tenant's department").ID.String()
		}, url.Values{"name": {"x"}, "version": {"1"}})},

		"GET /company/teams": {target: at("/company/teams"), want: staffOnly},
		"POST /company/teams": {target: func(_ *testing.T, w *world, who string) (string, url.Values) {
			return "/company/teams", teamForm(w, "Walk team of "+who)
		}, want: managers(303)},
		"POST /company/metateams": {target: at("POST /company/metateams", "name", "Walk meta-team"), want: managers(303)},
		"POST /company/metateams/{id}": {target: func(t *testing.T, w *world, who string) (string, url.Values) {
			return "/company/metateams/" + w.metaTeam(t, w.admin, "Walk meta-team").ID.String(), url.Values{"name": {"Renamed by " + who}, "version": {"1"}}
		}, want: managers(303), foreign: otherTenant(false, func(t *testing.T, w *world) string {
			return "/company/metateams/" + w.metaTeam(t, w.admin2, "Other tenant's meta-team").ID.String()
		}, url.Values{"name": {"x"}, "version": {"1"}})},
		"POST /company/metateams/{id}/delete": {target: func(t *testing.T, w *world, _ string) (string, url.Values) {
			return "/company/metateams/" + w.metaTeam(t, w.admin, "Walk meta-team").ID.String() + "/delete", url.Values{}
		}, want: managers(303), foreign: otherTenant(false, func(t *testing.T, w *world) string {
			return "/company/metateams/" + w.metaTeam(t, w.admin2, "Other tenant's meta-team").ID.String() + "/delete"
		}, url.Values{})},
		"GET /company/teams/{id}": {target: func(t *testing.T, w *world, _ string) (string, url.Values) {
			return "/company/teams/" + w.defaultTeam(t).ID.String(), nil
		}, want: staffOnly, foreign: otherTenant(true, func(t *testing.T, w *world) string {
			return "/company/teams/" + w.team(t, w.admin2, "Other tenant's team").ID.String()
		}, nil)},
		"POST /company/teams/{id}": {target: func(t *testing.T, w *world, who string) (string, url.Values) {
			return "/company/teams/" + w.team(t, w.admin, "Walk team").ID.String(), teamForm(w, "Walked team of "+who)
		}, want: managers(303), foreign: otherTenant(true, func(t *testing.T, w *world) string {
			return "/company/teams/" + w.team(t, w.admin2, "Other tenant's team").ID.String()
		}, url.Values{"name": {"x"}, "version": {"1"}})},
		// The default group stays the default group: other walks rely on its members' offers.
		"POST /company/teams/{id}/default": {target: func(t *testing.T, w *world, _ string) (string, url.Values) {
			return "/company/teams/" + w.defaultTeam(t).ID.String() + "/default", url.Values{}
		}, want: managers(303), foreign: otherTenant(false, func(t *testing.T, w *world) string {
			return "/company/teams/" + w.team(t, w.admin2, "Other tenant's team").ID.String() + "/default"
		}, url.Values{})},
		"POST /company/teams/{id}/delete": {target: func(t *testing.T, w *world, _ string) (string, url.Values) {
			return "/company/teams/" + w.team(t, w.admin, "Walk team to delete").ID.String() + "/delete", url.Values{}
		}, want: managers(303), foreign: otherTenant(false, func(t *testing.T, w *world) string {
			return "/company/teams/" + w.team(t, w.admin2, "Other tenant's team").ID.String() + "/delete"
		}, url.Values{})},

		"GET /company/statuses":  {target: at("/company/statuses"), want: every(200)},
		"POST /company/statuses": {target: at("POST /company/statuses", "name", "Walk status", "state", "waiting"), want: managers(303)},
		"POST /company/statuses/{id}": {target: func(t *testing.T, w *world, who string) (string, url.Values) {
			return "/company/statuses/" + w.status(t, w.admin, "Walk status").ID.String(), url.Values{"do": {"rename"}, "name": {"Walked by " + who}, "version": {"1"}}
		}, want: managers(303), foreign: otherTenant(false, func(t *testing.T, w *world) string {
			return "/company/statuses/" + w.status(t, w.admin2, "Other tenant's status").ID.String()
		}, url.Values{"do": {"retire"}, "version": {"1"}})},
		"POST /company/priorities": {target: at("POST /company/priorities", "name", "Walk priority"), want: managers(303)},
		"POST /company/priorities/{id}": {target: func(t *testing.T, w *world, who string) (string, url.Values) {
			return "/company/priorities/" + w.priority(t, w.admin, "Walk priority").ID.String(), url.Values{"do": {"rename"}, "name": {"Walked by " + who}, "version": {"1"}}
		}, want: managers(303), foreign: otherTenant(false, func(t *testing.T, w *world) string {
			return "/company/priorities/" + w.priority(t, w.admin2, "Other tenant's priority").ID.String()
		}, url.Values{"do": {"retire"}, "version": {"1"}})},

		"GET /company/canned":  {target: at("/company/canned?language=en"), want: staffOnly},
		"POST /company/canned": {target: func(*testing.T, *world, string) (string, url.Values) { return "/company/canned", cannedForm }, want: managers(303)},
		"GET /company/canned/{id}": {target: func(_ *testing.T, w *world, _ string) (string, url.Values) {
			return "/company/canned/" + w.canned.String(), nil
		}, want: staffOnly, foreign: otherTenant(true, func(t *testing.T, w *world) string {
			return "/company/canned/" + w.cannedResponse(t, w.admin2, "Other tenant's reply").ID.String()
		}, nil)},
		"POST /company/canned/{id}": {target: func(t *testing.T, w *world, _ string) (string, url.Values) {
			return "/company/canned/" + w.cannedResponse(t, w.admin, "Walk reply").ID.String(), cannedForm
		}, want: managers(303), foreign: otherTenant(false, func(t *testing.T, w *world) string {
			return "/company/canned/" + w.cannedResponse(t, w.admin2, "Other tenant's reply").ID.String()
		}, cannedForm)},
		"POST /company/canned/{id}/delete": {target: func(t *testing.T, w *world, _ string) (string, url.Values) {
			return "/company/canned/" + w.cannedResponse(t, w.admin, "Walk reply").ID.String() + "/delete", url.Values{}
		}, want: managers(303), foreign: otherTenant(false, func(t *testing.T, w *world) string {
			return "/company/canned/" + w.cannedResponse(t, w.admin2, "Other tenant's reply").ID.String() + "/delete"
		}, url.Values{})},
	}
}

func TestCompanyStart(t *testing.T) {
	w := newWorld(t)
	settings := []string{`href="/company/settings"`, `href="/company/smtp"`}
	w.run(t, []scenario{
		{name: "admin: every section, the settings' too", who: "admin", method: "GET", path: "/company", status: 200,
			contains: append([]string{`href="/company/users"`, `href="/company/departments"`, `href="/company/teams"`, `href="/company/statuses"`,
				`href="/company/canned"`, `href="/company/templates"`, `href="/company/notifications"`, `href="/company/audit"`}, settings...)},
		{name: "moderator: no tenant settings, no mail server", who: "moderator", method: "GET", path: "/company", status: 200,
			contains: []string{`href="/company/statuses"`, `href="/company/templates"`, `href="/company/audit"`}, absent: settings},
		{name: "supervisor: what they may read", who: "supervisor", method: "GET", path: "/company", status: 200,
			contains: []string{`href="/company/users"`, `href="/company/teams"`, `href="/company/canned"`},
			absent:   []string{`href="/company/statuses"`, `href="/company/audit"`, `href="/company/templates"`}},
		{name: "customer_admin: their company's users alone", who: "customer_admin", method: "GET", path: "/company", status: 200,
			contains: []string{`href="/company/users"`}, absent: []string{`href="/company/teams"`, `href="/company/departments"`, `href="/company/canned"`}},
		{name: "customer_user: nothing here", who: "customer_user", method: "GET", path: "/company", status: 403},
	})
}

func TestCompanyUsers(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	berlin := w.department(t, w.admin, "Berlin branch")
	agent2 := w.actors["agent2"].UserID.String()
	var invited uuid.UUID
	find := func(email string) *tenant.User {
		page, err := w.desk.Users(ctx, w.admin, storage.UserFilter{Text: email}, storage.PageRequest{})
		require.NoError(t, err)
		if len(page.Items) == 0 {
			return nil
		}
		return page.Items[0]
	}
	w.run(t, []scenario{
		{name: "admin: the employees, with roles and the invitation form", who: "admin", method: "GET", path: "/company/users", status: 200,
			contains: []string{"Name of agent2", "agent2@acme.example", "Agent", "Supervisor", `href="/company/users/` + agent2 + `"`, `action="/company/users"`,
				`<option value="` + berlin.ID.String() + `"`, "(you)"},
			absent: []string{"Name of customer_user", "Yarrow", "Other tenant"}},
		{name: "a search", who: "admin", method: "GET", path: "/company/users?q=agent2", status: 200,
			contains: []string{"Name of agent2"}, absent: []string{"Name of moderator"}},
		{name: "nobody invited yet", who: "admin", method: "GET", path: "/company/users?status=invited", status: 200,
			contains: []string{"Nobody matches.", `value="invited" selected`}, absent: []string{"Name of agent2"}},
		{name: "a moderator manages no employee: no invitation form", who: "moderator", method: "GET", path: "/company/users", status: 200,
			contains: []string{"Name of agent2"}, absent: []string{`id="invite"`}},
		{name: "customer_admin: their company's users only", who: "customer_admin", method: "GET", path: "/company/users", status: 200,
			contains: []string{"Name of customer_user", "Company admin", `action="/company/users"`, `value="customer_user"`, "Your company"},
			absent:   []string{"Name of customer_user_y", "Name of agent", `value="agent"`, `name="department"`}},
		{name: "customer_user: no list", who: "customer_user", method: "GET", path: "/company/users", status: 403},
		{name: "an invitation needs an e-mail address; the input stays", who: "admin", method: "POST", path: "/company/users",
			form: url.Values{"email": {"not-an-address"}, "name": {"Eve Engineer"}, "role": {"agent"}}, status: 422,
			contains: []string{"Please enter a valid e-mail address.", `value="Eve Engineer"`, `aria-invalid="true"`}},
		{name: "admin invites an agent into a department", who: "admin", method: "POST", path: "/company/users",
			form: url.Values{"email": {"eve@acme.example"}, "name": {"Eve Engineer"}, "role": {"agent"}, "department": {berlin.ID.String()}}, status: 303,
			check: func(t *testing.T, w *world) {
				u := find("eve@acme.example")
				require.NotNil(t, u)
				invited = u.ID
				assert.Equal(t, tenant.UserInvited, u.Status)
				assert.Equal(t, tenant.RoleAgent, u.Role)
				assert.Equal(t, berlin.ID, u.DepartmentID)
			}},
		{name: "the list says so", who: "admin", method: "GET", path: "/company/users?done=invited", status: 200,
			contains: []string{"The invitation is on its way", "Eve Engineer", "Invited", "Berlin branch"}},
		{name: "the invited, filtered", who: "admin", method: "GET", path: "/company/users?status=invited", status: 200,
			contains: []string{"Eve Engineer"}, absent: []string{"Name of agent2"}},
		{name: "the same address twice", who: "admin", method: "POST", path: "/company/users",
			form: url.Values{"email": {"eve@acme.example"}, "name": {"Eve Again"}, "role": {"agent"}}, status: 409,
			contains: []string{"already has an account"}},
		{name: "a moderator invites no employee", who: "moderator", method: "POST", path: "/company/users",
			form: url.Values{"email": {"mo@acme.example"}, "name": {"Mo"}, "role": {"agent"}}, status: 403,
			check: func(t *testing.T, w *world) { assert.Nil(t, find("mo@acme.example")) }},
		{name: "customer_admin invites a colleague into their company", who: "customer_admin", method: "POST", path: "/company/users",
			form: url.Values{"email": {"xenia@xylo.example"}, "name": {"Xenia"}, "role": {"customer_user"}}, status: 303,
			check: func(t *testing.T, w *world) {
				u := find("xenia@xylo.example")
				require.NotNil(t, u)
				assert.Equal(t, w.x.ID, u.CustomerID)
			}},
		{name: "customer_admin makes no employee", who: "customer_admin", method: "POST", path: "/company/users",
			form: url.Values{"email": {"emp@xylo.example"}, "name": {"Emp"}, "role": {"admin"}}, status: 403,
			check: func(t *testing.T, w *world) { assert.Nil(t, find("emp@xylo.example")) }},
	})

	w.run(t, []scenario{
		{name: "admin on an employee: role, department, access", who: "admin", method: "GET", path: "/company/users/" + agent2, status: 200,
			contains: []string{"Name of agent2", `action="/company/users/` + agent2 + `/role"`, `action="/company/users/` + agent2 + `/department"`,
				`action="/company/users/` + agent2 + `/deactivate"`}, absent: []string{"/invitation\"", "/reactivate\""}},
		{name: "an invited person can be invited again", who: "admin", method: "GET", path: "/company/users/" + invited.String(), status: 200,
			contains: []string{`/invitation"`, "Berlin branch"}},
		{name: "admin on themselves: no role, no deactivation", who: "admin", method: "GET", path: "/company/users/" + w.admin.UserID.String(), status: 200,
			contains: []string{"This is you"}, absent: []string{"/role\"", "/deactivate\""}},
		{name: "a moderator changes no employee but their department", who: "moderator", method: "GET", path: "/company/users/" + agent2, status: 200,
			contains: []string{"/department\""}, absent: []string{"/role\"", "/deactivate\""}},
		{name: "an agent only reads", who: "agent", method: "GET", path: "/company/users/" + agent2, status: 200,
			absent: []string{"<form class=\"form\" method=\"post\"", "/deactivate\""}},
		{name: "customer_admin on a colleague", who: "customer_admin", method: "GET", path: "/company/users/" + w.actors["customer_user"].UserID.String(), status: 200,
			contains: []string{"Name of customer_user", "/role\"", "/deactivate\""}, absent: []string{"/department\""}},
		{name: "customer_admin on another customer's user", who: "customer_admin", method: "GET", path: "/company/users/" + w.actors["customer_user_y"].UserID.String(), status: 404,
			absent: []string{"Name of customer_user_y"}},
		{name: "customer_admin on an employee", who: "customer_admin", method: "GET", path: "/company/users/" + agent2, status: 404,
			absent: []string{"Name of agent2"}},
		{name: "a malformed ID", who: "admin", method: "GET", path: "/company/users/nope", status: 404},
	})

	sup := w.actors["supervisor"].UserID.String()
	w.run(t, []scenario{
		{name: "a team's supervisor keeps a role that leads", who: "admin", method: "POST", path: "/company/users/" + sup + "/role",
			form: url.Values{"role": {"agent"}}, status: 422, contains: []string{"name another supervisor first", `aria-invalid="true"`},
			check: func(t *testing.T, w *world) {
				assert.Equal(t, tenant.RoleSupervisor, w.user(t, w.actors["supervisor"].UserID).Role)
			}},
		{name: "nor are they deactivated", who: "admin", method: "POST", path: "/company/users/" + sup + "/deactivate", status: 422,
			contains: []string{"cannot be deactivated now"},
			check: func(t *testing.T, w *world) {
				assert.Equal(t, tenant.UserActive, w.user(t, w.actors["supervisor"].UserID).Status)
			}},
		{name: "a role changes", who: "admin", method: "POST", path: "/company/users/" + agent2 + "/role", form: url.Values{"role": {"supervisor"}}, status: 303,
			check: func(t *testing.T, w *world) {
				assert.Equal(t, tenant.RoleSupervisor, w.user(t, w.actors["agent2"].UserID).Role)
			}},
		{name: "a moderator sets a department", who: "moderator", method: "POST", path: "/company/users/" + agent2 + "/department",
			form: url.Values{"department": {berlin.ID.String()}}, status: 303,
			check: func(t *testing.T, w *world) {
				assert.Equal(t, berlin.ID, w.user(t, w.actors["agent2"].UserID).DepartmentID)
			}},
		{name: "and takes it away", who: "moderator", method: "POST", path: "/company/users/" + agent2 + "/department", form: url.Values{"department": {""}}, status: 303,
			check: func(t *testing.T, w *world) {
				assert.Equal(t, uuid.Nil, w.user(t, w.actors["agent2"].UserID).DepartmentID)
			}},
		{name: "a moderator changes no employee's role", who: "moderator", method: "POST", path: "/company/users/" + agent2 + "/role", form: url.Values{"role": {"admin"}}, status: 403,
			check: func(t *testing.T, w *world) {
				assert.Equal(t, tenant.RoleSupervisor, w.user(t, w.actors["agent2"].UserID).Role)
			}},
		{name: "an active person is not invited again", who: "admin", method: "POST", path: "/company/users/" + agent2 + "/invitation", status: 422,
			contains: []string{"already accepted"}},
		{name: "an invited one is", who: "admin", method: "POST", path: "/company/users/" + invited.String() + "/invitation", status: 303},
		{name: "deactivate", who: "admin", method: "POST", path: "/company/users/" + agent2 + "/deactivate", status: 303,
			check: func(t *testing.T, w *world) {
				assert.Equal(t, tenant.UserDeactivated, w.user(t, w.actors["agent2"].UserID).Status)
			}},
		{name: "the page says so and offers reactivation", who: "admin", method: "GET", path: "/company/users/" + agent2 + "?done=deactivated", status: 200,
			contains: []string{"can no longer sign in", "Deactivated", "/reactivate\""}, absent: []string{"/deactivate\""}},
		{name: "reactivate", who: "admin", method: "POST", path: "/company/users/" + agent2 + "/reactivate", status: 303,
			check: func(t *testing.T, w *world) {
				assert.Equal(t, tenant.UserActive, w.user(t, w.actors["agent2"].UserID).Status)
			}},
		{name: "customer_admin deactivates a colleague", who: "customer_admin", method: "POST", path: "/company/users/" + w.actors["customer_user"].UserID.String() + "/deactivate", status: 303,
			check: func(t *testing.T, w *world) {
				assert.Equal(t, tenant.UserDeactivated, w.user(t, w.actors["customer_user"].UserID).Status)
			}},
		{name: "but not another customer's user", who: "customer_admin", method: "POST", path: "/company/users/" + w.actors["customer_user_y"].UserID.String() + "/deactivate", status: 404,
			check: func(t *testing.T, w *world) {
				assert.Equal(t, tenant.UserActive, w.user(t, w.actors["customer_user_y"].UserID).Status)
			}},
		{name: "nor an employee", who: "customer_admin", method: "POST", path: "/company/users/" + agent2 + "/deactivate", status: 404},
	})
}

func TestCompanyDepartments(t *testing.T) {
	w := newWorld(t)
	var berlin *tenant.Department
	w.run(t, []scenario{
		{name: "none yet", who: "admin", method: "GET", path: "/company/departments", status: 200, contains: []string{"No departments yet.", `action="/company/departments"`}},
		{name: "a name is needed", who: "admin", method: "POST", path: "/company/departments", form: url.Values{"name": {"  "}}, status: 422,
			contains: []string{"Please enter a name", `aria-describedby="new-dep-problem"`}},
		{name: "create", who: "moderator", method: "POST", path: "/company/departments", form: url.Values{"name": {"Berlin"}}, status: 303,
			check: func(t *testing.T, w *world) {
				deps, err := w.desk.Departments(t.Context(), w.admin)
				require.NoError(t, err)
				require.Len(t, deps, 1)
				berlin = deps[0]
			}},
		{name: "a supervisor reads them", who: "supervisor", method: "GET", path: "/company/departments", status: 200,
			contains: []string{"Berlin"}, absent: []string{`action="/company/departments`}},
		{name: "a supervisor creates none", who: "supervisor", method: "POST", path: "/company/departments", form: url.Values{"name": {"Paris"}}, status: 403},
		{name: "customers have none", who: "customer_admin", method: "GET", path: "/company/departments", status: 403},
	})
	path := "/company/departments/" + berlin.ID.String()
	w.run(t, []scenario{
		{name: "rename", who: "admin", method: "POST", path: path, form: url.Values{"name": {"Berlin-Mitte"}, "version": {"1"}}, status: 303},
		{name: "a stale form", who: "admin", method: "POST", path: path, form: url.Values{"name": {"Berlin-Ost"}, "version": {"1"}}, status: 409,
			contains: []string{"Someone else changed this"}},
		{name: "an empty name, kept next to its row", who: "admin", method: "POST", path: path, form: url.Values{"name": {""}, "version": {"2"}}, status: 422,
			contains: []string{`aria-describedby="dep-` + berlin.ID.String() + `-problem"`}},
		{name: "the list", who: "admin", method: "GET", path: "/company/departments", status: 200, contains: []string{`value="Berlin-Mitte"`}},
	})
}

func TestCompanyTeams(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	def := w.defaultTeam(t)
	sup := w.actors["supervisor"].UserID.String()
	var created *tenant.Team
	w.run(t, []scenario{
		{name: "admin: the default group, its supervisor and members, the forms", who: "admin", method: "GET", path: "/company/teams", status: 200,
			contains: []string{def.Name, "Default group", "Name of supervisor", "Name of agent", `action="/company/teams"`, `action="/company/metateams"`},
			absent:   []string{"offered to nobody", `action="/company/teams/` + def.ID.String() + `/delete"`}},
		{name: "an agent reads", who: "agent", method: "GET", path: "/company/teams", status: 200,
			contains: []string{def.Name}, absent: []string{`action="/company/teams"`, "/default\""}},
		{name: "a meta-team", who: "admin", method: "POST", path: "/company/metateams", form: url.Values{"name": {"North"}}, status: 303},
		{name: "a team needs a supervisor", who: "admin", method: "POST", path: "/company/teams", form: url.Values{"name": {"Pumps"}}, status: 422,
			contains: []string{"to lead the team", `aria-describedby="team-sup-problem"`, `value="Pumps"`}},
		{name: "a team", who: "moderator", method: "POST", path: "/company/teams",
			form: url.Values{"name": {"Pumps"}, "supervisor": {sup}, "members": {w.actors["agent2"].UserID.String()}}, status: 303,
			check: func(t *testing.T, w *world) {
				teams, err := w.desk.Teams(ctx, w.admin)
				require.NoError(t, err)
				for _, tm := range teams {
					if tm.Name == "Pumps" {
						created = tm
					}
				}
				require.NotNil(t, created)
				assert.Equal(t, []uuid.UUID{w.actors["agent2"].UserID}, created.Members)
			}},
		{name: "a supervisor makes none", who: "supervisor", method: "POST", path: "/company/teams", form: url.Values{"name": {"Mine"}, "supervisor": {sup}}, status: 403},
	})
	metas, err := w.desk.MetaTeams(ctx, w.admin)
	require.NoError(t, err)
	base := "/company/teams/" + created.ID.String()
	spare := w.team(t, w.admin, "Spare")
	w.run(t, []scenario{
		{name: "the team's page", who: "admin", method: "GET", path: base, status: 200,
			contains: []string{`value="Pumps"`, `action="` + base + `/delete"`, `action="` + base + `/default"`, "Name of agent2"}},
		{name: "filed under a meta-team, members changed", who: "admin", method: "POST", path: base,
			form: url.Values{"name": {"Pumps"}, "supervisor": {sup}, "metateam": {metas[0].ID.String()}, "members": {w.actors["agent"].UserID.String()}, "version": {"1"}}, status: 303,
			check: func(t *testing.T, w *world) {
				tm, _ := findTeam(t, w, created.ID)
				assert.Equal(t, metas[0].ID, tm.MetaTeamID)
				assert.Equal(t, []uuid.UUID{w.actors["agent"].UserID}, tm.Members)
			}},
		{name: "the teams by meta-team", who: "admin", method: "GET", path: "/company/teams", status: 200,
			contains: []string{"<h2>North</h2>", "Teams without a meta-team", `value="North"`}},
		{name: "a meta-team renamed", who: "moderator", method: "POST", path: "/company/metateams/" + metas[0].ID.String(),
			form: url.Values{"name": {"North and east"}, "version": {"1"}}, status: 303},
		{name: "a stale rename", who: "admin", method: "POST", path: "/company/metateams/" + metas[0].ID.String(),
			form: url.Values{"name": {"Nowhere"}, "version": {"1"}}, status: 409, contains: []string{"Someone else changed this"}},
		{name: "an empty name, next to its meta-team", who: "admin", method: "POST", path: "/company/metateams/" + metas[0].ID.String(),
			form: url.Values{"name": {""}, "version": {"2"}}, status: 422, contains: []string{`aria-describedby="meta-` + metas[0].ID.String() + `-problem"`}},
		{name: "a supervisor renames none", who: "supervisor", method: "POST", path: "/company/metateams/" + metas[0].ID.String(),
			form: url.Values{"name": {"Mine"}, "version": {"2"}}, status: 403},
		{name: "the renamed meta-team", who: "admin", method: "GET", path: "/company/teams", status: 200,
			contains: []string{"<h2>North and east</h2>", `action="/company/metateams/` + metas[0].ID.String() + `/delete"`}},
		{name: "an agent leads no team", who: "admin", method: "POST", path: base,
			form: url.Values{"name": {"Pumps"}, "supervisor": {w.actors["agent"].UserID.String()}, "version": {"2"}}, status: 422,
			contains: []string{"to lead the team"}},
		{name: "the default group cannot go, and says why", who: "admin", method: "POST", path: "/company/teams/" + def.ID.String() + "/delete", status: 409,
			contains: []string{"The default group cannot be deleted: new requests go to it."}},
		{name: "another team becomes the default group", who: "admin", method: "POST", path: base + "/default", status: 303,
			check: func(t *testing.T, w *world) { assert.Equal(t, created.ID, w.defaultTeam(t).ID) }},
		{name: "the old one has active tickets: they are reassigned first", who: "moderator", method: "POST", path: "/company/teams/" + def.ID.String() + "/delete", status: 409,
			contains: []string{"still has active tickets: reassign them first"}},
		{name: "a team without tickets goes", who: "moderator", method: "POST", path: "/company/teams/" + spare.ID.String() + "/delete", status: 303,
			check: func(t *testing.T, w *world) {
				_, ok := findTeam(t, w, spare.ID)
				assert.False(t, ok)
			}},
		{name: "a supervisor deletes nothing", who: "supervisor", method: "POST", path: base + "/delete", status: 403},
		{name: "the meta-team goes, its team stays", who: "admin", method: "POST", path: "/company/metateams/" + metas[0].ID.String() + "/delete", status: 303,
			check: func(t *testing.T, w *world) {
				tm, ok := findTeam(t, w, created.ID)
				require.True(t, ok)
				assert.Equal(t, uuid.Nil, tm.MetaTeamID)
			}},
	})

	t.Run("a default group without members is warned about", func(t *testing.T) {
		tm := w.defaultTeam(t)
		tm.Members = nil
		_, err := w.desk.UpdateTeam(ctx, w.admin, tm)
		require.NoError(t, err)
		w.run(t, []scenario{
			{name: "on the teams page", who: "admin", method: "GET", path: "/company/teams", status: 200,
				contains: []string{"has no members: new requests are offered to nobody"}},
			{name: "and the group's", who: "admin", method: "GET", path: "/company/teams/" + tm.ID.String(), status: 200,
				contains: []string{"offered to nobody"}},
			{name: "not on the dashboard", who: "admin", method: "GET", path: "/", status: 200, absent: []string{"offered to nobody"}},
		})
	})
}

func findTeam(t *testing.T, w *world, id uuid.UUID) (*tenant.Team, bool) {
	t.Helper()
	teams, err := w.desk.Teams(t.Context(), w.admin)
	require.NoError(t, err)
	for _, tm := range teams {
		if tm.ID == id {
			return tm, true
		}
	}
	return nil, false
}

func TestCompanyStatuses(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	inProgress := func(t *testing.T) []string {
		t.Helper()
		sts, err := w.desk.Statuses(ctx, w.admin)
		require.NoError(t, err)
		var names []string
		for _, s := range sts {
			if s.State == ticket.StateInProgress {
				names = append(names, s.Name)
				if s.Retired {
					names[len(names)-1] += " (retired)"
				}
			}
		}
		return names
	}
	find := func(name string) *ticket.Status {
		sts, err := w.desk.Statuses(ctx, w.admin)
		require.NoError(t, err)
		for _, s := range sts {
			if s.Name == name {
				return s
			}
		}
		t.Fatalf("no status %q", name)
		return nil
	}
	w.run(t, []scenario{
		{name: "per state, with the forms", who: "admin", method: "GET", path: "/company/statuses", status: 200,
			contains: []string{`id="state-in_progress"`, "In progress", "Default", `action="/company/statuses"`, `action="/company/priorities"`, "Normal", `value="down"`}},
		{name: "an agent reads", who: "agent", method: "GET", path: "/company/statuses", status: 200,
			contains: []string{"In progress", "Normal"}, absent: []string{`action="/company/statuses`, `value="down"`}},
		{name: "a status needs a name", who: "admin", method: "POST", path: "/company/statuses", form: url.Values{"name": {""}, "state": {"in_progress"}}, status: 422,
			contains: []string{"Please enter a name", `aria-describedby="st-name-problem"`}},
		{name: "two statuses", who: "admin", method: "POST", path: "/company/statuses", form: url.Values{"name": {"Parts ordered"}, "state": {"in_progress"}}, status: 303},
		{name: "…in the order made", who: "moderator", method: "POST", path: "/company/statuses", form: url.Values{"name": {"On site"}, "state": {"in_progress"}}, status: 303,
			check: func(t *testing.T, w *world) {
				assert.Equal(t, []string{"In progress", "Parts ordered", "On site"}, inProgress(t))
			}},
		{name: "an agent makes none", who: "agent", method: "POST", path: "/company/statuses", form: url.Values{"name": {"Mine"}, "state": {"open"}}, status: 403},
	})
	id := func(name string) string { return "/company/statuses/" + find(name).ID.String() }
	ver := func(name string) string { return strconv.FormatInt(find(name).Version, 10) }
	// Each step reads the IDs and versions the one before left.
	steps := []func() scenario{
		func() scenario {
			return scenario{name: "up", who: "admin", method: "POST", path: id("On site"), form: url.Values{"do": {"up"}}, status: 303,
				check: func(t *testing.T, w *world) {
					assert.Equal(t, []string{"In progress", "On site", "Parts ordered"}, inProgress(t))
				}}
		},
		func() scenario {
			return scenario{name: "up to the top", who: "admin", method: "POST", path: id("On site"), form: url.Values{"do": {"up"}}, status: 303,
				check: func(t *testing.T, w *world) {
					assert.Equal(t, []string{"On site", "In progress", "Parts ordered"}, inProgress(t))
				}}
		},
		func() scenario {
			return scenario{name: "down", who: "admin", method: "POST", path: id("In progress"), form: url.Values{"do": {"down"}}, status: 303,
				check: func(t *testing.T, w *world) {
					assert.Equal(t, []string{"On site", "Parts ordered", "In progress"}, inProgress(t))
				}}
		},
		func() scenario {
			return scenario{name: "rename", who: "admin", method: "POST", path: id("On site"),
				form: url.Values{"do": {"rename"}, "name": {"Technician on site"}, "version": {ver("On site")}}, status: 303}
		},
		func() scenario {
			return scenario{name: "a stale rename", who: "admin", method: "POST", path: id("Technician on site"),
				form: url.Values{"do": {"rename"}, "name": {"Technician away"}, "version": {"1"}}, status: 409}
		},
		func() scenario {
			return scenario{name: "an empty name, next to its row", who: "admin", method: "POST", path: id("Technician on site"),
				form: url.Values{"do": {"rename"}, "name": {""}, "version": {ver("Technician on site")}}, status: 422,
				contains: []string{`aria-describedby="n-` + find("Technician on site").ID.String() + `-problem"`, "Please enter a name"}}
		},
		func() scenario {
			return scenario{name: "retire", who: "admin", method: "POST", path: id("Parts ordered"), form: url.Values{"do": {"retire"}, "version": {ver("Parts ordered")}}, status: 303,
				check: func(t *testing.T, w *world) {
					assert.Equal(t, []string{"Technician on site", "Parts ordered (retired)", "In progress"}, inProgress(t))
				}}
		},
		func() scenario {
			return scenario{name: "the retired one shows so", who: "admin", method: "GET", path: "/company/statuses", status: 200,
				contains: []string{"Retired", `value="restore"`}}
		},
		func() scenario {
			return scenario{name: "the default is not retired", who: "admin", method: "POST", path: id("In progress"),
				form: url.Values{"do": {"retire"}, "version": {ver("In progress")}}, status: 422, contains: []string{"make another one the default first"}}
		},
		func() scenario {
			return scenario{name: "another default", who: "admin", method: "POST", path: id("Technician on site"),
				form: url.Values{"do": {"default"}, "version": {ver("Technician on site")}}, status: 303,
				check: func(t *testing.T, w *world) {
					assert.True(t, find("Technician on site").Default)
					assert.False(t, find("In progress").Default)
				}}
		},
		func() scenario {
			return scenario{name: "an unknown change", who: "admin", method: "POST", path: id("In progress"), form: url.Values{"do": {"explode"}}, status: 422}
		},
		func() scenario {
			return scenario{name: "an agent changes none", who: "agent", method: "POST", path: id("In progress"),
				form: url.Values{"do": {"retire"}, "version": {ver("In progress")}}, status: 403}
		},
		func() scenario {
			return scenario{name: "a malformed ID", who: "admin", method: "POST", path: "/company/statuses/nope", form: url.Values{"do": {"up"}}, status: 404}
		},
	}
	for _, step := range steps {
		w.run(t, []scenario{step()})
	}

	prio := func(name string) string {
		ps, err := w.desk.Priorities(ctx, w.admin)
		require.NoError(t, err)
		for _, p := range ps {
			if p.Name == name {
				return "/company/priorities/" + p.ID.String()
			}
		}
		t.Fatalf("no priority %q", name)
		return ""
	}
	order := func(t *testing.T) []string {
		ps, err := w.desk.Priorities(ctx, w.admin)
		require.NoError(t, err)
		var names []string
		for _, p := range ps {
			names = append(names, p.Name)
		}
		return names
	}
	before := order(t)
	w.run(t, []scenario{
		{name: "a priority comes last", who: "admin", method: "POST", path: "/company/priorities", form: url.Values{"name": {"Someday"}}, status: 303,
			check: func(t *testing.T, w *world) { assert.Equal(t, append(before, "Someday"), order(t)) }},
	})
	w.run(t, []scenario{
		{name: "and moves up", who: "admin", method: "POST", path: prio("Someday"), form: url.Values{"do": {"up"}}, status: 303,
			check: func(t *testing.T, w *world) {
				want := append(append(before[:len(before)-1:len(before)-1], "Someday"), before[len(before)-1])
				assert.Equal(t, want, order(t))
			}},
	})
}

func TestCompanyCanned(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	path := "/company/canned/" + w.canned.String()
	w.run(t, []scenario{
		{name: "per language, the form and its tags", who: "admin", method: "GET", path: "/company/canned", status: 200,
			contains: []string{"English", "Type plate", `href="` + path + `"`, `action="/company/canned"`, "{{.ticket_ref}}", "T-000123"},
			absent:   []string{"{{.request_link}}"}},
		{name: "a language filter", who: "admin", method: "GET", path: "/company/canned?language=de", status: 200,
			contains: []string{"No canned responses yet."}, absent: []string{"Type plate"}},
		{name: "an agent reads, and edits nothing", who: "agent", method: "GET", path: "/company/canned", status: 200,
			contains: []string{"Type plate"}, absent: []string{`href="` + path + `"`, `method="post" action="/company/canned"`}},
		{name: "customers have none", who: "customer_admin", method: "GET", path: "/company/canned", status: 403},
		{name: "a preview fills the tags in with sample data, saving nothing", who: "admin", method: "POST", path: "/company/canned",
			form: url.Values{"language": {"en"}, "title": {"About {{.ticket_ref}}"}, "body": {"Dear {{.recipient_name}}, {{.title}}"}, "do": {"preview"}}, status: 200,
			contains: []string{"About T-000123", "Dear Ada Lovelace, Pump P-200 leaks oil", "Dear {{.recipient_name}}, {{.title}}</textarea>"},
			check: func(t *testing.T, w *world) {
				cs, err := w.desk.CannedResponses(ctx, w.admin, "")
				require.NoError(t, err)
				assert.Len(t, cs, 1)
			}},
		{name: "an unknown tag, shown at the text", who: "admin", method: "POST", path: "/company/canned",
			form: url.Values{"language": {"en"}, "title": {"Hi"}, "body": {"{{.password}}"}, "do": {"preview"}}, status: 422,
			contains: []string{`aria-describedby="c-tags c-body-problem"`, "only the tags listed below"}},
		{name: "and on saving", who: "admin", method: "POST", path: "/company/canned",
			form: url.Values{"language": {"en"}, "title": {"Hi"}, "body": {"{{.request_link}}"}, "do": {"save"}}, status: 422,
			contains: []string{"c-body-problem"}},
		{name: "create", who: "moderator", method: "POST", path: "/company/canned",
			form: url.Values{"language": {"de"}, "title": {"Typenschild"}, "body": {"Bitte senden Sie ein Foto zu {{.ticket_ref}}."}, "do": {"save"}}, status: 303},
		{name: "the German one", who: "admin", method: "GET", path: "/company/canned?language=de", status: 200, contains: []string{"Typenschild"}},
		{name: "an agent writes none", who: "agent", method: "POST", path: "/company/canned",
			form: url.Values{"language": {"en"}, "title": {"X"}, "body": {"Y"}, "do": {"save"}}, status: 403},
		{name: "the edit page", who: "admin", method: "GET", path: path, status: 200,
			contains: []string{`value="Type plate"`, `action="` + path + `"`, `action="` + path + `/delete"`}},
		{name: "save", who: "admin", method: "POST", path: path,
			form: url.Values{"language": {"en"}, "title": {"Type plate, please"}, "body": {"Hello {{.recipient_name}}"}, "version": {"1"}, "do": {"save"}}, status: 303},
		{name: "a stale form", who: "admin", method: "POST", path: path,
			form: url.Values{"language": {"en"}, "title": {"Again"}, "body": {"Hello"}, "version": {"1"}, "do": {"save"}}, status: 409},
		{name: "delete", who: "admin", method: "POST", path: path + "/delete", status: 303,
			check: func(t *testing.T, w *world) {
				cs, err := w.desk.CannedResponses(ctx, w.admin, "en")
				require.NoError(t, err)
				assert.Empty(t, cs)
			}},
		{name: "gone", who: "admin", method: "GET", path: path, status: 404},
	})
}

// The pages of My Company are whole in every language: no string is missing.
func TestCompanyLanguages(t *testing.T) {
	w := newWorld(t)
	team := w.defaultTeam(t).ID.String()
	for _, lang := range []string{"de", "fr", "es", "pl"} {
		for _, p := range []string{"/company", "/company/users", "/company/users/" + w.actors["agent2"].UserID.String(), "/company/departments",
			"/company/teams", "/company/teams/" + team, "/company/statuses", "/company/canned", "/company/canned/" + w.canned.String()} {
			res, body := do(t, w.client(t, "admin"), "GET", w.srv.URL+p+"?lang="+lang, nil)
			require.Equal(t, http.StatusOK, res.StatusCode, p)
			assert.NotContains(t, body, "[bo.", "%s in %s", p, lang)
			assert.Regexp(t, regexp.MustCompile(`<html lang="`+lang+`"`), body)
		}
	}
}

// My Company's pages in a phone's browser: no serious accessibility problem, no sideways
// scrolling, for the admin and a customer's admin, a refused form included.
func TestCompanyBrowser(t *testing.T) {
	b := browsertest.New()
	t.Cleanup(b.Close)
	w := newWorld(t)
	w.department(t, w.admin, "Berlin branch")
	_, err := w.desk.CreateStatus(t.Context(), w.admin, helpdesk.NewStatus{Name: "Parts ordered", State: ticket.StateInProgress})
	require.NoError(t, err)
	signIn := func(tab *browsertest.Tab, email, pass string) {
		tab.Visit("sign-in form", "/login")
		tab.Fill("#email", email)
		tab.Fill("#password", pass)
		require.Equal(t, http.StatusOK, tab.Follow("signed in", "button[type=submit]"))
	}
	tab := b.Tab(t, w.srv.URL)
	signIn(tab, "ada@acme.example", password)
	for _, p := range []string{"/company", "/company/users", "/company/users/" + w.actors["agent2"].UserID.String(), "/company/departments",
		"/company/teams", "/company/teams/" + w.defaultTeam(t).ID.String(), "/company/statuses", "/company/canned", "/company/canned/" + w.canned.String()} {
		assert.Equal(t, http.StatusOK, tab.Visit(p, p), p)
	}
	tab.Visit("the invitation form", "/company/users")
	tab.Fill("#inv-email", "not-an-address")
	tab.Fill("#inv-name", "Eve")
	// The browser's own check of the address is what a person meets first; the server's
	// refusal is the one to see here.
	require.True(t, browsertest.Eval[bool](tab, "document.querySelector('#invite form').noValidate = true"))
	assert.Equal(t, http.StatusUnprocessableEntity, tab.Follow("refused invitation", "#invite button[type=submit]"))
	assert.Contains(t, tab.Text("#inv-email-problem"), "valid e-mail address")

	cust := b.Tab(t, w.srv.URL)
	signIn(cust, "customer_admin@acme.example", pw)
	assert.Equal(t, http.StatusOK, cust.Visit("their company's users", "/company/users"))
}

// The people list pages with a cursor, keeping its filters.
func TestCompanyUsersPaging(t *testing.T) {
	w := newWorld(t)
	for i := range 55 {
		_, _, err := w.desk.CreateUser(t.Context(), w.admin, helpdesk.NewUser{Email: "paged" + strconv.Itoa(i) + "@acme.example",
			Name: "Paged person " + strconv.Itoa(i), Role: tenant.RoleAgent})
		require.NoError(t, err)
	}
	c := w.client(t, "admin")
	_, body := do(t, c, "GET", w.srv.URL+"/company/users?q=Paged&status=invited", nil)
	assert.Equal(t, 50, strings.Count(body, `<li class="row">`))
	m := regexp.MustCompile(`href="(/company/users\?[^"]*after=[^"]*)"`).FindStringSubmatch(body)
	require.NotNil(t, m, "a next page link")
	next, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
	require.NoError(t, err)
	assert.Equal(t, "Paged", next.Query().Get("q"))
	assert.Equal(t, "invited", next.Query().Get("status"))
	_, body = do(t, c, "GET", w.srv.URL+next.String(), nil)
	assert.Equal(t, 5, strings.Count(body, `<li class="row">`))
	assert.NotContains(t, body, "after=", "the last page has no next")
}
