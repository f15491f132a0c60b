-- Identity for integrations: provisioning ids, an admin role, deactivation, personal access tokens
-- and identities from external issuers. Same tables and meaning in migrations/postgres.

ALTER TABLE users ADD COLUMN external_id TEXT;            -- the provisioning system's id
ALTER TABLE users ADD COLUMN is_admin BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMP;    -- set: no credential works, data stays
CREATE UNIQUE INDEX users_external_id ON users (external_id) WHERE external_id IS NOT NULL;

-- Long-lived bearer tokens for dashboards and integrations, stored as SHA-256 of the secret.
CREATE TABLE access_tokens (
    id             TEXT PRIMARY KEY NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    token_hash     TEXT NOT NULL UNIQUE,
    prefix         TEXT NOT NULL,                          -- first characters, to recognise it
    scopes         TEXT NOT NULL,                          -- space-separated
    partnership_id TEXT REFERENCES partnerships (id),      -- limited to one partnership
    expires_at     TIMESTAMP,
    last_used_at   TIMESTAMP,
    revoked_at     TIMESTAMP,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX access_tokens_user ON access_tokens (user_id, created_at, id);

-- (issuer, subject) of a trusted external identity provider -> a Tandem account.
CREATE TABLE external_identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (issuer, subject)
);
