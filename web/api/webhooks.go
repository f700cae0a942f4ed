package api

import (
	"net/http"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/webhook"
	"github.com/google/uuid"
)

// Webhook is an endpoint the tenant's events are POSTed to, signed as the Standard Webhooks
// specification says.
type Webhook struct {
	ID             uuid.UUID      `json:"id"`
	URL            string         `json:"url"`
	Description    string         `json:"description,omitempty"`
	Events         []notify.Event `json:"events" doc:"the events it hears of; empty means every event"`
	Active         bool           `json:"active"`
	DisabledReason string         `json:"disabled_reason,omitempty"`
	DisabledAt     *time.Time     `json:"disabled_at,omitempty"`
	FailureCount   int            `json:"failure_count" doc:"the run of consecutive failed attempts"`
	LastAttemptAt  *time.Time     `json:"last_attempt_at,omitempty"`
	LastStatus     int            `json:"last_status,omitempty" doc:"the receiver's HTTP status at the latest attempt"`
	LastError      string         `json:"last_error,omitempty"`
	// PreviousSecretUntil is when the secret before the latest rotation stops signing.
	PreviousSecretUntil *time.Time `json:"previous_secret_until,omitempty" doc:"when the secret before the latest rotation stops signing"`
	CreatedAt           time.Time  `json:"created_at"`
	UpdatedAt           time.Time  `json:"updated_at"`
	Version             int64      `json:"version"`
}

func (w Webhook) etag() int64 { return w.Version }

func webhookOf(e *webhook.Endpoint) Webhook {
	events := e.Events
	if events == nil {
		events = []notify.Event{}
	}
	return Webhook{ID: e.ID, URL: e.URL, Description: e.Description, Events: events, Active: e.Active,
		DisabledReason: e.DisabledReason, DisabledAt: e.DisabledAt, FailureCount: e.FailureCount,
		LastAttemptAt: e.LastAttemptAt, LastStatus: e.LastStatus, LastError: e.LastError,
		PreviousSecretUntil: e.PreviousSecretUntil, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt, Version: e.Version}
}

// CreatedWebhook is a new endpoint with its signing secret, which only this answer carries.
type CreatedWebhook struct {
	Webhook
	Secret string `json:"secret" doc:"the signing secret (whsec_…), shown this once"`
}

// WebhookSecret is a new signing secret, shown once.
type WebhookSecret struct {
	Secret string `json:"secret" doc:"the new signing secret (whsec_…), shown this once"`
}

// WebhookDelivery is one message to one endpoint and what became of it.
type WebhookDelivery struct {
	ID            uuid.UUID     `json:"id"`
	WebhookID     uuid.UUID     `json:"webhook_id"`
	MessageID     string        `json:"message_id" doc:"the webhook-id header, the same on every attempt and replay"`
	Event         string        `json:"event"`
	State         webhook.State `json:"state"`
	Attempts      int           `json:"attempts"`
	NextAttemptAt *time.Time    `json:"next_attempt_at,omitempty" doc:"the next attempt, while pending"`
	LastStatus    int           `json:"last_status,omitempty"`
	LastError     string        `json:"last_error,omitempty"`
	LastAttemptAt *time.Time    `json:"last_attempt_at,omitempty"`
	DurationMS    int64         `json:"duration_ms,omitempty" doc:"how long the latest attempt took"`
	CreatedAt     time.Time     `json:"created_at"`
}

func deliveryOf(d *webhook.Delivery) WebhookDelivery {
	out := WebhookDelivery{ID: d.ID, WebhookID: d.EndpointID, MessageID: d.MessageID, Event: d.Event, State: d.State,
		Attempts: d.Attempts, LastStatus: d.LastStatus, LastError: d.LastError, LastAttemptAt: d.LastAttemptAt,
		DurationMS: d.Duration.Milliseconds(), CreatedAt: d.CreatedAt}
	if d.State == webhook.Pending {
		out.NextAttemptAt = &d.NextAttemptAt
	}
	return out
}

// NewWebhookBody registers an endpoint.
type NewWebhookBody struct {
	URL         string         `json:"url" doc:"http or https, on a public address"`
	Description string         `json:"description,omitempty"`
	Events      []notify.Event `json:"events,omitempty" doc:"the events to hear of; absent or empty means every event"`
}

// WebhookEditBody changes an endpoint; absent fields stay as they are.
type WebhookEditBody struct {
	URL         *string         `json:"url,omitempty"`
	Description *string         `json:"description,omitempty"`
	Events      *[]notify.Event `json:"events,omitempty"`
	Active      *bool           `json:"active,omitempty" doc:"switch deliveries on or off; on again starts the failure run from 0"`
}

// RotateBody rotates an endpoint's secret.
type RotateBody struct {
	Overlap int `json:"overlap,omitempty" doc:"seconds the old secret keeps signing beside the new one; 86400 when absent"`
}

