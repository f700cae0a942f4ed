package helpdesk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/deskkit/helpdesk/internal/safehttp"
	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/webhook"
	"github.com/google/uuid"
)

// MaxWebhookURLLen caps a webhook endpoint's URL, in bytes.
const MaxWebhookURLLen = 2048

// MaxWebhookDescriptionLen caps a webhook endpoint's description, in characters.
const MaxWebhookDescriptionLen = 500

// DefaultWebhookOverlap is how long the previous secret keeps signing after a rotation when
// RotateWebhookSecret is given no overlap.
const DefaultWebhookOverlap = 24 * time.Hour

// maxWebhookError caps the error kept with a delivery: enough to tell what went wrong.
const maxWebhookError = 300

// NewWebhook is a webhook endpoint as an admin registers it with CreateWebhook.
type NewWebhook struct {
	// URL receives the POSTs: http or https, at most 2048 bytes, no user info, and (unless
	// Config.AllowPrivateTargets) on a public address.
	URL string
	// Description says what the endpoint is for; at most 500 characters.
	Description string
	// Events are the events the endpoint hears of, each of the notify catalogue; none means
	// every event.
	Events []notify.Event
}

// WebhookEdit is an endpoint's new settings, as UpdateWebhook takes them.
type WebhookEdit struct {
	// Version is the endpoint's Version the edit was made on; a stale one is ErrConflict.
	Version     int64
	URL         string
	Description string
	Events      []notify.Event
	// Active switches deliveries on or off. Switching an endpoint on again starts its
	// failure run from 0.
	Active bool
}

// webhookAD binds a sealed webhook secret to its endpoint and use.
func webhookAD(tenantID, id uuid.UUID) []byte {
	return append(append([]byte("webhook secret "), tenantID[:]...), id[:]...)
}

// redactWebhook returns a copy of e without its sealed secrets, which the Desk never hands
// out.
func redactWebhook(e *webhook.Endpoint) *webhook.Endpoint {
	out := *e
	out.SealedSecret, out.SealedPreviousSecret = "", ""
	out.Events = slices.Clone(e.Events)
	return &out
}

// checkWebhook validates and normalises an endpoint's URL, description and events: the
// events are deduplicated into catalogue order. The URL's host must be public unless
// Config.AllowPrivateTargets; a name is resolved, and every address it resolves to must be.
func (d *Desk) checkWebhook(ctx context.Context, rawURL, description *string, events []notify.Event) ([]notify.Event, error) {
	*rawURL, *description = strings.TrimSpace(*rawURL), strings.TrimSpace(*description)
	if err := d.checkWebhookURL(ctx, *rawURL); err != nil {
		return nil, err
	}
	if err := checkLen("description", *description, 0, MaxWebhookDescriptionLen); err != nil {
		return nil, err
	}
	for _, ev := range events {
		if !ev.Valid() {
			return nil, invalid("events", "%q is not an event of the catalogue", ev)
		}
	}
	var out []notify.Event
	for _, ev := range notify.Events() {
		if slices.Contains(events, ev) {
			out = append(out, ev)
		}
	}
	return out, nil
}

