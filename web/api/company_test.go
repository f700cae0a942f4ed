package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// companyRecords makes the records the company scenarios name, in both tenants (the second tenant's
// as "kind:other", for TestIsolation).
func companyRecords(t *testing.T, w *world) {
	t.Helper()
	ctx := t.Context()
	for _, ten := range []struct {
		name  string
		admin tenant.Actor
	}{{"a", w.actors["admin"]}, {"other", w.actors["other_admin"]}} {
		admin, n := ten.admin, ten.name
		dep, err := w.desk.CreateDepartment(ctx, admin, "Department "+n)
		require.NoError(t, err)
		w.ids["department:"+n] = dep.ID
		p, err := w.desk.CreateProject(ctx, admin, helpdesk.NewProject{Name: "Project " + n})
		require.NoError(t, err)
		w.ids["project:"+n] = p.ID
		m, err := w.desk.CreateMetaTeam(ctx, admin, "Meta-team "+n)
		require.NoError(t, err)
		w.ids["meta_team:"+n] = m.ID
		tm, err := w.desk.CreateTeam(ctx, admin, helpdesk.NewTeam{Name: "Team " + n, SupervisorID: admin.UserID})
		require.NoError(t, err)
		w.ids["team:"+n] = tm.ID
		st, err := w.desk.CreateStatus(ctx, admin, helpdesk.NewStatus{Name: "Waiting for parts " + n, State: ticket.StateWaiting})
		require.NoError(t, err)
		w.ids["status:"+n] = st.ID
		pr, err := w.desk.CreatePriority(ctx, admin, helpdesk.NewPriority{Name: "Whenever " + n, Rank: 1})
		require.NoError(t, err)
		w.ids["priority:"+n] = pr.ID
		cr, err := w.desk.CreateCannedResponse(ctx, admin, helpdesk.NewCannedResponse{Language: "en",
			Title: "About {{.ticket_ref}}", Body: "We are on {{.ticket_ref}} (" + n + ")."})
		require.NoError(t, err)
		w.ids["canned:"+n] = cr.ID
	}
	cr, err := w.desk.CreateCannedResponse(ctx, w.actors["admin"], helpdesk.NewCannedResponse{Language: "de",
		Title: "Zu {{.ticket_ref}}", Body: "Wir sind dran."})
	require.NoError(t, err)
	w.ids["canned:de"] = cr.ID
	c, err := w.desk.CreateCustomer(ctx, w.actors["other_admin"], helpdesk.NewCustomer{Name: "Other customer"})
	require.NoError(t, err)
	w.ids["customer:other"] = c.ID
	w.ids["user:other"] = w.ids["user:other_admin"]
}

// freshUser returns a setup that adds a customer user of customer X named name before each
// actor's request: invited (no password), active, or deactivated.
func freshUser(name string, status tenant.UserStatus) func(t *testing.T, w *world) {
	return func(t *testing.T, w *world) {
		t.Helper()
		ctx, admin := t.Context(), w.actors["admin"]
		nu := helpdesk.NewUser{Email: "u-" + uuid.NewString() + "@example.com", Name: "Fresh " + name,
			Role: tenant.RoleCustomerUser, CustomerID: w.ids["customer:x"]}
		if status != tenant.UserInvited {
			nu.Password = pw
		}
		u, _, err := w.desk.CreateUser(ctx, admin, nu)
		require.NoError(t, err)
		if status == tenant.UserDeactivated {
			_, err = w.desk.DeactivateUser(ctx, admin, u.ID)
			require.NoError(t, err)
		}
		w.ids["user:"+name] = u.ID
	}
}

// freshEmail returns a setup that names a new e-mail address, {email:name}@example.com, so that
// each actor's create adds a user of its own.
func freshEmail(name string) func(t *testing.T, w *world) {
	return func(t *testing.T, w *world) { w.ids["email:"+name] = uuid.New() }
}

