package backoffice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/web"
	"github.com/google/uuid"
)

// companyRoutes are the routes of My Company's people and structure: departments, employees,
// teams and meta-teams, the default group, statuses and priorities, canned responses. What
// each page shows and offers is what the policy lets the person do; the Desk decides every
// change, and another tenant's (or another customer's) record is not found.
//
//	GET  /company                        My Company's sections the person may open
//	GET  /company/users                  employees (a customer_admin: their company's users),
//	                                     q for text, status (active, invited, deactivated), a
//	                                     page at a time (after); the invitation form
//	POST /company/users                  invites someone (e-mail, name, role, department)
//	GET  /company/users/{id}             a user: facts and what may be changed
//	POST /company/users/{id}/role        changes the role
//	POST /company/users/{id}/department  puts an employee in a department (or none)
//	POST /company/users/{id}/invitation  sends a fresh invitation
//	POST /company/users/{id}/deactivate  stops the user signing in; /reactivate lets them again
//	GET  /company/departments            departments; POST creates one
//	POST /company/departments/{id}       renames a department
//	GET  /company/teams                  teams by meta-team, the default group (warned about
//	                                     when it has no members); POST creates a team
//	POST /company/metateams              creates a meta-team; POST /company/metateams/{id}
//	                                     renames one, …/{id}/delete deletes it (its teams stay)
//	GET  /company/teams/{id}             a team's name, supervisor, meta-team and members;
//	                                     POST saves them
//	POST /company/teams/{id}/default     makes the team the default group
//	POST /company/teams/{id}/delete      deletes the team (never the default group)
//	GET  /company/statuses               statuses per state and priorities; POST creates a status
//	POST /company/statuses/{id}          do=up or down moves it one place; rename (name), retire,
//	                                     restore, default change it
//	POST /company/priorities             creates a priority
//	POST /company/priorities/{id}        as for a status
//	GET  /company/canned                 canned responses per language (language filters), the form
//	                                     to write one, its tags; POST creates one, or with
//	                                     do=preview shows it filled in with sample data
//	GET  /company/canned/{id}            edits a canned response; POST saves it (or previews)
//	POST /company/canned/{id}/delete     deletes it
func (h *Handler) companyRoutes() []route {
	return []route{
		{"GET /company", h.signedIn(h.company)},
		{"GET /company/users", h.signedIn(h.companyUsers)},
		{"POST /company/users", h.signedIn(h.companyInvite)},
		{"GET /company/users/{id}", h.signedIn(h.companyUser)},
		{"POST /company/users/{id}/role", h.signedIn(h.companyUserRole)},
		{"POST /company/users/{id}/department", h.signedIn(h.companyUserDepartment)},
		{"POST /company/users/{id}/invitation", h.signedIn(h.companyUserResend)},
		{"POST /company/users/{id}/deactivate", h.signedIn(h.companyUserDeactivate)},
		{"POST /company/users/{id}/reactivate", h.signedIn(h.companyUserReactivate)},
		{"GET /company/departments", h.signedIn(h.companyDepartments)},
		{"POST /company/departments", h.signedIn(h.companyDepartmentCreate)},
		{"POST /company/departments/{id}", h.signedIn(h.companyDepartmentRename)},
		{"GET /company/teams", h.signedIn(h.companyTeams)},
		{"POST /company/teams", h.signedIn(h.companyTeamCreate)},
		{"POST /company/metateams", h.signedIn(h.companyMetaTeamCreate)},
		{"POST /company/metateams/{id}", h.signedIn(h.companyMetaTeamRename)},
		{"POST /company/metateams/{id}/delete", h.signedIn(h.companyMetaTeamDelete)},
		{"GET /company/teams/{id}", h.signedIn(h.companyTeam)},
		{"POST /company/teams/{id}", h.signedIn(h.companyTeamSave)},
		{"POST /company/teams/{id}/default", h.signedIn(h.companyTeamDefault)},
		{"POST /company/teams/{id}/delete", h.signedIn(h.companyTeamDelete)},
		{"GET /company/statuses", h.signedIn(h.companyStatuses)},
		{"POST /company/statuses", h.signedIn(h.companyStatusCreate)},
		{"POST /company/statuses/{id}", h.signedIn(h.companyStatusChange)},
		{"POST /company/priorities", h.signedIn(h.companyPriorityCreate)},
		{"POST /company/priorities/{id}", h.signedIn(h.companyPriorityChange)},
		{"GET /company/canned", h.signedIn(h.companyCanned)},
		{"POST /company/canned", h.signedIn(h.companyCannedSave)},
		{"GET /company/canned/{id}", h.signedIn(h.companyCannedEdit)},
		{"POST /company/canned/{id}", h.signedIn(h.companyCannedSave)},
		{"POST /company/canned/{id}/delete", h.signedIn(h.companyCannedDelete)},
	}
}

// allows reports whether the policy lets the person perform act at all (r nil) or on r.
func allows(s *session, act tenant.Action, r *tenant.Resource) bool {
	return tenant.Authorize(s.actor, act, r) == nil
}

// formState is what a refused form shows again: the problem, next to the field it is about
// (or above the form), and the input as it was.
type formState struct {
	// Target names the form on the page ("invite", "dep-ID", …); Field the field, "" for the
	// form as a whole.
	Target, Field, Problem string
	Values                 url.Values
}

// At returns the problem of form target's field ("" for the form as a whole), if that is
// where it is.
func (f formState) At(target, field string) string {
	if f.Target == target && f.Field == field {
		return f.Problem
	}
	return ""
}

// Get returns the kept input of field name in form target, or def when that form was not
// the one refused.
func (f formState) Get(target, name, def string) string {
	if f.Target != target {
		return def
	}
	return f.Values.Get(name)
}

// Has reports whether the refused form target had value among the values of name.
func (f formState) Has(target, name, value string) bool {
	return f.Target == target && slices.Contains(f.Values[name], value)
}

