DROP TABLE IF EXISTS tenant_smtp;
