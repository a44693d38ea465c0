-- Idempotency keys expire (HALL_IDEMPOTENCY_TTL_SECONDS): intake prunes the expired ones a
-- bounded slice at a time, oldest first, which this index finds without a scan.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
