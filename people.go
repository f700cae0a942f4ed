package helpdesk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// NewUser describes an employee or a customer user to add.
type NewUser struct {
	Email string
	Name  string
	Phone string
	// Language is the user's preferred language; empty means the tenant's.
	Language string
	// Role is an employee role (admin, moderator, supervisor, agent) or, with CustomerID, a
	// customer role (customer_admin, customer_user).
	Role tenant.Role
	// CustomerID is the customer a customer user belongs to; uuid.Nil for employees.
	CustomerID uuid.UUID
	// DepartmentID optionally puts an employee in one of the tenant's departments at once
	// (see SetUserDepartment); uuid.Nil for none. Customer users work in no department.
	DepartmentID uuid.UUID
	// Password, when set, is an admin-set password (checked against the password policy): the
	// user is active at once. When empty the user is invited: CreateUser returns the
	// invitation link with which they set their password.
	Password string
}

// OneTimeLink is a link that works once, until ExpiresAt: an invitation, a password reset or a
// share-login. Hand URL to its recipient (by e-mail, or as a QR code for share-login); the
// Desk keeps only the token's hash.
type OneTimeLink struct {
	// Token is the secret the link carries (256 random bits, base64url).
	Token string
	// URL is Config.BaseURL followed by the link's path and Token.
	URL       string
	ExpiresAt time.Time
}

