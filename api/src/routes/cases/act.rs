//! `POST /api/v1/cases/{id}/events`: perform an action of the lifecycle.

use actix_web::{post, web};
use domain::case::Action;
use domain::case::workflow::{self, WorkflowError};
use domain::ids::CaseId;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{CaseView, view};
use crate::access_log::record_reads;
use crate::auth::{Allowed, HandleCases};
use crate::json::Json;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// An action with the version of the case it was decided on.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionBody {
    /// The case's `version` as last read; a stale version is refused with 409.
    pub version: i64,
    /// The action and its fields.
    #[serde(flatten)]
    pub action: Action,
}

/// Performs an action: `start`, `pause`, `resume`, `extend` and `transfer` (supervisors and
/// admins), `complete`, `deliver` or `withdraw`. Appends one event in the same transaction.
#[utoipa::path(
    tag = "cases", operation_id = "create_case_event", security(("bearer" = [])), params(("id" = CaseId, Path)), request_body = ActionBody,
    responses(
        (status = 200, description = "The case after the action", body = CaseView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`transition-not-allowed`: the state does not allow the action; `stale-version`: the version is stale", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation`: invalid values; `calendar-year-missing`: the deadline would reach a year the calendar does not cover", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/events")]
pub async fn create_case_event(
    state: web::Data<AppState>,
    id: web::Path<CaseId>,
    allowed: Allowed<HandleCases, Json<ActionBody>>,
) -> ApiResult<web::Json<CaseView>> {
    let (identity, body) = (allowed.identity, allowed.inner);
    let ActionBody { version, action } = body.into_inner();
    let completes = matches!(action, Action::Complete { .. });
    let own_window = identity.case_scope(action.permission())?;
    let id = id.into_inner();
    let now = state.now();
    let actor = identity.user_id;
    let calendars = state.calendars.clone();
    let case = state
        .write(move |conn| {
            let calendar = calendars.for_write(conn)?;
            let case = workflow::act(conn, &calendar, id, version, &action, actor, now, |case| {
                match own_window {
                    Some(window) if window != case.window_id => Err(WorkflowError::Forbidden(
                        "this case belongs to another window",
                    )),
                    _ => Ok(()),
                }
            })?;
            // The answer shows the applicant's personal data to whoever acted.
            record_reads(conn, now.at, actor, [case.id], "create_case_event")?;
            view(conn, case, &calendar)
        })
        .await?;
    if completes {
        state.metrics.cases_completed.inc();
    }
    Ok(web::Json(case))
}
