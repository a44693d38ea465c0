//! `/api/v1/cases`: intake at a window, reading cases and their histories and deadlines,
//! and the actions of the lifecycle.

mod act;
mod intake;
mod notifications;
mod read;

pub use act::*;
pub use intake::*;
pub use notifications::*;
pub use read::*;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::calendar::Calendars;
use domain::case::{
    Applicant, Case, CaseMaterial, CaseStatus, Certificate, Fee, Outcome, ResultCode,
};
use domain::catalogue::{Handling, subtree};
use domain::ids::{CaseId, CenterId, DepartmentId, ServiceItemId, TicketId, WindowId};
use domain::repository::{CenterRepository, QueueRepository};
use persistence::AnyConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::ApiError;

/// A case as staff see it, with the applicant's personal data.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    /// Its identifier.
    pub id: CaseId,
    /// `{region}-{YYYYMMDD}-{seq}`.
    pub case_no: String,
    /// Where it stands.
    pub status: CaseStatus,
    /// The status in Chinese.
    pub status_label: &'static str,
    /// Immediate or committed.
    pub handling: Handling,
    /// The service item.
    pub item_id: ServiceItemId,
    /// The version of its guide the case was accepted under
    /// (`GET /items/{item_id}/versions/{item_version}`).
    pub item_version: u32,
    /// The window now handling it.
    pub window_id: WindowId,
    /// That window's centre.
    pub center_id: CenterId,
    /// The item's department.
    pub department_id: DepartmentId,
    /// Who applied.
    pub applicant: Applicant,
    /// The clerk's note at intake.
    pub note: String,
    /// Why it was refused at intake.
    pub refusal_reason: Option<String>,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// The hall's local date of receipt.
    pub received_on: NaiveDate,
    /// The promised working days at acceptance.
    pub promised_days: u32,
    /// The last working day to complete on time (see `/deadline` for why).
    pub deadline: Option<NaiveDate>,
    /// True when the deadline counts days of a year whose notice is not loaded (national or
    /// the centre's region's): it follows the holiday law and may move when the notice comes.
    pub deadline_provisional: bool,
    /// Whether the clock is stopped now.
    pub paused: bool,
    /// When it was completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// The hall's local date of completion.
    pub completed_on: Option<NaiveDate>,
    /// Whether it was completed by its deadline.
    pub on_time: Option<bool>,
    /// The decision.
    pub outcome: Option<Outcome>,
    /// The decision's text.
    pub result: Option<String>,
    /// How it was concluded (办结结果), once completed.
    pub result_code: Option<ResultCode>,
    /// The result code in Chinese (出证办结, 退回办结 …).
    pub result_label: Option<&'static str>,
    /// The certificate its approval issued (证照).
    pub certificate: Option<Certificate>,
    /// The fees charged, amounts in fen.
    pub fees: Vec<Fee>,
    /// Every material of its guide (as at acceptance) and where it stands.
    pub materials: Vec<CaseMaterial>,
    /// The names of the materials it still lacks — deferred (容缺) or asked for by a 补正 —
    /// in the guide's order; the entries of `materials` say their promised dates. While a
    /// required one is missing, the case cannot be approved.
    pub missing_materials: Vec<String>,
    /// Send it back with the next action.
    pub version: i64,
    /// The queue ticket it was accepted from, if any.
    pub ticket_id: Option<TicketId>,
}

/// The views of `cases`, each with the ticket it came from: one query for the page.
pub(crate) fn views(
    conn: &mut AnyConnection,
    cases: Vec<Case>,
    calendars: &Calendars,
) -> Result<Vec<CaseView>, ApiError> {
    let ids: Vec<CaseId> = cases.iter().map(|c| c.id).collect();
    let tickets: HashMap<CaseId, TicketId> = conn.tickets_of_cases(&ids)?.into_iter().collect();
    Ok(cases
        .into_iter()
        .map(|case| {
            let ticket = tickets.get(&case.id).copied();
            CaseView::new(case, calendars, ticket)
        })
        .collect())
}

/// The view of one case, with the ticket it came from.
pub(crate) fn view(
    conn: &mut AnyConnection,
    case: Case,
    calendars: &Calendars,
) -> Result<CaseView, ApiError> {
    views(conn, vec![case], calendars)?
        .pop()
        .ok_or_else(|| ApiError::Internal("a case without a view".into()))
}

impl CaseView {
    /// The case as staff see it, its deadline judged by its centre's calendar.
    pub fn new(case: Case, calendars: &Calendars, ticket_id: Option<TicketId>) -> Self {
        let deadline_provisional = case.deadline_provisional(calendars.for_center(case.center_id));
        let missing_materials = case
            .missing_materials()
            .iter()
            .map(|m| m.material.name.clone())
            .collect();
        Self {
            missing_materials,
            result_label: case.result_code.map(ResultCode::label),
            deadline_provisional,
            id: case.id,
            status_label: case.status.label(),
            paused: case.clock.is_paused(),
            promised_days: case.clock.promised_days,
            case_no: case.case_no,
            status: case.status,
            handling: case.handling,
            item_id: case.item_id,
            item_version: case.item_version,
            window_id: case.window_id,
            center_id: case.center_id,
            department_id: case.department_id,
            applicant: case.applicant,
            note: case.note,
            refusal_reason: case.refusal_reason,
            received_at: case.received_at,
            received_on: case.received_on,
            deadline: case.deadline,
            completed_at: case.completed_at,
            completed_on: case.completed_on,
            on_time: case.on_time,
            outcome: case.outcome,
            result: case.result,
            result_code: case.result_code,
            certificate: case.certificate,
            fees: case.fees,
            materials: case.materials.items,
            version: case.version,
            ticket_id,
        }
    }
}

/// A centre and every centre beneath it, when a centre is asked for.
pub(crate) fn center_and_beneath(
    conn: &mut AnyConnection,
    center: Option<CenterId>,
) -> Result<Option<Vec<CenterId>>, ApiError> {
    match center {
        Some(center) => Ok(Some(subtree(center, &conn.center_tree()?))),
        None => Ok(None),
    }
}

/// Refuses a case outside the caller's window.
pub(crate) fn within(own_window: Option<WindowId>, case: &Case) -> Result<(), ApiError> {
    if domain::idempotency::may_read(own_window, case) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("this case belongs to another window"))
    }
}
