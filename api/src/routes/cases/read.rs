//! Reading cases: the filtered list, one case, its history and its deadline explained.

use actix_web::{get, web};
use chrono::NaiveDate;
use domain::case::workflow::Moment;
use domain::case::{CaseEvent, CaseStatus, DeadlineExplanation, Warning, due_windows};
use domain::ids::{CaseId, CenterId, DepartmentId, ServiceItemId, WindowId};
use domain::page::Page;
use domain::permission::Permission;
use domain::repository::{CaseFilter, CaseRepository};
use persistence::AnyConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{CaseView, center_and_beneath, view, views, within};
use crate::access_log::record_reads;
use crate::auth::{Identity, window_in_reach};
use crate::parameters::Query;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::{PageQuery, found};
use crate::state::AppState;

/// Filters of the case list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaseQuery {
    /// Only in this state.
    pub status: Option<CaseStatus>,
    /// Only at this centre and the centres beneath it.
    pub center: Option<CenterId>,
    /// Only at this window.
    pub window: Option<WindowId>,
    /// Only for this service item.
    pub item: Option<ServiceItemId>,
    /// Only of this department.
    pub department: Option<DepartmentId>,
    /// Received on or after this local date.
    pub received_from: Option<NaiveDate>,
    /// Received on or before this local date.
    pub received_to: Option<NaiveDate>,
    /// Only open cases with this warning.
    pub warning: Option<Warning>,
    /// Exactly this case number or applicant ID number.
    pub q: Option<String>,
    /// How many, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(
        pattern = "^[0-9]{4}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]\\.[0-9]{6}_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub after: Option<String>,
}

/// A case's deadline, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineView {
    /// The case.
    pub case_id: CaseId,
    /// Its number.
    pub case_no: String,
    /// The arithmetic: start date, promised days, each pause and extension, the result.
    #[serde(flatten)]
    pub explanation: DeadlineExplanation,
    /// When it was completed, the local date; on time ⇔ `completed_on` ≤ `deadline`.
    pub completed_on: Option<NaiveDate>,
    /// Whether it was completed on time.
    pub on_time: Option<bool>,
}

/// The case history, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseEvents {
    /// Every event.
    pub items: Vec<CaseEvent>,
}

/// Turns the query into a filter within the caller's reach.
fn case_filter(
    conn: &mut AnyConnection,
    query: CaseQuery,
    own_window: Option<WindowId>,
    state: &AppState,
) -> Result<CaseFilter, ApiError> {
    let window_id = window_in_reach(
        own_window,
        query.window,
        "a clerk sees the cases of their own window only",
    )?;
    let mut errors = domain::ValidationErrors::default();
    errors.date("received_from", query.received_from);
    errors.date("received_to", query.received_to);
    errors.into_result()?;
    let center_ids = center_and_beneath(conn, query.center)?;
    let due_between = match query.warning {
        None => None,
        Some(level) => Some(due_windows(
            level,
            &*state.calendars.get(conn)?,
            state.now().today,
            state.settings.yellow_days,
        )?),
    };
    Ok(CaseFilter {
        status: query.status,
        center_ids,
        window_id,
        item_id: query.item,
        department_id: query.department,
        received_from: query.received_from,
        received_to: query.received_to,
        due_between,
        materials_due_before: None,
        q: query.q.filter(|q| !q.trim().is_empty()),
    })
}

/// Lists cases, newest received first, with keyset pagination.
#[utoipa::path(
    tag = "cases", operation_id = "list_cases", security(("bearer" = [])), params(CaseQuery),
    responses(
        (status = 200, body = Page<CaseView>),
        (status = 403, description = "Analysts see no individual case; clerks only their window's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases")]
