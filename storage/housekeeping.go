package storage

import (
	"context"
	"time"

	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// Housekeeping deletes what no record and no person needs any more. Each Purge method deletes
// at most limit rows in one statement, in a transaction of its own, and returns how many it
// deleted: the caller repeats it while it returns limit, so no statement holds many locks or a
// long transaction. Purging is idempotent and safe to run from several processes at once: on
// PostgreSQL a purge skips the rows another one holds (FOR UPDATE SKIP LOCKED) instead of
// waiting for them, and a row already gone is simply not counted. Times compare as the store
// keeps them (UTC, microseconds).
type Housekeeping interface {
	// PurgeAuthSessions deletes the sign-in sessions that expired at or before now, of any
	// tenant.
	PurgeAuthSessions(ctx context.Context, now time.Time, limit int) (int, error)
	// PurgeUserTokens deletes the one-time link tokens (invitations, password resets,
	// share-login links) used before before, and the unused ones that expired before before,
	// of any tenant. An unused token that has not expired by before is kept.
	PurgeUserTokens(ctx context.Context, before time.Time, limit int) (int, error)
	// PurgeRequestLinks deletes the request links used before before, and the unused ones
	// that expired before before, of any tenant.
	PurgeRequestLinks(ctx context.Context, before time.Time, limit int) (int, error)
	// PurgeLoginFailures deletes the failure counts (LoginFailures) whose window opened before
	// before, of any tenant.
	PurgeLoginFailures(ctx context.Context, before time.Time, limit int) (int, error)
	// PurgeIdempotencyKeys deletes the idempotency records created before before whose claim
	// is no longer held at now (LockedUntil at or before now), of any tenant.
	PurgeIdempotencyKeys(ctx context.Context, before, now time.Time, limit int) (int, error)
	// PurgeWebhookDeliveries deletes the finished (delivered or failed) webhook deliveries
	// created before before, of any tenant. Pending deliveries are kept.
	PurgeWebhookDeliveries(ctx context.Context, before time.Time, limit int) (int, error)
	// PurgeNotifications deletes the tenant's finished notifications (sent, delivered or
	// failed) created before before. Pending notifications are kept, and so are unread
	// in-app ones: the bell lists them until their recipient reads them.
	PurgeNotifications(ctx context.Context, tenantID uuid.UUID, before time.Time, limit int) (int, error)
	// ListTenants returns up to limit tenants whose ID is greater than after, by ID: pass
	// uuid.Nil for the first page and the last ID returned for the next.
	ListTenants(ctx context.Context, after uuid.UUID, limit int) ([]*tenant.Tenant, error)
	// ReferencedBlobs returns those of keys that a record refers to as blob-store content: an
	// attachment's or media file's Key, a code's Appearance.Logo, or a tenant's request-form
	// file (Settings.Form Logo, Background or Report). The keys are of any tenant.
	ReferencedBlobs(ctx context.Context, keys []string) (map[string]bool, error)
}
