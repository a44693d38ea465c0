//! Delivering to a webhook: the message POSTed with its Standard Webhooks signature.

use chrono::{DateTime, Utc};
use domain::outbox::Claimed;

use super::{Attempt, OutboxSettings, address, signature};

/// POSTs one message signed with the subscriber's secrets, after checking its address again
/// (the name may point elsewhere since it was registered).
pub fn post(
    agent: &ureq::Agent,
    message: &Claimed,
    settings: &OutboxSettings,
    at: DateTime<Utc>,
) -> Attempt {
    if let Err(refused) = address::check(&message.url, settings.allow_private) {
        return Attempt::failed(None, refused.to_string());
    }
    let id = message.id.to_string();
    let timestamp = at.timestamp();
    let signatures = signature::header(&message.secrets, &id, timestamp, &message.body);
    let sent = agent
        .post(&message.url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signatures)
        .send(message.body.as_bytes());
    Attempt::of(sent)
}
