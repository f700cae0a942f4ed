DROP INDEX IF EXISTS notifications_tenant_finished;

--bun:split
DROP INDEX IF EXISTS webhook_deliveries_finished;

--bun:split
DROP INDEX IF EXISTS login_failures_since;

--bun:split
DROP INDEX IF EXISTS request_links_done;

--bun:split
DROP INDEX IF EXISTS user_tokens_done;

--bun:split
DROP INDEX IF EXISTS auth_sessions_expires;
