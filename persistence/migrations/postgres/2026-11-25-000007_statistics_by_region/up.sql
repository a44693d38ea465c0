-- Statistics rows per region. Every case change adds to the day's rows of its dimensions in
-- its own transaction and holds them until it commits; rows shared by every case (the `all`
-- dimension, a common item) made all acceptances in the database wait for one another
-- (docs/BENCHMARKS.md). Keyed by region first, the rows a case touches belong to its region
-- alone, and the tables can be distributed with the cases (docs/SCALING.md). Queries sum
-- over regions; the rows written before this migration keep the region '' and still count.

ALTER TABLE case_stats ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE case_stats DROP CONSTRAINT case_stats_pkey;
ALTER TABLE case_stats ADD CONSTRAINT case_stats_pkey
    PRIMARY KEY (region, received_on, effective_on, center_id, window_id, item_id, department_id, clerk_id);
CREATE INDEX case_stats_received_idx ON case_stats (received_on, effective_on);

ALTER TABLE stats_day ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE stats_day DROP CONSTRAINT stats_day_pkey;
ALTER TABLE stats_day ADD CONSTRAINT stats_day_pkey
    PRIMARY KEY (region, dim, dim_id, received_on, effective_on);
CREATE INDEX stats_day_dim_idx ON stats_day (dim, dim_id, received_on, effective_on);

ALTER TABLE stats_month ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE stats_month DROP CONSTRAINT stats_month_pkey;
ALTER TABLE stats_month ADD CONSTRAINT stats_month_pkey
    PRIMARY KEY (region, dim, dim_id, received_month, effective_month);
CREATE INDEX stats_month_dim_idx ON stats_month (dim, dim_id, received_month, effective_month);
