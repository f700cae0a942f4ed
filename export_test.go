package helpdesk

import (
	"context"
	"net/netip"

	"github.com/deskkit/helpdesk/notify"
	"github.com/google/uuid"
)

// WithLinks returns n's message as the dispatcher hands it to a Notifier: with its sealed
// links put in. n must come from the store, whose Sealed the Desk never returns.
func WithLinks(d *Desk, n *notify.Notification) (notify.Message, error) {
	m := n.Message
	err := d.unsealLinks(n, &m)
	return m, err
}

// FillHashSlots takes every password and PIN check slot of d, as a flood of sign-ins would,
// until release is called.
func FillHashSlots(d *Desk) (release func()) {
	for range cap(d.hashSlots) {
		d.hashSlots <- struct{}{}
	}
	return func() {
		for range cap(d.hashSlots) {
			<-d.hashSlots
		}
	}
}

// SetLookupIP makes d resolve webhook hosts with lookup, so that a test can give a name that
// resolves inward without a DNS server.
func SetLookupIP(d *Desk, lookup func(ctx context.Context, host string) ([]netip.Addr, error)) {
	d.lookupIP = lookup
}

// WebhookSecrets opens the signing secrets of the tenant's endpoint id with d's keys.
func WebhookSecrets(d *Desk, tenantID, id uuid.UUID) ([]string, error) {
	e, err := d.store.GetWebhookEndpoint(context.Background(), tenantID, id)
	if err != nil {
		return nil, err
	}
	return d.webhookSecrets(e)
}
