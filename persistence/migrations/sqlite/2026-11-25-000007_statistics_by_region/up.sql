-- Statistics rows per region, as on PostgreSQL (see there why). SQLite cannot change a
-- primary key in place: each table is rebuilt, its rows kept with the region ''.

CREATE TABLE case_stats_by_region (
    received_on        DATE NOT NULL,
    effective_on       DATE NOT NULL,
    center_id          TEXT NOT NULL,
    window_id          TEXT NOT NULL,
    item_id            TEXT NOT NULL,
    department_id      TEXT NOT NULL,
    clerk_id           TEXT NOT NULL,
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
    region             TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (region, received_on, effective_on, center_id, window_id, item_id, department_id, clerk_id)
);
INSERT INTO case_stats_by_region (received_on, effective_on, center_id, window_id, item_id, department_id, clerk_id, received, immediate, committed, not_accepted, completed, completed_on_time, withdrawn, overdue_open, rated, rating_sum, rated_poor, region)
    SELECT received_on, effective_on, center_id, window_id, item_id, department_id, clerk_id, received, immediate, committed, not_accepted, completed, completed_on_time, withdrawn, overdue_open, rated, rating_sum, rated_poor, '' FROM case_stats;
DROP TABLE case_stats;
ALTER TABLE case_stats_by_region RENAME TO case_stats;
CREATE INDEX case_stats_received_idx ON case_stats (received_on, effective_on);

CREATE TABLE stats_day_by_region (
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
    region             TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (region, dim, dim_id, received_on, effective_on)
);
INSERT INTO stats_day_by_region (dim, dim_id, received_on, effective_on, received, immediate, committed, not_accepted, completed, completed_on_time, withdrawn, overdue_open, rated, rating_sum, rated_poor, region)
    SELECT dim, dim_id, received_on, effective_on, received, immediate, committed, not_accepted, completed, completed_on_time, withdrawn, overdue_open, rated, rating_sum, rated_poor, '' FROM stats_day;
DROP TABLE stats_day;
ALTER TABLE stats_day_by_region RENAME TO stats_day;
CREATE INDEX stats_day_received_idx ON stats_day (dim, received_on);
CREATE INDEX stats_day_effective_idx ON stats_day (dim, effective_on);
CREATE INDEX stats_day_dim_idx ON stats_day (dim, dim_id, received_on, effective_on);

CREATE TABLE stats_month_by_region (
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
    region             TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (region, dim, dim_id, received_month, effective_month)
);
INSERT INTO stats_month_by_region (dim, dim_id, received_month, effective_month, received, immediate, committed, not_accepted, completed, completed_on_time, withdrawn, overdue_open, rated, rating_sum, rated_poor, region)
    SELECT dim, dim_id, received_month, effective_month, received, immediate, committed, not_accepted, completed, completed_on_time, withdrawn, overdue_open, rated, rating_sum, rated_poor, '' FROM stats_month;
DROP TABLE stats_month;
ALTER TABLE stats_month_by_region RENAME TO stats_month;
CREATE INDEX stats_month_received_idx ON stats_month (dim, received_month);
CREATE INDEX stats_month_dim_idx ON stats_month (dim, dim_id, received_month, effective_month);
