package api

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// The company area: the operator's customers, users, departments, projects, teams and
// meta-teams, and the tenant's ticket statuses, priorities and canned responses, as the back
// office's "My Company" pages manage them.

// The named strings of the company area the document lists the values of.
var (
	_ = enumType(func() []tenant.Role {
		return []tenant.Role{tenant.RoleAdmin, tenant.RoleModerator, tenant.RoleSupervisor, tenant.RoleAgent,
			tenant.RoleCustomerAdmin, tenant.RoleCustomerUser}
	})
	_ = enumType(func() []tenant.UserStatus {
		return []tenant.UserStatus{tenant.UserInvited, tenant.UserActive, tenant.UserDeactivated}
	})
)

// companyIfMatch is the If-Match header of a write to a versioned record.
type companyIfMatch struct {
	IfMatch string `header:"If-Match" doc:"the ETag the change is based on; a stale one answers 412"`
}

// versionFrom checks If-Match against the version have of the record as just read, and returns
// the version the change must be based on: the one If-Match names, or without it have (a
// concurrent change made after the read then answers 409).
func versionFrom(ifMatch string, have int64) (int64, error) {
	want, any, err := parseIfMatch(ifMatch)
	if err != nil {
		return 0, err
	}
	if any {
		return have, nil
	}
	return want, checkVersion(want, have)
}

// pickByID picks record id out of a list the Desk returned (for records the Desk reads only as a
// list), not found when the list does not hold it: another tenant's, say.
func pickByID[T any](items []T, err error, id uuid.UUID, idOf func(T) uuid.UUID, kind string) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	for _, it := range items {
		if idOf(it) == id {
			return it, nil
		}
	}
	return zero, fmt.Errorf("%s %s: %w", kind, id, storage.ErrNotFound)
}

// orKeep returns *p, or have when p is nil: a PATCH field left out keeps its value.
func orKeep[T any](p *T, have T) T {
	if p == nil {
		return have
	}
	return *p
}

// Customer is a corporate customer of the operator.
type Customer struct {
	ID           uuid.UUID  `json:"id"`
	Name         string     `json:"name"`
	Language     string     `json:"language,omitempty" doc:"en, de, fr, es or pl; absent: the tenant's"`
	ProjectID    *uuid.UUID `json:"project_id,omitempty"`
	DepartmentID *uuid.UUID `json:"department_id,omitempty" doc:"the operator's department that serves the customer"`
	SupportUntil *time.Time `json:"support_until,omitempty" doc:"when the support plan ends; absent: never"`
	// SignupDomains are the e-mail domains whose owners may register as the customer's users.
	SignupDomains []string  `json:"signup_domains" doc:"e-mail domains whose owners may register themselves as the customer's users"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int64     `json:"version" doc:"the record's version; its ETag"`
}

func (c Customer) etag() int64 { return c.Version }

func customerOf(c *tenant.Customer) Customer {
	domains := c.SignupDomains
	if domains == nil {
		domains = []string{}
	}
	return Customer{ID: c.ID, Name: c.Name, Language: c.Language, ProjectID: id(c.ProjectID), DepartmentID: id(c.DepartmentID),
		SupportUntil: c.SupportUntil, SignupDomains: domains, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version}
}

// NewCustomerBody is a customer to create.
type NewCustomerBody struct {
	Name         string     `json:"name" doc:"required"`
	Language     string     `json:"language,omitempty" doc:"en, de, fr, es or pl; absent: the tenant's"`
	ProjectID    *uuid.UUID `json:"project_id,omitempty"`
	DepartmentID *uuid.UUID `json:"department_id,omitempty"`
	SupportUntil *time.Time `json:"support_until,omitempty" doc:"when the support plan ends; absent: never"`
}

// CustomerEditBody changes a customer's name, language, project or department; absent fields
// stay as they are, and the nil UUID takes the customer out of its project or department.
type CustomerEditBody struct {
	Name         *string    `json:"name,omitempty"`
	Language     *string    `json:"language,omitempty" doc:"en, de, fr, es or pl; empty: the tenant's"`
	ProjectID    *uuid.UUID `json:"project_id,omitempty" doc:"the nil UUID for none"`
	DepartmentID *uuid.UUID `json:"department_id,omitempty" doc:"the nil UUID for none"`
}

// CustomerStats are a customer's figures: its tickets, their sessions and their ratings.
type CustomerStats struct {
	Tickets    int     `json:"tickets" doc:"the customer's tickets, in every state"`
	Sessions   int     `json:"sessions" doc:"the video sessions of those tickets"`
	Ratings    int     `json:"ratings" doc:"how many of those tickets carry a rating"`
	MeanRating float64 `json:"mean_rating" doc:"the mean of their stars (1 to 5); 0 without ratings"`
}

// SupportPlanBody replaces a customer's support plan.
type SupportPlanBody struct {
	SupportUntil *time.Time `json:"support_until,omitempty" doc:"when the plan ends; absent: it never does"`
}

// SignupDomainsBody replaces a customer's sign-up domains.
type SignupDomainsBody struct {
	Domains []string `json:"domains" doc:"domain names such as northwind.example; an empty list clears them"`
}

// User is a person who signs in: an employee of the operator or a customer's user.
type User struct {
	ID           uuid.UUID         `json:"id"`
	CustomerID   *uuid.UUID        `json:"customer_id,omitempty" doc:"the customer of a customer user; absent for employees"`
	Email        string            `json:"email"`
	Name         string            `json:"name"`
	Phone        string            `json:"phone,omitempty" doc:"E.164, as +4930123456"`
	Language     string            `json:"language,omitempty" doc:"en, de, fr, es or pl; absent: the tenant's"`
	Push         bool              `json:"push" doc:"push notifications to the user's devices are on"`
	Role         tenant.Role       `json:"role"`
	Status       tenant.UserStatus `json:"status"`
	DepartmentID *uuid.UUID        `json:"department_id,omitempty" doc:"the department an employee works in"`
	LastSignInAt *time.Time        `json:"last_sign_in_at,omitempty"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
	Version      int64             `json:"version" doc:"the record's version; its ETag"`
}

