-- Quotas: a device code's hourly ticket quota counts the tickets opened through the code
-- lately. This index answers that count alone, whatever the tenant's other tickets; tickets
-- not opened through a code stay out of it.
CREATE INDEX tickets_tenant_code_created ON tickets (tenant_id, code_id, created_at) WHERE code_id IS NOT NULL;
