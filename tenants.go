package helpdesk

import (
	"context"
	"fmt"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// NewTenant describes an operator to create.
type NewTenant struct {
	Name string
	// Language is the tenant's default language. Defaults to "en".
	Language string
	// TicketPrefix starts ticket references: 1 to 10 upper-case letters or digits, starting with
	// a letter. Defaults to "T".
	TicketPrefix string
	// DefaultGroup names the tenant's default group, the team new requests go to. Defaults to
	// "Support".
	DefaultGroup string
}

// CreateTenant creates an operator with the built-in statuses (one default status per
// lifecycle state) and priorities (low, normal, high, urgent), and its default group: the team
// new requests go to, so that none is ever lost. The default group starts without supervisor
// and members (the tenant has no users yet); give it both with UpdateTeam. Until it has an
// active member its requests are offered to the tenant's active admins, who also hear what
// its missing supervisor would. Only the platform's
// system actor (tenant.System) may create tenants. Returns *ValidationError for bad input and
// ErrForbidden for any other actor.
func (d *Desk) CreateTenant(ctx context.Context, actor tenant.Actor, in NewTenant) (*tenant.Tenant, error) {
	if _, err := authorize(actor, tenant.ActTenantCreate); err != nil {
		return nil, fmt.Errorf("create tenant: %w", err)
	}
	if err := checkName("name", &in.Name); err != nil {
		return nil, err
	}
	if in.Language == "" {
		in.Language = "en"
	}
	if err := checkLanguage("language", in.Language); err != nil {
		return nil, err
	}
	if in.TicketPrefix == "" {
		in.TicketPrefix = "T"
	}
	if !ticketPrefix.MatchString(in.TicketPrefix) {
		return nil, invalid("ticket_prefix", "%q must be 1 to 10 upper-case letters or digits starting with a letter", in.TicketPrefix)
	}
	if in.DefaultGroup == "" {
		in.DefaultGroup = "Support"
	}
	if err := checkName("default_group", &in.DefaultGroup); err != nil {
		return nil, err
	}
	now := d.clock()
	t := &tenant.Tenant{ID: newID(), Name: in.Name, Language: in.Language, TicketPrefix: in.TicketPrefix,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	group := &tenant.Team{ID: newID(), TenantID: t.ID, Name: in.DefaultGroup, CreatedAt: now, UpdatedAt: now, Version: 1}
	t.DefaultTeamID = group.ID
	err := d.inTx(ctx, func(q storage.Queries) error {
		if err := q.CreateTenant(ctx, t); err != nil {
			return err
		}
		if err := q.CreateTeam(ctx, group); err != nil {
			return err
		}
		for i, s := range defaultStatuses(t.ID, now) {
			s.Position = i
			if err := q.CreateStatus(ctx, s); err != nil {
				return err
			}
		}
		for _, p := range defaultPriorities(t.ID, now) {
			if err := q.CreatePriority(ctx, p); err != nil {
				return err
			}
		}
		return d.audit(ctx, q, actor, t.ID, "tenant.created", "tenant", t.ID, t.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("create tenant: %w", err)
	}
	return t, nil
}

func defaultStatuses(tenantID uuid.UUID, now time.Time) []*ticket.Status {
	names := map[ticket.State]string{
		ticket.StateDraft: "Draft", ticket.StateOpen: "Open", ticket.StateAssigned: "Assigned",
		ticket.StateInProgress: "In progress", ticket.StateWaiting: "Waiting", ticket.StateDone: "Done",
		ticket.StateClosed: "Closed", ticket.StateCancelled: "Cancelled",
	}
	var out []*ticket.Status
	for _, s := range ticket.States() {
		out = append(out, &ticket.Status{ID: newID(), TenantID: tenantID, Name: names[s], State: s,
			Default: true, CreatedAt: now, UpdatedAt: now, Version: 1})
	}
	return out
}

func defaultPriorities(tenantID uuid.UUID, now time.Time) []*ticket.Priority {
	var out []*ticket.Priority
	for i, name := range []string{"Low", "Normal", "High", "Urgent"} {
		out = append(out, &ticket.Priority{ID: newID(), TenantID: tenantID, Name: name, Rank: (i + 1) * 10,
			Default: name == "Normal", CreatedAt: now, UpdatedAt: now, Version: 1})
	}
	return out
}

// Tenant returns the actor's own tenant, for staff and customer users. Returns ErrNotFound if
// it does not exist and ErrForbidden for public requesters.
func (d *Desk) Tenant(ctx context.Context, actor tenant.Actor) (*tenant.Tenant, error) {
	tid, err := authorize(actor, tenant.ActTenantRead)
	if err != nil {
		return nil, fmt.Errorf("get tenant: %w", err)
	}
	t, err := d.store.GetTenant(ctx, tid)
	if err != nil {
		return nil, fmt.Errorf("get tenant: %w", err)
	}
	return t, nil
}

// Settings returns the actor's tenant for editing its settings: what Tenant returns, to those
// who may change the settings (admins and the system) only, since the settings say more than
// people who merely work in the tenant need to know (quotas, durations, the form's
// configuration). Returns ErrForbidden for anybody else and ErrNotFound if the tenant does
// not exist.
func (d *Desk) Settings(ctx context.Context, actor tenant.Actor) (*tenant.Tenant, error) {
	tid, err := authorize(actor, tenant.ActTenantSettings)
	if err != nil {
		return nil, fmt.Errorf("get settings: %w", err)
	}
	t, err := d.store.GetTenant(ctx, tid)
	if err != nil {
		return nil, fmt.Errorf("get settings: %w", err)
	}
	return t, nil
}

// NewCustomer describes a corporate customer to create.
type NewCustomer struct {
	Name         string
	Language     string
	ProjectID    uuid.UUID
	DepartmentID uuid.UUID
	// SupportUntil ends the customer's support plan; nil means unlimited.
	SupportUntil *time.Time
}

// CreateCustomer creates a customer of the actor's tenant. Admins, moderators and the system
// may. Returns *ValidationError for bad input, ErrNotFound for a project or department the
// tenant does not have, and ErrForbidden for other actors.
func (d *Desk) CreateCustomer(ctx context.Context, actor tenant.Actor, in NewCustomer) (*tenant.Customer, error) {
	tid, err := authorize(actor, tenant.ActCustomerCreate)
	if err != nil {
		return nil, fmt.Errorf("create customer: %w", err)
	}
	if err := checkName("name", &in.Name); err != nil {
		return nil, err
	}
	if err := checkLanguage("language", in.Language); err != nil {
		return nil, err
	}
	if in.SupportUntil != nil && in.SupportUntil.IsZero() {
		return nil, invalid("support_until", "is the zero time; use nil for no expiry")
	}
	now := d.clock()
	c := &tenant.Customer{ID: newID(), TenantID: tid, Name: in.Name, Language: in.Language,
		ProjectID: in.ProjectID, DepartmentID: in.DepartmentID, SupportUntil: utcPtr(in.SupportUntil),
		CreatedAt: now, UpdatedAt: now, Version: 1}
	err = d.inTx(ctx, func(q storage.Queries) error {
		if in.ProjectID != uuid.Nil {
			if err := checkProject(ctx, q, actor, tid, in.ProjectID, c.ID); err != nil {
				return err
			}
		}
		if in.DepartmentID != uuid.Nil {
			if _, err := q.GetDepartment(ctx, tid, in.DepartmentID); err != nil {
				return fmt.Errorf("department %s: %w", in.DepartmentID, err)
			}
		}
		if err := q.CreateCustomer(ctx, c); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "customer.created", "customer", c.ID, c.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("create customer: %w", err)
	}
	return c, nil
}

// Customer returns one customer. Employees and the system see every customer of their tenant;
// a customer user sees only their own. Returns ErrNotFound otherwise.
func (d *Desk) Customer(ctx context.Context, actor tenant.Actor, id uuid.UUID) (*tenant.Customer, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActCustomerRead, customerAt(id))
	if err == nil {
		err = reach(actor, tenant.ActCustomerRead, customerResource(tid, id))
	}
	if err != nil {
		return nil, fmt.Errorf("get customer %s: %w", id, err)
	}
	c, err := d.store.GetCustomer(ctx, tid, id)
	if err != nil {
		return nil, fmt.Errorf("get customer %s: %w", id, err)
	}
	return c, nil
}

// Customers lists the tenant's customers by name, for staff. Returns ErrForbidden for others.
func (d *Desk) Customers(ctx context.Context, actor tenant.Actor) ([]*tenant.Customer, error) {
	tid, err := authorize(actor, tenant.ActCustomerList)
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	cs, err := d.store.ListCustomers(ctx, tid)
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	return cs, nil
}

// SetSupportPlan sets (or, with nil, removes) the end of a customer's support plan. Admins,
// moderators and the system may. Returns ErrNotFound or ErrConflict (a concurrent change).
func (d *Desk) SetSupportPlan(ctx context.Context, actor tenant.Actor, customerID uuid.UUID, until *time.Time) (*tenant.Customer, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActCustomerUpdate, customerAt(customerID))
	if err != nil {
		return nil, fmt.Errorf("set support plan: %w", err)
	}
	if until != nil && until.IsZero() {
		return nil, invalid("support_until", "is the zero time; use nil for no expiry")
	}
	var c *tenant.Customer
	err = d.inTx(ctx, func(q storage.Queries) error {
		var err error
		if c, err = q.GetCustomer(ctx, tid, customerID); err != nil {
			return err
		}
		c.SupportUntil = utcPtr(until)
		c.UpdatedAt = d.clock()
		if err := q.UpdateCustomer(ctx, c); err != nil {
			return err
		}
		detail := "unlimited"
		if until != nil {
			detail = "until " + c.SupportUntil.Format(time.RFC3339)
		}
		return d.audit(ctx, q, actor, tid, "customer.support_plan", "customer", c.ID, detail)
	})
	if err != nil {
		return nil, fmt.Errorf("set support plan of %s: %w", customerID, err)
	}
	return c, nil
}

// CreateDepartment creates a department (branch) of the actor's tenant. Admins, moderators and
// the system may. Returns *ValidationError or ErrForbidden.
func (d *Desk) CreateDepartment(ctx context.Context, actor tenant.Actor, name string) (*tenant.Department, error) {
	tid, err := authorize(actor, tenant.ActOrgManage)
	if err != nil {
		return nil, fmt.Errorf("create department: %w", err)
	}
	if err := checkName("name", &name); err != nil {
		return nil, err
	}
	now := d.clock()
	dep := &tenant.Department{ID: newID(), TenantID: tid, Name: name, CreatedAt: now, UpdatedAt: now, Version: 1}
	err = d.inTx(ctx, func(q storage.Queries) error {
		if err := q.CreateDepartment(ctx, dep); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "department.created", "department", dep.ID, dep.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("create department: %w", err)
	}
	return dep, nil
}

// NewProject describes a project to create.
type NewProject struct {
	Name string
	// CustomerID optionally ties the project to one customer.
	CustomerID uuid.UUID
}

// CreateProject creates a project of the actor's tenant. Admins, moderators and the system may.
// Returns *ValidationError, ErrNotFound (unknown customer) or ErrForbidden.
func (d *Desk) CreateProject(ctx context.Context, actor tenant.Actor, in NewProject) (*tenant.Project, error) {
	tid, err := authorize(actor, tenant.ActOrgManage)
	if err != nil {
		return nil, fmt.Errorf("create project: %w", err)
	}
	if err := checkName("name", &in.Name); err != nil {
		return nil, err
	}
	now := d.clock()
	p := &tenant.Project{ID: newID(), TenantID: tid, Name: in.Name, CustomerID: in.CustomerID,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	err = d.inTx(ctx, func(q storage.Queries) error {
		if in.CustomerID != uuid.Nil {
			if _, err := q.GetCustomer(ctx, tid, in.CustomerID); err != nil {
				return fmt.Errorf("customer %s: %w", in.CustomerID, err)
			}
		}
		if err := q.CreateProject(ctx, p); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "project.created", "project", p.ID, p.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("create project: %w", err)
	}
	return p, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}
