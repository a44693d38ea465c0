-- As on PostgreSQL (see there why). SQLite cannot alter a constraint, and defers every
-- foreign key for the rest of a transaction that sets `PRAGMA defer_foreign_keys`, as intake
-- does. While a reference waits, each case inserted makes SQLite look for the rows that
-- refer to it, so every table that refers to cases needs an index on `case_id`; the
-- idempotency keys had none.
CREATE INDEX idempotency_keys_case_idx ON idempotency_keys (case_id);
