-- The readings a scorecard sums beside a goal's roll-up (live, not yet rolled), and those the
-- roll-up job looks for: a small index, since the job keeps marking readings rolled. (A
-- migration of its own in step with PostgreSQL, which builds it concurrently.)
CREATE INDEX readings_unrolled ON readings (goal_id, observed_at, value) WHERE NOT rolled AND deleted_at IS NULL;
