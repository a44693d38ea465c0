-- The catalogue, the users and the working-day calendar.
-- Ids are UUID text and times are UTC `timestamp`, so one schema.rs serves both backends.

CREATE TABLE centers (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL CONSTRAINT centers_code_unique UNIQUE,
    name        TEXT NOT NULL,
    parent_id   TEXT REFERENCES centers (id),
    active      BOOLEAN NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX centers_parent_idx ON centers (parent_id);

CREATE TABLE departments (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL CONSTRAINT departments_code_unique UNIQUE,
    name        TEXT NOT NULL,
    active      BOOLEAN NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE service_items (
    id                  TEXT PRIMARY KEY,
    code                TEXT NOT NULL CONSTRAINT service_items_code_unique UNIQUE,
    name                TEXT NOT NULL,
    department_id       TEXT NOT NULL REFERENCES departments (id),
    category            TEXT NOT NULL CHECK (category IN ('licensing', 'non_licensing', 'public_service', 'disclosure_request', 'complaint')),
    handling            TEXT NOT NULL CHECK (handling IN ('immediate', 'committed')),
    statutory_days      INTEGER NOT NULL CHECK (statutory_days >= 0),
    promised_days       INTEGER NOT NULL CHECK (promised_days >= 0 AND promised_days <= statutory_days),
    conditions          TEXT NOT NULL,
    materials           TEXT NOT NULL,
    procedure_steps     TEXT NOT NULL,
    steps_removed       INTEGER NOT NULL CHECK (steps_removed >= 0),
    responsible_post    TEXT NOT NULL,
    fee                 TEXT NOT NULL,
    fee_basis           TEXT NOT NULL,
    legal_basis         TEXT NOT NULL,
    rights_and_remedies TEXT NOT NULL,
    contact             TEXT NOT NULL,
    complaint_channel   TEXT NOT NULL,
    version             INTEGER NOT NULL,
    active              BOOLEAN NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX service_items_department_idx ON service_items (department_id);

-- Every version of every item's guide, as JSON: a case keeps the version it was accepted under.
CREATE TABLE service_item_versions (
    item_id     TEXT NOT NULL REFERENCES service_items (id),
    version     INTEGER NOT NULL,
    document    TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (item_id, version)
);

-- Every administrative change: who, when, what, before and after. Append-only.
CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    actor_id    TEXT,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before      TEXT,
    after       TEXT
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);
CREATE INDEX audit_log_at_idx ON audit_log (at);

CREATE TABLE windows (
    id          TEXT PRIMARY KEY,
    center_id   TEXT NOT NULL REFERENCES centers (id),
    number      INTEGER NOT NULL CHECK (number > 0),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('permanent', 'proxy', 'comprehensive')),
    active      BOOLEAN NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    CONSTRAINT windows_number_unique UNIQUE (center_id, number)
);

CREATE TABLE window_items (
    window_id   TEXT NOT NULL REFERENCES windows (id),
    item_id     TEXT NOT NULL REFERENCES service_items (id),
    position    INTEGER NOT NULL,
    PRIMARY KEY (window_id, item_id)
);
CREATE INDEX window_items_item_idx ON window_items (item_id);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    username        TEXT NOT NULL CONSTRAINT users_username_unique UNIQUE,
    display_name    TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'clerk', 'analyst')),
    window_id       TEXT REFERENCES windows (id),
    active          BOOLEAN NOT NULL,
    token_version   BIGINT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

-- One document per year in the format of domain/calendar/china/*.json.
CREATE TABLE calendar_years (
    year        INTEGER PRIMARY KEY,
    document    TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
