//! Where the reads that tolerate lag (the kiosk's and the statistics') go: a streaming
//! replica while it answers, the primary while it does not.
//!
//! A replica that is down must not cost every read its pool's timeout, so the first read
//! that finds it down opens a circuit: reads go straight to the primary, and one read every
//! `retry` asks the replica again; the first that gets an answer closes the circuit.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use domain::repository::RepositoryError;

use crate::connection::AnyConnection;
use crate::store::Store;

/// The primary, and the replica that takes the lag-tolerant reads when there is one.
#[derive(Debug, Clone)]
pub struct ReadRouter {
    primary: Store,
    replica: Option<Store>,
    retry: Duration,
    circuit: Arc<Mutex<Circuit>>,
}

impl From<Store> for ReadRouter {
    /// No replica: every read goes to the primary.
    fn from(primary: Store) -> Self {
        Self::new(primary, None, Duration::from_secs(5))
    }
}

/// Why one attempt on the replica did not give the read's own answer.
enum Attempt<E> {
    /// The replica answered; the read failed on its own terms (not found, invalid …).
    Failed(E),
    /// No connection, or the connection died under the read.
    Lost(String),
}

impl<E> From<RepositoryError> for Attempt<E> {
    fn from(error: RepositoryError) -> Self {
        Self::Lost(error.to_string())
    }
}

impl ReadRouter {
    /// Routes to `replica` when given, asking it again every `retry` while it is down.
    pub fn new(primary: Store, replica: Option<Store>, retry: Duration) -> Self {
        Self {
            primary,
            replica,
            retry,
            circuit: Arc::default(),
        }
    }

    /// Whether reads meant for the replica go to the primary now because it did not answer.
    pub fn is_falling_back(&self) -> bool {
        self.replica.is_some() && self.lock().is_open()
    }

    /// Runs `work` on the replica, or on the primary when there is none or it is down.
    /// `work` is cloned before it runs on the replica, so that a read whose connection
    /// dies under it runs again on the primary instead of failing.
    pub fn read<T, E, F>(&self, work: F) -> Result<T, E>
    where
        E: From<RepositoryError>,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Clone,
    {
        let Some(replica) = &self.replica else {
            return self.primary.read(work);
        };
        if !self.lock().should_try(Instant::now(), self.retry) {
            return self.primary.read(work);
        }
        let again = work.clone();
        match replica.read(|conn| attempt(conn, work)) {
            Ok(value) => {
                self.answered();
                Ok(value)
            }
            Err(Attempt::Failed(error)) => {
                self.answered();
                Err(error)
            }
            Err(Attempt::Lost(reason)) => {
                if self.lock().failed(Instant::now(), self.retry) {
                    tracing::warn!(
                        replica = %replica.url(),
                        %reason,
                        retry_seconds = self.retry.as_secs_f64(),
                        "the read replica does not answer: kiosk and statistics reads go to the primary until it does"
                    );
                }
                self.primary.read(again)
            }
        }
    }

    fn answered(&self) {
        if self.lock().answered() {
            tracing::warn!(
                "the read replica answers again: kiosk and statistics reads go back to it"
            );
        }
    }

    fn lock(&self) -> MutexGuard<'_, Circuit> {
        // The circuit is two fields always written together: a panic cannot leave it torn.
        self.circuit.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Runs the read, telling a failure of the read from a connection that died under it: after
/// a failure, a connection that no longer answers `SELECT 1` means the replica went away.
fn attempt<T, E>(
    conn: &mut AnyConnection,
    work: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
) -> Result<T, Attempt<E>> {
    match work(conn) {
        Ok(value) => Ok(value),
        Err(error) => match conn.batch_execute("SELECT 1") {
            Ok(()) => Err(Attempt::Failed(error)),
            Err(lost) => Err(Attempt::Lost(lost.to_string())),
        },
    }
}

/// The replica's health as this process last saw it.
#[derive(Debug, Default)]
struct Circuit {
    /// While the replica is down: when to ask it again.
    retry_at: Option<Instant>,
}

impl Circuit {
    fn is_open(&self) -> bool {
        self.retry_at.is_some()
    }

    /// Whether a read at `now` asks the replica. When it is down and a retry is due, this
    /// read asks; the next retry moves on so that the reads meanwhile keep to the primary.
    fn should_try(&mut self, now: Instant, retry: Duration) -> bool {
        match self.retry_at {
            None => true,
            Some(at) if now >= at => {
                self.retry_at = Some(now + retry);
                true
            }
            Some(_) => false,
        }
    }

    /// The replica did not answer; true when it had been answering until now.
    fn failed(&mut self, now: Instant, retry: Duration) -> bool {
        self.retry_at.replace(now + retry).is_none()
    }

    /// The replica answered; true when it had been down until now.
    fn answered(&mut self) -> bool {
        self.retry_at.take().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DatabaseUrl, StoreOptions};

    #[test]
    fn a_replica_that_is_down_is_asked_again_once_per_retry_interval() {
        let retry = Duration::from_secs(5);
        let start = Instant::now();
        let mut circuit = Circuit::default();
        assert!(circuit.should_try(start, retry), "closed: ask the replica");
        assert!(circuit.failed(start, retry), "first failure opens it");
        assert!(!circuit.failed(start, retry), "a second failure is no news");
        assert!(circuit.is_open());
        assert!(!circuit.should_try(start + Duration::from_secs(4), retry));
        assert!(
            circuit.should_try(start + Duration::from_secs(5), retry),
            "probe"
        );
        assert!(
            !circuit.should_try(start + Duration::from_secs(6), retry),
            "one probe at a time"
        );
        assert!(circuit.should_try(start + Duration::from_secs(10), retry));
        assert!(circuit.answered(), "the probe closes it");
        assert!(!circuit.is_open());
        assert!(!circuit.answered());
        assert!(circuit.should_try(start + Duration::from_secs(11), retry));
    }

    fn store(url: &str) -> Store {
        let options = StoreOptions {
            max_connections: 2,
            connection_timeout: Duration::from_millis(300),
            ..StoreOptions::default()
        };
        Store::open(DatabaseUrl::parse(url).expect("valid URL"), &options)
    }

    #[test]
    fn reads_fall_back_to_the_primary_while_the_replica_cannot_be_opened() {
        let folder = std::env::temp_dir().join(format!("hall-replica-{}", std::process::id()));
        std::fs::create_dir_all(&folder).expect("folder");
        let primary = store(&format!("sqlite://{}/primary.db", folder.display()));
        // A file in a folder that does not exist cannot be opened.
        let missing = store(&format!("sqlite://{}/missing/replica.db", folder.display()));
        let router = ReadRouter::new(primary, Some(missing), Duration::from_secs(60));
        let answer = |conn: &mut AnyConnection| {
            conn.batch_execute("SELECT 1")
                .map_err(|e| RepositoryError::Internal(e.to_string()))
                .map(|()| "from the primary")
        };
        assert!(!router.is_falling_back());
        assert_eq!(router.read(answer), Ok("from the primary"));
        assert!(router.is_falling_back());
        // The circuit is open: the next read does not wait for the replica's pool.
        let started = Instant::now();
        assert_eq!(router.read(answer), Ok("from the primary"));
        assert!(started.elapsed() < Duration::from_millis(300));
        std::fs::remove_dir_all(folder).expect("clean up");
    }
}
