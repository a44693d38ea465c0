//! Where a case stands.

use serde::{Deserialize, Serialize};

/// A case's state in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// 已受理: accepted at the window; the clock runs.
    Accepted,
    /// 承办中: being handled; the clock runs.
    InProgress,
    /// 暂停: waiting for papers or a special procedure; the clock is stopped.
    Paused,
    /// 已办结: decided (approved or denied).
    Completed,
    /// 已送达: the result is handed over.
    Delivered,
    /// 不予受理: refused at intake; kept and counted apart.
    NotAccepted,
    /// 已撤回: withdrawn by the applicant.
    Withdrawn,
}

impl CaseStatus {
    /// Every status.
    pub const ALL: [CaseStatus; 7] = [
        Self::Accepted,
        Self::InProgress,
        Self::Paused,
        Self::Completed,
        Self::Delivered,
        Self::NotAccepted,
        Self::Withdrawn,
    ];

    /// The open states, [`Self::is_open`] as a list: for asking storage.
    pub const OPEN: [CaseStatus; 3] = [Self::Accepted, Self::InProgress, Self::Paused];

    /// The states whose clock runs, [`Self::clock_runs`] as a list: for asking storage.
    pub const CLOCK_RUNNING: [CaseStatus; 2] = [Self::Accepted, Self::InProgress];

    /// The finished states, [`Self::is_finished`] as a list: for asking storage.
    pub const FINISHED: [CaseStatus; 2] = [Self::Completed, Self::Delivered];

    /// The states in which a case is closed for good: every state not open.
    pub const CLOSED: [CaseStatus; 4] = [
        Self::Completed,
        Self::Delivered,
        Self::NotAccepted,
        Self::Withdrawn,
    ];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::InProgress => "in_progress",
            Self::Paused => "paused",
            Self::Completed => "completed",
            Self::Delivered => "delivered",
            Self::NotAccepted => "not_accepted",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// The status with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The Chinese label shown to the public.
    pub fn label(self) -> &'static str {
        match self {
            Self::Accepted => "已受理",
            Self::InProgress => "办理中",
            Self::Paused => "暂停（补正/特别程序）",
            Self::Completed => "已办结",
            Self::Delivered => "已送达",
            Self::NotAccepted => "不予受理",
            Self::Withdrawn => "已撤回",
        }
    }

    /// The state in an English sentence's words, article included: `a case in progress`.
    pub fn described(self) -> &'static str {
        match self {
            Self::Accepted => "an accepted case",
            Self::InProgress => "a case in progress",
            Self::Paused => "a paused case",
            Self::Completed => "a completed case",
            Self::Delivered => "a delivered case",
            Self::NotAccepted => "a case refused at intake",
            Self::Withdrawn => "a withdrawn case",
        }
    }

    /// Whether the case still awaits a decision.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Accepted | Self::InProgress | Self::Paused)
    }

    /// Whether the deadline clock runs in this state.
    pub fn clock_runs(self) -> bool {
        matches!(self, Self::Accepted | Self::InProgress)
    }

    /// Whether the case is completed (办结), its result delivered since or not: what an
    /// applicant may rate and the public board lists as done.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Completed | Self::Delivered)
    }
}

#[cfg(test)]
mod tests {
    use super::CaseStatus;

    /// The lists storage is asked with say what the predicates say, state by state.
    #[test]
    fn the_lists_agree_with_the_predicates() {
        for status in CaseStatus::ALL {
            assert_eq!(
                CaseStatus::OPEN.contains(&status),
                status.is_open(),
                "{status:?}"
            );
            assert_eq!(
                CaseStatus::CLOCK_RUNNING.contains(&status),
                status.clock_runs(),
                "{status:?}"
            );
            assert_eq!(
                CaseStatus::FINISHED.contains(&status),
                status.is_finished(),
                "{status:?}"
            );
            assert_eq!(
                CaseStatus::CLOSED.contains(&status),
                !status.is_open(),
                "{status:?}"
            );
        }
    }

    #[test]
    fn every_name_reads_back() {
        for status in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(status.as_str()), Some(status));
        }
    }
}
