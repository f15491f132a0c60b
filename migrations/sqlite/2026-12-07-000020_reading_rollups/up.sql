-- Roll-ups: a goal's readings summed once, in the background, so a scorecard sums only the few
-- recorded since (readings not yet `rolled`) and merges the two (`tandem_domain::rollup`).
--
-- A roll-up holds the sums of exactly the goal's live readings marked `rolled`, all observed at or
-- before `rolled_until`, and the assumptions they were computed under: the goal's start (epoch
-- seconds), baseline, direction and target, and the partnership's time zone with a fingerprint of
-- its rules. A reader uses it only while those still hold and `as_of` is at or after
-- `rolled_until`; otherwise it sums the goal's readings in full, as before. A correction or
-- deletion of a reading marks its goal's roll-up `stale` in the same transaction.
--
-- SQLite adds the column without rewriting the table.
ALTER TABLE readings ADD COLUMN rolled BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE goal_rollups (
    goal_id      TEXT PRIMARY KEY REFERENCES goals (id) ON DELETE CASCADE,
    time_zone    TEXT NOT NULL,
    zone_rules   TEXT NOT NULL,
    start_s      BIGINT NOT NULL,
    base         DOUBLE PRECISION NOT NULL,
    direction    TEXT,
    target       DOUBLE PRECISION,
    rolled_until TIMESTAMP NOT NULL,
    stale        BOOLEAN NOT NULL DEFAULT FALSE,
    n            BIGINT NOT NULL,
    mean_x       DOUBLE PRECISION NOT NULL,
    mean_y       DOUBLE PRECISION NOT NULL,
    sxx          DOUBLE PRECISION NOT NULL,
    sxy          DOUBLE PRECISION NOT NULL,
    first_second BIGINT NOT NULL,
    last_second  BIGINT NOT NULL,
    in_period    BIGINT NOT NULL,
    on_target    BIGINT NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
