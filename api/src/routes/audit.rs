//! `/api/v1/audit`: the trail of administrative changes (admin). Read-only: nothing in the
//! API edits or deletes it.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use domain::audit::{AuditEntry, AuditFilter};
use domain::ids::UserId;
use domain::page::Page;
use domain::permission::Permission;
use domain::repository::AuditRepository;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Identity;
use crate::parameters::Query;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// Which entries to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only of this kind of record: center, department, item, window, user, calendar, case, demo.
    pub entity: Option<String>,
    /// Only of this record.
    pub entity_id: Option<String>,
    /// Only by this user.
    pub actor: Option<UserId>,
    /// Only this action, e.g. `user.deactivate`.
    pub action: Option<String>,
    /// Only at or after this moment (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Only before this moment (RFC 3339).
    pub until: Option<DateTime<Utc>>,
    /// How many, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(
        pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub after: Option<String>,
}

/// The administrative changes, newest first: who, when, what, before and after.
#[utoipa::path(
    tag = "audit", operation_id = "list_audit_entries", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/audit")]
pub async fn list_audit_entries(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<AuditQuery>,
) -> ApiResult<web::Json<Page<AuditEntry>>> {
    identity.require(Permission::ManageCatalogue)?;
    let query = query.into_inner();
    let mut errors = domain::ValidationErrors::default();
    errors.date("since", query.since);
    errors.date("until", query.until);
    errors.into_result()?;
    let page = crate::routes::PageQuery {
        limit: query.limit,
        after: query.after,
    }
    .request()?;
    let filter = AuditFilter {
        entity: query.entity,
        entity_id: query.entity_id,
        actor_id: query.actor,
        action: query.action,
        since: query.since,
        until: query.until,
    };
    Ok(web::Json(
        state
            .read(move |conn| Ok(conn.audit_entries(&filter, &page)?))
            .await?,
    ))
}