func (d *Desk) checkWebhookURL(ctx context.Context, raw string) error {
	switch {
	case raw == "":
		return invalid("url", "is required")
	case len(raw) > MaxWebhookURLLen:
		return invalid("url", "is longer than %d bytes", MaxWebhookURLLen)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return invalid("url", "is not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return invalid("url", "must start with https:// or http://")
	case u.Host == "" || u.Hostname() == "":
		return invalid("url", "has no host")
	case u.User != nil:
		return invalid("url", "may not carry a user name or password")
	case u.Fragment != "":
		return invalid("url", "may not have a #fragment")
	}
	if d.cfg.AllowPrivateTargets {
		return nil
	}
	host := u.Hostname()
	if !safehttp.PublicHost(host) {
		return invalid("url", "%s is not a public address (a server that must reach its own network sets Config.AllowPrivateTargets)", host)
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return nil // a public literal address
	}
	addrs, err := d.lookupIP(ctx, host)
	if err != nil || len(addrs) == 0 {
		return invalid("url", "the name %s does not resolve", host)
	}
	for _, a := range addrs {
		if !safehttp.Public(a) {
			return invalid("url", "%s resolves to %s, which is not a public address (a server that must reach its own network sets Config.AllowPrivateTargets)", host, a)
		}
	}
	return nil
}

// defaultLookupIP resolves host for Desk.lookupIP; tests replace that (see export_test.go)
// to check names that resolve inward without a DNS server.
func defaultLookupIP(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// CreateWebhook registers an endpoint that hears of the tenant's events from now on, active,
// with a new signing secret. The secret is returned once, here, and stored only sealed under
// the first of Config.SecretKeys. Admins may. Returns *ValidationError (url, description,
// events) or ErrForbidden.
func (d *Desk) CreateWebhook(ctx context.Context, actor tenant.Actor, in NewWebhook) (*webhook.Endpoint, string, error) {
	tid, err := authorize(actor, tenant.ActWebhooks)
	if err != nil {
		return nil, "", fmt.Errorf("create webhook: %w", err)
	}
	events, err := d.checkWebhook(ctx, &in.URL, &in.Description, in.Events)
	if err != nil {
		return nil, "", fmt.Errorf("create webhook: %w", err)
	}
	plain, err := webhook.NewSecret()
	if err != nil {
		return nil, "", fmt.Errorf("create webhook: %w", err)
	}
	now := d.clock()
	e := &webhook.Endpoint{ID: newID(), TenantID: tid, URL: in.URL, Description: in.Description, Events: events,
		Active: true, CreatedAt: now, UpdatedAt: now, Version: 1}
	e.SealedSecret = secret.Seal(d.cfg.SecretKeys[0], []byte(plain), webhookAD(tid, e.ID))
	err = d.inTx(ctx, func(q storage.Queries) error {
		if err := q.CreateWebhookEndpoint(ctx, e); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "webhook.create", "webhook", e.ID, webhookDetail(e))
	})
	if err != nil {
		return nil, "", fmt.Errorf("create webhook: %w", err)
	}
	return redactWebhook(e), plain, nil
}

func webhookDetail(e *webhook.Endpoint) string {
	events := "all"
	if len(e.Events) > 0 {
		s := make([]string, len(e.Events))
		for i, ev := range e.Events {
			s[i] = string(ev)
		}
		events = strings.Join(s, ",")
	}
	return fmt.Sprintf("url=%q events=%s active=%t", e.URL, events, e.Active)
}

// Webhooks returns the tenant's webhook endpoints, oldest first, without their secrets.
// Admins may. Returns ErrForbidden.
func (d *Desk) Webhooks(ctx context.Context, actor tenant.Actor) ([]*webhook.Endpoint, error) {
	tid, err := authorize(actor, tenant.ActWebhooks)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	es, err := d.store.ListWebhookEndpoints(ctx, tid)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	for i, e := range es {
		es[i] = redactWebhook(e)
	}
	return es, nil
}

// Webhook returns one of the tenant's endpoints, without its secrets. Admins may. Returns
// ErrNotFound (also for another tenant's endpoint) or ErrForbidden.
func (d *Desk) Webhook(ctx context.Context, actor tenant.Actor, id uuid.UUID) (*webhook.Endpoint, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActWebhooks, recordAt(id, storage.Queries.GetWebhookEndpoint))
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	e, err := d.store.GetWebhookEndpoint(ctx, tid, id)
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	return redactWebhook(e), nil
}

// UpdateWebhook changes an endpoint's URL, description, events and active flag. Switching it
// off records who did; switching it on again clears the reason and starts the failure run
// from 0. Admins may. Returns *ValidationError, ErrNotFound, ErrConflict (in.Version is
// stale: storage.ErrConflict) or ErrForbidden.
func (d *Desk) UpdateWebhook(ctx context.Context, actor tenant.Actor, id uuid.UUID, in WebhookEdit) (*webhook.Endpoint, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActWebhooks, recordAt(id, storage.Queries.GetWebhookEndpoint))
	if err != nil {
		return nil, fmt.Errorf("update webhook: %w", err)
	}
	events, err := d.checkWebhook(ctx, &in.URL, &in.Description, in.Events)
	if err != nil {
		return nil, fmt.Errorf("update webhook: %w", err)
	}
	var out *webhook.Endpoint
	err = d.inTx(ctx, func(q storage.Queries) error {
		e, err := q.GetWebhookEndpoint(ctx, tid, id)
		if err != nil {
			return err
		}
		if e.Version != in.Version {
			return fmt.Errorf("%w: webhook %s is at version %d, not %d", storage.ErrConflict, id, e.Version, in.Version)
		}
		now := d.clock()
		e.URL, e.Description, e.Events, e.UpdatedAt = in.URL, in.Description, events, now
		switch {
		case in.Active && !e.Active:
			e.Active, e.DisabledReason, e.DisabledAt, e.FailureCount = true, "", nil, 0
		case !in.Active && e.Active:
			e.Active, e.DisabledReason, e.DisabledAt = false, "switched off by "+cmpOr(actor.Name, "an admin"), &now
		}
		if err := q.UpdateWebhookEndpoint(ctx, e); err != nil {
			return err
		}
		out = redactWebhook(e)
		return d.audit(ctx, q, actor, tid, "webhook.update", "webhook", id, webhookDetail(e))
	})
	if err != nil {
		return nil, fmt.Errorf("update webhook: %w", err)
	}
	return out, nil
}

