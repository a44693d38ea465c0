-- A centre's administrative division (GB/T 2260) picks its regional calendar; NULL inherits
-- the parent's. A region's own notice per year holds what it adds to the national one.
ALTER TABLE centers ADD COLUMN division TEXT;

CREATE TABLE regional_calendar_years (
    region TEXT NOT NULL,
    year INTEGER NOT NULL,
    document TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (region, year)
);