// refused words a change the Desk refused, for the form target with fields: the status of its
// kind, and the problem next to the field it is about when that is one of fields. conflict is
// the message of a conflict in this context ("" for the general one). An internal error's text
// is logged, never shown.
func (h *Handler) refused(r *http.Request, l *web.Lang, err error, target, conflict string, fields ...string) (int, formState) {
	kind := helpdesk.KindOf(err)
	f := formState{Target: target, Values: r.PostForm, Problem: l.T("error." + string(kind))}
	if kind == helpdesk.KindInternal {
		h.cfg.Logger.ErrorContext(r.Context(), "company change failed", "route", r.Pattern, "err", err)
	}
	var ve *helpdesk.ValidationError
	switch {
	case errors.As(err, &ve):
		field, _, _ := strings.Cut(ve.Field, "[")
		field = strings.TrimSuffix(field, "_id")
		if slices.Contains(fields, field) {
			f.Field = field
		}
		if msg, ok := catalogued(l, "bo.company.problem."+field); ok {
			f.Problem = msg
		}
	case errors.Is(err, helpdesk.ErrDefaultTeam):
		f.Problem = l.T("bo.company.teams.problem.default")
	case kind == helpdesk.KindConflict && conflict != "":
		f.Problem = l.T(conflict)
	}
	return web.Status(kind), f
}

// catalogued returns the string id, and whether the catalogue has it.
func catalogued(l *web.Lang, id string) (string, bool) {
	s := l.T(id)
	return s, s != "["+id+"]"
}

// version reads a form's version field, the version of the record the form was made from.
func version(r *http.Request) int64 {
	v, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	return v
}

// renderAt writes a signed-in person's page as it appears at path, which the language switcher
// links to: a form refused on a POST route is shown on its page's own path.
func (h *Handler) renderAt(w http.ResponseWriter, r *http.Request, s *session, status int, name, title, path string, data any) {
	h.pages.Render(w, r, status, name, web.Page{L: s.l, Title: title, Path: path, Brand: s.brand, Nav: s.nav, Data: data})
}

// notices are the messages a page shows after a change (?done=…), by their parameter.
var notices = map[string]string{
	"invited": "bo.company.done.invited", "resent": "bo.company.done.resent", "saved": "bo.company.done.saved",
	"deactivated": "bo.company.done.deactivated", "reactivated": "bo.company.done.reactivated",
	"created": "bo.company.done.created", "deleted": "bo.company.done.deleted", "default": "bo.company.done.default",
}

// notice is the message of the page's ?done=…, if it is one of notices.
func notice(r *http.Request, l *web.Lang) string {
	if k, ok := notices[r.URL.Query().Get("done")]; ok {
		return l.T(k)
	}
	return ""
}

// section is one of My Company's sections: its page, its name and what it is about, shown to
// those the policy lets perform act.
type section struct {
	act               tenant.Action
	Path, Label, Hint string
}

// sections are My Company's sections in the order the start page lists them; the settings'
// pages are the Settings module's.
var sections = []section{
	{tenant.ActUserList, "/company/users", "bo.company.users.title", "bo.company.users.hint"},
	{tenant.ActOrgRead, "/company/departments", "bo.company.departments.title", "bo.company.departments.hint"},
	{tenant.ActTeamRead, "/company/teams", "bo.company.teams.title", "bo.company.teams.hint"},
	{tenant.ActStatusManage, "/company/statuses", "bo.company.statuses.title", "bo.company.statuses.hint"},
	{tenant.ActCannedUse, "/company/canned", "bo.company.canned.title", "bo.company.canned.hint"},
	{tenant.ActTenantSettings, "/company/settings", "bo.company.settings.title", "bo.company.settings.hint"},
	{tenant.ActNotifyTemplates, "/company/templates", "bo.company.templates.title", "bo.company.templates.hint"},
	{tenant.ActSMTP, "/company/smtp", "bo.company.smtp.title", "bo.company.smtp.hint"},
	{tenant.ActWebhooks, "/company/webhooks", "bo.company.webhooks.title", "bo.company.webhooks.hint"},
	{tenant.ActOutbox, "/company/notifications", "bo.company.notifications.title", "bo.company.notifications.hint"},
	{tenant.ActAuditRead, "/company/audit", "bo.company.audit.title", "bo.company.audit.hint"},
}

// company is My Company's start page: the sections the person may open. Someone who may open
// none (a customer's user) is refused.
func (h *Handler) company(w http.ResponseWriter, r *http.Request, s *session) {
	var v []section
	for _, sc := range sections {
		if allows(s, sc.act, nil) {
			v = append(v, sc)
		}
	}
	if len(v) == 0 {
		h.pages.Error(w, r, s.l, fmt.Errorf("backoffice: my company: %w", helpdesk.ErrForbidden))
		return
	}
	h.render(w, r, s, http.StatusOK, "company", s.l.T("bo.nav.company"), v)
}

// ---- employees and a customer's users ----

// usersPageSize is how many users the list shows at a time.
const usersPageSize = 50

// userRow is one line of the users list.
type userRow struct {
	ID                                  uuid.UUID
	Name, Email, Role, Department, Note string
	Status                              tenant.UserStatus
	StatusLabel                         string
}

type usersView struct {
	// Customer says the list is a customer's users (a customer_admin's company).
	Customer bool
	// The filters: text, and the account's state ("" for any).
	Text, Status string
	Statuses     []option
	Rows         []userRow
	Next         string
	// CanInvite shows the invitation form, with the roles and departments it offers.
	CanInvite   bool
	Roles       []option
	Departments []option
	Form        formState
	Notice      string
}

// roleOptions lists the roles of a kind of user, employee or customer.
func roleOptions(l *web.Lang, employee bool) []option {
	roles := []tenant.Role{tenant.RoleCustomerAdmin, tenant.RoleCustomerUser}
	if employee {
		roles = []tenant.Role{tenant.RoleAgent, tenant.RoleSupervisor, tenant.RoleModerator, tenant.RoleAdmin}
	}
	var out []option
	for _, r := range roles {
		out = append(out, option{string(r), l.T("bo.company.role." + string(r))})
	}
	return out
}

// departments lists the tenant's departments for a staff member; nil for others, who see none.
func (h *Handler) departments(ctx context.Context, s *session) ([]*tenant.Department, error) {
	if !allows(s, tenant.ActOrgRead, nil) {
		return nil, nil
	}
	return h.desk.Departments(ctx, s.actor)
}

func departmentName(deps []*tenant.Department, id uuid.UUID) string {
	for _, d := range deps {
		if d.ID == id {
			return d.Name
		}
	}
	return ""
}

