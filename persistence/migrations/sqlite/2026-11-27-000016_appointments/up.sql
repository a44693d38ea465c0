-- Appointments (预约): the slots a centre offers for an item on a day, the bookings made in
-- them with the person sealed, and each booking's append-only events.

CREATE TABLE appointment_slots (
    id          TEXT PRIMARY KEY,
    center_id   TEXT NOT NULL REFERENCES centers (id),
    item_id     TEXT NOT NULL REFERENCES service_items (id),
    -- The queue a checked-in booking's ticket waits in.
    queue_id    TEXT NOT NULL REFERENCES queues (id),
    day         DATE NOT NULL,
    -- Local times, HH:MM:SS.
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    capacity    INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 999),
    -- Places taken by live bookings; a booking takes one with
    -- `UPDATE ... SET booked = booked + 1 WHERE booked < capacity`, so the check never fires
    -- unless that rule is broken.
    booked      INTEGER NOT NULL CHECK (booked >= 0 AND booked <= capacity),
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX appointment_slots_center_day_idx ON appointment_slots (center_id, day, starts_at);

CREATE TABLE appointments (
    id                TEXT PRIMARY KEY,
    slot_id           TEXT NOT NULL REFERENCES appointment_slots (id),
    center_id         TEXT NOT NULL REFERENCES centers (id),
    day               DATE NOT NULL,
    -- A no-show is never stored: it is a booking whose check-in closed.
    status            TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'checked_in')),
    -- Keyed hashes (HMAC-SHA256): of the booking code, never the code; of the ID number,
    -- for one booking per person and day and for check-in by ID card.
    code_hash         TEXT NOT NULL,
    id_hash           TEXT NOT NULL,
    -- The person, sealed with the data key (persistence::personal).
    name_sealed       TEXT NOT NULL,
    id_number_sealed  TEXT NOT NULL,
    phone_sealed      TEXT NOT NULL,
    ticket_id         TEXT REFERENCES tickets (id),
    created_at        TIMESTAMP NOT NULL,
    version           BIGINT NOT NULL
);
-- One live booking per person and day, even when two book at the same moment.
CREATE UNIQUE INDEX appointments_person_day_idx ON appointments (id_hash, day)
    WHERE status <> 'cancelled';
CREATE UNIQUE INDEX appointments_code_idx ON appointments (center_id, day, code_hash);
CREATE INDEX appointments_slot_idx ON appointments (slot_id, status);

CREATE TABLE appointment_events (
    id              TEXT PRIMARY KEY,
    appointment_id  TEXT NOT NULL REFERENCES appointments (id),
    action          TEXT NOT NULL CHECK (action IN ('book', 'cancel', 'check_in')),
    at              TIMESTAMP NOT NULL,
    ticket_id       TEXT REFERENCES tickets (id)
);
CREATE INDEX appointment_events_appointment_idx ON appointment_events (appointment_id, at);
