-- The (goal_id, observed_at, id) index, replaced by the covering one of the previous migration.
-- Dropped CONCURRENTLY, outside a transaction (metadata.toml): a plain DROP INDEX waits for every
-- query reading the table and then holds writers back until it is done.
DROP INDEX CONCURRENTLY IF EXISTS readings_goal_observed_id;
