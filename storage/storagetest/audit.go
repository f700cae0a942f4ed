package storagetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func (w *world) newAudit(action string) *tenant.AuditEntry {
	return &tenant.AuditEntry{ID: newID(), TenantID: w.Tenant.ID,
		Actor:  tenant.Ref{Kind: tenant.ActorEmployee, ID: newID(), Name: "Ada Admin"},
		Action: action, Entity: "device", EntityID: w.Device.ID, Detail: "Pump 1", At: w.tick()}
}

func (w *world) addAudit(action string) *tenant.AuditEntry {
	w.t.Helper()
	e := w.newAudit(action)
	require.NoError(w.t, w.q.AppendAudit(w.ctx, e), "setup: append audit entry")
	return e
}

// testAudit checks that audit entries round-trip, list newest first in keyset pages, stay within
// their tenant and refuse a duplicate ID.
func testAudit(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()

	t.Run("AppendList", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		var want []*tenant.AuditEntry
		for i := range 12 {
			want = append([]*tenant.AuditEntry{clone(w.addAudit(fmt.Sprintf("device.changed.%d", i)))}, want...)
		}
		p, err := s.ListAudit(ctx, w.Tenant.ID, storage.PageRequest{})
		require.NoError(t, err)
		assertSame(t, want, p.Items, "newest first")
		assert.Empty(t, p.Next)

		ids, sizes := walk(t, 5, func(p storage.PageRequest) (storage.Page[*tenant.AuditEntry], error) {
			return s.ListAudit(ctx, w.Tenant.ID, p)
		}, func(e *tenant.AuditEntry) uuid.UUID { return e.ID }, nil)
		assert.Equal(t, []int{5, 5, 2}, sizes)
		var wantIDs []uuid.UUID
		for _, e := range want {
			wantIDs = append(wantIDs, e.ID)
		}
		assert.Equal(t, wantIDs, ids)

		_, err = s.ListAudit(ctx, w.Tenant.ID, storage.PageRequest{After: "garbage"})
		assert.ErrorIs(t, err, storage.ErrInvalidCursor)
	})

	t.Run("Isolation", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		a.addAudit("device.created")
		own := b.addAudit("device.created")
		p, err := s.ListAudit(ctx, b.Tenant.ID, storage.PageRequest{})
		require.NoError(t, err)
		assertSame(t, []*tenant.AuditEntry{clone(own)}, p.Items)
	})

	t.Run("DuplicateID", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		e := w.addAudit("device.created")
		dup := w.newAudit("device.deleted")
		dup.ID = e.ID
		assert.ErrorIs(t, s.AppendAudit(ctx, dup), storage.ErrConflict)
	})
}

// testDefaultPriority checks DefaultPriority: the default one, the most urgent among several
// defaults, ErrNotFound without any, and never another tenant's.
func testDefaultPriority(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	w := newWorld(t, s, "Tenant A")
	other := newWorld(t, s, "Tenant B")
	od := other.newPriority("Other default", 99)
	od.Default = true
	require.NoError(t, s.CreatePriority(ctx, od))

	_, err := s.DefaultPriority(ctx, w.Tenant.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "no priority of the tenant is default")

	normal := w.newPriority("Normal", 20)
	normal.Default = true
	require.NoError(t, s.CreatePriority(ctx, normal))
	id, err := s.DefaultPriority(ctx, w.Tenant.ID)
	require.NoError(t, err)
	assert.Equal(t, normal.ID, id)

	urgent := w.newPriority("Urgent", 40)
	urgent.Default = true
	require.NoError(t, s.CreatePriority(ctx, urgent))
	id, err = s.DefaultPriority(ctx, w.Tenant.ID)
	require.NoError(t, err)
	assert.Equal(t, urgent.ID, id, "the most urgent of several defaults")
}

// testRotateRequesterLinks checks that RotateRequesterLinks raises the link version (and the
// version) of exactly the tickets one creator made in one tenant.
func testRotateRequesterLinks(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	a := newWorld(t, s, "Tenant A")
	b := newWorld(t, s, "Tenant B")
	creator := newID()
	mine := []*ticket.Ticket{a.newTicket("mine 1"), a.newTicket("mine 2")}
	for _, tk := range mine {
		tk.CreatedBy = tenant.Ref{Kind: tenant.ActorCustomerUser, ID: creator, Name: "Cora"}
		a.addTicket(tk)
	}
	theirs := b.newTicket("same creator ID, other tenant")
	theirs.CreatedBy = mine[0].CreatedBy
	b.addTicket(theirs)

	at := a.tick()
	n, err := s.RotateRequesterLinks(ctx, a.Tenant.ID, creator, at)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	for _, tk := range mine {
		got, err := s.GetTicket(ctx, a.Tenant.ID, tk.ID)
		require.NoError(t, err)
		assert.Equal(t, tk.LinkVersion+1, got.LinkVersion, "rotated")
		assert.Equal(t, tk.Version+1, got.Version, "a stale copy must not write the old link back")
		assert.Equal(t, at, got.UpdatedAt)
		tk.Version = got.Version
		tk.Title += " (edited)"
		require.NoError(t, s.UpdateTicket(ctx, tk), "the rotated ticket is still updatable at its new version")
		got, err = s.GetTicket(ctx, a.Tenant.ID, tk.ID)
		require.NoError(t, err)
		assert.Equal(t, tk.LinkVersion, got.LinkVersion, "UpdateTicket writes the link version it carries")
	}
	for _, tk := range []*ticket.Ticket{a.Ticket, theirs} {
		got, err := s.GetTicket(ctx, tk.TenantID, tk.ID)
		require.NoError(t, err)
		assertSame(t, clone(tk), got, "another creator's or tenant's ticket is untouched")
	}
	n, err = s.RotateRequesterLinks(ctx, a.Tenant.ID, newID(), at)
	require.NoError(t, err)
	assert.Zero(t, n, "nobody's tickets")
}
