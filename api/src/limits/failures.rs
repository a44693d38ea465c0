//! An allowance of failures per key, charged only once a failure is known.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Keys a failure map holds at most. Beyond it new keys go untracked rather than grow
/// memory: the per-address buckets still hold then.
const MAX_FAILURE_KEYS: usize = 100_000;

/// An allowance of failures per key: `allowance` in any `window`, one coming back every
/// `window / allowance` (GCRA, like the buckets, but looked at before a failure is known
/// and charged only once it is).
#[derive(Debug)]
pub(super) struct Failures<K> {
    /// Time one failure takes from the allowance.
    cost: Duration,
    /// The window: how far ahead of now a key's debt may run.
    window: Duration,
    /// Per key, when its debt is paid off; keys whose debt is paid are dropped.
    debts: Mutex<HashMap<K, Instant>>,
}

impl<K: Hash + Eq> Failures<K> {
    pub(super) fn new(allowance: u32, window: Duration) -> Self {
        Self {
            cost: window / allowance.max(1),
            window,
            debts: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Instant>> {
        // A panic while holding the lock leaves a map that is still whole.
        self.debts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `None` while the key has failures left; else how long until it has one again.
    pub(super) fn refusal<Q>(&self, key: &Q, now: Instant) -> Option<Duration>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let paid_off = *self.lock().get(key)?;
        // Refused when one more failure would run the debt past the window.
        let free_at = paid_off.checked_sub(self.window - self.cost)?;
        (free_at > now).then(|| free_at - now)
    }

    /// Charges one failure. The debt never runs more than one window ahead, so a flood of
    /// failures cannot keep a key refused for longer than a window after it stops.
    pub(super) fn record(&self, key: K, now: Instant) {
        let mut debts = self.lock();
        if debts.len() >= MAX_FAILURE_KEYS && !debts.contains_key(&key) {
            debts.retain(|_, paid_off| *paid_off > now);
            if debts.len() >= MAX_FAILURE_KEYS {
                return;
            }
        }
        let debt = debts.entry(key).or_insert(now);
        *debt = ((*debt).max(now) + self.cost).min(now + self.window);
    }

    pub(super) fn prune(&self, now: Instant) {
        let mut debts = self.lock();
        debts.retain(|_, paid_off| *paid_off > now);
        debts.shrink_to_fit();
    }

    pub(super) fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_come_back_one_by_one_and_a_flood_does_not_outlast_the_window() {
        let failures = Failures::new(2, Duration::from_secs(60));
        let start = Instant::now();
        assert_eq!(failures.refusal("k", start), None);
        failures.record("k".to_owned(), start);
        assert_eq!(failures.refusal("k", start), None);
        failures.record("k".to_owned(), start);
        assert_eq!(failures.refusal("k", start), Some(Duration::from_secs(30)));
        for _ in 0..1000 {
            failures.record("k".to_owned(), start);
        }
        assert_eq!(failures.refusal("k", start), Some(Duration::from_secs(30)));
        assert_eq!(failures.refusal("k", start + Duration::from_secs(30)), None);
        failures.prune(start + Duration::from_secs(60));
        assert_eq!(failures.len(), 0);
    }
}
