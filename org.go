package helpdesk

import (
	"context"
	"fmt"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// Departments lists the tenant's departments by name, for staff. Returns ErrForbidden for
// others.
func (d *Desk) Departments(ctx context.Context, actor tenant.Actor) ([]*tenant.Department, error) {
	tid, err := authorize(actor, tenant.ActOrgRead)
	if err != nil {
		return nil, fmt.Errorf("list departments: %w", err)
	}
	ds, err := d.store.ListDepartments(ctx, tid)
	if err != nil {
		return nil, fmt.Errorf("list departments: %w", err)
	}
	return ds, nil
}

// Projects lists the tenant's projects by name, for staff. Returns ErrForbidden for others.
func (d *Desk) Projects(ctx context.Context, actor tenant.Actor) ([]*tenant.Project, error) {
	tid, err := authorize(actor, tenant.ActOrgRead)
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	ps, err := d.store.ListProjects(ctx, tid)
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	return ps, nil
}

// UpdateDepartment renames a department. dep.Version must be the version read: a department
// changed since gets ErrConflict. Admins, moderators and the system may. Returns
// *ValidationError, ErrNotFound, ErrConflict or ErrForbidden.
func (d *Desk) UpdateDepartment(ctx context.Context, actor tenant.Actor, dep *tenant.Department) (*tenant.Department, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActOrgManage, recordAt(dep.ID, storage.Queries.GetDepartment))
	if err != nil {
		return nil, fmt.Errorf("update department: %w", err)
	}
	name := dep.Name
	if err := checkName("name", &name); err != nil {
		return nil, err
	}
	var out *tenant.Department
	err = d.inTx(ctx, func(q storage.Queries) error {
		cur, err := q.GetDepartment(ctx, tid, dep.ID)
		if err != nil {
			return err
		}
		cur.Name, cur.Version, cur.UpdatedAt = name, dep.Version, d.clock()
		if err := q.UpdateDepartment(ctx, cur); err != nil {
			return err
		}
		out = cur
		return d.audit(ctx, q, actor, tid, "department.updated", "department", cur.ID, cur.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("update department %s: %w", dep.ID, err)
	}
	return out, nil
}

// UpdateProject changes a project's name and customer (uuid.Nil: operator-wide). Records that
// name the project keep it. p.Version must be the version read: a project changed
// since gets ErrConflict. Admins, moderators and the system may. Returns *ValidationError,
// ErrNotFound (project or customer), ErrConflict or ErrForbidden.
func (d *Desk) UpdateProject(ctx context.Context, actor tenant.Actor, p *tenant.Project) (*tenant.Project, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActOrgManage, recordAt(p.ID, storage.Queries.GetProject))
	if err != nil {
		return nil, fmt.Errorf("update project: %w", err)
	}
	name := p.Name
	if err := checkName("name", &name); err != nil {
		return nil, err
	}
	var out *tenant.Project
	err = d.inTx(ctx, func(q storage.Queries) error {
		cur, err := q.GetProject(ctx, tid, p.ID)
		if err != nil {
			return err
		}
		if p.CustomerID != uuid.Nil {
			if _, err := q.GetCustomer(ctx, tid, p.CustomerID); err != nil {
				return fmt.Errorf("customer %s: %w", p.CustomerID, err)
			}
		}
		cur.Name, cur.CustomerID, cur.Version, cur.UpdatedAt = name, p.CustomerID, p.Version, d.clock()
		if err := q.UpdateProject(ctx, cur); err != nil {
			return err
		}
		out = cur
		return d.audit(ctx, q, actor, tid, "project.updated", "project", cur.ID, cur.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("update project %s: %w", p.ID, err)
	}
	return out, nil
}

// SetUserDepartment puts an employee in a department (User.DepartmentID), or takes them out of
// theirs with uuid.Nil, with an audit entry. Admins, moderators and the system may. Returns
// *ValidationError (a customer user), ErrNotFound (user or department), ErrConflict or
// ErrForbidden.
func (d *Desk) SetUserDepartment(ctx context.Context, actor tenant.Actor, userID, departmentID uuid.UUID) (*tenant.User, error) {
	return d.changeUser(ctx, actor, userID, "user.department", tenant.ActOrgManage, func(q storage.Queries, u *tenant.User) (string, error) {
		if !u.IsEmployee() {
			return "", invalid("user_id", "%s is not an employee: only employees work in departments", u.Name)
		}
		if departmentID == uuid.Nil {
			u.DepartmentID = uuid.Nil
			return "no department", nil
		}
		dep, err := q.GetDepartment(ctx, u.TenantID, departmentID)
		if err != nil {
			return "", fmt.Errorf("department %s: %w", departmentID, err)
		}
		u.DepartmentID = dep.ID
		return dep.Name, nil
	})
}
