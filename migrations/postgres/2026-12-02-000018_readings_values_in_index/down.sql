DROP INDEX CONCURRENTLY IF EXISTS readings_goal_observed_values;
