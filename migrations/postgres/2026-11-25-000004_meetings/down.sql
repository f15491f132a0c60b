DROP INDEX goal_changes_meeting;
DROP TABLE commitments;
DROP TABLE meeting_notes;
DROP TABLE meetings;
ALTER TABLE partnerships DROP COLUMN grace_days;
