-- A rollup by year of receipt × year of effect, beside the daily and monthly ones. A
-- breakdown by clerk or by item over several years read a row per clerk or item per month
-- of receipt per month of effect: about 300,000 rows for five years of 2,000 clerks, over
-- 50 ms (docs/BENCHMARKS.md, issue 19). Whole years of receipt are now read from here, with
-- the effects in the as-of year from the monthly rows and those in the as-of month from
-- the daily ones. The projector folds every delta into it as into the others.
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
       CAST(date_trunc('year', received_month) AS DATE),
       CAST(date_trunc('year', effective_month) AS DATE),
       SUM(received), SUM(immediate), SUM(committed), SUM(not_accepted), SUM(completed), SUM(completed_on_time), SUM(withdrawn), SUM(overdue_open), SUM(rated), SUM(rating_sum), SUM(rated_poor), SUM(rated_1), SUM(rated_2), SUM(rated_3), SUM(rated_4), SUM(rated_5)
FROM stats_month
GROUP BY 1, 2, 3, 4, 5;
