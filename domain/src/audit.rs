//! The audit trail: every administrative change — who, when, what, before and after —
//! appended in the same transaction as the change, and never edited.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ids::UserId;

/// One administrative change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Its identifier (UUID v7: ordered by time).
    pub id: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who; `null` for the command line.
    pub actor_id: Option<UserId>,
    /// What, e.g. `department.create`, `user.deactivate`, `calendar.replace`.
    pub action: String,
    /// The kind of record, e.g. `department`.
    pub entity: String,
    /// The record's id (or the year, for the calendar).
    pub entity_id: String,
    /// The record before the change; `null` when created.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    /// The record after the change.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
}

impl AuditEntry {
    /// An entry for `action` on `entity` `entity_id`, with the record before and after.
    pub fn new(
        at: DateTime<Utc>,
        actor_id: Option<UserId>,
        action: &str,
        entity_id: impl ToString,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Self {
        let entity = action.split('.').next().unwrap_or(action).to_owned();
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            at,
            actor_id,
            action: action.to_owned(),
            entity,
            entity_id: entity_id.to_string(),
            before,
            after,
        }
    }
}

/// Which audit entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only of this kind of record.
    pub entity: Option<String>,
    /// Only of this record.
    pub entity_id: Option<String>,
    /// Only by this user.
    pub actor_id: Option<UserId>,
    /// Only this action.
    pub action: Option<String>,
    /// Only at or after this moment.
    pub since: Option<DateTime<Utc>>,
    /// Only before this moment.
    pub until: Option<DateTime<Utc>>,
}
