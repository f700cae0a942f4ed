package tenant_test

import (
	"testing"

	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
)

func TestActorValidate(t *testing.T) {
	tid, uid, cid, did, code, tk := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	cases := []struct {
		name  string
		actor tenant.Actor
		ok    bool
	}{
		{"platform system", tenant.System(), true},
		{"tenant system", tenant.SystemFor(tid), true},
		{"employee", tenant.Employee(tid, uid, tenant.RoleSupervisor, "S"), true},
		{"employee without tenant", tenant.Employee(uuid.Nil, uid, tenant.RoleAgent, "A"), false},
		{"employee without user", tenant.Employee(tid, uuid.Nil, tenant.RoleAgent, "A"), false},
		{"employee with customer role", tenant.Employee(tid, uid, tenant.RoleCustomerAdmin, "A"), false},
		{"customer user", tenant.CustomerUser(tid, cid, uid, tenant.RoleCustomerUser, "C"), true},
		{"customer user without customer", tenant.CustomerUser(tid, uuid.Nil, uid, tenant.RoleCustomerUser, "C"), false},
		{"customer user with employee role", tenant.CustomerUser(tid, cid, uid, tenant.RoleAdmin, "C"), false},
		{"code holder", tenant.CodeHolder(tid, did, code), true},
		{"code holder without code", tenant.CodeHolder(tid, did, uuid.Nil), false},
		{"requester link", tenant.RequesterLink(tid, tk, 1, ""), true},
		{"requester link without ticket", tenant.RequesterLink(tid, uuid.Nil, 1, ""), false},
		{"requester link without link version", tenant.RequesterLink(tid, tk, 0, ""), false},
		{"zero actor", tenant.Actor{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.actor.Validate()
			if c.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tenant.ErrInvalidActor)
			}
		})
	}
}

func TestActorRef(t *testing.T) {
	tid, uid, did, code, tk := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	assert.Equal(t, uid, tenant.Employee(tid, uid, tenant.RoleAgent, "A").Ref().ID)
	assert.Equal(t, code, tenant.CodeHolder(tid, did, code).Ref().ID, "a code holder is recorded by its code")
	assert.Equal(t, tk, tenant.RequesterLink(tid, tk, 1, "").Ref().ID)
	assert.Equal(t, "requester", tenant.RequesterLink(tid, tk, 1, "").Ref().Name)
}
