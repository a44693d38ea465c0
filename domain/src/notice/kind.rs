//! The kinds of notice and the states of a case in which each may be issued.

use serde::{Deserialize, Serialize};

use crate::case::{Case, CaseStatus, PauseReason};

/// A kind of notice (文书种类).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// 受理通知书 (收件凭证): the case was accepted; carries the query code.
    Receipt,
    /// 不予受理通知书: refused at intake, with the reason and the remedies.
    Refusal,
    /// 补正材料一次性告知书: every missing material, at once (行政许可法 art. 32).
    Supplement,
    /// 延期通知书: the deadline was extended (行政许可法 art. 42).
    Extension,
    /// 准予/不予行政许可决定书: the decision, with its certificate or its reasons.
    Decision,
    /// 送达回证: the result was handed over.
    Delivery,
}

impl NoticeKind {
    /// Every kind.
    pub const ALL: [NoticeKind; 6] = [
        Self::Receipt,
        Self::Refusal,
        Self::Supplement,
        Self::Extension,
        Self::Decision,
        Self::Delivery,
    ];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Receipt => "receipt",
            Self::Refusal => "refusal",
            Self::Supplement => "supplement",
            Self::Extension => "extension",
            Self::Decision => "decision",
            Self::Delivery => "delivery",
        }
    }

    /// The kind with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The document's title, as printed.
    pub fn title(self) -> &'static str {
        match self {
            Self::Receipt => "受理通知书",
            Self::Refusal => "不予受理通知书",
            Self::Supplement => "补正材料一次性告知书",
            Self::Extension => "延期通知书",
            Self::Decision => "行政审批决定书",
            Self::Delivery => "送达回证",
        }
    }

    /// The character of the kind in a notice's number: 西夏**受**〔2012〕00012号.
    pub fn mark(self) -> &'static str {
        match self {
            Self::Receipt => "受",
            Self::Refusal => "不受",
            Self::Supplement => "补",
            Self::Extension => "延",
            Self::Decision => "决",
            Self::Delivery => "送",
        }
    }

    /// Whether a notice of this kind may be issued on `case` as it stands: a receipt once it
    /// is accepted, a refusal once refused at intake, a 补正 request while it waits for
    /// papers, an extension notice while it is open after an extension, a decision once
    /// decided, a proof of delivery once delivered.
    pub fn applies_to(self, case: &Case) -> bool {
        use CaseStatus as S;
        match self {
            Self::Receipt => case.status != S::NotAccepted,
            Self::Refusal => case.status == S::NotAccepted,
            Self::Supplement => {
                case.status == S::Paused
                    && case
                        .clock
                        .pauses
                        .last()
                        .is_some_and(|p| p.to.is_none() && p.reason == PauseReason::Supplement)
            }
            Self::Extension => case.status.is_open() && !case.clock.extensions.is_empty(),
            Self::Decision => case.status.is_finished(),
            Self::Delivery => case.status == S::Delivered,
        }
    }

    /// Why it may not be issued now, in English, for a problem's detail.
    pub fn when(self) -> &'static str {
        match self {
            Self::Receipt => "a receipt is issued for an accepted case",
            Self::Refusal => "a refusal notice is issued for a case refused at intake",
            Self::Supplement => {
                "a supplement notice is issued while the case is paused for missing materials"
            }
            Self::Extension => {
                "an extension notice is issued for an open case whose deadline was extended"
            }
            Self::Decision => "a decision is issued for a completed or delivered case",
            Self::Delivery => "a proof of delivery is issued for a delivered case",
        }
    }
}
