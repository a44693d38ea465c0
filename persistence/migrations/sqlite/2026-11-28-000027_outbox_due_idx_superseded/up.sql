-- Every query it served is served by outbox_messages_due_order_idx, which leads with the
-- same columns; each message written kept both up to date.
DROP INDEX IF EXISTS outbox_messages_due_idx;
