-- The hall's front door: queues of a centre, the tickets handed out for them with their
-- append-only event log and per-queue daily numbering, the windows' sessions and the spans of
-- time each clerk held a window, and the feed of the hall's display screens.

CREATE TABLE queues (
    id               TEXT PRIMARY KEY,
    center_id        TEXT NOT NULL REFERENCES centers (id),
    prefix           TEXT NOT NULL,
    name             TEXT NOT NULL,
    -- JSON arrays of ids: a queue feeds tens of items at most.
    item_ids         TEXT NOT NULL,
    window_ids       TEXT NOT NULL,
    daily_cap        INTEGER NOT NULL,
    -- Local times, HH:MM:SS.
    opens_at         TEXT NOT NULL,
    closes_at        TEXT NOT NULL,
    waiting_warning  INTEGER NOT NULL,
    no_show_policy   TEXT NOT NULL CHECK (no_show_policy IN ('back', 'front')),
    active           BOOLEAN NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    CONSTRAINT queues_prefix_unique UNIQUE (center_id, prefix)
);

-- The last number handed out per queue and local day; taking one locks the row until the
-- issuing transaction ends, so numbers have no gaps and no repeats.
CREATE TABLE ticket_sequences (
    queue_id  TEXT NOT NULL REFERENCES queues (id),
    day       DATE NOT NULL,
    last_seq  INTEGER NOT NULL,
    PRIMARY KEY (queue_id, day)
);

CREATE TABLE tickets (
    id               TEXT PRIMARY KEY,
    center_id        TEXT NOT NULL REFERENCES centers (id),
    -- The queue it waits in now; issued_queue_id and seq say where its number came from.
    queue_id         TEXT NOT NULL REFERENCES queues (id),
    issued_queue_id  TEXT NOT NULL REFERENCES queues (id),
    day              DATE NOT NULL,
    seq              INTEGER NOT NULL,
    number           TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'serving', 'finished', 'no_show', 'cancelled')),
    priority         TEXT NOT NULL CHECK (priority IN ('normal', 'elderly', 'disabled', 'green_channel', 'appointment')),
    -- The calling order, as domain::queue::QueueKey stores it: class, then since, then id.
    line_class       INTEGER NOT NULL,
    in_line_since    TIMESTAMP NOT NULL,
    arrived_at       TIMESTAMP NOT NULL,
    first_called_at  TIMESTAMP,
    called_at        TIMESTAMP,
    window_id        TEXT REFERENCES windows (id),
    clerk_id         TEXT REFERENCES users (id),
    ended_at         TIMESTAMP,
    recalls          INTEGER NOT NULL,
    -- The holder's ID number as a keyed hash (HMAC-SHA256), for one live ticket per person
    -- and queue a day; never the number itself.
    holder_hash      TEXT,
    version          BIGINT NOT NULL,
    CONSTRAINT tickets_number_unique UNIQUE (issued_queue_id, day, seq)
);
CREATE INDEX tickets_line_idx ON tickets (queue_id, day, status, line_class, in_line_since, id);
-- With the status: the screens count the waiting tickets of a centre's day at every change.
CREATE INDEX tickets_center_day_idx ON tickets (center_id, day, status);
CREATE INDEX tickets_holder_idx ON tickets (holder_hash, day);

CREATE TABLE ticket_events (
    id           TEXT PRIMARY KEY,
    ticket_id    TEXT NOT NULL REFERENCES tickets (id),
    action       TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    queue_id     TEXT NOT NULL REFERENCES queues (id),
    window_id    TEXT REFERENCES windows (id),
    actor        TEXT REFERENCES users (id),
    at           TIMESTAMP NOT NULL,
    reason       TEXT
);
CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, at);
CREATE INDEX ticket_events_at_idx ON ticket_events (at);

-- Which cases a ticket became: zero, one or several. No reference to cases: their keys
-- begin with the region, for distribution (docs/SCALING.md); the link is written in the
-- intake's own transaction.
CREATE TABLE ticket_cases (
    ticket_id  TEXT NOT NULL REFERENCES tickets (id),
    case_id    TEXT NOT NULL,
    PRIMARY KEY (ticket_id, case_id)
);
CREATE UNIQUE INDEX ticket_cases_case_idx ON ticket_cases (case_id);

CREATE TABLE window_sessions (
    window_id  TEXT PRIMARY KEY REFERENCES windows (id),
    clerk_id   TEXT REFERENCES users (id),
    state      TEXT NOT NULL CHECK (state IN ('open', 'paused', 'closed')),
    reason     TEXT,
    since      TIMESTAMP NOT NULL,
    version    BIGINT NOT NULL
);

CREATE TABLE window_session_spans (
    id          TEXT PRIMARY KEY,
    window_id   TEXT NOT NULL REFERENCES windows (id),
    clerk_id    TEXT NOT NULL REFERENCES users (id),
    state       TEXT NOT NULL CHECK (state IN ('open', 'paused')),
    reason      TEXT,
    started_at  TIMESTAMP NOT NULL,
    ended_at    TIMESTAMP NOT NULL
);
CREATE INDEX window_session_spans_window_idx ON window_session_spans (window_id, started_at);

-- What the hall's screens are told, in commit order per centre: a screen that reconnects
-- asks for everything after the last id it saw (Last-Event-ID).
CREATE TABLE display_events (
    id         BIGSERIAL PRIMARY KEY,
    center_id  TEXT NOT NULL REFERENCES centers (id),
    window_id  TEXT REFERENCES windows (id),
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    at         TIMESTAMP NOT NULL
);
CREATE INDEX display_events_center_idx ON display_events (center_id, id);
