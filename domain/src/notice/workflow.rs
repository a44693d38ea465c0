//! Issuing and voiding notices against storage, inside the caller's transaction: read the
//! case, decide, draw the number, print, store the notice and record the case's event.

use chrono::{Datelike, FixedOffset};

use super::{Notice, NoticeDocument, NoticeError, NoticeKind, VoidMark, facts_of, notice_number};
use crate::ValidationErrors;
use crate::case::workflow::{Moment, record};
use crate::case::{Case, EventDetails};
use crate::ids::{CaseId, NoticeId, UserId};
use crate::outbox::NewsSink;
use crate::repository::{
    CaseRepository, CenterRepository, NoticeRepository, RepositoryError, ServiceItemRepository,
    StatsRepository, WindowRepository,
};

/// A rendered notice: the document and its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    /// The HTML document.
    pub html: String,
    /// SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
}

/// Renders notices: the template engine and the query codes live outside the domain.
pub trait NoticePrinter {
    /// The shipped template of a kind.
    fn default_template(&self, kind: NoticeKind) -> String;
    /// Renders `document` with `template`. A receipt also shows the query code of `case`,
    /// derived anew at each printing (it is stored nowhere in clear), so the same inputs
    /// always give the same bytes.
    fn print(
        &self,
        template: &str,
        document: &NoticeDocument<'_>,
        case: CaseId,
    ) -> Result<Printed, String>;
}

/// Everything issuing and voiding read and write.
pub trait NoticeStore:
    CaseRepository
    + CenterRepository
    + WindowRepository
    + ServiceItemRepository
    + StatsRepository
    + NoticeRepository
    + NewsSink
{
}

impl<T> NoticeStore for T where
    T: CaseRepository
        + CenterRepository
        + WindowRepository
        + ServiceItemRepository
        + StatsRepository
        + NoticeRepository
        + NewsSink
{
}

/// Why issuing or voiding was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoticeWorkflowError {
    /// The case or the notice does not exist.
    #[error("{0}")]
    NotFound(&'static str),
    /// The caller may not handle this case.
    #[error("{0}")]
    Forbidden(&'static str),
    /// The case changed while the notice was being issued.
    #[error("the case changed while the notice was issued: try again")]
    Stale,
    /// The state refuses the kind, or the notice is void already.
    #[error(transparent)]
    Notice(#[from] NoticeError),
    /// Invalid values.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// Storage failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

/// Where a notice is issued: the hall's clock and offset, and its public address.
#[derive(Debug, Clone, Copy)]
pub struct Issuing<'a> {
    /// Now.
    pub now: Moment,
    /// The hall's offset from UTC, for the local dates of past events.
    pub offset: FixedOffset,
    /// The hall's public address, for the receipt's QR code.
    pub lookup_base: &'a str,
}

/// Issues a notice of `kind` on a case, after `authorize` has accepted the caller for it:
/// numbers it in the register of the case's centre, kind and year, prints it, keeps the
/// facts and the template it was printed with, and records an `issue_notice` event
/// carrying the document's SHA-256.
pub fn issue<R: NoticeStore>(
    repo: &mut R,
    printer: &dyn NoticePrinter,
    case_id: CaseId,
    kind: NoticeKind,
    actor: UserId,
    at: Issuing<'_>,
    authorize: impl FnOnce(&Case) -> Result<(), NoticeWorkflowError>,
) -> Result<Notice, NoticeWorkflowError> {
    let case = repo
        .case(case_id)?
        .ok_or(NoticeWorkflowError::NotFound("no such case"))?;
    authorize(&case)?;
    if !kind.applies_to(&case) {
        return Err(NoticeError::NotApplicable {
            kind,
            status: case.status,
        }
        .into());
    }
    let missing = |what: &str| RepositoryError::Internal(format!("case {case_id} has no {what}"));
    let center = repo
        .center(case.center_id)?
        .ok_or_else(|| missing("centre"))?;
    let window = repo
        .window(case.window_id)?
        .ok_or_else(|| missing("window"))?;
    let item = repo
        .item_version(case.item_id, case.item_version)?
        .ok_or_else(|| missing("item version"))?;
    let events = repo.case_events(case.id)?;
    let facts = facts_of(
        &center,
        &case,
        &item,
        &window,
        &events,
        at.offset,
        at.lookup_base,
    );
    let template = match repo.notice_template(center.id, kind)? {
        Some(own) => own.body,
        None => printer.default_template(kind),
    };
    let year = at.now.today.year();
    let seq = repo.next_notice_seq(center.id, kind, year)?;
    let mut notice = Notice {
        id: NoticeId::new(),
        case_id: case.id,
        center_id: center.id,
        kind,
        year,
        seq,
        number: notice_number(&super::short_name(&center.name), kind, year, seq),
        facts,
        template,
        sha256: String::new(),
        issued_at: at.now.at,
        issued_on: at.now.today,
        issued_by: actor,
        void: None,
    };
    notice.sha256 = printer
        .print(&notice.template, &notice.document(), case.id)
        .map_err(NoticeError::Template)?
        .sha256;
    let performed = case.note_notice(
        EventDetails::IssueNotice {
            notice_id: notice.id,
            kind,
            number: notice.number.clone(),
            sha256: notice.sha256.clone(),
        },
        at.now.at,
        at.now.today,
        actor,
    );
    if !repo.update_case(&performed.case, case.version)? {
        return Err(NoticeWorkflowError::Stale);
    }
    repo.insert_notice(&case.region, &notice)?;
    record(repo, &performed)?;
    Ok(notice)
}

/// Voids a notice, after `authorize` has accepted the caller for its case: it keeps its
/// number, prints marked void with the reason, and a `void_notice` event records it. A
/// notice is voided once.
pub fn void<R: NoticeStore>(
    repo: &mut R,
    printer: &dyn NoticePrinter,
    notice_id: NoticeId,
    reason: &str,
    actor: UserId,
    now: Moment,
    authorize: impl FnOnce(&Case) -> Result<(), NoticeWorkflowError>,
) -> Result<Notice, NoticeWorkflowError> {
    let mut errors = ValidationErrors::default();
    errors.text("reason", reason, 1000);
    errors.into_result()?;
    let mut notice = repo
        .notice(notice_id)?
        .ok_or(NoticeWorkflowError::NotFound("no such notice"))?;
    let case = repo
        .case(notice.case_id)?
        .ok_or_else(|| RepositoryError::Internal(format!("notice {notice_id} has no case")))?;
    authorize(&case)?;
    if notice.void.is_some() {
        return Err(NoticeError::AlreadyVoid(notice.number).into());
    }
    let mark = VoidMark {
        at: now.at,
        on: now.today,
        by: actor,
        reason: reason.to_owned(),
    };
    if !repo.void_notice(notice.id, &mark)? {
        return Err(NoticeError::AlreadyVoid(notice.number).into());
    }
    notice.void = Some(mark);
    let printed = printer
        .print(&notice.template, &notice.document(), case.id)
        .map_err(NoticeError::Template)?;
    let performed = case.note_notice(
        EventDetails::VoidNotice {
            notice_id: notice.id,
            kind: notice.kind,
            number: notice.number.clone(),
            reason: reason.to_owned(),
            sha256: printed.sha256,
        },
        now.at,
        now.today,
        actor,
    );
    if !repo.update_case(&performed.case, case.version)? {
        return Err(NoticeWorkflowError::Stale);
    }
    record(repo, &performed)?;
    Ok(notice)
}
