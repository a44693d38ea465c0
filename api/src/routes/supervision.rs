//! `/api/v1/supervision`: electronic supervision (电子监察) of open cases.

use actix_web::{get, web};
use chrono::NaiveDate;
use domain::case::{CaseStatus, Warning, warning_for};
use domain::catalogue::subtree;
use domain::ids::{CaseId, CenterId, ServiceItemId, WindowId};
use domain::permission::Permission;
use domain::repository::{CaseFilter, CaseRepository, CenterRepository};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Identity;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::cases::case_scope;
use crate::state::{AppState, calendar};

/// Which warnings to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WarningQuery {
    /// Only this level.
    pub level: Option<Warning>,
    /// Only at this centre and the centres beneath it.
    pub center: Option<CenterId>,
    /// Only at this window.
    pub window: Option<WindowId>,
}

/// An open case with a yellow or red card. No personal data: analysts read this too.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningView {
    /// The card.
    pub warning: Warning,
    /// Working days left (0 = due today); for yellow cards.
    pub days_left: Option<i64>,
    /// Working days past the deadline; for red cards.
    pub days_overdue: Option<i64>,
    /// The case.
    pub case_id: CaseId,
    /// Its number.
    pub case_no: String,
    /// Where it stands.
    pub status: CaseStatus,
    /// The service item.
    pub item_id: ServiceItemId,
    /// The window handling it.
    pub window_id: WindowId,
    /// That window's centre.
    pub center_id: CenterId,
    /// The local date of receipt.
    pub received_on: NaiveDate,
    /// The deadline.
    pub deadline: NaiveDate,
}

/// The warnings, most urgent first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Warnings {
    /// The local date the cards were judged on.
    pub today: NaiveDate,
    /// Working days left at which a card turns yellow.
    pub yellow_days: u32,
    /// The cards, earliest deadline first.
    pub items: Vec<WarningView>,
}

/// Open cases at yellow (at most `HALL_YELLOW_DAYS` working days left) or red (past the
/// deadline), most urgent first. A paused case's clock does not run: it gets no card.
#[utoipa::path(
    tag = "supervision", operation_id = "list_warnings", security(("bearer" = [])), params(WarningQuery),
    responses((status = 200, body = Warnings), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/supervision/warnings")]
pub async fn list_warnings(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<WarningQuery>,
) -> ApiResult<web::Json<Warnings>> {
    let own_window = case_scope(&identity, Permission::ReadStatistics)?;
    let query = query.into_inner();
    if let (Some(own), Some(asked)) = (own_window, query.window)
        && own != asked
    {
        return Err(ApiError::Forbidden(
            "a clerk sees the warnings of their own window only",
        ));
    }
    let today = state.now().today;
    let yellow_days = state.settings.yellow_days;
    let items = state
        .read(move |conn| {
            let calendar = calendar(conn)?;
            let center_ids = match query.center {
                Some(center) => Some(subtree(center, &conn.center_tree()?)),
                None => None,
            };
            let filter = CaseFilter {
                center_ids,
                window_id: own_window.or(query.window),
                ..CaseFilter::default()
            };
            let horizon = calendar.add_working_days(today, yellow_days)?;
            let mut items = Vec::new();
            for case in conn.cases_due_by(horizon, &filter)? {
                let Some((warning, days)) =
                    warning_for(case.status, case.deadline, today, &calendar, yellow_days)?
                else {
                    continue;
                };
                if query.level.is_some_and(|level| level != warning) {
                    continue;
                }
                let Some(deadline) = case.deadline else {
                    continue;
                };
                items.push(WarningView {
                    warning,
                    days_left: (warning == Warning::Yellow).then_some(days),
                    days_overdue: (warning == Warning::Red).then_some(days),
                    case_id: case.id,
                    case_no: case.case_no,
                    status: case.status,
                    item_id: case.item_id,
                    window_id: case.window_id,
                    center_id: case.center_id,
                    received_on: case.received_on,
                    deadline,
                });
            }
            Ok(items)
        })
        .await?;
    Ok(web::Json(Warnings {
        today,
        yellow_days,
        items,
    }))
}
