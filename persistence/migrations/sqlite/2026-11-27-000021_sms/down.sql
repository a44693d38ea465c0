ALTER TABLE appointments DROP COLUMN sms_opt_out;
ALTER TABLE cases DROP COLUMN sms_opt_out;
