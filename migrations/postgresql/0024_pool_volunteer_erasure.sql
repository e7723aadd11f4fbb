-- As ../0024_pool_volunteer_erasure.sql, which rebuilds the table only because SQLite cannot
-- drop a NOT NULL; here the columns are altered in place.
ALTER TABLE pool_volunteers ALTER COLUMN name DROP NOT NULL;

ALTER TABLE pool_volunteers ALTER COLUMN answers DROP NOT NULL;

ALTER TABLE pool_volunteers ADD COLUMN erased INTEGER NOT NULL DEFAULT 0;
