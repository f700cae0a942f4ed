-- Offers: an open ticket is offered to each member of its team; the first to accept wins and
-- the others' offers are withdrawn. closed_at is NULL while the offer is open.
CREATE TABLE offers (
	id {{.UUID}} PRIMARY KEY,
	tenant_id {{.UUID}} NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	ticket_id {{.UUID}} NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	user_id {{.UUID}} NOT NULL,
	state TEXT NOT NULL,
	created_at {{.Time}} NOT NULL,
	closed_at {{.Time}}
);

--bun:split
-- A ticket's offers, for staff and for closing them when the ticket leaves open.
CREATE INDEX offers_tenant_ticket ON offers (tenant_id, ticket_id, id);

--bun:split
-- An employee's open offers, for the dashboard; at most one open offer per ticket and employee.
-- state = 'open' is a literal in the queries, so that both engines read this partial index.
CREATE UNIQUE INDEX offers_open_user ON offers (tenant_id, user_id, ticket_id) WHERE state = 'open';