func (u User) etag() int64 { return u.Version }

func userOf(u *tenant.User) User {
	return User{ID: u.ID, CustomerID: id(u.CustomerID), Email: u.Email, Name: u.Name, Phone: u.Phone, Language: u.Language,
		Push: u.Push, Role: u.Role, Status: u.Status, DepartmentID: id(u.DepartmentID), LastSignInAt: u.LastSignInAt,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, Version: u.Version}
}

type listUsersIn struct {
	CustomerID uuid.UUID         `query:"customer_id" doc:"only this customer's users"`
	Employees  bool              `query:"employees" doc:"only the operator's employees"`
	Role       tenant.Role       `query:"role"`
	Status     tenant.UserStatus `query:"status"`
	Q          string            `query:"q" doc:"words in the name or e-mail address"`
	pageIn
}

// NewUserBody is a user to add. Without a password the user is invited: the invitation link
// goes to their e-mail address, never into the answer.
type NewUserBody struct {
	Email        string      `json:"email" doc:"required; unique in the tenant"`
	Name         string      `json:"name" doc:"required"`
	Phone        string      `json:"phone,omitempty" doc:"E.164, as +4930123456"`
	Language     string      `json:"language,omitempty" doc:"en, de, fr, es or pl; absent: the tenant's"`
	Role         tenant.Role `json:"role" doc:"an employee role, or with customer_id customer_admin or customer_user"`
	CustomerID   *uuid.UUID  `json:"customer_id,omitempty" doc:"the customer a customer user belongs to"`
	DepartmentID *uuid.UUID  `json:"department_id,omitempty" doc:"an employee's department"`
	Password     string      `json:"password,omitempty" doc:"an admin-set password: the user is active at once; absent: invited by e-mail"`
}

// UserEditBody changes a user; absent fields stay as they are.
type UserEditBody struct {
	Name     *string      `json:"name,omitempty"`
	Phone    *string      `json:"phone,omitempty" doc:"E.164; empty removes it"`
	Language *string      `json:"language,omitempty" doc:"en, de, fr, es or pl; empty: the tenant's"`
	Role     *tenant.Role `json:"role,omitempty" doc:"a role of the user's kind; users do not change their own"`
	Push     *bool        `json:"push,omitempty" doc:"push notifications to the user's devices"`
}

// UserInvitation is an invitation sent to a user by e-mail. The link itself is only in the
// e-mail.
type UserInvitation struct {
	ExpiresAt time.Time `json:"expires_at" doc:"when the e-mailed link stops working"`
}

// UserDepartmentBody puts an employee in a department.
type UserDepartmentBody struct {
	DepartmentID *uuid.UUID `json:"department_id,omitempty" doc:"absent: in no department"`
}

// Department is a department (branch) of the operator.
type Department struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version" doc:"the record's version; its ETag"`
}

func (d Department) etag() int64 { return d.Version }

func departmentOf(d *tenant.Department) Department {
	return Department{ID: d.ID, Name: d.Name, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Version: d.Version}
}

// DepartmentBody names a department to create or rename.
type DepartmentBody struct {
	Name string `json:"name" doc:"required"`
}

