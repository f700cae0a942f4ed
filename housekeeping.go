package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/storage"
	"github.com/google/uuid"
)

// HousekeepingConfig tunes the purges of Run and HousekeepOnce. The zero value is ready to
// use.
type HousekeepingConfig struct {
	// Interval is how often Run housekeeps: once when it starts, then every Interval.
	// Defaults to 1 hour.
	Interval time.Duration
	// BatchSize is the most rows one delete statement removes, and the most stored files one
	// reference check asks about; a purge repeats its statement while it comes back full, so
	// no statement holds many locks for long. Defaults to 500.
	BatchSize int
	// LinkGrace is how long a one-time link (an invitation, a password reset, a share-login
	// link, a request link) is kept once it was used or expired: meanwhile its holder is told
	// it was used or expired rather than unknown, and a request link's holder may still replay
	// an idempotent request. At least IdempotencyRetention. Defaults to 7 days.
	LinkGrace time.Duration
	// WebhookRetention is how long a finished (delivered or failed) webhook delivery stays
	// in its endpoint's log, counted from its creation. Defaults to 30 days.
	WebhookRetention time.Duration
	// BlobGrace is how old a stored file must be before it can count as an orphan, so that a
	// file being uploaded, whose record is written only after it, is never taken for one.
	// Defaults to 24 hours.
	BlobGrace time.Duration
}

