//! Caps on the display streams one process holds open: per client address, so that one
//! client cannot take every connection, and in all, so that the other requests keep theirs.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::problem::ApiError;

/// Seconds a client over its share is told to wait: a screen's stream ends only when the
/// screen goes away, so there is no point in trying again at once.
const RETRY_AFTER: u64 = 10;

/// How long a stream lasts when nothing says otherwise: see [`StreamGate::lasting`].
const LIFETIME: Duration = Duration::from_secs(3600);

/// How many streams may be open, and how many are; and how long each may last.
#[derive(Debug, Clone)]
pub struct StreamGate {
    total: usize,
    per_client: usize,
    lifetime: Duration,
    held: Arc<Mutex<Held>>,
}

#[derive(Debug, Default)]
struct Held {
    total: usize,
    by_client: HashMap<IpAddr, usize>,
}

/// One open stream, counted until it is dropped with the stream.
#[derive(Debug)]
pub struct StreamPermit {
    held: Arc<Mutex<Held>>,
    client: IpAddr,
}

fn lock(held: &Mutex<Held>) -> MutexGuard<'_, Held> {
    // A panic while holding the lock leaves counts that are still whole.
    held.lock().unwrap_or_else(PoisonError::into_inner)
}

impl StreamGate {
    /// At most `total` streams, and `per_client` for one client key (both at least 1).
    pub fn new(total: usize, per_client: usize) -> Self {
        Self {
            total: total.max(1),
            per_client: per_client.max(1),
            lifetime: LIFETIME,
            held: Arc::default(),
        }
    }

    /// Streams end after `lifetime` (at least a second), and the screen's `EventSource`
    /// reconnects with `Last-Event-ID`, missing nothing: so that a half-open connection is
    /// not held for ever, and the streams spread again over the processes behind a balancer
    /// after one restarts.
    pub fn lasting(self, lifetime: Duration) -> Self {
        Self {
            lifetime: lifetime.max(Duration::from_secs(1)),
            ..self
        }
    }

    /// How long a stream may last.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// Counts a stream for `client` (its limiter key), or answers 429 when the client holds
    /// its share already and 503 when the process holds as many as it may.
    pub fn admit(&self, client: IpAddr) -> Result<StreamPermit, ApiError> {
        let mut held = lock(&self.held);
        let mine = held.by_client.get(&client).copied().unwrap_or(0);
        if mine >= self.per_client {
            return Err(ApiError::RateLimited {
                retry_after: RETRY_AFTER,
            });
        }
        if held.total >= self.total {
            return Err(ApiError::Overloaded);
        }
        held.total += 1;
        *held.by_client.entry(client).or_default() += 1;
        Ok(StreamPermit {
            held: self.held.clone(),
            client,
        })
    }

    /// Streams open now.
    pub fn open(&self) -> usize {
        lock(&self.held).total
    }
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        let mut held = lock(&self.held);
        held.total = held.total.saturating_sub(1);
        if let Some(mine) = held.by_client.get_mut(&self.client) {
            *mine = mine.saturating_sub(1);
            if *mine == 0 {
                held.by_client.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_share_and_the_process_its_total() {
        let gate = StreamGate::new(3, 2);
        let a: IpAddr = "198.51.100.1".parse().expect("ip");
        let b: IpAddr = "198.51.100.2".parse().expect("ip");
        let first = gate.admit(a).expect("first");
        let _second = gate.admit(a).expect("second");
        assert!(matches!(gate.admit(a), Err(ApiError::RateLimited { .. })));
        let _third = gate.admit(b).expect("another client");
        assert!(matches!(gate.admit(b), Err(ApiError::Overloaded)));
        drop(first);
        assert_eq!(gate.open(), 2);
        assert!(gate.admit(a).is_ok(), "a closed stream frees its place");
    }
}
