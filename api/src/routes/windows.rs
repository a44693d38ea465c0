//! `/api/v1/windows`: the numbered counters and the items each serves.

use actix_web::{HttpResponse, get, post, put, web};
use domain::ValidationErrors;
use domain::audit::AuditAction;
use domain::catalogue::{Window, WindowInput};
use domain::ids::WindowId;
use domain::page::Page;
use domain::permission::Permission;
use domain::repository::{
    CenterRepository, RepositoryResult, ServiceItemRepository, WindowRepository,
};
use persistence::AnyConnection;

use crate::auth::{Allowed, Identity, ManageCatalogue};
use crate::json::Json;
use crate::parameters::Query;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::{Audited, PageQuery, Record, change_audited, create_audited, found, taken};
use crate::state::AppState;

const NUMBER_TAKEN: &str = "the centre already has a window with this number";

impl Record for Window {
    type Id = WindowId;
    const WHAT: &'static str = "window";

    fn record_id(&self) -> String {
        self.id.to_string()
    }

    fn load(conn: &mut AnyConnection, id: WindowId) -> RepositoryResult<Option<Self>> {
        conn.window(id)
    }

    fn store(&self, conn: &mut AnyConnection) -> Result<(), ApiError> {
        conn.update_window(self).map_err(taken(NUMBER_TAKEN))
    }
}

/// Lists windows, ordered by creation.
#[utoipa::path(
    tag = "windows", operation_id = "list_windows", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<Window>), (status = 401, body = Problem, content_type = "application/problem+json"))
)]
#[get("/windows")]
pub async fn list_windows(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<PageQuery>,
) -> ApiResult<web::Json<Page<Window>>> {
    identity.require(Permission::ReadCatalogue)?;
    let page = query.into_inner().request()?;
    Ok(web::Json(
        state.read(move |conn| Ok(conn.windows(&page)?)).await?,
    ))
}

/// Reads one window with its items.
#[utoipa::path(
    tag = "windows", operation_id = "get_window", security(("bearer" = [])), params(("id" = WindowId, Path)),
    responses((status = 200, body = Window), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/windows/{id}")]
pub async fn get_window(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<WindowId>,
) -> ApiResult<web::Json<Window>> {
    identity.require(Permission::ReadCatalogue)?;
    let id = id.into_inner();
    let window = state.read(move |conn| Ok(conn.window(id)?)).await?;
    Ok(web::Json(found(window, "window")?))
}

/// Creates a window (admin).
#[utoipa::path(
    tag = "windows", operation_id = "create_window", security(("bearer" = [])), request_body = WindowInput,
    responses(
        (status = 201, body = Window),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The number is taken in that centre", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/windows")]
pub async fn create_window(
    state: web::Data<AppState>,
    allowed: Allowed<ManageCatalogue, Json<WindowInput>>,
) -> ApiResult<HttpResponse> {
    let now = state.now().at;
    let (identity, body) = (allowed.identity, allowed.inner);
    let input = body.into_inner();
    input.validate()?;
    let window = input.into_window(WindowId::new(), now);
    let window = state
        .write(move |conn| {
            check_references(conn, &window)?;
            let window = create_audited(
                conn,
                Audited::new(now, identity.user_id, AuditAction::WindowCreate),
                window,
                |conn, window| conn.insert_window(window).map_err(taken(NUMBER_TAKEN)),
            )?;
            Ok(window)
        })
        .await?;
    Ok(HttpResponse::Created().json(window))
}

/// Replaces a window's centre, number, name, kind and items (admin).
#[utoipa::path(
    tag = "windows", operation_id = "update_window", security(("bearer" = [])), params(("id" = WindowId, Path)), request_body = WindowInput,
    responses(
        (status = 200, body = Window),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/windows/{id}")]
pub async fn update_window(
    state: web::Data<AppState>,
    id: web::Path<WindowId>,
    allowed: Allowed<ManageCatalogue, Json<WindowInput>>,
) -> ApiResult<web::Json<Window>> {
    let now = state.now().at;
    let (identity, body) = (allowed.identity, allowed.inner);
    let input = body.into_inner();
    input.validate()?;
    let id = id.into_inner();
    let window = state
        .write(move |conn| {
            let (_, window) = change_audited::<Window>(
                conn,
                Audited::new(now, identity.user_id, AuditAction::WindowUpdate),
                id,
                |conn, before| {
                    let window = before.updated(input, now);
                    check_references(conn, &window)?;
                    Ok(window)
                },
            )?;
            Ok(window)
        })
        .await?;
    Ok(web::Json(window))
}

/// Closes a window (admin); its history stays.
#[utoipa::path(
    tag = "windows", operation_id = "deactivate_window", security(("bearer" = [])), params(("id" = WindowId, Path)),
    responses((status = 200, body = Window), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[post("/windows/{id}/deactivate")]
pub async fn deactivate_window(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<WindowId>,
) -> ApiResult<web::Json<Window>> {
    let now = state.now().at;
    identity.require(Permission::ManageCatalogue)?;
    let id = id.into_inner();
    let window = state
        .write(move |conn| {
            let (_, window) = change_audited::<Window>(
                conn,
                Audited::new(now, identity.user_id, AuditAction::WindowDeactivate),
                id,
                |_, before| {
                    let window = Window {
                        active: false,
                        updated_at: now,
                        ..before
                    };
                    Ok(window)
                },
            )?;
            Ok(window)
        })
        .await?;
    Ok(web::Json(window))
}

/// The centre and every listed item must exist.
fn check_references(conn: &mut AnyConnection, window: &Window) -> Result<(), ApiError> {
    let mut errors = ValidationErrors::default();
    if conn.center(window.center_id)?.is_none() {
        errors.add("center_id", "no such centre");
    }
    let missing = conn.missing_items(&window.item_ids)?;
    if !missing.is_empty() {
        let ids: Vec<String> = missing.iter().map(ToString::to_string).collect();
        errors.add(
            "item_ids",
            format!("no such service items: {}", ids.join(", ")),
        );
    }
    Ok(errors.into_result()?)
}
