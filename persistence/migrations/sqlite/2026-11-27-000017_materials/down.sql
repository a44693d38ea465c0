DROP INDEX cases_materials_due_idx;
ALTER TABLE cases DROP COLUMN fees;
ALTER TABLE cases DROP COLUMN certificate;
ALTER TABLE cases DROP COLUMN result_code;
ALTER TABLE cases DROP COLUMN materials_due_on;
ALTER TABLE cases DROP COLUMN materials;
