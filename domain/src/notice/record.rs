//! A notice as stored: its number, the facts and the template it was rendered from, the
//! digest of the document, and whether it was voided.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{NoticeFacts, NoticeKind};
use crate::ids::{CaseId, CenterId, NoticeId, UserId};

/// A notice (文书) issued on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Its identifier.
    pub id: NoticeId,
    /// The case.
    pub case_id: CaseId,
    /// The centre whose register numbered it.
    pub center_id: CenterId,
    /// Its kind.
    pub kind: NoticeKind,
    /// The year of its register.
    pub year: i32,
    /// Its place in the register of its centre, kind and year.
    pub seq: u32,
    /// Its number, e.g. 西夏受〔2012〕00012号.
    pub number: String,
    /// What it shows, as read from the case when it was issued.
    pub facts: NoticeFacts,
    /// The template it was rendered with, kept so that printing it again gives the same
    /// document after the centre's template changes.
    pub template: String,
    /// SHA-256 of the document as issued, lower-case hex; also in the issuing event.
    pub sha256: String,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// The hall's local date of issue, printed on it.
    pub issued_on: NaiveDate,
    /// Who issued it.
    pub issued_by: UserId,
    /// Set when it was voided.
    pub void: Option<VoidMark>,
}

/// That a notice was voided (作废), when, by whom and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoidMark {
    /// When.
    pub at: DateTime<Utc>,
    /// The hall's local date, printed on it.
    pub on: NaiveDate,
    /// Who voided it.
    #[serde(skip)]
    pub by: UserId,
    /// Why, printed on it.
    pub reason: String,
}

/// Everything a template is given: the notice's own particulars and the case's facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeDocument<'a> {
    /// The kind's title.
    pub title: &'static str,
    /// The kind.
    pub kind: NoticeKind,
    /// The number.
    pub number: &'a str,
    /// The local date of issue.
    pub issued_on: NaiveDate,
    /// What it shows.
    pub facts: &'a NoticeFacts,
    /// Set once voided: the document then says so and why.
    pub void: Option<&'a VoidMark>,
}

impl Notice {
    /// What its template is given.
    pub fn document(&self) -> NoticeDocument<'_> {
        NoticeDocument {
            title: self.kind.title(),
            kind: self.kind,
            number: &self.number,
            issued_on: self.issued_on,
            facts: &self.facts,
            void: self.void.as_ref(),
        }
    }
}

/// Why a notice could not be issued or voided.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoticeError {
    /// The case's state does not call for this kind.
    #[error("{when}; this case is {status}", when = .kind.when(), status = .status.as_str())]
    NotApplicable {
        /// The kind asked for.
        kind: NoticeKind,
        /// The case's state.
        status: crate::case::CaseStatus,
    },
    /// The notice was voided already.
    #[error("notice {0} is void already")]
    AlreadyVoid(String),
    /// The template would not render (a stored override gone bad cannot happen: overrides
    /// are rendered on sample facts before they are kept).
    #[error("the template does not render: {0}")]
    Template(String),
}

/// A centre's own template for a kind of notice, in place of the shipped one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateOverride {
    /// The centre.
    pub center_id: CenterId,
    /// The kind.
    pub kind: NoticeKind,
    /// The template's source (minijinja, HTML autoescaped).
    pub body: String,
    /// When it was last put.
    pub updated_at: DateTime<Utc>,
    /// Who put it.
    pub updated_by: UserId,
}
