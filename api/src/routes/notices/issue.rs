//! `POST /api/v1/cases/{id}/notices`: issue a notice on a case.

use actix_web::{HttpResponse, post, web};
use domain::ids::CaseId;
use domain::notice::NoticeKind;
use domain::notice::workflow::{self, Issuing};
use domain::permission::Permission;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{NoticeView, in_reach, printer};
use crate::auth::{Allowed, HandleCases};
use crate::json::Json;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// Which notice to issue.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueNotice {
    /// The kind: `receipt` once accepted, `refusal` once refused at intake, `supplement`
    /// while paused for missing materials, `extension` while open after an extension,
    /// `decision` once completed, `delivery` once delivered.
    pub kind: NoticeKind,
}

/// Issues a notice on a case: numbers it in the register of the case's centre, kind and year,
/// keeps the document's facts and template so that it prints the same every time, and
/// records an `issue_notice` event with the document's SHA-256 (the case's version moves on).
#[utoipa::path(
    tag = "notices", operation_id = "create_case_notice", security(("bearer" = [])), params(("id" = CaseId, Path)), request_body = IssueNotice,
    responses(
        (status = 201, description = "The notice issued", body = NoticeView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`notice-not-applicable`: the case's state does not call for this kind; `stale-version`: the case changed meanwhile", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/notices")]
pub async fn create_case_notice(
    state: web::Data<AppState>,
    id: web::Path<CaseId>,
    allowed: Allowed<HandleCases, Json<IssueNotice>>,
) -> ApiResult<HttpResponse> {
    let (identity, body) = (allowed.identity, allowed.inner.into_inner());
    let own_window = identity.case_scope(Permission::HandleCases)?;
    let id = id.into_inner();
    let printer = printer(&state);
    let (now, offset) = (state.now(), state.settings.utc_offset);
    let public_url = state.public_url.clone();
    let notice = state
        .write(move |conn| {
            let at = Issuing {
                now,
                offset,
                lookup_base: &public_url,
            };
            Ok(workflow::issue(
                conn,
                &printer,
                id,
                body.kind,
                identity.user_id,
                at,
                |case| in_reach(own_window, case),
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(NoticeView::from(notice)))
}
