//! Reporting to the provincial platform's exchange endpoint.

use chrono::{DateTime, Utc};
use domain::outbox::Claimed;

use super::Attempt;
use crate::state::AppState;

/// Sends one report to the exchange.
pub fn report(
    state: &AppState,
    agent: &ureq::Agent,
    message: &Claimed,
    at: DateTime<Utc>,
) -> Attempt {
    // TODO(#17.4): the exchange's own headers. No exchange subscriber is registered until then.
    super::webhook::post(agent, message, &state.settings.outbox, at)
}
