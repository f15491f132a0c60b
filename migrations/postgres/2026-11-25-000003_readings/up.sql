-- Readings of goal metrics and the history of their corrections. Same tables and meaning for
-- both backends.
CREATE TABLE readings (
    id            TEXT PRIMARY KEY NOT NULL,
    goal_id       TEXT NOT NULL REFERENCES goals (id),
    value         DOUBLE PRECISION NOT NULL,
    observed_at   TIMESTAMP NOT NULL,
    note          TEXT,
    source        TEXT NOT NULL,                      -- manual, an integration's name, ...
    external_id   TEXT,                               -- the sender's id; re-sending it is not a new reading
    recorded_by   TEXT NOT NULL REFERENCES users (id),
    deleted_at    TIMESTAMP,                          -- soft delete: kept in history, left out of the math
    delete_reason TEXT,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX readings_external_id ON readings (goal_id, external_id)
    WHERE external_id IS NOT NULL;
-- The latest reading per goal and readings in a window come from this index.
CREATE INDEX readings_goal_observed ON readings (goal_id, observed_at);
CREATE INDEX readings_goal_created ON readings (goal_id, created_at, id);

CREATE TABLE reading_revisions (
    id         TEXT PRIMARY KEY NOT NULL,
    reading_id TEXT NOT NULL REFERENCES readings (id),
    actor_id   TEXT NOT NULL REFERENCES users (id),
    action     TEXT NOT NULL,                         -- corrected | deleted
    changes    TEXT NOT NULL,                         -- JSON: [{"field", "old", "new"}]
    reason     TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX reading_revisions_reading ON reading_revisions (reading_id, created_at, id);
