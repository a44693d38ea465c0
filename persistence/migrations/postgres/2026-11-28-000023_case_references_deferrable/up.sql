-- Intake writes the case's event and its idempotency key's record before it draws the case's
-- number, and stores the case last: the region's sequence stays locked from the draw until
-- the commit, and every clerk of the region waits for it (docs/BENCHMARKS.md, issue 19).
-- These two references are therefore checked at the commit. Declared so from the start of
-- every transaction rather than set by intake (`SET CONSTRAINTS`), which would cost each
-- intake a round trip; nothing else writes an event or a key before its case, and a
-- transaction that broke either reference still fails, at its commit.
ALTER TABLE case_events ALTER CONSTRAINT case_events_case_fkey DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE idempotency_keys ALTER CONSTRAINT idempotency_keys_case_fkey DEFERRABLE INITIALLY DEFERRED;
