//! `/api/v1/items`: the service items (事项) with their guides.

use actix_web::{HttpResponse, get, post, put, web};
use domain::ValidationErrors;
use domain::audit::AuditAction;
use domain::catalogue::{ServiceItem, ServiceItemInput};
use domain::ids::ServiceItemId;
use domain::page::Page;
use domain::permission::Permission;
use domain::repository::{DepartmentRepository, RepositoryResult, ServiceItemRepository};
use persistence::AnyConnection;

use crate::auth::{Allowed, Identity, ManageCatalogue};
use crate::json::Json;
use crate::parameters::Query;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::{Audited, PageQuery, Record, change_audited, create_audited, found, taken};
use crate::state::AppState;

const CODE_TAKEN: &str = "a service item with this code already exists";

impl Record for ServiceItem {
    type Id = ServiceItemId;
    const WHAT: &'static str = "service item";

    fn record_id(&self) -> String {
        self.id.to_string()
    }

    fn load(conn: &mut AnyConnection, id: ServiceItemId) -> RepositoryResult<Option<Self>> {
        conn.item(id)
    }

    fn store(&self, conn: &mut AnyConnection) -> Result<(), ApiError> {
        conn.update_item(self).map_err(taken(CODE_TAKEN))
    }
}

/// Lists service items, ordered by creation.
#[utoipa::path(
    tag = "items", operation_id = "list_items", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<ServiceItem>), (status = 401, body = Problem, content_type = "application/problem+json"))
)]
#[get("/items")]
pub async fn list_items(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<PageQuery>,
) -> ApiResult<web::Json<Page<ServiceItem>>> {
    identity.require(Permission::ReadCatalogue)?;
    let page = query.into_inner().request()?;
    Ok(web::Json(
        state.read(move |conn| Ok(conn.items(&page)?)).await?,
    ))
}

/// Reads one service item with its guide.
#[utoipa::path(
    tag = "items", operation_id = "get_item", security(("bearer" = [])), params(("id" = ServiceItemId, Path)),
    responses((status = 200, body = ServiceItem), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/items/{id}")]
pub async fn get_item(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<ServiceItemId>,
) -> ApiResult<web::Json<ServiceItem>> {
    identity.require(Permission::ReadCatalogue)?;
    let id = id.into_inner();
    let item = state.read(move |conn| Ok(conn.item(id)?)).await?;
    Ok(web::Json(found(item, "service item")?))
}

/// Reads an item's guide as it stood at one version: the one a case was accepted under.
#[utoipa::path(
    tag = "items", operation_id = "get_item_version", security(("bearer" = [])),
    params(("id" = ServiceItemId, Path), ("version" = u32, Path)),
    responses((status = 200, body = ServiceItem), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/items/{id}/versions/{version}")]
pub async fn get_item_version(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(ServiceItemId, u32)>,
) -> ApiResult<web::Json<ServiceItem>> {
    identity.require(Permission::ReadCatalogue)?;
    let (id, version) = path.into_inner();
    let item = state
        .read(move |conn| Ok(conn.item_version(id, version)?))
        .await?;
    Ok(web::Json(found(item, "version of this service item")?))
}

/// Creates a service item (admin).
#[utoipa::path(
    tag = "items", operation_id = "create_item", security(("bearer" = [])), request_body = ServiceItemInput,
    responses(
        (status = 201, body = ServiceItem),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/items")]
pub async fn create_item(
    state: web::Data<AppState>,
    allowed: Allowed<ManageCatalogue, Json<ServiceItemInput>>,
) -> ApiResult<HttpResponse> {
    let now = state.now().at;
    let (identity, body) = (allowed.identity, allowed.inner);
    let input = body.into_inner();
    input.validate()?;
    let item = input.into_item(ServiceItemId::new(), now);
    let item = state
        .write(move |conn| {
            check_department(conn, &item)?;
            let item = create_audited(
                conn,
                Audited::new(now, identity.user_id, AuditAction::ItemCreate),
                item,
                |conn, item| conn.insert_item(item).map_err(taken(CODE_TAKEN)),
            )?;
            Ok(item)
        })
        .await?;
    Ok(HttpResponse::Created().json(item))
}

/// Replaces a service item's values and guide (admin).
#[utoipa::path(
    tag = "items", operation_id = "update_item", security(("bearer" = [])), params(("id" = ServiceItemId, Path)), request_body = ServiceItemInput,
    responses(
        (status = 200, body = ServiceItem),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/items/{id}")]
pub async fn update_item(
    state: web::Data<AppState>,
    id: web::Path<ServiceItemId>,
    allowed: Allowed<ManageCatalogue, Json<ServiceItemInput>>,
) -> ApiResult<web::Json<ServiceItem>> {
    let now = state.now().at;
    let (identity, body) = (allowed.identity, allowed.inner);
    let input = body.into_inner();
    input.validate()?;
    let id = id.into_inner();
    let item = state
        .write(move |conn| {
            let (_, item) = change_audited::<ServiceItem>(
                conn,
                Audited::new(now, identity.user_id, AuditAction::ItemUpdate),
                id,
                |conn, before| {
                    let item = before.updated(input, now);
                    check_department(conn, &item)?;
                    Ok(item)
                },
            )?;
            Ok(item)
        })
        .await?;
    Ok(web::Json(item))
}

/// Deactivates a service item (admin): no new cases; existing ones go on.
#[utoipa::path(
    tag = "items", operation_id = "deactivate_item", security(("bearer" = [])), params(("id" = ServiceItemId, Path)),
    responses((status = 200, body = ServiceItem), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[post("/items/{id}/deactivate")]
pub async fn deactivate_item(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<ServiceItemId>,
) -> ApiResult<web::Json<ServiceItem>> {
    let now = state.now().at;
    identity.require(Permission::ManageCatalogue)?;
    let id = id.into_inner();
    let item = state
        .write(move |conn| {
            let (_, item) = change_audited::<ServiceItem>(
                conn,
                Audited::new(now, identity.user_id, AuditAction::ItemDeactivate),
                id,
                |_, before| {
                    let item = ServiceItem {
                        active: false,
                        updated_at: now,
                        ..before
                    };
                    Ok(item)
                },
            )?;
            Ok(item)
        })
        .await?;
    Ok(web::Json(item))
}

fn check_department(conn: &mut AnyConnection, item: &ServiceItem) -> Result<(), ApiError> {
    match conn.department(item.department_id)? {
        Some(_) => Ok(()),
        None => Err(ValidationErrors::single("department_id", "no such department").into()),
    }
}
