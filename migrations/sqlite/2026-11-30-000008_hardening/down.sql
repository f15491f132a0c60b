DROP TABLE member_refreshes;
ALTER TABLE partnerships DROP COLUMN refresh_cycle;
ALTER TABLE idempotency_keys DROP COLUMN etag;
