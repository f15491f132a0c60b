CREATE INDEX CONCURRENTLY IF NOT EXISTS readings_goal_observed_id ON readings (goal_id, observed_at, id);
