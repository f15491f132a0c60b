CREATE INDEX readings_goal_observed ON readings (goal_id, observed_at);
DROP INDEX readings_goal_observed_id;
