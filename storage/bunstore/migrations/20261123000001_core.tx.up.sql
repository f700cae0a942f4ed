-- Core schema: tenants, customers, devices, codes, tickets and their history.
-- Rendered as a text/template: {{.UUID}}, {{.Time}}, {{.JSON}}, {{.Bool}} are the dialect's types.
CREATE TABLE tenants (
	id {{.UUID}} PRIMARY KEY,
	name TEXT NOT NULL,
	language TEXT NOT NULL DEFAULT 'en',
	ticket_prefix TEXT NOT NULL DEFAULT 'T',
	ticket_seq BIGINT NOT NULL DEFAULT 0,
	created_at {{.Time}} NOT NULL,
	updated_at {{.Time}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);

--bun:split
CREATE TABLE departments (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	created_at {{.Time}} NOT NULL,
	updated_at {{.Time}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);

--bun:split
CREATE INDEX departments_tenant_name ON departments (tenant_id, name);

--bun:split
CREATE TABLE projects (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	customer_id {{.UUID}},
	created_at {{.Time}} NOT NULL,
	updated_at {{.Time}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);

--bun:split
CREATE INDEX projects_tenant_name ON projects (tenant_id, name);

--bun:split
CREATE TABLE customers (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	language TEXT NOT NULL DEFAULT '',
	project_id {{.UUID}},
	department_id {{.UUID}},
	support_until {{.Time}},
	created_at {{.Time}} NOT NULL,
	updated_at {{.Time}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);

--bun:split
CREATE INDEX customers_tenant_name ON customers (tenant_id, name);

--bun:split
CREATE TABLE templates (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	fields {{.JSON}},
	blocks {{.JSON}},
	created_at {{.Time}} NOT NULL,
	updated_at {{.Time}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);

--bun:split
CREATE INDEX templates_tenant_name ON templates (tenant_id, name);

--bun:split
CREATE TABLE devices (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	customer_id {{.UUID}},
	template_id {{.UUID}},
	project_id {{.UUID}},
	name TEXT NOT NULL,
	serial_number TEXT NOT NULL DEFAULT '',
	location TEXT NOT NULL DEFAULT '',
	fields {{.JSON}},
	-- search_text is name and serial number lower-cased in Go, so that case-insensitive search
	-- works beyond ASCII on SQLite as on PostgreSQL.
	search_text TEXT NOT NULL DEFAULT '',
	created_at {{.Time}} NOT NULL,
	updated_at {{.Time}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);

--bun:split
CREATE INDEX devices_tenant_id ON devices (tenant_id, id);

--bun:split
CREATE INDEX devices_tenant_customer_id ON devices (tenant_id, customer_id, id);

--bun:split
CREATE TABLE codes (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	device_id {{.UUID}} NOT NULL,
	token TEXT NOT NULL UNIQUE,
	active {{.Bool}} NOT NULL,
	expires_at {{.Time}},
	actions {{.JSON}},
	pin_hash TEXT NOT NULL DEFAULT '',
	appearance {{.JSON}},
	scan_count BIGINT NOT NULL DEFAULT 0,
	last_scan_at {{.Time}},
	created_at {{.Time}} NOT NULL,
	updated_at {{.Time}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);

--bun:split
CREATE INDEX codes_tenant_device ON codes (tenant_id, device_id);

--bun:split
CREATE TABLE statuses (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	state TEXT NOT NULL,
	is_default {{.Bool}} NOT NULL,
	position INTEGER NOT NULL DEFAULT 0,
	created_at {{.Time}} NOT NULL,
	updated_at {{.Time}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);

--bun:split
CREATE INDEX statuses_tenant ON statuses (tenant_id);

--bun:split
CREATE TABLE priorities (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	rank INTEGER NOT NULL,
	is_default {{.Bool}} NOT NULL,
	created_at {{.Time}} NOT NULL,
	updated_at {{.Time}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);

--bun:split
CREATE INDEX priorities_tenant ON priorities (tenant_id);

--bun:split
CREATE TABLE tickets (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	number BIGINT NOT NULL,
	prefix TEXT NOT NULL,
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	requester_name TEXT NOT NULL DEFAULT '',
	requester_email TEXT NOT NULL DEFAULT '',
	requester_phone TEXT NOT NULL DEFAULT '',
	requester_language TEXT NOT NULL DEFAULT '',
	device_id {{.UUID}},
	customer_id {{.UUID}},
	project_id {{.UUID}},
	type TEXT NOT NULL DEFAULT '',
	priority_id {{.UUID}},
	status_id {{.UUID}},
	state TEXT NOT NULL,
	assignee_id {{.UUID}},
	team_id {{.UUID}},
	source TEXT NOT NULL,
	code_id {{.UUID}},
	created_by_kind TEXT NOT NULL,
	created_by_id {{.UUID}},
	created_by_name TEXT NOT NULL DEFAULT '',
	rating_stars INTEGER,
	rating_comment TEXT,
	rated_at {{.Time}},
	close_reason TEXT NOT NULL DEFAULT '',
	requester_token_hash TEXT UNIQUE,
	-- search_text is title and description lower-cased in Go (see devices.search_text).
	search_text TEXT NOT NULL DEFAULT '',
	created_at {{.Time}} NOT NULL,
	updated_at {{.Time}} NOT NULL,
	closed_at {{.Time}},
	version BIGINT NOT NULL DEFAULT 1,
	UNIQUE (tenant_id, number)
);

--bun:split
CREATE INDEX tickets_tenant_id ON tickets (tenant_id, id);

--bun:split
CREATE INDEX tickets_tenant_state_id ON tickets (tenant_id, state, id);

--bun:split
CREATE INDEX tickets_tenant_assignee_id ON tickets (tenant_id, assignee_id, id);

--bun:split
CREATE INDEX tickets_tenant_team_id ON tickets (tenant_id, team_id, id);

--bun:split
CREATE INDEX tickets_tenant_customer_id ON tickets (tenant_id, customer_id, id);

--bun:split
CREATE INDEX tickets_tenant_device_id ON tickets (tenant_id, device_id, id);

--bun:split
CREATE TABLE messages (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL,
	ticket_id {{.UUID}} NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	author_kind TEXT NOT NULL,
	author_id {{.UUID}},
	author_name TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	visibility TEXT NOT NULL,
	created_at {{.Time}} NOT NULL
);

--bun:split
CREATE INDEX messages_ticket_id ON messages (ticket_id, id);

--bun:split
CREATE TABLE history (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL,
	ticket_id {{.UUID}} NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	session_id {{.UUID}},
	actor_kind TEXT NOT NULL,
	actor_id {{.UUID}},
	actor_name TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	from_state TEXT NOT NULL DEFAULT '',
	to_state TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	at {{.Time}} NOT NULL
);

--bun:split
CREATE INDEX history_ticket_id ON history (ticket_id, id);

--bun:split
CREATE TABLE sessions (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL,
	ticket_id {{.UUID}} NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	state TEXT NOT NULL,
	planned_at {{.Time}},
	planned_end {{.Time}},
	agent_id {{.UUID}},
	room TEXT NOT NULL DEFAULT '',
	started_at {{.Time}},
	ended_at {{.Time}},
	rating_stars INTEGER,
	rating_comment TEXT,
	rated_at {{.Time}},
	created_at {{.Time}} NOT NULL,
	updated_at {{.Time}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);

--bun:split
CREATE INDEX sessions_ticket_id ON sessions (ticket_id, id);
