-- Rendered as a text/template: {{.Bool}} is the dialect's boolean type.
-- committed marks a claim whose request's change is in the database, written in the same
-- transaction as the change: such a claim is never taken over, even when its process died
-- before storing the response, so the request cannot run twice.
ALTER TABLE idempotency_keys ADD COLUMN committed {{.Bool}} NOT NULL DEFAULT false;