// freshCompanyRecord returns a setup that makes a record to delete (kind team, meta_team or canned)
// before each actor's request.
func freshCompanyRecord(kind string) func(t *testing.T, w *world) {
	return func(t *testing.T, w *world) {
		t.Helper()
		ctx, admin := t.Context(), w.actors["admin"]
		var (
			id  uuid.UUID
			err error
		)
		switch kind {
		case "team":
			var tm *tenant.Team
			tm, err = w.desk.CreateTeam(ctx, admin, helpdesk.NewTeam{Name: "Short-lived", SupervisorID: admin.UserID})
			if err == nil {
				id = tm.ID
			}
		case "meta_team":
			var m *tenant.MetaTeam
			if m, err = w.desk.CreateMetaTeam(ctx, admin, "Short-lived"); err == nil {
				id = m.ID
			}
		case "canned":
			var c *ticket.CannedResponse
			if c, err = w.desk.CreateCannedResponse(ctx, admin, helpdesk.NewCannedResponse{Language: "en", Title: "Bye",
				Body: "Short-lived"}); err == nil {
				id = c.ID
			}
		}
		require.NoError(t, err)
		w.ids[kind+":gone"] = id
	}
}

// answerJSON unmarshals an answer's body into v.
func answerJSON[T any](t *testing.T, a answer) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(a.body), &v), a.body)
	return v
}

type companyUser struct {
	ID         uuid.UUID  `json:"id"`
	CustomerID *uuid.UUID `json:"customer_id"`
	Email      string     `json:"email"`
	Role       string     `json:"role"`
	Status     string     `json:"status"`
	Department *uuid.UUID `json:"department_id"`
}

type companyPage[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next"`
}

