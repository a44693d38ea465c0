//! `POST /api/v1/notices/{id}/void`: void a notice.

use actix_web::{post, web};
use domain::ids::NoticeId;
use domain::notice::workflow;
use domain::permission::Permission;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{NoticeView, in_reach, printer};
use crate::auth::{Allowed, HandleCases};
use crate::json::Json;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// Why a notice is voided.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidNotice {
    /// Why, printed on the voided document.
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
}

/// Voids a notice (作废): it keeps its number, prints marked void with the reason, and a
/// `void_notice` event records it. A notice is voided once.
#[utoipa::path(
    tag = "notices", operation_id = "void_notice", security(("bearer" = [])), params(("id" = NoticeId, Path)), request_body = VoidNotice,
    responses(
        (status = 200, description = "The notice, voided", body = NoticeView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`notice-voided`: it is void already; `stale-version`: the case changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/notices/{id}/void")]
pub async fn void_notice(
    state: web::Data<AppState>,
    id: web::Path<NoticeId>,
    allowed: Allowed<HandleCases, Json<VoidNotice>>,
) -> ApiResult<web::Json<NoticeView>> {
    let (identity, body) = (allowed.identity, allowed.inner.into_inner());
    let own_window = identity.case_scope(Permission::HandleCases)?;
    let id = id.into_inner();
    let printer = printer(&state);
    let now = state.now();
    let notice = state
        .write(move |conn| {
            Ok(workflow::void(
                conn,
                &printer,
                id,
                &body.reason,
                identity.user_id,
                now,
                |case| in_reach(own_window, case),
            )?)
        })
        .await?;
    Ok(web::Json(NoticeView::from(notice)))
}