pub async fn list_cases(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<CaseQuery>,
) -> ApiResult<web::Json<Page<CaseView>>> {
    let own_window = identity.case_scope(Permission::ReadCases)?;
    let query = query.into_inner();
    let page = PageQuery {
        limit: query.limit,
        after: query.after.clone(),
    }
    .request()?;
    let shared = state.clone();
    let reader = identity.user_id;
    let now = state.now().at;
    let found = state
        .read(move |conn| {
            let filter = case_filter(conn, query, own_window, &shared)?;
            let found = conn.cases(&filter, &page)?;
            // Every case on the page shows its applicant's personal data.
            record_reads(
                conn,
                now,
                reader,
                found.items.iter().map(|c| c.id),
                "list_cases",
            )?;
            let calendars = shared.calendars.get(conn)?;
            Ok(Page {
                items: views(conn, found.items, &calendars)?,
                next_cursor: found.next_cursor,
            })
        })
        .await?;
    Ok(web::Json(found))
}

/// Reads one case.
#[utoipa::path(
    tag = "cases", operation_id = "get_case", security(("bearer" = [])), params(("id" = CaseId, Path)),
    responses(
        (status = 200, body = CaseView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}")]
pub async fn get_case(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<CaseId>,
) -> ApiResult<web::Json<CaseView>> {
    let own_window = identity.case_scope(Permission::ReadCases)?;
    let id = id.into_inner();
    let reader = identity.user_id;
    let calendars = state.calendars.clone();
    let now = state.now().at;
    let case = state
        .read(move |conn| {
            let case = found(conn.case(id)?, "case")?;
            within(own_window, &case)?;
            record_reads(conn, now, reader, [case.id], "get_case")?;
            let calendars = calendars.get(conn)?;
            view(conn, case, &calendars)
        })
        .await?;
    Ok(web::Json(case))
}

/// A case's history (办件流转记录), oldest first.
#[utoipa::path(
    tag = "cases", operation_id = "list_case_events", security(("bearer" = [])), params(("id" = CaseId, Path)),
    responses(
        (status = 200, body = CaseEvents),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/events")]
pub async fn list_case_events(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<CaseId>,
) -> ApiResult<web::Json<CaseEvents>> {
    let own_window = identity.case_scope(Permission::ReadCases)?;
    let id = id.into_inner();
    let (case, events) = state
        .read(move |conn| {
            let case = found(conn.case(id)?, "case")?;
            Ok((case, conn.case_events(id)?))
        })
        .await?;
    within(own_window, &case)?;
    Ok(web::Json(CaseEvents { items: events }))
}

/// A case's deadline explained: start date, promised days, each pause and extension with
/// its working days, and the result.
#[utoipa::path(
    tag = "cases", operation_id = "get_case_deadline", security(("bearer" = [])), params(("id" = CaseId, Path)),
    responses(
        (status = 200, body = DeadlineView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A case refused at intake has no deadline", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/deadline")]
pub async fn get_case_deadline(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<CaseId>,
) -> ApiResult<web::Json<DeadlineView>> {
    let own_window = identity.case_scope(Permission::ReadCases)?;
    let id = id.into_inner();
    let today = state.now().today;
    let offset = state.settings.utc_offset;
    let calendars = state.calendars.clone();
    let (case, explanation) = state
        .read(move |conn| {
            let case = found(conn.case(id)?, "case")?;
            within(own_window, &case)?;
            if case.deadline.is_none() {
                return Err(ApiError::Unprocessable(
                    "a case refused at intake has no deadline".into(),
                ));
            }
            // A closed case's clock stopped with its last event.
            let as_of = if case.status.is_open() {
                today
            } else {
                Moment::new(case.updated_at, offset).today
            };
            let explanation = case.clock.explain(
                calendars.get(conn)?.for_center(case.center_id),
                as_of.max(case.received_on),
            )?;
            Ok((case, explanation))
        })
        .await?;
    Ok(web::Json(DeadlineView {
        case_id: case.id,
        case_no: case.case_no,
        explanation,
        completed_on: case.completed_on,
        on_time: case.on_time,
    }))
}
