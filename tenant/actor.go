package tenant

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// ActorKind says what kind of party performs an operation.
type ActorKind string

// The kinds of actor.
const (
	// ActorSystem is the platform itself: timers, migrations, provisioning. A system actor with a
	// TenantID acts inside that tenant; one without acts on the platform (creating tenants).
	ActorSystem ActorKind = "system"
	// ActorEmployee is an operator employee (admin, moderator, supervisor, agent).
	ActorEmployee ActorKind = "employee"
	// ActorCustomerUser is an employee of a corporate customer.
	ActorCustomerUser ActorKind = "customer_user"
	// ActorCodeHolder is anyone holding a device's code URL; it reaches that one device.
	ActorCodeHolder ActorKind = "code_holder"
	// ActorRequesterLink is a public requester following the link to their own ticket.
	ActorRequesterLink ActorKind = "requester_link"
)

// Role is a user's role within a tenant.
type Role string

// The roles of operator employees and customer users.
const (
	RoleAdmin         Role = "admin"
	RoleModerator     Role = "moderator"
	RoleSupervisor    Role = "supervisor"
	RoleAgent         Role = "agent"
	RoleCustomerAdmin Role = "customer_admin"
	RoleCustomerUser  Role = "customer_user"
)

// Employee reports whether r is an operator employee's role.
func (r Role) Employee() bool {
	switch r {
	case RoleAdmin, RoleModerator, RoleSupervisor, RoleAgent:
		return true
	}
	return false
}

// Customer reports whether r is a customer user's role.
func (r Role) Customer() bool { return r == RoleCustomerAdmin || r == RoleCustomerUser }

// Actor is the party performing an operation. Every Desk operation takes one, authorizes it and
// records it in the history it writes. Build actors with the constructors (Employee,
// CustomerUser, CodeHolder, RequesterLink, System, SystemFor) rather than by hand.
type Actor struct {
	Kind ActorKind
	// TenantID is the operator the actor acts within; uuid.Nil only for a platform System actor.
	TenantID uuid.UUID
	// UserID is the employee or customer user; uuid.Nil for other kinds.
	UserID uuid.UUID
	// Role is the user's role (employees and customer users only).
	Role Role
	// CustomerID is the customer a customer user belongs to.
	CustomerID uuid.UUID
	// DeviceID and CodeID are the device and code a code holder came through.
	DeviceID uuid.UUID
	CodeID   uuid.UUID
	// RequestLinkID is the request link a code holder came through instead of a code (see
	// Invitee): it may open one ticket for DeviceID.
	RequestLinkID uuid.UUID
	// TicketID is the ticket a requester link opens.
	TicketID uuid.UUID
	// LinkVersion is the version of the ticket's requester link the actor came through
	// (ticket.Ticket.LinkVersion): once the link is rotated, the actor no longer works.
	LinkVersion int64
	// Name is a display name recorded in history ("Ann Agent", "requester").
	Name string
	// Scopes restricts an employee or customer user acting through an API token to what the
	// scopes allow (Authorize checks them after the role's rule: they never add rights). Zero
	// means not restricted: sign-in sessions, the system and public links; a token's actor
	// always has a non-zero value.
	Scopes Scopes
}

// ErrInvalidActor is returned (wrapped) by Actor.Validate for an actor missing what its kind needs.
var ErrInvalidActor = errors.New("invalid actor")

// System returns the platform actor, which acts outside any tenant (for example to create one).
func System() Actor { return Actor{Kind: ActorSystem, Name: "system"} }

// SystemFor returns the system actor inside one tenant, used by timers and automation.
func SystemFor(tenantID uuid.UUID) Actor {
	return Actor{Kind: ActorSystem, TenantID: tenantID, Name: "system"}
}

// Employee returns an operator employee actor.
func Employee(tenantID, userID uuid.UUID, role Role, name string) Actor {
	return Actor{Kind: ActorEmployee, TenantID: tenantID, UserID: userID, Role: role, Name: name}
}

// CustomerUser returns an actor for an employee of a corporate customer.
func CustomerUser(tenantID, customerID, userID uuid.UUID, role Role, name string) Actor {
	return Actor{Kind: ActorCustomerUser, TenantID: tenantID, CustomerID: customerID, UserID: userID, Role: role, Name: name}
}

