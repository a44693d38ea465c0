-- Wrong query codes given at the kiosk, one row each, per case number (known or not): every
-- hall process counts them here, so a case number that took too many answers 429 whichever
-- process is asked. Rows older than the window are deleted as new ones come.
CREATE TABLE kiosk_attempts (
    id           INTEGER PRIMARY KEY,
    case_no      TEXT NOT NULL,
    attempted_at TIMESTAMP NOT NULL
);
CREATE INDEX kiosk_attempts_case_idx ON kiosk_attempts (case_no, attempted_at);
CREATE INDEX kiosk_attempts_time_idx ON kiosk_attempts (attempted_at);