func companyScenarios() map[string][]scenario {
	ok, created, gone := http.StatusOK, http.StatusCreated, http.StatusNoContent
	forbidden, notFound := http.StatusForbidden, http.StatusNotFound
	customerManagers := []string{"admin", "moderator", "customer_admin"}
	return map[string][]scenario{
		// Customers.
		"listCustomers": {{name: "all", path: "/customers", want: statuses(ok, forbidden, employees...),
			check: func(t *testing.T, w *world, as string, a answer) {
				p := answerJSON[companyPage[struct{ ID uuid.UUID }]](t, a)
				var ids []uuid.UUID
				for _, c := range p.Items {
					ids = append(ids, c.ID)
				}
				assert.Contains(t, ids, w.ids["customer:x"])
				assert.NotContains(t, ids, w.ids["customer:other"])
			}}},
		"createCustomer": {{name: "with a plan", path: "/customers",
			body: `{"name":"Zephyr Tools","language":"de","department_id":"{department:a}","support_until":"2030-01-01T00:00:00Z"}`,
			want: statuses(created, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				var got struct {
					ID           uuid.UUID
					Name         string
					Language     string
					DepartmentID uuid.UUID `json:"department_id"`
					SupportUntil string    `json:"support_until"`
					Version      int64
				}
				require.NoError(t, json.Unmarshal([]byte(a.body), &got))
				assert.Equal(t, "Zephyr Tools", got.Name)
				assert.Equal(t, "de", got.Language)
				assert.Equal(t, w.ids["department:a"], got.DepartmentID)
				assert.Equal(t, "2030-01-01T00:00:00Z", got.SupportUntil)
				assert.Equal(t, "/api/v1/customers/"+got.ID.String(), a.Header.Get("Location"))
				assert.Equal(t, `"1"`, a.Header.Get("ETag"))
			}}},
		"getCustomer": {
			{name: "own", path: "/customers/{customer:x}", want: statuses(ok, 0, people...)},
			{name: "another customer", path: "/customers/{customer:y}",
				want: with(statuses(ok, 0, people...), "customer_admin", notFound, "customer_user", notFound)},
		},
		"editCustomer": {{name: "language", path: "/customers/{customer:x}", body: `{"language":"fr"}`,
			want: statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				got := answerJSON[struct{ Name, Language string }](t, a)
				assert.Equal(t, "fr", got.Language)
				assert.Equal(t, "Xylo Works", got.Name, "a field left out stays as it is")
			}}},
		"getCustomerStats": {
			{name: "own", path: "/customers/{customer:x}/stats", want: statuses(ok, 0, people...),
				check: func(t *testing.T, w *world, as string, a answer) {
					assert.GreaterOrEqual(t, answerJSON[struct{ Tickets int }](t, a).Tickets, 2)
				}},
			{name: "another customer", path: "/customers/{customer:y}/stats",
				want: with(statuses(ok, 0, people...), "customer_admin", notFound, "customer_user", notFound)},
		},
		"setSupportPlan": {{name: "until", path: "/customers/{customer:x}/support-plan", body: `{"support_until":"2031-06-30T12:00:00Z"}`,
			want: statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				assert.Equal(t, "2031-06-30T12:00:00Z", answerJSON[struct {
					SupportUntil string `json:"support_until"`
				}](t, a).SupportUntil)
			}}},
		"setSignupDomains": {{name: "one", path: "/customers/{customer:x}/signup-domains", body: `{"domains":["Xylo.Example"]}`,
			want: statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				assert.Equal(t, []string{"xylo.example"}, answerJSON[struct {
					Domains []string `json:"signup_domains"`
				}](t, a).Domains)
			}}},

		// Users.
		"getMe": {{name: "self", path: "/me", want: statuses(ok, 0, people...),
			check: func(t *testing.T, w *world, as string, a answer) {
				got := answerJSON[companyUser](t, a)
				assert.Equal(t, w.ids["user:"+as], got.ID)
				assert.Equal(t, as+"@example.com", got.Email)
				assert.NotContains(t, a.body, "password")
			}}},
		"listUsers": {
			{name: "all", path: "/users", want: statuses(ok, forbidden, "admin", "moderator", "supervisor", "agent", "customer_admin"),
				check: func(t *testing.T, w *world, as string, a answer) {
					p := answerJSON[companyPage[companyUser]](t, a)
					require.NotEmpty(t, p.Items)
					for _, u := range p.Items {
						if as == "customer_admin" {
							assert.Equal(t, idPtr(w, "customer:x"), u.CustomerID, "a customer_admin sees their customer's users only")
						}
						assert.NotEqual(t, w.ids["user:other_admin"], u.ID)
					}
				}},
			{name: "agents", path: "/users?role=agent&status=active&limit=1",
				want: statuses(ok, forbidden, "admin", "moderator", "supervisor", "agent", "customer_admin"),
				check: func(t *testing.T, w *world, as string, a answer) {
					p := answerJSON[companyPage[companyUser]](t, a)
					if as == "customer_admin" {
						assert.Empty(t, p.Items)
						return
					}
					require.Len(t, p.Items, 1)
					assert.Equal(t, "agent", p.Items[0].Role)
					assert.NotEmpty(t, p.Next, "two agents: a page of one has a next")
				}},
			{name: "customer's, by text", path: "/users?customer_id={customer:x}&q=user2",
				want: statuses(ok, forbidden, "admin", "moderator", "supervisor", "agent", "customer_admin"),
				check: func(t *testing.T, w *world, as string, a answer) {
					p := answerJSON[companyPage[companyUser]](t, a)
					require.Len(t, p.Items, 1)
					assert.Equal(t, w.ids["user:customer_user2"], p.Items[0].ID)
				}},
		},
		"createUser": {
			{name: "invited customer user", path: "/users", setup: freshEmail("new"),
				body: `{"email":"u-{email:new}@example.com","name":"Nina New","role":"customer_user","customer_id":"{customer:x}"}`,
				want: statuses(created, forbidden, customerManagers...),
				check: func(t *testing.T, w *world, as string, a answer) {
					got := answerJSON[companyUser](t, a)
					assert.Equal(t, "invited", got.Status)
					assert.Equal(t, "customer_user", got.Role)
					assert.Equal(t, idPtr(w, "customer:x"), got.CustomerID)
					assert.Equal(t, "/api/v1/users/"+got.ID.String(), a.Header.Get("Location"))
					// The invitation link is e-mailed, never answered.
					assert.NotContains(t, a.body, "http")
					assert.NotContains(t, a.body, "token")
				}},
			{name: "agent with a password", path: "/users", setup: freshEmail("agent"),
				body: `{"email":"a-{email:agent}@example.com","name":"Ada Agent","role":"agent","department_id":"{department:a}","password":"` + pw + `"}`,
				want: statuses(created, forbidden, "admin"),
				check: func(t *testing.T, w *world, as string, a answer) {
					got := answerJSON[companyUser](t, a)
					assert.Equal(t, "active", got.Status)
					assert.Nil(t, got.CustomerID)
					assert.Equal(t, idPtr(w, "department:a"), got.Department)
				}},
		},
		"getUser": {
			{name: "customer user", path: "/users/{user:customer_user}", want: statuses(ok, 0, people...)},
			{name: "employee", path: "/users/{user:agent}",
				want: with(statuses(ok, 0, people...), "customer_admin", notFound, "customer_user", notFound)},
		},
		"editUser": {{name: "phone", path: "/users/{user:customer_user2}", body: `{"phone":"+4930123456"}`,
			want: statuses(ok, forbidden, customerManagers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				assert.Equal(t, "+4930123456", answerJSON[struct{ Phone string }](t, a).Phone)
			}}},
		"deactivateUser": {{name: "customer user", path: "/users/{user:leaving}/deactivate", setup: freshUser("leaving", tenant.UserActive),
			want: statuses(ok, forbidden, customerManagers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				assert.Equal(t, "deactivated", answerJSON[companyUser](t, a).Status)
			}}},
		"reactivateUser": {{name: "customer user", path: "/users/{user:back}/reactivate", setup: freshUser("back", tenant.UserDeactivated),
			want: statuses(ok, forbidden, customerManagers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				assert.Equal(t, "active", answerJSON[companyUser](t, a).Status)
			}}},
		"resendInvitation": {{name: "invited", path: "/users/{user:invited}/invitation", setup: freshUser("invited", tenant.UserInvited),
			want: statuses(ok, forbidden, customerManagers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				assert.NotContains(t, a.body, "http", "the link is e-mailed, never answered")
				assert.Contains(t, a.body, "expires_at")
			}}},
		// Employees are hidden from customer users: not found, as for another tenant's.
		"setUserDepartment": {{name: "employee", path: "/users/{user:agent2}/department", body: `{"department_id":"{department:a}"}`,
			want: with(statuses(ok, forbidden, managers...), "customer_admin", notFound, "customer_user", notFound),
			check: func(t *testing.T, w *world, as string, a answer) {
				assert.Equal(t, idPtr(w, "department:a"), answerJSON[companyUser](t, a).Department)
			}}},

		// Departments and projects.
		"listDepartments":  {{name: "all", path: "/departments", want: statuses(ok, forbidden, employees...)}},
		"createDepartment": {{name: "named", path: "/departments", body: `{"name":"North"}`, want: statuses(created, forbidden, managers...)}},
		"renameDepartment": {{name: "renamed", path: "/departments/{department:a}", body: `{"name":"Department A (renamed)"}`,
			want: statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				assert.Equal(t, "Department A (renamed)", answerJSON[struct{ Name string }](t, a).Name)
			}}},
		"listProjects": {{name: "all", path: "/projects", want: statuses(ok, forbidden, employees...)}},
		"createProject": {{name: "for a customer", path: "/projects", body: `{"name":"Pumps 2027","customer_id":"{customer:x}"}`,
			want: statuses(created, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				got := answerJSON[struct {
					Name       string
					CustomerID *uuid.UUID `json:"customer_id"`
				}](t, a)
				assert.Equal(t, "Pumps 2027", got.Name)
				assert.Equal(t, idPtr(w, "customer:x"), got.CustomerID)
			}}},
		"editProject": {{name: "customer", path: "/projects/{project:a}", body: `{"customer_id":"{customer:y}"}`,
			want: statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				got := answerJSON[struct {
					Name       string
					CustomerID *uuid.UUID `json:"customer_id"`
				}](t, a)
				assert.Equal(t, "Project a", got.Name)
				assert.Equal(t, idPtr(w, "customer:y"), got.CustomerID)
			}}},

		// Teams.
		"listTeams": {{name: "all", path: "/teams", want: statuses(ok, forbidden, employees...)}},
		"createTeam": {{name: "with members", path: "/teams",
			body: `{"name":"Night shift","supervisor_id":"{user:supervisor}","meta_team_id":"{meta_team:a}","members":["{user:agent}","{user:agent2}"]}`,
			want: statuses(created, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				got := answerJSON[struct {
					Name         string
					SupervisorID uuid.UUID   `json:"supervisor_id"`
					MetaTeamID   uuid.UUID   `json:"meta_team_id"`
					Members      []uuid.UUID `json:"members"`
				}](t, a)
				assert.Equal(t, "Night shift", got.Name)
				assert.Equal(t, w.ids["user:supervisor"], got.SupervisorID)
				assert.Equal(t, w.ids["meta_team:a"], got.MetaTeamID)
				assert.Equal(t, []uuid.UUID{w.ids["user:agent"], w.ids["user:agent2"]}, got.Members)
			}}},
		"editTeam": {{name: "members", path: "/teams/{team:a}", body: `{"members":["{user:agent2}"]}`,
			want: statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				got := answerJSON[struct {
					Name    string
					Members []uuid.UUID
				}](t, a)
				assert.Equal(t, "Team a", got.Name)
				assert.Equal(t, []uuid.UUID{w.ids["user:agent2"]}, got.Members)
			}}},
		"deleteTeam": {
			{name: "a team", path: "/teams/{team:gone}", setup: freshCompanyRecord("team"), want: statuses(gone, forbidden, managers...)},
			{name: "the default group", path: "/teams/{team:default}",
				want: statuses(http.StatusConflict, forbidden, managers...)},
		},
		"setDefaultTeam": {{name: "the same", path: "/default-team", body: `{"team_id":"{team:default}"}`,
			want: statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				assert.Equal(t, w.ids["team:default"], answerJSON[struct {
					TeamID uuid.UUID `json:"team_id"`
				}](t, a).TeamID)
			}}},
		"listMetaTeams":  {{name: "all", path: "/meta-teams", want: statuses(ok, forbidden, employees...)}},
		"createMetaTeam": {{name: "named", path: "/meta-teams", body: `{"name":"Field service"}`, want: statuses(created, forbidden, managers...)}},
		"renameMetaTeam": {{name: "renamed", path: "/meta-teams/{meta_team:a}", body: `{"name":"Workshop"}`,
			want: statuses(ok, forbidden, managers...)}},
		"deleteMetaTeam": {{name: "a meta-team", path: "/meta-teams/{meta_team:gone}", setup: freshCompanyRecord("meta_team"),
			want: statuses(gone, forbidden, managers...)}},

		// Statuses and priorities.
		"listStatuses": {{name: "all", path: "/statuses", want: statuses(ok, 0, people...)}},
		"createStatus": {{name: "waiting", path: "/statuses", body: `{"name":"Parts ordered","state":"waiting","position":5}`,
			want: statuses(created, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				got := answerJSON[struct {
					Name, State string
					Position    int
					Default     bool
				}](t, a)
				assert.Equal(t, "Parts ordered", got.Name)
				assert.Equal(t, "waiting", got.State)
				assert.Equal(t, 5, got.Position)
				assert.False(t, got.Default)
			}}},
		"editStatus": {{name: "renamed", path: "/statuses/{status:a}", body: `{"name":"Parts on the way"}`,
			want: statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				got := answerJSON[struct {
					Name, State string
				}](t, a)
				assert.Equal(t, "Parts on the way", got.Name)
				assert.Equal(t, "waiting", got.State)
			}}},
		"moveStatus": {{name: "up", path: "/statuses/{status:a}/move", body: `{"by":-1}`,
			want: statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				p := answerJSON[companyPage[struct {
					ID    uuid.UUID
					State string
				}]](t, a)
				require.NotEmpty(t, p.Items)
				for _, s := range p.Items {
					assert.Equal(t, "waiting", s.State, "the moved status's state only")
				}
			}}},
		"listPriorities": {{name: "all", path: "/priorities", want: statuses(ok, 0, people...)}},
		"createPriority": {{name: "critical", path: "/priorities", body: `{"name":"Critical","rank":99}`,
			want: statuses(created, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				got := answerJSON[struct {
					Name string
					Rank int
				}](t, a)
				assert.Equal(t, "Critical", got.Name)
				assert.Equal(t, 99, got.Rank)
			}}},
		"editPriority": {{name: "renamed", path: "/priorities/{priority:a}", body: `{"name":"Someday"}`,
			want: statuses(ok, forbidden, managers...)}},
		"movePriority": {{name: "up", path: "/priorities/{priority:a}/move", body: `{"by":-1}`,
			want: statuses(ok, forbidden, managers...)}},

		// Canned responses.
		"listCannedResponses": {
			{name: "all", path: "/canned-responses", want: statuses(ok, forbidden, employees...)},
			{name: "german", path: "/canned-responses?language=de", want: statuses(ok, forbidden, employees...),
				check: func(t *testing.T, w *world, as string, a answer) {
					p := answerJSON[companyPage[struct{ ID uuid.UUID }]](t, a)
					require.Len(t, p.Items, 1)
					assert.Equal(t, w.ids["canned:de"], p.Items[0].ID)
				}},
		},
		"createCannedResponse": {{name: "english", path: "/canned-responses",
			body: `{"language":"en","title":"Parts for {{.ticket_ref}}","body":"The parts are ordered."}`,
			want: statuses(created, forbidden, managers...)}},
		"editCannedResponse": {{name: "body", path: "/canned-responses/{canned:a}", body: `{"body":"Still on {{.ticket_ref}}."}`,
			want: statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				got := answerJSON[struct{ Title, Body, Language string }](t, a)
				assert.Equal(t, "Still on {{.ticket_ref}}.", got.Body)
				assert.Equal(t, "About {{.ticket_ref}}", got.Title)
			}}},
		"deleteCannedResponse": {{name: "one", path: "/canned-responses/{canned:gone}", setup: freshCompanyRecord("canned"),
			want: statuses(gone, forbidden, managers...)}},
		"renderCannedResponse": {{name: "for a ticket", path: "/tickets/{ticket:x}/canned-responses/{canned:a}",
			want: statuses(ok, forbidden, employees...),
			check: func(t *testing.T, w *world, as string, a answer) {
				got := answerJSON[struct{ Title, Body string }](t, a)
				assert.Equal(t, "About T-000001", got.Title)
				assert.NotContains(t, got.Body, "{{")
			}}},
	}
}

