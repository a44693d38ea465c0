-- The outbox reaches more than webhooks: each subscriber has a channel. `webhook` ones are
-- registered by administrators; the `sms` gateway and the provincial `exchange` are one row
-- each, kept by `hall serve` from its settings and hidden from the webhook routes.
ALTER TABLE webhooks ADD COLUMN channel TEXT NOT NULL DEFAULT 'webhook'
    CHECK (channel IN ('webhook', 'sms', 'exchange'));

-- News of a queue ticket (叫号) has no case. SQLite cannot drop a NOT NULL, so the messages
-- table is rebuilt, and its attempts' table with it: dropping the old messages with foreign
-- keys on would cascade into the attempts, so they move first to a table that references
-- the new messages (renaming a table rewrites the references to it).
CREATE TABLE outbox_messages_new (
    id             TEXT PRIMARY KEY,
    webhook_id     TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    case_id        TEXT,
    ticket_id      TEXT,
    -- The JSON body, fixed when written: every attempt sends the same bytes.
    body           TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('queued', 'delivered', 'dead')),
    attempts       INTEGER NOT NULL,
    due_at         TIMESTAMP NOT NULL,
    -- While a dispatcher delivers it: no other claims it before this moment passes (a
    -- process killed mid-delivery leaves it to the next claim once it passes).
    claimed_until  TIMESTAMP,
    created_at     TIMESTAMP NOT NULL,
    delivered_at   TIMESTAMP,
    last_error     TEXT,
    CONSTRAINT outbox_messages_subject CHECK (case_id IS NOT NULL OR ticket_id IS NOT NULL)
);
INSERT INTO outbox_messages_new (id, webhook_id, kind, case_id, ticket_id, body, status,
        attempts, due_at, claimed_until, created_at, delivered_at, last_error)
    SELECT id, webhook_id, kind, case_id, NULL, body, status, attempts, due_at, claimed_until,
        created_at, delivered_at, last_error
    FROM outbox_messages;

CREATE TABLE webhook_deliveries_new (
    id           TEXT PRIMARY KEY,
    message_id   TEXT NOT NULL REFERENCES outbox_messages_new (id) ON DELETE CASCADE,
    webhook_id   TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    at           TIMESTAMP NOT NULL,
    -- The receiver's HTTP status; NULL when none came (refused, timed out, not allowed).
    status_code  INTEGER,
    error        TEXT,
    duration_ms  BIGINT NOT NULL
);
INSERT INTO webhook_deliveries_new SELECT * FROM webhook_deliveries;

DROP TABLE webhook_deliveries;
DROP TABLE outbox_messages;
ALTER TABLE outbox_messages_new RENAME TO outbox_messages;
ALTER TABLE webhook_deliveries_new RENAME TO webhook_deliveries;
CREATE INDEX outbox_messages_due_idx ON outbox_messages (status, due_at);
CREATE INDEX outbox_messages_webhook_idx ON outbox_messages (webhook_id, id);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id);
