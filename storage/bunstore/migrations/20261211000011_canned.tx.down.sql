ALTER TABLE users DROP COLUMN department_id;

--bun:split
ALTER TABLE priorities DROP COLUMN retired;

--bun:split
ALTER TABLE statuses DROP COLUMN retired;

--bun:split
DROP TABLE IF EXISTS canned_responses;
