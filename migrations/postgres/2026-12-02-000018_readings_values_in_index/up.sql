-- The scorecard's aggregate reads, of each reading of a goal, only what this index now holds (its
-- observation time, value and whether it was deleted): an index-only scan once the table's pages
-- are marked all-visible by vacuum, so a goal's readings scattered over many pages of a table
-- larger than memory are not each read from the table. It still serves every query the
-- (goal_id, observed_at, id) index did, which it replaces, so writes maintain as many indexes.
-- A correction's new value or a deletion now changes an indexed column (no HOT update): both rare.
CREATE INDEX readings_goal_observed_values ON readings (goal_id, observed_at, id) INCLUDE (value, deleted_at);
DROP INDEX readings_goal_observed_id;
