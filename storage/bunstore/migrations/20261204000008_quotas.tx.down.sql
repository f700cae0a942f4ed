DROP INDEX IF EXISTS tickets_tenant_code_created;
