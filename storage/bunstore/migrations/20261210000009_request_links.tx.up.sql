-- Request links: staff send a named contact a link to open a ticket for one device, when the
-- tenant's request form is only for the invited. The link's token is signed with the
-- application's master key over the link's ID; the row holds no secret. A link works once.
CREATE TABLE request_links (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	device_id {{.UUID}} NOT NULL,
	contact {{.JSON}} NOT NULL,
	created_by {{.JSON}} NOT NULL,
	expires_at {{.Time}} NOT NULL,
	used_at {{.Time}},
	ticket_id {{.UUID}},
	created_at {{.Time}} NOT NULL
);

--bun:split
CREATE INDEX request_links_tenant_device ON request_links (tenant_id, device_id);