// CreateUser adds a user to the actor's tenant: invited (with the invitation link returned)
// or, with in.Password, active with an admin-set password (no link). Admins and the system add
// employees; admins, moderators, the system and a customer's customer_admin add customer users
// (a customer_admin for their own customer only). Returns *ValidationError (bad e-mail, name,
// role or language, a department for a customer user, or a password that breaks the policy,
// wrapping tenant.ErrWeakPassword), ErrNotFound (customer or department), ErrConflict (e-mail address already taken in the tenant) or
// ErrForbidden.
func (d *Desk) CreateUser(ctx context.Context, actor tenant.Actor, in NewUser) (*tenant.User, *OneTimeLink, error) {
	act := tenant.ActEmployeeManage
	if in.Role.Customer() {
		act = tenant.ActCustUserManage
	}
	tid, err := authorize(actor, act)
	if err != nil {
		return nil, nil, fmt.Errorf("create user: %w", err)
	}
	if err := checkNewUser(&in); err != nil {
		return nil, nil, err
	}
	now := d.clock()
	u := &tenant.User{ID: newID(), TenantID: tid, CustomerID: in.CustomerID, Email: in.Email, Name: in.Name,
		Phone: in.Phone, Language: in.Language, Role: in.Role, Status: tenant.UserInvited, DepartmentID: in.DepartmentID,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	if in.Password != "" {
		if u.PasswordHash, err = d.hashPassword("password", in.Password); err != nil {
			return nil, nil, err
		}
		u.Status = tenant.UserActive
	}
	var link *OneTimeLink
	err = d.inTx(ctx, func(q storage.Queries) error {
		if u.CustomerID != uuid.Nil {
			if err := reach(actor, act, customerResource(tid, u.CustomerID)); err != nil {
				return err
			}
			if _, err := q.GetCustomer(ctx, tid, u.CustomerID); err != nil {
				return fmt.Errorf("customer %s: %w", u.CustomerID, err)
			}
		}
		if u.DepartmentID != uuid.Nil {
			if _, err := q.GetDepartment(ctx, tid, u.DepartmentID); err != nil {
				return fmt.Errorf("department %s: %w", u.DepartmentID, err)
			}
		}
		if err := q.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("e-mail address %s: %w", u.Email, err)
		}
		if u.Status == tenant.UserInvited {
			var err error
			if link, err = d.issueToken(ctx, q, actor, u, tenant.PurposeInvitation, notify.UserInvited); err != nil {
				return err
			}
		}
		return d.audit(ctx, q, actor, tid, "user.created", "user", u.ID, string(u.Role)+" "+u.Email)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("create user: %w", err)
	}
	return withoutSecrets(u), link, nil
}

// checkNewUser normalises and checks a new user's fields (see checkIdentity) and requires a
// role that matches having a customer or not.
func checkNewUser(in *NewUser) error {
	if err := checkIdentity(&in.Email, &in.Name, &in.Phone, in.Language); err != nil {
		return err
	}
	switch {
	case in.Role.Employee() && in.CustomerID != uuid.Nil:
		return invalid("role", "%s is an employee role; customer users are customer_admin or customer_user", in.Role)
	case in.Role.Customer() && in.CustomerID == uuid.Nil:
		return invalid("customer_id", "a %s belongs to a customer", in.Role)
	case in.Role.Customer() && in.DepartmentID != uuid.Nil:
		return invalid("department_id", "only employees work in departments")
	case !in.Role.Employee() && !in.Role.Customer():
		return invalid("role", "%q is not one of admin, moderator, supervisor, agent, customer_admin, customer_user", in.Role)
	}
	return nil
}

// checkIdentity normalises and checks who a user is: an e-mail address (lower-cased: it is
// the sign-in name), a name, an optional phone number and language.
func checkIdentity(email, name, phone *string, language string) error {
	*email = strings.ToLower(strings.TrimSpace(*email))
	if !isEmail(*email) {
		return invalid("email", "%q is not an e-mail address", *email)
	}
	if err := checkName("name", name); err != nil {
		return err
	}
	if err := checkPhone("phone", phone); err != nil {
		return err
	}
	return checkLanguage("language", language)
}

// hashPassword applies the password policy and hashes pw with the Desk's parameters.
func (d *Desk) hashPassword(field, pw string) (string, error) {
	if err := tenant.CheckPassword(pw); err != nil {
		return "", &ValidationError{Field: field, Problem: err.Error(), Err: err}
	}
	release, err := d.hashSlot()
	if err != nil {
		return "", err
	}
	defer release()
	return tenant.HashPassword(pw, d.cfg.PasswordParams)
}

// linkPaths are the paths one-time links open under Config.BaseURL.
var linkPaths = map[tenant.TokenPurpose]string{
	tenant.PurposeInvitation:    "/invitation/",
	tenant.PurposePasswordReset: "/reset-password/",
	tenant.PurposeShareLogin:    "/share-login/",
}

// issueToken voids u's earlier unused links of the purpose and stores a fresh one's hash. With
// an event other than "", it also sends the link to u by that event, as actor's doing.
func (d *Desk) issueToken(ctx context.Context, q storage.Queries, actor tenant.Actor, u *tenant.User, purpose tenant.TokenPurpose, ev notify.Event) (*OneTimeLink, error) {
	ttl := map[tenant.TokenPurpose]time.Duration{
		tenant.PurposeInvitation:    d.cfg.InvitationTTL,
		tenant.PurposePasswordReset: d.cfg.ResetTTL,
		tenant.PurposeShareLogin:    d.cfg.ShareLoginTTL,
	}[purpose]
	if _, err := q.DeleteUserTokens(ctx, u.TenantID, u.ID, purpose); err != nil {
		return nil, err
	}
	token, now := secret.NewToken(), d.clock()
	ut := &tenant.UserToken{ID: newID(), TenantID: u.TenantID, UserID: u.ID, Purpose: purpose,
		Hash: secret.Hash(token), ExpiresAt: now.Add(ttl), CreatedAt: now}
	if err := q.CreateUserToken(ctx, ut); err != nil {
		return nil, err
	}
	link := &OneTimeLink{Token: token, URL: d.cfg.BaseURL + linkPaths[purpose] + token, ExpiresAt: ut.ExpiresAt}
	if ev != "" {
		if err := d.notify(ctx, q, u.TenantID, occurrence{ev: ev, actor: actor, user: u, link: link}); err != nil {
			return nil, err
		}
	}
	return link, nil
}

// ResendInvitation issues a fresh invitation link to a user who has not accepted theirs yet,
// voiding the earlier one. Who may is as for CreateUser. Returns ErrNotFound, ErrForbidden, or
// *ValidationError when the user is not in the invited state.
func (d *Desk) ResendInvitation(ctx context.Context, actor tenant.Actor, userID uuid.UUID) (*OneTimeLink, error) {
	var link *OneTimeLink
	_, err := d.changeUser(ctx, actor, userID, "user.reinvited", tenant.ActCustUserManage, func(q storage.Queries, u *tenant.User) (string, error) {
		if u.Status != tenant.UserInvited {
			return "", invalid("user", "%s is %s, not invited", u.Email, u.Status)
		}
		var err error
		link, err = d.issueToken(ctx, q, actor, u, tenant.PurposeInvitation, notify.UserInvited)
		return u.Email, err
	})
	if err != nil {
		return nil, err
	}
	return link, nil
}

// manageAction is the action of managing user u: employees are the admins' to manage,
// customer users also their moderators' and their company's customer_admins'.
func manageAction(u *tenant.User) tenant.Action {
	if u.IsEmployee() {
		return tenant.ActEmployeeManage
	}
	return tenant.ActCustUserManage
}

// changeUser loads a user the actor may change, lets fn change it (returning the audit
// detail), and writes the user and an audit entry in one transaction. act is
// tenant.ActProfileUpdate for users changing themselves, and otherwise
// tenant.ActCustUserManage, narrowed to the target's manageAction once it is loaded.
func (d *Desk) changeUser(ctx context.Context, actor tenant.Actor, userID uuid.UUID, action string, act tenant.Action,
	fn func(q storage.Queries, u *tenant.User) (string, error)) (*tenant.User, error) {
	tid, err := d.authorizeOn(ctx, actor, act, userAt(userID))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", action, userID, err)
	}
	var u *tenant.User
	err = d.inTx(ctx, func(q storage.Queries) error {
		var err error
		if u, err = d.visibleUser(ctx, q, actor, tid, userID); err != nil {
			return err
		}
		onRecord := act
		if act == tenant.ActCustUserManage {
			onRecord = manageAction(u)
		}
		if err := reach(actor, onRecord, userResource(u)); err != nil {
			return err
		}
		detail, err := fn(q, u)
		if err != nil {
			return err
		}
		u.UpdatedAt = d.clock()
		if err := q.UpdateUser(ctx, u); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, action, "user", u.ID, detail)
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", action, userID, err)
	}
	return withoutSecrets(u), nil
}

