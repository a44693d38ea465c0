DROP INDEX CONCURRENTLY IF EXISTS outbox_messages_due_order_idx;
