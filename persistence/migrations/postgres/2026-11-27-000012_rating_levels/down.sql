DROP INDEX case_stats_effective_idx;
DROP INDEX stats_month_effective_idx;
DROP INDEX stats_day_dim_effective_idx;
ALTER TABLE stats_month DROP COLUMN rated_1, DROP COLUMN rated_2, DROP COLUMN rated_3, DROP COLUMN rated_4, DROP COLUMN rated_5;
ALTER TABLE stats_day DROP COLUMN rated_1, DROP COLUMN rated_2, DROP COLUMN rated_3, DROP COLUMN rated_4, DROP COLUMN rated_5;
ALTER TABLE case_stats DROP COLUMN rated_1, DROP COLUMN rated_2, DROP COLUMN rated_3, DROP COLUMN rated_4, DROP COLUMN rated_5;
