-- Full-text search over tickets and their messages. The words are folded in Go (case,
-- accents, ł ß æ ø œ: internal/textsearch) before either engine sees them, so both find the
-- same tickets and no extension or text search configuration is needed.
--
-- PostgreSQL: tickets.search_doc is a tsvector written by the store: the reference and title
-- with weight A, the requester and description B, public messages C, internal messages D
-- (customers' queries ask for A, B and C only), and a lexeme naming the tenant, so that the
-- GIN index narrows a query to one tenant. The backfill and the index come in the next
-- migration (20261211000021), which fills the column in Go.
--
-- SQLite: ticket_search holds the same folded text per ticket, one column per weight, and
-- ticket_fts is an FTS5 index over it (external content), kept in step by triggers.
{{if .PG}}
ALTER TABLE tickets ADD COLUMN search_doc tsvector;
{{else}}
CREATE TABLE ticket_search (
	doc INTEGER PRIMARY KEY,
	ticket_id TEXT NOT NULL UNIQUE REFERENCES tickets (id) ON DELETE CASCADE,
	tenant TEXT NOT NULL,
	head TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '',
	public TEXT NOT NULL DEFAULT '',
	internal TEXT NOT NULL DEFAULT ''
);

--bun:split
CREATE VIRTUAL TABLE ticket_fts USING fts5(tenant, head, detail, public, internal,
	content = 'ticket_search', content_rowid = 'doc', tokenize = 'unicode61 remove_diacritics 2');

--bun:split
CREATE TRIGGER ticket_search_insert AFTER INSERT ON ticket_search BEGIN
	INSERT INTO ticket_fts (rowid, tenant, head, detail, public, internal)
	VALUES (new.doc, new.tenant, new.head, new.detail, new.public, new.internal);
END;

--bun:split
CREATE TRIGGER ticket_search_delete AFTER DELETE ON ticket_search BEGIN
	INSERT INTO ticket_fts (ticket_fts, rowid, tenant, head, detail, public, internal)
	VALUES ('delete', old.doc, old.tenant, old.head, old.detail, old.public, old.internal);
END;

--bun:split
CREATE TRIGGER ticket_search_update AFTER UPDATE ON ticket_search BEGIN
	INSERT INTO ticket_fts (ticket_fts, rowid, tenant, head, detail, public, internal)
	VALUES ('delete', old.doc, old.tenant, old.head, old.detail, old.public, old.internal);
	INSERT INTO ticket_fts (rowid, tenant, head, detail, public, internal)
	VALUES (new.doc, new.tenant, new.head, new.detail, new.public, new.internal);
END;
{{end}}
