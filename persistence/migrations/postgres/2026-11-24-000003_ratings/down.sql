DROP INDEX cases_completed_idx;
DROP TABLE ratings;
