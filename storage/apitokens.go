package storage

import (
	"context"
	"time"

	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// APITokens stores users' API tokens by the SHA-256 hash of their secret; the secret itself is
// never stored.
type APITokens interface {
	// CreateAPIToken inserts t, whose ID and timestamps the caller sets, with the hash of its
	// secret. Returns ErrConflict if the ID or the hash is taken, and ErrNotFound if the
	// tenant has no user t.UserID.
	CreateAPIToken(ctx context.Context, t *tenant.APIToken, secretHash string) error
	// ListAPITokens returns the user's tokens, revoked and expired ones included, newest first.
	ListAPITokens(ctx context.Context, tenantID, userID uuid.UUID) ([]*tenant.APIToken, error)
	// GetAPITokenByHash finds a token by the hash of its secret, whatever its tenant, revoked or
	// expired or not, with the token's user as stored now. Returns ErrNotFound if no token has
	// the hash, or its user no longer exists.
	GetAPITokenByHash(ctx context.Context, secretHash string) (*tenant.APIToken, *tenant.User, error)
	// RevokeAPIToken sets the RevokedAt of the user's token id to at. Returns ErrNotFound if the
	// user has no such token, and ErrConflict if it was revoked already (RevokedAt stays).
	RevokeAPIToken(ctx context.Context, tenantID, userID, id uuid.UUID, at time.Time) error
	// RevokeUserAPITokens revokes every token of the user not revoked yet, at at, and returns
	// how many it revoked.
	RevokeUserAPITokens(ctx context.Context, tenantID, userID uuid.UUID, at time.Time) (int, error)
	// TouchAPIToken sets the token's LastUsedAt to at unless it is already after
	// at.Add(-every), so that instances authenticating the same token at once write it once,
	// and reports whether it wrote. Returns ErrNotFound if the tenant has no such token.
	TouchAPIToken(ctx context.Context, tenantID, id uuid.UUID, at time.Time, every time.Duration) (bool, error)
}

// IdempotencyRecord is one claim of an idempotency key: a request that a principal (a user, a
// code, a request link, a requester's ticket) sent with the key, and, once it finished, its
// response, which a retry with the same key replays.
type IdempotencyRecord struct {
	TenantID uuid.UUID
	// Principal names who sent the request, as "user:<id>"; keys are theirs alone.
	Principal string
	Key       string
	// Fingerprint identifies the request (method, path, body); a retry must bring the same.
	Fingerprint string
	// CreatedAt is when the key was claimed; LockedUntil is when an unfinished claim's lease
	// runs out and another request may take the key over.
	CreatedAt   time.Time
	LockedUntil time.Time
	// Committed says the request's change is in the database (CommitIdempotencyKey, in the
	// change's transaction): an unfinished claim that is committed is never taken over.
	Committed bool
	// Done says the response below is stored.
	Done   bool
	Status int
	Header map[string]string
	Body   []byte
}

// Idempotency stores idempotency keys and the responses of the requests that claimed them. The
// claim is one insert on the unique (tenant, principal, key), so any number of instances agree
// on who runs a request.
type Idempotency interface {
	// ClaimIdempotencyKey claims r's key for r's principal: it inserts r (Done false), or takes
	// over the existing record when that was created at or before staleBefore (it counts as
	// absent), or when it is unfinished and not committed, its lease ran out (LockedUntil at or
	// before r.CreatedAt) and its Fingerprint is r's. It returns nil when r now holds the key,
	// and otherwise the record that holds it, as stored.
	ClaimIdempotencyKey(ctx context.Context, r *IdempotencyRecord, staleBefore time.Time) (*IdempotencyRecord, error)
	// CommitIdempotencyKey marks an unfinished claim Committed. Call it in the transaction of
	// the request's change, so that the mark and the change are stored together: a claim whose
	// process dies after the change and before FinishIdempotencyKey is then never taken over,
	// and the request never runs twice. Returns ErrNotFound if the principal holds no
	// unfinished claim of key.
	CommitIdempotencyKey(ctx context.Context, tenantID uuid.UUID, principal, key string) error
	// FinishIdempotencyKey stores the response of an unfinished claim and marks it Done.
	// Returns ErrNotFound if the principal holds no unfinished claim of key.
	FinishIdempotencyKey(ctx context.Context, tenantID uuid.UUID, principal, key string, status int,
		header map[string]string, body []byte) error
	// DeleteIdempotencyKey removes an unfinished claim that is not committed, so that a retry
	// runs the request again. A committed claim stays: its change is stored even if the request
	// failed after all (its connection lost during the commit, say), and a retry must not run
	// it twice. Returns ErrNotFound if the principal holds no unfinished, uncommitted claim of
	// key.
	DeleteIdempotencyKey(ctx context.Context, tenantID uuid.UUID, principal, key string) error
}
