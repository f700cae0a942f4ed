DROP INDEX IF EXISTS attachments_ticket_public;
--bun:split
DROP INDEX IF EXISTS attachments_ticket_created;
--bun:split
CREATE INDEX attachments_ticket_id ON attachments (ticket_id, id);
--bun:split
DROP INDEX IF EXISTS sessions_ticket_created;
--bun:split
CREATE INDEX sessions_ticket_id ON sessions (ticket_id, id);
--bun:split
DROP INDEX IF EXISTS history_ticket_at;
--bun:split
CREATE INDEX history_ticket_id ON history (ticket_id, id);
--bun:split
DROP INDEX IF EXISTS messages_ticket_public;
--bun:split
DROP INDEX IF EXISTS messages_ticket_created;
--bun:split
CREATE INDEX messages_ticket_id ON messages (ticket_id, id);