// DeleteWebhook removes an endpoint with its delivery log; deliveries still pending are not
// made. Admins may. Returns ErrNotFound or ErrForbidden.
func (d *Desk) DeleteWebhook(ctx context.Context, actor tenant.Actor, id uuid.UUID) error {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActWebhooks, recordAt(id, storage.Queries.GetWebhookEndpoint))
	if err != nil {
		return fmt.Errorf("delete webhook: %w", err)
	}
	err = d.inTx(ctx, func(q storage.Queries) error {
		if err := q.DeleteWebhookEndpoint(ctx, tid, id); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "webhook.delete", "webhook", id, "")
	})
	if err != nil {
		return fmt.Errorf("delete webhook: %w", err)
	}
	return nil
}

// RotateWebhookSecret gives an endpoint a new signing secret and returns it (once, here).
// For overlap (DefaultWebhookOverlap when 0) the previous secret keeps signing beside the new
// one, so a receiver can switch secrets without losing a delivery: each request carries both
// signatures. Admins may. Returns *ValidationError (a negative overlap), ErrNotFound or
// ErrForbidden.
func (d *Desk) RotateWebhookSecret(ctx context.Context, actor tenant.Actor, id uuid.UUID, overlap time.Duration) (string, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActWebhooks, recordAt(id, storage.Queries.GetWebhookEndpoint))
	if err != nil {
		return "", fmt.Errorf("rotate webhook secret: %w", err)
	}
	if overlap < 0 {
		return "", fmt.Errorf("rotate webhook secret: %w", invalid("overlap", "is negative"))
	}
	if overlap == 0 {
		overlap = DefaultWebhookOverlap
	}
	plain, err := webhook.NewSecret()
	if err != nil {
		return "", fmt.Errorf("rotate webhook secret: %w", err)
	}
	err = d.inTx(ctx, func(q storage.Queries) error {
		e, err := q.GetWebhookEndpoint(ctx, tid, id)
		if err != nil {
			return err
		}
		now := d.clock()
		until := now.Add(overlap)
		e.SealedPreviousSecret, e.PreviousSecretUntil = e.SealedSecret, &until
		e.SealedSecret = secret.Seal(d.cfg.SecretKeys[0], []byte(plain), webhookAD(tid, id))
		e.UpdatedAt = now
		if err := q.UpdateWebhookEndpoint(ctx, e); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "webhook.rotate", "webhook", id, "previous secret valid until "+until.Format(time.RFC3339))
	})
	if err != nil {
		return "", fmt.Errorf("rotate webhook secret: %w", err)
	}
	return plain, nil
}

// TestWebhook sends the endpoint a webhook.test message now, whether it is active or not,
// waits for the answer, records the attempt in its delivery log and returns it: Delivered
// with the receiver's status, or Failed with its status or error. A test send is not retried
// and does not count towards the endpoint's failure run. Admins may. Returns ErrNotFound or
// ErrForbidden; a receiver's failure is the returned delivery's, not an error.
func (d *Desk) TestWebhook(ctx context.Context, actor tenant.Actor, id uuid.UUID) (*webhook.Delivery, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActWebhooks, recordAt(id, storage.Queries.GetWebhookEndpoint))
	if err != nil {
		return nil, fmt.Errorf("test webhook: %w", err)
	}
	e, err := d.store.GetWebhookEndpoint(ctx, tid, id)
	if err != nil {
		return nil, fmt.Errorf("test webhook: %w", err)
	}
	now := d.clock()
	body, err := json.Marshal(webhook.Payload{Type: webhook.TestEvent, Timestamp: now,
		Data: webhook.PayloadData{EndpointID: &e.ID, Actor: payloadActor(actor)}})
	if err != nil {
		return nil, fmt.Errorf("test webhook: %w", err)
	}
	del := newDelivery(e, webhook.TestEvent, body, now)
	del.Attempts = 1
	res := d.post(ctx, e, del)
	del.State, del.LastStatus, del.LastError, del.Duration = webhook.Failed, res.status, res.err, res.duration
	at := d.clock()
	del.LastAttemptAt = &at
	if res.ok() {
		del.State = webhook.Delivered
	}
	err = d.inTx(ctx, func(q storage.Queries) error {
		return q.EnqueueWebhookDeliveries(ctx, []*webhook.Delivery{del})
	})
	if err != nil {
		return nil, fmt.Errorf("test webhook: %w", err)
	}
	return del, nil
}

