//! The retention period of personal data: anonymising the applicants of long-closed cases,
//! on demand (`hall retention run`) and once a day in `serve`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::audit::{AuditAction, AuditEntry};
use domain::clock::stored_moment;
use domain::repository::{AuditRepository, RepositoryError};
use persistence::Store;

use crate::bootstrap::BATCH;

/// Anonymises the applicants of cases closed more than `years` ago as of `now`, in batches,
/// and records the run in the audit trail when it changed anything; returns how many.
/// Nothing happens when `years` is 0.
pub fn run(store: &Store, years: u32, now: DateTime<Utc>) -> Result<usize, RepositoryError> {
    let Some(before) = domain::retention::cutoff(now, years) else {
        return Ok(0);
    };
    let now = stored_moment(now);
    let anonymised = store.anonymise_closed_before(before, now, BATCH)?;
    if anonymised > 0 {
        let after =
            serde_json::json!({"anonymised": anonymised, "closed_before": before, "years": years});
        store.transaction(|conn| {
            conn.record_audit(&AuditEntry::new(
                now,
                None,
                AuditAction::RetentionRun,
                years,
                None,
                Some(after),
            ))
        })?;
    }
    Ok(anonymised)
}

/// Runs retention now and then every day, in a thread of its own, for as long as the
/// process lives. Several `hall` processes may all run it: a case already anonymised is
/// skipped.
pub fn spawn_daily(store: Store, years: u32) {
    if years == 0 {
        return;
    }
    let started = std::thread::Builder::new()
        .name("retention".into())
        .spawn(move || {
            loop {
                match run(&store, years, Utc::now()) {
                    Ok(0) => {}
                    Ok(cases) => tracing::info!(cases, years, "retention: anonymised applicants"),
                    Err(error) => tracing::warn!(%error, "retention run failed; next try in a day"),
                }
                std::thread::sleep(Duration::from_secs(24 * 3600));
            }
        });
    if let Err(error) = started {
        tracing::warn!(%error, "cannot start the daily retention run");
    }
}
