DROP TABLE stats_year;