var _ = enumType(func() []webhook.State { return []webhook.State{webhook.Pending, webhook.Delivered, webhook.Failed} })

func webhookOps() []operation {
	const tag = "Webhooks"
	return []operation{
		op(http.MethodGet, "/webhooks", "listWebhooks", tag, "List the tenant's webhook endpoints",
			func(c *call, _ *struct{}) (Page[Webhook], error) {
				es, err := c.h.desk.Webhooks(c.ctx, c.actor)
				return listOf(es, webhookOf), err
			}),
		op(http.MethodPost, "/webhooks", "createWebhook", tag, "Register a webhook endpoint",
			func(c *call, in *struct{ Body NewWebhookBody }) (CreatedWebhook, error) {
				e, secret, err := c.h.desk.CreateWebhook(c.ctx, c.actor, helpdesk.NewWebhook{URL: in.Body.URL,
					Description: in.Body.Description, Events: in.Body.Events})
				if err != nil {
					return CreatedWebhook{}, err
				}
				c.w.Header().Set("Location", Prefix+"/webhooks/"+e.ID.String())
				return CreatedWebhook{Webhook: webhookOf(e), Secret: secret}, nil
			}).once(),
		op(http.MethodGet, "/webhooks/{id}", "getWebhook", tag, "Get a webhook endpoint",
			func(c *call, in *idIn) (Webhook, error) {
				e, err := c.h.desk.Webhook(c.ctx, c.actor, in.ID)
				return conv(e, err, webhookOf)
			}),
		op(http.MethodPatch, "/webhooks/{id}", "editWebhook", tag, "Change a webhook endpoint, or switch it on or off",
			func(c *call, in *struct {
				idIn
				IfMatch string `header:"If-Match" doc:"the ETag the change is based on; a stale one answers 412"`
				Body    WebhookEditBody
			}) (Webhook, error) {
				want, any, err := parseIfMatch(in.IfMatch)
				if err != nil {
					return Webhook{}, err
				}
				e, err := c.h.desk.Webhook(c.ctx, c.actor, in.ID)
				if err != nil {
					return Webhook{}, err
				}
				if !any {
					if err := checkVersion(want, e.Version); err != nil {
						return Webhook{}, err
					}
				}
				ed := helpdesk.WebhookEdit{Version: e.Version, URL: e.URL, Description: e.Description, Events: e.Events, Active: e.Active}
				b := in.Body
				if b.URL != nil {
					ed.URL = *b.URL
				}
				if b.Description != nil {
					ed.Description = *b.Description
				}
				if b.Events != nil {
					ed.Events = *b.Events
				}
				if b.Active != nil {
					ed.Active = *b.Active
				}
				e, err = c.h.desk.UpdateWebhook(c.ctx, c.actor, in.ID, ed)
				return conv(e, c.stale(err, in.IfMatch), webhookOf)
			}),
		op(http.MethodDelete, "/webhooks/{id}", "deleteWebhook", tag, "Delete a webhook endpoint and its delivery log",
			func(c *call, in *idIn) (noContent, error) {
				return noContent{}, c.h.desk.DeleteWebhook(c.ctx, c.actor, in.ID)
			}),
		op(http.MethodPost, "/webhooks/{id}/rotate", "rotateWebhookSecret", tag,
			"Give an endpoint a new secret; the old one keeps signing beside it for the overlap",
			func(c *call, in *struct {
				idIn
				Body RotateBody
			}) (WebhookSecret, error) {
				secret, err := c.h.desk.RotateWebhookSecret(c.ctx, c.actor, in.ID, time.Duration(in.Body.Overlap)*time.Second)
				return WebhookSecret{Secret: secret}, err
			}).ok(http.StatusOK).once(),
		op(http.MethodPost, "/webhooks/{id}/test", "testWebhook", tag, "Send a webhook.test message now and answer how it went",
			func(c *call, in *idIn) (WebhookDelivery, error) {
				d, err := c.h.desk.TestWebhook(c.ctx, c.actor, in.ID)
				return conv(d, err, deliveryOf)
			}).ok(http.StatusOK),
		op(http.MethodGet, "/webhooks/{id}/deliveries", "listWebhookDeliveries", tag, "List an endpoint's deliveries, newest first",
			func(c *call, in *pagedIn) (Page[WebhookDelivery], error) {
				p, err := c.h.desk.WebhookDeliveries(c.ctx, c.actor, in.ID, in.request())
				return pageOf(p, deliveryOf), err
			}),
		op(http.MethodPost, "/webhook-deliveries/{id}/replay", "replayWebhookDelivery", tag,
			"Send a delivery again, with the same webhook-id",
			func(c *call, in *idIn) (WebhookDelivery, error) {
				d, err := c.h.desk.ReplayWebhookDelivery(c.ctx, c.actor, in.ID)
				return conv(d, err, deliveryOf)
			}),
	}
}
