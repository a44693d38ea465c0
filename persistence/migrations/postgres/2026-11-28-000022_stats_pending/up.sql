-- Statistics deltas not yet folded into case_stats and the rollups. An event's transaction
-- only appends its deltas here, one statement, and locks no row another case shares; the
-- projector moves them into the tables in batches, each batch in one transaction that
-- deletes what it adds, so every snapshot sees a delta exactly once. Queries add the rows
-- still here, so no answer is ever behind (docs/BENCHMARKS.md, issue 19).
CREATE TABLE stats_pending (
    id                 BIGSERIAL,
    region             TEXT NOT NULL,
    received_on        DATE NOT NULL,
    effective_on       DATE NOT NULL,
    center_id          TEXT NOT NULL,
    window_id          TEXT NOT NULL,
    item_id            TEXT NOT NULL,
    department_id      TEXT NOT NULL,
    clerk_id           TEXT NOT NULL,
    received           BIGINT NOT NULL,
    immediate          BIGINT NOT NULL,
    committed          BIGINT NOT NULL,
    not_accepted       BIGINT NOT NULL,
    completed          BIGINT NOT NULL,
    completed_on_time  BIGINT NOT NULL,
    withdrawn          BIGINT NOT NULL,
    overdue_open       BIGINT NOT NULL,
    rated              BIGINT NOT NULL,
    rating_sum         BIGINT NOT NULL,
    rated_poor         BIGINT NOT NULL,
    rated_1            BIGINT NOT NULL,
    rated_2            BIGINT NOT NULL,
    rated_3            BIGINT NOT NULL,
    rated_4            BIGINT NOT NULL,
    rated_5            BIGINT NOT NULL,
    -- Led by the region like every case table's key (docs/SCALING.md).
    PRIMARY KEY (region, id)
);
-- The projector takes the oldest first, whatever their region.
CREATE INDEX stats_pending_id_idx ON stats_pending (id);
