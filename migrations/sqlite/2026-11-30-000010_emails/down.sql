ALTER TABLE meetings DROP COLUMN upcoming_announced_for;
DROP TABLE emails;
