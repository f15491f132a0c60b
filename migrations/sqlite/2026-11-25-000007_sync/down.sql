ALTER TABLE partnerships DROP COLUMN fit_review_announced_on;
ALTER TABLE commitments DROP COLUMN due_announced;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE events;
DROP TABLE changes;
