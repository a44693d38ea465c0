-- Ratings (好差评), one per case, and the rectification a poor one opens.
CREATE TABLE ratings (
    id                      TEXT PRIMARY KEY,
    case_id                 TEXT NOT NULL CONSTRAINT ratings_case_unique UNIQUE REFERENCES cases (id),
    score                   INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment                 TEXT NOT NULL,
    rated_at                TIMESTAMP NOT NULL,
    rated_on                DATE NOT NULL,
    rectification_deadline  DATE,
    rectified_at            TIMESTAMP,
    rectified_by            TEXT REFERENCES users (id),
    rectification_note      TEXT
);
CREATE INDEX ratings_rectification_idx ON ratings (rectification_deadline);
CREATE INDEX cases_completed_idx ON cases (completed_at DESC, id DESC);
