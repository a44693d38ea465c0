//! `GET|PUT|DELETE /api/v1/centers/{id}/notice-templates/{kind}`: a centre's own template
//! for a kind of notice, in place of the shipped one.

use actix_web::{delete, get, put, web};
use chrono::{DateTime, Utc};
use domain::ValidationErrors;
use domain::audit::AuditAction;
use domain::ids::{CenterId, UserId};
use domain::notice::{NoticeKind, TemplateOverride};
use domain::repository::{CenterRepository, NoticeRepository};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::audit;
use crate::auth::{Allowed, ManageCatalogue};
use crate::json::Json;
use crate::notices::{check_template, shipped_template};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::found;
use crate::state::AppState;

/// The longest template accepted, in characters: the shipped ones are 1 to 3 thousand, and a
/// bound well under 32 KiB keeps the document's limit one that fuzzers can reach.
pub(crate) const LONGEST_TEMPLATE: usize = 20_000;

/// The template a centre's notices of a kind are issued with.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeTemplateView {
    /// The centre.
    pub center_id: CenterId,
    /// The kind.
    pub kind: NoticeKind,
    /// Whether it is the centre's own (`true`) or the shipped one.
    pub custom: bool,
    /// Its source: minijinja, HTML autoescaped; it may `{% extends "layout" %}` (the shipped
    /// layout) and use the `cn_date` filter. It is given `notice` (`title`, `kind`, `number`,
    /// `issued_on`, `facts`, `void`) and, on a receipt, `lookup` (`code`, `qr_svg`).
    pub body: String,
    /// When the centre's own was put; `null` for the shipped one.
    pub updated_at: Option<DateTime<Utc>>,
    /// Who put it.
    pub updated_by: Option<UserId>,
}

/// A centre's own template.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeTemplateInput {
    /// The template's source (see `NoticeTemplateView.body`). It must parse, and render on
    /// sample facts (every part filled, and every optional part left out) a document that
    /// shows the notice's number and the case's number.
    pub body: String,
}

impl NoticeTemplateView {
    fn of(center_id: CenterId, kind: NoticeKind, own: Option<TemplateOverride>) -> Self {
        match own {
            Some(own) => Self {
                center_id,
                kind,
                custom: true,
                body: own.body,
                updated_at: Some(own.updated_at),
                updated_by: Some(own.updated_by),
            },
            None => Self {
                center_id,
                kind,
                custom: false,
                body: shipped_template(kind).to_owned(),
                updated_at: None,
                updated_by: None,
            },
        }
    }
}

/// Reads the template a centre's notices of a kind are issued with: its own, or the shipped
/// one.
#[utoipa::path(
    tag = "notices", operation_id = "get_notice_template", security(("bearer" = [])),
    params(("id" = CenterId, Path), ("kind" = NoticeKind, Path)),
    responses(
        (status = 200, body = NoticeTemplateView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/centers/{id}/notice-templates/{kind}")]
pub async fn get_notice_template(
    state: web::Data<AppState>,
    path: web::Path<(CenterId, NoticeKind)>,
    allowed: Allowed<ManageCatalogue, ()>,
) -> ApiResult<web::Json<NoticeTemplateView>> {
    let _ = allowed.identity;
    let (center, kind) = path.into_inner();
    let view = state
        .read(move |conn| {
            found(conn.center(center)?, "centre")?;
            let own = conn.notice_template(center, kind)?;
            Ok(NoticeTemplateView::of(center, kind, own))
        })
        .await?;
    Ok(web::Json(view))
}

/// Gives a centre its own template for a kind of notice (recorded in the audit trail). It is tried on sample facts first:
/// a template that does not parse, uses an unknown filter or variable, or fails to render is
/// refused with the engine's error (`template-invalid`), never at print time. Notices issued
/// before keep the template they were issued with.
#[utoipa::path(
    tag = "notices", operation_id = "put_notice_template", security(("bearer" = [])),
    params(("id" = CenterId, Path), ("kind" = NoticeKind, Path)), request_body = NoticeTemplateInput,
    responses(
        (status = 200, body = NoticeTemplateView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`template-invalid`: the engine's error; `validation`: the body is too long or holds a control character", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/centers/{id}/notice-templates/{kind}")]
pub async fn put_notice_template(
    state: web::Data<AppState>,
    path: web::Path<(CenterId, NoticeKind)>,
    allowed: Allowed<ManageCatalogue, Json<NoticeTemplateInput>>,
) -> ApiResult<web::Json<NoticeTemplateView>> {
    let (identity, body) = (allowed.identity, allowed.inner.into_inner());
    let (center, kind) = path.into_inner();
    let mut errors = ValidationErrors::default();
    errors.optional_text("body", &body.body, LONGEST_TEMPLATE);
    errors.into_result()?;
    check_template(kind, &body.body).map_err(ApiError::TemplateInvalid)?;
    let own = TemplateOverride {
        center_id: center,
        kind,
        body: body.body,
        updated_at: state.now().at,
        updated_by: identity.user_id,
    };
    let view = state
        .write(move |conn| {
            found(conn.center(center)?, "centre")?;
            let before = conn.notice_template(center, kind)?;
            audit(
                conn,
                own.updated_at,
                Some(own.updated_by),
                AuditAction::NoticeTemplatePut,
                format!("{center}/{}", kind.as_str()),
                before.as_ref(),
                Some(&own),
            )?;
            conn.put_notice_template(&own)?;
            Ok(NoticeTemplateView::of(center, kind, Some(own)))
        })
        .await?;
    Ok(web::Json(view))
}

/// Takes a centre back to the shipped template for a kind; answers the template now in use.
/// Notices issued with the centre's own keep it.
#[utoipa::path(
    tag = "notices", operation_id = "delete_notice_template", security(("bearer" = [])),
    params(("id" = CenterId, Path), ("kind" = NoticeKind, Path)),
    responses(
        (status = 200, description = "The shipped template, now in use", body = NoticeTemplateView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/centers/{id}/notice-templates/{kind}")]
pub async fn delete_notice_template(
    state: web::Data<AppState>,
    path: web::Path<(CenterId, NoticeKind)>,
    allowed: Allowed<ManageCatalogue, ()>,
) -> ApiResult<web::Json<NoticeTemplateView>> {
    let actor = allowed.identity.user_id;
    let (center, kind) = path.into_inner();
    let now = state.now().at;
    let view = state
        .write(move |conn| {
            found(conn.center(center)?, "centre")?;
            if let Some(before) = conn.notice_template(center, kind)? {
                audit(
                    conn,
                    now,
                    Some(actor),
                    AuditAction::NoticeTemplateDelete,
                    format!("{center}/{}", kind.as_str()),
                    Some(&before),
                    None::<&TemplateOverride>,
                )?;
                conn.delete_notice_template(center, kind)?;
            }
            Ok(NoticeTemplateView::of(center, kind, None))
        })
        .await?;
    Ok(web::Json(view))
}
