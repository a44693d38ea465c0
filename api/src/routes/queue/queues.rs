//! `/api/v1/centers/{id}/queues` and `/api/v1/queues/{id}`: the queues of a centre.

use actix_web::{HttpResponse, get, post, put, web};
use domain::ValidationErrors;
use domain::audit::AuditAction;
use domain::ids::{CenterId, QueueId};
use domain::permission::Permission;
use domain::queue::{Queue, QueueInput};
use domain::repository::{CenterRepository, QueueRepository, RepositoryResult, WindowRepository};
use persistence::AnyConnection;

use crate::auth::{Allowed, Identity, ManageCatalogue};
use crate::json::Json;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::{Audited, Record, change_audited, create_audited, found, taken};
use crate::state::AppState;

const PREFIX_TAKEN: &str = "the centre already has a queue with this prefix";

impl Record for Queue {
    type Id = QueueId;
    const WHAT: &'static str = "queue";

    fn record_id(&self) -> String {
        self.id.to_string()
    }

    fn load(conn: &mut AnyConnection, id: QueueId) -> RepositoryResult<Option<Self>> {
        conn.queue(id)
    }

    fn store(&self, conn: &mut AnyConnection) -> Result<(), ApiError> {
        conn.update_queue(self).map_err(taken(PREFIX_TAKEN))
    }
}

/// Lists a centre's queues, by prefix.
#[utoipa::path(
    tag = "queue", operation_id = "list_queues", security(("bearer" = [])), params(("id" = CenterId, Path)),
    responses((status = 200, body = Vec<Queue>), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/centers/{id}/queues")]
pub async fn list_queues(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<CenterId>,
) -> ApiResult<web::Json<Vec<Queue>>> {
    identity.require(Permission::ReadCatalogue)?;
    let center = id.into_inner();
    let queues = state
        .read(move |conn| {
            found(conn.center(center)?, "centre")?;
            Ok(conn.queues_of(center)?)
        })
        .await?;
    Ok(web::Json(queues))
}

/// Creates a queue in a centre (admin): its prefix letter, the items and windows it feeds,
/// its daily cap, issuing hours, warning threshold and no-show policy.
#[utoipa::path(
    tag = "queue", operation_id = "create_queue", security(("bearer" = [])), params(("id" = CenterId, Path)), request_body = QueueInput,
    responses(
        (status = 201, body = Queue),
        (status = 409, description = "The prefix is taken in that centre", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/centers/{id}/queues")]
pub async fn create_queue(
    state: web::Data<AppState>,
    id: web::Path<CenterId>,
    allowed: Allowed<ManageCatalogue, Json<QueueInput>>,
) -> ApiResult<HttpResponse> {
    let now = state.now().at;
    let (identity, input) = (allowed.identity, allowed.inner.into_inner());
    input.validate()?;
    let center = id.into_inner();
    let queue = state
        .write(move |conn| {
            found(conn.center(center)?, "centre")?;
            let queue = input.into_queue(center, now);
            check_references(conn, &queue)?;
            create_audited(
                conn,
                Audited::new(now, identity.user_id, AuditAction::QueueCreate),
                queue,
                |conn, queue| conn.insert_queue(queue).map_err(taken(PREFIX_TAKEN)),
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(queue))
}

/// Reads one queue.
#[utoipa::path(
    tag = "queue", operation_id = "get_queue", security(("bearer" = [])), params(("id" = QueueId, Path)),
    responses((status = 200, body = Queue), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/queues/{id}")]
pub async fn get_queue(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<QueueId>,
) -> ApiResult<web::Json<Queue>> {
    identity.require(Permission::ReadCatalogue)?;
    let id = id.into_inner();
    let queue = state.read(move |conn| Ok(conn.queue(id)?)).await?;
    Ok(web::Json(found(queue, "queue")?))
}

/// Replaces a queue's values (admin); its centre stays. Tickets already issued keep their
/// numbers; a new cap or hours count from the next ticket.
#[utoipa::path(
    tag = "queue", operation_id = "update_queue", security(("bearer" = [])), params(("id" = QueueId, Path)), request_body = QueueInput,
    responses(
        (status = 200, body = Queue),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/queues/{id}")]
pub async fn update_queue(
    state: web::Data<AppState>,
    id: web::Path<QueueId>,
    allowed: Allowed<ManageCatalogue, Json<QueueInput>>,
) -> ApiResult<web::Json<Queue>> {
    let now = state.now().at;
    let (identity, input) = (allowed.identity, allowed.inner.into_inner());
    input.validate()?;
    let id = id.into_inner();
    let (_, queue) = state
        .write(move |conn| {
            change_audited::<Queue>(
                conn,
                Audited::new(now, identity.user_id, AuditAction::QueueUpdate),
                id,
                |conn, before| {
                    let queue = input.apply_to(&before, now);
                    check_references(conn, &queue)?;
                    Ok(queue)
                },
            )
        })
        .await?;
    Ok(web::Json(queue))
}

/// Every item and window a queue names exists, and every window stands in its centre.
fn check_references(conn: &mut AnyConnection, queue: &Queue) -> Result<(), ApiError> {
    use domain::repository::ServiceItemRepository;
    let mut errors = ValidationErrors::default();
    let items = conn.items_by_ids(&queue.item_ids)?;
    if items.len() != queue.item_ids.len() {
        errors.add("item_ids", "names an item that does not exist");
    }
    for window in &queue.window_ids {
        match conn.window(*window)? {
            Some(w) if w.center_id == queue.center_id => {}
            _ => {
                errors.add("window_ids", "names a window that is not in this centre");
                break;
            }
        }
    }
    Ok(errors.into_result()?)
}
