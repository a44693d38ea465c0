DROP INDEX idempotency_keys_user_key_idx;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_case_fkey;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (user_id, key);

DROP INDEX ratings_case_idx;
DROP INDEX ratings_id_idx;
ALTER TABLE ratings DROP CONSTRAINT ratings_case_fkey;
ALTER TABLE ratings DROP CONSTRAINT ratings_case_unique;
ALTER TABLE ratings ADD CONSTRAINT ratings_case_unique UNIQUE (case_id);
ALTER TABLE ratings DROP CONSTRAINT ratings_pkey;
ALTER TABLE ratings ADD CONSTRAINT ratings_pkey PRIMARY KEY (id);

DROP INDEX case_events_case_idx;
ALTER TABLE case_events DROP CONSTRAINT case_events_case_fkey;
ALTER TABLE case_events DROP CONSTRAINT case_events_seq_unique;
ALTER TABLE case_events ADD CONSTRAINT case_events_seq_unique UNIQUE (case_id, seq);
ALTER TABLE case_events DROP CONSTRAINT case_events_pkey;
ALTER TABLE case_events ADD CONSTRAINT case_events_pkey PRIMARY KEY (id);

DROP INDEX cases_id_idx;
ALTER TABLE cases DROP CONSTRAINT cases_case_no_unique;
ALTER TABLE cases ADD CONSTRAINT cases_case_no_unique UNIQUE (case_no);
ALTER TABLE cases DROP CONSTRAINT cases_pkey;
ALTER TABLE cases ADD CONSTRAINT cases_pkey PRIMARY KEY (id);

ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_case_id_fkey FOREIGN KEY (case_id) REFERENCES cases (id);
ALTER TABLE ratings ADD CONSTRAINT ratings_case_id_fkey FOREIGN KEY (case_id) REFERENCES cases (id);
ALTER TABLE case_events ADD CONSTRAINT case_events_case_id_fkey FOREIGN KEY (case_id) REFERENCES cases (id);

ALTER TABLE idempotency_keys DROP COLUMN region;
ALTER TABLE ratings DROP COLUMN region;
ALTER TABLE case_events DROP COLUMN region;
