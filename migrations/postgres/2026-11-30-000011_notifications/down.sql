ALTER TABLE goals DROP COLUMN stale_announced_for;
ALTER TABLE partnerships DROP COLUMN refresh_announced_on;
DROP TABLE notification_preferences;
DROP INDEX emails_unsubscribe;
ALTER TABLE emails DROP COLUMN unsubscribe_token;
ALTER TABLE meetings DROP COLUMN upcoming_announced_for;
ALTER TABLE emails DROP COLUMN html_body;
