-- The sealed values cannot be turned back into plaintext in SQL (it has no key): going down
-- loses the applicants' ID numbers and phones of every row sealed since the upgrade.
DROP TABLE access_log;
DROP INDEX cases_retention_idx;
DROP INDEX cases_applicant_hash_idx;
ALTER TABLE cases DROP COLUMN anonymised_at;
ALTER TABLE cases DROP COLUMN applicant_id_hash;
ALTER TABLE cases DROP COLUMN applicant_phone_sealed;
ALTER TABLE cases DROP COLUMN applicant_id_number_sealed;
CREATE INDEX cases_applicant_idx ON cases (applicant_id_number);
