// API tokens: credentials a user makes for themself to call the API as themself, narrowed to
// scopes.

package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// APITokenPrefix starts every API token's secret, so that secret scanners (and people) can
// recognise a leaked one.
const APITokenPrefix = "hdt_"

// MaxAPITokens is how many live (neither revoked nor expired) API tokens one user may hold.
const MaxAPITokens = 50

// maxAPITokenName bounds a token's name, in characters.
const maxAPITokenName = 100

// apiTokenTouchEvery is how often at most a token's LastUsedAt is written: not on every request.
const apiTokenTouchEvery = time.Minute

// ErrTooManyAPITokens means the user holds MaxAPITokens live API tokens already: revoke one
// first. It is also a storage.ErrConflict.
var ErrTooManyAPITokens error = &kindError{
	msg: fmt.Sprintf("at most %d live API tokens per user", MaxAPITokens), of: storage.ErrConflict}

// NewAPIToken describes an API token to create.
type NewAPIToken struct {
	// Name is the user's label for the token, such as "ERP import"; required, at most 100
	// characters.
	Name string
	// Scopes are what the token allows; at least one.
	Scopes tenant.Scopes
	// ExpiresAt is when the token stops working: in the future, at most a year ahead (the
	// same time on the same date next year).
	ExpiresAt time.Time
}

// CreateAPIToken makes an API token for the acting user (employees and customer users make
// tokens for themselves only) and returns it with its secret: APITokenPrefix and 32 random
// bytes in base64url. The secret is shown this once; only its SHA-256 hash is stored. A token
// acts as its user within Scopes (AuthenticateAPIToken), never with more rights than the user.
// The audit log records the creation.
//
// Errors: ErrForbidden for other actors, and for a token actor asking for scopes beyond its
// own or without the admin scope; a *ValidationError for "name" (empty or longer than 100
// characters), "scopes" (none or unknown) or "expires_at" (not in the future, or more than a
// year ahead); ErrTooManyAPITokens when the user holds MaxAPITokens live
// tokens.
func (d *Desk) CreateAPIToken(ctx context.Context, actor tenant.Actor, in NewAPIToken) (*tenant.APIToken, string, error) {
	fail := func(err error) (*tenant.APIToken, string, error) {
		return nil, "", fmt.Errorf("create API token: %w", err)
	}
	tid, err := authorize(actor, tenant.ActAPITokens)
	if err != nil {
		return fail(err)
	}
	now := d.clock()
	tok, err := d.checkAPIToken(actor, in, now)
	if err != nil {
		return fail(err)
	}
	tok.ID, tok.TenantID, tok.UserID, tok.CreatedAt = newID(), tid, actor.UserID, now
	plain := APITokenPrefix + secret.NewToken()
	err = d.inTx(ctx, func(q storage.Queries) error {
		held, err := q.ListAPITokens(ctx, tid, actor.UserID)
		if err != nil {
			return err
		}
		live := 0
		for _, t := range held {
			if t.Live(now) {
				live++
			}
		}
		if live >= MaxAPITokens {
			return ErrTooManyAPITokens
		}
		if err := q.CreateAPIToken(ctx, tok, secret.Hash(plain)); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "api_token.created", "api_token", tok.ID,
			fmt.Sprintf("%s (%s)", tok.Name, strings.Join(tok.Scopes.Strings(), ", ")))
	})
	if err != nil {
		return fail(err)
	}
	return tok, plain, nil
}

// checkAPIToken validates in and returns it as a token (without IDs).
func (d *Desk) checkAPIToken(actor tenant.Actor, in NewAPIToken, now time.Time) (*tenant.APIToken, error) {
	name := strings.TrimSpace(in.Name)
	switch {
	case name == "":
		return nil, invalid("name", "is required")
	case len([]rune(name)) > maxAPITokenName:
		return nil, invalid("name", "is longer than %d characters", maxAPITokenName)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return nil, invalid("name", "contains control characters")
	case in.Scopes == 0:
		return nil, invalid("scopes", "at least one scope is required")
	case !in.Scopes.Valid():
		return nil, invalid("scopes", "contains an unknown scope")
	case in.ExpiresAt.IsZero():
		return nil, invalid("expires_at", "is required")
	case !in.ExpiresAt.After(now):
		return nil, invalid("expires_at", "is not in the future")
	case in.ExpiresAt.After(now.AddDate(1, 0, 0)):
		return nil, invalid("expires_at", "is more than a year ahead")
	}
	// A token may make tokens (with the admin scope), but never one that can do more than it.
	if actor.Scopes != 0 && !in.Scopes.Within(actor.Scopes) {
		return nil, fmt.Errorf("%w: a token with the scopes %v cannot make one with %v", ErrForbidden,
			actor.Scopes.Strings(), in.Scopes.Strings())
	}
	return &tenant.APIToken{Name: name, Scopes: in.Scopes, ExpiresAt: in.ExpiresAt.UTC().Truncate(time.Microsecond)}, nil
}

