package storagetest

import (
	"context"
	"testing"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testTenantSMTP checks a tenant's own mail server settings: stored as given, one row per
// tenant, read and changed within the tenant only, and a re-seal that loses to a newer write.
func testTenantSMTP(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	a := newWorld(t, s, "Tenant A")
	b := newWorld(t, s, "Tenant B")

	_, err := s.GetTenantSMTP(ctx, a.Tenant.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "none yet")
	in := &tenant.SMTP{TenantID: a.Tenant.ID, Host: "mail.acme.example", Port: 587, Security: "starttls",
		Username: "desk", From: "Acme <desk@acme.example>", SealedPassword: "sealed-1", UpdatedAt: a.tick()}
	require.NoError(t, s.PutTenantSMTP(ctx, clone(in)))
	got, err := s.GetTenantSMTP(ctx, a.Tenant.ID)
	require.NoError(t, err)
	want := clone(in)
	want.PasswordSet = true
	assertSame(t, want, got, "stored as given")
	_, err = s.GetTenantSMTP(ctx, b.Tenant.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "another tenant's settings stay its own")

	in.Host, in.Port, in.UpdatedAt = "smtp.acme.example", 465, a.tick()
	require.NoError(t, s.PutTenantSMTP(ctx, clone(in)), "a second put replaces")
	got, err = s.GetTenantSMTP(ctx, a.Tenant.ID)
	require.NoError(t, err)
	assert.Equal(t, "smtp.acme.example", got.Host)
	assert.Equal(t, 465, got.Port)

	assert.ErrorIs(t, s.ResealTenantSMTP(ctx, a.Tenant.ID, "not-the-stored-one", "sealed-2"), storage.ErrConflict,
		"a re-seal of settings changed meanwhile loses")
	require.NoError(t, s.ResealTenantSMTP(ctx, a.Tenant.ID, "sealed-1", "sealed-2"))
	got, err = s.GetTenantSMTP(ctx, a.Tenant.ID)
	require.NoError(t, err)
	assert.Equal(t, "sealed-2", got.SealedPassword)
	assert.ErrorIs(t, s.ResealTenantSMTP(ctx, b.Tenant.ID, "sealed-2", "sealed-3"), storage.ErrNotFound)

	noPassword := &tenant.SMTP{TenantID: b.Tenant.ID, Host: "relay.example", Port: 25, Security: "none", From: "b@example.com", UpdatedAt: b.tick()}
	require.NoError(t, s.PutTenantSMTP(ctx, clone(noPassword)))
	got, err = s.GetTenantSMTP(ctx, b.Tenant.ID)
	require.NoError(t, err)
	assert.False(t, got.PasswordSet)

	assert.ErrorIs(t, s.PutTenantSMTP(ctx, &tenant.SMTP{TenantID: newID(), Host: "x", Port: 25, From: "x@example.com", UpdatedAt: a.tick()}),
		storage.ErrNotFound, "no such tenant")
	require.NoError(t, s.DeleteTenantSMTP(ctx, a.Tenant.ID))
	_, err = s.GetTenantSMTP(ctx, a.Tenant.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	assert.ErrorIs(t, s.DeleteTenantSMTP(ctx, a.Tenant.ID), storage.ErrNotFound)
	_, err = s.GetTenantSMTP(ctx, b.Tenant.ID)
	assert.NoError(t, err, "deleting one tenant's leaves the other's")
}
