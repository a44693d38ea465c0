-- A hall's screen shows the board of its own centre: that centre's finished cases, most
-- recently completed first. Partial, so an intake (which completes nothing) adds no entry.
-- Built CONCURRENTLY, outside a transaction (metadata.toml), so that intake goes on while it
-- builds during a rolling upgrade; hence one statement alone in this file.
CREATE INDEX CONCURRENTLY IF NOT EXISTS cases_center_completed_idx
    ON cases (center_id, completed_at DESC, id DESC)
    WHERE completed_at IS NOT NULL;
