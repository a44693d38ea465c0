//! Reporting to the provincial platform's exchange endpoint (docs/EXCHANGE.md): the report
//! POSTed as JSON, signed as webhooks are (`webhook-id`, `webhook-timestamp`,
//! `webhook-signature`) so that the platform can tell the hall's reports from anyone's, with
//! the `Authorization` header the platform may ask for.
//!
//! The endpoint comes from the operator's settings, not from an administrator through the
//! API, and provincial platforms are often reached over the government extranet (政务外网)
//! at private addresses: its address is not checked against private ranges.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::outbox::Claimed;

use super::{Attempt, signature};
use crate::state::AppState;

/// What the exchange's deliveries need beyond the subscriber's row.
#[derive(Debug, Clone, Default)]
pub struct ExchangeSettings {
    /// The `Authorization` header value (`HALL_EXCHANGE_AUTHORIZATION`).
    pub authorization: Option<Arc<str>>,
}

impl ExchangeSettings {
    /// The settings of `config`.
    pub fn of(config: &crate::config::Config) -> Self {
        Self {
            authorization: config
                .exchange_authorization
                .as_deref()
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(Arc::from),
        }
    }
}

/// Sends one report to the exchange.
pub fn report(
    state: &AppState,
    agent: &ureq::Agent,
    message: &Claimed,
    at: DateTime<Utc>,
) -> Attempt {
    let id = message.id.to_string();
    let timestamp = at.timestamp();
    let signatures = signature::header(&message.secrets, &id, timestamp, &message.body);
    let mut request = agent
        .post(&message.url)
        .header("content-type", "application/json; charset=utf-8")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signatures);
    if let Some(authorization) = &state.exchange.authorization {
        request = request.header("authorization", authorization.as_ref());
    }
    Attempt::of(request.send(message.body.as_bytes()))
}
