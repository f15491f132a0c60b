ALTER TABLE notification_preferences DROP COLUMN webhook_off;
