-- As on PostgreSQL (see there why).
CREATE TABLE stats_year (
    region             TEXT NOT NULL,
    dim                TEXT NOT NULL,
    dim_id             TEXT NOT NULL,
    received_year      DATE NOT NULL,
    effective_year     DATE NOT NULL,
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
    rated_1            BIGINT NOT NULL,
    rated_2            BIGINT NOT NULL,
    rated_3            BIGINT NOT NULL,
    rated_4            BIGINT NOT NULL,
    rated_5            BIGINT NOT NULL,
    PRIMARY KEY (region, dim, dim_id, received_year, effective_year)
);
CREATE INDEX stats_year_dim_idx ON stats_year (dim, dim_id, received_year, effective_year);
CREATE INDEX stats_year_received_idx ON stats_year (dim, received_year);

INSERT INTO stats_year (region, dim, dim_id, received_year, effective_year, received, immediate, committed, not_accepted, completed, completed_on_time, withdrawn, overdue_open, rated, rating_sum, rated_poor, rated_1, rated_2, rated_3, rated_4, rated_5)
SELECT region, dim, dim_id,
       strftime('%Y-01-01', received_month),
       strftime('%Y-01-01', effective_month),
       SUM(received), SUM(immediate), SUM(committed), SUM(not_accepted), SUM(completed), SUM(completed_on_time), SUM(withdrawn), SUM(overdue_open), SUM(rated), SUM(rating_sum), SUM(rated_poor), SUM(rated_1), SUM(rated_2), SUM(rated_3), SUM(rated_4), SUM(rated_5)
FROM stats_month
GROUP BY 1, 2, 3, 4, 5;
