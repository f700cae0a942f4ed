DROP INDEX IF EXISTS sessions_tenant_planned;

--bun:split
DROP INDEX IF EXISTS sessions_tenant_id;
