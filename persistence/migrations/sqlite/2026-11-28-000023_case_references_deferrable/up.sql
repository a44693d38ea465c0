-- As on PostgreSQL (see there why), with nothing to change: SQLite defers any foreign key
-- for the rest of a transaction that sets `PRAGMA defer_foreign_keys`.
SELECT 1;
