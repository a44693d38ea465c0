-- Rows of different regions with the same key are summed back into one.

CREATE TABLE case_stats_merged (
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
    PRIMARY KEY (received_on, effective_on, center_id, window_id, item_id, department_id, clerk_id)
);
INSERT INTO case_stats_merged
    SELECT received_on, effective_on, center_id, window_id, item_id, department_id, clerk_id, SUM(received), SUM(immediate), SUM(committed), SUM(not_accepted), SUM(completed), SUM(completed_on_time), SUM(withdrawn), SUM(overdue_open), SUM(rated), SUM(rating_sum), SUM(rated_poor)
    FROM case_stats GROUP BY received_on, effective_on, center_id, window_id, item_id, department_id, clerk_id;
DROP TABLE case_stats;
ALTER TABLE case_stats_merged RENAME TO case_stats;

CREATE TABLE stats_day_merged (
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
INSERT INTO stats_day_merged
    SELECT dim, dim_id, received_on, effective_on, SUM(received), SUM(immediate), SUM(committed), SUM(not_accepted), SUM(completed), SUM(completed_on_time), SUM(withdrawn), SUM(overdue_open), SUM(rated), SUM(rating_sum), SUM(rated_poor)
    FROM stats_day GROUP BY dim, dim_id, received_on, effective_on;
DROP TABLE stats_day;
ALTER TABLE stats_day_merged RENAME TO stats_day;
CREATE INDEX stats_day_received_idx ON stats_day (dim, received_on);
CREATE INDEX stats_day_effective_idx ON stats_day (dim, effective_on);

CREATE TABLE stats_month_merged (
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
INSERT INTO stats_month_merged
    SELECT dim, dim_id, received_month, effective_month, SUM(received), SUM(immediate), SUM(committed), SUM(not_accepted), SUM(completed), SUM(completed_on_time), SUM(withdrawn), SUM(overdue_open), SUM(rated), SUM(rating_sum), SUM(rated_poor)
    FROM stats_month GROUP BY dim, dim_id, received_month, effective_month;
DROP TABLE stats_month;
ALTER TABLE stats_month_merged RENAME TO stats_month;
CREATE INDEX stats_month_received_idx ON stats_month (dim, received_month);
