DROP TABLE regional_calendar_years;
ALTER TABLE centers DROP COLUMN division;