// companyUsers lists the employees, or for a customer_admin their company's users, as the
// Desk scopes them.
func (h *Handler) companyUsers(w http.ResponseWriter, r *http.Request, s *session) {
	h.renderUsers(w, r, s, http.StatusOK, formState{})
}

func (h *Handler) renderUsers(w http.ResponseWriter, r *http.Request, s *session, status int, form formState) {
	ctx, q := r.Context(), r.URL.Query()
	v := usersView{Customer: s.actor.Kind == tenant.ActorCustomerUser, Text: strings.TrimSpace(q.Get("q")), Form: form,
		Notice: notice(r, s.l)}
	f := storage.UserFilter{Employees: !v.Customer, Text: v.Text}
	for _, st := range []tenant.UserStatus{tenant.UserActive, tenant.UserInvited, tenant.UserDeactivated} {
		v.Statuses = append(v.Statuses, option{string(st), s.l.T("bo.company.status." + string(st))})
		if q.Get("status") == string(st) {
			v.Status, f.Status = string(st), st
		}
	}
	page, err := h.desk.Users(ctx, s.actor, f, storage.PageRequest{Limit: usersPageSize, After: q.Get("after")})
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	deps, err := h.departments(ctx, s)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	for _, u := range page.Items {
		row := userRow{ID: u.ID, Name: u.Name, Email: u.Email, Role: s.l.T("bo.company.role." + string(u.Role)),
			Department: departmentName(deps, u.DepartmentID), Status: u.Status, StatusLabel: s.l.T("bo.company.status." + string(u.Status))}
		if u.ID == s.actor.UserID {
			row.Note = s.l.T("bo.company.users.you")
		}
		v.Rows = append(v.Rows, row)
	}
	if page.Next != "" {
		p := url.Values{"after": {page.Next}}
		if v.Text != "" {
			p.Set("q", v.Text)
		}
		if v.Status != "" {
			p.Set("status", v.Status)
		}
		v.Next = "/company/users?" + p.Encode()
	}
	invite := tenant.ActEmployeeManage
	if v.Customer {
		invite = tenant.ActCustUserManage
	}
	if v.CanInvite = allows(s, invite, nil); v.CanInvite {
		v.Roles = roleOptions(s.l, !v.Customer)
		for _, d := range deps {
			v.Departments = append(v.Departments, option{d.ID.String(), d.Name})
		}
	}
	title := s.l.T("bo.company.users.title")
	if v.Customer {
		title = s.l.T("bo.company.users.customer")
	}
	h.renderAt(w, r, s, status, "company_users", title, "/company/users", v)
}

// companyInvite invites a person: an employee, or for a customer_admin a user of their
// company. The Desk sends the invitation.
func (h *Handler) companyInvite(w http.ResponseWriter, r *http.Request, s *session) {
	in := helpdesk.NewUser{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"),
		Role: tenant.Role(r.PostFormValue("role")), DepartmentID: parseID(r.PostFormValue("department"))}
	if s.actor.Kind == tenant.ActorCustomerUser {
		in.CustomerID = s.actor.CustomerID
	}
	if _, _, err := h.desk.CreateUser(r.Context(), s.actor, in); err != nil {
		status, f := h.refused(r, s.l, err, "invite", "bo.company.problem.email_taken", "email", "name", "role", "department")
		if status == http.StatusNotFound {
			f.Field, f.Problem = "department", s.l.T("bo.company.problem.department")
			status = http.StatusUnprocessableEntity
		}
		h.renderUsers(w, r, s, status, f)
		return
	}
	http.Redirect(w, r, "/company/users?done=invited", http.StatusSeeOther)
}

type userView struct {
	User                     *tenant.User
	Role, Status, Department string
	// SignedIn is when they last signed in; zero if never.
	SignedIn time.Time
	Self     bool
	// What the person may do to the user.
	CanRole       bool
	Roles         []option
	CanDepartment bool
	Departments   []option
	CanResend     bool
	CanDeactivate bool
	CanReactivate bool
	Form          formState
	Notice        string
}

// companyUser shows a user and what the person may change about them.
func (h *Handler) companyUser(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	h.renderUser(w, r, s, id, http.StatusOK, formState{})
}

// renderUser writes the page of user id; one the person may not see is not found.
func (h *Handler) renderUser(w http.ResponseWriter, r *http.Request, s *session, id uuid.UUID, status int, form formState) {
	ctx := r.Context()
	u, err := h.desk.User(ctx, s.actor, id)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	deps, err := h.departments(ctx, s)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	res := tenant.Resource{Kind: tenant.KindUser, TenantID: u.TenantID, ID: u.ID, CustomerID: u.CustomerID, OwnerID: u.ID}
	manage := tenant.ActCustUserManage
	if u.IsEmployee() {
		manage = tenant.ActEmployeeManage
	}
	may := allows(s, manage, &res)
	v := userView{User: u, Role: s.l.T("bo.company.role." + string(u.Role)), Status: s.l.T("bo.company.status." + string(u.Status)),
		Department: departmentName(deps, u.DepartmentID), Self: u.ID == s.actor.UserID, Form: form, Notice: notice(r, s.l)}
	if u.LastSignInAt != nil {
		v.SignedIn = *u.LastSignInAt
	}
	if v.CanRole = may && !v.Self; v.CanRole {
		v.Roles = roleOptions(s.l, u.IsEmployee())
	}
	if v.CanDepartment = u.IsEmployee() && allows(s, tenant.ActOrgManage, &res); v.CanDepartment {
		for _, d := range deps {
			v.Departments = append(v.Departments, option{d.ID.String(), d.Name})
		}
	}
	v.CanResend = may && u.Status == tenant.UserInvited
	v.CanDeactivate = may && !v.Self && u.Status != tenant.UserDeactivated
	v.CanReactivate = may && u.Status == tenant.UserDeactivated
	h.renderAt(w, r, s, status, "company_user", u.Name, "/company/users/"+u.ID.String(), v)
}

