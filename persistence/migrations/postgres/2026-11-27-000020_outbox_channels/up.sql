-- The outbox reaches more than webhooks: each subscriber has a channel. `webhook` ones are
-- registered by administrators; the `sms` gateway and the provincial `exchange` are one row
-- each, kept by `hall serve` from its settings and hidden from the webhook routes.
ALTER TABLE webhooks ADD COLUMN channel TEXT NOT NULL DEFAULT 'webhook'
    CHECK (channel IN ('webhook', 'sms', 'exchange'));
-- News of a queue ticket (叫号) has no case.
ALTER TABLE outbox_messages ALTER COLUMN case_id DROP NOT NULL;
ALTER TABLE outbox_messages ADD COLUMN ticket_id TEXT;
ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_subject
    CHECK (case_id IS NOT NULL OR ticket_id IS NOT NULL);
