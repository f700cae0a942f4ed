package helpdesk_test

import (
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An employee is invited straight into a department; a customer user into none, and never
// into another tenant's.
func TestInviteIntoDepartment(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		d, _ := newDesk(t, s)
		op, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Op"})
		require.NoError(t, err)
		admin := tenant.SystemFor(op.ID)
		dep, err := d.CreateDepartment(ctx, admin, "Berlin")
		require.NoError(t, err)
		op2, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Other"})
		require.NoError(t, err)
		dep2, err := d.CreateDepartment(ctx, tenant.SystemFor(op2.ID), "Other tenant's branch")
		require.NoError(t, err)
		cust, err := d.CreateCustomer(ctx, admin, helpdesk.NewCustomer{Name: "Cust"})
		require.NoError(t, err)

		u, link, err := d.CreateUser(ctx, admin, helpdesk.NewUser{Email: "eva@op.example", Name: "Eva", Role: tenant.RoleAgent, DepartmentID: dep.ID})
		require.NoError(t, err)
		require.NotNil(t, link, "invited")
		got, err := d.User(ctx, admin, u.ID)
		require.NoError(t, err)
		assert.Equal(t, dep.ID, got.DepartmentID)

		_, _, err = d.CreateUser(ctx, admin, helpdesk.NewUser{Email: "x@op.example", Name: "X", Role: tenant.RoleAgent, DepartmentID: dep2.ID})
		assert.ErrorIs(t, err, storage.ErrNotFound, "another tenant's department")
		_, _, err = d.CreateUser(ctx, admin, helpdesk.NewUser{Email: "y@op.example", Name: "Y", Role: tenant.RoleAgent, DepartmentID: uuid.New()})
		assert.ErrorIs(t, err, storage.ErrNotFound)
		_, _, err = d.CreateUser(ctx, admin, helpdesk.NewUser{Email: "c@op.example", Name: "C", Role: tenant.RoleCustomerUser,
			CustomerID: cust.ID, DepartmentID: dep.ID})
		var ve *helpdesk.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "department_id", ve.Field)
		page, err := d.Users(ctx, admin, storage.UserFilter{Text: "x@op"}, storage.PageRequest{})
		require.NoError(t, err)
		assert.Empty(t, page.Items, "nobody was added by a refused invitation")
	})
}
