ALTER TABLE idempotency_keys ALTER CONSTRAINT idempotency_keys_case_fkey NOT DEFERRABLE;
ALTER TABLE case_events ALTER CONSTRAINT case_events_case_fkey NOT DEFERRABLE;