// userChange runs one change of user {id} and leads back to their page, or shows it again
// with the refusal next to the form target.
func (h *Handler) userChange(w http.ResponseWriter, r *http.Request, s *session, target, done string,
	change func(ctx context.Context, id uuid.UUID) error) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	_ = r.ParseForm()
	if err := change(r.Context(), id); err != nil {
		if k := helpdesk.KindOf(err); k == helpdesk.KindNotFound {
			h.pages.Error(w, r, s.l, err)
			return
		}
		status, f := h.refused(r, s.l, err, target, "", target)
		if msg, ok := catalogued(s.l, "bo.company.problem."+target); ok && f.Field == "" && helpdesk.KindOf(err) == helpdesk.KindInvalid {
			f.Problem = msg
		}
		h.renderUser(w, r, s, id, status, f)
		return
	}
	http.Redirect(w, r, "/company/users/"+id.String()+"?done="+done, http.StatusSeeOther)
}

func (h *Handler) companyUserRole(w http.ResponseWriter, r *http.Request, s *session) {
	h.userChange(w, r, s, "role", "saved", func(ctx context.Context, id uuid.UUID) error {
		role := tenant.Role(r.PostFormValue("role"))
		_, err := h.desk.UpdateUser(ctx, s.actor, id, helpdesk.UserEdit{Role: &role})
		return err
	})
}

func (h *Handler) companyUserDepartment(w http.ResponseWriter, r *http.Request, s *session) {
	h.userChange(w, r, s, "department", "saved", func(ctx context.Context, id uuid.UUID) error {
		dep := uuid.Nil
		if v := r.PostFormValue("department"); v != "" {
			var err error
			if dep, err = uuid.Parse(v); err != nil {
				return fmt.Errorf("backoffice: department %q: %w", v, helpdesk.ErrInvalid)
			}
		}
		_, err := h.desk.SetUserDepartment(ctx, s.actor, id, dep)
		return err
	})
}

func (h *Handler) companyUserResend(w http.ResponseWriter, r *http.Request, s *session) {
	h.userChange(w, r, s, "invitation", "resent", func(ctx context.Context, id uuid.UUID) error {
		_, err := h.desk.ResendInvitation(ctx, s.actor, id)
		return err
	})
}

func (h *Handler) companyUserDeactivate(w http.ResponseWriter, r *http.Request, s *session) {
	h.userChange(w, r, s, "deactivate", "deactivated", func(ctx context.Context, id uuid.UUID) error {
		_, err := h.desk.DeactivateUser(ctx, s.actor, id)
		return err
	})
}

func (h *Handler) companyUserReactivate(w http.ResponseWriter, r *http.Request, s *session) {
	h.userChange(w, r, s, "reactivate", "reactivated", func(ctx context.Context, id uuid.UUID) error {
		_, err := h.desk.ReactivateUser(ctx, s.actor, id)
		return err
	})
}

// ---- departments ----

type departmentsView struct {
	Departments []*tenant.Department
	// Staff counts the employees of each department, by ID.
	Staff     map[uuid.UUID]int
	CanManage bool
	Form      formState
	Notice    string
}

func (h *Handler) companyDepartments(w http.ResponseWriter, r *http.Request, s *session) {
	h.renderDepartments(w, r, s, http.StatusOK, formState{})
}

func (h *Handler) renderDepartments(w http.ResponseWriter, r *http.Request, s *session, status int, form formState) {
	deps, err := h.desk.Departments(r.Context(), s.actor)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v := departmentsView{Departments: deps, CanManage: allows(s, tenant.ActOrgManage, nil), Form: form, Notice: notice(r, s.l)}
	h.renderAt(w, r, s, status, "company_departments", s.l.T("bo.company.departments.title"), "/company/departments", v)
}

func (h *Handler) companyDepartmentCreate(w http.ResponseWriter, r *http.Request, s *session) {
	if _, err := h.desk.CreateDepartment(r.Context(), s.actor, r.PostFormValue("name")); err != nil {
		status, f := h.refused(r, s.l, err, "new", "", "name")
		h.renderDepartments(w, r, s, status, f)
		return
	}
	http.Redirect(w, r, "/company/departments?done=created", http.StatusSeeOther)
}

func (h *Handler) companyDepartmentRename(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	_, err = h.desk.UpdateDepartment(r.Context(), s.actor, &tenant.Department{ID: id, Name: r.PostFormValue("name"), Version: version(r)})
	if err != nil {
		if helpdesk.KindOf(err) == helpdesk.KindNotFound {
			h.pages.Error(w, r, s.l, err)
			return
		}
		status, f := h.refused(r, s.l, err, id.String(), "", "name")
		h.renderDepartments(w, r, s, status, f)
		return
	}
	http.Redirect(w, r, "/company/departments?done=saved", http.StatusSeeOther)
}

// ---- teams and meta-teams ----

// teamRow is one team of the teams page.
type teamRow struct {
	ID                    uuid.UUID
	Name, Supervisor      string
	Members               []string
	Default, Unsupervised bool
}

// teamGroup is the teams of one meta-team (ID uuid.Nil and no name for those in none).
type teamGroup struct {
	ID       uuid.UUID
	MetaTeam string
	Version  int64
	Teams    []teamRow
}

type teamsView struct {
	Groups []teamGroup
	// Unstaffed names the default group when it has no members: new requests reach nobody.
	Unstaffed string
	CanManage bool
	// The new team's choices.
	Leads, MetaTeams []option
	Employees        []option
	Form             formState
	Notice           string
}

// people are what the teams pages need to know of the tenant's employees.
type people struct {
	names     map[uuid.UUID]string
	employees []option // active employees, who may be members
	leads     []option // active admins, moderators and supervisors, who may lead a team
}

func (h *Handler) people(ctx context.Context, s *session) (*people, error) {
	users, err := h.desk.Users(ctx, s.actor, storage.UserFilter{Employees: true}, storage.PageRequest{Limit: storage.MaxPageSize})
	if err != nil {
		return nil, err
	}
	p := &people{names: map[uuid.UUID]string{}}
	for _, u := range users.Items {
		p.names[u.ID] = u.Name
		if u.Status == tenant.UserDeactivated {
			continue
		}
		p.employees = append(p.employees, option{u.ID.String(), u.Name})
		switch u.Role {
		case tenant.RoleAdmin, tenant.RoleModerator, tenant.RoleSupervisor:
			p.leads = append(p.leads, option{u.ID.String(), u.Name})
		}
	}
	byLabel := func(a, b option) int { return strings.Compare(a.Label, b.Label) }
	slices.SortFunc(p.employees, byLabel)
	slices.SortFunc(p.leads, byLabel)
	return p, nil
}

