ALTER TABLE cases DROP COLUMN sms_opt_out;
