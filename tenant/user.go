package tenant

import (
	"time"

	"github.com/google/uuid"
)

// UserStatus is where a user stands in joining and leaving.
type UserStatus string

// The user statuses.
const (
	// UserInvited users exist but have not set a password yet: they follow an invitation link
	// (or, after self-registration, a confirmation link) to do so, and cannot sign in before.
	UserInvited UserStatus = "invited"
	// UserActive users may sign in.
	UserActive UserStatus = "active"
	// UserDeactivated users keep their history but may not sign in; their sign-in sessions
	// ended when they were deactivated.
	UserDeactivated UserStatus = "deactivated"
)

// User is a person who signs in: an operator employee (CustomerID is uuid.Nil, Role is an
// employee role) or a customer user (CustomerID names the customer, Role is customer_admin or
// customer_user). Public requesters are not users.
type User struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	// CustomerID is the customer a customer user belongs to; uuid.Nil for employees.
	CustomerID uuid.UUID
	// Email is the sign-in name, lower-cased; unique within the tenant.
	Email string
	Name  string
	// Phone is an E.164 number for SMS notifications; optional.
	Phone string
	// Language is the user's preferred language; empty means the tenant's.
	Language string
	// Push switches push notifications to the user's devices on; off by default.
	Push   bool
	Role   Role
	Status UserStatus
	// DepartmentID is the operator's department (branch) an employee works in; uuid.Nil for
	// none, and always for customer users.
	DepartmentID uuid.UUID
	// PasswordHash is the encoded argon2id hash of the password, with its parameters; empty
	// until the user sets one. Stores keep it; the Desk never returns it, and it is never
	// serialized.
	PasswordHash string `json:"-"`
	// LastSignInAt is when the user last signed in; nil if never.
	LastSignInAt *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int64
}

// IsEmployee reports whether u is an operator employee (not a customer user).
func (u *User) IsEmployee() bool { return u.Role.Employee() }

// Actor returns the actor u acts as once signed in.
func (u *User) Actor() Actor {
	if u.IsEmployee() {
		return Employee(u.TenantID, u.ID, u.Role, u.Name)
	}
	return CustomerUser(u.TenantID, u.CustomerID, u.ID, u.Role, u.Name)
}

// Team groups employees under a supervisor. New requests go to the tenant's default team
// (Tenant.DefaultTeamID), so none is ever lost.
type Team struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	Name     string
	// SupervisorID is the employee (admin, moderator or supervisor) who leads the team.
	// uuid.Nil only for the default group a new tenant starts with, until it is given one.
	SupervisorID uuid.UUID
	// MetaTeamID optionally files the team under a meta-team; uuid.Nil means none.
	MetaTeamID uuid.UUID
	// Members are the team's employees, in the order given.
	Members   []uuid.UUID
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// MetaTeam groups teams (Team.MetaTeamID names it).
type MetaTeam struct {
	ID        uuid.UUID
	TenantID  uuid.UUID
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// TokenPurpose says what a one-time user token is for.
type TokenPurpose string

// The purposes of one-time user tokens.
const (
	// PurposeInvitation tokens let an invited or self-registered user set a first password.
	PurposeInvitation TokenPurpose = "invitation"
	// PurposePasswordReset tokens let a user who forgot their password set a new one.
	PurposePasswordReset TokenPurpose = "password_reset"
	// PurposeShareLogin tokens open a signed-in user's account on a second device.
	PurposeShareLogin TokenPurpose = "share_login"
)

// UserToken is a one-time link token: only its hash is stored, it expires, and it can be used
// once.
type UserToken struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	UserID   uuid.UUID
	Purpose  TokenPurpose
	// Hash is the SHA-256 of the token, hex-encoded; the token itself is never stored.
	Hash      string
	ExpiresAt time.Time
	// UsedAt is when the token was redeemed; nil while unused.
	UsedAt    *time.Time
	CreatedAt time.Time
}

// AuthSession is a signed-in session: the user holds an opaque token whose hash is stored here.
// It ends at ExpiresAt, when the user signs out, or when the user is deactivated or resets
// their password.
type AuthSession struct {
	ID        uuid.UUID
	TenantID  uuid.UUID
	UserID    uuid.UUID
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time
}
