//! Prometheus metrics of one process: requests by route and status with latency histograms,
//! database pool use, cases accepted and completed, the outbox. `GET /metrics` renders them as
//! text.

use std::time::Duration;

use actix_web::{HttpResponse, get, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

use crate::state::AppState;

/// The process's metrics.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
    pool_max: IntGauge,
    /// Cases accepted or refused at intake by this process.
    pub cases_received: IntCounter,
    /// Cases completed through this process.
    pub cases_completed: IntCounter,
    /// 1 while the kiosk's and statistics' reads go to the primary because the read replica
    /// does not answer.
    pub read_replica_fallback: IntGauge,
    /// 1 while a year's national holiday notice is awaited: this year's is not loaded, or
    /// from 1 November next year's (deadlines counting it are provisional).
    pub calendar_next_year_provisional: IntGauge,
    /// Outbox messages delivered by this process.
    pub outbox_delivered: IntCounter,
    /// Failed delivery attempts of this process that will be tried again.
    pub outbox_retried: IntCounter,
    /// Messages this process parked dead after their last attempt.
    pub outbox_dead: IntCounter,
    outbox_queued_now: IntGauge,
    outbox_dead_now: IntGauge,
    outbox_oldest_age: IntGauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric at zero.
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "hall_http_requests_total",
                "HTTP requests answered, by route pattern, method and status",
            ),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "hall_http_request_duration_seconds",
                "Time to answer, by route pattern and method",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["route", "method"],
        )
        .expect("valid metric");
        let pool_connections =
            IntGauge::new("hall_db_pool_connections", "Database connections open")
                .expect("valid metric");
        let pool_idle = IntGauge::new(
            "hall_db_pool_idle_connections",
            "Database connections open and idle",
        )
        .expect("valid metric");
        let pool_max = IntGauge::new(
            "hall_db_pool_max_connections",
            "The most connections the pool keeps",
        )
        .expect("valid metric");
        let cases_received = IntCounter::new(
            "hall_cases_received_total",
            "Cases received (accepted or refused at intake)",
        )
        .expect("valid metric");
        let cases_completed =
            IntCounter::new("hall_cases_completed_total", "Cases completed").expect("valid metric");
        let read_replica_fallback = IntGauge::new(
            "hall_read_replica_fallback",
            "1 while kiosk and statistics reads go to the primary because the read replica does not answer",
        )
        .expect("valid metric");
        let calendar_next_year_provisional = IntGauge::new(
            "hall_calendar_next_year_provisional",
            "1 while this year's national holiday notice, or from 1 November next year's, is not loaded",
        )
        .expect("valid metric");
        let counter = |name: &str, help: &str| IntCounter::new(name, help).expect("valid metric");
        let gauge = |name: &str, help: &str| IntGauge::new(name, help).expect("valid metric");
        let outbox_delivered = counter(
            "hall_outbox_delivered_total",
            "Outbox messages delivered by this process",
        );
        let outbox_retried = counter(
            "hall_outbox_retried_total",
            "Failed webhook deliveries of this process that will be tried again",
        );
        let outbox_dead = counter(
            "hall_outbox_dead_total",
            "Outbox messages this process parked dead after their last attempt",
        );
        let outbox_queued_now = gauge(
            "hall_outbox_queued",
            "Outbox messages waiting to be delivered",
        );
        let outbox_dead_now = gauge(
            "hall_outbox_dead",
            "Outbox messages parked dead, awaiting a replay",
        );
        let outbox_oldest_age = gauge(
            "hall_outbox_oldest_age_seconds",
            "Age of the oldest outbox message waiting, in seconds (0 when none waits)",
        );
        for metric in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(pool_connections.clone()),
            Box::new(pool_idle.clone()),
            Box::new(pool_max.clone()),
            Box::new(cases_received.clone()),
            Box::new(cases_completed.clone()),
            Box::new(read_replica_fallback.clone()),
            Box::new(calendar_next_year_provisional.clone()),
            Box::new(outbox_delivered.clone()),
            Box::new(outbox_retried.clone()),
            Box::new(outbox_dead.clone()),
            Box::new(outbox_queued_now.clone()),
            Box::new(outbox_dead_now.clone()),
            Box::new(outbox_oldest_age.clone()),
        ] {
            registry
                .register(metric)
                .expect("each metric registered once");
        }
        Self {
            registry,
            requests,
            latency,
            pool_connections,
            pool_idle,
            pool_max,
            cases_received,
            cases_completed,
            read_replica_fallback,
            calendar_next_year_provisional,
            outbox_delivered,
            outbox_retried,
            outbox_dead,
            outbox_queued_now,
            outbox_dead_now,
            outbox_oldest_age,
        }
    }

    /// Sets the outbox's gauges from storage's figures at `now`.
    pub fn set_outbox(
        &self,
        counts: domain::outbox::OutboxCounts,
        now: chrono::DateTime<chrono::Utc>,
    ) {
        self.outbox_queued_now
            .set(i64::try_from(counts.queued).unwrap_or(i64::MAX));
        self.outbox_dead_now
            .set(i64::try_from(counts.dead).unwrap_or(i64::MAX));
        self.outbox_oldest_age.set(
            counts
                .oldest_queued_at
                .map_or(0, |oldest| (now - oldest).num_seconds().max(0)),
        );
    }

    /// Counts one answered request. `route` must be a registered pattern or [`NO_ROUTE`]
    /// (never the path itself); the method is cut down to [`method_label`]: every label
    /// value comes from a closed set, so no client can add series.
    pub fn observe(&self, route: &str, method: &str, status: u16, took: Duration) {
        let method = method_label(method);
        self.requests
            // A status is one of at most 900 codes (100–999), of which the app answers a few.
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[route, method])
            .observe(took.as_secs_f64());
    }
}

