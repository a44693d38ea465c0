-- As on PostgreSQL (see there why), with nothing to change: SQLite cannot alter a
-- constraint, and defers every foreign key for the rest of a transaction that sets
-- `PRAGMA defer_foreign_keys`, as intake does.
SELECT 1;
