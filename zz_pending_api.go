package helpdesk

// TEMPORARY stand-ins until the tokens branch merges; never committed to main.

import (
	"context"

	"github.com/deskkit/helpdesk/tenant"
)

func (d *Desk) AuthenticateAPIToken(ctx context.Context, secret string) (tenant.Actor, error) {
	return d.Authenticate(ctx, secret)
}

type StoredResponse struct {
	Status int
	Header map[string]string
	Body   []byte
}

func (d *Desk) BeginIdempotent(ctx context.Context, actor tenant.Actor, key, fingerprint string) (*StoredResponse, error) {
	return nil, nil
}
func (d *Desk) FinishIdempotent(ctx context.Context, actor tenant.Actor, key string, resp StoredResponse) error {
	return nil
}
func (d *Desk) AbandonIdempotent(ctx context.Context, actor tenant.Actor, key string) error { return nil }
