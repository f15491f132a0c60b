DROP TRIGGER changes_in_commit_order ON changes;
DROP FUNCTION changes_in_commit_order();
DROP INDEX changes_partnership;
CREATE INDEX changes_partnership ON changes (partnership_id, seq);
DROP INDEX changes_position;
ALTER TABLE changes DROP COLUMN position;
