package bunstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/webhook"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

type webhookEndpointRow struct {
	bun.BaseModel        `bun:"table:webhook_endpoints"`
	ID                   uuid.UUID  `bun:"id,pk"`
	TenantID             uuid.UUID  `bun:"tenant_id"`
	URL                  string     `bun:"url"`
	Description          string     `bun:"description"`
	Events               []string   `bun:"events"`
	Active               bool       `bun:"active"`
	DisabledReason       string     `bun:"disabled_reason"`
	DisabledAt           *time.Time `bun:"disabled_at"`
	FailureCount         int        `bun:"failure_count"`
	LastAttemptAt        *time.Time `bun:"last_attempt_at"`
	LastStatus           int        `bun:"last_status"`
	LastError            string     `bun:"last_error"`
	SecretSealed         string     `bun:"secret_sealed"`
	PreviousSecretSealed string     `bun:"previous_secret_sealed"`
	PreviousSecretUntil  *time.Time `bun:"previous_secret_until"`
	CreatedAt            time.Time  `bun:"created_at"`
	UpdatedAt            time.Time  `bun:"updated_at"`
	Version              int64      `bun:"version"`
}

func (*webhookEndpointRow) table() string { return "webhook_endpoints" }

func (*webhookEndpointRow) columns() string {
	return "id, tenant_id, url, description, events, active, disabled_reason, disabled_at, failure_count, last_attempt_at, " +
		"last_status, last_error, secret_sealed, previous_secret_sealed, previous_secret_until, created_at, updated_at, version"
}

func (r *webhookEndpointRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.URL, &r.Description, jsonColumn{&r.Events}, &r.Active, &r.DisabledReason, &r.DisabledAt,
		&r.FailureCount, &r.LastAttemptAt, &r.LastStatus, &r.LastError, &r.SecretSealed, &r.PreviousSecretSealed,
		&r.PreviousSecretUntil, &r.CreatedAt, &r.UpdatedAt, &r.Version}
}

func fromWebhookEndpoint(e *webhook.Endpoint) *webhookEndpointRow {
	events := make([]string, len(e.Events))
	for i, ev := range e.Events {
		events[i] = string(ev)
	}
	return &webhookEndpointRow{ID: e.ID, TenantID: e.TenantID, URL: e.URL, Description: e.Description, Events: events,
		Active: e.Active, DisabledReason: e.DisabledReason, DisabledAt: e.DisabledAt, FailureCount: e.FailureCount,
		LastAttemptAt: e.LastAttemptAt, LastStatus: e.LastStatus, LastError: e.LastError, SecretSealed: e.SealedSecret,
		PreviousSecretSealed: e.SealedPreviousSecret, PreviousSecretUntil: e.PreviousSecretUntil,
		CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt, Version: e.Version}
}

func (r *webhookEndpointRow) domain() *webhook.Endpoint {
	var events []notify.Event
	for _, ev := range r.Events {
		events = append(events, notify.Event(ev))
	}
	return &webhook.Endpoint{ID: r.ID, TenantID: r.TenantID, URL: r.URL, Description: r.Description, Events: events,
		Active: r.Active, DisabledReason: r.DisabledReason, DisabledAt: utcPtr(r.DisabledAt), FailureCount: r.FailureCount,
		LastAttemptAt: utcPtr(r.LastAttemptAt), LastStatus: r.LastStatus, LastError: r.LastError,
		SealedSecret: r.SecretSealed, SealedPreviousSecret: r.PreviousSecretSealed, PreviousSecretUntil: utcPtr(r.PreviousSecretUntil),
		CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Version: r.Version}
}

type webhookDeliveryRow struct {
	bun.BaseModel `bun:"table:webhook_deliveries"`
	ID            uuid.UUID  `bun:"id,pk"`
	TenantID      uuid.UUID  `bun:"tenant_id"`
	EndpointID    uuid.UUID  `bun:"endpoint_id"`
	MessageID     string     `bun:"message_id"`
	Event         string     `bun:"event"`
	Payload       string     `bun:"payload"`
	State         string     `bun:"state"`
	Attempts      int        `bun:"attempts"`
	NextAttemptAt time.Time  `bun:"next_attempt_at"`
	LastStatus    int        `bun:"last_status"`
	LastError     string     `bun:"last_error"`
	LastAttemptAt *time.Time `bun:"last_attempt_at"`
	DurationUS    int64      `bun:"duration_us"`
	CreatedAt     time.Time  `bun:"created_at"`
}

func (*webhookDeliveryRow) table() string { return "webhook_deliveries" }

