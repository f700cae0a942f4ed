package helpdesk

import (
	"context"
	"errors"
	"fmt"

	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// Resealed is what ResealSecrets did.
type Resealed struct {
	// Tenants is how many tenants it went through.
	Tenants int
	// Secrets is how many sealed secrets it sealed again under the first key.
	Secrets int
}

// ResealSecrets seals again, under the first of Config.SecretKeys, every secret the database
// keeps sealed under another of them: the passwords of tenants' own mail servers and the
// signing secrets of webhook endpoints (current and previous). Run it after putting a new key
// first; once it returns without error, and the outbox holds no notification enqueued before
// the new key (their one-time links are sealed too), the old keys can be dropped. A secret
// already sealed under the first key is left alone, so running it again is harmless, and a
// secret changed meanwhile (a conflict) is left to its new value. Only the platform's system
// actor (tenant.System()) may. Returns ErrForbidden for any other actor, and, after going
// through every tenant, the errors met joined: a secret no key opens, the store's errors.
func (d *Desk) ResealSecrets(ctx context.Context, actor tenant.Actor) (Resealed, error) {
	var done Resealed
	if actor.Kind != tenant.ActorSystem || actor.TenantID != uuid.Nil {
		return done, fmt.Errorf("reseal secrets: %w", ErrForbidden)
	}
	lister, ok := d.store.(storage.TenantLister)
	if !ok {
		return done, fmt.Errorf("reseal secrets: %w", errors.ErrUnsupported)
	}
	var errs []error
	for after := uuid.Nil; ; {
		ids, err := lister.TenantIDs(ctx, after, 100)
		if err != nil {
			return done, errors.Join(append(errs, fmt.Errorf("reseal secrets: %w", err))...)
		}
		for _, tid := range ids {
			n, err := d.resealTenant(ctx, tid)
			done.Tenants++
			done.Secrets += n
			if err != nil {
				errs = append(errs, fmt.Errorf("reseal secrets of tenant %s: %w", tid, err))
			}
		}
		if len(ids) < 100 {
			return done, errors.Join(errs...)
		}
		after = ids[len(ids)-1]
	}
}

// resealTenant seals the tenant's secrets again under the first key, and says how many.
func (d *Desk) resealTenant(ctx context.Context, tid uuid.UUID) (int, error) {
	n := 0
	s, err := d.store.GetTenantSMTP(ctx, tid)
	switch {
	case isNotFound(err):
	case err != nil:
		return n, err
	default:
		sealed, changed, err := d.reseal(s.SealedPassword, smtpAD(tid))
		if err != nil {
			return n, fmt.Errorf("SMTP password: %w", err)
		}
		if changed {
			if err := d.store.ResealTenantSMTP(ctx, tid, s.SealedPassword, sealed); err != nil && !errors.Is(err, storage.ErrConflict) {
				return n, err
			} else if err == nil {
				n++
			}
		}
	}
	eps, err := d.store.ListWebhookEndpoints(ctx, tid)
	if err != nil {
		return n, err
	}
	for _, e := range eps {
		ad := webhookAD(tid, e.ID)
		cur, curChanged, err := d.reseal(e.SealedSecret, ad)
		if err != nil {
			return n, fmt.Errorf("webhook %s: %w", e.ID, err)
		}
		prev, prevChanged, err := d.reseal(e.SealedPreviousSecret, ad)
		if err != nil {
			// A previous secret past its overlap is not needed any more.
			prev, prevChanged = "", e.SealedPreviousSecret != ""
		}
		if !curChanged && !prevChanged {
			continue
		}
		e.SealedSecret, e.SealedPreviousSecret = cur, prev
		if err := d.store.UpdateWebhookEndpoint(ctx, e); errors.Is(err, storage.ErrConflict) {
			continue // changed meanwhile: sealed under the first key by that change
		} else if err != nil {
			return n, fmt.Errorf("webhook %s: %w", e.ID, err)
		}
		n++
	}
	return n, nil
}

// reseal returns sealed sealed again under the first key, and true, when another key sealed
// it; sealed itself and false when the first key did (or it is empty). Returns an error when
// no key opens it.
func (d *Desk) reseal(sealed string, ad []byte) (string, bool, error) {
	if sealed == "" {
		return sealed, false, nil
	}
	if _, err := secret.Open(d.cfg.SecretKeys[:1], sealed, ad); err == nil {
		return sealed, false, nil
	}
	plain, err := secret.Open(d.cfg.SecretKeys, sealed, ad)
	if err != nil {
		return "", false, err
	}
	return secret.Seal(d.cfg.SecretKeys[0], plain, ad), true, nil
}
