DROP TABLE fit_reviews;
DROP TABLE check_ins;
ALTER TABLE partnerships DROP COLUMN last_refreshed_on;
