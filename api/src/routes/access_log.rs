//! `/api/v1/access-log`: who read which applicant's personal data, when and through which
//! route (admin). Read-only: nothing in the API edits or deletes it.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use domain::access::{AccessEntry, AccessFilter};
use domain::ids::{CaseId, UserId};
use domain::page::Page;
use domain::permission::Permission;
use domain::repository::AccessLogRepository;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Identity;
use crate::parameters::Query;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// Which reads to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccessQuery {
    /// Only reads by this user.
    pub user: Option<UserId>,
    /// Only reads of this case.
    pub case: Option<CaseId>,
    /// Only at or after this moment (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Only before this moment (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// How many, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(
        pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub after: Option<String>,
}

/// The reads of applicants' personal data by staff, newest first: who, when, which case,
/// through which route.
#[utoipa::path(
    tag = "audit", operation_id = "list_access_entries", security(("bearer" = [])), params(AccessQuery),
    responses((status = 200, body = Page<AccessEntry>), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/access-log")]
pub async fn list_access_entries(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<AccessQuery>,
) -> ApiResult<web::Json<Page<AccessEntry>>> {
    identity.require(Permission::ManageCatalogue)?;
    let query = query.into_inner();
    let page = crate::routes::PageQuery {
        limit: query.limit,
        after: query.after,
    }
    .request()?;
    let filter = AccessFilter {
        user_id: query.user,
        case_id: query.case,
        from: query.from,
        to: query.to,
    };
    Ok(web::Json(
        state
            .read(move |conn| Ok(conn.access_entries(&filter, &page)?))
            .await?,
    ))
}
