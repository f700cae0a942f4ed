-- People: users who sign in, teams of employees, one-time link tokens, sign-in sessions and
-- failed sign-in counters; tenants gain a default team and settings, customers the e-mail
-- domains whose owners may register themselves.
ALTER TABLE tenants ADD COLUMN default_team_id {{.UUID}};

--bun:split
ALTER TABLE tenants ADD COLUMN settings {{.JSON}} NOT NULL DEFAULT '{}';

--bun:split
ALTER TABLE customers ADD COLUMN signup_domains {{.JSON}};

--bun:split
CREATE TABLE users (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	customer_id {{.UUID}},
	-- email is lower-cased by the caller, so a plain unique constraint is case-insensitive.
	email TEXT NOT NULL,
	name TEXT NOT NULL,
	phone TEXT NOT NULL DEFAULT '',
	language TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL,
	status TEXT NOT NULL,
	password_hash TEXT NOT NULL DEFAULT '',
	last_sign_in_at {{.Time}},
	-- search_text is name and e-mail lower-cased in Go (see devices.search_text).
	search_text TEXT NOT NULL DEFAULT '',
	created_at {{.Time}} NOT NULL,
	updated_at {{.Time}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1,
	UNIQUE (tenant_id, email)
);

--bun:split
CREATE INDEX users_tenant_id ON users (tenant_id, id);

--bun:split
CREATE INDEX users_tenant_customer_id ON users (tenant_id, customer_id, id);

--bun:split
CREATE TABLE meta_teams (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	created_at {{.Time}} NOT NULL,
	updated_at {{.Time}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);

--bun:split
CREATE INDEX meta_teams_tenant_name ON meta_teams (tenant_id, name);

--bun:split
CREATE TABLE teams (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	supervisor_id {{.UUID}},
	meta_team_id {{.UUID}},
	created_at {{.Time}} NOT NULL,
	updated_at {{.Time}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);

--bun:split
CREATE INDEX teams_tenant_name ON teams (tenant_id, name);

--bun:split
-- team_members holds a team's Members in their order (position counts from 0).
CREATE TABLE team_members (
	team_id {{.UUID}} NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	user_id {{.UUID}} NOT NULL,
	position INTEGER NOT NULL,
	PRIMARY KEY (team_id, user_id)
);

--bun:split
CREATE INDEX team_members_tenant_team ON team_members (tenant_id, team_id, position);

--bun:split
CREATE TABLE user_tokens (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	user_id {{.UUID}} NOT NULL,
	purpose TEXT NOT NULL,
	hash TEXT NOT NULL UNIQUE,
	expires_at {{.Time}} NOT NULL,
	used_at {{.Time}},
	created_at {{.Time}} NOT NULL
);

--bun:split
CREATE INDEX user_tokens_tenant_user ON user_tokens (tenant_id, user_id, purpose);

--bun:split
CREATE TABLE auth_sessions (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	user_id {{.UUID}} NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	created_at {{.Time}} NOT NULL,
	expires_at {{.Time}} NOT NULL
);

--bun:split
CREATE INDEX auth_sessions_tenant_user ON auth_sessions (tenant_id, user_id);

--bun:split
-- login_failures counts failed sign-ins per key in a window that opened at since.
CREATE TABLE login_failures (
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	key TEXT NOT NULL,
	count INTEGER NOT NULL,
	since {{.Time}} NOT NULL,
	PRIMARY KEY (tenant_id, key)
);
