-- The change log's feed position, in commit order without making writers take turns.
--
-- A row's position is its transaction id shifted left 20 bits plus its rank within the
-- transaction (set by the trigger below). Feed readers only see rows of transactions older than
-- the oldest one still running (`pg_snapshot_xmin`), so a transaction that started early and
-- commits late can never appear behind a position a reader has already passed. (The outbox
-- technique: event-driven.io, "How Postgres sequences issues can impact your messaging
-- guarantees", 2022.) A transaction logging more than 2^20 changes fails on the unique index
-- rather than misorder. Rows logged before this migration keep their `seq` as position: every
-- cursor a client holds stays valid.
ALTER TABLE changes ADD COLUMN position BIGINT;
UPDATE changes SET position = seq;
ALTER TABLE changes ALTER COLUMN position SET NOT NULL;
CREATE UNIQUE INDEX changes_position ON changes (position);
DROP INDEX changes_partnership;
CREATE INDEX changes_partnership ON changes (partnership_id, position);

CREATE FUNCTION changes_in_commit_order() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    base BIGINT := (pg_current_xact_id()::text::bigint) << 20;
BEGIN
    NEW.position := COALESCE(
        (SELECT MAX(position) + 1 FROM changes WHERE position >= base AND position < base + 1048576),
        base);
    RETURN NEW;
END $$;
CREATE TRIGGER changes_in_commit_order BEFORE INSERT ON changes
    FOR EACH ROW EXECUTE FUNCTION changes_in_commit_order();
