-- Link secrets come from the embedding application's master key (helpdesk.Config.SecretKeys),
-- not from the database: a copy of the database alone no longer lets anyone build a
-- requester's or a session's link. A link is signed over its ticket's link_version, so raising
-- the version revokes every link given out before. tickets.requester_token_hash is no longer
-- read or written (SQLite cannot drop a UNIQUE column): it is emptied here.
ALTER TABLE tickets ADD COLUMN link_version BIGINT NOT NULL DEFAULT 1;

--bun:split
UPDATE tickets SET requester_token_hash = NULL;

--bun:split
-- SQLite drops no column an index still uses.
DROP INDEX IF EXISTS sessions_link_hash;

--bun:split
ALTER TABLE sessions DROP COLUMN link_hash;

--bun:split
ALTER TABLE tenants DROP COLUMN link_secret;

--bun:split
-- The secret links a notification carries, sealed under the master key (AES-256-GCM); the
-- stored texts hold placeholders until the dispatcher sends them.
ALTER TABLE notifications ADD COLUMN sealed TEXT NOT NULL DEFAULT '';
