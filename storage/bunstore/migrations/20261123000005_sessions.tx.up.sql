-- Sessions, timers and media: the requester's link to a session (kept as the hash of its
-- secret), sessions found by their video room, the ticket's media transfer window, pending
-- timers, and the metadata of files attached to tickets (their content lives in a blob store).
-- link_hash is NULL for a session without a link, as tickets.requester_token_hash is for a
-- ticket: a unique index allows any number of NULLs on both engines. (SQLite cannot add a
-- column with a UNIQUE constraint, hence the index of its own.)
ALTER TABLE sessions ADD COLUMN link_hash TEXT;

--bun:split
CREATE UNIQUE INDEX sessions_link_hash ON sessions (link_hash);

--bun:split
-- A video provider's callbacks name the room only. Sessions without a room ('') stay out of the
-- index; room <> '' in the query lets both engines use it.
CREATE INDEX sessions_room ON sessions (room, id) WHERE room <> '';

--bun:split
ALTER TABLE tickets ADD COLUMN uploads_until {{.Time}};

--bun:split
-- timers holds pending timers only: firing one deletes it. subject_id is the session's ID for a
-- session's timer and the ticket's for the ticket's own, so that a subject has at most one
-- pending timer of each kind (arming again replaces it).
CREATE TABLE timers (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL,
	ticket_id {{.UUID}} NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	session_id {{.UUID}} REFERENCES sessions (id) ON DELETE CASCADE,
	subject_id {{.UUID}} NOT NULL,
	kind TEXT NOT NULL,
	due_at {{.Time}} NOT NULL,
	run_at {{.Time}} NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	created_at {{.Time}} NOT NULL,
	UNIQUE (subject_id, kind)
);

--bun:split
-- Claims and the next run time read this index from its start, so they cost what the due
-- timers cost, whatever the number of pending ones.
CREATE INDEX timers_run_at ON timers (run_at, id);

--bun:split
-- A ticket's timers, for listing and cancelling them, and for the foreign key's cascade.
CREATE INDEX timers_ticket ON timers (ticket_id);

--bun:split
CREATE INDEX timers_session ON timers (session_id) WHERE session_id IS NOT NULL;

--bun:split
-- message_id is NULL for media uploaded on the ticket rather than attached to a message.
CREATE TABLE attachments (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL,
	ticket_id {{.UUID}} NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	message_id {{.UUID}} REFERENCES messages (id) ON DELETE CASCADE,
	visibility TEXT NOT NULL,
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size BIGINT NOT NULL,
	digest TEXT NOT NULL,
	blob_key TEXT NOT NULL,
	uploader_kind TEXT NOT NULL,
	uploader_id {{.UUID}},
	uploader_name TEXT NOT NULL DEFAULT '',
	created_at {{.Time}} NOT NULL
);

--bun:split
CREATE INDEX attachments_ticket_id ON attachments (ticket_id, id);

--bun:split
CREATE INDEX attachments_message ON attachments (message_id) WHERE message_id IS NOT NULL;
