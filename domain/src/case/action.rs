//! What can be done to a case after intake.

use serde::{Deserialize, Serialize};

use super::materials::validate_names;
use super::result::{Certificate, Fee, ResultCode, validate_result};
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
        /// For a `supplement` (补正), the materials asked for: each a material of the case's
        /// guide, none twice, at least one when the guide lists any (一次性告知: all of them
        /// at once). Other reasons take none.
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(max_items = 100))]
        materials: Vec<String>,
    },
    /// Restart the clock in the state the case was paused from.
    Resume {
        /// The materials handed in meanwhile: names of materials the case is missing
        /// (asked for by a 补正, or deferred at acceptance), none twice.
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(max_items = 100))]
        arrived: Vec<String>,
    },
    /// 补交材料: missing materials handed in without a pause — a 容缺 paper arriving by its
    /// date; the state and the clock stay as they are.
    ReceiveMaterials {
        /// The materials handed in: at least one, each one the case lacks, none twice.
        #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 100))]
        materials: Vec<String>,
    },
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
    /// 办结: decide the case. An approval needs every required material handed in.
    Complete {
        /// Granted or refused.
        outcome: Outcome,
        /// The decision's text, e.g. the licence number.
        #[serde(default)]
        result: String,
        /// The result code (办结结果); when left out, `certificate_issued` for an approval
        /// with a certificate, `concluded` for another approval, `returned` for a denial.
        /// `returned` and `supplement_never_came` conclude denials only.
        #[serde(default)]
        result_code: Option<ResultCode>,
        /// The certificate issued (证照): only with an approval, and then the result code is
        /// `certificate_issued`, which needs one.
        #[serde(default)]
        certificate: Option<Certificate>,
        /// The fees charged, each with its basis (amounts in fen).
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(max_items = 20))]
        fees: Vec<Fee>,
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
    /// 补交材料.
    ReceiveMaterials,
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
    pub const ALL: [ActionKind; 15] = [
        Self::Accept,
        Self::Refuse,
        Self::Start,
        Self::Pause,
        Self::Resume,
        Self::Extend,
        Self::ReceiveMaterials,
        Self::Transfer,
        Self::Complete,
        Self::Deliver,
        Self::Withdraw,
        Self::Rate,
        Self::Recompute,
        Self::IssueNotice,
        Self::VoidNotice,
    ];

    /// The kinds the kiosk's timeline leaves out: 时限重算 and the notices (出具文书,
    /// 文书作废) are the hall's paperwork on the case, not steps of its handling.
    pub const NOT_PUBLIC: [ActionKind; 3] = [Self::Recompute, Self::IssueNotice, Self::VoidNotice];

    /// Whether the kiosk's timeline shows events of this kind.
    pub fn is_public(self) -> bool {
        !Self::NOT_PUBLIC.contains(&self)
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Refuse => "refuse",
            Self::Start => "start",
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::Extend => "extend",
            Self::ReceiveMaterials => "receive_materials",
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
            Self::ReceiveMaterials => "handed materials",
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
            Self::ReceiveMaterials => "补交材料",
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
            Self::Resume { .. } => ActionKind::Resume,
            Self::Extend { .. } => ActionKind::Extend,
            Self::ReceiveMaterials { .. } => ActionKind::ReceiveMaterials,
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
            | Self::Resume { .. }
            | Self::ReceiveMaterials { .. }
            | Self::Complete { .. }
            | Self::Deliver { .. }
            | Self::Withdraw { .. } => Permission::HandleCases,
        }
    }

    /// Checks the action's own fields.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        match self {
            Self::Pause {
                note,
                reason,
                materials,
            } => {
                errors.optional_text("note", note, 1000);
                validate_names(&mut errors, "materials", materials);
                // That a supplement names at least one is the case's to check: a case
                // without a checklist (its guide listed none) has nothing to name.
                if *reason != PauseReason::Supplement && !materials.is_empty() {
                    errors.add("materials", "only a supplement (补正) names materials");
                }
            }
            Self::Resume { arrived } => validate_names(&mut errors, "arrived", arrived),
            Self::ReceiveMaterials { materials } => {
                if materials.is_empty() {
                    errors.add("materials", "name the materials handed in, at least one");
                }
                validate_names(&mut errors, "materials", materials);
            }
            Self::Transfer { note, .. } | Self::Deliver { note } => {
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
            Self::Complete {
                outcome,
                result,
                result_code,
                certificate,
                fees,
            } => {
                errors.optional_text("result", result, 4000);
                validate_result(
                    &mut errors,
                    *outcome,
                    *result_code,
                    certificate.as_ref(),
                    fees,
                );
            }
            Self::Withdraw { reason } => errors.optional_text("reason", reason, 1000),
            Self::Start => {}
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
                    materials: vec!["户口簿".into()],
                },
                Permission::HandleCases,
            ),
            (
                Action::Resume {
                    arrived: Vec::new(),
                },
                Permission::HandleCases,
            ),
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
                    result_code: None,
                    certificate: None,
                    fees: Vec::new(),
                },
                Permission::HandleCases,
            ),
            (Action::Deliver { note: note() }, Permission::HandleCases),
            (
                Action::ReceiveMaterials {
                    materials: vec!["户口簿".into()],
                },
                Permission::HandleCases,
            ),
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
