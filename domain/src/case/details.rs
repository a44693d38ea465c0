//! What each kind of event records besides who, when and the states: the action's fields and
//! what the step decided (a new deadline, whether it was on time). Stored as JSON beside the
//! event, typed here so that no reader has to guess a key.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    Action, ActionKind, Certificate, DeferredMaterial, Fee, Outcome, PauseReason, ResultCode,
};
use crate::catalogue::Handling;
use crate::ids::{NoticeId, ServiceItemId, WindowId};
use crate::notice::NoticeKind;

/// An event's details, by the kind of event (`action`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum EventDetails {
    /// 受理: accepted at intake.
    Accept {
        /// The item applied for.
        item_id: ServiceItemId,
        /// The receiving window.
        window_id: WindowId,
        /// Immediate or committed.
        handling: Handling,
        /// The promised working days.
        promised_days: u32,
        /// The deadline set.
        deadline: Option<NaiveDate>,
        /// The materials handed in.
        #[serde(default)]
        materials_received: Vec<String>,
        /// The materials accepted as missing (容缺受理), with their promised dates.
        #[serde(default)]
        materials_deferred: Vec<DeferredMaterial>,
    },
    /// 不予受理: refused at intake.
    Refuse {
        /// The item applied for.
        item_id: ServiceItemId,
        /// The receiving window.
        window_id: WindowId,
        /// Immediate or committed.
        handling: Handling,
        /// The promised working days.
        promised_days: u32,
        /// Why it was refused.
        reason: Option<String>,
    },
    /// 承办: the handling started.
    Start,
    /// 暂停: the clock stopped.
    Pause {
        /// Why.
        reason: PauseReason,
        /// What is awaited.
        #[serde(default)]
        note: String,
        /// For a supplement (补正), the materials asked for.
        #[serde(default)]
        materials: Vec<String>,
    },
    /// 恢复: the clock runs again.
    Resume {
        /// The deadline, pushed later by the working days paused.
        deadline: Option<NaiveDate>,
        /// The materials handed in meanwhile.
        #[serde(default)]
        arrived: Vec<String>,
    },
    /// 延期: working days added.
    Extend {
        /// How many.
        days: u32,
        /// Why the extension was approved.
        reason: String,
        /// The new deadline.
        deadline: Option<NaiveDate>,
    },
    /// 补交材料: missing materials handed in without a pause.
    ReceiveMaterials {
        /// The materials handed in.
        materials: Vec<String>,
    },
    /// 转办: moved to another window.
    Transfer {
        /// The receiving window.
        window_id: WindowId,
        /// Why.
        #[serde(default)]
        note: String,
        /// The window it came from.
        from_window_id: Option<WindowId>,
    },
    /// 办结: decided.
    Complete {
        /// Granted or refused.
        outcome: Outcome,
        /// The decision's text.
        #[serde(default)]
        result: String,
        /// Whether it was completed by its deadline.
        on_time: Option<bool>,
        /// The result code (办结结果); `null` in events recorded before result codes.
        #[serde(default)]
        result_code: Option<ResultCode>,
        /// The certificate issued.
        #[serde(default)]
        certificate: Option<Certificate>,
        /// The fees charged.
        #[serde(default)]
        fees: Vec<Fee>,
    },
    /// 送达: the result handed over.
    Deliver {
        /// How.
        #[serde(default)]
        note: String,
    },
    /// 撤回: withdrawn by the applicant.
    Withdraw {
        /// Why.
        #[serde(default)]
        reason: String,
    },
    /// 好差评: rated at a kiosk.
    Rate {
        /// 1 (非常不满意) to 5 (非常满意).
        score: u8,
        /// The level's name.
        level: String,
    },
    /// The deadline recomputed after a calendar change.
    Recompute {
        /// Which change, and its notice.
        reason: String,
        /// The deadline before.
        previous_deadline: Option<NaiveDate>,
        /// The deadline now.
        deadline: Option<NaiveDate>,
    },
    /// 出具文书: a notice issued.
    IssueNotice {
        /// The notice (`GET /notices/{notice_id}`).
        notice_id: NoticeId,
        /// Its kind.
        kind: NoticeKind,
        /// Its number.
        number: String,
        /// SHA-256 of the document as issued, lower-case hex: printing it again gives these
        /// bytes.
        sha256: String,
    },
    /// 文书作废: a notice voided; it keeps its number.
    VoidNotice {
        /// The notice.
        notice_id: NoticeId,
        /// Its kind.
        kind: NoticeKind,
        /// Its number.
        number: String,
        /// Why.
        reason: String,
        /// SHA-256 of the document as it now prints, marked void.
        sha256: String,
    },
}

impl EventDetails {
    /// The details of a performed action, before what the step decides is added.
    pub fn of(action: &Action) -> Self {
        match action.clone() {
            Action::Start => Self::Start,
            Action::Pause {
                reason,
                note,
                materials,
            } => Self::Pause {
                reason,
                note,
                materials,
            },
            Action::Resume { arrived } => Self::Resume {
                deadline: None,
                arrived,
            },
            Action::Extend { days, reason } => Self::Extend {
                days,
                reason,
                deadline: None,
            },
            Action::ReceiveMaterials { materials } => Self::ReceiveMaterials { materials },
            Action::Transfer { window_id, note } => Self::Transfer {
                window_id,
                note,
                from_window_id: None,
            },
            Action::Complete {
                outcome,
                result,
                result_code,
                certificate,
                fees,
            } => Self::Complete {
                outcome,
                result,
                on_time: None,
                result_code: Some(
                    result_code
                        .unwrap_or_else(|| ResultCode::default_for(outcome, certificate.is_some())),
                ),
                certificate,
                fees,
            },
            Action::Deliver { note } => Self::Deliver { note },
            Action::Withdraw { reason } => Self::Withdraw { reason },
        }
    }

    /// Reads stored details. Events written before the details were typed keep no `action`
    /// key for intake, rating and recomputation: the event's own kind supplies it.
    pub fn from_stored(
        kind: ActionKind,
        mut stored: serde_json::Value,
    ) -> Result<Self, serde_json::Error> {
        if let Some(fields) = stored.as_object_mut() {
            fields
                .entry("action")
                .or_insert_with(|| serde_json::to_value(kind).unwrap_or_default());
        }
        serde_json::from_value(stored)
    }

    /// The deadline this step set, if it set one.
    pub fn deadline(&self) -> Option<NaiveDate> {
        match self {
            Self::Accept { deadline, .. }
            | Self::Resume { deadline, .. }
            | Self::Extend { deadline, .. }
            | Self::Recompute { deadline, .. } => *deadline,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_stored_before_they_were_typed_are_read_by_the_events_kind() {
        let old = serde_json::json!({"reason": "2013 corrected", "previous_deadline": "2013-01-05", "deadline": "2013-01-07"});
        let read = EventDetails::from_stored(ActionKind::Recompute, old).expect("readable");
        assert_eq!(read.deadline(), "2013-01-07".parse().ok());
        let rated = serde_json::json!({"score": 5, "level": "非常满意"});
        assert!(matches!(
            EventDetails::from_stored(ActionKind::Rate, rated),
            Ok(EventDetails::Rate { score: 5, .. })
        ));
    }
}
