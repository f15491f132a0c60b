DROP TABLE external_identities;
DROP TABLE access_tokens;
DROP INDEX users_external_id;
ALTER TABLE users DROP COLUMN deactivated_at;
ALTER TABLE users DROP COLUMN is_admin;
ALTER TABLE users DROP COLUMN external_id;
