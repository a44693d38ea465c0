-- Ratings by level (GB/T 39734: 非常满意 5 … 非常不满意 1), so dashboards draw the distribution
-- and the satisfaction rate (share of 4–5) from the statistics rows like every other figure.
-- The counts of the ratings given before this migration are filled in from the ratings
-- themselves, each in its case's row of the day it was given, as the live path keeps them.
-- And indexes for the figures by the date things happened (completion basis).

ALTER TABLE case_stats ADD COLUMN rated_1 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE case_stats ADD COLUMN rated_2 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE case_stats ADD COLUMN rated_3 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE case_stats ADD COLUMN rated_4 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE case_stats ADD COLUMN rated_5 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_day ADD COLUMN rated_1 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_day ADD COLUMN rated_2 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_day ADD COLUMN rated_3 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_day ADD COLUMN rated_4 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_day ADD COLUMN rated_5 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_month ADD COLUMN rated_1 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_month ADD COLUMN rated_2 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_month ADD COLUMN rated_3 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_month ADD COLUMN rated_4 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_month ADD COLUMN rated_5 BIGINT NOT NULL DEFAULT 0;

INSERT INTO case_stats (region, received_on, effective_on, center_id, window_id, item_id, department_id, clerk_id,
                        received, immediate, committed, not_accepted, completed, completed_on_time, withdrawn,
                        overdue_open, rated, rating_sum, rated_poor, rated_1, rated_2, rated_3, rated_4, rated_5)
    SELECT c.region, c.received_on, r.rated_on, c.received_center_id, c.received_window_id, c.item_id,
           c.department_id, c.accepted_by, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           SUM(CASE WHEN r.score = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN r.score = 2 THEN 1 ELSE 0 END),
           SUM(CASE WHEN r.score = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN r.score = 4 THEN 1 ELSE 0 END),
           SUM(CASE WHEN r.score = 5 THEN 1 ELSE 0 END)
    FROM ratings r JOIN cases c ON c.region = r.region AND c.id = r.case_id
    GROUP BY c.region, c.received_on, r.rated_on, c.received_center_id, c.received_window_id, c.item_id,
             c.department_id, c.accepted_by
ON CONFLICT (region, received_on, effective_on, center_id, window_id, item_id, department_id, clerk_id)
    DO UPDATE SET rated_1 = excluded.rated_1, rated_2 = excluded.rated_2, rated_3 = excluded.rated_3,
                  rated_4 = excluded.rated_4, rated_5 = excluded.rated_5;

INSERT INTO stats_day (region, dim, dim_id, received_on, effective_on,
                       received, immediate, committed, not_accepted, completed, completed_on_time, withdrawn,
                       overdue_open, rated, rating_sum, rated_poor, rated_1, rated_2, rated_3, rated_4, rated_5)
    SELECT region, dim, dim_id, received_on, effective_on, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           SUM(rated_1), SUM(rated_2), SUM(rated_3), SUM(rated_4), SUM(rated_5)
    FROM (
        SELECT region, 'clerk' AS dim, clerk_id AS dim_id, received_on, effective_on, rated_1, rated_2, rated_3, rated_4, rated_5 FROM case_stats
        UNION ALL SELECT region, 'window', window_id, received_on, effective_on, rated_1, rated_2, rated_3, rated_4, rated_5 FROM case_stats
        UNION ALL SELECT region, 'center', center_id, received_on, effective_on, rated_1, rated_2, rated_3, rated_4, rated_5 FROM case_stats
        UNION ALL SELECT region, 'item', item_id, received_on, effective_on, rated_1, rated_2, rated_3, rated_4, rated_5 FROM case_stats
        UNION ALL SELECT region, 'department', department_id, received_on, effective_on, rated_1, rated_2, rated_3, rated_4, rated_5 FROM case_stats
        UNION ALL SELECT region, 'all', '', received_on, effective_on, rated_1, rated_2, rated_3, rated_4, rated_5 FROM case_stats
    ) levels
    WHERE rated_1 + rated_2 + rated_3 + rated_4 + rated_5 > 0
    GROUP BY region, dim, dim_id, received_on, effective_on
ON CONFLICT (region, dim, dim_id, received_on, effective_on)
    DO UPDATE SET rated_1 = excluded.rated_1, rated_2 = excluded.rated_2, rated_3 = excluded.rated_3,
                  rated_4 = excluded.rated_4, rated_5 = excluded.rated_5;

INSERT INTO stats_month (region, dim, dim_id, received_month, effective_month,
                         received, immediate, committed, not_accepted, completed, completed_on_time, withdrawn,
                         overdue_open, rated, rating_sum, rated_poor, rated_1, rated_2, rated_3, rated_4, rated_5)
    SELECT region, dim, dim_id, date(received_on, 'start of month'), date(effective_on, 'start of month'),
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           SUM(rated_1), SUM(rated_2), SUM(rated_3), SUM(rated_4), SUM(rated_5)
    FROM stats_day
    WHERE rated_1 + rated_2 + rated_3 + rated_4 + rated_5 > 0
    GROUP BY region, dim, dim_id, date(received_on, 'start of month'), date(effective_on, 'start of month')
ON CONFLICT (region, dim, dim_id, received_month, effective_month)
    DO UPDATE SET rated_1 = excluded.rated_1, rated_2 = excluded.rated_2, rated_3 = excluded.rated_3,
                  rated_4 = excluded.rated_4, rated_5 = excluded.rated_5;

CREATE INDEX stats_day_dim_effective_idx ON stats_day (dim, dim_id, effective_on);
CREATE INDEX stats_month_effective_idx ON stats_month (dim, effective_month);
CREATE INDEX case_stats_effective_idx ON case_stats (effective_on);