// Project groups customers and tickets under one engagement.
type Project struct {
	ID         uuid.UUID  `json:"id"`
	Name       string     `json:"name"`
	CustomerID *uuid.UUID `json:"customer_id,omitempty" doc:"the one customer of the project; absent: operator-wide"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	Version    int64      `json:"version" doc:"the record's version; its ETag"`
}

func (p Project) etag() int64 { return p.Version }

func projectOf(p *tenant.Project) Project {
	return Project{ID: p.ID, Name: p.Name, CustomerID: id(p.CustomerID), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
}

// NewProjectBody is a project to create.
type NewProjectBody struct {
	Name       string     `json:"name" doc:"required"`
	CustomerID *uuid.UUID `json:"customer_id,omitempty" doc:"ties the project to one customer"`
}

// ProjectEditBody changes a project; absent fields stay as they are.
type ProjectEditBody struct {
	Name       *string    `json:"name,omitempty"`
	CustomerID *uuid.UUID `json:"customer_id,omitempty" doc:"the nil UUID makes it operator-wide"`
}

// Team is a group of employees led by a supervisor, which tickets are assigned to.
type Team struct {
	ID           uuid.UUID   `json:"id"`
	Name         string      `json:"name"`
	SupervisorID *uuid.UUID  `json:"supervisor_id,omitempty" doc:"the admin, moderator or supervisor who leads it"`
	MetaTeamID   *uuid.UUID  `json:"meta_team_id,omitempty"`
	Members      []uuid.UUID `json:"members" doc:"the team's employees, in the order given"`
	CreatedAt    time.Time   `json:"created_at"`
	UpdatedAt    time.Time   `json:"updated_at"`
	Version      int64       `json:"version" doc:"the record's version; its ETag"`
}

func (t Team) etag() int64 { return t.Version }

func teamOf(t *tenant.Team) Team {
	members := t.Members
	if members == nil {
		members = []uuid.UUID{}
	}
	return Team{ID: t.ID, Name: t.Name, SupervisorID: id(t.SupervisorID), MetaTeamID: id(t.MetaTeamID), Members: members,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Version: t.Version}
}

// NewTeamBody is a team to create.
type NewTeamBody struct {
	Name         string      `json:"name" doc:"required"`
	SupervisorID uuid.UUID   `json:"supervisor_id" doc:"an active admin, moderator or supervisor"`
	MetaTeamID   *uuid.UUID  `json:"meta_team_id,omitempty"`
	Members      []uuid.UUID `json:"members,omitempty" doc:"active employees"`
}

// TeamEditBody changes a team; absent fields stay as they are.
type TeamEditBody struct {
	Name         *string      `json:"name,omitempty"`
	SupervisorID *uuid.UUID   `json:"supervisor_id,omitempty"`
	MetaTeamID   *uuid.UUID   `json:"meta_team_id,omitempty" doc:"the nil UUID files it under none"`
	Members      *[]uuid.UUID `json:"members,omitempty" doc:"replaces every member"`
}

// DefaultTeam is the tenant's default group, which new requests go to.
type DefaultTeam struct {
	TeamID uuid.UUID `json:"team_id"`
}

// MetaTeam groups teams.
type MetaTeam struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version" doc:"the record's version; its ETag"`
}

func (m MetaTeam) etag() int64 { return m.Version }

// MetaTeamBody names a meta-team to create or rename.
type MetaTeamBody struct {
	Name string `json:"name" doc:"required"`
}

func metaTeamOf(m *tenant.MetaTeam) MetaTeam {
	return MetaTeam{ID: m.ID, Name: m.Name, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, Version: m.Version}
}

// TicketStatus is a tenant's custom ticket status, which maps onto a lifecycle state.
type TicketStatus struct {
	ID        uuid.UUID    `json:"id"`
	Name      string       `json:"name"`
	State     ticket.State `json:"state" doc:"the lifecycle state it maps onto"`
	Default   bool         `json:"default" doc:"tickets entering the state get this status"`
	Position  int          `json:"position" doc:"orders the statuses of one state"`
	Retired   bool         `json:"retired" doc:"kept on tickets that have it, given to none anew"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
	Version   int64        `json:"version" doc:"the record's version; its ETag"`
}

func (s TicketStatus) etag() int64 { return s.Version }

func statusOf(s *ticket.Status) TicketStatus {
	return TicketStatus{ID: s.ID, Name: s.Name, State: s.State, Default: s.Default, Position: s.Position, Retired: s.Retired,
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Version: s.Version}
}

// NewStatusBody is a custom status to create.
type NewStatusBody struct {
	Name     string       `json:"name" doc:"required"`
	State    ticket.State `json:"state"`
	Position int          `json:"position,omitempty"`
	Default  bool         `json:"default,omitempty" doc:"make it the state's default status"`
}

// StatusEditBody changes a custom status (never its state); absent fields stay as they are.
type StatusEditBody struct {
	Name     *string `json:"name,omitempty"`
	Position *int    `json:"position,omitempty"`
	Default  *bool   `json:"default,omitempty" doc:"true makes it the state's default; a default stays one until another is"`
	Retired  *bool   `json:"retired,omitempty"`
}

// MoveBody moves a status or a priority one place in its list.
type MoveBody struct {
	By int `json:"by" doc:"-1: one place up (for priorities: more urgent), 1: one place down"`
}

// Priority is a tenant's ticket priority.
type Priority struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Rank      int       `json:"rank" doc:"higher is more urgent"`
	Default   bool      `json:"default" doc:"tickets submitted without a priority get this one"`
	Retired   bool      `json:"retired" doc:"kept on tickets that have it, given to none anew"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version" doc:"the record's version; its ETag"`
}

func (p Priority) etag() int64 { return p.Version }

