package storagetest

import (
	"context"
	"testing"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testCannedResponses checks the listing of canned responses (one language or all, by title,
// one tenant's only) and their deletion within their tenant.
func testCannedResponses(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	a := newWorld(t, s, "Tenant A")
	b := newWorld(t, s, "Tenant B")
	add := func(w *world, lang, title string) *ticket.CannedResponse {
		at := w.tick()
		c := &ticket.CannedResponse{ID: newID(), TenantID: w.Tenant.ID, Language: lang, Title: title, Body: "Hello",
			CreatedAt: at, UpdatedAt: at, Version: 1}
		require.NoError(t, s.CreateCannedResponse(ctx, c))
		return c
	}
	titles := func(cs []*ticket.CannedResponse) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Language+":"+c.Title)
		}
		return out
	}
	zeta := add(a, "en", "Zeta")
	add(a, "de", "Danke")
	add(a, "en", "Alpha")
	add(b, "en", "Beta")

	en, err := s.ListCannedResponses(ctx, a.Tenant.ID, "en")
	require.NoError(t, err)
	assert.Equal(t, []string{"en:Alpha", "en:Zeta"}, titles(en), "one language, by title")
	all, err := s.ListCannedResponses(ctx, a.Tenant.ID, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"en:Alpha", "de:Danke", "en:Zeta"}, titles(all), "every language, by title")
	none, err := s.ListCannedResponses(ctx, a.Tenant.ID, "fr")
	require.NoError(t, err)
	assert.Empty(t, none)

	assert.ErrorIs(t, s.DeleteCannedResponse(ctx, b.Tenant.ID, zeta.ID), storage.ErrNotFound, "another tenant's")
	assert.ErrorIs(t, s.DeleteCannedResponse(ctx, a.Tenant.ID, newID()), storage.ErrNotFound)
	require.NoError(t, s.DeleteCannedResponse(ctx, a.Tenant.ID, zeta.ID))
	_, err = s.GetCannedResponse(ctx, a.Tenant.ID, zeta.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "deleted")
	assert.ErrorIs(t, s.DeleteCannedResponse(ctx, a.Tenant.ID, zeta.ID), storage.ErrNotFound, "deleted once")
	en, err = s.ListCannedResponses(ctx, a.Tenant.ID, "en")
	require.NoError(t, err)
	assert.Equal(t, []string{"en:Alpha"}, titles(en))
}
