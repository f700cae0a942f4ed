-- Statistics (the dashboard, and the Templates, Devices and Customers pages) are aggregates
-- over indexed ranges. A period's opened tickets are a range of created_at, its closed ones a
-- range of closed_at among the closed tickets (the query's state = 'closed' matches the
-- predicate on both engines; cancelled tickets have a closed_at too and stay out), each for
-- the tenant or for one customer (a customer user's dashboard). A template's tickets are
-- those of its devices, found by template. Each ticket's first response and its sessions are
-- found through history_ticket_at and sessions_ticket_created.
CREATE INDEX tickets_tenant_created ON tickets (tenant_id, created_at);

--bun:split
CREATE INDEX tickets_tenant_customer_created ON tickets (tenant_id, customer_id, created_at);

--bun:split
CREATE INDEX tickets_tenant_closed ON tickets (tenant_id, closed_at) WHERE state = 'closed';

--bun:split
CREATE INDEX tickets_tenant_customer_closed ON tickets (tenant_id, customer_id, closed_at) WHERE state = 'closed';

--bun:split
CREATE INDEX devices_tenant_template ON devices (tenant_id, template_id);
