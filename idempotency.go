// Idempotency keys: a client retrying a request with the same key gets the first answer, and
// the request runs once, whichever instance each attempt reaches.

package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// IdempotencyLease is how long a claim of an idempotency key holds it while its request runs;
// a claim whose lease ran out (its instance died) is taken over by the next retry, unless the
// request's change was stored (see WithIdempotencyKey).
const IdempotencyLease = time.Minute

// IdempotencyRetention is how long a key and its response are kept: older records count as
// absent.
const IdempotencyRetention = 24 * time.Hour

// maxIdempotencyKey bounds a key, in bytes.
const maxIdempotencyKey = 255

// Errors of BeginIdempotent.
var (
	// ErrIdempotencyMismatch means the key was used before with another request (another
	// fingerprint). It is also an ErrInvalid: the client must use a new key.
	ErrIdempotencyMismatch error = &kindError{msg: "idempotency key reused for another request", of: ErrInvalid}
	// ErrIdempotencyInProgress means a request with the key is still running (its lease has
	// not run out). It is also a storage.ErrConflict: retry later.
	ErrIdempotencyInProgress error = &kindError{msg: "a request with this idempotency key is in progress",
		of: storage.ErrConflict}
	// ErrIdempotencyAnswerLost means the request with the key was carried out (its change is
	// in the database) but its process stopped before keeping its answer: the request does
	// not run again, and its answer is lost. It is also a storage.ErrConflict: the client looks
	// the result up instead of retrying (a new key would run the request a second time).
	ErrIdempotencyAnswerLost error = &kindError{msg: "the request with this idempotency key was carried out, " +
		"but its server stopped before keeping the answer; it does not run again", of: storage.ErrConflict}
)

// idempotencyClaim is a claim of an idempotency key that a request runs under
// (WithIdempotencyKey).
type idempotencyClaim struct {
	tenantID       uuid.UUID
	principal, key string
}

type idempotencyClaimKey struct{}

// WithIdempotencyKey returns ctx carrying the actor's claim of key, which BeginIdempotent gave
// the caller: every Desk transaction run with the returned context marks the claim carried out
// in the same transaction as its change. A retry after the lease then never runs the request
// again once its change is stored, even when the process died before FinishIdempotent: it gets
// ErrIdempotencyAnswerLost. An actor outside any tenant or a malformed key leave ctx as it is
// (BeginIdempotent refused them).
func WithIdempotencyKey(ctx context.Context, actor tenant.Actor, key string) context.Context {
	p, err := principal(actor)
	if err != nil || checkIdempotencyKey(key) != nil {
		return ctx
	}
	return context.WithValue(ctx, idempotencyClaimKey{}, idempotencyClaim{tenantID: actor.TenantID, principal: p, key: key})
}

// commitIdempotencyKey marks ctx's claim (WithIdempotencyKey), if any, carried out within q's
// transaction. A claim that is no longer unfinished is not an error: the request's transaction
// goes on as it would without a key.
func commitIdempotencyKey(ctx context.Context, q storage.Queries) error {
	c, ok := ctx.Value(idempotencyClaimKey{}).(idempotencyClaim)
	if !ok {
		return nil
	}
	if err := q.CommitIdempotencyKey(ctx, c.tenantID, c.principal, c.key); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("commit idempotency key: %w", err)
	}
	return nil
}

// StoredResponse is the response of a request that claimed an idempotency key, replayed to
// the retries that bring the same key.
type StoredResponse struct {
	Status int
	// Header holds the response's headers worth replaying (Content-Type, Location, ETag).
	Header map[string]string
	Body   []byte
}

// BeginIdempotent claims key for the actor before a request runs. fingerprint identifies the
// request (say, a hash of its method, path and body), so that a key is not reused for another
// request. It returns (nil, nil) when the caller now holds the key and must run the request,
// then FinishIdempotent with its response or AbandonIdempotent; and the stored response when
// the request finished before, which the caller replays instead. Keys are each actor's
// (principal's) own within the tenant; records older than IdempotencyRetention count as
// absent; a claim whose IdempotencyLease ran out is taken over.
//
// Errors: tenant.ErrInvalidActor for an actor outside any tenant; a *ValidationError
// ("Idempotency-Key") for a key that is empty, longer than 255 bytes or not printable ASCII;
// ErrIdempotencyMismatch when the key came with another fingerprint; ErrIdempotencyInProgress
// while another request holds the key; ErrIdempotencyAnswerLost when the request holding it
// was carried out under WithIdempotencyKey but its process stopped before FinishIdempotent.
func (d *Desk) BeginIdempotent(ctx context.Context, actor tenant.Actor, key, fingerprint string) (*StoredResponse, error) {
	fail := func(err error) (*StoredResponse, error) { return nil, fmt.Errorf("begin idempotent request: %w", err) }
	p, err := principal(actor)
	if err != nil {
		return fail(err)
	}
	if err := checkIdempotencyKey(key); err != nil {
		return fail(err)
	}
	now := d.clock()
	held, err := d.store.ClaimIdempotencyKey(ctx, &storage.IdempotencyRecord{TenantID: actor.TenantID, Principal: p,
		Key: key, Fingerprint: fingerprint, CreatedAt: now, LockedUntil: now.Add(IdempotencyLease)},
		now.Add(-IdempotencyRetention))
	switch {
	case err != nil:
		return fail(err)
	case held == nil:
		return nil, nil
	case held.Fingerprint != fingerprint:
		return fail(ErrIdempotencyMismatch)
	case !held.Done && held.Committed && !now.Before(held.LockedUntil):
		return fail(ErrIdempotencyAnswerLost)
	case !held.Done:
		return fail(fmt.Errorf("%w (until %s)", ErrIdempotencyInProgress, held.LockedUntil.Format(time.RFC3339)))
	}
	body, err := secret.Open(d.cfg.SecretKeys, string(held.Body), idempotencyAD(actor.TenantID, p, key))
	if err != nil {
		return fail(fmt.Errorf("open the stored response: %w", err))
	}
	return &StoredResponse{Status: held.Status, Header: maps.Clone(held.Header), Body: body}, nil
}