// withoutSecrets returns a copy of u without its password hash: no result of the Desk carries
// a secret.
func withoutSecrets(u *tenant.User) *tenant.User {
	c := *u
	c.PasswordHash = ""
	return &c
}

// visibleUser reads a user and hides it (ErrNotFound) from actors who may not see it.
func (d *Desk) visibleUser(ctx context.Context, q storage.Queries, actor tenant.Actor, tid, id uuid.UUID) (*tenant.User, error) {
	u, err := q.GetUser(ctx, tid, id)
	if err != nil {
		return nil, err
	}
	if err := reach(actor, tenant.ActUserRead, userResource(u)); err != nil {
		return nil, err
	}
	return u, nil
}

// User returns a user: staff see every user of the tenant, customer users those of their own
// customer. Returns ErrNotFound otherwise, and ErrForbidden for public requesters.
func (d *Desk) User(ctx context.Context, actor tenant.Actor, id uuid.UUID) (*tenant.User, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActUserRead, userAt(id))
	if err != nil {
		return nil, fmt.Errorf("get user %s: %w", id, err)
	}
	u, err := d.visibleUser(ctx, d.store, actor, tid, id)
	if err != nil {
		return nil, fmt.Errorf("get user %s: %w", id, err)
	}
	return withoutSecrets(u), nil
}