func (*webhookDeliveryRow) columns() string {
	return "id, tenant_id, endpoint_id, message_id, event, payload, state, attempts, next_attempt_at, last_status, " +
		"last_error, last_attempt_at, duration_us, created_at"
}

func (r *webhookDeliveryRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.EndpointID, &r.MessageID, &r.Event, &r.Payload, &r.State, &r.Attempts,
		&r.NextAttemptAt, &r.LastStatus, &r.LastError, &r.LastAttemptAt, &r.DurationUS, &r.CreatedAt}
}

func fromWebhookDelivery(d *webhook.Delivery) webhookDeliveryRow {
	return webhookDeliveryRow{ID: d.ID, TenantID: d.TenantID, EndpointID: d.EndpointID, MessageID: d.MessageID,
		Event: d.Event, Payload: string(d.Payload), State: string(d.State), Attempts: d.Attempts, NextAttemptAt: d.NextAttemptAt,
		LastStatus: d.LastStatus, LastError: d.LastError, LastAttemptAt: d.LastAttemptAt, DurationUS: d.Duration.Microseconds(),
		CreatedAt: d.CreatedAt}
}

func (r *webhookDeliveryRow) domain() *webhook.Delivery {
	return &webhook.Delivery{ID: r.ID, TenantID: r.TenantID, EndpointID: r.EndpointID, MessageID: r.MessageID,
		Event: r.Event, Payload: []byte(r.Payload), State: webhook.State(r.State), Attempts: r.Attempts,
		NextAttemptAt: utc(r.NextAttemptAt), LastStatus: r.LastStatus, LastError: r.LastError,
		LastAttemptAt: utcPtr(r.LastAttemptAt), Duration: time.Duration(r.DurationUS) * time.Microsecond, CreatedAt: utc(r.CreatedAt)}
}

var webhookQueue = queue{table: "webhook_deliveries", due: "next_attempt_at", pending: "state = 'pending'"}

func (q *queries) CreateWebhookEndpoint(ctx context.Context, e *webhook.Endpoint) error {
	return q.insert(ctx, fromWebhookEndpoint(e))
}

func (q *queries) GetWebhookEndpoint(ctx context.Context, tenantID, id uuid.UUID) (*webhook.Endpoint, error) {
	e, err := getRow[webhookEndpointRow, *webhook.Endpoint](ctx, q, scoped, tenantID, id)
	if err != nil {
		return nil, fmt.Errorf("webhook endpoint %s: %w", id, err)
	}
	return e, nil
}

func (q *queries) ListWebhookEndpoints(ctx context.Context, tenantID uuid.UUID) ([]*webhook.Endpoint, error) {
	return listRows[webhookEndpointRow, *webhook.Endpoint](ctx, q, func(s *bun.SelectQuery) *bun.SelectQuery {
		return s.Where("tenant_id = ?", tenantID).OrderExpr("created_at, id")
	})
}

func (q *queries) UpdateWebhookEndpoint(ctx context.Context, e *webhook.Endpoint) error {
	r := fromWebhookEndpoint(e)
	return q.updateVersioned(ctx, r, &r.Version, "webhook_endpoints", e.TenantID, e.ID, &e.Version)
}

func (q *queries) RecordWebhookAttempts(ctx context.Context, tenantID, id uuid.UUID, reset bool, failures int, last storage.WebhookOutcome) (*webhook.Endpoint, error) {
	base := "failure_count"
	if reset {
		base = "0"
	}
	es, err := queryRows[webhookEndpointRow, *webhook.Endpoint](ctx, q, "UPDATE webhook_endpoints SET failure_count = "+base+
		" + ?, last_attempt_at = ?, last_status = ?, last_error = ? WHERE tenant_id = ? AND id = ? RETURNING "+
		(*webhookEndpointRow)(nil).columns(), failures, last.At, last.Status, last.Error, tenantID, id)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, fmt.Errorf("webhook endpoint %s: %w", id, storage.ErrNotFound)
	}
	return es[0], nil
}

func (q *queries) DeleteWebhookEndpoint(ctx context.Context, tenantID, id uuid.UUID) error {
	// The deliveries go with it (ON DELETE CASCADE); SQLite enforces that with its foreign
	// keys switched on, as the store opens it.
	n, err := affected(q.db.NewDelete().Table("webhook_endpoints").Where(scoped, tenantID, id).Exec(ctx))
	if err == nil && n == 0 {
		err = fmt.Errorf("webhook endpoint %s: %w", id, storage.ErrNotFound)
	}
	return err
}

