package storagetest

import (
	"context"
	"testing"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testPushSubscriptions(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	a := newWorld(t, s, "Tenant A")
	b := newWorld(t, s, "Tenant B")
	other := a.addUser("Otto Other", uuid.Nil, tenant.RoleAgent)
	newSub := func(w *world, userID uuid.UUID, endpoint string) *notify.PushSubscription {
		return &notify.PushSubscription{ID: newID(), TenantID: w.Tenant.ID, UserID: userID,
			Endpoint: "https://push.example.com/" + endpoint, P256dh: "BPub" + endpoint, Auth: "auth" + endpoint,
			UserAgent: "Firefox on Linux", CreatedAt: w.tick()}
	}
	// second has the smaller ID and is inserted first: the list orders by CreatedAt.
	second, first := newSub(a, a.User.ID, "2"), newSub(a, a.User.ID, "1")
	first.CreatedAt, second.CreatedAt = second.CreatedAt, first.CreatedAt
	require.NoError(t, s.CreatePushSubscription(ctx, clone(second)))
	require.NoError(t, s.CreatePushSubscription(ctx, clone(first)))
	require.NoError(t, s.CreatePushSubscription(ctx, newSub(a, other.ID, "3")))
	require.NoError(t, s.CreatePushSubscription(ctx, newSub(b, b.User.ID, "1")), "another tenant may hold the same endpoint")

	got, err := s.ListPushSubscriptions(ctx, a.Tenant.ID, a.User.ID)
	require.NoError(t, err)
	assertSame(t, []*notify.PushSubscription{first, second}, got, "the user's own, oldest first")
	got, err = s.ListPushSubscriptions(ctx, b.Tenant.ID, a.User.ID)
	require.NoError(t, err)
	assert.Empty(t, got, "another tenant lists none of them")

	t.Run("Conflicts", func(t *testing.T) {
		err := s.CreatePushSubscription(ctx, newSub(a, other.ID, "1"))
		assert.ErrorIs(t, err, storage.ErrConflict, "an endpoint the tenant holds")
		dup := newSub(a, a.User.ID, "9")
		dup.ID = first.ID
		assert.ErrorIs(t, s.CreatePushSubscription(ctx, dup), storage.ErrConflict, "an ID taken")
		err = s.CreatePushSubscription(ctx, newSub(b, a.User.ID, "8"))
		assert.ErrorIs(t, err, storage.ErrNotFound, "another tenant's user")
		err = s.CreatePushSubscription(ctx, newSub(a, newID(), "7"))
		assert.ErrorIs(t, err, storage.ErrNotFound, "no such user")
	})
	t.Run("Delete", func(t *testing.T) {
		assert.ErrorIs(t, s.DeletePushSubscription(ctx, a.Tenant.ID, other.ID, first.ID), storage.ErrNotFound,
			"another user's")
		assert.ErrorIs(t, s.DeletePushSubscription(ctx, b.Tenant.ID, a.User.ID, first.ID), storage.ErrNotFound,
			"through another tenant")
		require.NoError(t, s.DeletePushSubscription(ctx, a.Tenant.ID, a.User.ID, first.ID))
		assert.ErrorIs(t, s.DeletePushSubscription(ctx, a.Tenant.ID, a.User.ID, first.ID), storage.ErrNotFound, "again")
		got, err := s.ListPushSubscriptions(ctx, a.Tenant.ID, a.User.ID)
		require.NoError(t, err)
		assertSame(t, []*notify.PushSubscription{second}, got)
	})
	t.Run("DeleteEndpoint", func(t *testing.T) {
		ok, err := s.DeletePushSubscriptionEndpoint(ctx, b.Tenant.ID, "https://push.example.com/3")
		require.NoError(t, err)
		assert.False(t, ok, "another tenant's endpoint")
		ok, err = s.DeletePushSubscriptionEndpoint(ctx, a.Tenant.ID, "https://push.example.com/3")
		require.NoError(t, err)
		assert.True(t, ok)
		got, err := s.ListPushSubscriptions(ctx, a.Tenant.ID, other.ID)
		require.NoError(t, err)
		assert.Empty(t, got)
		got, err = s.ListPushSubscriptions(ctx, b.Tenant.ID, b.User.ID)
		require.NoError(t, err)
		assert.Len(t, got, 1, "tenant B's subscription with A's endpoint path stays")
	})
}