// Users lists a page of users matching f, newest first: staff any of the tenant's, a
// customer_admin their customer's (f.CustomerID is confined to it). Returns ErrForbidden for
// other actors and storage.ErrInvalidCursor for a bad cursor.
func (d *Desk) Users(ctx context.Context, actor tenant.Actor, f storage.UserFilter, p storage.PageRequest) (storage.Page[*tenant.User], error) {
	tid, err := authorize(actor, tenant.ActUserList)
	if err != nil {
		return storage.Page[*tenant.User]{}, fmt.Errorf("list users: %w", err)
	}
	if actor.CustomerScope() != uuid.Nil && f.Employees {
		return storage.Page[*tenant.User]{}, nil
	}
	if !pinCustomer(actor, &f.CustomerID) {
		return storage.Page[*tenant.User]{}, nil
	}
	f.Text = strings.TrimSpace(f.Text)
	if err := checkLen("text", f.Text, 0, MaxNameLen); err != nil {
		return storage.Page[*tenant.User]{}, err
	}
	page, err := d.store.ListUsers(ctx, tid, f, p)
	if err != nil {
		return page, fmt.Errorf("list users: %w", err)
	}
	for i, u := range page.Items {
		page.Items[i] = withoutSecrets(u)
	}
	return page, nil
}

// UserEdit names what UpdateUser changes; nil fields stay as they are.
type UserEdit struct {
	Name     *string
	Phone    *string
	Language *string
	// Role changes the role within the user's kind (an employee stays an employee). Users do
	// not change their own role.
	Role *tenant.Role
	// Push switches push notifications to the user's devices on or off.
	Push *bool
}

// UpdateUser changes a user's name, phone, language or role. Users may change their own name,
// phone and language; changing another user, or any role, is for those who manage that user
// (see CreateUser). Returns *ValidationError, ErrNotFound, ErrConflict or ErrForbidden.
func (d *Desk) UpdateUser(ctx context.Context, actor tenant.Actor, userID uuid.UUID, e UserEdit) (*tenant.User, error) {
	self := actor.UserID == userID && actor.UserID != uuid.Nil
	if self && e.Role != nil {
		return nil, invalid("role", "users do not change their own role; another admin does")
	}
	act := tenant.ActCustUserManage
	if self {
		act = tenant.ActProfileUpdate
	}
	return d.changeUser(ctx, actor, userID, "user.updated", act, func(q storage.Queries, u *tenant.User) (string, error) {
		if e.Role != nil && !leads(*e.Role) {
			if err := checkNotSupervising(ctx, q, u, "role"); err != nil {
				return "", err
			}
		}
		return applyUserEdit(u, e)
	})
}

// applyUserEdit checks e and applies it to u, returning a summary of what changed.
func applyUserEdit(u *tenant.User, e UserEdit) (string, error) {
	var changed []string
	if e.Name != nil {
		name := *e.Name
		if err := checkName("name", &name); err != nil {
			return "", err
		}
		u.Name, changed = name, append(changed, "name")
	}
	if e.Phone != nil {
		phone := *e.Phone
		if err := checkPhone("phone", &phone); err != nil {
			return "", err
		}
		u.Phone, changed = phone, append(changed, "phone")
	}
	if e.Language != nil {
		if err := checkLanguage("language", *e.Language); err != nil {
			return "", err
		}
		u.Language, changed = *e.Language, append(changed, "language")
	}
	if e.Role != nil {
		r := *e.Role
		if r.Employee() != u.IsEmployee() || !(r.Employee() || r.Customer()) {
			return "", invalid("role", "%q is not a role for %s", r, map[bool]string{true: "an employee", false: "a customer user"}[u.IsEmployee()])
		}
		changed = append(changed, fmt.Sprintf("role %s → %s", u.Role, r))
		u.Role = r
	}
	if e.Push != nil {
		u.Push, changed = *e.Push, append(changed, fmt.Sprintf("push %t", *e.Push))
	}
	if len(changed) == 0 {
		return "", invalid("edit", "names nothing to change")
	}
	return strings.Join(changed, ", "), nil
}

