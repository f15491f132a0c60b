CREATE INDEX readings_goal_observed_id ON readings (goal_id, observed_at, id);
