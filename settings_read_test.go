package helpdesk_test

import (
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSettingsRead: the settings are read by those who change them; Tenant stays open to
// everyone who works in the tenant.
func TestSettingsRead(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		d, _ := newDesk(t, s)
		op, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme", Language: "en"})
		require.NoError(t, err)
		other, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Other", Language: "en"})
		require.NoError(t, err)
		cust, err := d.CreateCustomer(ctx, tenant.SystemFor(op.ID), helpdesk.NewCustomer{Name: "Xylo"})
		require.NoError(t, err)
		id := uuid.New()
		for _, c := range []struct {
			actor tenant.Actor
			want  helpdesk.ErrorKind
		}{
			{tenant.Employee(op.ID, id, tenant.RoleAdmin, "Ada"), ""},
			{tenant.SystemFor(op.ID), ""},
			{tenant.Employee(op.ID, id, tenant.RoleModerator, "Mo"), helpdesk.KindForbidden},
			{tenant.Employee(op.ID, id, tenant.RoleAgent, "Sam"), helpdesk.KindForbidden},
			{tenant.CustomerUser(op.ID, cust.ID, id, tenant.RoleCustomerAdmin, "Nina"), helpdesk.KindForbidden},
		} {
			got, err := d.Settings(ctx, c.actor)
			assert.Equal(t, c.want, helpdesk.KindOf(err), "%s %s", c.actor.Kind, c.actor.Role)
			if c.want == "" && assert.NotNil(t, got) {
				assert.Equal(t, op.ID, got.ID, "the actor's own tenant")
				assert.NotEqual(t, other.ID, got.ID)
			}
			_, err = d.Tenant(ctx, c.actor)
			assert.NoError(t, err, "Tenant stays open to %s", c.actor.Role)
		}
	})
}
