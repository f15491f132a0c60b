-- The (goal_id, observed_at, id) index, replaced by the covering one of the previous migration.
DROP INDEX readings_goal_observed_id;
