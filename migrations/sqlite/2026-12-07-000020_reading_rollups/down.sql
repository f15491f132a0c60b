DROP TABLE goal_rollups;
ALTER TABLE readings DROP COLUMN rolled;
