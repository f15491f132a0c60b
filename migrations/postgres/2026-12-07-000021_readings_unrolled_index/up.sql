-- The readings a scorecard sums beside a goal's roll-up (live, not yet rolled), and those the
-- roll-up job looks for: a small index, since the job keeps marking readings rolled.
--
-- Built CONCURRENTLY, outside a transaction (metadata.toml), so readings keep being written while
-- it builds on a large table (every existing reading starts unrolled). If a build is interrupted,
-- PostgreSQL keeps an INVALID index of this name and the next start stops here with "already
-- exists": `DROP INDEX CONCURRENTLY readings_unrolled;` and start again.
CREATE INDEX CONCURRENTLY readings_unrolled ON readings (goal_id, observed_at, value) WHERE NOT rolled AND deleted_at IS NULL;
