package api

import (
	"net/http"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// APIToken is one of the caller's API tokens. Its secret is shown once, when made.
type APIToken struct {
	ID         uuid.UUID  `json:"id"`
	Name       string     `json:"name"`
	Scopes     []string   `json:"scopes" doc:"read, write and/or admin: what the token may do of what its user may"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty" doc:"to the minute"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

func tokenOf(t *tenant.APIToken) APIToken {
	return APIToken{ID: t.ID, Name: t.Name, Scopes: t.Scopes.Strings(), CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt,
		LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
}

// CreatedAPIToken is a new token with its secret, which only this answer carries.
type CreatedAPIToken struct {
	APIToken
	Token string `json:"token" doc:"the secret (hdt_…), shown this once: send it as Authorization: Bearer <token>"`
}

// NewAPITokenBody makes a token.
type NewAPITokenBody struct {
	Name      string    `json:"name"`
	Scopes    []string  `json:"scopes" doc:"read, write and/or admin"`
	ExpiresAt time.Time `json:"expires_at" doc:"at most a year ahead"`
}

func tokenOps() []operation {
	const tag = "API tokens"
	return []operation{
		op(http.MethodGet, "/me/tokens", "listAPITokens", tag, "List your API tokens, newest first",
			func(c *call, _ *struct{}) (Page[APIToken], error) {
				ts, err := c.h.desk.APITokens(c.ctx, c.actor)
				return listOf(ts, tokenOf), err
			}),
		op(http.MethodPost, "/me/tokens", "createAPIToken", tag, "Make an API token for yourself",
			func(c *call, in *struct{ Body NewAPITokenBody }) (CreatedAPIToken, error) {
				var scopes tenant.Scopes
				for _, s := range in.Body.Scopes {
					sc, err := tenant.ParseScope(s)
					if err != nil {
						return CreatedAPIToken{}, badInput("scopes", "unknown scope "+s+" (read, write or admin)")
					}
					scopes |= sc
				}
				t, secret, err := c.h.desk.CreateAPIToken(c.ctx, c.actor, helpdesk.NewAPIToken{Name: in.Body.Name,
					Scopes: scopes, ExpiresAt: in.Body.ExpiresAt})
				if err != nil {
					return CreatedAPIToken{}, err
				}
				return CreatedAPIToken{APIToken: tokenOf(t), Token: secret}, nil
			}).once(),
		op(http.MethodDelete, "/me/tokens/{id}", "revokeAPIToken", tag, "Revoke one of your API tokens",
			func(c *call, in *idIn) (noContent, error) {
				return noContent{}, c.h.desk.RevokeAPIToken(c.ctx, c.actor, in.ID)
			}),
	}
}
