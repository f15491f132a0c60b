-- The email outbox: every email is written in the transaction of the change that causes it and
-- sent afterwards by a worker (at least once, with retries), so a rolled-back change sends
-- nothing and a crash loses nothing. One row per recipient and occasion: the unique key makes a
-- second instance's or a retried request's copy a no-op.
CREATE TABLE emails (
    id              TEXT PRIMARY KEY NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id),
    to_address      TEXT NOT NULL,
    kind            TEXT NOT NULL,      -- meeting_invitation | meeting_cancelled
    occasion        TEXT NOT NULL,      -- what it is about, e.g. meeting:<id>:<sequence>
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    calendar        TEXT,               -- an iCalendar part (text/calendar), if any
    message_id      TEXT NOT NULL,      -- stable across retries
    status          TEXT NOT NULL,      -- pending | sent | failed
    attempts        INTEGER NOT NULL,
    next_attempt_at TIMESTAMP,          -- while pending
    leased_until    TIMESTAMP,          -- a worker is sending it until then
    last_error      TEXT,
    sent_at         TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX emails_once ON emails (user_id, kind, occasion);
CREATE INDEX emails_due ON emails (status, next_attempt_at);
CREATE INDEX emails_user ON emails (user_id, created_at, id);
