-- Housekeeping: each purge finds what it deletes through an index, so a run's cost follows
-- the rows it deletes, not the size of the tables it keeps.
CREATE INDEX auth_sessions_expires ON auth_sessions (expires_at);

--bun:split
-- A one-time link is purged once used, or once expired unused (it cannot be used after it
-- expired): the purge's condition is this very expression.
CREATE INDEX user_tokens_done ON user_tokens ((COALESCE(used_at, expires_at)));

--bun:split
CREATE INDEX request_links_done ON request_links ((COALESCE(used_at, expires_at)));

--bun:split
CREATE INDEX login_failures_since ON login_failures (since);

--bun:split
-- Finished deliveries only: the pending ones have an index of their own and are never purged.
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (created_at) WHERE state <> 'pending';

--bun:split
-- Notifications are kept for their tenant's retention period, so the purge goes tenant by
-- tenant; pending ones are never purged.
CREATE INDEX notifications_tenant_finished ON notifications (tenant_id, created_at) WHERE status <> 'pending';
