DROP INDEX IF EXISTS offers_open_user;
--bun:split
DROP INDEX IF EXISTS offers_tenant_ticket;
--bun:split
DROP TABLE IF EXISTS offers;
