-- Accounts, login sessions with rotating refresh tokens, and server-wide settings.
-- Ids are UUID text; instants are UTC timestamps. Kept in step with migrations/postgres.
CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL UNIQUE,      -- stored trimmed and lower-cased
    display_name  TEXT NOT NULL,
    time_zone     TEXT NOT NULL,
    password_hash TEXT,                      -- argon2id PHC string; NULL for external identities
    version       BIGINT NOT NULL DEFAULT 1, -- bumped on every change; the ETag
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    id             TEXT PRIMARY KEY NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     TIMESTAMP NOT NULL,
    revoked_at     TIMESTAMP,
    revoked_reason TEXT
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE refresh_tokens (
    id         TEXT PRIMARY KEY NOT NULL,    -- the token's jti
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    issued_at  TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP                     -- set when rotated; a second use is reuse
);
CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id);

CREATE TABLE server_settings (
    name       TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
