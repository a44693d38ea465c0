ALTER TABLE idempotency_keys DROP COLUMN region;
ALTER TABLE ratings DROP COLUMN region;
ALTER TABLE case_events DROP COLUMN region;
