package api_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tokenRecords makes a token of the second tenant's admin ("api_token:other").
func tokenRecords(t *testing.T, w *world) {
	t.Helper()
	tk, _, err := w.desk.CreateAPIToken(t.Context(), w.actors["other_admin"], helpdesk.NewAPIToken{Name: "Other tenant's token",
		Scopes: tenant.ScopeRead, ExpiresAt: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	w.ids["api_token:other"] = tk.ID
}

func tokenScenarios() map[string][]scenario {
	expires := time.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)
	return map[string][]scenario{
		"listAPITokens": {{name: "own", path: "/me/tokens", want: statuses(http.StatusOK, 0, people...)}},
		"createAPIToken": {{name: "read only", path: "/me/tokens",
			body: `{"name":"Monitoring","scopes":["read"],"expires_at":"` + expires + `"}`,
			want: statuses(http.StatusCreated, 0, people...),
			check: func(t *testing.T, w *world, as string, a answer) {
				var got struct {
					Token  string
					Scopes []string
				}
				require.NoError(t, json.Unmarshal([]byte(a.body), &got))
				assert.Regexp(t, `^hdt_`, got.Token)
				assert.Equal(t, []string{"read"}, got.Scopes)
				assert.Equal(t, "no-store", a.Header.Get("Cache-Control"))
				actor, err := w.desk.AuthenticateAPIToken(t.Context(), got.Token)
				require.NoError(t, err)
				assert.Equal(t, w.actors[as].UserID, actor.UserID)
			}}},
		// The admin revokes a token of their own; for everyone else it is somebody else's.
		"revokeAPIToken": {{name: "the admin's", path: "/me/tokens/{api_token:admins}",
			setup: func(t *testing.T, w *world) {
				tk, _, err := w.desk.CreateAPIToken(t.Context(), w.actors["admin"], helpdesk.NewAPIToken{Name: "Old",
					Scopes: tenant.ScopeRead, ExpiresAt: time.Now().Add(time.Hour)})
				require.NoError(t, err)
				w.ids["api_token:admins"] = tk.ID
			},
			want: with(statuses(http.StatusNotFound, 0, people...), "admin", http.StatusNoContent)}},
	}
}

// TestTokenScopes checks that a token's scopes narrow its user's rights and never widen them,
// and that a token dies with its user's deactivation.
func TestTokenScopes(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		w := newWorld(t, e)
		ctx := t.Context()
		mint := func(as string, scopes tenant.Scopes) string {
			_, secret, err := w.desk.CreateAPIToken(ctx, w.actors[as], helpdesk.NewAPIToken{Name: "Scoped",
				Scopes: scopes, ExpiresAt: time.Now().Add(time.Hour)})
			require.NoError(t, err)
			return secret
		}
		w.tokens["agent-read"] = mint("agent", tenant.ScopeRead)
		w.tokens["agent-write"] = mint("agent", tenant.ScopeWrite)
		w.tokens["agent-admin"] = mint("agent", tenant.ScopeAdmin)
		w.tokens["admin-write"] = mint("admin", tenant.ScopeWrite)
		w.tokens["admin-admin"] = mint("admin", tenant.ScopeAdmin)
		msg := `{"body":"Scoped"}`
		for _, c := range []struct {
			as, method, path, body string
			want                   int
		}{
			{"agent-read", http.MethodGet, "/tickets/{ticket:x}", "", http.StatusOK},
			{"agent-read", http.MethodPost, "/tickets/{ticket:x}/messages", msg, http.StatusForbidden},
			{"agent-write", http.MethodPost, "/tickets/{ticket:x}/messages", msg, http.StatusCreated},
			// An admin scope adds nothing to what an agent may do.
			{"agent-admin", http.MethodDelete, "/tickets/{ticket:x2}", "", http.StatusForbidden},
			{"admin-write", http.MethodDelete, "/tickets/{ticket:x2}", "", http.StatusForbidden},
			{"admin-admin", http.MethodDelete, "/tickets/{ticket:x2}", "", http.StatusNoContent},
		} {
			a := w.call(t, c.as, c.method, c.path, c.body)
			assert.Equal(t, c.want, a.StatusCode, "%s %s as %s: %s", c.method, c.path, c.as, a.body)
		}
		// A token never makes a token with more scopes than its own.
		over := w.call(t, "agent-read", http.MethodPost, "/me/tokens",
			`{"name":"Wider","scopes":["write"],"expires_at":"`+time.Now().Add(time.Hour).UTC().Format(time.RFC3339)+`"}`)
		assert.Contains(t, []int{http.StatusForbidden, http.StatusUnprocessableEntity}, over.StatusCode, over.body)

		// Deactivating the user ends their tokens at once.
		_, err := w.desk.DeactivateUser(ctx, w.actors["admin"], w.actors["agent"].UserID)
		require.NoError(t, err)
		gone := w.call(t, "agent-write", http.MethodGet, "/tickets", "")
		assert.Equal(t, http.StatusUnauthorized, gone.StatusCode)
	})
}