// DeactivateUser stops a user from signing in and ends all their sessions, API tokens and unused links,
// and rotates the requester links of the tickets they opened (RotateRequesterLink), in one
// transaction; their history stays. Users do not deactivate themselves, and a team's
// supervisor is replaced before being deactivated. Who may is as for CreateUser. Returns
// *ValidationError, ErrNotFound, ErrConflict or ErrForbidden.
func (d *Desk) DeactivateUser(ctx context.Context, actor tenant.Actor, userID uuid.UUID) (*tenant.User, error) {
	if actor.UserID == userID {
		return nil, invalid("user", "users do not deactivate themselves")
	}
	return d.changeUser(ctx, actor, userID, "user.deactivated", tenant.ActCustUserManage, func(q storage.Queries, u *tenant.User) (string, error) {
		if u.Status == tenant.UserDeactivated {
			return "", invalid("user", "%s is already deactivated", u.Email)
		}
		if err := checkNotSupervising(ctx, q, u, "user"); err != nil {
			return "", err
		}
		n, err := q.DeleteUserAuthSessions(ctx, u.TenantID, u.ID)
		if err != nil {
			return "", err
		}
		// A token never outlives its user's deactivation, even a later reactivation.
		if _, err := q.RevokeUserAPITokens(ctx, u.TenantID, u.ID, d.clock()); err != nil {
			return "", err
		}
		for _, p := range []tenant.TokenPurpose{tenant.PurposeInvitation, tenant.PurposePasswordReset, tenant.PurposeShareLogin} {
			if _, err := q.DeleteUserTokens(ctx, u.TenantID, u.ID, p); err != nil {
				return "", err
			}
		}
		// Requester links of the tickets they opened may have been handed to them: rotated.
		links, err := q.RotateRequesterLinks(ctx, u.TenantID, u.ID, d.clock())
		if err != nil {
			return "", err
		}
		u.Status = tenant.UserDeactivated
		return fmt.Sprintf("%s; %d sessions ended, requester links of %d tickets rotated", u.Email, n, links), nil
	})
}

// leads reports whether r may supervise a team.
func leads(r tenant.Role) bool {
	return r == tenant.RoleAdmin || r == tenant.RoleModerator || r == tenant.RoleSupervisor
}

// checkNotSupervising refuses to take away what makes u a team's supervisor: every team keeps
// one.
func checkNotSupervising(ctx context.Context, q storage.Queries, u *tenant.User, field string) error {
	if !u.IsEmployee() {
		return nil
	}
	teams, err := q.ListTeams(ctx, u.TenantID)
	if err != nil {
		return err
	}
	for _, t := range teams {
		if t.SupervisorID == u.ID {
			return invalid(field, "%s supervises team %q: name another supervisor first", u.Name, t.Name)
		}
	}
	return nil
}

// ReactivateUser lets a deactivated user sign in again (active if they have a password,
// otherwise invited: ResendInvitation then sends them a link). Who may is as for CreateUser.
// Returns *ValidationError, ErrNotFound, ErrConflict or ErrForbidden.
func (d *Desk) ReactivateUser(ctx context.Context, actor tenant.Actor, userID uuid.UUID) (*tenant.User, error) {
	return d.changeUser(ctx, actor, userID, "user.reactivated", tenant.ActCustUserManage, func(_ storage.Queries, u *tenant.User) (string, error) {
		if u.Status != tenant.UserDeactivated {
			return "", invalid("user", "%s is %s, not deactivated", u.Email, u.Status)
		}
		u.Status = tenant.UserActive
		if u.PasswordHash == "" {
			u.Status = tenant.UserInvited
		}
		return u.Email, nil
	})
}

// SetPassword sets another user's password (an admin-set password), checked against the
// password policy; an invited user becomes active, and the user's sessions end. Who may is as
// for CreateUser; users change their own with ChangePassword. Returns *ValidationError
// (wrapping tenant.ErrWeakPassword for a weak password), ErrNotFound, ErrConflict or
// ErrForbidden.
func (d *Desk) SetPassword(ctx context.Context, actor tenant.Actor, userID uuid.UUID, password string) error {
	if actor.UserID == userID {
		return invalid("user", "users change their own password with ChangePassword")
	}
	if _, err := d.authorizeOn(ctx, actor, tenant.ActCustUserManage, userAt(userID)); err != nil {
		return fmt.Errorf("set password of %s: %w", userID, err)
	}
	hash, err := d.hashPassword("password", password)
	if err != nil {
		return err
	}
	_, err = d.changeUser(ctx, actor, userID, "user.password_set", tenant.ActCustUserManage, func(q storage.Queries, u *tenant.User) (string, error) {
		if u.Status == tenant.UserDeactivated {
			return "", invalid("user", "%s is deactivated", u.Email)
		}
		if _, err := q.DeleteUserAuthSessions(ctx, u.TenantID, u.ID); err != nil {
			return "", err
		}
		u.PasswordHash, u.Status = hash, tenant.UserActive
		return u.Email, nil
	})
	return err
}

