-- A proposed pairing of a cohort: a snapshot of the pairs (each with its score, its reasons in
-- words, whether an admin pinned it and, once confirmed, its partnership) and of who stayed
-- unmatched and why, as JSON documents. Admins may recompute around pins until one proposal
-- is confirmed; that one is the cohort's pairing.
CREATE TABLE cohort_proposals (
    id           TEXT PRIMARY KEY NOT NULL,
    cohort_id    TEXT NOT NULL REFERENCES cohorts (id),
    status       TEXT NOT NULL,          -- draft | confirmed
    pairs        TEXT NOT NULL,
    unmatched    TEXT NOT NULL,
    total_score  BIGINT NOT NULL,
    version      BIGINT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP
);
CREATE INDEX cohort_proposals_by_cohort ON cohort_proposals (cohort_id, created_at);