// WebhookDeliveries returns a page of an endpoint's delivery log, newest first. Admins may.
// Returns ErrNotFound (the endpoint), storage.ErrInvalidCursor or ErrForbidden.
func (d *Desk) WebhookDeliveries(ctx context.Context, actor tenant.Actor, endpointID uuid.UUID, p storage.PageRequest) (storage.Page[*webhook.Delivery], error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActWebhooks, recordAt(endpointID, storage.Queries.GetWebhookEndpoint))
	if err != nil {
		return storage.Page[*webhook.Delivery]{}, fmt.Errorf("webhook deliveries: %w", err)
	}
	if _, err := d.store.GetWebhookEndpoint(ctx, tid, endpointID); err != nil {
		return storage.Page[*webhook.Delivery]{}, fmt.Errorf("webhook deliveries: %w", err)
	}
	page, err := d.store.ListWebhookDeliveries(ctx, tid, endpointID, p)
	if err != nil {
		return storage.Page[*webhook.Delivery]{}, fmt.Errorf("webhook deliveries: %w", err)
	}
	return page, nil
}

// ReplayWebhookDelivery sends a delivery again: a new pending delivery with the same payload
// and the same webhook-id, so a receiver that has it already can tell. Admins may. Returns
// *ValidationError (the endpoint is switched off: enable it first), ErrNotFound or
// ErrForbidden.
func (d *Desk) ReplayWebhookDelivery(ctx context.Context, actor tenant.Actor, deliveryID uuid.UUID) (*webhook.Delivery, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActWebhooks, recordAt(deliveryID, storage.Queries.GetWebhookDelivery))
	if err != nil {
		return nil, fmt.Errorf("replay webhook delivery: %w", err)
	}
	var out *webhook.Delivery
	err = d.inTx(ctx, func(q storage.Queries) error {
		old, err := q.GetWebhookDelivery(ctx, tid, deliveryID)
		if err != nil {
			return err
		}
		e, err := q.GetWebhookEndpoint(ctx, tid, old.EndpointID)
		if err != nil {
			return err
		}
		if !e.Active {
			return invalid("endpoint", "is switched off: switch it on before replaying")
		}
		out = newDelivery(e, old.Event, old.Payload, d.clock())
		out.MessageID = old.MessageID
		if err := q.EnqueueWebhookDeliveries(ctx, []*webhook.Delivery{out}); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "webhook.replay", "webhook", e.ID, "delivery="+old.ID.String()+" message="+old.MessageID)
	})
	if err != nil {
		return nil, fmt.Errorf("replay webhook delivery: %w", err)
	}
	return out, nil
}

// newDelivery is a pending delivery of body to e, due at now, with a webhook-id of its own.
func newDelivery(e *webhook.Endpoint, event string, body []byte, now time.Time) *webhook.Delivery {
	id := newID()
	return &webhook.Delivery{ID: id, TenantID: e.TenantID, EndpointID: e.ID, MessageID: "msg_" + strings.ReplaceAll(id.String(), "-", ""),
		Event: event, Payload: body, State: webhook.Pending, NextAttemptAt: now, CreatedAt: now}
}

func payloadActor(a tenant.Actor) *webhook.Actor {
	return &webhook.Actor{Kind: string(a.Kind), ID: webhook.OptionalID(a.UserID), Name: a.Name}
}

// payload is the JSON body of o's webhook: what it is about, never a link or token.
func (d *Desk) payload(o *occurrence, at time.Time) ([]byte, error) {
	p := webhook.Payload{Type: string(o.ev), Timestamp: at, Data: webhook.PayloadData{Actor: payloadActor(o.actor)}}
	if t := o.ticket; t != nil {
		p.Data.Ticket = &webhook.Ticket{ID: t.ID, Ref: t.Ref(), Title: t.Title, State: string(t.State),
			StatusID: webhook.OptionalID(t.StatusID), PriorityID: webhook.OptionalID(t.PriorityID),
			AssigneeID: webhook.OptionalID(t.AssigneeID), TeamID: webhook.OptionalID(t.TeamID),
			CustomerID: webhook.OptionalID(t.CustomerID), DeviceID: webhook.OptionalID(t.DeviceID),
			ProjectID: webhook.OptionalID(t.ProjectID), CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Version: t.Version}
	}
	if s := o.session; s != nil {
		p.Data.Session = &webhook.Session{ID: s.ID, State: string(s.State), PlannedAt: s.PlannedAt}
	}
	p.Data.MessageID = webhook.OptionalID(o.messageID)
	if o.user != nil {
		p.Data.UserID = webhook.OptionalID(o.user.ID)
	}
	if o.endpoint != nil {
		p.Data.EndpointID = webhook.OptionalID(o.endpoint.ID)
	}
	return json.Marshal(p)
}

