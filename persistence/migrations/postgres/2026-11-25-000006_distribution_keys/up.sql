-- Ready for Citus (docs/SCALING.md): every table with a row per case carries the case's
-- region, and its keys and references between them begin with it, so that the case tables
-- can be distributed by region and co-located. Lookups by id alone keep an index.

ALTER TABLE case_events ADD COLUMN region TEXT;
UPDATE case_events e SET region = c.region FROM cases c WHERE c.id = e.case_id;
ALTER TABLE case_events ALTER COLUMN region SET NOT NULL;

ALTER TABLE ratings ADD COLUMN region TEXT;
UPDATE ratings r SET region = c.region FROM cases c WHERE c.id = r.case_id;
ALTER TABLE ratings ALTER COLUMN region SET NOT NULL;

ALTER TABLE idempotency_keys ADD COLUMN region TEXT;
UPDATE idempotency_keys k SET region = c.region FROM cases c WHERE c.id = k.case_id;
ALTER TABLE idempotency_keys ALTER COLUMN region SET NOT NULL;

ALTER TABLE case_events DROP CONSTRAINT case_events_case_id_fkey;
ALTER TABLE ratings DROP CONSTRAINT ratings_case_id_fkey;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_case_id_fkey;

ALTER TABLE cases DROP CONSTRAINT cases_pkey;
ALTER TABLE cases ADD CONSTRAINT cases_pkey PRIMARY KEY (region, id);
ALTER TABLE cases DROP CONSTRAINT cases_case_no_unique;
ALTER TABLE cases ADD CONSTRAINT cases_case_no_unique UNIQUE (region, case_no);
CREATE INDEX cases_id_idx ON cases (id);

ALTER TABLE case_events DROP CONSTRAINT case_events_pkey;
ALTER TABLE case_events ADD CONSTRAINT case_events_pkey PRIMARY KEY (region, id);
ALTER TABLE case_events DROP CONSTRAINT case_events_seq_unique;
-- Two writers of the same version cannot both append.
ALTER TABLE case_events ADD CONSTRAINT case_events_seq_unique UNIQUE (region, case_id, seq);
ALTER TABLE case_events ADD CONSTRAINT case_events_case_fkey
    FOREIGN KEY (region, case_id) REFERENCES cases (region, id);
CREATE INDEX case_events_case_idx ON case_events (case_id, seq);

ALTER TABLE ratings DROP CONSTRAINT ratings_pkey;
ALTER TABLE ratings ADD CONSTRAINT ratings_pkey PRIMARY KEY (region, id);
ALTER TABLE ratings DROP CONSTRAINT ratings_case_unique;
ALTER TABLE ratings ADD CONSTRAINT ratings_case_unique UNIQUE (region, case_id);
ALTER TABLE ratings ADD CONSTRAINT ratings_case_fkey
    FOREIGN KEY (region, case_id) REFERENCES cases (region, id);
CREATE INDEX ratings_id_idx ON ratings (id);
CREATE INDEX ratings_case_idx ON ratings (case_id);

ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (region, user_id, key);
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_case_fkey
    FOREIGN KEY (region, case_id) REFERENCES cases (region, id);
CREATE INDEX idempotency_keys_user_key_idx ON idempotency_keys (user_id, key);
