//! Delivering the outbox: the dispatcher's workers, the Standard Webhooks signature and the
//! check of subscriber addresses.

pub mod address;
pub mod dispatcher;
pub mod signature;

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