// enqueueWebhooks writes, in the transaction of l, one pending delivery of each occurrence
// to each of the tenant's active endpoints subscribed to its event. The tenant's channel
// switches do not apply: an endpoint chose its events itself.
func (d *Desk) enqueueWebhooks(l *lookup, occs []occurrence) error {
	eps, err := l.webhookEndpoints()
	if err != nil || len(eps) == 0 {
		return err
	}
	now := d.clock()
	var out []*webhook.Delivery
	for i := range occs {
		o := &occs[i]
		var body []byte
		for _, e := range eps {
			if !e.Active || !e.Subscribed(o.ev) {
				continue
			}
			if body == nil {
				if body, err = d.payload(o, now); err != nil {
					return err
				}
			}
			out = append(out, newDelivery(e, string(o.ev), body, now))
		}
	}
	return l.q.EnqueueWebhookDeliveries(l.ctx, out)
}

// webhookEndpoints returns the tenant's endpoints, read once per lookup, and once per
// transaction of the Desk's (a transaction that notifies several times, such as a batch of
// timers or of webhook outcomes, reads each tenant's endpoints once).
func (l *lookup) webhookEndpoints() ([]*webhook.Endpoint, error) {
	if l.endpoints != nil {
		return *l.endpoints, nil
	}
	w, inTx := l.q.(*txWatch)
	if es, ok := w.cachedEndpoints(l.tenantID); inTx && ok {
		l.endpoints = &es
		return es, nil
	}
	es, err := l.q.ListWebhookEndpoints(l.ctx, l.tenantID)
	if err != nil {
		return nil, err
	}
	l.endpoints = &es
	if inTx {
		if w.endpoints == nil {
			w.endpoints = map[uuid.UUID][]*webhook.Endpoint{}
		}
		w.endpoints[l.tenantID] = es
	}
	return es, nil
}

// cachedEndpoints returns the tenant's endpoints as this transaction read them, if it did.
func (w *txWatch) cachedEndpoints(tenantID uuid.UUID) ([]*webhook.Endpoint, bool) {
	if w == nil {
		return nil, false
	}
	es, ok := w.endpoints[tenantID]
	return es, ok
}

// WebhookConfig tunes the delivery of webhooks by Run and DeliverWebhooksOnce. Retries follow
// Config.Dispatch: MaxAttempts, RetryBackoff and MaxBackoff. The zero value is ready to use.
type WebhookConfig struct {
	// BatchSize is how many deliveries one claim takes. Defaults to 100.
	BatchSize int
	// Concurrency is how many requests run at once. Defaults to 8.
	Concurrency int
	// PollInterval is how often an idle deliverer looks for due work when nothing wakes it.
	// A retry due within it is made within the claim, as for notifications, unless the
	// endpoint's run of failures would reach DisableAfter. Defaults to 250 milliseconds.
	PollInterval time.Duration
	// Timeout bounds one request, from connecting to the end of the answer. Defaults to
	// 10 seconds.
	Timeout time.Duration
	// Lease is how long a claimed delivery is kept from other deliverers; it must exceed
	// Timeout. Defaults to twice Timeout.
	Lease time.Duration
	// DisableAfter is the run of consecutive failed attempts (of any of its deliveries) after
	// which an endpoint is switched off and the tenant's admins are told (webhook.disabled).
	// Defaults to 20.
	DisableAfter int
}

func (c WebhookConfig) withDefaults() (WebhookConfig, error) {
	for _, n := range []struct {
		field string
		v     *int
		def   int
	}{{"BatchSize", &c.BatchSize, 100}, {"Concurrency", &c.Concurrency, 8}, {"DisableAfter", &c.DisableAfter, 20}} {
		if *n.v < 0 {
			return c, fmt.Errorf("helpdesk: Config.Webhooks.%s is negative", n.field)
		}
		if *n.v == 0 {
			*n.v = n.def
		}
	}
	for _, dur := range []struct {
		field string
		v     *time.Duration
		def   time.Duration
	}{{"PollInterval", &c.PollInterval, 250 * time.Millisecond}, {"Timeout", &c.Timeout, 10 * time.Second}, {"Lease", &c.Lease, 0}} {
		if *dur.v < 0 {
			return c, fmt.Errorf("helpdesk: Config.Webhooks.%s is negative", dur.field)
		}
		if *dur.v == 0 {
			*dur.v = dur.def
		}
	}
	if c.Lease == 0 {
		c.Lease = 2 * c.Timeout
	}
	if c.Lease <= c.Timeout {
		return c, fmt.Errorf("helpdesk: Config.Webhooks.Lease %s does not exceed Timeout %s", c.Lease, c.Timeout)
	}
	return c, nil
}

