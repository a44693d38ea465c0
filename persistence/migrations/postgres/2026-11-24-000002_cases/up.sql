-- Cases, their append-only event log, the per-region daily case-number sequences and the
-- idempotency keys of intake.

CREATE TABLE cases (
    id                   TEXT PRIMARY KEY,
    case_no              TEXT NOT NULL CONSTRAINT cases_case_no_unique UNIQUE,
    region               TEXT NOT NULL,
    center_id            TEXT NOT NULL REFERENCES centers (id),
    window_id            TEXT NOT NULL REFERENCES windows (id),
    -- Where it was received; statistics count it there whatever transfers follow.
    received_center_id   TEXT NOT NULL REFERENCES centers (id),
    received_window_id   TEXT NOT NULL REFERENCES windows (id),
    item_id              TEXT NOT NULL REFERENCES service_items (id),
    -- The version of the item's guide the case was accepted under.
    item_version         INTEGER NOT NULL,
    department_id        TEXT NOT NULL REFERENCES departments (id),
    handling             TEXT NOT NULL CHECK (handling IN ('immediate', 'committed')),
    statutory_days       INTEGER NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('accepted', 'in_progress', 'paused', 'completed', 'delivered', 'not_accepted', 'withdrawn')),
    resume_to            TEXT,
    applicant_kind       TEXT NOT NULL,
    applicant_name       TEXT NOT NULL,
    applicant_id_type    TEXT NOT NULL,
    applicant_id_number  TEXT NOT NULL,
    applicant_phone      TEXT NOT NULL,
    note                 TEXT NOT NULL,
    refusal_reason       TEXT,
    received_at          TIMESTAMP NOT NULL,
    received_on          DATE NOT NULL,
    clock                TEXT NOT NULL,
    deadline             DATE,
    completed_at         TIMESTAMP,
    completed_on         DATE,
    on_time              BOOLEAN,
    -- The day from which the case counts as open and overdue (domain::stats).
    overdue_from         DATE,
    outcome              TEXT,
    result               TEXT,
    query_code_hash      TEXT NOT NULL,
    accepted_by          TEXT NOT NULL REFERENCES users (id),
    version              BIGINT NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX cases_received_idx ON cases (received_at DESC, id DESC);
CREATE INDEX cases_window_idx ON cases (window_id, received_at DESC);
CREATE INDEX cases_center_idx ON cases (center_id, received_on);
CREATE INDEX cases_item_idx ON cases (item_id);
CREATE INDEX cases_open_deadline_idx ON cases (status, deadline);
CREATE INDEX cases_applicant_idx ON cases (applicant_id_number);

CREATE TABLE case_events (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    seq          BIGINT NOT NULL,
    action       TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    -- NULL: the applicant, at a kiosk.
    actor_id     TEXT REFERENCES users (id),
    at           TIMESTAMP NOT NULL,
    payload      TEXT NOT NULL,
    -- Two writers of the same version cannot both append.
    CONSTRAINT case_events_seq_unique UNIQUE (case_id, seq)
);

CREATE TABLE case_sequences (
    region    TEXT NOT NULL,
    day       DATE NOT NULL,
    last_seq  INTEGER NOT NULL,
    PRIMARY KEY (region, day)
);

CREATE TABLE idempotency_keys (
    user_id       TEXT NOT NULL REFERENCES users (id),
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    created_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);
