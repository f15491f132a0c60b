-- Partnerships, goals with milestones, the history of every goal change, and idempotency keys.
-- Same tables and meaning in migrations/sqlite and migrations/postgres.
CREATE TABLE partnerships (
    id                TEXT PRIMARY KEY NOT NULL,
    inviter_id        TEXT NOT NULL REFERENCES users (id),
    invitee_id        TEXT REFERENCES users (id),       -- set when the invitee accepts
    invitee_email     TEXT NOT NULL,                    -- lower-cased; may have no account yet
    pair_key          TEXT NOT NULL,                    -- both emails, sorted, space-separated
    status            TEXT NOT NULL,                    -- invited | active | paused | ended | declined
    message           TEXT,
    cadence_days      INTEGER NOT NULL,
    meeting_minutes   INTEGER NOT NULL,
    time_zone         TEXT NOT NULL,
    fit_review_months INTEGER NOT NULL,
    on_track_gap      DOUBLE PRECISION NOT NULL,
    at_risk_gap       DOUBLE PRECISION NOT NULL,
    accepted_at       TIMESTAMP,
    ended_at          TIMESTAMP,
    version           BIGINT NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
-- No second live partnership between the same two people.
CREATE UNIQUE INDEX partnerships_one_live_per_pair ON partnerships (pair_key)
    WHERE status IN ('invited', 'active', 'paused');
CREATE INDEX partnerships_inviter ON partnerships (inviter_id, created_at, id);
CREATE INDEX partnerships_invitee ON partnerships (invitee_id, created_at, id);
CREATE INDEX partnerships_invitee_email ON partnerships (invitee_email, created_at, id);

CREATE TABLE goals (
    id                TEXT PRIMARY KEY NOT NULL,
    partnership_id    TEXT NOT NULL REFERENCES partnerships (id),
    owner_id          TEXT NOT NULL REFERENCES users (id),
    status            TEXT NOT NULL,                    -- draft | active | achieved | missed | dropped | archived
    title             TEXT,
    what              TEXT,
    who               TEXT,
    why               TEXT,
    metric_name       TEXT,
    metric_unit       TEXT,
    metric_kind       TEXT,
    direction         TEXT,
    baseline          DOUBLE PRECISION,
    target            DOUBLE PRECISION,
    confidence        DOUBLE PRECISION,
    alignment         TEXT,
    alignment_ref     TEXT,
    start_date        DATE,
    due_date          DATE,
    weight            DOUBLE PRECISION NOT NULL,
    update_every_days INTEGER NOT NULL,
    external_ref      TEXT,
    source            TEXT,
    activated_at      TIMESTAMP,
    closed_at         TIMESTAMP,
    version           BIGINT NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX goals_partnership ON goals (partnership_id, created_at, id);
CREATE INDEX goals_owner_status ON goals (partnership_id, owner_id, status);
CREATE UNIQUE INDEX goals_external_ref ON goals (partnership_id, source, external_ref)
    WHERE external_ref IS NOT NULL;

CREATE TABLE milestones (
    id           TEXT PRIMARY KEY NOT NULL,
    goal_id      TEXT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    title        TEXT NOT NULL,
    due_date     DATE NOT NULL,
    target       DOUBLE PRECISION,
    completed_on DATE,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX milestones_goal ON milestones (goal_id, position);

-- Every change to a goal or its milestones. Easing changes to an active goal wait here as
-- 'pending' until the partner acknowledges (then applied) or rejects them.
CREATE TABLE goal_changes (
    id           TEXT PRIMARY KEY NOT NULL,
    goal_id      TEXT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    actor_id     TEXT NOT NULL REFERENCES users (id),
    kind         TEXT NOT NULL,
    state        TEXT NOT NULL,                         -- applied | pending | acknowledged | rejected
    milestone_id TEXT,
    meeting_id   TEXT,
    changes      TEXT NOT NULL,                         -- JSON: [{"field", "old", "new"}]
    decided_by   TEXT REFERENCES users (id),
    decided_at   TIMESTAMP,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX goal_changes_goal ON goal_changes (goal_id, created_at, id);

-- Replays for POST retries: the first response per (caller, key) for 24 hours.
CREATE TABLE idempotency_keys (
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code  INTEGER,                               -- NULL while the first request runs
    location     TEXT,
    body         TEXT,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
