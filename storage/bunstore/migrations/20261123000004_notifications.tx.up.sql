-- Notifications: the outbox of deliveries (written in the transaction of the change that caused
-- them, claimed by dispatchers by due time), the in-app notifications of the bell, tenants' own
-- notification templates, the tenant's link secret and the user's push switch.
-- {{.RandomHex}} is the dialect's expression for 64 random hex digits (32 bytes).
ALTER TABLE tenants ADD COLUMN link_secret TEXT NOT NULL DEFAULT '';

--bun:split
-- Tenants created before this migration get a secret of their own; CreateTenant sets it for new
-- ones and nothing changes it afterwards.
UPDATE tenants SET link_secret = {{.RandomHex}} WHERE link_secret = '';

--bun:split
ALTER TABLE users ADD COLUMN push {{.Bool}} NOT NULL DEFAULT false;

--bun:split
-- ticket_id has no foreign key on purpose: deleting a ticket keeps its notifications in the
-- delivery log (and any still pending are delivered), as messages already sent cannot be
-- unsent either.
CREATE TABLE notifications (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	event TEXT NOT NULL,
	channel TEXT NOT NULL,
	user_id {{.UUID}},
	to_name TEXT NOT NULL DEFAULT '',
	to_email TEXT NOT NULL DEFAULT '',
	to_phone TEXT NOT NULL DEFAULT '',
	language TEXT NOT NULL DEFAULT '',
	subject TEXT NOT NULL DEFAULT '',
	text TEXT NOT NULL DEFAULT '',
	html TEXT NOT NULL DEFAULT '',
	header_image TEXT NOT NULL DEFAULT '',
	link TEXT NOT NULL DEFAULT '',
	ticket_id {{.UUID}},
	idempotency_key TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at {{.Time}} NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	provider_id TEXT NOT NULL DEFAULT '',
	created_at {{.Time}} NOT NULL,
	sent_at {{.Time}},
	delivered_at {{.Time}},
	read_at {{.Time}}
);

--bun:split
-- Claims and the next due time read only pending rows, so the index holds only those: its size
-- follows the work waiting, not the history.
CREATE INDEX notifications_pending_due ON notifications (next_attempt_at, id) WHERE status = 'pending';

--bun:split
CREATE INDEX notifications_tenant_id ON notifications (tenant_id, id);

--bun:split
-- The bell: a user's in-app notifications, newest first, and the unread count.
CREATE INDEX notifications_inbox ON notifications (tenant_id, user_id, id) WHERE channel = 'inapp';

--bun:split
CREATE INDEX notifications_tenant_ticket ON notifications (tenant_id, ticket_id, id) WHERE ticket_id IS NOT NULL;

--bun:split
-- Providers' delivery reports find the message they are about by its provider ID.
CREATE INDEX notifications_provider ON notifications (provider_id, channel) WHERE provider_id <> '';

--bun:split
CREATE TABLE notification_templates (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	event TEXT NOT NULL,
	channel TEXT NOT NULL,
	language TEXT NOT NULL,
	subject TEXT NOT NULL DEFAULT '',
	text TEXT NOT NULL DEFAULT '',
	html TEXT NOT NULL DEFAULT '',
	header_image TEXT NOT NULL DEFAULT '',
	link TEXT NOT NULL DEFAULT '',
	enabled {{.Bool}} NOT NULL,
	created_at {{.Time}} NOT NULL,
	updated_at {{.Time}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1,
	UNIQUE (tenant_id, event, channel, language)
);