func (c HousekeepingConfig) withDefaults() (HousekeepingConfig, error) {
	if c.BatchSize < 0 {
		return c, errors.New("helpdesk: Config.Housekeeping.BatchSize is negative")
	}
	if c.BatchSize == 0 {
		c.BatchSize = 500
	}
	for _, d := range []struct {
		field string
		v     *time.Duration
		def   time.Duration
	}{
		{"Interval", &c.Interval, time.Hour},
		{"LinkGrace", &c.LinkGrace, 7 * 24 * time.Hour},
		{"WebhookRetention", &c.WebhookRetention, 30 * 24 * time.Hour},
		{"BlobGrace", &c.BlobGrace, 24 * time.Hour},
	} {
		if *d.v < 0 {
			return c, fmt.Errorf("helpdesk: Config.Housekeeping.%s is negative", d.field)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if c.LinkGrace < IdempotencyRetention {
		return c, fmt.Errorf("helpdesk: Config.Housekeeping.LinkGrace %s is shorter than IdempotencyRetention %s",
			c.LinkGrace, IdempotencyRetention)
	}
	return c, nil
}

// HousekeepingReport says how much one HousekeepOnce deleted, by kind.
type HousekeepingReport struct {
	// AuthSessions counts the expired sign-in sessions.
	AuthSessions int
	// UserTokens counts the used or expired invitations, password resets and share-login
	// links; RequestLinks the used or expired request links.
	UserTokens, RequestLinks int
	// LoginFailures counts the failure windows (sign-in, password reset, PIN) that closed.
	LoginFailures int
	// IdempotencyKeys counts the records older than IdempotencyRetention.
	IdempotencyKeys int
	// WebhookDeliveries counts the finished deliveries older than WebhookRetention.
	WebhookDeliveries int
	// Notifications counts the finished notifications past their tenant's retention.
	Notifications int
	// Blobs counts the stored files no record referred to.
	Blobs int
}

// Total is how many things the run deleted in all.
func (r HousekeepingReport) Total() int {
	return r.AuthSessions + r.UserTokens + r.RequestLinks + r.LoginFailures + r.IdempotencyKeys +
		r.WebhookDeliveries + r.Notifications + r.Blobs
}

// HousekeepOnce deletes, once, what nothing needs any more, and reports how much:
//
//   - sign-in sessions that expired;
//   - one-time links (invitations, password resets, share-login links, request links) used or
//     expired more than Config.Housekeeping.LinkGrace ago; an unused link that has not
//     expired is kept whatever its age;
//   - login-failure counts (sign-in, password reset, PIN) whose window closed: older than the
//     longest of Config.LoginWindow, Config.ResetTTL and Config.PINWindow;
//   - idempotency records older than IdempotencyRetention (no longer replayed);
//   - finished webhook deliveries older than Config.Housekeeping.WebhookRetention;
//   - each tenant's finished notifications (sent, delivered or failed) older than the
//     tenant's tenant.Settings.NotificationRetention; pending ones are kept, and so are the
//     bell's unread ones, whatever their age. A failed notification can be retried until then;
//   - when Config.Blobs is a blob.Lister, the stored files no record refers to (an attachment
//     or media file, a code's logo, a tenant's request-form file) that are older than
//     Config.Housekeeping.BlobGrace. Only keys of the Desk's own layout, under the ID of one
//     of this database's tenants, are considered, so a blob store shared with anything else
//     loses nothing of it.
//
// Each purge deletes in statements of at most Config.Housekeeping.BatchSize rows, each its own
// short transaction, so any number of processes may housekeep at once. A failing purge does
// not stop the others: the report counts what was deleted and the error joins every failure.
// Run calls it every Config.Housekeeping.Interval.
func (d *Desk) HousekeepOnce(ctx context.Context) (HousekeepingReport, error) {
	cfg := d.cfg.Housekeeping
	now := d.clock()
	var r HousekeepingReport
	var errs []error
	purge := func(what string, n *int, once func(limit int) (int, error)) {
		for ctx.Err() == nil {
			got, err := once(cfg.BatchSize)
			*n += got
			if err != nil {
				errs = append(errs, fmt.Errorf("purge %s: %w", what, err))
				return
			}
			if got < cfg.BatchSize {
				return
			}
		}
	}
	s := d.store
	purge("sign-in sessions", &r.AuthSessions, func(l int) (int, error) { return s.PurgeAuthSessions(ctx, now, l) })
	linksBefore := now.Add(-cfg.LinkGrace)
	purge("one-time links", &r.UserTokens, func(l int) (int, error) { return s.PurgeUserTokens(ctx, linksBefore, l) })
	purge("request links", &r.RequestLinks, func(l int) (int, error) { return s.PurgeRequestLinks(ctx, linksBefore, l) })
	window := max(d.cfg.LoginWindow, d.cfg.ResetTTL, d.cfg.PINWindow)
	purge("login failures", &r.LoginFailures, func(l int) (int, error) {
		return s.PurgeLoginFailures(ctx, now.Add(-window), l)
	})
	purge("idempotency records", &r.IdempotencyKeys, func(l int) (int, error) {
		return s.PurgeIdempotencyKeys(ctx, now.Add(-IdempotencyRetention), now, l)
	})
	purge("webhook deliveries", &r.WebhookDeliveries, func(l int) (int, error) {
		return s.PurgeWebhookDeliveries(ctx, now.Add(-cfg.WebhookRetention), l)
	})
	if err := d.eachTenant(ctx, func(id uuid.UUID, retention time.Duration) {
		purge("notifications of tenant "+id.String(), &r.Notifications, func(l int) (int, error) {
			return s.PurgeNotifications(ctx, id, now.Add(-retention), l)
		})
	}); err != nil {
		errs = append(errs, fmt.Errorf("list tenants: %w", err))
	}
	if l, ok := d.cfg.Blobs.(blob.Lister); ok {
		n, err := d.purgeOrphans(ctx, l, now.Add(-cfg.BlobGrace))
		r.Blobs = n
		if err != nil {
			errs = append(errs, fmt.Errorf("purge orphaned files: %w", err))
		}
	}
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return r, fmt.Errorf("housekeep: %w", err)
	}
	return r, nil
}

// eachTenant calls fn with every tenant's ID and notification retention, reading the tenants
// a batch at a time.
func (d *Desk) eachTenant(ctx context.Context, fn func(id uuid.UUID, retention time.Duration)) error {
	after := uuid.Nil
	for ctx.Err() == nil {
		ts, err := d.store.ListTenants(ctx, after, d.cfg.Housekeeping.BatchSize)
		if err != nil {
			return err
		}
		for _, t := range ts {
			fn(t.ID, t.Settings.NotificationRetention())
		}
		if len(ts) < d.cfg.Housekeeping.BatchSize {
			return nil
		}
		after = ts[len(ts)-1].ID
	}
	return ctx.Err()
}

// purgeOrphans deletes the stored files put before before whose key is of the Desk's layout
// (it starts with the ID of one of the store's tenants) and that no record refers to. It asks
// the store about Housekeeping.BatchSize keys at a time and returns how many files it deleted.
func (d *Desk) purgeOrphans(ctx context.Context, l blob.Lister, before time.Time) (int, error) {
	tenants := map[string]bool{}
	ours := func(key string) (bool, error) {
		first, _, _ := strings.Cut(key, "/")
		known, seen := tenants[first]
		if seen {
			return known, nil
		}
		id, err := uuid.Parse(first)
		if err != nil || id.String() != first {
			tenants[first] = false
			return false, nil
		}
		_, err = d.store.GetTenant(ctx, id)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return false, err
		}
		tenants[first] = err == nil
		return err == nil, nil
	}
	deleted := 0
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		refs, err := d.store.ReferencedBlobs(ctx, batch)
		if err != nil {
			return err
		}
		for _, k := range batch {
			if refs[k] {
				continue
			}
			if err := d.cfg.Blobs.Delete(ctx, k); err != nil {
				return err
			}
			deleted++
		}
		batch = batch[:0]
		return nil
	}
	for in, err := range l.List(ctx, "") {
		if err != nil {
			return deleted, err
		}
		if !in.ModTime.Before(before) {
			continue
		}
		if ok, err := ours(in.Key); err != nil {
			return deleted, err
		} else if !ok {
			continue
		}
		batch = append(batch, in.Key)
		if len(batch) == d.cfg.Housekeeping.BatchSize {
			if err := flush(); err != nil {
				return deleted, err
			}
		}
	}
	return deleted, flush()
}

// housekeep runs HousekeepOnce now and then every Housekeeping.Interval until ctx ends.
func (d *Desk) housekeep(ctx context.Context) {
	for {
		r, err := d.HousekeepOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			d.cfg.Logger.Error("helpdesk: housekeeping failed", "err", err)
		} else if r.Total() > 0 {
			d.cfg.Logger.Info("helpdesk: housekeeping", "report", r)
		}
		if !d.sleep(ctx, d.cfg.Housekeeping.Interval, nil) {
			return
		}
	}
}
