DROP TABLE IF EXISTS idempotency_keys;

--bun:split
DROP TABLE IF EXISTS api_tokens;