// NewTeam describes a team to create.
type NewTeam struct {
	Name string
	// SupervisorID is the team's supervisor: an active admin, moderator or supervisor.
	SupervisorID uuid.UUID
	// MetaTeamID optionally files the team under a meta-team.
	MetaTeamID uuid.UUID
	// Members are the team's employees.
	Members []uuid.UUID
}

// CreateTeam creates a team. The tenant's default group (see CreateTenant) stays as it is;
// SetDefaultTeam picks another. A tenant created without a default group (before every tenant
// got one) takes its first team as its default group. Admins, moderators and the system may. Returns *ValidationError (bad name,
// a supervisor who cannot lead, a member who is not an active employee), ErrNotFound (a user
// or meta-team the tenant does not have) or ErrForbidden.
func (d *Desk) CreateTeam(ctx context.Context, actor tenant.Actor, in NewTeam) (*tenant.Team, error) {
	tid, err := authorize(actor, tenant.ActTeamManage)
	if err != nil {
		return nil, fmt.Errorf("create team: %w", err)
	}
	now := d.clock()
	t := &tenant.Team{ID: newID(), TenantID: tid, Name: in.Name, SupervisorID: in.SupervisorID,
		MetaTeamID: in.MetaTeamID, Members: in.Members, CreatedAt: now, UpdatedAt: now, Version: 1}
	err = d.inTx(ctx, func(q storage.Queries) error {
		if err := checkTeam(ctx, q, t); err != nil {
			return err
		}
		if err := q.CreateTeam(ctx, t); err != nil {
			return err
		}
		ten, err := q.GetTenant(ctx, tid)
		if err != nil {
			return err
		}
		if ten.DefaultTeamID == uuid.Nil {
			ten.DefaultTeamID, ten.UpdatedAt = t.ID, now
			if err := q.UpdateTenant(ctx, ten); err != nil {
				return err
			}
		}
		return d.audit(ctx, q, actor, tid, "team.created", "team", t.ID, t.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("create team: %w", err)
	}
	return t, nil
}

// checkTeam checks a team's name, supervisor, meta-team and members inside the transaction.
func checkTeam(ctx context.Context, q storage.Queries, t *tenant.Team) error {
	if err := checkName("name", &t.Name); err != nil {
		return err
	}
	if t.SupervisorID == uuid.Nil {
		return invalid("supervisor_id", "every team has a supervisor")
	}
	sup, err := q.GetUser(ctx, t.TenantID, t.SupervisorID)
	if err != nil {
		return fmt.Errorf("supervisor %s: %w", t.SupervisorID, err)
	}
	if !leads(sup.Role) || sup.Status == tenant.UserDeactivated {
		return invalid("supervisor_id", "%s is not an active admin, moderator or supervisor", sup.Name)
	}
	if t.MetaTeamID != uuid.Nil {
		if _, err := q.GetMetaTeam(ctx, t.TenantID, t.MetaTeamID); err != nil {
			return fmt.Errorf("meta-team %s: %w", t.MetaTeamID, err)
		}
	}
	seen := map[uuid.UUID]bool{}
	for i, id := range t.Members {
		if seen[id] {
			return invalid(fmt.Sprintf("members[%d]", i), "lists %s twice", id)
		}
		seen[id] = true
		u, err := q.GetUser(ctx, t.TenantID, id)
		if err != nil {
			return fmt.Errorf("member %s: %w", id, err)
		}
		if !u.IsEmployee() || u.Status == tenant.UserDeactivated {
			return invalid(fmt.Sprintf("members[%d]", i), "%s is not an active employee", u.Name)
		}
	}
	return nil
}

// UpdateTeam replaces a team's name, supervisor, meta-team and members with t's, checked as
// CreateTeam checks them. t.Version must be the version read. Admins, moderators and the system
// may. Returns *ValidationError, ErrNotFound, ErrConflict or ErrForbidden.
func (d *Desk) UpdateTeam(ctx context.Context, actor tenant.Actor, t *tenant.Team) (*tenant.Team, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTeamManage, recordAt(t.ID, storage.Queries.GetTeam))
	if err != nil {
		return nil, fmt.Errorf("update team: %w", err)
	}
	var out *tenant.Team
	err = d.inTx(ctx, func(q storage.Queries) error {
		cur, err := q.GetTeam(ctx, tid, t.ID)
		if err != nil {
			return err
		}
		cur.Name, cur.SupervisorID, cur.MetaTeamID, cur.Members = t.Name, t.SupervisorID, t.MetaTeamID, slices.Clone(t.Members)
		cur.Version, cur.UpdatedAt = t.Version, d.clock()
		if err := checkTeam(ctx, q, cur); err != nil {
			return err
		}
		if err := q.UpdateTeam(ctx, cur); err != nil {
			return err
		}
		out = cur
		return d.audit(ctx, q, actor, tid, "team.updated", "team", cur.ID, cur.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("update team %s: %w", t.ID, err)
	}
	return out, nil
}

// SetDefaultTeam makes a team the tenant's default group, which new requests go to. Admins,
// moderators and the system may. Returns ErrNotFound, ErrConflict or ErrForbidden.
func (d *Desk) SetDefaultTeam(ctx context.Context, actor tenant.Actor, teamID uuid.UUID) (*tenant.Tenant, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTeamManage, recordAt(teamID, storage.Queries.GetTeam))
	if err != nil {
		return nil, fmt.Errorf("set default team: %w", err)
	}
	var ten *tenant.Tenant
	err = d.inTx(ctx, func(q storage.Queries) error {
		t, err := q.GetTeam(ctx, tid, teamID)
		if err != nil {
			return err
		}
		if ten, err = q.GetTenant(ctx, tid); err != nil {
			return err
		}
		ten.DefaultTeamID, ten.UpdatedAt = t.ID, d.clock()
		if err := q.UpdateTenant(ctx, ten); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "team.default", "team", t.ID, t.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("set default team %s: %w", teamID, err)
	}
	return ten, nil
}

// DeleteTeam removes a team; its members stay users. The default group cannot be deleted
// (ErrDefaultTeam): new requests go to it, and as the last team is always the default group, a
// tenant keeps at least one team. A team with active tickets (open, assigned, in progress,
// waiting) cannot be deleted either (storage.ErrConflict): reassign them first. Admins,
// moderators and the system may. Returns ErrNotFound or ErrForbidden.
func (d *Desk) DeleteTeam(ctx context.Context, actor tenant.Actor, teamID uuid.UUID) error {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTeamManage, recordAt(teamID, storage.Queries.GetTeam))
	if err != nil {
		return fmt.Errorf("delete team %s: %w", teamID, err)
	}
	err = d.inTx(ctx, func(q storage.Queries) error {
		t, err := q.GetTeam(ctx, tid, teamID)
		if err != nil {
			return err
		}
		ten, err := q.GetTenant(ctx, tid)
		if err != nil {
			return err
		}
		if ten.DefaultTeamID == t.ID {
			return fmt.Errorf("%w: %s is the default group; make another team the default group first", ErrDefaultTeam, t.Name)
		}
		active, err := q.ListTickets(ctx, tid, storage.TicketFilter{TeamID: t.ID, States: []ticket.State{ticket.StateOpen,
			ticket.StateAssigned, ticket.StateInProgress, ticket.StateWaiting}}, storage.PageRequest{Limit: 1})
		if err != nil {
			return err
		}
		if len(active.Items) > 0 {
			return fmt.Errorf("%w: team %s still has active tickets (%s); reassign them first", storage.ErrConflict, t.Name,
				active.Items[0].Ref())
		}
		if err := q.DeleteTeam(ctx, tid, t.ID); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "team.deleted", "team", t.ID, t.Name)
	})
	if err != nil {
		return fmt.Errorf("delete team %s: %w", teamID, err)
	}
	return nil
}

// Teams lists the tenant's teams by name, with their members, for staff. Returns ErrForbidden
// for others.
func (d *Desk) Teams(ctx context.Context, actor tenant.Actor) ([]*tenant.Team, error) {
	tid, err := authorize(actor, tenant.ActTeamRead)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	ts, err := d.store.ListTeams(ctx, tid)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	return ts, nil
}

// CreateMetaTeam creates a meta-team, which groups teams (NewTeam.MetaTeamID). Admins,
// moderators and the system may. Returns *ValidationError or ErrForbidden.
func (d *Desk) CreateMetaTeam(ctx context.Context, actor tenant.Actor, name string) (*tenant.MetaTeam, error) {
	tid, err := authorize(actor, tenant.ActTeamManage)
	if err != nil {
		return nil, fmt.Errorf("create meta-team: %w", err)
	}
	if err := checkName("name", &name); err != nil {
		return nil, err
	}
	now := d.clock()
	m := &tenant.MetaTeam{ID: newID(), TenantID: tid, Name: name, CreatedAt: now, UpdatedAt: now, Version: 1}
	err = d.inTx(ctx, func(q storage.Queries) error {
		if err := q.CreateMetaTeam(ctx, m); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "meta_team.created", "meta_team", m.ID, m.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("create meta-team: %w", err)
	}
	return m, nil
}

// MetaTeams lists the tenant's meta-teams by name, for staff. Returns ErrForbidden for others.
func (d *Desk) MetaTeams(ctx context.Context, actor tenant.Actor) ([]*tenant.MetaTeam, error) {
	tid, err := authorize(actor, tenant.ActTeamRead)
	if err != nil {
		return nil, fmt.Errorf("list meta-teams: %w", err)
	}
	ms, err := d.store.ListMetaTeams(ctx, tid)
	if err != nil {
		return nil, fmt.Errorf("list meta-teams: %w", err)
	}
	return ms, nil
}

// SetSignupDomains sets the e-mail domains whose owners may register themselves as the
// customer's users (while the tenant's Settings.SelfRegistration is on); nil clears them. A
// domain belongs to one customer of the tenant. Admins, moderators and the system may.
// Returns *ValidationError, ErrNotFound, ErrConflict or ErrForbidden.
func (d *Desk) SetSignupDomains(ctx context.Context, actor tenant.Actor, customerID uuid.UUID, domains []string) (*tenant.Customer, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActCustomerUpdate, customerAt(customerID))
	if err != nil {
		return nil, fmt.Errorf("set signup domains: %w", err)
	}
	clean, err := checkDomains(domains)
	if err != nil {
		return nil, err
	}
	var c *tenant.Customer
	err = d.inTx(ctx, func(q storage.Queries) error {
		all, err := q.ListCustomers(ctx, tid)
		if err != nil {
			return err
		}
		for _, other := range all {
			if other.ID == customerID {
				c = other
				continue
			}
			for _, dom := range clean {
				if slices.Contains(other.SignupDomains, dom) {
					return invalid("domains", "%s already belongs to customer %q", dom, other.Name)
				}
			}
		}
		if c == nil {
			return fmt.Errorf("customer %s: %w", customerID, storage.ErrNotFound)
		}
		c.SignupDomains, c.UpdatedAt = clean, d.clock()
		if err := q.UpdateCustomer(ctx, c); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "customer.signup_domains", "customer", c.ID, strings.Join(clean, " "))
	})
	if err != nil {
		return nil, fmt.Errorf("set signup domains of %s: %w", customerID, err)
	}
	return c, nil
}

func checkDomains(domains []string) ([]string, error) {
	var out []string
	for i, dom := range domains {
		dom = strings.ToLower(strings.TrimSpace(dom))
		if !domainName.MatchString(dom) {
			return nil, invalid(fmt.Sprintf("domains[%d]", i), "%q is not a domain name such as northwind.example", dom)
		}
		if !slices.Contains(out, dom) {
			out = append(out, dom)
		}
	}
	return out, nil
}
