DROP TABLE idempotency_keys;
DROP TABLE case_sequences;
DROP TABLE case_events;
DROP TABLE cases;
