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

// Departments and projects are listed by staff and edited by managers, versioned; employees
// are put in a department and taken out again.
func TestDepartmentsAndProjects(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		moderator := f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleModerator, "Mo Moderator")
		north, err := f.desk.CreateDepartment(ctx, f.admin, "North")
		require.NoError(t, err)
		south, err := f.desk.CreateDepartment(ctx, f.admin, "South")
		require.NoError(t, err)

		t.Run("list and edit departments", func(t *testing.T) {
			cur := *north
			cur.Name = "  Zeta North "
			upd, err := f.desk.UpdateDepartment(ctx, moderator, &cur)
			require.NoError(t, err)
			assert.Equal(t, "Zeta North", upd.Name)
			ds, err := f.desk.Departments(ctx, f.agent)
			require.NoError(t, err)
			require.Len(t, ds, 2)
			assert.Equal(t, []string{"South", "Zeta North"}, []string{ds[0].Name, ds[1].Name}, "by name")
			_, err = f.desk.UpdateDepartment(ctx, f.admin, north) // the version read before
			assert.ErrorIs(t, err, storage.ErrConflict)
			empty := *upd
			empty.Name = " "
			_, err = f.desk.UpdateDepartment(ctx, f.admin, &empty)
			assertField(t, err, "name")
			_, err = f.desk.UpdateDepartment(ctx, f.agent, upd)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			_, err = f.desk.Departments(ctx, f.userX)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		})
		t.Run("list and edit projects", func(t *testing.T) {
			cur := *f.project
			cur.Name, cur.CustomerID = "All wards", uuid.Nil
			upd, err := f.desk.UpdateProject(ctx, f.admin, &cur)
			require.NoError(t, err)
			assert.Equal(t, uuid.Nil, upd.CustomerID, "operator-wide now")
			ps, err := f.desk.Projects(ctx, f.supervisor)
			require.NoError(t, err)
			require.Len(t, ps, 1)
			assert.Equal(t, "All wards", ps[0].Name)
			_, err = f.desk.UpdateProject(ctx, f.admin, f.project)
			assert.ErrorIs(t, err, storage.ErrConflict, "stale version")
			bad := *upd
			bad.CustomerID = uuid.Must(uuid.NewV7())
			_, err = f.desk.UpdateProject(ctx, f.admin, &bad)
			assert.ErrorIs(t, err, storage.ErrNotFound, "unknown customer")
			got, err := f.store.GetProject(ctx, f.tenant.ID, f.project.ID)
			require.NoError(t, err)
			assert.Equal(t, "All wards", got.Name, "nothing stored by the refused edits")
		})
		t.Run("employees in and out of a department", func(t *testing.T) {
			u, err := f.desk.SetUserDepartment(ctx, moderator, f.agent.UserID, south.ID)
			require.NoError(t, err)
			assert.Equal(t, south.ID, u.DepartmentID)
			got, err := f.desk.User(ctx, f.admin, f.agent.UserID)
			require.NoError(t, err)
			assert.Equal(t, south.ID, got.DepartmentID, "stored")
			u, err = f.desk.SetUserDepartment(ctx, f.admin, f.agent.UserID, uuid.Nil)
			require.NoError(t, err)
			assert.Equal(t, uuid.Nil, u.DepartmentID)
			_, err = f.desk.SetUserDepartment(ctx, f.admin, f.userX.UserID, south.ID)
			assertField(t, err, "user_id")
			_, err = f.desk.SetUserDepartment(ctx, f.admin, f.agent.UserID, uuid.Must(uuid.NewV7()))
			assert.ErrorIs(t, err, storage.ErrNotFound)
			b := f.addTenant(t, "Beta Service", "HD")
			foreign, err := f.desk.CreateDepartment(ctx, b.admin, "Beta branch")
			require.NoError(t, err)
			_, err = f.desk.SetUserDepartment(ctx, f.admin, f.agent.UserID, foreign.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound, "another tenant's department")
			_, err = f.desk.SetUserDepartment(ctx, f.agent, f.agent2.UserID, south.ID)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			got, err = f.desk.User(ctx, f.admin, f.agent.UserID)
			require.NoError(t, err)
			assert.Equal(t, uuid.Nil, got.DepartmentID, "nothing stored by the refused changes")
		})
	})
}
