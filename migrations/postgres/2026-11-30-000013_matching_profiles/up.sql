-- What cohort matching knows of a person: the values they hold and the skills they offer and
-- seek (JSON arrays of stable names and normalised tags), how they like to talk, and where they
-- sit (department, level and manager, also set by provisioning). Visible to its owner and to
-- programme admins only. No row: an empty profile.
CREATE TABLE matching_profiles (
    user_id             TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    held_values         TEXT NOT NULL,
    skills_offered      TEXT NOT NULL,
    skills_sought       TEXT NOT NULL,
    communication_style TEXT,
    department          TEXT,
    level               TEXT,
    manager_id          TEXT REFERENCES users (id),
    version             BIGINT NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
