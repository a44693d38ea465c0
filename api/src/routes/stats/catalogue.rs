//! `GET /stats/catalogue`: the catalogue's figures.

use actix_web::{get, web};
use domain::permission::Permission;
use domain::report::{CatalogueFigures, catalogue_figures};

use super::whole_catalogue;
use crate::auth::Identity;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// Items by category and by handling, the totals of statutory days, promised days, days
/// cut and procedure steps, and windows by kind.
#[utoipa::path(
    tag = "stats", operation_id = "get_stats_catalogue", security(("bearer" = [])),
    responses((status = 200, body = CatalogueFigures), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/stats/catalogue")]
pub async fn get_stats_catalogue(
    state: web::Data<AppState>,
    identity: Identity,
) -> ApiResult<web::Json<CatalogueFigures>> {
    identity.require(Permission::ReadStatistics)?;
    let figures = state
        .read_replica(|conn| {
            let (items, windows) = whole_catalogue(conn)?;
            Ok(catalogue_figures(&items, &windows))
        })
        .await?;
    Ok(web::Json(figures))
}
