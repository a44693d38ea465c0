//! `/api/v1/centers`: the tree of service centres.

use actix_web::{HttpResponse, get, post, put, web};
use chrono::Utc;
use domain::ValidationErrors;
use domain::catalogue::{Center, CenterInput, would_cycle};
use domain::clock::stored_moment;
use domain::ids::CenterId;
use domain::page::Page;
use domain::permission::Permission;
use domain::repository::CenterRepository;
use persistence::AnyConnection;

use crate::audit::audit;
use crate::auth::{Allowed, Identity, ManageCatalogue};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::{PageQuery, found, taken};
use crate::state::AppState;

const CODE_TAKEN: &str = "a centre with this code already exists";

/// Lists centres, ordered by creation.
#[utoipa::path(
    tag = "centers", operation_id = "list_centers", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<Center>), (status = 401, body = Problem, content_type = "application/problem+json"))
)]
#[get("/centers")]
pub async fn list_centers(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<PageQuery>,
) -> ApiResult<web::Json<Page<Center>>> {
    identity.require(Permission::ReadCatalogue)?;
    let page = query.into_inner().request()?;
    Ok(web::Json(
        state.read(move |conn| Ok(conn.centers(&page)?)).await?,
    ))
}

/// Reads one centre.
#[utoipa::path(
    tag = "centers", operation_id = "get_center", security(("bearer" = [])), params(("id" = CenterId, Path)),
    responses((status = 200, body = Center), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/centers/{id}")]
pub async fn get_center(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<CenterId>,
) -> ApiResult<web::Json<Center>> {
    identity.require(Permission::ReadCatalogue)?;
    let id = id.into_inner();
    let center = state.read(move |conn| Ok(conn.center(id)?)).await?;
    Ok(web::Json(found(center, "centre")?))
}

/// Creates a centre (admin).
#[utoipa::path(
    tag = "centers", operation_id = "create_center", security(("bearer" = [])), request_body = CenterInput,
    responses(
        (status = 201, body = Center),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/centers")]
pub async fn create_center(
    state: web::Data<AppState>,
    allowed: Allowed<ManageCatalogue, web::Json<CenterInput>>,
) -> ApiResult<HttpResponse> {
    let (identity, body) = (allowed.identity, allowed.inner);
    let input = body.into_inner();
    input.validate()?;
    let center = input.into_center(CenterId::new(), stored_moment(Utc::now()));
    let center = state
        .write(move |conn| {
            check_parent(conn, &center)?;
            conn.insert_center(&center).map_err(taken(CODE_TAKEN))?;
            audit(
                conn,
                Some(identity.user_id),
                "center.create",
                center.id,
                None::<&Center>,
                Some(&center),
            )?;
            Ok(center)
        })
        .await?;
    Ok(HttpResponse::Created().json(center))
}

/// Replaces a centre's code, name and parent (admin).
#[utoipa::path(
    tag = "centers", operation_id = "update_center", security(("bearer" = [])), params(("id" = CenterId, Path)), request_body = CenterInput,
    responses(
        (status = 200, body = Center),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/centers/{id}")]
pub async fn update_center(
    state: web::Data<AppState>,
    id: web::Path<CenterId>,
    allowed: Allowed<ManageCatalogue, web::Json<CenterInput>>,
) -> ApiResult<web::Json<Center>> {
    let (identity, body) = (allowed.identity, allowed.inner);
    let input = body.into_inner();
    input.validate()?;
    let id = id.into_inner();
    let center = state
        .write(move |conn| {
            let before = found(conn.center(id)?, "centre")?;
            let center = before.clone().updated(input, stored_moment(Utc::now()))?;
            check_parent(conn, &center)?;
            conn.update_center(&center).map_err(taken(CODE_TAKEN))?;
            audit(
                conn,
                Some(identity.user_id),
                "center.update",
                center.id,
                Some(&before),
                Some(&center),
            )?;
            Ok(center)
        })
        .await?;
    Ok(web::Json(center))
}

/// Deactivates a centre (admin); it stays in the history.
#[utoipa::path(
    tag = "centers", operation_id = "deactivate_center", security(("bearer" = [])), params(("id" = CenterId, Path)),
    responses((status = 200, body = Center), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[post("/centers/{id}/deactivate")]
pub async fn deactivate_center(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<CenterId>,
) -> ApiResult<web::Json<Center>> {
    identity.require(Permission::ManageCatalogue)?;
    let id = id.into_inner();
    let center = state
        .write(move |conn| {
            let before = found(conn.center(id)?, "centre")?;
            let center = Center {
                active: false,
                updated_at: stored_moment(Utc::now()),
                ..before.clone()
            };
            conn.update_center(&center)?;
            audit(
                conn,
                Some(identity.user_id),
                "center.deactivate",
                center.id,
                Some(&before),
                Some(&center),
            )?;
            Ok(center)
        })
        .await?;
    Ok(web::Json(center))
}

/// The parent must exist and must not lie beneath the centre itself.
fn check_parent(conn: &mut AnyConnection, center: &Center) -> Result<(), ApiError> {
    let Some(parent) = center.parent_id else {
        return Ok(());
    };
    if conn.center(parent)?.is_none() {
        return Err(ValidationErrors::single("parent_id", "no such centre").into());
    }
    let mut lookup_error = None;
    let cycle = would_cycle(center.id, parent, |id| match conn.center(id) {
        Ok(found) => found.and_then(|c| c.parent_id),
        Err(e) => {
            lookup_error = Some(e);
            None
        }
    });
    if let Some(error) = lookup_error {
        return Err(error.into());
    }
    if cycle {
        return Err(
            ValidationErrors::single("parent_id", "would place the centre beneath itself").into(),
        );
    }
    Ok(())
}
