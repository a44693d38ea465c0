-- Notices (文书): the numbered documents issued on cases, the registers that number them per
-- centre, kind and year, and the centres' own templates.

CREATE TABLE notice_registers (
    center_id  TEXT NOT NULL REFERENCES centers (id),
    kind       TEXT NOT NULL,
    year       INTEGER NOT NULL,
    -- Drawn with `UPDATE ... SET last_seq = last_seq + 1` in the issuing transaction: the row
    -- lock makes concurrent issuers wait, a rollback gives the number back.
    last_seq   INTEGER NOT NULL,
    PRIMARY KEY (center_id, kind, year)
);

CREATE TABLE notices (
    region       TEXT NOT NULL,
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    center_id    TEXT NOT NULL REFERENCES centers (id),
    kind         TEXT NOT NULL CHECK (kind IN ('receipt', 'refusal', 'supplement', 'extension', 'decision', 'delivery')),
    year         INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    number       TEXT NOT NULL UNIQUE,
    -- What the document shows (domain::notice::NoticeFacts as JSON) and the template it was
    -- rendered with: printing again renders these to the same bytes. No query code: the
    -- receipt's is derived anew at each printing.
    facts        TEXT NOT NULL,
    template     TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    issued_at    TIMESTAMP NOT NULL,
    issued_on    DATE NOT NULL,
    issued_by    TEXT NOT NULL REFERENCES users (id),
    voided_at    TIMESTAMP,
    voided_on    DATE,
    voided_by    TEXT REFERENCES users (id),
    void_reason  TEXT,
    UNIQUE (center_id, kind, year, seq)
);
CREATE INDEX notices_case_idx ON notices (case_id, issued_at);

CREATE TABLE notice_templates (
    center_id   TEXT NOT NULL REFERENCES centers (id),
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    updated_by  TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (center_id, kind)
);
