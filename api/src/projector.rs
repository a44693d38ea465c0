//! The statistics projector: a thread in each `hall` process that folds the deltas events
//! leave pending into the statistics tables, in batches, each batch one transaction.
//! Acceptance then writes one row of deltas and locks no row other cases share; queries add
//! what is still pending, so the projector changes what an answer costs, never the answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use domain::repository::{RepositoryError, StatsProjector};

use crate::state::AppState;

/// How long the projector rests when it has caught up: queries read what it has not folded
/// yet from the pending rows, which this keeps to a few hundred at the busiest.
const REST: Duration = Duration::from_millis(200);
/// The most deltas folded in one transaction.
const BATCH: i64 = 2_000;

/// Stops the projector when dropped (it finishes the batch in hand).
#[derive(Debug)]
pub struct Projector {
    stop: Arc<AtomicBool>,
}

impl Drop for Projector {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Starts the projector; it runs until the returned guard is dropped.
pub fn spawn(state: AppState) -> Projector {
    let stop = Arc::new(AtomicBool::new(false));
    let running = stop.clone();
    let started = std::thread::Builder::new()
        .name("stats-projector".into())
        .spawn(move || {
            while !running.load(Ordering::Relaxed) {
                match fold_once(&state) {
                    // A full batch: more may be waiting.
                    Ok(folded) if folded as i64 == BATCH => {}
                    Ok(_) => std::thread::sleep(REST),
                    Err(error) => {
                        tracing::warn!(%error, "statistics: cannot fold pending deltas");
                        std::thread::sleep(REST * 10);
                    }
                }
            }
        });
    if let Err(error) = started {
        tracing::warn!(%error, "cannot start the statistics projector");
    }
    Projector { stop }
}

/// Folds one batch; how many deltas it held.
pub fn fold_once(state: &AppState) -> Result<usize, RepositoryError> {
    // Asked first by a plain read: on SQLite the fold's transaction takes the one write lock,
    // which every clerk's write would queue behind five times a second with nothing to fold.
    if !state.store.read(|conn| conn.stats_pending())? {
        return Ok(0);
    }
    state.store.transaction(|conn| conn.fold_stats(BATCH))
}