// idPtr returns a pointer to the named record's ID, as an answer's optional ID reads.
func idPtr(w *world, name string) *uuid.UUID {
	v := w.ids[name]
	return &v
}

// TestCompanyIfMatch checks If-Match on the company area's writes: a stale ETag answers 412
// and changes nothing, the current one goes through and answers the new ETag. Records the
// Desk reads directly (customers, users) and those it only lists (departments) are checked.
func TestCompanyIfMatch(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		w := newWorld(t, e)
		for _, c := range []struct {
			name, get, write, method, body string
		}{
			{"customer", "/customers/{customer:x}", "/customers/{customer:x}", http.MethodPatch, `{"name":"Xylo Works GmbH"}`},
			{"support plan", "/customers/{customer:y}", "/customers/{customer:y}/support-plan", http.MethodPut, `{}`},
			{"user", "/users/{user:customer_user2}", "/users/{user:customer_user2}", http.MethodPatch, `{"name":"Cu Two"}`},
			{"department", "/departments", "/departments/{department:a}", http.MethodPatch, `{"name":"Dept A2"}`},
			{"team", "/teams", "/teams/{team:a}", http.MethodPatch, `{"name":"Team A2"}`},
			{"canned", "/canned-responses", "/canned-responses/{canned:a}", http.MethodPatch, `{"title":"Re {{.ticket_ref}}"}`},
		} {
			t.Run(c.name, func(t *testing.T) {
				a := w.call(t, "admin", http.MethodGet, c.get, "")
				require.Equal(t, http.StatusOK, a.StatusCode, a.body)
				etag := a.Header.Get("ETag")
				if etag == "" { // a list: the record's version is in its item
					etag = `"` + listVersion(t, w, a, c.write) + `"`
				}
				stale := w.call(t, "admin", c.method, c.write, c.body, "If-Match", `"999"`)
				assert.Equal(t, http.StatusPreconditionFailed, stale.StatusCode, stale.body)
				assert.Contains(t, stale.body, "precondition_failed")

				bad := w.call(t, "admin", c.method, c.write, c.body, "If-Match", "yesterday")
				assert.Equal(t, http.StatusUnprocessableEntity, bad.StatusCode, bad.body)

				fresh := w.call(t, "admin", c.method, c.write, c.body, "If-Match", etag)
				require.Equal(t, http.StatusOK, fresh.StatusCode, fresh.body)
				assert.NotEqual(t, etag, fresh.Header.Get("ETag"), "a write moves the version on")
				assert.NotEmpty(t, fresh.Header.Get("ETag"))

				again := w.call(t, "admin", c.method, c.write, c.body, "If-Match", etag)
				assert.Equal(t, http.StatusPreconditionFailed, again.StatusCode, "the ETag read before the write is stale now: %s", again.body)
			})
		}
	})
}

