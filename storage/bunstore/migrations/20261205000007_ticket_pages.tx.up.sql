-- A ticket's messages, history, sessions and attachments are listed a page at a time, oldest
-- first: by their time, then by ID, from the row after the cursor's. These indexes serve that
-- order and range on both engines and replace the (ticket_id, id) ones, whose every other use
-- (a ticket's rows, deleted with it) they serve as well.
DROP INDEX messages_ticket_id;

--bun:split
CREATE INDEX messages_ticket_created ON messages (ticket_id, created_at, id);

--bun:split
-- Requesters and customer users page through the public messages only: on a ticket flooded
-- with internal notes their pages still read the rows they show, not the notes in between.
-- The query's visibility = 'public' matches the predicate on both engines.
CREATE INDEX messages_ticket_public ON messages (ticket_id, created_at, id) WHERE visibility = 'public';

--bun:split
DROP INDEX history_ticket_id;

--bun:split
CREATE INDEX history_ticket_at ON history (ticket_id, at, id);

--bun:split
DROP INDEX sessions_ticket_id;

--bun:split
CREATE INDEX sessions_ticket_created ON sessions (ticket_id, created_at, id);

--bun:split
DROP INDEX attachments_ticket_id;

--bun:split
CREATE INDEX attachments_ticket_created ON attachments (ticket_id, created_at, id);

--bun:split
CREATE INDEX attachments_ticket_public ON attachments (ticket_id, created_at, id) WHERE visibility = 'public';
