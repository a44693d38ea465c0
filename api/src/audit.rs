//! Recording administrative changes in the audit trail, inside the change's transaction.

use chrono::{DateTime, Utc};
use domain::audit::{AuditAction, AuditEntry};
use domain::clock::stored_moment;
use domain::ids::UserId;
use domain::repository::AuditRepository;
use persistence::AnyConnection;
use serde::Serialize;

use crate::problem::ApiError;

/// Appends `action` on `entity_id` by `actor` at `at` (the request's moment, from
/// `AppState::now`), with the record before and after.
pub fn audit<B: Serialize, A: Serialize>(
    conn: &mut AnyConnection,
    at: DateTime<Utc>,
    actor: Option<UserId>,
    action: AuditAction,
    entity_id: impl ToString,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<(), ApiError> {
    let before = before
        .map(serde_json::to_value)
        .transpose()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let after = after
        .map(serde_json::to_value)
        .transpose()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let entry = AuditEntry::new(stored_moment(at), actor, action, entity_id, before, after);
    Ok(conn.record_audit(&entry)?)
}