// listVersion finds the version of the record a path ends with in a list answer.
func listVersion(t *testing.T, w *world, a answer, path string) string {
	t.Helper()
	want := w.expand(t, path)
	p := answerJSON[companyPage[struct {
		ID      uuid.UUID
		Version json.Number
	}]](t, a)
	for _, it := range p.Items {
		if strings.HasSuffix(want, it.ID.String()) {
			return it.Version.String()
		}
	}
	require.FailNow(t, "no such record in the list", path)
	return ""
}

// TestCompanyForeignReferences checks that a body naming another tenant's record (not only a
// path) answers 404 and changes nothing.
func TestCompanyForeignReferences(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		w := newWorld(t, e)
		for _, c := range []struct {
			name, method, path, body string
		}{
			{"default team", http.MethodPut, "/default-team", `{"team_id":"{team:other}"}`},
			{"customer's department", http.MethodPatch, "/customers/{customer:x}", `{"department_id":"{department:other}"}`},
			{"user's department", http.MethodPut, "/users/{user:agent2}/department", `{"department_id":"{department:other}"}`},
			{"team's supervisor", http.MethodPost, "/teams", `{"name":"Spies","supervisor_id":"{user:other_admin}"}`},
			{"team's member", http.MethodPatch, "/teams/{team:a}", `{"members":["{user:other_admin}"]}`},
			{"project's customer", http.MethodPost, "/projects", `{"name":"Theirs","customer_id":"{customer:other}"}`},
			{"user's customer", http.MethodPost, "/users", `{"email":"spy@example.com","name":"Spy","role":"customer_user","customer_id":"{customer:other}"}`},
			{"rendering with their ticket", http.MethodGet, "/tickets/{ticket:other}/canned-responses/{canned:a}", ""},
			{"rendering their canned response", http.MethodGet, "/tickets/{ticket:x}/canned-responses/{canned:other}", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				a := w.call(t, "admin", c.method, c.path, c.body)
				assert.Equal(t, http.StatusNotFound, a.StatusCode, a.body)
				assert.NotContains(t, a.body, "Other")
			})
		}
		ten, err := w.desk.Tenant(t.Context(), w.actors["admin"])
		require.NoError(t, err)
		assert.Equal(t, w.ids["team:default"], ten.DefaultTeamID)
	})
}

