//! `/api/v1/departments`: the agencies that own service items.

use actix_web::{HttpResponse, get, post, put, web};
use domain::audit::AuditAction;
use domain::catalogue::{Department, DepartmentInput};
use domain::ids::DepartmentId;
use domain::page::Page;
use domain::permission::Permission;
use domain::repository::{DepartmentRepository, RepositoryResult};

use persistence::AnyConnection;

use crate::auth::{Allowed, Identity, ManageCatalogue};
use crate::json::Json;
use crate::parameters::Query;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::{Audited, PageQuery, Record, change_audited, create_audited, found, taken};
use crate::state::AppState;

const CODE_TAKEN: &str = "a department with this code already exists";

impl Record for Department {
    type Id = DepartmentId;
    const WHAT: &'static str = "department";

    fn record_id(&self) -> String {
        self.id.to_string()
    }

    fn load(conn: &mut AnyConnection, id: DepartmentId) -> RepositoryResult<Option<Self>> {
        conn.department(id)
    }

    fn store(&self, conn: &mut AnyConnection) -> Result<(), ApiError> {
        conn.update_department(self).map_err(taken(CODE_TAKEN))
    }
}

/// Lists departments, ordered by creation.
#[utoipa::path(
    tag = "departments", operation_id = "list_departments", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<Department>), (status = 401, body = Problem, content_type = "application/problem+json"))
)]
#[get("/departments")]
pub async fn list_departments(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<PageQuery>,
) -> ApiResult<web::Json<Page<Department>>> {
    identity.require(Permission::ReadCatalogue)?;
    let page = query.into_inner().request()?;
    Ok(web::Json(
        state.read(move |conn| Ok(conn.departments(&page)?)).await?,
    ))
}

/// Reads one department.
#[utoipa::path(
    tag = "departments", operation_id = "get_department", security(("bearer" = [])), params(("id" = DepartmentId, Path)),
    responses((status = 200, body = Department), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/departments/{id}")]
pub async fn get_department(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<DepartmentId>,
) -> ApiResult<web::Json<Department>> {
    identity.require(Permission::ReadCatalogue)?;
    let id = id.into_inner();
    let department = state.read(move |conn| Ok(conn.department(id)?)).await?;
    Ok(web::Json(found(department, "department")?))
}

/// Creates a department (admin).
#[utoipa::path(
    tag = "departments", operation_id = "create_department", security(("bearer" = [])), request_body = DepartmentInput,
    responses(
        (status = 201, body = Department),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/departments")]
pub async fn create_department(
    state: web::Data<AppState>,
    allowed: Allowed<ManageCatalogue, Json<DepartmentInput>>,
) -> ApiResult<HttpResponse> {
    let now = state.now().at;
    let (identity, body) = (allowed.identity, allowed.inner);
    let input = body.into_inner();
    input.validate()?;
    let department = input.into_department(DepartmentId::new(), now);
    let department = state
        .write(move |conn| {
            let department = create_audited(
                conn,
                Audited::new(now, identity.user_id, AuditAction::DepartmentCreate),
                department,
                |conn, department| {
                    conn.insert_department(department)
                        .map_err(taken(CODE_TAKEN))
                },
            )?;
            Ok(department)
        })
        .await?;
    Ok(HttpResponse::Created().json(department))
}

/// Replaces a department's code and name (admin).
#[utoipa::path(
    tag = "departments", operation_id = "update_department", security(("bearer" = [])), params(("id" = DepartmentId, Path)), request_body = DepartmentInput,
    responses(
        (status = 200, body = Department),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/departments/{id}")]
pub async fn update_department(
    state: web::Data<AppState>,
    id: web::Path<DepartmentId>,
    allowed: Allowed<ManageCatalogue, Json<DepartmentInput>>,
) -> ApiResult<web::Json<Department>> {
    let now = state.now().at;
    let (identity, body) = (allowed.identity, allowed.inner);
    let input = body.into_inner();
    input.validate()?;
    let id = id.into_inner();
    let department = state
        .write(move |conn| {
            let (_, department) = change_audited::<Department>(
                conn,
                Audited::new(now, identity.user_id, AuditAction::DepartmentUpdate),
                id,
                |_, before| {
                    let department = before.updated(input, now);
                    Ok(department)
                },
            )?;
            Ok(department)
        })
        .await?;
    Ok(web::Json(department))
}

/// Deactivates a department (admin); it stays in the history.
#[utoipa::path(
    tag = "departments", operation_id = "deactivate_department", security(("bearer" = [])), params(("id" = DepartmentId, Path)),
    responses((status = 200, body = Department), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[post("/departments/{id}/deactivate")]
pub async fn deactivate_department(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<DepartmentId>,
) -> ApiResult<web::Json<Department>> {
    let now = state.now().at;
    identity.require(Permission::ManageCatalogue)?;
    let id = id.into_inner();
    let department = state
        .write(move |conn| {
            let (_, department) = change_audited::<Department>(
                conn,
                Audited::new(now, identity.user_id, AuditAction::DepartmentDeactivate),
                id,
                |_, before| {
                    let department = Department {
                        active: false,
                        updated_at: now,
                        ..before
                    };
                    Ok(department)
                },
            )?;
            Ok(department)
        })
        .await?;
    Ok(web::Json(department))
}
