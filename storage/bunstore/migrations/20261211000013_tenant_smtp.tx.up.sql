-- A tenant's own mail server. The password is sealed under the application's master key
-- (AES-256-GCM, bound to the tenant): the row holds no password in clear.
CREATE TABLE tenant_smtp (
	tenant_id {{.UUID}} PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
	host TEXT NOT NULL,
	port INTEGER NOT NULL,
	security TEXT NOT NULL,
	username TEXT NOT NULL,
	from_address TEXT NOT NULL,
	password_sealed TEXT NOT NULL,
	updated_at {{.Time}} NOT NULL
);
