-- Hardening: idempotent creates replay their ETag too; each partner refreshes their own goals.
-- Same tables and meaning in migrations/sqlite and migrations/postgres.

-- The ETag of the first response, replayed with it (claim, effect and response now commit in
-- one transaction, so a key is never left "being processed").
ALTER TABLE idempotency_keys ADD COLUMN etag TEXT;

-- Annual refresh cycles completed so far: the number of the current cycle.
ALTER TABLE partnerships ADD COLUMN refresh_cycle INTEGER NOT NULL DEFAULT 0;

-- One row per partner per refresh cycle: the partnership's refresh is complete, its cycle number
-- goes up and its next due date moves a year on, when both partners have one.
CREATE TABLE member_refreshes (
    partnership_id TEXT NOT NULL REFERENCES partnerships (id),
    user_id        TEXT NOT NULL REFERENCES users (id),
    cycle          INTEGER NOT NULL,
    due_on         DATE NOT NULL,                 -- when that cycle's refresh was due
    refreshed_on   DATE NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (partnership_id, user_id, cycle)
);
