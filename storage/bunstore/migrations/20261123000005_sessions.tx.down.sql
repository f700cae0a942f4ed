DROP TABLE IF EXISTS attachments;
--bun:split
DROP TABLE IF EXISTS timers;
--bun:split
ALTER TABLE tickets DROP COLUMN uploads_until;
--bun:split
DROP INDEX IF EXISTS sessions_room;
--bun:split
-- SQLite drops no column an index still uses.
DROP INDEX IF EXISTS sessions_link_hash;
--bun:split
ALTER TABLE sessions DROP COLUMN link_hash;
