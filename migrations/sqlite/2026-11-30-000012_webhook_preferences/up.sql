-- Each kind of news may be muted on the webhook channel too (the same names as email kinds;
-- `pre_read` mutes `meeting.upcoming`, ...): comma-separated, empty for none.
ALTER TABLE notification_preferences ADD COLUMN webhook_off TEXT NOT NULL DEFAULT '';