func priorityOf(p *ticket.Priority) Priority {
	return Priority{ID: p.ID, Name: p.Name, Rank: p.Rank, Default: p.Default, Retired: p.Retired,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
}

// NewPriorityBody is a priority to create.
type NewPriorityBody struct {
	Name    string `json:"name" doc:"required"`
	Rank    int    `json:"rank,omitempty" doc:"higher is more urgent"`
	Default bool   `json:"default,omitempty" doc:"make it the default priority"`
}

// PriorityEditBody changes a priority; absent fields stay as they are.
type PriorityEditBody struct {
	Name    *string `json:"name,omitempty"`
	Rank    *int    `json:"rank,omitempty"`
	Default *bool   `json:"default,omitempty"`
	Retired *bool   `json:"retired,omitempty"`
}

// CannedResponse is a predefined message in one language, written with the tags of
// notification templates ({{.ticket_ref}}), which staff render for a ticket and post.
type CannedResponse struct {
	ID        uuid.UUID `json:"id"`
	Language  string    `json:"language" doc:"en, de, fr, es or pl"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version" doc:"the record's version; its ETag"`
}

func (c CannedResponse) etag() int64 { return c.Version }

func cannedOf(c *ticket.CannedResponse) CannedResponse {
	return CannedResponse{ID: c.ID, Language: c.Language, Title: c.Title, Body: c.Body, CreatedAt: c.CreatedAt,
		UpdatedAt: c.UpdatedAt, Version: c.Version}
}

// NewCannedResponseBody is a canned response to create.
type NewCannedResponseBody struct {
	Language string `json:"language" doc:"en, de, fr, es or pl"`
	Title    string `json:"title" doc:"required; may use the tags of ticket notifications"`
	Body     string `json:"body" doc:"required; may use the tags of ticket notifications"`
}

// CannedResponseEditBody changes a canned response; absent fields stay as they are.
type CannedResponseEditBody struct {
	Language *string `json:"language,omitempty"`
	Title    *string `json:"title,omitempty"`
	Body     *string `json:"body,omitempty"`
}

// RenderedCannedResponse is a canned response filled in for one ticket, ready to be posted.
type RenderedCannedResponse struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

type listCannedIn struct {
	Language string `query:"language" doc:"only those in this language: en, de, fr, es or pl"`
}

type renderCannedIn struct {
	idIn
	CannedID uuid.UUID `path:"canned_id" doc:"the canned response"`
}

// A PATCH, PUT or action on one record: its ID, If-Match and body.
type (
	editCustomerIn struct {
		idIn
		companyIfMatch
		Body CustomerEditBody
	}
	supportPlanIn struct {
		idIn
		companyIfMatch
		Body SupportPlanBody
	}
	signupDomainsIn struct {
		idIn
		companyIfMatch
		Body SignupDomainsBody
	}
	editUserIn struct {
		idIn
		companyIfMatch
		Body UserEditBody
	}
	userActionIn struct {
		idIn
		companyIfMatch
	}
	userDepartmentIn struct {
		idIn
		companyIfMatch
		Body UserDepartmentBody
	}
	renameDepartmentIn struct {
		idIn
		companyIfMatch
		Body DepartmentBody
	}
	renameMetaTeamIn struct {
		idIn
		companyIfMatch
		Body MetaTeamBody
	}
	editProjectIn struct {
		idIn
		companyIfMatch
		Body ProjectEditBody
	}
	editTeamIn struct {
		idIn
		companyIfMatch
		Body TeamEditBody
	}
	editStatusIn struct {
		idIn
		companyIfMatch
		Body StatusEditBody
	}
	editPriorityIn struct {
		idIn
		companyIfMatch
		Body PriorityEditBody
	}
	moveIn struct {
		idIn
		Body MoveBody
	}
	editCannedIn struct {
		idIn
		companyIfMatch
		Body CannedResponseEditBody
	}
)

// companyOps are the operations of the company area. Records the Desk only lists (departments,
// projects, teams, meta-teams, statuses, priorities, canned responses) have no GET of their
// own; a PATCH reads the list to fill in the fields it leaves out and to check If-Match.
func companyOps() []operation {
	return slices.Concat(customerOps(), userOps(), orgOps(), teamOps(), statusOps(), cannedOps())
}

func customerOps() []operation {
	const tag = "Customers"
	return []operation{
		op(http.MethodGet, "/customers", "listCustomers", tag, "List the customers, by name",
			func(c *call, _ *struct{}) (Page[Customer], error) {
				cs, err := c.h.desk.Customers(c.ctx, c.actor)
				return listOf(cs, customerOf), err
			}),
		op(http.MethodPost, "/customers", "createCustomer", tag, "Create a customer",
			func(c *call, in *struct{ Body NewCustomerBody }) (Customer, error) {
				b := in.Body
				cu, err := c.h.desk.CreateCustomer(c.ctx, c.actor, helpdesk.NewCustomer{Name: b.Name, Language: b.Language,
					ProjectID: orNil(b.ProjectID), DepartmentID: orNil(b.DepartmentID), SupportUntil: b.SupportUntil})
				if err != nil {
					return Customer{}, err
				}
				c.w.Header().Set("Location", Prefix+"/customers/"+cu.ID.String())
				return customerOf(cu), nil
			}),
		op(http.MethodGet, "/customers/{id}", "getCustomer", tag, "Get a customer",
			func(c *call, in *idIn) (Customer, error) {
				cu, err := c.h.desk.Customer(c.ctx, c.actor, in.ID)
				return conv(cu, err, customerOf)
			}),
		op(http.MethodPatch, "/customers/{id}", "editCustomer", tag, "Change a customer's name, language, project or department",
			func(c *call, in *editCustomerIn) (Customer, error) {
				cur, err := c.h.desk.Customer(c.ctx, c.actor, in.ID)
				if err != nil {
					return Customer{}, err
				}
				if cur.Version, err = versionFrom(in.IfMatch, cur.Version); err != nil {
					return Customer{}, err
				}
				b := in.Body
				cur.Name, cur.Language = orKeep(b.Name, cur.Name), orKeep(b.Language, cur.Language)
				cur.ProjectID, cur.DepartmentID = orKeep(b.ProjectID, cur.ProjectID), orKeep(b.DepartmentID, cur.DepartmentID)
				cu, err := c.h.desk.UpdateCustomer(c.ctx, c.actor, cur)
				return conv(cu, c.stale(err, in.IfMatch), customerOf)
			}),
		op(http.MethodGet, "/customers/{id}/stats", "getCustomerStats", tag, "Get a customer's figures",
			func(c *call, in *idIn) (CustomerStats, error) {
				s, err := c.h.desk.CustomerStats(c.ctx, c.actor, in.ID)
				return conv(s, err, func(s storage.RecordStats) CustomerStats {
					return CustomerStats{Tickets: s.Tickets, Sessions: s.Sessions, Ratings: s.Ratings, MeanRating: s.MeanRating}
				})
			}),
		op(http.MethodPut, "/customers/{id}/support-plan", "setSupportPlan", tag, "Set or remove the end of a customer's support plan",
			func(c *call, in *supportPlanIn) (Customer, error) {
				if err := c.customerVersion(in.ID, in.IfMatch); err != nil {
					return Customer{}, err
				}
				cu, err := c.h.desk.SetSupportPlan(c.ctx, c.actor, in.ID, in.Body.SupportUntil)
				return conv(cu, err, customerOf)
			}),
		op(http.MethodPut, "/customers/{id}/signup-domains", "setSignupDomains", tag,
			"Set the e-mail domains whose owners may register as the customer's users",
			func(c *call, in *signupDomainsIn) (Customer, error) {
				if err := c.customerVersion(in.ID, in.IfMatch); err != nil {
					return Customer{}, err
				}
				cu, err := c.h.desk.SetSignupDomains(c.ctx, c.actor, in.ID, in.Body.Domains)
				return conv(cu, err, customerOf)
			}),
	}
}

// customerVersion checks If-Match against the customer's current version, for the changes
// whose Desk operation takes no version: 412 when it is stale.
func (c *call) customerVersion(id uuid.UUID, ifMatch string) error {
	_, err := versionFor(ifMatch, func() (int64, error) {
		cu, err := c.h.desk.Customer(c.ctx, c.actor, id)
		if err != nil {
			return 0, err
		}
		return cu.Version, nil
	})
	return err
}

// userVersion checks If-Match against the user's current version: 412 when it is stale.
func (c *call) userVersion(id uuid.UUID, ifMatch string) error {
	_, err := versionFor(ifMatch, func() (int64, error) {
		u, err := c.h.desk.User(c.ctx, c.actor, id)
		if err != nil {
			return 0, err
		}
		return u.Version, nil
	})
	return err
}

func userOps() []operation {
	const tag = "Users"
	return []operation{
		op(http.MethodGet, "/me", "getMe", tag, "Get the calling user",
			func(c *call, _ *struct{}) (User, error) {
				u, err := c.h.desk.User(c.ctx, c.actor, c.actor.UserID)
				return conv(u, err, userOf)
			}),
		op(http.MethodGet, "/users", "listUsers", tag, "List users, newest first",
			func(c *call, in *listUsersIn) (Page[User], error) {
				p, err := c.h.desk.Users(c.ctx, c.actor, storage.UserFilter{CustomerID: in.CustomerID, Employees: in.Employees,
					Role: in.Role, Status: in.Status, Text: in.Q}, in.request())
				return pageOf(p, userOf), err
			}),
		op(http.MethodPost, "/users", "createUser", tag,
			"Add a user: invited by e-mail, or active at once with an admin-set password",
			func(c *call, in *struct{ Body NewUserBody }) (User, error) {
				b := in.Body
				// The invitation link is e-mailed to the user: an API answer is no place for it.
				u, _, err := c.h.desk.CreateUser(c.ctx, c.actor, helpdesk.NewUser{Email: b.Email, Name: b.Name, Phone: b.Phone,
					Language: b.Language, Role: b.Role, CustomerID: orNil(b.CustomerID), DepartmentID: orNil(b.DepartmentID),
					Password: b.Password})
				if err != nil {
					return User{}, err
				}
				c.w.Header().Set("Location", Prefix+"/users/"+u.ID.String())
				return userOf(u), nil
			}),
		op(http.MethodGet, "/users/{id}", "getUser", tag, "Get a user",
			func(c *call, in *idIn) (User, error) {
				u, err := c.h.desk.User(c.ctx, c.actor, in.ID)
				return conv(u, err, userOf)
			}),
		op(http.MethodPatch, "/users/{id}", "editUser", tag, "Change a user's name, phone, language, role or push setting",
			func(c *call, in *editUserIn) (User, error) {
				if err := c.userVersion(in.ID, in.IfMatch); err != nil {
					return User{}, err
				}
				b := in.Body
				u, err := c.h.desk.UpdateUser(c.ctx, c.actor, in.ID, helpdesk.UserEdit{Name: b.Name, Phone: b.Phone,
					Language: b.Language, Role: b.Role, Push: b.Push})
				return conv(u, c.stale(err, in.IfMatch), userOf)
			}),
		op(http.MethodPost, "/users/{id}/deactivate", "deactivateUser", tag,
			"Deactivate a user: no more signing in, sessions and links end",
			func(c *call, in *userActionIn) (User, error) {
				if err := c.userVersion(in.ID, in.IfMatch); err != nil {
					return User{}, err
				}
				u, err := c.h.desk.DeactivateUser(c.ctx, c.actor, in.ID)
				return conv(u, c.stale(err, in.IfMatch), userOf)
			}).ok(http.StatusOK),
		op(http.MethodPost, "/users/{id}/reactivate", "reactivateUser", tag, "Let a deactivated user sign in again",
			func(c *call, in *userActionIn) (User, error) {
				if err := c.userVersion(in.ID, in.IfMatch); err != nil {
					return User{}, err
				}
				u, err := c.h.desk.ReactivateUser(c.ctx, c.actor, in.ID)
				return conv(u, c.stale(err, in.IfMatch), userOf)
			}).ok(http.StatusOK),
		op(http.MethodPost, "/users/{id}/invitation", "resendInvitation", tag,
			"E-mail an invited user a fresh invitation link (the earlier one stops working)",
			func(c *call, in *idIn) (UserInvitation, error) {
				l, err := c.h.desk.ResendInvitation(c.ctx, c.actor, in.ID)
				return conv(l, err, func(l *helpdesk.OneTimeLink) UserInvitation { return UserInvitation{ExpiresAt: l.ExpiresAt} })
			}).ok(http.StatusOK),
		op(http.MethodPut, "/users/{id}/department", "setUserDepartment", tag, "Put an employee in a department, or in none",
			func(c *call, in *userDepartmentIn) (User, error) {
				if err := c.userVersion(in.ID, in.IfMatch); err != nil {
					return User{}, err
				}
				u, err := c.h.desk.SetUserDepartment(c.ctx, c.actor, in.ID, orNil(in.Body.DepartmentID))
				return conv(u, c.stale(err, in.IfMatch), userOf)
			}),
	}
}

func orgOps() []operation {
	const tag = "Organisation"
	return []operation{
		op(http.MethodGet, "/departments", "listDepartments", tag, "List the departments, by name",
			func(c *call, _ *struct{}) (Page[Department], error) {
				ds, err := c.h.desk.Departments(c.ctx, c.actor)
				return listOf(ds, departmentOf), err
			}),
		op(http.MethodPost, "/departments", "createDepartment", tag, "Create a department",
			func(c *call, in *struct{ Body DepartmentBody }) (Department, error) {
				d, err := c.h.desk.CreateDepartment(c.ctx, c.actor, in.Body.Name)
				return conv(d, err, departmentOf)
			}),
		op(http.MethodPatch, "/departments/{id}", "renameDepartment", tag, "Rename a department",
			func(c *call, in *renameDepartmentIn) (Department, error) {
				ds, err := c.h.desk.Departments(c.ctx, c.actor)
				cur, err := pickByID(ds, err, in.ID, func(d *tenant.Department) uuid.UUID { return d.ID }, "department")
				if err != nil {
					return Department{}, err
				}
				v, err := versionFrom(in.IfMatch, cur.Version)
				if err != nil {
					return Department{}, err
				}
				d, err := c.h.desk.UpdateDepartment(c.ctx, c.actor, &tenant.Department{ID: in.ID, Name: in.Body.Name, Version: v})
				return conv(d, c.stale(err, in.IfMatch), departmentOf)
			}),
		op(http.MethodGet, "/projects", "listProjects", tag, "List the projects, by name",
			func(c *call, _ *struct{}) (Page[Project], error) {
				ps, err := c.h.desk.Projects(c.ctx, c.actor)
				return listOf(ps, projectOf), err
			}),
		op(http.MethodPost, "/projects", "createProject", tag, "Create a project",
			func(c *call, in *struct{ Body NewProjectBody }) (Project, error) {
				p, err := c.h.desk.CreateProject(c.ctx, c.actor, helpdesk.NewProject{Name: in.Body.Name, CustomerID: orNil(in.Body.CustomerID)})
				return conv(p, err, projectOf)
			}),
		op(http.MethodPatch, "/projects/{id}", "editProject", tag, "Change a project's name or customer",
			func(c *call, in *editProjectIn) (Project, error) {
				ps, err := c.h.desk.Projects(c.ctx, c.actor)
				cur, err := pickByID(ps, err, in.ID, func(p *tenant.Project) uuid.UUID { return p.ID }, "project")
				if err != nil {
					return Project{}, err
				}
				if cur.Version, err = versionFrom(in.IfMatch, cur.Version); err != nil {
					return Project{}, err
				}
				cur.Name, cur.CustomerID = orKeep(in.Body.Name, cur.Name), orKeep(in.Body.CustomerID, cur.CustomerID)
				p, err := c.h.desk.UpdateProject(c.ctx, c.actor, cur)
				return conv(p, c.stale(err, in.IfMatch), projectOf)
			}),
	}
}

func teamOps() []operation {
	const tag = "Teams"
	teamID := func(t *tenant.Team) uuid.UUID { return t.ID }
	return []operation{
		op(http.MethodGet, "/teams", "listTeams", tag, "List the teams, by name, with their members",
			func(c *call, _ *struct{}) (Page[Team], error) {
				ts, err := c.h.desk.Teams(c.ctx, c.actor)
				return listOf(ts, teamOf), err
			}),
		op(http.MethodPost, "/teams", "createTeam", tag, "Create a team",
			func(c *call, in *struct{ Body NewTeamBody }) (Team, error) {
				b := in.Body
				t, err := c.h.desk.CreateTeam(c.ctx, c.actor, helpdesk.NewTeam{Name: b.Name, SupervisorID: b.SupervisorID,
					MetaTeamID: orNil(b.MetaTeamID), Members: b.Members})
				return conv(t, err, teamOf)
			}),
		op(http.MethodPatch, "/teams/{id}", "editTeam", tag, "Change a team's name, supervisor, meta-team or members",
			func(c *call, in *editTeamIn) (Team, error) {
				ts, err := c.h.desk.Teams(c.ctx, c.actor)
				cur, err := pickByID(ts, err, in.ID, teamID, "team")
				if err != nil {
					return Team{}, err
				}
				if cur.Version, err = versionFrom(in.IfMatch, cur.Version); err != nil {
					return Team{}, err
				}
				b := in.Body
				cur.Name, cur.SupervisorID = orKeep(b.Name, cur.Name), orKeep(b.SupervisorID, cur.SupervisorID)
				cur.MetaTeamID, cur.Members = orKeep(b.MetaTeamID, cur.MetaTeamID), orKeep(b.Members, cur.Members)
				t, err := c.h.desk.UpdateTeam(c.ctx, c.actor, cur)
				return conv(t, c.stale(err, in.IfMatch), teamOf)
			}),
		op(http.MethodDelete, "/teams/{id}", "deleteTeam", tag, "Delete a team (not the default group, nor one with active tickets)",
			func(c *call, in *idIn) (noContent, error) {
				return noContent{}, c.h.desk.DeleteTeam(c.ctx, c.actor, in.ID)
			}),
		op(http.MethodPut, "/default-team", "setDefaultTeam", tag, "Make a team the default group, which new requests go to",
			func(c *call, in *struct{ Body DefaultTeam }) (DefaultTeam, error) {
				t, err := c.h.desk.SetDefaultTeam(c.ctx, c.actor, in.Body.TeamID)
				return conv(t, err, func(t *tenant.Tenant) DefaultTeam { return DefaultTeam{TeamID: t.DefaultTeamID} })
			}),
		op(http.MethodGet, "/meta-teams", "listMetaTeams", tag, "List the meta-teams, by name",
			func(c *call, _ *struct{}) (Page[MetaTeam], error) {
				ms, err := c.h.desk.MetaTeams(c.ctx, c.actor)
				return listOf(ms, metaTeamOf), err
			}),
		op(http.MethodPost, "/meta-teams", "createMetaTeam", tag, "Create a meta-team",
			func(c *call, in *struct{ Body MetaTeamBody }) (MetaTeam, error) {
				m, err := c.h.desk.CreateMetaTeam(c.ctx, c.actor, in.Body.Name)
				return conv(m, err, metaTeamOf)
			}),
		op(http.MethodPatch, "/meta-teams/{id}", "renameMetaTeam", tag, "Rename a meta-team",
			func(c *call, in *renameMetaTeamIn) (MetaTeam, error) {
				ms, err := c.h.desk.MetaTeams(c.ctx, c.actor)
				cur, err := pickByID(ms, err, in.ID, func(m *tenant.MetaTeam) uuid.UUID { return m.ID }, "meta-team")
				if err != nil {
					return MetaTeam{}, err
				}
				v, err := versionFrom(in.IfMatch, cur.Version)
				if err != nil {
					return MetaTeam{}, err
				}
				m, err := c.h.desk.UpdateMetaTeam(c.ctx, c.actor, &tenant.MetaTeam{ID: in.ID, Name: in.Body.Name, Version: v})
				return conv(m, c.stale(err, in.IfMatch), metaTeamOf)
			}),
		op(http.MethodDelete, "/meta-teams/{id}", "deleteMetaTeam", tag, "Delete a meta-team (its teams stay, under none)",
			func(c *call, in *idIn) (noContent, error) {
				return noContent{}, c.h.desk.DeleteMetaTeam(c.ctx, c.actor, in.ID)
			}),
	}
}

func statusOps() []operation {
	const tag = "Statuses and priorities"
	return []operation{
		op(http.MethodGet, "/statuses", "listStatuses", tag, "List the custom statuses, by state (lifecycle order), then position",
			func(c *call, _ *struct{}) (Page[TicketStatus], error) {
				ss, err := c.h.desk.Statuses(c.ctx, c.actor)
				return listOf(ss, statusOf), err
			}),
		op(http.MethodPost, "/statuses", "createStatus", tag, "Create a custom status",
			func(c *call, in *struct{ Body NewStatusBody }) (TicketStatus, error) {
				b := in.Body
				s, err := c.h.desk.CreateStatus(c.ctx, c.actor, helpdesk.NewStatus{Name: b.Name, State: b.State,
					Position: b.Position, Default: b.Default})
				return conv(s, err, statusOf)
			}),
		op(http.MethodPatch, "/statuses/{id}", "editStatus", tag, "Change a custom status's name, position, default or retirement",
			func(c *call, in *editStatusIn) (TicketStatus, error) {
				ss, err := c.h.desk.Statuses(c.ctx, c.actor)
				cur, err := pickByID(ss, err, in.ID, func(s *ticket.Status) uuid.UUID { return s.ID }, "status")
				if err != nil {
					return TicketStatus{}, err
				}
				if cur.Version, err = versionFrom(in.IfMatch, cur.Version); err != nil {
					return TicketStatus{}, err
				}
				b := in.Body
				cur.Name, cur.Position = orKeep(b.Name, cur.Name), orKeep(b.Position, cur.Position)
				cur.Default, cur.Retired = orKeep(b.Default, cur.Default), orKeep(b.Retired, cur.Retired)
				s, err := c.h.desk.UpdateStatus(c.ctx, c.actor, cur)
				return conv(s, c.stale(err, in.IfMatch), statusOf)
			}),
		op(http.MethodPost, "/statuses/{id}/move", "moveStatus", tag,
			"Move a custom status one place up or down among its state's; answers that state's statuses in their new order",
			func(c *call, in *moveIn) (Page[TicketStatus], error) {
				ss, err := c.h.desk.MoveStatus(c.ctx, c.actor, in.ID, in.Body.By)
				return listOf(ss, statusOf), err
			}).ok(http.StatusOK),
		op(http.MethodGet, "/priorities", "listPriorities", tag, "List the priorities, most urgent first",
			func(c *call, _ *struct{}) (Page[Priority], error) {
				ps, err := c.h.desk.Priorities(c.ctx, c.actor)
				return listOf(ps, priorityOf), err
			}),
		op(http.MethodPost, "/priorities", "createPriority", tag, "Create a priority",
			func(c *call, in *struct{ Body NewPriorityBody }) (Priority, error) {
				b := in.Body
				p, err := c.h.desk.CreatePriority(c.ctx, c.actor, helpdesk.NewPriority{Name: b.Name, Rank: b.Rank, Default: b.Default})
				return conv(p, err, priorityOf)
			}),
		op(http.MethodPatch, "/priorities/{id}", "editPriority", tag, "Change a priority's name, rank, default or retirement",
			func(c *call, in *editPriorityIn) (Priority, error) {
				ps, err := c.h.desk.Priorities(c.ctx, c.actor)
				cur, err := pickByID(ps, err, in.ID, func(p *ticket.Priority) uuid.UUID { return p.ID }, "priority")
				if err != nil {
					return Priority{}, err
				}
				if cur.Version, err = versionFrom(in.IfMatch, cur.Version); err != nil {
					return Priority{}, err
				}
				b := in.Body
				cur.Name, cur.Rank = orKeep(b.Name, cur.Name), orKeep(b.Rank, cur.Rank)
				cur.Default, cur.Retired = orKeep(b.Default, cur.Default), orKeep(b.Retired, cur.Retired)
				p, err := c.h.desk.UpdatePriority(c.ctx, c.actor, cur)
				return conv(p, c.stale(err, in.IfMatch), priorityOf)
			}),
		op(http.MethodPost, "/priorities/{id}/move", "movePriority", tag,
			"Move a priority one place up (more urgent) or down; answers the priorities in their new order",
			func(c *call, in *moveIn) (Page[Priority], error) {
				ps, err := c.h.desk.MovePriority(c.ctx, c.actor, in.ID, in.Body.By)
				return listOf(ps, priorityOf), err
			}).ok(http.StatusOK),
	}
}

func cannedOps() []operation {
	const tag = "Canned responses"
	return []operation{
		op(http.MethodGet, "/canned-responses", "listCannedResponses", tag, "List the canned responses, by title, as written",
			func(c *call, in *listCannedIn) (Page[CannedResponse], error) {
				cs, err := c.h.desk.CannedResponses(c.ctx, c.actor, in.Language)
				return listOf(cs, cannedOf), err
			}),
		op(http.MethodPost, "/canned-responses", "createCannedResponse", tag, "Create a canned response",
			func(c *call, in *struct{ Body NewCannedResponseBody }) (CannedResponse, error) {
				b := in.Body
				cr, err := c.h.desk.CreateCannedResponse(c.ctx, c.actor, helpdesk.NewCannedResponse{Language: b.Language,
					Title: b.Title, Body: b.Body})
				return conv(cr, err, cannedOf)
			}),
		op(http.MethodPatch, "/canned-responses/{id}", "editCannedResponse", tag, "Change a canned response",
			func(c *call, in *editCannedIn) (CannedResponse, error) {
				cs, err := c.h.desk.CannedResponses(c.ctx, c.actor, "")
				cur, err := pickByID(cs, err, in.ID, func(c *ticket.CannedResponse) uuid.UUID { return c.ID }, "canned response")
				if err != nil {
					return CannedResponse{}, err
				}
				if cur.Version, err = versionFrom(in.IfMatch, cur.Version); err != nil {
					return CannedResponse{}, err
				}
				b := in.Body
				cur.Language, cur.Title, cur.Body = orKeep(b.Language, cur.Language), orKeep(b.Title, cur.Title), orKeep(b.Body, cur.Body)
				cr, err := c.h.desk.UpdateCannedResponse(c.ctx, c.actor, cur)
				return conv(cr, c.stale(err, in.IfMatch), cannedOf)
			}),
		op(http.MethodDelete, "/canned-responses/{id}", "deleteCannedResponse", tag, "Delete a canned response",
			func(c *call, in *idIn) (noContent, error) {
				return noContent{}, c.h.desk.DeleteCannedResponse(c.ctx, c.actor, in.ID)
			}),
		op(http.MethodGet, "/tickets/{id}/canned-responses/{canned_id}", "renderCannedResponse", tag,
			"Render a canned response with a ticket's data, to post it (nothing is stored)",
			func(c *call, in *renderCannedIn) (RenderedCannedResponse, error) {
				r, err := c.h.desk.RenderCannedResponse(c.ctx, c.actor, in.CannedID, in.ID)
				return conv(r, err, func(r helpdesk.RenderedCanned) RenderedCannedResponse {
					return RenderedCannedResponse{Title: r.Title, Body: r.Body}
				})
			}),
	}
}
