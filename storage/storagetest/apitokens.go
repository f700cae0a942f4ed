package storagetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testAPITokens checks API tokens: found by their secret's hash whatever the tenant, with
// their user read within the token's tenant; listed per user, newest first; revoked once, by
// their own user only; touched at most once per interval.
func testAPITokens(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	a := newWorld(t, s, "Tenant A")
	b := newWorld(t, s, "Tenant B")
	other := a.addUser("Otto Other", uuid.Nil, tenant.RoleAgent)
	newToken := func(w *world, userID uuid.UUID, name string) *tenant.APIToken {
		at := w.tick()
		return &tenant.APIToken{ID: newID(), TenantID: w.Tenant.ID, UserID: userID, Name: name,
			Scopes: tenant.ScopeRead | tenant.ScopeWrite, CreatedAt: at, ExpiresAt: at.Add(90 * 24 * time.Hour)}
	}
	older, newer := newToken(a, a.User.ID, "ERP"), newToken(a, a.User.ID, "Monitoring")
	hashOlder, hashNewer, hashOther, hashB := newHash(), newHash(), newHash(), newHash()
	require.NoError(t, s.CreateAPIToken(ctx, newer, hashNewer))
	require.NoError(t, s.CreateAPIToken(ctx, older, hashOlder))
	otherTok := newToken(a, other.ID, "Other's")
	require.NoError(t, s.CreateAPIToken(ctx, otherTok, hashOther))
	bTok := newToken(b, b.User.ID, "B's")
	require.NoError(t, s.CreateAPIToken(ctx, bTok, hashB))

	t.Run("List", func(t *testing.T) {
		got, err := s.ListAPITokens(ctx, a.Tenant.ID, a.User.ID)
		require.NoError(t, err)
		assertSame(t, []*tenant.APIToken{newer, older}, got, "the user's own, newest first")
		got, err = s.ListAPITokens(ctx, b.Tenant.ID, a.User.ID)
		require.NoError(t, err)
		assert.Empty(t, got, "another tenant lists none of them")
	})
	t.Run("GetByHash", func(t *testing.T) {
		for _, c := range []struct {
			hash string
			tok  *tenant.APIToken
			user *tenant.User
		}{{hashOlder, older, a.User}, {hashOther, otherTok, other}, {hashB, bTok, b.User}} {
			got, u, err := s.GetAPITokenByHash(ctx, c.hash)
			require.NoError(t, err)
			assertSame(t, c.tok, got)
			assert.Equal(t, c.user.ID, u.ID)
			assert.Equal(t, c.tok.TenantID, u.TenantID, "the user of the token's tenant")
		}
		_, _, err := s.GetAPITokenByHash(ctx, newHash())
		assert.ErrorIs(t, err, storage.ErrNotFound, "a hash never issued")
		_, _, err = s.GetAPITokenByHash(ctx, "")
		assert.ErrorIs(t, err, storage.ErrNotFound, "the empty hash")
	})
	t.Run("Conflicts", func(t *testing.T) {
		dup := newToken(a, a.User.ID, "dup")
		assert.ErrorIs(t, s.CreateAPIToken(ctx, dup, hashB), storage.ErrConflict, "a hash taken in another tenant")
		dup.ID = older.ID
		assert.ErrorIs(t, s.CreateAPIToken(ctx, dup, newHash()), storage.ErrConflict, "a taken ID")
		assert.ErrorIs(t, s.CreateAPIToken(ctx, newToken(b, a.User.ID, "x"), newHash()), storage.ErrNotFound,
			"another tenant's user")
		assert.ErrorIs(t, s.CreateAPIToken(ctx, newToken(a, newID(), "x"), newHash()), storage.ErrNotFound, "no such user")
	})
	t.Run("Revoke", func(t *testing.T) {
		at := a.tick()
		assert.ErrorIs(t, s.RevokeAPIToken(ctx, a.Tenant.ID, other.ID, older.ID, at), storage.ErrNotFound, "another user's")
		assert.ErrorIs(t, s.RevokeAPIToken(ctx, b.Tenant.ID, a.User.ID, older.ID, at), storage.ErrNotFound,
			"through another tenant")
		require.NoError(t, s.RevokeAPIToken(ctx, a.Tenant.ID, a.User.ID, older.ID, at))
		assert.ErrorIs(t, s.RevokeAPIToken(ctx, a.Tenant.ID, a.User.ID, older.ID, a.tick()), storage.ErrConflict, "again")
		got, _, err := s.GetAPITokenByHash(ctx, hashOlder)
		require.NoError(t, err)
		older.RevokedAt = &at
		assertSame(t, older, got, "the first revocation's time stays")
	})
	t.Run("RevokeUser", func(t *testing.T) {
		at := a.tick()
		n, err := s.RevokeUserAPITokens(ctx, b.Tenant.ID, other.ID, at)
		require.NoError(t, err)
		assert.Zero(t, n, "through another tenant")
		n, err = s.RevokeUserAPITokens(ctx, a.Tenant.ID, other.ID, at)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		got, err := s.ListAPITokens(ctx, a.Tenant.ID, other.ID)
		require.NoError(t, err)
		require.Len(t, got, 1)
		assertSame(t, &at, got[0].RevokedAt)
		got, err = s.ListAPITokens(ctx, a.Tenant.ID, a.User.ID)
		require.NoError(t, err)
		assert.Nil(t, got[0].RevokedAt, "another user's tokens stay")
	})
	t.Run("Touch", func(t *testing.T) {
		at := a.tick()
		wrote, err := s.TouchAPIToken(ctx, a.Tenant.ID, newer.ID, at, time.Minute)
		require.NoError(t, err)
		assert.True(t, wrote, "never used")
		wrote, err = s.TouchAPIToken(ctx, a.Tenant.ID, newer.ID, at.Add(59*time.Second), time.Minute)
		require.NoError(t, err)
		assert.False(t, wrote, "within the minute")
		got, _, err := s.GetAPITokenByHash(ctx, hashNewer)
		require.NoError(t, err)
		assertSame(t, &at, got.LastUsedAt)
		wrote, err = s.TouchAPIToken(ctx, a.Tenant.ID, newer.ID, at.Add(time.Minute), time.Minute)
		require.NoError(t, err)
		assert.True(t, wrote, "a minute later")
		_, err = s.TouchAPIToken(ctx, b.Tenant.ID, newer.ID, at.Add(time.Hour), time.Minute)
		assert.ErrorIs(t, err, storage.ErrNotFound, "through another tenant")
	})
}

