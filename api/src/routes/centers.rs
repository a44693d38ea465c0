//! `/api/v1/centers`: the tree of service centres.

use actix_web::{HttpResponse, get, post, put, web};
use domain::ValidationErrors;
use domain::audit::AuditAction;
use domain::calendar::{Calendars, Division};
use domain::case::recompute::{load_calendars, recompute_open_cases};
use domain::catalogue::{Center, CenterInput, subtree, would_cycle};
use domain::ids::CenterId;
use domain::page::Page;
use domain::permission::Permission;
use domain::repository::{CenterRepository, RepositoryResult};
use persistence::AnyConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Allowed, Identity, ManageCatalogue};
use crate::json::Json;
use crate::parameters::Query;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::{Audited, PageQuery, Record, change_audited, create_audited, found, taken};
use crate::state::AppState;

const CODE_TAKEN: &str = "a centre with this code already exists";

impl Record for Center {
    type Id = CenterId;
    const WHAT: &'static str = "centre";

    fn record_id(&self) -> String {
        self.id.to_string()
    }

    fn load(conn: &mut AnyConnection, id: CenterId) -> RepositoryResult<Option<Self>> {
        conn.center(id)
    }

    fn store(&self, conn: &mut AnyConnection) -> Result<(), ApiError> {
        conn.update_center(self).map_err(taken(CODE_TAKEN))
    }
}

/// A centre, with the division whose calendar it keeps.
#[derive(Debug, Serialize, ToSchema)]
pub struct CenterView {
    /// The centre as stored (`division` is its own, `null` when it inherits).
    #[serde(flatten)]
    pub center: Center,
    /// The division in force: its own, else its nearest ancestor's; `null` when none has one
    /// (the national calendar alone applies).
    pub effective_division: Option<Division>,
}

impl CenterView {
    fn new(center: Center, calendars: &Calendars) -> Self {
        Self {
            effective_division: calendars.division_of(center.id).cloned(),
            center,
        }
    }
}

/// Lists centres, ordered by creation.
#[utoipa::path(
    tag = "centers", operation_id = "list_centers", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<CenterView>), (status = 401, body = Problem, content_type = "application/problem+json"))
)]
#[get("/centers")]
pub async fn list_centers(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<PageQuery>,
) -> ApiResult<web::Json<Page<CenterView>>> {
    identity.require(Permission::ReadCatalogue)?;
    let page = query.into_inner().request()?;
    let calendars = state.calendars.clone();
    let found = state
        .read(move |conn| {
            let found = conn.centers(&page)?;
            let calendars = calendars.get(conn)?;
            Ok(Page {
                items: found
                    .items
                    .into_iter()
                    .map(|c| CenterView::new(c, &calendars))
                    .collect(),
                next_cursor: found.next_cursor,
            })
        })
        .await?;
    Ok(web::Json(found))
}

/// Reads one centre.
#[utoipa::path(
    tag = "centers", operation_id = "get_center", security(("bearer" = [])), params(("id" = CenterId, Path)),
    responses((status = 200, body = CenterView), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/centers/{id}")]
pub async fn get_center(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<CenterId>,
) -> ApiResult<web::Json<CenterView>> {
    identity.require(Permission::ReadCatalogue)?;
    let id = id.into_inner();
    let calendars = state.calendars.clone();
    let center = state
        .read(move |conn| {
            let center = found(conn.center(id)?, "centre")?;
            Ok(CenterView::new(center, &*calendars.get(conn)?))
        })
        .await?;
    Ok(web::Json(center))
}

/// Creates a centre (admin).
#[utoipa::path(
    tag = "centers", operation_id = "create_center", security(("bearer" = [])), request_body = CenterInput,
    responses(
        (status = 201, body = CenterView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/centers")]
pub async fn create_center(
    state: web::Data<AppState>,
    allowed: Allowed<ManageCatalogue, Json<CenterInput>>,
) -> ApiResult<HttpResponse> {
    let now = state.now().at;
    let (identity, body) = (allowed.identity, allowed.inner);
    let input = body.into_inner();
    input.validate()?;
    let center = input.into_center(CenterId::new(), now);
    let center = state
        .write(move |conn| {
            check_parent(conn, &center)?;
            let center = create_audited(
                conn,
                Audited::new(now, identity.user_id, AuditAction::CenterCreate),
                center,
                |conn, center| conn.insert_center(center).map_err(taken(CODE_TAKEN)),
            )?;
            Ok(CenterView::new(center, &load_calendars(conn)?))
        })
        .await?;
    Ok(HttpResponse::Created().json(center))
}

/// Replaces a centre's code, name, parent and division (admin). When the division in
/// force changes for it or the centres beneath it, their open cases' deadlines follow the
/// new calendar at once, each moved one with a `recompute` event.
#[utoipa::path(
    tag = "centers", operation_id = "update_center", security(("bearer" = [])), params(("id" = CenterId, Path)), request_body = CenterInput,
    responses(
        (status = 200, body = CenterView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/centers/{id}")]
pub async fn update_center(
    state: web::Data<AppState>,
    id: web::Path<CenterId>,
    allowed: Allowed<ManageCatalogue, Json<CenterInput>>,
) -> ApiResult<web::Json<CenterView>> {
    let (identity, body) = (allowed.identity, allowed.inner);
    let input = body.into_inner();
    input.validate()?;
    let id = id.into_inner();
    let now = state.now();
    let center = state
        .write(move |conn| {
            let (before, center) = change_audited::<Center>(
                conn,
                Audited::new(now.at, identity.user_id, AuditAction::CenterUpdate),
                id,
                |conn, before| {
                    let center = before.updated(input, now.at)?;
                    check_parent(conn, &center)?;
                    Ok(center)
                },
            )?;
            let calendars = load_calendars(conn)?;
            if before.division != center.division || before.parent_id != center.parent_id {
                let moved = subtree(center.id, &conn.center_tree()?);
                let why = format!(
                    "centre {} now keeps the calendar of {}",
                    center.code,
                    calendars
                        .division_of(center.id)
                        .map_or("the nation (no division)", Division::region_name)
                );
                let recomputed = recompute_open_cases(
                    conn,
                    &calendars,
                    Some(&moved),
                    &why,
                    Some(identity.user_id),
                    now,
                )?;
                tracing::info!(center = %center.id, recomputed, "centre's calendar changed");
            }
            Ok(CenterView::new(center, &calendars))
        })
        .await?;
    Ok(web::Json(center))
}

/// Deactivates a centre (admin); it stays in the history.
#[utoipa::path(
    tag = "centers", operation_id = "deactivate_center", security(("bearer" = [])), params(("id" = CenterId, Path)),
    responses((status = 200, body = CenterView), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[post("/centers/{id}/deactivate")]
pub async fn deactivate_center(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<CenterId>,
) -> ApiResult<web::Json<CenterView>> {
    identity.require(Permission::ManageCatalogue)?;
    let id = id.into_inner();
    let now = state.now().at;
    let center = state
        .write(move |conn| {
            let (_, center) = change_audited::<Center>(
                conn,
                Audited::new(now, identity.user_id, AuditAction::CenterDeactivate),
                id,
                |_, before| {
                    let center = Center {
                        active: false,
                        updated_at: now,
                        ..before
                    };
                    Ok(center)
                },
            )?;
            Ok(CenterView::new(center, &load_calendars(conn)?))
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