// DeliverWebhooksOnce claims one batch of due webhook deliveries (Config.Webhooks.BatchSize)
// and POSTs each to its endpoint, Config.Webhooks.Concurrency at a time, signed with the
// endpoint's secret (and its previous one while a rotation lasts), then records the outcomes
// together:
//
//   - a 2xx answer: delivered;
//   - anything else (another status, no answer within Config.Webhooks.Timeout, a refused
//     connection, a redirect, which is not followed): tried again after the notification
//     dispatcher's backoff, until the last of Config.Dispatch.MaxAttempts, then failed;
//   - an endpoint switched off or deleted meanwhile: failed, without a request.
//
// Each attempt counts towards its endpoint's run of failures or ends it; a run of
// Config.Webhooks.DisableAfter switches the endpoint off and tells the tenant's admins
// (webhook.disabled), in the transaction that records the outcomes. Unless
// Config.AllowPrivateTargets, no request connects to a non-public address, whatever the
// endpoint's name resolves to by then.
//
// It returns how many deliveries it claimed, and an error only if the store failed.
func (d *Desk) DeliverWebhooksOnce(ctx context.Context) (int, error) {
	n, send, err := d.claimWebhooks(ctx)
	if err != nil || n == 0 {
		return n, err
	}
	record := send()
	d.lateHooks.wait() // the batch's retries, recorded with it
	return n, record()
}

// claimWebhooks claims one batch of due webhook deliveries and returns how many it claimed
// and the function that makes their requests, which returns the one that records their
// outcomes (DeliverWebhooksOnce's steps).
func (d *Desk) claimWebhooks(ctx context.Context) (int, func() (record func() error), error) {
	cfg := d.cfg.Webhooks
	now := d.clock()
	ds, err := d.store.ClaimWebhookDeliveries(ctx, now, now.Add(cfg.Lease), cfg.BatchSize)
	if err != nil {
		return 0, nil, fmt.Errorf("deliver webhooks: claim: %w", err)
	}
	if len(ds) == 0 {
		return 0, nil, nil
	}
	return len(ds), func() func() error { return d.deliverWebhooks(ctx, ds, now.Add(cfg.Lease)) }, nil
}

// deliverWebhooks makes the requests of claimed deliveries, Config.Webhooks.Concurrency at a
// time, and returns the function that records their outcomes together. A delivery whose lease (until) would run out before
// its request could time out is neither made nor recorded, as in dispatch.
func (d *Desk) deliverWebhooks(ctx context.Context, ds []*webhook.Delivery, until time.Time) (record func() error) {
	cfg := d.cfg.Webhooks
	// The endpoints, read once per batch: an edit reaches the next batch.
	type key struct{ tenant, id uuid.UUID }
	eps := map[key]*webhook.Endpoint{}
	for _, del := range ds {
		k := key{del.TenantID, del.EndpointID}
		if _, ok := eps[k]; ok {
			continue
		}
		e, err := d.store.GetWebhookEndpoint(context.WithoutCancel(ctx), del.TenantID, del.EndpointID)
		if err != nil && !isNotFound(err) {
			// Nothing was sent: the batch is tried again when its leases end.
			return func() error { return fmt.Errorf("deliver webhooks: %w", err) }
		}
		eps[k] = e
	}
	results := make([]webhookResult, len(ds))
	sem := make(chan struct{}, cfg.Concurrency)
	var wg sync.WaitGroup
	for i, del := range ds {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			// As in dispatch: a retry within the claim that waits comes late (lateRetries).
			detach, late := d.lateHooks.detach(wg.Done)
			defer func() {
				<-sem
				if !late() {
					wg.Done()
				}
			}()
			if d.clock().Add(cfg.Timeout).After(until) {
				return
			}
			r := d.attemptWebhook(ctx, eps[key{del.TenantID, del.EndpointID}], del, until, sem, detach)
			if late() {
				d.lateHooks.end(lateHook{del, r})
				return
			}
			results[i] = r
		}()
	}
	wg.Wait()
	// Deliveries left unsent (their lease ran short) are neither sent nor recorded.
	var sent []lateHook
	for i, r := range results {
		if r.ID != uuid.Nil {
			sent = append(sent, lateHook{ds[i], r})
		}
	}
	return func() error {
		// The requests were made: record them even if ctx ended meanwhile, with the retries
		// of earlier batches that have ended since.
		if err := d.finishWebhooks(context.WithoutCancel(ctx), append(sent, d.lateHooks.take()...)); err != nil {
			return fmt.Errorf("deliver webhooks: record outcomes: %w", err)
		}
		return nil
	}
}

// webhookResult is one attempt's outcome, and whether it counts towards its endpoint's run.
type webhookResult struct {
	storage.WebhookOutcome
	counts bool
}

// lateHook is a delivery and its outcome, for lateRetries.
type lateHook struct {
	del *webhook.Delivery
	r   webhookResult
}

