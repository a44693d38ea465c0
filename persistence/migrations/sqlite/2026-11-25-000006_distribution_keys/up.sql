-- The region of each case on every row that belongs to one, as on PostgreSQL, where the
-- keys begin with it for Citus (docs/SCALING.md). SQLite never runs distributed, so its keys
-- stay as they are rather than rebuilding the tables.

ALTER TABLE case_events ADD COLUMN region TEXT NOT NULL DEFAULT '';
UPDATE case_events SET region = (SELECT c.region FROM cases c WHERE c.id = case_events.case_id);

ALTER TABLE ratings ADD COLUMN region TEXT NOT NULL DEFAULT '';
UPDATE ratings SET region = (SELECT c.region FROM cases c WHERE c.id = ratings.case_id);

ALTER TABLE idempotency_keys ADD COLUMN region TEXT NOT NULL DEFAULT '';
UPDATE idempotency_keys SET region = (SELECT c.region FROM cases c WHERE c.id = idempotency_keys.case_id);
