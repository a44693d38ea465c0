-- One counter every change to the calendars bumps in its own transaction (a national or a
-- regional year stored, a centre created or changed): the cached calendars are keyed on it.
-- Being one row, it orders the changes by commit, which timestamps cannot; an intake that
-- reads it FOR SHARE waits for a calendar change in flight and then sees it.
CREATE TABLE calendar_revision (
    id INTEGER PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO calendar_revision (id, n) VALUES (1, 1);
