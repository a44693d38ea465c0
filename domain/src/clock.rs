//! Moments as the hall records them.

use chrono::{DateTime, SubsecRound, Utc};

/// A moment as the database keeps it: UTC to the microsecond, PostgreSQL's precision, so
/// what is stored reads back equal on both backends.
pub fn stored_moment(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}
