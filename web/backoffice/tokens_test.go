package backoffice_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// token creates an API token for a, named name, and returns its ID.
func (w *world) token(t *testing.T, a tenant.Actor, name string) uuid.UUID {
	t.Helper()
	tok, _, err := w.desk.CreateAPIToken(t.Context(), a, helpdesk.NewAPIToken{Name: name, Scopes: tenant.ScopeRead,
		ExpiresAt: time.Now().Add(24 * time.Hour)})
	require.NoError(t, err)
	return tok.ID
}

// tokenForm is the new-token form: name, scopes, expiry in days from today.
func tokenForm(name string, days int, scopes ...string) url.Values {
	return url.Values{"name": {name}, "scope": scopes,
		"expires": {time.Now().UTC().AddDate(0, 0, days).Format("2006-01-02")}}
}

// tokenRoutes are this module's routes in the walks of routes_test.go.
func tokenRoutes() module {
	return module{
		"GET /profile/tokens": {target: func(*testing.T, *world, string) (string, url.Values) {
			return "/profile/tokens", nil
		}, want: every(200)},
		"POST /profile/tokens": {target: func(_ *testing.T, _ *world, who string) (string, url.Values) {
			return "/profile/tokens", tokenForm("walk of "+who, 30, "read")
		}, want: every(200)},
		"POST /profile/tokens/{id}/revoke": {
			target: func(t *testing.T, w *world, who string) (string, url.Values) {
				id := uuid.New()
				if who != "" {
					id = w.token(t, w.actors[who], "Walk token")
				}
				return "/profile/tokens/" + id.String() + "/revoke", url.Values{}
			},
			want: every(303),
			foreign: func(t *testing.T, w *world, who string) (string, url.Values) {
				a, name := w.admin2, "Other tenant's token"
				if who == "customer_user" {
					a, name = w.actors["customer_user_y"], "Yarrow token"
				}
				return "/profile/tokens/" + w.token(t, a, name).String() + "/revoke", url.Values{}
			}},
	}
}

var secretField = regexp.MustCompile(`id="token-secret"[^>]*>(hdt_[A-Za-z0-9_-]{43})</textarea>`)

// A token made on the page works with the API until it is revoked on the page.
func TestTokensPage(t *testing.T) {
	w := newWorld(t)
	agent := w.client(t, "agent")
	ctx := t.Context()

	res, body := do(t, agent, "GET", w.srv.URL+"/profile", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, body, `href="/profile/tokens"`, "the profile links the page")

	res, body = do(t, agent, "GET", w.srv.URL+"/profile/tokens", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.NotContains(t, body, `value="admin"`, "an agent's admin token could do no more than a write token")
	_, body = do(t, w.client(t, "admin"), "GET", w.srv.URL+"/profile/tokens", nil)
	assert.Contains(t, body, `value="admin"`)
	_, body = do(t, w.client(t, "customer_user"), "GET", w.srv.URL+"/profile/tokens", nil)
	assert.NotContains(t, body, `value="admin"`)

	t.Run("refused input keeps the form", func(t *testing.T) {
		for name, c := range map[string]struct {
			form url.Values
			want string
		}{
			"no scope":   {tokenForm("CI", 30), "scopes"},
			"no name":    {tokenForm("", 30, "read"), "name"},
			"past":       {tokenForm("CI", -1, "read"), "expires_at"},
			"two years":  {tokenForm("CI", 800, "read"), "expires_at"},
			"not a date": {url.Values{"name": {"CI"}, "scope": {"read"}, "expires": {"soon"}}, "expires_at"},
		} {
			t.Run(name, func(t *testing.T) {
				res, body := do(t, agent, "POST", w.srv.URL+"/profile/tokens", c.form)
				assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
				assert.Contains(t, body, `role="alert"`)
				assert.NotContains(t, body, `id="token-secret"`)
			})
		}
	})

	res, body = do(t, agent, "POST", w.srv.URL+"/profile/tokens", tokenForm("Nightly export", 30, "read", "write"))
	require.Equal(t, http.StatusOK, res.StatusCode, "the secret is on the answer, not behind a redirect")
	assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	m := secretField.FindStringSubmatch(body)
	require.NotNil(t, m, body)
	actor, err := w.desk.AuthenticateAPIToken(ctx, m[1])
	require.NoError(t, err)
	assert.Equal(t, w.actors["agent"].UserID, actor.UserID)
	assert.Equal(t, tenant.ScopeRead|tenant.ScopeWrite, actor.Scopes)

	_, body = do(t, agent, "GET", w.srv.URL+"/profile/tokens", nil)
	assert.Contains(t, body, "Nightly export")
	assert.NotContains(t, body, m[1], "shown once")

	toks, err := w.desk.APITokens(ctx, w.actors["agent"])
	require.NoError(t, err)
	require.NotEmpty(t, toks)
	res, _ = do(t, agent, "POST", w.srv.URL+"/profile/tokens/"+toks[0].ID.String()+"/revoke", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, err = w.desk.AuthenticateAPIToken(ctx, m[1])
	assert.ErrorIs(t, err, helpdesk.ErrUnauthenticated, "revoked on the page")
	res, _ = do(t, agent, "POST", w.srv.URL+"/profile/tokens/not-an-id/revoke", url.Values{})
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
}
