//! The access log of personal data (个人信息访问记录): every time staff read a case with the
//! applicant's ID number and phone — who, when, which case, through which route — appended
//! as the read happens and never edited.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ids::{CaseId, UserId};

/// One read of a case's personal data by a member of staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessEntry {
    /// Its identifier (UUID v7: ordered by time).
    pub id: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who read.
    pub user_id: UserId,
    /// Whose case.
    pub case_id: CaseId,
    /// Through which route: the operation id, e.g. `get_case`, `list_cases`, `create_case.replay`.
    pub purpose: String,
}

impl AccessEntry {
    /// An entry for `user` reading `case` through `purpose` at `at`.
    pub fn new(at: DateTime<Utc>, user_id: UserId, case_id: CaseId, purpose: &str) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            at,
            user_id,
            case_id,
            purpose: purpose.to_owned(),
        }
    }
}

/// Which access-log entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessFilter {
    /// Only reads by this user.
    pub user_id: Option<UserId>,
    /// Only reads of this case.
    pub case_id: Option<CaseId>,
    /// Only at or after this moment.
    pub from: Option<DateTime<Utc>>,
    /// Only before this moment.
    pub to: Option<DateTime<Utc>>,
}
