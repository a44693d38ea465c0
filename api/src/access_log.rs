//! Recording staff reads of applicants' personal data in the access log, on the read's own
//! connection, before the answer leaves.

use chrono::{DateTime, Utc};
use domain::access::AccessEntry;
use domain::clock::stored_moment;
use domain::ids::{CaseId, UserId};
use domain::repository::AccessLogRepository;
use persistence::AnyConnection;

use crate::problem::ApiError;

/// Records that `user` read the personal data of `cases` at `at` (the request's moment)
/// through `purpose` (the route's operation id). Nothing is recorded for an empty list.
pub fn record_reads(
    conn: &mut AnyConnection,
    at: DateTime<Utc>,
    user: UserId,
    cases: impl IntoIterator<Item = CaseId>,
    purpose: &str,
) -> Result<(), ApiError> {
    let at = stored_moment(at);
    let entries: Vec<AccessEntry> = cases
        .into_iter()
        .map(|case| AccessEntry::new(at, user, case, purpose))
        .collect();
    if entries.is_empty() {
        return Ok(());
    }
    Ok(conn.record_access(&entries)?)
}
