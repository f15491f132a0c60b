DROP TABLE idempotency_keys;
DROP TABLE goal_changes;
DROP TABLE milestones;
DROP TABLE goals;
DROP TABLE partnerships;
