ALTER TABLE outbox_messages DROP CONSTRAINT outbox_messages_subject;
DELETE FROM outbox_messages WHERE case_id IS NULL;
ALTER TABLE outbox_messages DROP COLUMN ticket_id;
ALTER TABLE outbox_messages ALTER COLUMN case_id SET NOT NULL;
DELETE FROM webhooks WHERE channel <> 'webhook';
ALTER TABLE webhooks DROP COLUMN channel;
