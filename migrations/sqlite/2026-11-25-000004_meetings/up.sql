-- Meetings with their notes and commitments. Same tables and meaning in migrations/sqlite and
-- migrations/postgres.

-- How many days early or late a meeting may be held and still count as on time.
ALTER TABLE partnerships ADD COLUMN grace_days INTEGER NOT NULL DEFAULT 2;

CREATE TABLE meetings (
    id                  TEXT PRIMARY KEY NOT NULL,
    partnership_id      TEXT NOT NULL REFERENCES partnerships (id),
    status              TEXT NOT NULL,              -- scheduled | completed | cancelled
    slot_at             TIMESTAMP NOT NULL,         -- the agreed slot; adherence is judged against it
    scheduled_at        TIMESTAMP NOT NULL,         -- when it will happen (moves on reschedule)
    length_minutes      INTEGER NOT NULL,
    location            TEXT,
    previous_meeting_id TEXT REFERENCES meetings (id), -- whose commitments it reviews
    next_meeting_id     TEXT REFERENCES meetings (id), -- set on completion
    reschedule_count    INTEGER NOT NULL DEFAULT 0,
    reschedule_reason   TEXT,
    cancel_reason       TEXT,
    cancelled_by        TEXT REFERENCES users (id),
    cancelled_at        TIMESTAMP,
    held_at             TIMESTAMP,
    attendance          TEXT,                       -- JSON: [{"user_id", "attended"}]
    snapshot            TEXT,                       -- JSON scorecard frozen at held_at
    completed_by        TEXT REFERENCES users (id),
    completed_at        TIMESTAMP,
    created_by          TEXT NOT NULL REFERENCES users (id),
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX meetings_partnership ON meetings (partnership_id, scheduled_at, id);
-- A partnership has at most one upcoming meeting: the next one.
CREATE UNIQUE INDEX meetings_one_scheduled ON meetings (partnership_id) WHERE status = 'scheduled';

-- One partner's block of a meeting: what they won, where they are stuck, what they will try.
CREATE TABLE meeting_notes (
    meeting_id  TEXT NOT NULL REFERENCES meetings (id),
    partner_id  TEXT NOT NULL REFERENCES users (id),
    wins        TEXT NOT NULL,                      -- JSON array of strings
    obstacles   TEXT NOT NULL,
    solutions   TEXT NOT NULL,
    updated_by  TEXT NOT NULL REFERENCES users (id),
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (meeting_id, partner_id)
);

-- Next actions agreed in a meeting and reviewed in the next one.
CREATE TABLE commitments (
    id             TEXT PRIMARY KEY NOT NULL,
    partnership_id TEXT NOT NULL REFERENCES partnerships (id),
    meeting_id     TEXT NOT NULL REFERENCES meetings (id),
    owner_id       TEXT NOT NULL REFERENCES users (id),
    goal_id        TEXT REFERENCES goals (id),
    text           TEXT NOT NULL,
    due_on         DATE NOT NULL,
    status         TEXT NOT NULL,                   -- open | done | dropped
    status_note    TEXT,
    closed_by      TEXT REFERENCES users (id),
    closed_at      TIMESTAMP,
    created_by     TEXT NOT NULL REFERENCES users (id),
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX commitments_partnership ON commitments (partnership_id, created_at, id);
CREATE INDEX commitments_meeting ON commitments (meeting_id, created_at, id);
CREATE INDEX goal_changes_meeting ON goal_changes (meeting_id);
