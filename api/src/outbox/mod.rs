//! Delivering the outbox: the dispatcher's workers, one module per channel (webhooks, the
//! SMS gateway, the provincial exchange), the Standard Webhooks signature and the check of
//! subscriber addresses.

pub mod address;
pub mod dispatcher;
pub mod exchange;
pub mod signature;
pub mod sms;
pub mod webhook;

use std::time::Duration;

/// How the outbox delivers.
#[derive(Debug, Clone, Copy)]
pub struct OutboxSettings {
    /// Attempts before a message is parked dead.
    pub max_attempts: u32,
    /// The delay after the first failure; doubled after each next one.
    pub retry_base: chrono::TimeDelta,
    /// How long a subscriber has to answer.
    pub timeout: Duration,
    /// Whether subscribers may be at private, loopback or link-local addresses.
    pub allow_private: bool,
    /// Worker threads of the dispatcher; 0 runs none.
    pub workers: usize,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            retry_base: chrono::TimeDelta::seconds(10),
            timeout: Duration::from_secs(10),
            allow_private: false,
            workers: 4,
        }
    }
}

/// How long the signing secret before a rotation keeps signing too.
pub const ROTATION_OVERLAP: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// The most of a subscriber's answer or error kept in the attempt's log.
const ERROR_CHARS: usize = 500;

/// What one delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The receiver's HTTP status, if one answered.
    pub status_code: Option<u16>,
    /// Why it failed; `None` when the receiver took it.
    pub error: Option<String>,
}

impl Attempt {
    /// A failure, with the receiver's status if it answered.
    pub fn failed(status_code: Option<u16>, error: String) -> Self {
        Self {
            status_code,
            error: Some(error.chars().take(ERROR_CHARS).collect()),
        }
    }

    /// The attempt an HTTP exchange came to: taken on 2xx, else failed with the status and
    /// the start of the answer.
    pub fn of(sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Self {
        match sent {
            Ok(response) if response.status().is_success() => Self {
                status_code: Some(response.status().as_u16()),
                error: None,
            },
            Ok(mut response) => {
                let status = response.status().as_u16();
                let text = response
                    .body_mut()
                    .with_config()
                    .limit(4096)
                    .read_to_string()
                    .unwrap_or_default();
                Self::failed(
                    Some(status),
                    format!("the subscriber answered {status}: {text}"),
                )
            }
            Err(error) => Self::failed(None, error.to_string()),
        }
    }
}
