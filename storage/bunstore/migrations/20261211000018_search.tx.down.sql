{{if .PG}}
DROP INDEX IF EXISTS tickets_search;

--bun:split
ALTER TABLE tickets DROP COLUMN search_doc;
{{else}}
DROP TABLE ticket_fts;

--bun:split
DROP TABLE ticket_search;
{{end}}