// idempotencyAD binds a sealed response to its tenant, principal and key, so that no row's
// response can be replayed as another's.
func idempotencyAD(tenantID uuid.UUID, principal, key string) []byte {
	return []byte("idempotency\x00" + tenantID.String() + "\x00" + principal + "\x00" + key)
}

// FinishIdempotent stores the response of the request that claimed key (BeginIdempotent), for
// retries to replay. The body is sealed under the Desk's master key (Config.SecretKeys): a
// response may carry what is shown once (a new requester link, an API token, a signing
// secret), which must not lie in the database in the clear for the day it is kept. Errors: tenant.ErrInvalidActor for an actor outside any tenant; a
// *ValidationError for a malformed key; ErrNotFound when the actor holds no unfinished claim
// of key (it was finished or abandoned, or a day passed).
func (d *Desk) FinishIdempotent(ctx context.Context, actor tenant.Actor, key string, resp StoredResponse) error {
	p, err := principal(actor)
	if err == nil {
		err = checkIdempotencyKey(key)
	}
	if err == nil {
		sealed := secret.Seal(d.cfg.SecretKeys[0], resp.Body, idempotencyAD(actor.TenantID, p, key))
		err = d.store.FinishIdempotencyKey(ctx, actor.TenantID, p, key, resp.Status, resp.Header, []byte(sealed))
	}
	if err != nil {
		return fmt.Errorf("finish idempotent request: %w", err)
	}
	return nil
}

// AbandonIdempotent gives up the actor's unfinished claim of key, so that a retry runs the
// request again (after a server error, say). A claim whose change was committed stays (the
// request failed after its change was stored: its connection was lost during the commit, say),
// so its retry is told "carried out, answer lost" rather than run twice. Abandoning a key the
// actor does not hold is not an error. Errors: tenant.ErrInvalidActor for an actor outside any tenant; a
// *ValidationError for a malformed key.
func (d *Desk) AbandonIdempotent(ctx context.Context, actor tenant.Actor, key string) error {
	p, err := principal(actor)
	if err == nil {
		err = checkIdempotencyKey(key)
	}
	if err == nil {
		err = d.store.DeleteIdempotencyKey(ctx, actor.TenantID, p, key)
	}
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("abandon idempotent request: %w", err)
	}
	return nil
}

// principal names whose keys a request's key is among: a person's (whichever session or token
// they come through), a code's or request link's, a requester's ticket link's, or the
// tenant's system. A valid actor of a tenant has one.
func principal(a tenant.Actor) (string, error) {
	if err := a.Validate(); err != nil {
		return "", err
	}
	if a.TenantID == uuid.Nil {
		return "", fmt.Errorf("%w: %s actor acts outside any tenant", tenant.ErrInvalidActor, a.Kind)
	}
	switch a.Kind {
	case tenant.ActorEmployee, tenant.ActorCustomerUser:
		return "user:" + a.UserID.String(), nil
	case tenant.ActorCodeHolder:
		if a.CodeID != uuid.Nil {
			return "code:" + a.CodeID.String(), nil
		}
		return "request_link:" + a.RequestLinkID.String(), nil
	case tenant.ActorRequesterLink:
		return "ticket:" + a.TicketID.String(), nil
	}
	return "system", nil
}

// checkIdempotencyKey accepts 1 to 255 printable ASCII characters.
func checkIdempotencyKey(key string) error {
	if key == "" || len(key) > maxIdempotencyKey {
		return invalid("Idempotency-Key", "must be 1 to %d characters", maxIdempotencyKey)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return invalid("Idempotency-Key", "must be printable ASCII")
		}
	}
	return nil
}
