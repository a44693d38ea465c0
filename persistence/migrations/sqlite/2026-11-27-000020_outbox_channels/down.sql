-- Ticket news and the hall's own subscribers go; the tables take their 000019 shape again,
-- rebuilt in the same order as the way up.
DELETE FROM outbox_messages WHERE case_id IS NULL;
DELETE FROM webhooks WHERE channel <> 'webhook';
CREATE TABLE outbox_messages_old (
    id             TEXT PRIMARY KEY,
    webhook_id     TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    case_id        TEXT NOT NULL,
    body           TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('queued', 'delivered', 'dead')),
    attempts       INTEGER NOT NULL,
    due_at         TIMESTAMP NOT NULL,
    claimed_until  TIMESTAMP,
    created_at     TIMESTAMP NOT NULL,
    delivered_at   TIMESTAMP,
    last_error     TEXT
);
INSERT INTO outbox_messages_old SELECT id, webhook_id, kind, case_id, body, status, attempts,
    due_at, claimed_until, created_at, delivered_at, last_error FROM outbox_messages;
CREATE TABLE webhook_deliveries_old (
    id           TEXT PRIMARY KEY,
    message_id   TEXT NOT NULL REFERENCES outbox_messages_old (id) ON DELETE CASCADE,
    webhook_id   TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    at           TIMESTAMP NOT NULL,
    status_code  INTEGER,
    error        TEXT,
    duration_ms  BIGINT NOT NULL
);
INSERT INTO webhook_deliveries_old SELECT * FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
DROP TABLE outbox_messages;
ALTER TABLE outbox_messages_old RENAME TO outbox_messages;
ALTER TABLE webhook_deliveries_old RENAME TO webhook_deliveries;
CREATE INDEX outbox_messages_due_idx ON outbox_messages (status, due_at);
CREATE INDEX outbox_messages_webhook_idx ON outbox_messages (webhook_id, id);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id);
ALTER TABLE webhooks DROP COLUMN channel;
