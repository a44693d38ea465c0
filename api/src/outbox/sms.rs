//! Texting an applicant through the SMS gateway.

use chrono::{DateTime, Utc};
use domain::outbox::Claimed;

use super::Attempt;
use crate::state::AppState;

/// Sends one message's text to the gateway.
pub fn send(
    _state: &AppState,
    _agent: &ureq::Agent,
    _message: &Claimed,
    _at: DateTime<Utc>,
) -> Attempt {
    // TODO(#17.3): the gateway adapter. No SMS subscriber is registered until it exists.
    Attempt::failed(None, "the SMS gateway is not configured".into())
}
