-- Kudos: one partner's short note on the other's reading, completed milestone or check-in,
-- shown in the wins section of the receiver's block of the next meeting's agenda. One per
-- subject from each sender, so a double submit never celebrates twice. `goal_id`: the goal a
-- reading or milestone belongs to (none for a check-in), for links to the subject.
CREATE TABLE kudos (
    id             TEXT PRIMARY KEY NOT NULL,
    partnership_id TEXT NOT NULL REFERENCES partnerships (id),
    subject_type   TEXT NOT NULL,
    subject_id     TEXT NOT NULL,
    goal_id        TEXT REFERENCES goals (id),
    from_user_id   TEXT NOT NULL REFERENCES users (id),
    to_user_id     TEXT NOT NULL REFERENCES users (id),
    note           TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (subject_type, subject_id, from_user_id)
);
CREATE INDEX kudos_by_partnership ON kudos (partnership_id, created_at, id);
