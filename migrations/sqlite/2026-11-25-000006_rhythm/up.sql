-- Between and around meetings: check-ins, quarterly fit reviews, the annual refresh.
-- Same tables and meaning in migrations/sqlite and migrations/postgres.

ALTER TABLE partnerships ADD COLUMN last_refreshed_on DATE;   -- the last annual goal refresh

-- A short update from one partner between meetings.
CREATE TABLE check_ins (
    id             TEXT PRIMARY KEY NOT NULL,
    partnership_id TEXT NOT NULL REFERENCES partnerships (id),
    author_id      TEXT NOT NULL REFERENCES users (id),
    text           TEXT NOT NULL,
    links          TEXT NOT NULL,                 -- JSON array of URLs
    reading_ids    TEXT NOT NULL,                 -- JSON array: readings recorded with it
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX check_ins_partnership ON check_ins (partnership_id, created_at, id);

-- Each partner's answer in a review round; a round is complete when both have answered.
CREATE TABLE fit_reviews (
    id                   TEXT PRIMARY KEY NOT NULL,
    partnership_id       TEXT NOT NULL REFERENCES partnerships (id),
    round                INTEGER NOT NULL,
    author_id            TEXT NOT NULL REFERENCES users (id),
    shared_values        INTEGER NOT NULL,        -- 1..5
    complementary_skills INTEGER NOT NULL,        -- 1..5
    communication        INTEGER NOT NULL,        -- 1..5
    wants_to_continue    BOOLEAN NOT NULL,
    note                 TEXT,
    created_at           TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX fit_reviews_one_per_round ON fit_reviews (partnership_id, round, author_id);
