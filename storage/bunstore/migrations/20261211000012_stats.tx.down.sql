DROP INDEX IF EXISTS devices_tenant_template;
--bun:split
DROP INDEX IF EXISTS tickets_tenant_customer_closed;
--bun:split
DROP INDEX IF EXISTS tickets_tenant_closed;
--bun:split
DROP INDEX IF EXISTS tickets_tenant_customer_created;
--bun:split
DROP INDEX IF EXISTS tickets_tenant_created;
