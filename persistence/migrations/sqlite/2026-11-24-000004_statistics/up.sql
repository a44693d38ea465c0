-- Statistics as deltas: every event adds signed counts keyed by the case's receipt date and
-- the date the change takes effect, per receiving centre, window, item, department and
-- clerk. Figures for a period "as of" a date are sums over this table (see domain::stats).
CREATE TABLE case_stats (
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
    PRIMARY KEY (received_on, effective_on, center_id, window_id, item_id, department_id, clerk_id)
);
