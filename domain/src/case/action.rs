//! What can be done to a case after intake.

use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::ids::WindowId;
use crate::permission::Permission;

/// Why a case's clock is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PauseReason {
    /// 补正: the applicant must bring missing papers.
    Supplement,
    /// 特别程序: hearing, expert review, inspection … (行政许可法 art. 45).
    SpecialProcedure,
    /// 挂起: suspended for another reason.
    Suspension,
}

/// How a case was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 准予: granted.
    Approved,
    /// 不予: refused on the merits.
    Denied,
}

impl Outcome {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Denied => "denied",
        }
    }

    /// The outcome with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Approved, Self::Denied]
            .into_iter()
            .find(|o| o.as_str() == s)
    }

    /// The outcome as the public reads it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Approved => "准予",
            Self::Denied => "不予",
        }
    }
}

/// An action on an accepted case, with what it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// 承办: the handling starts.
    Start,
    /// 暂停: stop the clock.
    Pause {
        /// Why.
        reason: PauseReason,
        /// What is awaited, e.g. the missing papers.
        #[serde(default)]
        note: String,
    },
    /// Restart the clock in the state the case was paused from.
    Resume,
    /// 延期: more working days (supervisors and admins).
    Extend {
        /// Working days added, 1 to 30 ([`MAX_EXTENSION_DAYS_EACH`]).
        #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 30))]
        days: u32,
        /// Why the extension was approved.
        reason: String,
    },
    /// 转办: to another window that serves the item (supervisors and admins).
    Transfer {
        /// The receiving window.
        window_id: WindowId,
        /// Why.
        #[serde(default)]
        note: String,
    },
    /// 办结: decide the case.
    Complete {
        /// Granted or refused.
        outcome: Outcome,
        /// The decision's text, e.g. the licence number.
        #[serde(default)]
        result: String,
    },
    /// 送达: hand the result over.
    Deliver {
        /// How it was handed over.
        #[serde(default)]
        note: String,
    },
    /// 撤回: the applicant withdraws.
    Withdraw {
        /// Why.
        #[serde(default)]
        reason: String,
    },
}

/// The kind of event in a case's history, including intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// 受理.
    Accept,
    /// 不予受理.
    Refuse,
    /// 承办.
    Start,
    /// 暂停.
    Pause,
    /// 恢复.
    Resume,
    /// 延期.
    Extend,
    /// 转办.
    Transfer,
    /// 办结.
    Complete,
    /// 送达.
    Deliver,
    /// 撤回.
    Withdraw,
    /// 好差评: the applicant's rating (recorded by the kiosk).
    Rate,
    /// The deadline was recomputed after a calendar correction.
    Recompute,
    /// 出具文书: a notice was issued on the case.
    IssueNotice,
    /// 文书作废: a notice of the case was voided.
    VoidNotice,
}

impl ActionKind {
    /// Every kind.
    pub const ALL: [ActionKind; 14] = [
        Self::Accept,
        Self::Refuse,
        Self::Start,
        Self::Pause,
        Self::Resume,
        Self::Extend,
        Self::Transfer,
        Self::Complete,
        Self::Deliver,
        Self::Withdraw,
        Self::Rate,
        Self::Recompute,
        Self::IssueNotice,
        Self::VoidNotice,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Refuse => "refuse",
            Self::Start => "start",
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::Extend => "extend",
            Self::Transfer => "transfer",
            Self::Complete => "complete",
            Self::Deliver => "deliver",
            Self::Withdraw => "withdraw",
            Self::Rate => "rate",
            Self::Recompute => "recompute",
            Self::IssueNotice => "issue_notice",
            Self::VoidNotice => "void_notice",
        }
    }

    /// The kind with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The past participle, for English sentences: `a withdrawn case cannot be rated`.
    pub fn past_participle(self) -> &'static str {
        match self {
            Self::Accept => "accepted",
            Self::Refuse => "refused",
            Self::Start => "started",
            Self::Pause => "paused",
            Self::Resume => "resumed",
            Self::Extend => "extended",
            Self::Transfer => "transferred",
            Self::Complete => "completed",
            Self::Deliver => "delivered",
            Self::Withdraw => "withdrawn",
            Self::Rate => "rated",
            Self::Recompute => "recomputed",
            Self::IssueNotice => "given a notice",
            Self::VoidNotice => "cleared of a notice",
        }
    }

    /// The step's name as the public reads it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Accept => "受理",
            Self::Refuse => "不予受理",
            Self::Start => "承办",
            Self::Pause => "暂停",
            Self::Resume => "恢复办理",
            Self::Extend => "延期",
            Self::Transfer => "转办",
            Self::Complete => "办结",
            Self::Deliver => "送达",
            Self::Withdraw => "撤回",
            Self::Rate => "评价",
            Self::Recompute => "时限重算",
            Self::IssueNotice => "出具文书",
            Self::VoidNotice => "文书作废",
        }
    }
}