func (h *Handler) companyTeams(w http.ResponseWriter, r *http.Request, s *session) {
	h.renderTeams(w, r, s, http.StatusOK, formState{})
}

func (h *Handler) renderTeams(w http.ResponseWriter, r *http.Request, s *session, status int, form formState) {
	ctx := r.Context()
	teams, err := h.desk.Teams(ctx, s.actor)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	metas, err := h.desk.MetaTeams(ctx, s.actor)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	ten, err := h.desk.Tenant(ctx, s.actor)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	ppl, err := h.people(ctx, s)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v := teamsView{CanManage: allows(s, tenant.ActTeamManage, nil), Form: form, Notice: notice(r, s.l),
		Leads: ppl.leads, Employees: ppl.employees}
	groups := map[uuid.UUID]*teamGroup{uuid.Nil: {}}
	order := []uuid.UUID{}
	for _, m := range metas {
		groups[m.ID] = &teamGroup{ID: m.ID, MetaTeam: m.Name, Version: m.Version}
		order = append(order, m.ID)
		v.MetaTeams = append(v.MetaTeams, option{m.ID.String(), m.Name})
	}
	order = append(order, uuid.Nil)
	for _, t := range teams {
		row := teamRow{ID: t.ID, Name: t.Name, Supervisor: ppl.names[t.SupervisorID], Default: t.ID == ten.DefaultTeamID,
			Unsupervised: t.SupervisorID == uuid.Nil}
		for _, m := range t.Members {
			row.Members = append(row.Members, ppl.names[m])
		}
		if row.Default && len(t.Members) == 0 {
			v.Unstaffed = t.Name
		}
		g, ok := groups[t.MetaTeamID]
		if !ok {
			g = groups[uuid.Nil]
		}
		g.Teams = append(g.Teams, row)
	}
	for _, id := range order {
		if g := groups[id]; len(g.Teams) > 0 || id != uuid.Nil {
			v.Groups = append(v.Groups, *g)
		}
	}
	h.renderAt(w, r, s, status, "company_teams", s.l.T("bo.company.teams.title"), "/company/teams", v)
}

// teamInput reads a team's form.
func teamInput(r *http.Request) (name string, supervisor, meta uuid.UUID, members []uuid.UUID) {
	for _, m := range r.PostForm["members"] {
		if id := parseID(m); id != uuid.Nil {
			members = append(members, id)
		}
	}
	return r.PostFormValue("name"), parseID(r.PostFormValue("supervisor")), parseID(r.PostFormValue("metateam")), members
}

var teamFields = []string{"name", "supervisor", "metateam", "members"}

func (h *Handler) companyTeamCreate(w http.ResponseWriter, r *http.Request, s *session) {
	_ = r.ParseForm()
	name, sup, meta, members := teamInput(r)
	t, err := h.desk.CreateTeam(r.Context(), s.actor, helpdesk.NewTeam{Name: name, SupervisorID: sup, MetaTeamID: meta, Members: members})
	if err != nil {
		status, f := h.refused(r, s.l, err, "team", "", teamFields...)
		if status == http.StatusNotFound { // a person or meta-team gone meanwhile, or never ours
			status, f.Problem = http.StatusUnprocessableEntity, s.l.T("error.invalid")
		}
		h.renderTeams(w, r, s, status, f)
		return
	}
	http.Redirect(w, r, "/company/teams/"+t.ID.String()+"?done=created", http.StatusSeeOther)
}

func (h *Handler) companyMetaTeamCreate(w http.ResponseWriter, r *http.Request, s *session) {
	if _, err := h.desk.CreateMetaTeam(r.Context(), s.actor, r.PostFormValue("name")); err != nil {
		status, f := h.refused(r, s.l, err, "meta", "", "name")
		h.renderTeams(w, r, s, status, f)
		return
	}
	http.Redirect(w, r, "/company/teams?done=created", http.StatusSeeOther)
}

func (h *Handler) companyMetaTeamRename(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	_, err = h.desk.UpdateMetaTeam(r.Context(), s.actor, &tenant.MetaTeam{ID: id, Name: r.PostFormValue("name"), Version: version(r)})
	if err != nil {
		if helpdesk.KindOf(err) == helpdesk.KindNotFound {
			h.pages.Error(w, r, s.l, err)
			return
		}
		status, f := h.refused(r, s.l, err, id.String(), "", "name")
		h.renderTeams(w, r, s, status, f)
		return
	}
	http.Redirect(w, r, "/company/teams?done=saved", http.StatusSeeOther)
}

func (h *Handler) companyMetaTeamDelete(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	if err := h.desk.DeleteMetaTeam(r.Context(), s.actor, id); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/company/teams?done=deleted", http.StatusSeeOther)
}

// memberOption is an employee of the team form, ticked when a member.
type memberOption struct {
	Value, Label string
	Checked      bool
}

type teamView struct {
	Team                 *tenant.Team
	Default, CanManage   bool
	Supervisor, MetaTeam string
	Members              []string
	// The form's choices and values (those entered, when it was refused).
	Leads, MetaTeams                          []option
	Employees                                 []memberOption
	NameValue, SupervisorValue, MetaTeamValue string
	VersionValue                              int64
	Form                                      formState
	Notice                                    string
}

// findTeam returns team id among those the person may read: another tenant's is not found.
func (h *Handler) findTeam(ctx context.Context, s *session, id uuid.UUID) (*tenant.Team, *tenant.Tenant, error) {
	teams, err := h.desk.Teams(ctx, s.actor)
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(teams, func(t *tenant.Team) bool { return t.ID == id })
	if i < 0 {
		return nil, nil, fmt.Errorf("backoffice: team %s: %w", id, storage.ErrNotFound)
	}
	ten, err := h.desk.Tenant(ctx, s.actor)
	if err != nil {
		return nil, nil, err
	}
	return teams[i], ten, nil
}

func (h *Handler) companyTeam(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	h.renderTeam(w, r, s, id, http.StatusOK, formState{})
}