// TestCompanyValidation checks that the Desk's validation reaches the client as a field's
// problem.
func TestCompanyValidation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		w := newWorld(t, e)
		for _, c := range []struct {
			name, method, path, body, field string
		}{
			{"customer without a name", http.MethodPost, "/customers", `{"name":" "}`, "name"},
			{"unknown role", http.MethodPost, "/users", `{"email":"r@example.com","name":"R","role":"boss"}`, "role"},
			{"own role", http.MethodPatch, "/users/{user:admin}", `{"role":"agent"}`, "role"},
			{"move by two", http.MethodPost, "/statuses/{status:a}/move", `{"by":2}`, "by"},
			{"unknown tag", http.MethodPost, "/canned-responses", `{"language":"en","title":"{{.password}}","body":"x"}`, "title"},
			{"unknown language", http.MethodGet, "/canned-responses?language=xx", "", "language"},
			{"bad domain", http.MethodPut, "/customers/{customer:x}/signup-domains", `{"domains":["not a domain"]}`, "domains[0]"},
			{"unknown field", http.MethodPatch, "/teams/{team:a}", `{"leader":"me"}`, "leader"},
		} {
			t.Run(c.name, func(t *testing.T) {
				a := w.call(t, "admin", c.method, c.path, c.body)
				require.Equal(t, http.StatusUnprocessableEntity, a.StatusCode, a.body)
				p := answerJSON[struct {
					Code   string
					Errors []struct{ Field string }
				}](t, a)
				assert.Equal(t, "invalid", p.Code)
				require.NotEmpty(t, p.Errors)
				assert.Equal(t, c.field, p.Errors[0].Field)
			})
		}
	})
}

