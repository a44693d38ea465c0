DROP INDEX idempotency_keys_case_idx;
