DROP TABLE IF EXISTS sessions;
--bun:split
DROP TABLE IF EXISTS history;
--bun:split
DROP TABLE IF EXISTS messages;
--bun:split
DROP TABLE IF EXISTS tickets;
--bun:split
DROP TABLE IF EXISTS priorities;
--bun:split
DROP TABLE IF EXISTS statuses;
--bun:split
DROP TABLE IF EXISTS codes;
--bun:split
DROP TABLE IF EXISTS devices;
--bun:split
DROP TABLE IF EXISTS templates;
--bun:split
DROP TABLE IF EXISTS customers;
--bun:split
DROP TABLE IF EXISTS projects;
--bun:split
DROP TABLE IF EXISTS departments;
--bun:split
DROP TABLE IF EXISTS tenants;
