-- The dispatcher claims the oldest due messages in (due_at, id) order; with the id in the
-- index it reads them in that order and stops at the limit, where an index on (status,
-- due_at) made it fetch and sort every queued message on each claim (7.6 ms at 5,000 queued,
-- docs/BENCHMARKS.md).
CREATE INDEX IF NOT EXISTS outbox_messages_due_order_idx
    ON outbox_messages (status, due_at, id);