func (h *Handler) renderTeam(w http.ResponseWriter, r *http.Request, s *session, id uuid.UUID, status int, form formState) {
	ctx := r.Context()
	t, ten, err := h.findTeam(ctx, s, id)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	metas, err := h.desk.MetaTeams(ctx, s.actor)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	ppl, err := h.people(ctx, s)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v := teamView{Team: t, Default: t.ID == ten.DefaultTeamID, CanManage: allows(s, tenant.ActTeamManage, nil), Form: form,
		Notice: notice(r, s.l), Supervisor: ppl.names[t.SupervisorID], Leads: ppl.leads,
		NameValue: t.Name, SupervisorValue: t.SupervisorID.String(), MetaTeamValue: t.MetaTeamID.String(), VersionValue: t.Version}
	for _, m := range metas {
		v.MetaTeams = append(v.MetaTeams, option{m.ID.String(), m.Name})
		if m.ID == t.MetaTeamID {
			v.MetaTeam = m.Name
		}
	}
	for _, m := range t.Members {
		v.Members = append(v.Members, ppl.names[m])
	}
	if form.Target == "team" { // a refused form keeps what was entered
		v.NameValue, v.SupervisorValue, v.MetaTeamValue = form.Values.Get("name"), form.Values.Get("supervisor"), form.Values.Get("metateam")
	}
	for _, e := range ppl.employees {
		checked := slices.Contains(t.Members, parseID(e.Value))
		if form.Target == "team" {
			checked = slices.Contains(form.Values["members"], e.Value)
		}
		v.Employees = append(v.Employees, memberOption{Value: e.Value, Label: e.Label, Checked: checked})
	}
	h.renderAt(w, r, s, status, "company_team", t.Name, "/company/teams/"+t.ID.String(), v)
}

// teamChange runs one change of team {id}: back to done with 303, or the team's page with the
// refusal.
func (h *Handler) teamChange(w http.ResponseWriter, r *http.Request, s *session, target string, done func(uuid.UUID) string,
	change func(ctx context.Context, id uuid.UUID) error) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	_ = r.ParseForm()
	if err := change(r.Context(), id); err != nil {
		if errors.Is(err, storage.ErrNotFound) && target != "team" {
			h.pages.Error(w, r, s.l, err)
			return
		}
		status, f := h.refused(r, s.l, err, target, "bo.company.teams.problem.busy", teamFields...)
		if status == http.StatusNotFound {
			if _, _, ferr := h.findTeam(r.Context(), s, id); ferr != nil {
				h.pages.Error(w, r, s.l, ferr)
				return
			}
			status, f.Problem = http.StatusUnprocessableEntity, s.l.T("error.invalid")
		}
		h.renderTeam(w, r, s, id, status, f)
		return
	}
	http.Redirect(w, r, done(id), http.StatusSeeOther)
}

func (h *Handler) companyTeamSave(w http.ResponseWriter, r *http.Request, s *session) {
	h.teamChange(w, r, s, "team", func(id uuid.UUID) string { return "/company/teams/" + id.String() + "?done=saved" },
		func(ctx context.Context, id uuid.UUID) error {
			name, sup, meta, members := teamInput(r)
			_, err := h.desk.UpdateTeam(ctx, s.actor, &tenant.Team{ID: id, Name: name, SupervisorID: sup, MetaTeamID: meta,
				Members: members, Version: version(r)})
			return err
		})
}

func (h *Handler) companyTeamDefault(w http.ResponseWriter, r *http.Request, s *session) {
	h.teamChange(w, r, s, "default", func(uuid.UUID) string { return "/company/teams?done=default" },
		func(ctx context.Context, id uuid.UUID) error {
			_, err := h.desk.SetDefaultTeam(ctx, s.actor, id)
			return err
		})
}

func (h *Handler) companyTeamDelete(w http.ResponseWriter, r *http.Request, s *session) {
	h.teamChange(w, r, s, "delete", func(uuid.UUID) string { return "/company/teams?done=deleted" },
		func(ctx context.Context, id uuid.UUID) error { return h.desk.DeleteTeam(ctx, s.actor, id) })
}

// ---- statuses and priorities ----

// rankRow is a status or priority in its list, with what its forms need: the language, its
// path, whether the person may change it, and a refused form of its own.
type rankRow struct {
	L                *web.Lang
	Path             string
	CanManage        bool
	Form             formState
	ID               uuid.UUID
	Name             string
	Version          int64
	Default, Retired bool
	First, Last      bool
}

// stateGroup is the statuses of one built-in state.
type stateGroup struct {
	State, Label string
	Statuses     []rankRow
}

type statusesView struct {
	States     []stateGroup
	Priorities []rankRow
	CanManage  bool
	StateOpts  []option
	Form       formState
	Notice     string
}

func (h *Handler) companyStatuses(w http.ResponseWriter, r *http.Request, s *session) {
	h.renderStatuses(w, r, s, http.StatusOK, formState{})
}

func (h *Handler) renderStatuses(w http.ResponseWriter, r *http.Request, s *session, status int, form formState) {
	ctx := r.Context()
	sts, err := h.desk.Statuses(ctx, s.actor)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	prios, err := h.desk.Priorities(ctx, s.actor)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v := statusesView{CanManage: allows(s, tenant.ActStatusManage, nil), Form: form, Notice: notice(r, s.l)}
	for _, st := range ticket.States() {
		label := s.l.T("bo.state." + string(st))
		v.StateOpts = append(v.StateOpts, option{string(st), label})
		g := stateGroup{State: string(st), Label: label}
		for _, x := range sts {
			if x.State == st {
				g.Statuses = append(g.Statuses, rankRow{L: s.l, Path: "/company/statuses/" + x.ID.String(), CanManage: v.CanManage,
					Form: form, ID: x.ID, Name: x.Name, Version: x.Version, Default: x.Default, Retired: x.Retired})
			}
		}
		v.States = append(v.States, g)
	}
	for i := range v.States {
		ends(v.States[i].Statuses)
	}
	for _, p := range prios {
		v.Priorities = append(v.Priorities, rankRow{L: s.l, Path: "/company/priorities/" + p.ID.String(), CanManage: v.CanManage,
			Form: form, ID: p.ID, Name: p.Name, Version: p.Version, Default: p.Default, Retired: p.Retired})
	}
	ends(v.Priorities)
	h.renderAt(w, r, s, status, "company_statuses", s.l.T("bo.company.statuses.title"), "/company/statuses", v)
}