// TestCompanySelfEdit checks that every user may change their own name and language through
// their own /users/{id}, but not their own role, nor deactivate themselves.
func TestCompanySelfEdit(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		w := newWorld(t, e)
		for _, as := range people {
			t.Run(as, func(t *testing.T) {
				path := "/users/{user:" + as + "}"
				a := w.call(t, as, http.MethodPatch, path, `{"name":"Renamed `+as+`","language":"pl"}`)
				require.Equal(t, http.StatusOK, a.StatusCode, a.body)
				got := answerJSON[struct{ Name, Language, Role string }](t, a)
				assert.Equal(t, "Renamed "+as, got.Name)
				assert.Equal(t, "pl", got.Language)

				me := w.call(t, as, http.MethodGet, "/me", "")
				require.Equal(t, http.StatusOK, me.StatusCode, me.body)
				assert.Equal(t, a.Header.Get("ETag"), me.Header.Get("ETag"), "/me is the same record")

				role := w.call(t, as, http.MethodPatch, path, `{"role":"admin"}`)
				assert.Equal(t, http.StatusUnprocessableEntity, role.StatusCode, role.body)
				off := w.call(t, as, http.MethodPost, path+"/deactivate", "")
				assert.Contains(t, []int{http.StatusUnprocessableEntity, http.StatusForbidden}, off.StatusCode, off.body)
				assert.Equal(t, got.Role, answerJSON[struct{ Role string }](t, w.call(t, as, http.MethodGet, "/me", "")).Role)
			})
		}
	})
}
