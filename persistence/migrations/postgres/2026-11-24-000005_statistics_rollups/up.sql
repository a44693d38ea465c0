-- Rollups of case_stats per single dimension ('all', 'center', 'window', 'item',
-- 'department', 'clerk'), so long periods read few rows: by day of receipt and day of effect,
-- and by month of receipt and month of effect. Kept in the same transaction as case_stats.
CREATE TABLE stats_day (
    dim                TEXT NOT NULL,
    dim_id             TEXT NOT NULL,
    received_on        DATE NOT NULL,
    effective_on       DATE NOT NULL,
    received           BIGINT NOT NULL,
    immediate          BIGINT NOT NULL,
    committed          BIGINT NOT NULL,
    not_accepted       BIGINT NOT NULL,
    completed          BIGINT NOT NULL,
    completed_on_time  BIGINT NOT NULL,
    withdrawn          BIGINT NOT NULL,
    overdue_open       BIGINT NOT NULL,
    rated              BIGINT NOT NULL,
    rating_sum         BIGINT NOT NULL,
    rated_poor         BIGINT NOT NULL,
    PRIMARY KEY (dim, dim_id, received_on, effective_on)
);
CREATE INDEX stats_day_received_idx ON stats_day (dim, received_on);
CREATE INDEX stats_day_effective_idx ON stats_day (dim, effective_on);

CREATE TABLE stats_month (
    dim                TEXT NOT NULL,
    dim_id             TEXT NOT NULL,
    received_month     DATE NOT NULL,
    effective_month    DATE NOT NULL,
    received           BIGINT NOT NULL,
    immediate          BIGINT NOT NULL,
    committed          BIGINT NOT NULL,
    not_accepted       BIGINT NOT NULL,
    completed          BIGINT NOT NULL,
    completed_on_time  BIGINT NOT NULL,
    withdrawn          BIGINT NOT NULL,
    overdue_open       BIGINT NOT NULL,
    rated              BIGINT NOT NULL,
    rating_sum         BIGINT NOT NULL,
    rated_poor         BIGINT NOT NULL,
    PRIMARY KEY (dim, dim_id, received_month, effective_month)
);
CREATE INDEX stats_month_received_idx ON stats_month (dim, received_month);
