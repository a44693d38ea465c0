DROP INDEX outbox_messages_ticket_idx;
ALTER TABLE appointments DROP COLUMN sms_opt_out;
ALTER TABLE cases DROP COLUMN sms_opt_out;
