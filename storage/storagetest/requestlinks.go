package storagetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testRequestLinks checks the request links staff send: stored as given, read within their
// tenant only, used exactly once even by concurrent submissions.
func testRequestLinks(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	a := newWorld(t, s, "Tenant A")
	b := newWorld(t, s, "Tenant B")
	newLink := func(w *world) *ticket.RequestLink {
		at := w.tick()
		return &ticket.RequestLink{ID: newID(), TenantID: w.Tenant.ID, DeviceID: w.Device.ID,
			Contact:   ticket.Contact{Name: "Nina Nurse", Email: "nina@example.com", Phone: "+48 600 100 200", Language: "pl"},
			CreatedBy: tenant.Ref{Kind: tenant.ActorEmployee, ID: w.User.ID, Name: w.User.Name},
			ExpiresAt: at.Add(72 * 3600e9), CreatedAt: at}
	}

	l := newLink(a)
	require.NoError(t, s.CreateRequestLink(ctx, clone(l)))
	got, err := s.GetRequestLink(ctx, a.Tenant.ID, l.ID)
	require.NoError(t, err)
	assertSame(t, l, got, "stored as given")

	dup := newLink(a)
	dup.ID = l.ID
	assert.ErrorIs(t, s.CreateRequestLink(ctx, dup), storage.ErrConflict, "a taken ID")

	_, err = s.GetRequestLink(ctx, b.Tenant.ID, l.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "another tenant's link")
	_, err = s.GetRequestLink(ctx, a.Tenant.ID, newID())
	assert.ErrorIs(t, err, storage.ErrNotFound)
	assert.ErrorIs(t, s.UseRequestLink(ctx, b.Tenant.ID, l.ID, b.Ticket.ID, b.tick()), storage.ErrNotFound,
		"another tenant cannot use it")
	assert.ErrorIs(t, s.UseRequestLink(ctx, a.Tenant.ID, newID(), a.Ticket.ID, a.tick()), storage.ErrNotFound)

	at := a.tick()
	require.NoError(t, s.UseRequestLink(ctx, a.Tenant.ID, l.ID, a.Ticket.ID, at))
	got, err = s.GetRequestLink(ctx, a.Tenant.ID, l.ID)
	require.NoError(t, err)
	require.NotNil(t, got.UsedAt)
	assert.Equal(t, at, *got.UsedAt)
	assert.Equal(t, a.Ticket.ID, got.TicketID)
	assert.ErrorIs(t, s.UseRequestLink(ctx, a.Tenant.ID, l.ID, a.Ticket.ID, a.tick()), storage.ErrConflict, "used once only")
	got2, err := s.GetRequestLink(ctx, a.Tenant.ID, l.ID)
	require.NoError(t, err)
	assert.Equal(t, got, got2, "a refused use changes nothing")

	t.Run("concurrent uses", func(t *testing.T) {
		l := newLink(a)
		require.NoError(t, s.CreateRequestLink(ctx, l))
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		at := a.tick()
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.UseRequestLink(ctx, a.Tenant.ID, l.ID, a.Ticket.ID, at)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, storage.ErrConflict):
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		assert.Equal(t, 1, ok, "exactly one use succeeds")
	})
}
