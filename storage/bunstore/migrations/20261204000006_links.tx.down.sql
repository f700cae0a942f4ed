ALTER TABLE notifications DROP COLUMN sealed;
--bun:split
ALTER TABLE tenants ADD COLUMN link_secret TEXT NOT NULL DEFAULT '';
--bun:split
UPDATE tenants SET link_secret = {{.RandomHex}} WHERE link_secret = '';
--bun:split
ALTER TABLE sessions ADD COLUMN link_hash TEXT;
--bun:split
CREATE UNIQUE INDEX sessions_link_hash ON sessions (link_hash);
--bun:split
ALTER TABLE tickets DROP COLUMN link_version;