/// The route label of every request no route matched, whatever its path.
pub const NO_ROUTE: &str = "(no route)";

/// The method as a label: one of the standard methods, else `OTHER`. Any token is a valid
/// HTTP method, and each distinct label value is a series kept for the life of the process.
pub fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
    ];
    KNOWN
        .into_iter()
        .find(|known| *known == method)
        .unwrap_or("OTHER")
}

/// The metrics in Prometheus text format (for scrapers; not under `/api/v1`).
#[utoipa::path(
    tag = "health", operation_id = "get_metrics",
    responses((status = 200, description = "Prometheus text exposition format", body = String, content_type = "text/plain"))
)]
#[get("/metrics")]
pub async fn get_metrics(state: web::Data<AppState>) -> HttpResponse {
    let metrics = &state.metrics;
    let (open, idle) = state.store.pool_use();
    metrics.pool_connections.set(i64::from(open));
    metrics.pool_idle.set(i64::from(idle));
    metrics.pool_max.set(i64::from(state.store.pool_size()));
    metrics
        .read_replica_fallback
        .set(i64::from(state.replica.is_falling_back()));
    // The outbox's figures are the database's, shared by every process; a scrape while the
    // database does not answer keeps the last ones.
    let now = state.now().at;
    match state
        .read(|conn| Ok(domain::outbox::OutboxRepository::outbox_counts(conn)?))
        .await
    {
        Ok(counts) => metrics.set_outbox(counts, now),
        Err(error) => tracing::debug!(%error, "metrics: cannot read the outbox's figures"),
    }
    let mut text = Vec::new();
    let encoder = TextEncoder::new();
    if let Err(error) = encoder.encode(&metrics.registry.gather(), &mut text) {
        tracing::error!(%error, "cannot encode the metrics");
        return HttpResponse::InternalServerError().finish();
    }
    HttpResponse::Ok()
        .content_type(encoder.format_type())
        .body(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_share_one_label_and_add_no_series() {
        assert_eq!(method_label("GET"), "GET");
        assert_eq!(method_label("DELETE"), "DELETE");
        assert_eq!(method_label("get"), "OTHER");
        assert_eq!(method_label(&"X".repeat(30_000)), "OTHER");
        let metrics = Metrics::new();
        for i in 0..100 {
            metrics.observe(NO_ROUTE, &format!("M{i}"), 404, Duration::ZERO);
        }
        assert_eq!(
            metrics
                .requests
                .with_label_values(&[NO_ROUTE, "OTHER", "404"])
                .get(),
            100
        );
        let families = metrics.registry.gather();
        let requests = families
            .iter()
            .find(|f| f.name() == "hall_http_requests_total")
            .expect("the requests family");
        assert_eq!(requests.get_metric().len(), 1);
    }
}
