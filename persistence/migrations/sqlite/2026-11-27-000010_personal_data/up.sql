-- Personal data at rest (issue 11, docs/SECURITY.md). Applicants' ID numbers and phones move
-- to sealed columns (XChaCha20-Poly1305, `v1.<key id>.<nonce+ciphertext>`), the ID number is
-- kept as a keyed hash for exact search, and the plaintext columns are emptied. SQL has no
-- key: rows written before this migration keep their plaintext until `hall migrate` or
-- `hall serve` seals them, in batches, right after the migrations run.

ALTER TABLE cases ADD COLUMN applicant_id_number_sealed TEXT;
ALTER TABLE cases ADD COLUMN applicant_phone_sealed TEXT;
ALTER TABLE cases ADD COLUMN applicant_id_hash TEXT;
-- Set when the retention period anonymised the applicant; never cleared.
ALTER TABLE cases ADD COLUMN anonymised_at TIMESTAMP;

-- The plaintext index would only index empty strings from now on.
DROP INDEX cases_applicant_idx;
CREATE INDEX cases_applicant_hash_idx ON cases (applicant_id_hash);
CREATE INDEX cases_retention_idx ON cases (status, updated_at);

-- Every read of a case's personal data by staff: who, when, which case, through which route.
CREATE TABLE access_log (
    id       TEXT PRIMARY KEY,
    at       TIMESTAMP NOT NULL,
    user_id  TEXT NOT NULL,
    case_id  TEXT NOT NULL,
    purpose  TEXT NOT NULL
);
CREATE INDEX access_log_user_idx ON access_log (user_id, id);
CREATE INDEX access_log_case_idx ON access_log (case_id, id);
