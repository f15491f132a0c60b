-- Emails get an HTML part (the same content as the text part).
ALTER TABLE emails ADD COLUMN html_body TEXT NOT NULL DEFAULT '';

-- A scheduled meeting's pre-read (`meeting.upcoming` and its email) is announced once per
-- meeting time: the time it was announced for. Rescheduling makes it due again.
ALTER TABLE meetings ADD COLUMN upcoming_announced_for TIMESTAMP;

-- A one-click unsubscribe token per email (RFC 8058): random, unguessable, and good only for
-- turning that email's kind off for its recipient.
ALTER TABLE emails ADD COLUMN unsubscribe_token TEXT;
CREATE UNIQUE INDEX emails_unsubscribe ON emails (unsubscribe_token);

-- What each person wants to hear by email, and when not to be disturbed (local times in their
-- own time zone). No row: everything on, no quiet hours.
CREATE TABLE notification_preferences (
    user_id     TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    email_off   TEXT NOT NULL,          -- kinds turned off, comma-separated
    quiet_from  TEXT,                   -- HH:MM, local
    quiet_until TEXT,                   -- HH:MM, local
    version     BIGINT NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- The refresh cycle's due date once `refresh.due` (and its email) went out, so it goes out once.
ALTER TABLE partnerships ADD COLUMN refresh_announced_on DATE;

-- The next-reading due date (local) a goal's `reading.stale` reminder went out for, so it goes
-- out once per due date.
ALTER TABLE goals ADD COLUMN stale_announced_for TIMESTAMP;