func (q *queries) EnqueueWebhookDeliveries(ctx context.Context, ds []*webhook.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	rows := make([]webhookDeliveryRow, len(ds))
	for i, d := range ds {
		rows[i] = fromWebhookDelivery(d)
	}
	insert := q.db.NewInsert().Model(&rows)
	if !q.pg {
		_, err := insert.Exec(ctx)
		return mapErr(err)
	}
	// As EnqueueNotifications: wake the dispatchers of other processes once this commits.
	_, err := q.db.NewRaw("WITH ins AS (?) SELECT pg_notify(?, '')", insert, outboxChannel).Exec(ctx)
	return mapErr(err)
}

func (q *queries) ClaimWebhookDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*webhook.Delivery, error) {
	return claim[webhookDeliveryRow](ctx, q, webhookQueue, now, leaseUntil, limit, func(d *webhook.Delivery) uuid.UUID { return d.ID })
}

// webhookFinishColumns are the columns of FinishWebhookDeliveries' VALUES list, by position.
var webhookFinishColumns = []struct{ name, pgType string }{
	{"id", "uuid"}, {"attempt", "integer"}, {"state", "text"}, {"next_attempt_at", "timestamptz"},
	{"status", "integer"}, {"error", "text"}, {"at", "timestamptz"}, {"duration_us", "bigint"}, {"retries", "integer"},
}

// finishWebhookDeliveries applies every outcome in one statement, as finishNotifications does.
const finishWebhookDeliveries = `UPDATE webhook_deliveries SET
	state = v.column3,
	attempts = attempts + v.column9,
	next_attempt_at = CASE WHEN v.column3 = 'pending' THEN v.column4 ELSE next_attempt_at END,
	last_status = v.column5, last_error = v.column6, last_attempt_at = v.column7, duration_us = v.column8
FROM (VALUES %s) AS v
WHERE webhook_deliveries.id = v.column1 AND webhook_deliveries.attempts = v.column2 AND webhook_deliveries.state = 'pending'
RETURNING webhook_deliveries.id`

func (q *queries) FinishWebhookDeliveries(ctx context.Context, outcomes []storage.WebhookOutcome) ([]storage.WebhookOutcome, error) {
	if len(outcomes) == 0 {
		return nil, nil
	}
	last := make(map[uuid.UUID]int, len(outcomes))
	for i, o := range outcomes {
		switch o.State {
		case webhook.Delivered, webhook.Pending, webhook.Failed:
		default:
			return nil, fmt.Errorf("bunstore: finish webhook delivery %s: state %q is not an outcome", o.ID, o.State)
		}
		if o.Retries < 0 {
			return nil, fmt.Errorf("bunstore: finish webhook delivery %s: %d retries", o.ID, o.Retries)
		}
		last[o.ID] = i
	}
	placeholders := make([]string, len(webhookFinishColumns))
	for i, c := range webhookFinishColumns {
		placeholders[i] = "?"
		if q.pg {
			placeholders[i] = "?::" + c.pgType
		}
	}
	row := "(" + strings.Join(placeholders, ", ") + ")"
	var (
		values []string
		args   []any
	)
	for i, o := range outcomes {
		if last[o.ID] != i {
			continue
		}
		values = append(values, row)
		args = append(args, o.ID, o.Attempt, string(o.State), o.NextAttemptAt, o.Status, o.Error, o.At, o.Duration.Microseconds(), o.Retries)
	}
	rows, err := q.db.QueryContext(ctx, fmt.Sprintf(finishWebhookDeliveries, strings.Join(values, ", ")), args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	done := map[uuid.UUID]bool{}
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("bunstore: scan finished webhook delivery: %w", err)
		}
		done[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	var out []storage.WebhookOutcome
	for i, o := range outcomes {
		if last[o.ID] == i && done[o.ID] {
			out = append(out, o)
		}
	}
	return out, nil
}

func (q *queries) NextWebhookDue(ctx context.Context) (time.Time, bool, error) {
	return q.nextDue(ctx, webhookQueue)
}

func (q *queries) GetWebhookDelivery(ctx context.Context, tenantID, id uuid.UUID) (*webhook.Delivery, error) {
	d, err := getRow[webhookDeliveryRow, *webhook.Delivery](ctx, q, scoped, tenantID, id)
	if err != nil {
		return nil, fmt.Errorf("webhook delivery %s: %w", id, err)
	}
	return d, nil
}

func (q *queries) ListWebhookDeliveries(ctx context.Context, tenantID, endpointID uuid.UUID, p storage.PageRequest) (storage.Page[*webhook.Delivery], error) {
	return page[webhookDeliveryRow, *webhook.Delivery](ctx, q, tenantID, p, func(s *bun.SelectQuery) *bun.SelectQuery {
		return s.Where("endpoint_id = ?", endpointID)
	}, func(d *webhook.Delivery) uuid.UUID { return d.ID })
}
