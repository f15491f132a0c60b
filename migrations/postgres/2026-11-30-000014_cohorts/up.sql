-- A cohort: many leaders an admin runs through the practice together, to be paired by matching.
-- `matched_at` is set once a proposal is confirmed: members can no longer opt out.
CREATE TABLE cohorts (
    id                    TEXT PRIMARY KEY NOT NULL,
    name                  TEXT NOT NULL,
    starts_on             DATE NOT NULL,
    allow_same_department BOOLEAN NOT NULL,
    created_by            TEXT NOT NULL REFERENCES users (id),
    matched_at            TIMESTAMP,
    version               BIGINT NOT NULL,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);
CREATE INDEX cohorts_by_creation ON cohorts (created_at, id);

-- Who is in a cohort; opting out keeps the row (and when), so the report can count it.
CREATE TABLE cohort_members (
    cohort_id    TEXT NOT NULL REFERENCES cohorts (id),
    user_id      TEXT NOT NULL REFERENCES users (id),
    added_at     TIMESTAMP NOT NULL,
    opted_out_at TIMESTAMP,
    PRIMARY KEY (cohort_id, user_id)
);
CREATE INDEX cohort_members_by_user ON cohort_members (user_id);
