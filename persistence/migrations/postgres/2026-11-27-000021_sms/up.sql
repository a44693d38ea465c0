-- Whether the applicant declined texts about the case (受理, 补正, 延期, 办结): chosen at
-- intake, changed by a clerk afterwards; honoured when a text is queued and again when it
-- is sent.
ALTER TABLE cases ADD COLUMN sms_opt_out BOOLEAN NOT NULL DEFAULT FALSE;
-- A booking may carry the same choice, for the text telling its holder their turn is near.
ALTER TABLE appointments ADD COLUMN sms_opt_out BOOLEAN NOT NULL DEFAULT FALSE;
-- A call asks whether a ticket was already told it is near.
CREATE INDEX outbox_messages_ticket_idx ON outbox_messages (ticket_id, kind)
    WHERE ticket_id IS NOT NULL;
