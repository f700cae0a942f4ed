-- The Video Sessions list reads a tenant's sessions across its tickets, newest first, and the
-- dashboard those planned for a day: indexes by tenant and ID, and by tenant and planned start.
CREATE INDEX sessions_tenant_id ON sessions (tenant_id, id);

--bun:split
CREATE INDEX sessions_tenant_planned ON sessions (tenant_id, planned_at, id) WHERE planned_at IS NOT NULL;