// APITokens lists the acting user's own API tokens, revoked and expired ones included, newest
// first. Returns ErrForbidden for actors other than employees and customer users, and for
// token actors without the admin scope.
func (d *Desk) APITokens(ctx context.Context, actor tenant.Actor) ([]*tenant.APIToken, error) {
	tid, err := authorize(actor, tenant.ActAPITokens)
	if err != nil {
		return nil, fmt.Errorf("API tokens: %w", err)
	}
	toks, err := d.store.ListAPITokens(ctx, tid, actor.UserID)
	if err != nil {
		return nil, fmt.Errorf("API tokens: %w", err)
	}
	return toks, nil
}

// RevokeAPIToken revokes one of the acting user's own API tokens: it stops working at once.
// Revoking a revoked token again changes nothing. The audit log records the revocation.
// Errors: ErrForbidden for actors other than employees and customer users, and for token
// actors without the admin scope; ErrNotFound when id is not one of the actor's own tokens
// (another user's or another tenant's is not found either).
func (d *Desk) RevokeAPIToken(ctx context.Context, actor tenant.Actor, id uuid.UUID) error {
	tid, err := authorize(actor, tenant.ActAPITokens)
	if err != nil {
		return fmt.Errorf("revoke API token %s: %w", id, err)
	}
	err = d.inTx(ctx, func(q storage.Queries) error {
		if err := q.RevokeAPIToken(ctx, tid, actor.UserID, id, d.clock()); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "api_token.revoked", "api_token", id, "")
	})
	if errors.Is(err, storage.ErrConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("revoke API token %s: %w", id, err)
	}
	return nil
}

// AuthenticateAPIToken returns the actor an API token's secret acts as: its user's actor, as
// Authenticate gives it for a sign-in session, with the token's Scopes. It records the
// token's use (LastUsedAt), at most once a minute per token.
//
// Returns an error wrapping ErrUnauthenticated for a malformed or unknown secret, a revoked
// or expired token, and a token whose user is not active (deactivated, or still invited) or
// no longer exists: a token never outlives its user's deactivation. Every secret costs one
// lookup by its hash, malformed or not, so the answer's timing tells nothing about its form.
func (d *Desk) AuthenticateAPIToken(ctx context.Context, plain string) (tenant.Actor, error) {
	fail := func(reason string) (tenant.Actor, error) {
		return tenant.Actor{}, fmt.Errorf("authenticate API token: %w: %s", ErrUnauthenticated, reason)
	}
	tok, u, err := d.store.GetAPITokenByHash(ctx, secret.Hash(plain))
	switch {
	case isNotFound(err):
		return fail("unknown token")
	case err != nil:
		return tenant.Actor{}, fmt.Errorf("authenticate API token: %w", err)
	case !strings.HasPrefix(plain, APITokenPrefix):
		// Unreachable for secrets CreateAPIToken made; checked all the same, after the lookup.
		return fail("malformed token")
	case tok.RevokedAt != nil:
		return fail("the token was revoked")
	}
	now := d.clock()
	if !now.Before(tok.ExpiresAt) {
		return fail("the token expired")
	}
	if u.Status != tenant.UserActive {
		return fail("the account is " + string(u.Status))
	}
	if tok.LastUsedAt == nil || !tok.LastUsedAt.After(now.Add(-apiTokenTouchEvery)) {
		// The request goes on if the write fails: the time is a hint for the user, not a rule.
		if _, err := d.store.TouchAPIToken(ctx, tok.TenantID, tok.ID, now, apiTokenTouchEvery); err != nil &&
			!isNotFound(err) {
			d.cfg.Logger.Warn("helpdesk: record an API token's use", "token", tok.ID, "error", err)
		}
	}
	a := u.Actor()
	a.Scopes = tok.Scopes
	return a, nil
}
