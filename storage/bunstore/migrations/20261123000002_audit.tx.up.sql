-- The tenant's audit log: changes to its setup and deletions of tickets.
CREATE TABLE audit_log (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	actor_kind TEXT NOT NULL,
	actor_id {{.UUID}},
	actor_name TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	entity TEXT NOT NULL,
	entity_id {{.UUID}},
	detail TEXT NOT NULL DEFAULT '',
	at {{.Time}} NOT NULL
);

--bun:split
CREATE INDEX audit_log_tenant_id ON audit_log (tenant_id, id);
