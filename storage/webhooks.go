package storage

import (
	"context"
	"time"

	"github.com/deskkit/helpdesk/webhook"
	"github.com/google/uuid"
)

// WebhookOutcome is the result of one delivery attempt, as FinishWebhookDeliveries records it.
type WebhookOutcome struct {
	ID uuid.UUID
	// Attempt is the delivery's Attempts after the claim that made this attempt; as with
	// DeliveryOutcome, the outcome is skipped when the stored Attempts differs.
	Attempt int
	// State is webhook.Delivered, webhook.Pending (retry at NextAttemptAt) or webhook.Failed.
	State         webhook.State
	NextAttemptAt time.Time
	// Status is the receiver's HTTP status (0 when none answered), Error the attempt's error.
	Status   int
	Error    string
	At       time.Time
	Duration time.Duration
	// Retries is how many more attempts the deliverer made within the same claim after the
	// first failed, as with DeliveryOutcome: FinishWebhookDeliveries adds them to Attempts.
	Retries int
}

// Webhooks stores tenants' webhook endpoints and the outbox of their deliveries, which is
// written in the transaction of the change that caused them and claimed by due time.
type Webhooks interface {
	// CreateWebhookEndpoint inserts e, whose ID, times and Version the caller sets. Returns
	// ErrConflict if the ID is taken and ErrNotFound if there is no such tenant.
	CreateWebhookEndpoint(ctx context.Context, e *webhook.Endpoint) error
	// GetWebhookEndpoint returns ErrNotFound if the tenant has no such endpoint.
	GetWebhookEndpoint(ctx context.Context, tenantID, id uuid.UUID) (*webhook.Endpoint, error)
	// ListWebhookEndpoints returns the tenant's endpoints, oldest first.
	ListWebhookEndpoints(ctx context.Context, tenantID uuid.UUID) ([]*webhook.Endpoint, error)
	// UpdateWebhookEndpoint writes e. Returns ErrNotFound if the tenant has no such endpoint
	// and ErrConflict if e.Version is stale.
	UpdateWebhookEndpoint(ctx context.Context, e *webhook.Endpoint) error
	// RecordWebhookAttempts records a run of attempts on the endpoint in one write, whatever
	// its Version, and returns it as written: the failure run starts again from 0 when reset
	// (a success came after the failures counted before), then grows by failures; the last
	// attempt's time, status and error are kept. Returns ErrNotFound if the tenant has no
	// such endpoint.
	RecordWebhookAttempts(ctx context.Context, tenantID, id uuid.UUID, reset bool, failures int, last WebhookOutcome) (*webhook.Endpoint, error)
	// DeleteWebhookEndpoint removes the endpoint and its deliveries. Returns ErrNotFound if
	// the tenant has no such endpoint.
	DeleteWebhookEndpoint(ctx context.Context, tenantID, id uuid.UUID) error
	// EnqueueWebhookDeliveries inserts ds, whose IDs and times the caller sets. Returns
	// ErrConflict if an ID is taken and ErrNotFound if an endpoint is not its tenant's.
	EnqueueWebhookDeliveries(ctx context.Context, ds []*webhook.Delivery) error
	// ClaimWebhookDeliveries takes up to limit pending deliveries of any tenant due at now,
	// earliest first, as ClaimNotifications does: each gets one more attempt and leaseUntil
	// as its NextAttemptAt; concurrent claims never return the same delivery (PostgreSQL:
	// FOR UPDATE SKIP LOCKED).
	ClaimWebhookDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*webhook.Delivery, error)
	// FinishWebhookDeliveries records attempt outcomes; an outcome whose Attempt no longer
	// matches, or whose delivery is no longer pending, is skipped. It returns the outcomes it
	// recorded.
	FinishWebhookDeliveries(ctx context.Context, outcomes []WebhookOutcome) ([]WebhookOutcome, error)
	// NextWebhookDue returns the earliest NextAttemptAt of any pending delivery, and false
	// when none is pending.
	NextWebhookDue(ctx context.Context) (time.Time, bool, error)
	// GetWebhookDelivery returns ErrNotFound if the tenant has no such delivery.
	GetWebhookDelivery(ctx context.Context, tenantID, id uuid.UUID) (*webhook.Delivery, error)
	// ListWebhookDeliveries returns a page of the endpoint's deliveries, newest first.
	// Returns ErrInvalidCursor for a malformed cursor.
	ListWebhookDeliveries(ctx context.Context, tenantID, endpointID uuid.UUID, p PageRequest) (Page[*webhook.Delivery], error)
}
