-- Users' Web Push subscriptions: the browsers a user asked to be notified in. An endpoint is
-- one browser's, so it belongs to one user of a tenant at a time.
CREATE TABLE push_subscriptions (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	user_id {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	endpoint TEXT NOT NULL,
	p256dh TEXT NOT NULL,
	auth TEXT NOT NULL,
	user_agent TEXT NOT NULL DEFAULT '',
	created_at {{.Time}} NOT NULL,
	UNIQUE (tenant_id, endpoint)
);

--bun:split
CREATE INDEX push_subscriptions_user ON push_subscriptions (tenant_id, user_id, created_at);
