-- The change log's feed position, in commit order. SQLite has one writer at a time, so the
-- auto-numbered `seq` is already in commit order and the position is simply `seq` (PostgreSQL
-- derives it from the transaction id; see migrations/postgres).
ALTER TABLE changes ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
UPDATE changes SET position = seq;
CREATE UNIQUE INDEX changes_position ON changes (position);
DROP INDEX changes_partnership;
CREATE INDEX changes_partnership ON changes (partnership_id, position);

CREATE TRIGGER changes_in_commit_order AFTER INSERT ON changes
BEGIN
    UPDATE changes SET position = NEW.seq WHERE seq = NEW.seq;
END;
