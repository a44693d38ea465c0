DROP TABLE stats_month;
DROP TABLE stats_day;
