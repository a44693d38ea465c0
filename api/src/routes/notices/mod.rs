//! `/api/v1/cases/{id}/notices`, `/api/v1/notices/{id}` and
//! `/api/v1/centers/{id}/notice-templates/{kind}`: issuing, reading, printing and voiding
//! notices (文书), and the centres' own templates.

mod issue;
mod read;
pub(crate) mod templates;
mod void;

pub use issue::*;
pub use read::*;
pub use templates::*;
pub use void::*;

use chrono::{DateTime, NaiveDate, Utc};
use domain::case::Case;
use domain::ids::{CaseId, CenterId, NoticeId, WindowId};
use domain::notice::workflow::NoticeWorkflowError;
use domain::notice::{Notice, NoticeKind};
use serde::Serialize;
use utoipa::ToSchema;

use crate::notices::Printer;
use crate::state::AppState;

/// A notice's record: what it is and whether it stands. The document itself, with the
/// applicant's name, is `GET /notices/{id}` with `Accept: text/html`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeView {
    /// Its identifier.
    pub id: NoticeId,
    /// Its number, e.g. 西夏受〔2012〕00012号.
    pub number: String,
    /// Its kind.
    pub kind: NoticeKind,
    /// Its title, e.g. 受理通知书.
    pub title: &'static str,
    /// The case.
    pub case_id: CaseId,
    /// The case's number.
    pub case_no: String,
    /// The centre whose register numbered it.
    pub center_id: CenterId,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// The hall's local date of issue, printed on it.
    pub issued_on: NaiveDate,
    /// SHA-256 of the document as issued (lower-case hex), as in the `issue_notice` event:
    /// printing it again gives these bytes, until it is voided.
    pub sha256: String,
    /// Whether it was voided (作废); it keeps its number.
    pub voided: bool,
    /// When it was voided.
    pub voided_at: Option<DateTime<Utc>>,
    /// Why it was voided.
    pub void_reason: Option<String>,
}

impl From<Notice> for NoticeView {
    fn from(notice: Notice) -> Self {
        Self {
            id: notice.id,
            title: notice.kind.title(),
            kind: notice.kind,
            case_id: notice.case_id,
            case_no: notice.facts.case_no,
            center_id: notice.center_id,
            issued_at: notice.issued_at,
            issued_on: notice.issued_on,
            sha256: notice.sha256,
            voided: notice.void.is_some(),
            voided_at: notice.void.as_ref().map(|v| v.at),
            void_reason: notice.void.map(|v| v.reason),
            number: notice.number,
        }
    }
}

/// The state's printer.
fn printer(state: &AppState) -> Printer {
    Printer::new(state.query_codes.clone())
}

/// Refuses a case outside the caller's window.
fn in_reach(own_window: Option<WindowId>, case: &Case) -> Result<(), NoticeWorkflowError> {
    match own_window {
        Some(window) if window != case.window_id => Err(NoticeWorkflowError::Forbidden(
            "this case belongs to another window",
        )),
        _ => Ok(()),
    }
}
