-- Users' API tokens, found by the SHA-256 hash of their secret (the secret is never stored).
CREATE TABLE api_tokens (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	user_id {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	secret_hash TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	scopes INTEGER NOT NULL,
	created_at {{.Time}} NOT NULL,
	expires_at {{.Time}} NOT NULL,
	last_used_at {{.Time}},
	revoked_at {{.Time}}
);

--bun:split
CREATE INDEX api_tokens_user ON api_tokens (tenant_id, user_id, created_at);

--bun:split
-- Idempotency keys of API requests: the claim is the insert on the primary key, so instances
-- agree on who runs a request; the finished response is kept for replays.
CREATE TABLE idempotency_keys (
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	principal TEXT NOT NULL,
	key TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	created_at {{.Time}} NOT NULL,
	locked_until {{.Time}} NOT NULL,
	done {{.Bool}} NOT NULL DEFAULT FALSE,
	status INTEGER NOT NULL DEFAULT 0,
	header {{.JSON}},
	body {{.Bytes}},
	PRIMARY KEY (tenant_id, principal, key)
);

--bun:split
-- Records older than a day count as absent; a later purge deletes them by age.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
