DROP TABLE reading_revisions;
DROP TABLE readings;
