-- A goal's latest reading is the one observed last, and of readings observed at the same instant
-- the one recorded last (the greater id). With the id in the index, that reading is one index
-- descent away instead of a sort of every reading of the goal; the index still serves every
-- query the (goal_id, observed_at) index did, so it replaces it rather than adding a third index
-- for each write to maintain.
CREATE INDEX readings_goal_observed_id ON readings (goal_id, observed_at, id);
DROP INDEX readings_goal_observed;
