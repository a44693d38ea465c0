//! `GET /api/v1/notices/{id}` (the record, or the printable document) and
//! `GET /api/v1/cases/{id}/notices`.

use actix_web::{HttpRequest, HttpResponse, get, web};
use domain::ids::{CaseId, NoticeId};
use domain::notice::workflow::NoticePrinter;
use domain::permission::Permission;
use domain::repository::{CaseRepository, NoticeRepository};
use serde::Serialize;
use utoipa::ToSchema;

use super::{NoticeView, printer};
use crate::access_log::record_reads;
use crate::auth::Identity;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::cases::within;
use crate::routes::found;
use crate::routes::stats::accepts;
use crate::state::AppState;

/// A case's notices, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseNotices {
    /// Every notice, voided ones too.
    pub items: Vec<NoticeView>,
}

/// What `GET /notices/{id}` answers, as asked.
enum Printout {
    Record(NoticeView),
    Html(String),
}

/// Reads a notice: its record as JSON, or with `Accept: text/html` the printable document
/// (A4, Chinese, no external resources) — the same bytes every time, whose SHA-256 is the
/// record's `sha256` until it is voided; a voided notice prints marked void with the reason.
#[utoipa::path(
    tag = "notices", operation_id = "get_notice", security(("bearer" = [])), params(("id" = NoticeId, Path)),
    responses(
        (status = 200, description = "The notice's record (JSON), or its printable document for `Accept: text/html`", content(
            (NoticeView = "application/json"),
            (String = "text/html"),
        )),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/notices/{id}")]
pub async fn get_notice(
    state: web::Data<AppState>,
    identity: Identity,
    request: HttpRequest,
    id: web::Path<NoticeId>,
) -> ApiResult<HttpResponse> {
    let own_window = identity.case_scope(Permission::ReadCases)?;
    let id = id.into_inner();
    let html = accepts(&request, "text/html");
    let reader = identity.user_id;
    let now = state.now().at;
    let printer = printer(&state);
    let answer = state
        .read(move |conn| {
            let notice = found(conn.notice(id)?, "notice")?;
            let case = found(conn.case(notice.case_id)?, "case")?;
            within(own_window, &case)?;
            if !html {
                return Ok(Printout::Record(NoticeView::from(notice)));
            }
            // The document names the applicant.
            record_reads(conn, now, reader, [case.id], "get_notice")?;
            let printed = printer
                .print(&notice.template, &notice.document(), case.id)
                .map_err(ApiError::Internal)?;
            Ok(Printout::Html(printed.html))
        })
        .await?;
    Ok(match answer {
        // The document needs nothing but its own inline styles and SVG: a script or a fetch
        // slipped into a centre's template would run nowhere.
        Printout::Html(html) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((
                "Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            ))
            .body(html),
        Printout::Record(record) => HttpResponse::Ok().json(record),
    })
}

/// A case's notices, oldest first, voided ones too.
#[utoipa::path(
    tag = "notices", operation_id = "list_case_notices", security(("bearer" = [])), params(("id" = CaseId, Path)),
    responses(
        (status = 200, body = CaseNotices),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/notices")]
pub async fn list_case_notices(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<CaseId>,
) -> ApiResult<web::Json<CaseNotices>> {
    let own_window = identity.case_scope(Permission::ReadCases)?;
    let id = id.into_inner();
    let notices = state
        .read(move |conn| {
            let case = found(conn.case(id)?, "case")?;
            within(own_window, &case)?;
            Ok(conn.notices_of_case(id)?)
        })
        .await?;
    Ok(web::Json(CaseNotices {
        items: notices.into_iter().map(NoticeView::from).collect(),
    }))
}
