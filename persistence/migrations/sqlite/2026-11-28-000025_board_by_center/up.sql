-- A hall's screen shows the board of its own centre: that centre's finished cases, most
-- recently completed first. Partial, so an intake (which completes nothing) adds no entry.
CREATE INDEX cases_center_completed_idx ON cases (center_id, completed_at DESC, id DESC)
    WHERE completed_at IS NOT NULL;