// CodeHolder returns the actor for someone who opened a device's code URL.
func CodeHolder(tenantID, deviceID, codeID uuid.UUID) Actor {
	return Actor{Kind: ActorCodeHolder, TenantID: tenantID, DeviceID: deviceID, CodeID: codeID, Name: "code holder"}
}

// Invitee returns the code holder who opened a request link that staff sent them: it reaches
// the link's device alone, and may open one ticket for it.
func Invitee(tenantID, deviceID, requestLinkID uuid.UUID, name string) Actor {
	if name == "" {
		name = "requester"
	}
	return Actor{Kind: ActorCodeHolder, TenantID: tenantID, DeviceID: deviceID, RequestLinkID: requestLinkID, Name: name}
}

// RequesterLink returns the actor for a public requester following the link, at linkVersion,
// to their ticket.
func RequesterLink(tenantID, ticketID uuid.UUID, linkVersion int64, name string) Actor {
	if name == "" {
		name = "requester"
	}
	return Actor{Kind: ActorRequesterLink, TenantID: tenantID, TicketID: ticketID, LinkVersion: linkVersion, Name: name}
}

// IsStaff reports whether the actor is an operator employee or the system.
func (a Actor) IsStaff() bool { return a.Kind == ActorEmployee || a.Kind == ActorSystem }

// IsRequester reports whether the actor is a public requester (code holder or requester link).
func (a Actor) IsRequester() bool { return a.Kind == ActorCodeHolder || a.Kind == ActorRequesterLink }

// Validate reports whether the actor carries what its kind requires. It returns an error
// wrapping ErrInvalidActor naming the missing part.
func (a Actor) Validate() error {
	missing := func(what string) error {
		return fmt.Errorf("%w: %s actor without %s", ErrInvalidActor, a.Kind, what)
	}
	if a.Scopes != 0 && (!a.Scopes.Valid() || a.Kind != ActorEmployee && a.Kind != ActorCustomerUser) {
		return fmt.Errorf("%w: %s actor with scopes %08b", ErrInvalidActor, a.Kind, uint8(a.Scopes))
	}
	switch a.Kind {
	case ActorSystem:
		return nil
	case ActorEmployee:
		if a.TenantID == uuid.Nil {
			return missing("tenant")
		}
		if a.UserID == uuid.Nil {
			return missing("user")
		}
		if !a.Role.Employee() {
			return fmt.Errorf("%w: employee with role %q", ErrInvalidActor, a.Role)
		}
	case ActorCustomerUser:
		if a.TenantID == uuid.Nil {
			return missing("tenant")
		}
		if a.CustomerID == uuid.Nil {
			return missing("customer")
		}
		if a.UserID == uuid.Nil {
			return missing("user")
		}
		if !a.Role.Customer() {
			return fmt.Errorf("%w: customer user with role %q", ErrInvalidActor, a.Role)
		}
	case ActorCodeHolder:
		if a.TenantID == uuid.Nil {
			return missing("tenant")
		}
		if a.DeviceID == uuid.Nil || a.CodeID == uuid.Nil && a.RequestLinkID == uuid.Nil {
			return missing("device and code")
		}
	case ActorRequesterLink:
		if a.TenantID == uuid.Nil {
			return missing("tenant")
		}
		if a.TicketID == uuid.Nil {
			return missing("ticket")
		}
		if a.LinkVersion < 1 {
			return missing("link version")
		}
	default:
		return fmt.Errorf("%w: unknown kind %q", ErrInvalidActor, a.Kind)
	}
	return nil
}

// Ref is the compact form of an actor stored in history entries and messages.
type Ref struct {
	Kind ActorKind
	ID   uuid.UUID
	Name string
}

// Ref returns the compact form recorded in history: the user for employees and customer users,
// the code (or request link) for code holders, the ticket for requester links.
func (a Actor) Ref() Ref {
	id := a.UserID
	switch a.Kind {
	case ActorCodeHolder:
		id = a.CodeID
		if id == uuid.Nil {
			id = a.RequestLinkID
		}
	case ActorRequesterLink:
		id = a.TicketID
	}
	return Ref{Kind: a.Kind, ID: id, Name: a.Name}
}
