//! The dispatcher: worker threads in each `hall` process that claim due outbox messages,
//! POST them signed to their subscribers, and log each attempt. A request that makes an
//! event only writes rows; delivery happens here, later, at least once.
//!
//! A claim is a lease (the delivery timeout plus a margin): a process killed mid-delivery
//! leaves its messages to be claimed again once the lease passes, with the same
//! `webhook-id`. On PostgreSQL claims skip rows another process is claiming (SKIP LOCKED),
//! and a webhook with a message in flight gets no second one, so a slow subscriber holds one
//! worker, never all of them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use domain::clock::stored_moment;
use domain::ids::DeliveryId;
use domain::outbox::{Channel, Delivery, OutboxRepository, Outcome, after_failure};
use domain::repository::RepositoryError;

use super::{Attempt, address, exchange, sms, webhook};
use crate::state::AppState;

/// How long an idle worker waits before looking for due messages again.
const POLL: Duration = Duration::from_millis(250);
/// What a lease adds to the delivery timeout.
const LEASE_MARGIN: chrono::TimeDelta = chrono::TimeDelta::seconds(5);

/// Stops the dispatcher's workers when dropped (they finish the delivery in hand).
#[derive(Debug)]
pub struct Dispatcher {
    stop: Arc<AtomicBool>,
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Starts the workers; they run until the returned guard is dropped.
pub fn spawn(state: AppState) -> Dispatcher {
    let stop = Arc::new(AtomicBool::new(false));
    let settings = state.settings.outbox;
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(settings.timeout))
        .http_status_as_error(false)
        // A redirect could lead to an address the check refused.
        .max_redirects(0)
        .user_agent("service-hall-webhooks")
        .build();
    let agent = if settings.allow_private {
        ureq::Agent::new_with_config(config)
    } else {
        ureq::Agent::with_parts(
            config,
            ureq::unversioned::transport::DefaultConnector::new(),
            address::PublicResolver::default(),
        )
    };
    for worker in 0..settings.workers {
        let (state, stop, agent) = (state.clone(), stop.clone(), agent.clone());
        let started = std::thread::Builder::new()
            .name(format!("outbox-{worker}"))
            .spawn(move || run(&state, &agent, &stop));
        if let Err(error) = started {
            tracing::warn!(%error, "cannot start an outbox worker");
        }
    }
    Dispatcher { stop }
}

fn run(state: &AppState, agent: &ureq::Agent, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        match work_once(state, agent) {
            Ok(true) => {}
            Ok(false) => std::thread::sleep(POLL),
            Err(error) => {
                tracing::warn!(%error, "outbox: cannot claim or record a delivery");
                std::thread::sleep(POLL * 4);
            }
        }
    }
}

/// Claims one due message and delivers it; whether there was one.
pub fn work_once(state: &AppState, agent: &ureq::Agent) -> Result<bool, RepositoryError> {
    let settings = state.settings.outbox;
    let now = state.now().at;
    let lease = now
        + chrono::TimeDelta::from_std(settings.timeout).unwrap_or(chrono::TimeDelta::seconds(10))
        + LEASE_MARGIN;
    // Idle workers only read: on SQLite a claim takes the one write lock.
    if !state.store.read(|conn| conn.any_due(now))? {
        return Ok(false);
    }
    let claimed = state
        .store
        .transaction(|conn| conn.claim_due(now, lease, 1))?;
    let Some(message) = claimed.into_iter().next() else {
        return Ok(false);
    };
    let started = Instant::now();
    let at = state.now().at;
    let Attempt { status_code, error } = match message.channel {
        Channel::Webhook => webhook::post(agent, &message, &settings, at),
        Channel::Sms => sms::send(state, agent, &message, at),
        Channel::Exchange => exchange::report(state, agent, &message, at),
    };
    let delivery = Delivery {
        id: DeliveryId::new(),
        message_id: message.id,
        webhook_id: message.webhook_id,
        attempt: message.attempt,
        at,
        status_code,
        error: error.clone(),
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    let outcome = match error {
        None => Outcome::Delivered,
        Some(_) => after_failure(
            message.attempt,
            settings.max_attempts,
            stored_moment(Utc::now() + state.settings.clock_shift),
            settings.retry_base,
            rand::random::<f64>(),
        ),
    };
    state
        .store
        .transaction(|conn| conn.finish_attempt(&delivery, outcome))?;
    let metrics = &state.metrics;
    match outcome {
        Outcome::Delivered => metrics.outbox_delivered.inc(),
        Outcome::Retry(_) => metrics.outbox_retried.inc(),
        Outcome::Dead => {
            metrics.outbox_dead.inc();
            tracing::warn!(message = %message.id, webhook = %message.webhook_id, "outbox: a message is dead after its last attempt");
        }
    }
    Ok(true)
}
