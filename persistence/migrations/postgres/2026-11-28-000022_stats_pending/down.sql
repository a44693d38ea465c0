DROP TABLE stats_pending;
