//! Recording administrative changes in the audit trail, inside the change's transaction.

use chrono::Utc;
use domain::audit::AuditEntry;
use domain::clock::stored_moment;
use domain::ids::UserId;
use domain::repository::AuditRepository;
use persistence::AnyConnection;
use serde::Serialize;

use crate::problem::ApiError;

/// Appends `action` on `entity_id` by `actor`, with the record before and after.
pub fn audit<B: Serialize, A: Serialize>(
    conn: &mut AnyConnection,
    actor: Option<UserId>,
    action: &str,
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
    let entry = AuditEntry::new(
        stored_moment(Utc::now()),
        actor,
        action,
        entity_id,
        before,
        after,
    );
    Ok(conn.record_audit(&entry)?)
}
