package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// Config tunes a Desk. The zero value is ready to use; a nil *Config means the zero value.
type Config struct {
	// Now returns the current time. Defaults to time.Now. Tests inject a fake clock here.
	Now func() time.Time
}

// Desk is the service desk: every operation of the library, each authorizing its actor,
// validating its input and writing one storage transaction. A Desk is safe for concurrent use.
type Desk struct {
	store   storage.Store
	now     func() time.Time
	tickets *ticket.Lifecycle[ticket.State, ticket.Event]
}

// New returns a Desk on store, whose schema must be current (see bunstore.Store.MigrateUp).
// It returns an error if store is nil.
func New(store storage.Store, cfg *Config) (*Desk, error) {
	if store == nil {
		return nil, errors.New("helpdesk: New: nil store")
	}
	if cfg == nil {
		cfg = &Config{}
	}
	d := &Desk{
		store:   store,
		now:     cfg.Now,
		tickets: ticket.TicketLifecycle(),
	}
	if d.now == nil {
		d.now = time.Now
	}
	return d, nil
}

// clock returns the current time as the database stores it: UTC, microseconds.
func (d *Desk) clock() time.Time { return d.now().UTC().Truncate(time.Microsecond) }

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// checkActor validates a, requires it to act inside a tenant, and returns that tenant's ID.
func checkActor(a tenant.Actor) (uuid.UUID, error) {
	if err := a.Validate(); err != nil {
		return uuid.Nil, err
	}
	if a.TenantID == uuid.Nil {
		return uuid.Nil, fmt.Errorf("%w: %s actor acts outside any tenant", tenant.ErrInvalidActor, a.Kind)
	}
	return a.TenantID, nil
}

// checkPeople is checkActor for operations open to staff and customer users but not to public
// requesters (code holders, requester links), who get ErrForbidden.
func checkPeople(a tenant.Actor) (uuid.UUID, error) {
	tid, err := checkActor(a)
	if err == nil && a.IsRequester() {
		err = fmt.Errorf("%w: public requesters may not do this", ErrForbidden)
	}
	return tid, err
}

// requireStaff allows operator employees (any role, or the listed roles only) and the system.
func requireStaff(a tenant.Actor, roles ...tenant.Role) error {
	switch a.Kind {
	case tenant.ActorSystem:
		return nil
	case tenant.ActorEmployee:
		if len(roles) == 0 {
			return nil
		}
		for _, r := range roles {
			if a.Role == r {
				return nil
			}
		}
		return fmt.Errorf("%w: role %s may not do this", ErrForbidden, a.Role)
	}
	return fmt.Errorf("%w: %s may not do this", ErrForbidden, a.Kind)
}

// audit writes the audit entry of a setup change inside the change's transaction.
func (d *Desk) audit(ctx context.Context, q storage.Queries, actor tenant.Actor, tenantID uuid.UUID, action, entity string, id uuid.UUID, detail string) error {
	return q.AppendAudit(ctx, &tenant.AuditEntry{ID: newID(), TenantID: tenantID, Actor: actor.Ref(), Action: action,
		Entity: entity, EntityID: id, Detail: detail, At: d.clock()})
}

// supervisors are the roles that manage other people's work.
var supervisors = []tenant.Role{tenant.RoleAdmin, tenant.RoleModerator, tenant.RoleSupervisor}

// managers are the roles that manage the tenant's setup (customers, devices, templates, codes).
var managers = []tenant.Role{tenant.RoleAdmin, tenant.RoleModerator}