// flushLateHooks waits for the webhook retries still running and records the outcomes not yet
// recorded.
func (d *Desk) flushLateHooks(ctx context.Context) error {
	d.lateHooks.wait()
	late := d.lateHooks.take()
	if len(late) == 0 {
		return nil
	}
	if err := d.finishWebhooks(context.WithoutCancel(ctx), late); err != nil {
		return fmt.Errorf("deliver webhooks: record outcomes: %w", err)
	}
	return nil
}

// attemptWebhook delivers del to e (nil when the endpoint is gone). A failure whose retry is due
// within Config.Webhooks.PollInterval is retried within the claim, as dispatch does (see
// retryInClaim, which is given sem and detach), unless the endpoint's run of failures would
// reach Config.Webhooks.DisableAfter; the outcome counts those attempts in Retries.
func (d *Desk) attemptWebhook(ctx context.Context, e *webhook.Endpoint, del *webhook.Delivery, until time.Time, sem chan struct{}, detach func()) webhookResult {
	r := webhookResult{WebhookOutcome: storage.WebhookOutcome{ID: del.ID, Attempt: del.Attempts}}
	if e == nil || !e.Active {
		// The last answer stays on record beside why no more are asked for.
		r.State, r.Error, r.Status, r.At = webhook.Failed, "the endpoint is switched off", del.LastStatus, d.clock()
		d.cfg.Observer.Delivered(WebhookChannel, deliveryOutcome(r.State))
		return r
	}
	for {
		attempt := del.Attempts + r.Retries
		res := d.post(ctx, e, del)
		r.Status, r.Error, r.Duration, r.At = res.status, res.err, res.duration, d.clock()
		switch {
		case res.ok():
			r.State, r.counts = webhook.Delivered, true
		case ctx.Err() != nil:
			// Shutting down: not the receiver's fault, so another deliverer may try at once.
			r.State, r.NextAttemptAt = webhook.Pending, r.At
		case res.permanent || attempt >= d.cfg.Dispatch.MaxAttempts:
			r.State, r.counts = webhook.Failed, !res.permanent
		default:
			r.State, r.counts = webhook.Pending, true
			wait := backoff(d.cfg.Dispatch.RetryBackoff, d.cfg.Dispatch.MaxBackoff, attempt)
			// Not past the run of failures that switches the endpoint off (as read for the
			// batch, with this delivery's own): the record does that.
			run := e.FailureCount + r.Retries + 1
			if run < d.cfg.Webhooks.DisableAfter &&
				d.retryInClaim(ctx, wait, d.cfg.Webhooks.PollInterval, d.cfg.Webhooks.Timeout, until, sem, detach) {
				d.cfg.Observer.Delivered(WebhookChannel, deliveryOutcome(r.State))
				r.Retries++
				continue
			}
			r.NextAttemptAt = r.At.Add(wait)
		}
		d.cfg.Observer.Delivered(WebhookChannel, deliveryOutcome(r.State))
		return r
	}
}

// postResult is what one request came to.
type postResult struct {
	status   int
	err      string
	duration time.Duration
	// permanent is a failure no retry cures (the secret cannot be opened).
	permanent bool
}

func (p postResult) ok() bool { return p.err == "" && p.status >= 200 && p.status < 300 }

// post sends del's payload to e once, signed for this attempt's time.
func (d *Desk) post(ctx context.Context, e *webhook.Endpoint, del *webhook.Delivery) postResult {
	secrets, err := d.webhookSecrets(e)
	if err != nil {
		return postResult{err: short(err.Error()), permanent: true}
	}
	h, err := webhook.Headers(secrets, del.MessageID, d.clock(), del.Payload)
	if err != nil {
		return postResult{err: short(err.Error()), permanent: true}
	}
	rctx, cancel := context.WithTimeout(ctx, d.cfg.Webhooks.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, e.URL, bytes.NewReader(del.Payload))
	if err != nil {
		return postResult{err: short(err.Error()), permanent: true}
	}
	req.Header = h
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "deskkit-helpdesk-webhooks/1")
	start := time.Now()
	res, err := d.webhookClient.Do(req)
	if err != nil {
		return postResult{err: short(err.Error()), duration: time.Since(start)}
	}
	// Read a little of the answer so the connection can be reused; what it says is not kept.
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4<<10))
	_ = res.Body.Close()
	out := postResult{status: res.StatusCode, duration: time.Since(start)}
	if res.StatusCode < 200 || res.StatusCode >= 300 {
		out.err = short(res.Status)
	}
	return out
}

// webhookSecrets opens e's signing secrets: the current one, and the previous one while its
// overlap lasts.
func (d *Desk) webhookSecrets(e *webhook.Endpoint) ([]string, error) {
	ad := webhookAD(e.TenantID, e.ID)
	cur, err := secret.Open(d.cfg.SecretKeys, e.SealedSecret, ad)
	if err != nil {
		return nil, fmt.Errorf("the endpoint's secret: %w", err)
	}
	out := []string{string(cur)}
	if e.SealedPreviousSecret != "" && e.PreviousSecretUntil != nil && d.clock().Before(*e.PreviousSecretUntil) {
		if prev, err := secret.Open(d.cfg.SecretKeys, e.SealedPreviousSecret, ad); err == nil {
			out = append(out, string(prev))
		}
	}
	return out, nil
}

