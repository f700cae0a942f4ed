DROP TABLE IF EXISTS notification_templates;
--bun:split
DROP TABLE IF EXISTS notifications;
--bun:split
ALTER TABLE users DROP COLUMN push;
--bun:split
ALTER TABLE tenants DROP COLUMN link_secret;
