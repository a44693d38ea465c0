//! Liveness and readiness, outside `/api/v1`, for load balancers and orchestrators.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// The answer of the health endpoints.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `ready`.
    pub status: &'static str,
}

/// The process is alive.
#[utoipa::path(tag = "health", operation_id = "get_healthz", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The process can serve: the database answers.
#[utoipa::path(
    tag = "health",
    operation_id = "get_readyz",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "The database is unavailable", body = crate::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let store = state.store.clone();
    web::block(move || store.ping())
        .await?
        .map_err(ApiError::from)?;
    Ok(HttpResponse::Ok().json(Health { status: "ready" }))
}
