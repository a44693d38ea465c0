//! Argon2id password hashes in PHC format. Hashing is slow on purpose: handlers run it
//! through a [`HashGate`], never on the async executor nor on the threads database work
//! shares; the commands outside a server call these directly.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;
use rand::distr::Alphanumeric;

use crate::problem::ApiError;

/// Argon2id with 46 MiB and one pass, one of OWASP's recommended settings. The size also
/// keeps memory use flat: glibc raises its threshold for mapping large blocks up to 32 MiB
/// after freeing one, and then keeps freed blocks below it resident in every thread's arena
/// (a 19 MiB setting cost ~100 MiB under load); a block above it is always mapped and
/// returned on free.
fn argon2() -> Argon2<'static> {
    let params = Params::new(47_104, 1, 1, None).unwrap_or(Params::DEFAULT);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with Argon2id and a random salt.
pub fn hash(password: &str) -> Result<String, String> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether `password` matches the stored hash (with the parameters the hash names); a
/// malformed hash matches nothing.
pub fn verify(password: &str, hash: &str) -> bool {
    argon2().verify_password(password.as_bytes(), hash).is_ok()
}

/// A hash of a random password, verified against when a username is unknown, so a guess
/// at a username takes as long as a guess at a password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash(&random_password()).unwrap_or_default())
}

/// A random password of 20 letters and digits.
pub fn random_password() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

/// One piece of hashing work, with the way back to whoever waits for it.
type Job = Box<dyn FnOnce() + Send>;

/// Threads of their own for password hashing, a fixed number of them, and a bounded queue
/// in front. Each hash takes 46 MiB and tens of milliseconds: run on the blocking pool that
/// database work uses, a flood of guesses made every query wait behind it and memory grow
/// with the flood. Here at most `workers` hashes run at once, at most `queue` more wait,
/// and anything beyond is refused at once with 503 and `Retry-After`.
#[derive(Clone)]
pub struct HashGate {
    jobs: SyncSender<Job>,
}

impl std::fmt::Debug for HashGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashGate").finish_non_exhaustive()
    }
}

impl HashGate {
    /// Starts `workers` hashing threads (at least one) behind a queue of `queue` jobs.
    pub fn new(workers: usize, queue: usize) -> Self {
        let (jobs, receiver) = std::sync::mpsc::sync_channel::<Job>(queue);
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..workers.max(1) {
            let receiver = receiver.clone();
            let started = std::thread::Builder::new()
                .name(format!("hall-hash-{n}"))
                .spawn(move || work(&receiver));
            if let Err(error) = started {
                tracing::error!(%error, "cannot start a password hashing thread");
            }
        }
        Self { jobs }
    }

    /// Runs `work` on a hashing thread. The job is queued (or refused) when this is called,
    /// not when the future is first polled.
    pub fn run<T, F>(&self, work: F) -> impl Future<Output = Result<T, ApiError>> + use<T, F>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // The waiter may be gone (the client hung up): then the result has no reader.
            let _ = sender.send(work());
        });
        let queued = match self.jobs.try_send(job) {
            Ok(()) => Ok(receiver),
            Err(TrySendError::Full(_)) => Err(ApiError::Overloaded),
            Err(TrySendError::Disconnected(_)) => {
                Err(ApiError::Internal("no password hashing thread runs".into()))
            }
        };
        async move {
            queued?
                .await
                .map_err(|_| ApiError::Internal("password hashing failed".into()))
        }
    }
}

/// A hashing thread: takes jobs until every sender is gone.
fn work(jobs: &Mutex<Receiver<Job>>) {
    loop {
        let job = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(job) = job else { return };
        // A panicking job drops its sender (its waiter gets an error); the thread lives on.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
    }
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError;

    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_nothing_else() {
        let hashed = hash("correct horse battery").expect("hash");
        assert!(
            hashed.starts_with("$argon2id$v=19$m=47104,t=1,p=1$"),
            "{hashed}"
        );
        assert!(verify("correct horse battery", &hashed));
        assert!(!verify("wrong horse battery", &hashed));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn more_hashes_than_threads_all_finish_correctly() {
        let gate = HashGate::new(2, 16);
        let hashed = hash("correct horse battery").expect("hash");
        let results = actix_web::rt::System::new().block_on(async {
            let checks: Vec<_> = (0..6)
                .map(|n| {
                    let hashed = hashed.clone();
                    let guess = if n % 2 == 0 {
                        "correct horse battery"
                    } else {
                        "wrong"
                    };
                    gate.run(move || verify(guess, &hashed))
                })
                .collect();
            let mut results = Vec::new();
            for check in checks {
                results.push(check.await.expect("hashed"));
            }
            results
        });
        assert_eq!(results, [true, false, true, false, true, false]);
    }

    #[test]
    fn a_full_queue_is_refused_at_once_with_503_and_retry_after() {
        let gate = HashGate::new(1, 1);
        let (started, running) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let busy = gate.run(move || {
            started.send(()).expect("report");
            released.recv().expect("release")
        });
        running.recv().expect("the one thread is busy");
        let waiting = gate.run(|| 2);
        let refused = gate.run(|| 3);
        actix_web::rt::System::new().block_on(async {
            let error = refused.await.expect_err("the queue is full");
            let response = error.error_response();
            assert_eq!(response.status().as_u16(), 503);
            assert!(response.headers().contains_key("retry-after"));
            release.send(()).expect("release");
            busy.await.expect("the first job finishes");
            assert_eq!(waiting.await.expect("the queued job runs"), 2);
        });
    }
}