/// The most working days one extension may add.
pub const MAX_EXTENSION_DAYS_EACH: u32 = 30;

const _: () = assert!(
    MAX_EXTENSION_DAYS_EACH == 30,
    "the schema of `Action::Extend::days` says 30"
);

/// The most working days all extensions of a case may add together: what the promise cut
/// from the statutory limit, plus the 10 days 行政许可法 art. 42 lets a head of office add.
pub fn extension_allowance(statutory_days: u32, promised_days: u32) -> u32 {
    statutory_days.saturating_sub(promised_days) + 10
}

impl Action {
    /// The kind of this action.
    pub fn kind(&self) -> ActionKind {
        match self {
            Self::Start => ActionKind::Start,
            Self::Pause { .. } => ActionKind::Pause,
            Self::Resume => ActionKind::Resume,
            Self::Extend { .. } => ActionKind::Extend,
            Self::Transfer { .. } => ActionKind::Transfer,
            Self::Complete { .. } => ActionKind::Complete,
            Self::Deliver { .. } => ActionKind::Deliver,
            Self::Withdraw { .. } => ActionKind::Withdraw,
        }
    }

    /// The permission the action needs (see [`crate::permission`]): extending a deadline and
    /// transferring a case are for supervisors and admins; everything else is handling.
    pub fn permission(&self) -> Permission {
        match self {
            Self::Extend { .. } | Self::Transfer { .. } => Permission::ExtendOrTransfer,
            Self::Start
            | Self::Pause { .. }
            | Self::Resume
            | Self::Complete { .. }
            | Self::Deliver { .. }
            | Self::Withdraw { .. } => Permission::HandleCases,
        }
    }

    /// Checks the action's own fields.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        match self {
            Self::Pause { note, .. } | Self::Transfer { note, .. } | Self::Deliver { note } => {
                errors.optional_text("note", note, 1000)
            }
            Self::Extend { days, reason } => {
                if !(1..=MAX_EXTENSION_DAYS_EACH).contains(days) {
                    errors.add(
                        "days",
                        format!("must be between 1 and {MAX_EXTENSION_DAYS_EACH}"),
                    );
                }
                errors.text("reason", reason, 1000);
            }
            Self::Complete { result, .. } => errors.optional_text("result", result, 4000),
            Self::Withdraw { reason } => errors.optional_text("reason", reason, 1000),
            Self::Start | Self::Resume => {}
        }
        errors.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permission::Scope;
    use crate::user::Role;

    #[test]
    fn extending_and_transferring_are_for_supervisors_the_rest_is_handling() {
        let note = String::new;
        let actions = [
            (Action::Start, Permission::HandleCases),
            (
                Action::Pause {
                    reason: PauseReason::Supplement,
                    note: note(),
                },
                Permission::HandleCases,
            ),
            (Action::Resume, Permission::HandleCases),
            (
                Action::Extend {
                    days: 1,
                    reason: "材料复杂".into(),
                },
                Permission::ExtendOrTransfer,
            ),
            (
                Action::Transfer {
                    window_id: WindowId::new(),
                    note: note(),
                },
                Permission::ExtendOrTransfer,
            ),
            (
                Action::Complete {
                    outcome: Outcome::Approved,
                    result: note(),
                },
                Permission::HandleCases,
            ),
            (Action::Deliver { note: note() }, Permission::HandleCases),
            (Action::Withdraw { reason: note() }, Permission::HandleCases),
        ];
        for (action, permission) in &actions {
            assert_eq!(action.permission(), *permission, "{action:?}");
            let clerk = Role::Clerk.may(action.permission());
            let expected = (*permission == Permission::HandleCases).then_some(Scope::OwnWindow);
            assert_eq!(clerk, expected, "a clerk and {action:?}");
            assert_eq!(Role::Supervisor.may(action.permission()), Some(Scope::All));
        }
    }
}
