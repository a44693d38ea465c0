//! The audit trail: every administrative change — who, when, what, before and after —
//! appended in the same transaction as the change, and never edited.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ids::UserId;

/// What an audited change did, stored and shown as `{entity}.{verb}` (e.g. `center.update`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum AuditAction {
    /// A centre created.
    #[serde(rename = "center.create")]
    CenterCreate,
    /// A centre changed.
    #[serde(rename = "center.update")]
    CenterUpdate,
    /// A centre deactivated.
    #[serde(rename = "center.deactivate")]
    CenterDeactivate,
    /// A department created.
    #[serde(rename = "department.create")]
    DepartmentCreate,
    /// A department changed.
    #[serde(rename = "department.update")]
    DepartmentUpdate,
    /// A department deactivated.
    #[serde(rename = "department.deactivate")]
    DepartmentDeactivate,
    /// A service item created.
    #[serde(rename = "item.create")]
    ItemCreate,
    /// A service item changed (a new version of its guide).
    #[serde(rename = "item.update")]
    ItemUpdate,
    /// A service item deactivated.
    #[serde(rename = "item.deactivate")]
    ItemDeactivate,
    /// A window created.
    #[serde(rename = "window.create")]
    WindowCreate,
    /// A window changed.
    #[serde(rename = "window.update")]
    WindowUpdate,
    /// A window deactivated.
    #[serde(rename = "window.deactivate")]
    WindowDeactivate,
    /// A queue created.
    #[serde(rename = "queue.create")]
    QueueCreate,
    /// A queue changed.
    #[serde(rename = "queue.update")]
    QueueUpdate,
    /// A user created.
    #[serde(rename = "user.create")]
    UserCreate,
    /// A user changed (role, window, name).
    #[serde(rename = "user.update")]
    UserUpdate,
    /// A user deactivated.
    #[serde(rename = "user.deactivate")]
    UserDeactivate,
    /// A user's password changed.
    #[serde(rename = "user.password")]
    UserPassword,
    /// Cases imported from another system.
    #[serde(rename = "case.import")]
    CaseImport,
    /// Whether the applicant is texted about a case changed, as they told a clerk.
    #[serde(rename = "case.notifications")]
    CaseNotifications,
    /// A national calendar year replaced.
    #[serde(rename = "calendar.replace")]
    CalendarReplace,
    /// A region's calendar year replaced.
    #[serde(rename = "calendar.region.replace")]
    CalendarRegionReplace,
    /// The key sealing personal data rotated (command line).
    #[serde(rename = "data_key.rotate")]
    DataKeyRotate,
    /// The demonstration data loaded (command line).
    #[serde(rename = "demo.load")]
    DemoLoad,
    /// Closed cases past the retention period anonymised.
    #[serde(rename = "retention.run")]
    RetentionRun,
    /// A centre's own notice template put.
    #[serde(rename = "notice_template.put")]
    NoticeTemplatePut,
    /// A centre's own notice template dropped for the shipped one.
    #[serde(rename = "notice_template.delete")]
    NoticeTemplateDelete,
    /// A webhook registered.
    #[serde(rename = "webhook.create")]
    WebhookCreate,
    /// A webhook's URL, kinds or activity changed.
    #[serde(rename = "webhook.update")]
    WebhookUpdate,
    /// A webhook removed.
    #[serde(rename = "webhook.delete")]
    WebhookDelete,
    /// A webhook's secret rotated.
    #[serde(rename = "webhook.rotate")]
    WebhookRotate,
    /// An outbox message queued again by an administrator.
    #[serde(rename = "outbox.replay")]
    OutboxReplay,
}

impl AuditAction {
    /// Every action.
    pub const ALL: [AuditAction; 32] = [
        Self::CenterCreate,
        Self::CenterUpdate,
        Self::CenterDeactivate,
        Self::DepartmentCreate,
        Self::DepartmentUpdate,
        Self::DepartmentDeactivate,
        Self::ItemCreate,
        Self::ItemUpdate,
        Self::ItemDeactivate,
        Self::WindowCreate,
        Self::WindowUpdate,
        Self::WindowDeactivate,
        Self::QueueCreate,
        Self::QueueUpdate,
        Self::UserCreate,
        Self::UserUpdate,
        Self::UserDeactivate,
        Self::UserPassword,
        Self::CaseImport,
        Self::CaseNotifications,
        Self::CalendarReplace,
        Self::CalendarRegionReplace,
        Self::DataKeyRotate,
        Self::DemoLoad,
        Self::RetentionRun,
        Self::NoticeTemplatePut,
        Self::NoticeTemplateDelete,
        Self::WebhookCreate,
        Self::WebhookUpdate,
        Self::WebhookDelete,
        Self::WebhookRotate,
        Self::OutboxReplay,
    ];

    /// The stored name, e.g. `center.update`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CenterCreate => "center.create",
            Self::CenterUpdate => "center.update",
            Self::CenterDeactivate => "center.deactivate",
            Self::DepartmentCreate => "department.create",
            Self::DepartmentUpdate => "department.update",
            Self::DepartmentDeactivate => "department.deactivate",
            Self::ItemCreate => "item.create",
            Self::ItemUpdate => "item.update",
            Self::ItemDeactivate => "item.deactivate",
            Self::WindowCreate => "window.create",
            Self::WindowUpdate => "window.update",
            Self::WindowDeactivate => "window.deactivate",
            Self::QueueCreate => "queue.create",
            Self::QueueUpdate => "queue.update",
            Self::UserCreate => "user.create",
            Self::UserUpdate => "user.update",
            Self::UserDeactivate => "user.deactivate",
            Self::UserPassword => "user.password",
            Self::CaseImport => "case.import",
            Self::CaseNotifications => "case.notifications",
            Self::CalendarReplace => "calendar.replace",
            Self::CalendarRegionReplace => "calendar.region.replace",
            Self::DataKeyRotate => "data_key.rotate",
            Self::DemoLoad => "demo.load",
            Self::NoticeTemplatePut => "notice_template.put",
            Self::NoticeTemplateDelete => "notice_template.delete",
            Self::RetentionRun => "retention.run",
            Self::WebhookCreate => "webhook.create",
            Self::WebhookUpdate => "webhook.update",
            Self::WebhookDelete => "webhook.delete",
            Self::WebhookRotate => "webhook.rotate",
            Self::OutboxReplay => "outbox.replay",
        }
    }

    /// The kind of record it changes: the name's first part, e.g. `center`.
    pub fn entity(self) -> &'static str {
        let name = self.as_str();
        name.split('.').next().unwrap_or(name)
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

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
        action: AuditAction,
        entity_id: impl ToString,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            at,
            actor_id,
            action: action.as_str().to_owned(),
            entity: action.entity().to_owned(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_stored_under_the_names_the_trail_has_always_used() {
        for action in AuditAction::ALL {
            let serialized = serde_json::to_value(action).expect("serialize");
            assert_eq!(serialized, action.as_str(), "{action:?}");
            assert_eq!(action.to_string(), action.as_str());
            assert!(action.as_str().starts_with(action.entity()));
        }
        assert_eq!(AuditAction::CenterUpdate.as_str(), "center.update");
        assert_eq!(AuditAction::CalendarRegionReplace.entity(), "calendar");
        assert_eq!(AuditAction::DataKeyRotate.entity(), "data_key");
        let names: std::collections::BTreeSet<_> =
            AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(names.len(), AuditAction::ALL.len(), "every name once");
    }
}
