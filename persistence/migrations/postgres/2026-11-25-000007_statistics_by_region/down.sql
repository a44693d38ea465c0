-- Rows of different regions with the same key are summed back into one.
DROP INDEX stats_month_dim_idx;
CREATE TEMP TABLE merged AS
    SELECT dim, dim_id, received_month, effective_month,
           SUM(received) AS received, SUM(immediate) AS immediate, SUM(committed) AS committed,
           SUM(not_accepted) AS not_accepted, SUM(completed) AS completed,
           SUM(completed_on_time) AS completed_on_time, SUM(withdrawn) AS withdrawn,
           SUM(overdue_open) AS overdue_open, SUM(rated) AS rated, SUM(rating_sum) AS rating_sum,
           SUM(rated_poor) AS rated_poor
    FROM stats_month GROUP BY 1, 2, 3, 4;
DELETE FROM stats_month;
ALTER TABLE stats_month DROP CONSTRAINT stats_month_pkey;
ALTER TABLE stats_month DROP COLUMN region;
INSERT INTO stats_month SELECT * FROM merged;
ALTER TABLE stats_month ADD CONSTRAINT stats_month_pkey PRIMARY KEY (dim, dim_id, received_month, effective_month);
DROP TABLE merged;

DROP INDEX stats_day_dim_idx;
CREATE TEMP TABLE merged AS
    SELECT dim, dim_id, received_on, effective_on,
           SUM(received) AS received, SUM(immediate) AS immediate, SUM(committed) AS committed,
           SUM(not_accepted) AS not_accepted, SUM(completed) AS completed,
           SUM(completed_on_time) AS completed_on_time, SUM(withdrawn) AS withdrawn,
           SUM(overdue_open) AS overdue_open, SUM(rated) AS rated, SUM(rating_sum) AS rating_sum,
           SUM(rated_poor) AS rated_poor
    FROM stats_day GROUP BY 1, 2, 3, 4;
DELETE FROM stats_day;
ALTER TABLE stats_day DROP CONSTRAINT stats_day_pkey;
ALTER TABLE stats_day DROP COLUMN region;
INSERT INTO stats_day SELECT * FROM merged;
ALTER TABLE stats_day ADD CONSTRAINT stats_day_pkey PRIMARY KEY (dim, dim_id, received_on, effective_on);
DROP TABLE merged;

DROP INDEX case_stats_received_idx;
CREATE TEMP TABLE merged AS
    SELECT received_on, effective_on, center_id, window_id, item_id, department_id, clerk_id,
           SUM(received) AS received, SUM(immediate) AS immediate, SUM(committed) AS committed,
           SUM(not_accepted) AS not_accepted, SUM(completed) AS completed,
           SUM(completed_on_time) AS completed_on_time, SUM(withdrawn) AS withdrawn,
           SUM(overdue_open) AS overdue_open, SUM(rated) AS rated, SUM(rating_sum) AS rating_sum,
           SUM(rated_poor) AS rated_poor
    FROM case_stats GROUP BY 1, 2, 3, 4, 5, 6, 7;
DELETE FROM case_stats;
ALTER TABLE case_stats DROP CONSTRAINT case_stats_pkey;
ALTER TABLE case_stats DROP COLUMN region;
INSERT INTO case_stats SELECT * FROM merged;
ALTER TABLE case_stats ADD CONSTRAINT case_stats_pkey
    PRIMARY KEY (received_on, effective_on, center_id, window_id, item_id, department_id, clerk_id);
DROP TABLE merged;
