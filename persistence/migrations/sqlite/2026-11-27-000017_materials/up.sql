-- Materials as data (issue 16): each case keeps its guide's checklist and where each paper
-- stands (JSON), with the earliest promised date of a missing one (容缺) for the supervision
-- warnings; and its result: the result code (办结结果), the certificate (JSON) and the fees
-- (JSON, amounts in fen). Guides stored before keep their materials as a list of names,
-- which the reader turns into required originals.
ALTER TABLE cases ADD COLUMN materials TEXT NOT NULL DEFAULT '[]';
ALTER TABLE cases ADD COLUMN materials_due_on DATE;
ALTER TABLE cases ADD COLUMN result_code TEXT;
ALTER TABLE cases ADD COLUMN certificate TEXT;
ALTER TABLE cases ADD COLUMN fees TEXT NOT NULL DEFAULT '[]';
CREATE INDEX cases_materials_due_idx ON cases (materials_due_on) WHERE materials_due_on IS NOT NULL;