// testIdempotency checks idempotency keys: one claim wins, even of concurrent ones; a held key
// answers with its record; finished, stale and lapsed claims behave as the interface says.
func testIdempotency(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	a := newWorld(t, s, "Tenant A")
	b := newWorld(t, s, "Tenant B")
	day := 24 * time.Hour
	claim := func(w *world, principal, key, fp string, at time.Time) (*storage.IdempotencyRecord, error) {
		return s.ClaimIdempotencyKey(ctx, &storage.IdempotencyRecord{TenantID: w.Tenant.ID, Principal: principal,
			Key: key, Fingerprint: fp, CreatedAt: at, LockedUntil: at.Add(time.Minute)}, at.Add(-day))
	}
	at := a.tick()

	t.Run("ClaimFinishReplay", func(t *testing.T) {
		held, err := claim(a, "user:1", "k1", "fp", at)
		require.NoError(t, err)
		require.Nil(t, held, "the first claim wins")
		held, err = claim(a, "user:1", "k1", "fp", at.Add(time.Second))
		require.NoError(t, err)
		require.NotNil(t, held, "the key is held")
		assert.False(t, held.Done)
		assert.Equal(t, "fp", held.Fingerprint)
		for _, c := range []struct {
			w         *world
			principal string
		}{{a, "user:2"}, {b, "user:1"}} {
			held, err := claim(c.w, c.principal, "k1", "fp", at)
			require.NoError(t, err)
			assert.Nil(t, held, "keys are each principal's, in each tenant")
		}
		body := []byte(`{"id":"T-1"}`)
		require.NoError(t, s.FinishIdempotencyKey(ctx, a.Tenant.ID, "user:1", "k1", 201,
			map[string]string{"Content-Type": "application/json", "Location": "/api/v1/tickets/1"}, body))
		assert.ErrorIs(t, s.FinishIdempotencyKey(ctx, a.Tenant.ID, "user:1", "k1", 500, nil, nil), storage.ErrNotFound,
			"finished already")
		held, err = claim(a, "user:1", "k1", "fp", at.Add(2*time.Minute))
		require.NoError(t, err)
		require.NotNil(t, held, "a finished record is never taken over")
		assert.True(t, held.Done)
		assert.Equal(t, 201, held.Status)
		assert.Equal(t, map[string]string{"Content-Type": "application/json", "Location": "/api/v1/tickets/1"}, held.Header)
		assert.Equal(t, body, held.Body)
		assert.ErrorIs(t, s.DeleteIdempotencyKey(ctx, a.Tenant.ID, "user:1", "k1"), storage.ErrNotFound,
			"a finished record is not abandoned")
		held, err = claim(a, "user:1", "k1", "other", at.Add(day))
		require.NoError(t, err)
		assert.Nil(t, held, "a day-old record counts as absent")
	})
	t.Run("Lease", func(t *testing.T) {
		_, err := claim(a, "user:1", "k2", "fp", at)
		require.NoError(t, err)
		held, err := claim(a, "user:1", "k2", "other", at.Add(2*time.Minute))
		require.NoError(t, err)
		require.NotNil(t, held, "a lapsed lease is not taken over with another request")
		assert.Equal(t, "fp", held.Fingerprint)
		held, err = claim(a, "user:1", "k2", "fp", at.Add(30*time.Second))
		require.NoError(t, err)
		assert.NotNil(t, held, "the lease runs")
		held, err = claim(a, "user:1", "k2", "fp", at.Add(time.Minute))
		require.NoError(t, err)
		assert.Nil(t, held, "a lapsed lease is taken over")
		held, err = claim(a, "user:1", "k2", "fp", at.Add(90*time.Second))
		require.NoError(t, err)
		assert.NotNil(t, held, "the new lease runs from the take-over")
	})
	t.Run("Committed", func(t *testing.T) {
		_, err := claim(a, "user:1", "k4", "fp", at)
		require.NoError(t, err)
		assert.ErrorIs(t, s.CommitIdempotencyKey(ctx, b.Tenant.ID, "user:1", "k4"), storage.ErrNotFound, "another tenant")
		assert.ErrorIs(t, s.CommitIdempotencyKey(ctx, a.Tenant.ID, "user:2", "k4"), storage.ErrNotFound, "another principal")
		require.NoError(t, s.CommitIdempotencyKey(ctx, a.Tenant.ID, "user:1", "k4"))
		require.NoError(t, s.CommitIdempotencyKey(ctx, a.Tenant.ID, "user:1", "k4"), "a request may commit twice")
		held, err := claim(a, "user:1", "k4", "fp", at.Add(2*time.Minute))
		require.NoError(t, err)
		require.NotNil(t, held, "a committed claim is not taken over when its lease ran out")
		assert.True(t, held.Committed)
		assert.False(t, held.Done)
		require.NoError(t, s.FinishIdempotencyKey(ctx, a.Tenant.ID, "user:1", "k4", 201, nil, []byte("{}")))
		assert.ErrorIs(t, s.CommitIdempotencyKey(ctx, a.Tenant.ID, "user:1", "k4"), storage.ErrNotFound, "finished")
		held, err = claim(a, "user:1", "k4", "fp", at.Add(day))
		require.NoError(t, err)
		assert.Nil(t, held, "a day-old record counts as absent, committed or not")
		held, err = claim(a, "user:1", "k4", "fp", at.Add(day+30*time.Second))
		require.NoError(t, err)
		require.NotNil(t, held)
		assert.False(t, held.Committed, "the new claim starts uncommitted")
	})
	t.Run("Abandon", func(t *testing.T) {
		_, err := claim(a, "user:1", "k3", "fp", at)
		require.NoError(t, err)
		assert.ErrorIs(t, s.DeleteIdempotencyKey(ctx, b.Tenant.ID, "user:1", "k3"), storage.ErrNotFound, "another tenant")
		assert.ErrorIs(t, s.DeleteIdempotencyKey(ctx, a.Tenant.ID, "user:2", "k3"), storage.ErrNotFound, "another principal")
		require.NoError(t, s.DeleteIdempotencyKey(ctx, a.Tenant.ID, "user:1", "k3"))
		held, err := claim(a, "user:1", "k3", "fp", at.Add(time.Second))
		require.NoError(t, err)
		assert.Nil(t, held, "an abandoned key is free")

		// A committed claim's change is stored (its answer may have been lost, say with the
		// connection during the commit): it stays, so that a retry does not run it again.
		_, err = claim(a, "user:1", "k5", "fp", at)
		require.NoError(t, err)
		require.NoError(t, s.CommitIdempotencyKey(ctx, a.Tenant.ID, "user:1", "k5"))
		assert.ErrorIs(t, s.DeleteIdempotencyKey(ctx, a.Tenant.ID, "user:1", "k5"), storage.ErrNotFound, "committed")
		held, err = claim(a, "user:1", "k5", "fp", at.Add(2*time.Minute))
		require.NoError(t, err)
		require.NotNil(t, held, "a committed claim is not abandoned")
		assert.True(t, held.Committed)
	})
	t.Run("ConcurrentClaims", func(t *testing.T) {
		for _, key := range []string{"fresh", "lapsed"} {
			start := at
			if key == "lapsed" {
				_, err := claim(a, "user:9", key, "fp", at)
				require.NoError(t, err)
				start = at.Add(2 * time.Minute)
			}
			const n = 2
			var wg sync.WaitGroup
			results := make([]*storage.IdempotencyRecord, n)
			errs := make([]error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i], errs[i] = claim(a, "user:9", key, "fp", start)
				}()
			}
			wg.Wait()
			won := 0
			for i := range n {
				require.NoError(t, errs[i])
				if results[i] == nil {
					won++
				}
			}
			assert.Equal(t, 1, won, "%s: exactly one of two concurrent claims wins", key)
		}
	})
}
