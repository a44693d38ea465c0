-- The outbox (发件箱) and its webhooks: subscribers outside the hall, one message per
-- subscriber and event written in the transaction of the event, and each delivery attempt.

CREATE TABLE webhooks (
    id                      TEXT PRIMARY KEY,
    url                     TEXT NOT NULL,
    -- The event kinds it hears of, comma-separated (`case.accepted,case.completed`).
    events                  TEXT NOT NULL,
    -- The signing secret (`whsec_…`), sealed with the data key (persistence::personal).
    secret_sealed           TEXT NOT NULL,
    -- The secret before the last rotation, signing too until `previous_until`.
    previous_secret_sealed  TEXT,
    previous_until          TIMESTAMP,
    active                  BOOLEAN NOT NULL,
    created_at              TIMESTAMP NOT NULL,
    updated_at              TIMESTAMP NOT NULL
);

CREATE TABLE outbox_messages (
    id             TEXT PRIMARY KEY,
    webhook_id     TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    case_id        TEXT NOT NULL,
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
    last_error     TEXT
);
CREATE INDEX outbox_messages_due_idx ON outbox_messages (status, due_at);
CREATE INDEX outbox_messages_webhook_idx ON outbox_messages (webhook_id, id);

CREATE TABLE webhook_deliveries (
    id           TEXT PRIMARY KEY,
    message_id   TEXT NOT NULL REFERENCES outbox_messages (id) ON DELETE CASCADE,
    webhook_id   TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    at           TIMESTAMP NOT NULL,
    -- The receiver's HTTP status; NULL when none came (refused, timed out, not allowed).
    status_code  INTEGER,
    error        TEXT,
    duration_ms  BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id);
