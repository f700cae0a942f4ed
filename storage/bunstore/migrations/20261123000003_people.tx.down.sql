DROP TABLE IF EXISTS login_failures;
--bun:split
DROP TABLE IF EXISTS auth_sessions;
--bun:split
DROP TABLE IF EXISTS user_tokens;
--bun:split
DROP TABLE IF EXISTS team_members;
--bun:split
DROP TABLE IF EXISTS teams;
--bun:split
DROP TABLE IF EXISTS meta_teams;
--bun:split
DROP TABLE IF EXISTS users;
--bun:split
ALTER TABLE customers DROP COLUMN signup_domains;
--bun:split
ALTER TABLE tenants DROP COLUMN settings;
--bun:split
ALTER TABLE tenants DROP COLUMN default_team_id;
