// How every operation is authorized: the actor's action checked against the policy, on the
// resource a record belongs to, read in the actor's tenant (so a foreign ID is not found).

package helpdesk

import (
	"context"
	"errors"
	"fmt"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// authorize asks the access policy whether actor may ever perform act, before anything is
// read, and returns the actor's tenant. The answer depends on the actor alone, so a refusal
// here says nothing about any record.
func authorize(actor tenant.Actor, act tenant.Action) (uuid.UUID, error) {
	if err := tenant.Authorize(actor, act, nil); err != nil {
		return uuid.Nil, policyError(err)
	}
	return actor.TenantID, nil
}

// authorizeOn is authorize for an operation on one record, which load reads within the
// actor's tenant. When the actor may not perform act, the answer is still not found for a
// record that does not exist or lies outside the actor's reach, so that another tenant's or
// customer's IDs never answer forbidden; only a record the actor can see is forbidden.
func (d *Desk) authorizeOn(ctx context.Context, actor tenant.Actor, act tenant.Action,
	load func(ctx context.Context, q storage.Queries, tenantID uuid.UUID) (tenant.Resource, error)) (uuid.UUID, error) {
	tid, err := authorize(actor, act)
	if !errors.Is(err, tenant.ErrForbidden) {
		return tid, err
	}
	r, lerr := load(ctx, d.store, actor.TenantID)
	switch {
	case lerr != nil:
		return uuid.Nil, lerr
	case !actor.Reaches(r):
		return uuid.Nil, fmt.Errorf("%s %s: %w", r.Kind, r.ID, storage.ErrNotFound)
	}
	return uuid.Nil, err
}

// Loaders of the records operations act on, for authorizeOn.

func ticketAt(id uuid.UUID) func(context.Context, storage.Queries, uuid.UUID) (tenant.Resource, error) {
	return func(ctx context.Context, q storage.Queries, tid uuid.UUID) (tenant.Resource, error) {
		t, err := q.GetTicket(ctx, tid, id)
		if err != nil {
			return tenant.Resource{}, err
		}
		return t.Resource(), nil
	}
}

func deviceAt(id uuid.UUID) func(context.Context, storage.Queries, uuid.UUID) (tenant.Resource, error) {
	return func(ctx context.Context, q storage.Queries, tid uuid.UUID) (tenant.Resource, error) {
		dev, err := q.GetDevice(ctx, tid, id)
		if err != nil {
			return tenant.Resource{}, err
		}
		return deviceResource(tid, dev.ID, dev.CustomerID), nil
	}
}

func customerAt(id uuid.UUID) func(context.Context, storage.Queries, uuid.UUID) (tenant.Resource, error) {
	return func(ctx context.Context, q storage.Queries, tid uuid.UUID) (tenant.Resource, error) {
		if _, err := q.GetCustomer(ctx, tid, id); err != nil {
			return tenant.Resource{}, err
		}
		return customerResource(tid, id), nil
	}
}

func userAt(id uuid.UUID) func(context.Context, storage.Queries, uuid.UUID) (tenant.Resource, error) {
	return func(ctx context.Context, q storage.Queries, tid uuid.UUID) (tenant.Resource, error) {
		u, err := q.GetUser(ctx, tid, id)
		if err != nil {
			return tenant.Resource{}, err
		}
		return userResource(u), nil
	}
}

// recordAt loads an operator-only record (template, code, team) with get.
func recordAt[T any](id uuid.UUID, get func(q storage.Queries, ctx context.Context, tid, id uuid.UUID) (T, error)) func(context.Context, storage.Queries, uuid.UUID) (tenant.Resource, error) {
	return func(ctx context.Context, q storage.Queries, tid uuid.UUID) (tenant.Resource, error) {
		if _, err := get(q, ctx, tid, id); err != nil {
			return tenant.Resource{}, err
		}
		return tenant.Resource{Kind: tenant.KindOther, TenantID: tid, ID: id}, nil
	}
}

// reach asks the access policy about a record the operation has loaded. A record outside the
// actor's reach is reported as storage.ErrNotFound, like a record that does not exist.
func reach(actor tenant.Actor, act tenant.Action, r tenant.Resource) error {
	return policyError(tenant.Authorize(actor, act, &r))
}

func policyError(err error) error {
	if errors.Is(err, tenant.ErrHidden) {
		return fmt.Errorf("%v: %w", err, storage.ErrNotFound)
	}
	return err
}

// Resources as the access policy sees them (a ticket's is ticket.Ticket.Resource).

func customerResource(tenantID, id uuid.UUID) tenant.Resource {
	return tenant.Resource{Kind: tenant.KindCustomer, TenantID: tenantID, ID: id, CustomerID: id}
}

func deviceResource(tenantID, id, customerID uuid.UUID) tenant.Resource {
	return tenant.Resource{Kind: tenant.KindDevice, TenantID: tenantID, ID: id, CustomerID: customerID}
}

func userResource(u *tenant.User) tenant.Resource {
	return tenant.Resource{Kind: tenant.KindUser, TenantID: u.TenantID, ID: u.ID, CustomerID: u.CustomerID, OwnerID: u.ID}
}

// audit writes the audit entry of a setup change inside the change's transaction.
func (d *Desk) audit(ctx context.Context, q storage.Queries, actor tenant.Actor, tenantID uuid.UUID, action, entity string, id uuid.UUID, detail string) error {
	return q.AppendAudit(ctx, &tenant.AuditEntry{ID: newID(), TenantID: tenantID, Actor: actor.Ref(), Action: action,
		Entity: entity, EntityID: id, Detail: detail, At: d.clock()})
}
