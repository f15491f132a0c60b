-- Sync for integrations: the change log behind GET /v1/changes, the webhook outbox, webhook
-- subscriptions and their delivery log. Same tables and meaning in migrations/sqlite and
-- migrations/postgres (only the auto-numbered key is spelled per backend).

-- Every change to something a partner can see. Writers take one lock per transaction
-- (tandem_store::write_transaction), so `seq` grows in commit order and a reader paging by `seq`
-- never skips a row that commits later with a smaller number.
CREATE TABLE changes (
    seq            BIGSERIAL PRIMARY KEY,
    partnership_id TEXT NOT NULL,
    entity         TEXT NOT NULL,       -- partnership | goal | milestone | reading | meeting | ...
    entity_id      TEXT NOT NULL,
    op             TEXT NOT NULL,       -- created | updated | archived | deleted
    at             TIMESTAMP NOT NULL
);
CREATE INDEX changes_partnership ON changes (partnership_id, seq);

-- The outbox: each event in the transaction that caused it, its JSON exactly as delivered.
CREATE TABLE events (
    id             TEXT PRIMARY KEY NOT NULL,
    type           TEXT NOT NULL,
    partnership_id TEXT REFERENCES partnerships (id),   -- none for a subscription's test ping
    payload        TEXT NOT NULL,
    occurred_at    TIMESTAMP NOT NULL
);

-- Where a user wants events sent.
CREATE TABLE webhooks (
    id             TEXT PRIMARY KEY NOT NULL,
    owner_id       TEXT NOT NULL REFERENCES users (id),
    url            TEXT NOT NULL,
    secret         TEXT NOT NULL,       -- HMAC key; needed in clear to sign
    event_types    TEXT NOT NULL,       -- JSON array of event type names
    partnership_id TEXT REFERENCES partnerships (id),   -- only this partnership's events
    description    TEXT,
    active         BOOLEAN NOT NULL,
    version        BIGINT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX webhooks_owner ON webhooks (owner_id, created_at, id);

-- One event on its way to one subscription, created with the event (same transaction).
CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY NOT NULL,
    webhook_id       TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id         TEXT NOT NULL REFERENCES events (id),
    status           TEXT NOT NULL,     -- pending | delivered | failed
    attempts         INTEGER NOT NULL,
    next_attempt_at  TIMESTAMP,         -- while pending
    leased_until     TIMESTAMP,         -- a worker is sending it until then
    last_status_code INTEGER,
    last_error       TEXT,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at, id);

-- Every try of a delivery, with what the receiver answered.
CREATE TABLE webhook_attempts (
    delivery_id  TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    status_code  INTEGER,
    error        TEXT,
    duration_ms  INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, number)
);

-- Time-driven events are announced once: commitment.due per commitment, fit_review.due per date.
ALTER TABLE commitments ADD COLUMN due_announced BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE partnerships ADD COLUMN fit_review_announced_on DATE;
