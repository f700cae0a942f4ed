-- Canned responses: a tenant's predefined messages per language, written with the tags of
-- notification templates and rendered with a ticket's data when staff insert one.
CREATE TABLE canned_responses (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	language TEXT NOT NULL,
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at {{.Time}} NOT NULL,
	updated_at {{.Time}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);

--bun:split
CREATE INDEX canned_responses_tenant_language ON canned_responses (tenant_id, language, title);

--bun:split
-- A retired status or priority stays on the tickets that have it but cannot be set anew.
ALTER TABLE statuses ADD COLUMN retired {{.Bool}} NOT NULL DEFAULT false;

--bun:split
ALTER TABLE priorities ADD COLUMN retired {{.Bool}} NOT NULL DEFAULT false;

--bun:split
-- The department (branch) an employee works in.
ALTER TABLE users ADD COLUMN department_id {{.UUID}};
