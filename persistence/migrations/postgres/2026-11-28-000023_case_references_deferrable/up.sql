-- Intake writes the case's event and its idempotency key's record before it draws the case's
-- number, and stores the case last: the region's sequence stays locked from the draw until
-- the commit, and every clerk of the region waits for it (docs/BENCHMARKS.md, issue 19).
-- These two references may therefore be checked at the commit, in a transaction that asks
-- for it (`SET CONSTRAINTS … DEFERRED`); every other transaction still checks them at once.
ALTER TABLE case_events ALTER CONSTRAINT case_events_case_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE idempotency_keys ALTER CONSTRAINT idempotency_keys_case_fkey DEFERRABLE INITIALLY IMMEDIATE;