// ends marks the first and last of rows, which move no further.
func ends(rows []rankRow) {
	if len(rows) > 0 {
		rows[0].First, rows[len(rows)-1].Last = true, true
	}
}

func (h *Handler) companyStatusCreate(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	st := ticket.State(r.PostFormValue("state"))
	// A new status goes last among its state's.
	pos := 0
	if sts, err := h.desk.Statuses(ctx, s.actor); err == nil {
		for _, x := range sts {
			if x.State == st {
				pos = max(pos, x.Position+1)
			}
		}
	}
	_, err := h.desk.CreateStatus(ctx, s.actor, helpdesk.NewStatus{Name: r.PostFormValue("name"), State: st, Position: pos,
		Default: r.PostFormValue("default") != ""})
	if err != nil {
		status, f := h.refused(r, s.l, err, "status", "", "name", "state")
		h.renderStatuses(w, r, s, status, f)
		return
	}
	http.Redirect(w, r, "/company/statuses?done=created#state-"+string(st), http.StatusSeeOther)
}

func (h *Handler) companyPriorityCreate(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	// A new priority comes last: the least urgent.
	rank := 0
	if ps, err := h.desk.Priorities(ctx, s.actor); err == nil && len(ps) > 0 {
		rank = ps[len(ps)-1].Rank - 10
	}
	_, err := h.desk.CreatePriority(ctx, s.actor, helpdesk.NewPriority{Name: r.PostFormValue("name"), Rank: rank,
		Default: r.PostFormValue("default") != ""})
	if err != nil {
		status, f := h.refused(r, s.l, err, "priority", "", "name")
		h.renderStatuses(w, r, s, status, f)
		return
	}
	http.Redirect(w, r, "/company/statuses?done=created#priorities", http.StatusSeeOther)
}

// moves are the do= values that move a status or priority one place, and by how much.
var moves = map[string]int{"up": -1, "down": 1}

// rankChange applies do (rename, retire, restore, default) to a copy of a status's or a
// priority's name and flags; false for an unknown change.
func rankChange(r *http.Request, do string, name *string, retired, def *bool) bool {
	switch do {
	case "rename":
		*name = r.PostFormValue("name")
	case "retire", "restore":
		*retired = do == "retire"
	case "default":
		*def = true
	default:
		return false
	}
	return true
}

// companyStatusChange moves a status one place (MoveStatus), or renames, retires, restores it
// or makes it its state's default (UpdateStatus).
func (h *Handler) companyStatusChange(w http.ResponseWriter, r *http.Request, s *session) {
	h.rankChangePost(w, r, s, func(ctx context.Context, id uuid.UUID, by int) error {
		_, err := h.desk.MoveStatus(ctx, s.actor, id, by)
		return err
	}, h.changeStatus)
}

// companyPriorityChange moves a priority one place (MovePriority), or renames, retires,
// restores it or makes it the default (UpdatePriority).
func (h *Handler) companyPriorityChange(w http.ResponseWriter, r *http.Request, s *session) {
	h.rankChangePost(w, r, s, func(ctx context.Context, id uuid.UUID, by int) error {
		_, err := h.desk.MovePriority(ctx, s.actor, id, by)
		return err
	}, h.changePriority)
}

// rankChangePost applies the posted change ("do") to the status or priority {id}: a move with
// move, anything else with change; a refusal is shown next to its row.
func (h *Handler) rankChangePost(w http.ResponseWriter, r *http.Request, s *session,
	move func(ctx context.Context, id uuid.UUID, by int) error,
	change func(ctx context.Context, s *session, r *http.Request, id uuid.UUID, do string) error) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	do := r.PostFormValue("do")
	if by, ok := moves[do]; ok {
		err = move(r.Context(), id, by)
	} else {
		err = change(r.Context(), s, r, id, do)
	}
	if err != nil {
		h.rankRefused(w, r, s, id, err)
		return
	}
	http.Redirect(w, r, "/company/statuses?done=saved#status-"+id.String(), http.StatusSeeOther)
}

// changeStatus applies do to status id as the form gives it, at the form's version.
func (h *Handler) changeStatus(ctx context.Context, s *session, r *http.Request, id uuid.UUID, do string) error {
	sts, err := h.desk.Statuses(ctx, s.actor)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(sts, func(x *ticket.Status) bool { return x.ID == id })
	if i < 0 {
		return fmt.Errorf("backoffice: status %s: %w", id, storage.ErrNotFound)
	}
	c := *sts[i]
	if !rankChange(r, do, &c.Name, &c.Retired, &c.Default) {
		return fmt.Errorf("backoffice: status change %q: %w", do, helpdesk.ErrInvalid)
	}
	c.Version = version(r)
	_, err = h.desk.UpdateStatus(ctx, s.actor, &c)
	return err
}

// changePriority applies do to priority id as the form gives it, at the form's version.
func (h *Handler) changePriority(ctx context.Context, s *session, r *http.Request, id uuid.UUID, do string) error {
	ps, err := h.desk.Priorities(ctx, s.actor)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ps, func(x *ticket.Priority) bool { return x.ID == id })
	if i < 0 {
		return fmt.Errorf("backoffice: priority %s: %w", id, storage.ErrNotFound)
	}
	c := *ps[i]
	if !rankChange(r, do, &c.Name, &c.Retired, &c.Default) {
		return fmt.Errorf("backoffice: priority change %q: %w", do, helpdesk.ErrInvalid)
	}
	c.Version = version(r)
	_, err = h.desk.UpdatePriority(ctx, s.actor, &c)
	return err
}

// rankRefused shows the statuses page with a refused change of status or priority id next to
// its row; one the person may not see is not found.
func (h *Handler) rankRefused(w http.ResponseWriter, r *http.Request, s *session, id uuid.UUID, err error) {
	if helpdesk.KindOf(err) == helpdesk.KindNotFound {
		h.pages.Error(w, r, s.l, err)
		return
	}
	status, f := h.refused(r, s.l, err, id.String(), "", "name")
	if ve := (*helpdesk.ValidationError)(nil); errors.As(err, &ve) && (ve.Field == "retired" || ve.Field == "default") {
		f.Problem = s.l.T("bo.company.statuses.problem.default")
	}
	h.renderStatuses(w, r, s, status, f)
}