// short cuts an error for the delivery log.
func short(s string) string {
	if len(s) <= maxWebhookError {
		return s
	}
	cut := maxWebhookError
	for cut > 0 && s[cut]&0xC0 == 0x80 { // not inside a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}

// finishWebhooks records a batch's outcomes and the endpoints' runs in one transaction, and
// switches off the endpoints whose run reached Config.Webhooks.DisableAfter.
func (d *Desk) finishWebhooks(ctx context.Context, hooks []lateHook) error {
	if len(hooks) == 0 {
		return nil
	}
	outcomes := make([]storage.WebhookOutcome, len(hooks))
	counts := map[uuid.UUID]bool{}
	type key struct{ tenant, id uuid.UUID }
	endpointOf := map[uuid.UUID]key{}
	for i, h := range hooks {
		outcomes[i] = h.r.WebhookOutcome
		counts[h.r.ID] = h.r.counts
		endpointOf[h.del.ID] = key{h.del.TenantID, h.del.EndpointID}
	}
	return d.inTx(ctx, func(q storage.Queries) error {
		done, err := q.FinishWebhookDeliveries(ctx, outcomes)
		if err != nil {
			return err
		}
		// Each endpoint's attempts, in the order they ended.
		runs := map[key][]storage.WebhookOutcome{}
		var order []key
		for _, o := range done {
			if !counts[o.ID] {
				continue
			}
			k := endpointOf[o.ID]
			if runs[k] == nil {
				order = append(order, k)
			}
			runs[k] = append(runs[k], o)
		}
		for _, k := range order {
			os := runs[k]
			slices.SortStableFunc(os, func(a, b storage.WebhookOutcome) int { return a.At.Compare(b.At) })
			reset, failures := false, 0
			for _, o := range os {
				if o.State == webhook.Delivered {
					reset, failures = true, 0
				} else {
					failures += 1 + o.Retries // the retries within the claim failed too
				}
			}
			last := os[len(os)-1]
			e, err := q.RecordWebhookAttempts(ctx, k.tenant, k.id, reset, failures, last)
			if isNotFound(err) {
				continue // deleted meanwhile
			}
			if err != nil {
				return err
			}
			if e.Active && e.FailureCount >= d.cfg.Webhooks.DisableAfter {
				if err := d.disableWebhook(ctx, q, e, last); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// disableWebhook switches e off after its run of failures and tells the tenant's admins.
func (d *Desk) disableWebhook(ctx context.Context, q storage.Queries, e *webhook.Endpoint, last storage.WebhookOutcome) error {
	now := d.clock()
	reason := fmt.Sprintf("%d failed attempts in a row; the last: %s", e.FailureCount, cmpOr(last.Error, "no answer"))
	e.Active, e.DisabledReason, e.DisabledAt, e.UpdatedAt = false, short(reason), &now, now
	if err := q.UpdateWebhookEndpoint(ctx, e); err != nil {
		return err
	}
	system := tenant.SystemFor(e.TenantID)
	if err := d.audit(ctx, q, system, e.TenantID, "webhook.disabled", "webhook", e.ID, e.DisabledReason); err != nil {
		return err
	}
	return d.notify(ctx, q, e.TenantID, occurrence{ev: notify.WebhookDisabled, actor: system, endpoint: redactWebhook(e)})
}

// webhookURL is an endpoint's page in the back office.
func (d *Desk) webhookURL(id uuid.UUID) string {
	return d.cfg.BaseURL + "/company/webhooks/" + id.String()
}

// The txWatch forgets the endpoints it read of a tenant whose endpoints the transaction
// changes, so that what it notifies afterwards goes to the endpoints as they are then.

func (w *txWatch) CreateWebhookEndpoint(ctx context.Context, e *webhook.Endpoint) error {
	delete(w.endpoints, e.TenantID)
	return w.Queries.CreateWebhookEndpoint(ctx, e)
}

func (w *txWatch) UpdateWebhookEndpoint(ctx context.Context, e *webhook.Endpoint) error {
	delete(w.endpoints, e.TenantID)
	return w.Queries.UpdateWebhookEndpoint(ctx, e)
}

func (w *txWatch) DeleteWebhookEndpoint(ctx context.Context, tenantID, id uuid.UUID) error {
	delete(w.endpoints, tenantID)
	return w.Queries.DeleteWebhookEndpoint(ctx, tenantID, id)
}
