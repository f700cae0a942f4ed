package helpdesk_test

import (
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newToken creates an API token for actor with scopes, valid for 90 days, and returns it with
// its secret.
func (f *fixture) newToken(t *testing.T, actor tenant.Actor, name string, scopes tenant.Scopes) (*tenant.APIToken, string) {
	t.Helper()
	tok, plain, err := f.desk.CreateAPIToken(t.Context(), actor, helpdesk.NewAPIToken{Name: name, Scopes: scopes,
		ExpiresAt: f.clock.Now().Add(90 * 24 * time.Hour)})
	require.NoError(t, err)
	return tok, plain
}

func TestAPITokens(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		rw := tenant.ScopeRead | tenant.ScopeWrite

		t.Run("create, list, authenticate", func(t *testing.T) {
			first, _ := f.newToken(t, f.agent, "Monitoring", tenant.ScopeRead)
			f.clock.Advance(time.Second)
			tok, plain, err := f.desk.CreateAPIToken(ctx, f.agent, helpdesk.NewAPIToken{Name: "  ERP import ", Scopes: rw,
				ExpiresAt: f.clock.Now().AddDate(1, 0, 0)})
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(plain, helpdesk.APITokenPrefix), plain)
			assert.Len(t, plain, len(helpdesk.APITokenPrefix)+43, "32 bytes in base64url")
			assert.Equal(t, "ERP import", tok.Name)
			assert.Equal(t, f.agent.UserID, tok.UserID)
			assert.Nil(t, tok.LastUsedAt)

			list, err := f.desk.APITokens(ctx, f.agent)
			require.NoError(t, err)
			require.Len(t, list, 2)
			assert.Equal(t, []uuid.UUID{tok.ID, first.ID}, []uuid.UUID{list[0].ID, list[1].ID}, "newest first")
			others, err := f.desk.APITokens(ctx, f.agent2)
			require.NoError(t, err)
			assert.Empty(t, others, "a user lists their own")

			actor, err := f.desk.AuthenticateAPIToken(ctx, plain)
			require.NoError(t, err)
			want := f.agent
			want.Scopes = rw
			assert.Equal(t, want, actor, "the user's actor, with the token's scopes")

			lastUsed := func() *time.Time {
				list, err := f.desk.APITokens(ctx, f.agent)
				require.NoError(t, err)
				return list[0].LastUsedAt
			}
			used := f.clock.Now()
			assert.Equal(t, &used, lastUsed())
			f.clock.Advance(59 * time.Second)
			_, err = f.desk.AuthenticateAPIToken(ctx, plain)
			require.NoError(t, err)
			assert.Equal(t, &used, lastUsed(), "written at most once a minute")
			f.clock.Advance(time.Second)
			_, err = f.desk.AuthenticateAPIToken(ctx, plain)
			require.NoError(t, err)
			assert.Equal(t, f.clock.Now(), *lastUsed())

			audit, err := f.desk.AuditLog(ctx, f.admin, storage.PageRequest{Limit: 10})
			require.NoError(t, err)
			require.NotEmpty(t, audit.Items)
			assert.Equal(t, "api_token.created", audit.Items[0].Action)
			assert.Equal(t, tok.ID, audit.Items[0].EntityID)
		})

		t.Run("validation", func(t *testing.T) {
			now := f.clock.Now()
			for _, c := range []struct {
				name  string
				in    helpdesk.NewAPIToken
				field string
			}{
				{"no name", helpdesk.NewAPIToken{Name: "  ", Scopes: rw, ExpiresAt: now.Add(time.Hour)}, "name"},
				{"long name", helpdesk.NewAPIToken{Name: strings.Repeat("ü", 101), Scopes: rw, ExpiresAt: now.Add(time.Hour)}, "name"},
				{"no scopes", helpdesk.NewAPIToken{Name: "x", ExpiresAt: now.Add(time.Hour)}, "scopes"},
				{"unknown scope", helpdesk.NewAPIToken{Name: "x", Scopes: 1 << 6, ExpiresAt: now.Add(time.Hour)}, "scopes"},
				{"no expiry", helpdesk.NewAPIToken{Name: "x", Scopes: rw}, "expires_at"},
				{"expired", helpdesk.NewAPIToken{Name: "x", Scopes: rw, ExpiresAt: now}, "expires_at"},
				{"over a year", helpdesk.NewAPIToken{Name: "x", Scopes: rw, ExpiresAt: now.AddDate(1, 0, 0).Add(time.Second)}, "expires_at"},
			} {
				t.Run(c.name, func(t *testing.T) {
					_, _, err := f.desk.CreateAPIToken(ctx, f.agent, c.in)
					var ve *helpdesk.ValidationError
					require.ErrorAs(t, err, &ve)
					assert.Equal(t, c.field, ve.Field)
				})
			}
		})

		t.Run("who may", func(t *testing.T) {
			in := helpdesk.NewAPIToken{Name: "x", Scopes: tenant.ScopeRead, ExpiresAt: f.clock.Now().Add(time.Hour)}
			readToken := f.agent
			readToken.Scopes = tenant.ScopeRead
			adminToken := f.admin
			adminToken.Scopes = tenant.ScopeAdmin
			for _, c := range []struct {
				name  string
				actor tenant.Actor
				want  helpdesk.ErrorKind
			}{
				{"code holder", f.holder, helpdesk.KindForbidden},
				{"system", f.system, helpdesk.KindForbidden},
				{"a read token", readToken, helpdesk.KindForbidden},
				{"customer user", f.userX, ""},
				{"an admin token", adminToken, ""},
			} {
				t.Run(c.name, func(t *testing.T) {
					_, _, err := f.desk.CreateAPIToken(ctx, c.actor, in)
					assert.Equal(t, c.want, helpdesk.KindOf(err), "%v", err)
				})
			}
		})

		t.Run("a token acts within its scopes", func(t *testing.T) {
			_, plain := f.newToken(t, f.admin, "reader", tenant.ScopeRead)
			actor, err := f.desk.AuthenticateAPIToken(ctx, plain)
			require.NoError(t, err)
			_, err = f.desk.CreateCustomer(ctx, actor, helpdesk.NewCustomer{Name: "Read-only Inc"})
			assert.ErrorIs(t, err, helpdesk.ErrForbidden, "an admin's read token creates no customer")
			_, err = f.desk.Customers(ctx, actor)
			assert.NoError(t, err, "but lists them")
		})

		t.Run("revoke", func(t *testing.T) {
			tok, plain := f.newToken(t, f.agent, "to revoke", rw)
			other := f.addTenant(t, "Other Service", "OS")
			assert.ErrorIs(t, f.desk.RevokeAPIToken(ctx, f.agent2, tok.ID), storage.ErrNotFound, "another user's")
			assert.ErrorIs(t, f.desk.RevokeAPIToken(ctx, other.admin, tok.ID), storage.ErrNotFound, "another tenant's")
			assert.ErrorIs(t, f.desk.RevokeAPIToken(ctx, f.agent, uuid.New()), storage.ErrNotFound, "no such token")
			_, err := f.desk.AuthenticateAPIToken(ctx, plain)
			require.NoError(t, err, "still works")
			require.NoError(t, f.desk.RevokeAPIToken(ctx, f.agent, tok.ID))
			_, err = f.desk.AuthenticateAPIToken(ctx, plain)
			assert.ErrorIs(t, err, helpdesk.ErrUnauthenticated)
			assert.NoError(t, f.desk.RevokeAPIToken(ctx, f.agent, tok.ID), "again")
		})

		t.Run("refused secrets", func(t *testing.T) {
			_, plain := f.newToken(t, f.agent, "short-lived", rw)
			deactivated := f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleAgent, "Dee Parting")
			_, gone := f.newToken(t, deactivated, "gone", rw)
			_, err := f.desk.DeactivateUser(ctx, f.admin, deactivated.UserID)
			require.NoError(t, err)
			// Authentication checks the user on every call, whatever became of the token.
			inactive := f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleAgent, "Ina Active")
			_, stale := f.newToken(t, inactive, "stale", rw)
			u, err := f.store.GetUser(ctx, f.tenant.ID, inactive.UserID)
			require.NoError(t, err)
			u.Status = tenant.UserDeactivated
			require.NoError(t, f.store.UpdateUser(ctx, u))
			for _, c := range []struct{ name, secret string }{
				{"empty", ""},
				{"no prefix", strings.TrimPrefix(plain, helpdesk.APITokenPrefix)},
				{"malformed", "hdt_!!"},
				{"unknown", helpdesk.APITokenPrefix + strings.Repeat("A", 43)},
				{"user deactivated", gone},
				{"user not active", stale},
			} {
				t.Run(c.name, func(t *testing.T) {
					_, err := f.desk.AuthenticateAPIToken(ctx, c.secret)
					assert.ErrorIs(t, err, helpdesk.ErrUnauthenticated)
					assert.Equal(t, helpdesk.KindUnauthenticated, helpdesk.KindOf(err))
				})
			}
			list, err := f.desk.APITokens(ctx, deactivated)
			require.NoError(t, err)
			require.Len(t, list, 1)
			assert.NotNil(t, list[0].RevokedAt, "deactivation revokes the user's tokens")

			f.clock.Advance(90 * 24 * time.Hour)
			_, err = f.desk.AuthenticateAPIToken(ctx, plain)
			assert.ErrorIs(t, err, helpdesk.ErrUnauthenticated, "expired")
		})

		t.Run("cap", func(t *testing.T) {
			capped := f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleAgent, "Cap Tain")
			var first *tenant.APIToken
			for i := range helpdesk.MaxAPITokens {
				tok, _ := f.newToken(t, capped, "t", tenant.ScopeRead)
				if i == 0 {
					first = tok
				}
			}
			in := helpdesk.NewAPIToken{Name: "one more", Scopes: tenant.ScopeRead, ExpiresAt: f.clock.Now().Add(time.Hour)}
			_, _, err := f.desk.CreateAPIToken(ctx, capped, in)
			assert.ErrorIs(t, err, helpdesk.ErrTooManyAPITokens)
			assert.Equal(t, helpdesk.KindConflict, helpdesk.KindOf(err))
			require.NoError(t, f.desk.RevokeAPIToken(ctx, capped, first.ID))
			_, _, err = f.desk.CreateAPIToken(ctx, capped, in)
			assert.NoError(t, err, "revoked tokens do not count")
		})
	})
}
