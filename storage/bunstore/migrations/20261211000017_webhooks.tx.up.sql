-- Webhooks: a tenant's endpoints and the outbox of their deliveries. The signing secrets are
-- sealed under the application's master key (AES-256-GCM, bound to the endpoint): the rows
-- hold no secret in clear.
CREATE TABLE webhook_endpoints (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	url TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	events {{.JSON}},
	active {{.Bool}} NOT NULL,
	disabled_reason TEXT NOT NULL DEFAULT '',
	disabled_at {{.Time}},
	failure_count INTEGER NOT NULL DEFAULT 0,
	last_attempt_at {{.Time}},
	last_status INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	secret_sealed TEXT NOT NULL,
	previous_secret_sealed TEXT NOT NULL DEFAULT '',
	previous_secret_until {{.Time}},
	created_at {{.Time}} NOT NULL,
	updated_at {{.Time}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1,
	-- The deliveries' foreign key names the tenant too, so no delivery points across tenants.
	UNIQUE (tenant_id, id)
);

--bun:split
-- The payload is TEXT on both engines: its bytes are what is signed and sent, and a replay
-- sends the same bytes again (jsonb would rewrite them).
CREATE TABLE webhook_deliveries (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL,
	endpoint_id {{.UUID}} NOT NULL,
	message_id TEXT NOT NULL,
	event TEXT NOT NULL,
	payload TEXT NOT NULL,
	state TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at {{.Time}} NOT NULL,
	last_status INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	last_attempt_at {{.Time}},
	duration_us BIGINT NOT NULL DEFAULT 0,
	created_at {{.Time}} NOT NULL,
	FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE
);

--bun:split
-- Claims and the next due time read only pending rows, as the notifications' index does.
CREATE INDEX webhook_deliveries_pending_due ON webhook_deliveries (next_attempt_at, id) WHERE state = 'pending';

--bun:split
-- An endpoint's delivery log, newest first.
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (tenant_id, endpoint_id, id);
