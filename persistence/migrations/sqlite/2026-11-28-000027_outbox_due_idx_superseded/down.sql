CREATE INDEX IF NOT EXISTS outbox_messages_due_idx ON outbox_messages (status, due_at);