// ---- canned responses ----

// cannedGroup is the canned responses of one language.
type cannedGroup struct {
	Language, Label string
	Items           []*ticket.CannedResponse
}

// tagRow is a tag a canned response may use, with the sample value previews show.
type tagRow struct{ Code, Sample string }

// preview is a canned response filled in with sample data.
type preview struct{ Title, Body string }

type cannedView struct {
	Groups    []cannedGroup
	Lang      string
	Languages []option
	CanManage bool
	// Editing is the response being edited; nil on the list, whose form writes a new one.
	Editing *ticket.CannedResponse
	// The form's action and values.
	Action, Title, Body, Language string
	Version                       int64
	Tags                          []tagRow
	Preview                       *preview
	Form                          formState
	Notice                        string
}

// cannedLanguages are the languages a canned response may be in, named in their own words.
func cannedLanguages() []option {
	var out []option
	for _, l := range helpdesk.CannedLanguages {
		out = append(out, option{l, web.LanguageNames[l]})
	}
	return out
}

// snippetTags lists the tags a canned response may use, with their sample values.
func snippetTags() []tagRow {
	sample := notify.SampleData()
	var out []tagRow
	for _, t := range notify.SnippetTags() {
		out = append(out, tagRow{Code: "{{." + string(t) + "}}", Sample: sample[t]})
	}
	return out
}

func (h *Handler) companyCanned(w http.ResponseWriter, r *http.Request, s *session) {
	h.renderCanned(w, r, s, uuid.Nil, http.StatusOK, nil, formState{})
}

// renderCanned writes the canned responses page, or with id the page editing that response;
// one the person may not read is not found.
func (h *Handler) renderCanned(w http.ResponseWriter, r *http.Request, s *session, id uuid.UUID, status int, pv *preview, form formState) {
	// Not "lang", which switches the page's own language.
	lang := r.URL.Query().Get("language")
	if !slices.Contains(helpdesk.CannedLanguages, lang) {
		lang = ""
	}
	list, err := h.desk.CannedResponses(r.Context(), s.actor, "")
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v := cannedView{Lang: lang, Languages: cannedLanguages(), CanManage: allows(s, tenant.ActCannedManage, nil), Tags: snippetTags(),
		Preview: pv, Form: form, Notice: notice(r, s.l), Action: "/company/canned", Language: s.l.Code}
	title, path := s.l.T("bo.company.canned.title"), "/company/canned"
	if id != uuid.Nil {
		i := slices.IndexFunc(list, func(c *ticket.CannedResponse) bool { return c.ID == id })
		if i < 0 {
			h.pages.Error(w, r, s.l, fmt.Errorf("backoffice: canned response %s: %w", id, storage.ErrNotFound))
			return
		}
		c := list[i]
		v.Editing, v.Action, v.Title, v.Body, v.Language, v.Version = c, "/company/canned/"+c.ID.String(), c.Title, c.Body, c.Language, c.Version
		title, path = c.Title, v.Action
	} else {
		for _, l := range helpdesk.CannedLanguages {
			if lang != "" && l != lang {
				continue
			}
			g := cannedGroup{Language: l, Label: web.LanguageNames[l]}
			for _, c := range list {
				if c.Language == l {
					g.Items = append(g.Items, c)
				}
			}
			if len(g.Items) > 0 {
				v.Groups = append(v.Groups, g)
			}
		}
	}
	if r.Method == http.MethodPost { // a previewed or refused form keeps what was entered
		v.Title, v.Body, v.Language = r.PostFormValue("title"), r.PostFormValue("body"), r.PostFormValue("language")
		v.Version = version(r)
	}
	h.renderAt(w, r, s, status, "company_canned", title, path, v)
}

func (h *Handler) companyCannedEdit(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	h.renderCanned(w, r, s, id, http.StatusOK, nil, formState{})
}

// companyCannedSave creates a canned response (POST /company/canned) or saves the one of {id};
// with do=preview it saves nothing and shows the form again with the response filled in with
// sample data.
func (h *Handler) companyCannedSave(w http.ResponseWriter, r *http.Request, s *session) {
	id := uuid.Nil
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r); err != nil {
			h.pages.Error(w, r, s.l, err)
			return
		}
	}
	in := helpdesk.NewCannedResponse{Language: r.PostFormValue("language"), Title: r.PostFormValue("title"), Body: r.PostFormValue("body")}
	if r.PostFormValue("do") == "preview" {
		snip, err := notify.CompileSnippet(in.Title, in.Body)
		if err != nil {
			var te *notify.TemplateError
			f := formState{Target: "canned", Values: r.PostForm, Problem: s.l.T("bo.company.problem.body"), Field: "body"}
			if errors.As(err, &te) && te.Field == "title" {
				f.Field, f.Problem = "title", s.l.T("bo.company.problem.title")
			}
			h.renderCanned(w, r, s, id, http.StatusUnprocessableEntity, nil, f)
			return
		}
		title, body, err := snip.Render(notify.SampleData())
		if err != nil {
			h.pages.Error(w, r, s.l, err)
			return
		}
		h.renderCanned(w, r, s, id, http.StatusOK, &preview{Title: title, Body: body}, formState{})
		return
	}
	var err error
	if id == uuid.Nil {
		_, err = h.desk.CreateCannedResponse(r.Context(), s.actor, in)
	} else {
		_, err = h.desk.UpdateCannedResponse(r.Context(), s.actor, &ticket.CannedResponse{ID: id, Language: in.Language,
			Title: in.Title, Body: in.Body, Version: version(r)})
	}
	if err != nil {
		if helpdesk.KindOf(err) == helpdesk.KindNotFound {
			h.pages.Error(w, r, s.l, err)
			return
		}
		status, f := h.refused(r, s.l, err, "canned", "", "language", "title", "body")
		h.renderCanned(w, r, s, id, status, nil, f)
		return
	}
	http.Redirect(w, r, "/company/canned?done=saved", http.StatusSeeOther)
}

func (h *Handler) companyCannedDelete(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := pathID(r)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	if err := h.desk.DeleteCannedResponse(r.Context(), s.actor, id); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/company/canned?done=deleted", http.StatusSeeOther)
}
