DROP TABLE case_stats;
