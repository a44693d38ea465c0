//! `/api/v1/centers/{id}/tickets` and `/api/v1/tickets/{id}`: tickets issued by staff (a
//! priority, a real name), read, and acted on at the counter.

use actix_web::{HttpResponse, get, post, web};
use domain::ids::{CaseId, CenterId, QueueId, TicketId};
use domain::permission::Permission;
use domain::queue::workflow::{self, TicketRequest};
use domain::queue::{Priority, Ticket, TicketAction, TicketEvent};
use domain::repository::QueueRepository;
use persistence::AnyConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{hall_time, ticket_actor};
use crate::auth::{Allowed, HandleCases, Identity};
use crate::json::Json;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::found;
use crate::state::AppState;

/// A ticket as staff see it: never the holder's ID number, which is not kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    /// The ticket.
    #[serde(flatten)]
    pub ticket: Ticket,
    /// While it waits, how many tickets of its queue are called before it.
    pub ahead: Option<u32>,
    /// The cases accepted from it.
    pub case_ids: Vec<CaseId>,
}

/// The view of a ticket, on the caller's connection.
pub(crate) fn view(conn: &mut AnyConnection, ticket: Ticket) -> Result<TicketView, ApiError> {
    let ahead = match ticket.status {
        domain::queue::TicketStatus::Waiting => Some(conn.waiting_ahead(&ticket)?),
        _ => None,
    };
    let case_ids = conn.cases_of_ticket(ticket.id)?;
    Ok(TicketView {
        ticket,
        ahead,
        case_ids,
    })
}

/// A ticket staff hand out at the door.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffTicketInput {
    /// The queue, of the centre in the path.
    pub queue_id: QueueId,
    /// Why it goes first, if it does (default `normal`).
    #[serde(default)]
    pub priority: Priority,
    /// The holder's resident ID number for real-name issuing: 18 characters with the
    /// GB 11643 check digit; kept only as a keyed hash. Someone of 60 or more gets an
    /// elderly ticket.
    #[schema(min_length = 18, max_length = 18, pattern = "^[0-9]{17}[0-9Xx]$")]
    pub id_number: Option<String>,
}

/// Issues a ticket at the door (a clerk or a supervisor): a priority or a real name.
#[utoipa::path(
    tag = "queue", operation_id = "issue_ticket", security(("bearer" = [])), params(("id" = CenterId, Path)), request_body = StaffTicketInput,
    responses(
        (status = 201, body = TicketView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`tickets-unavailable`: outside hours, closed today, inactive or full; `ticket-held`: this person already waits in this queue", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/centers/{id}/tickets")]
pub async fn issue_ticket(
    state: web::Data<AppState>,
    id: web::Path<CenterId>,
    allowed: Allowed<HandleCases, Json<StaffTicketInput>>,
) -> ApiResult<HttpResponse> {
    let (identity, input) = (allowed.identity, allowed.inner.into_inner());
    let center = id.into_inner();
    let now = hall_time(&state);
    let calendars = state.calendars.clone();
    let request = TicketRequest {
        queue_id: input.queue_id,
        priority: input.priority,
        id_number: input.id_number,
        actor: Some(identity.user_id),
    };
    let view = state
        .write(move |conn| {
            in_center(conn, request.queue_id, center)?;
            let calendars = calendars.for_write(conn)?;
            let issued = workflow::issue_ticket(conn, &calendars, &request, now)?;
            view(conn, issued.ticket)
        })
        .await?;
    // Committed: the screens may read the new waiting counts.
    state.display.wake(center);
    Ok(HttpResponse::Created().json(view))
}

/// The queue exists in the centre, or 404: a centre's tickets come from its own queues.
pub(crate) fn in_center(
    conn: &mut AnyConnection,
    queue: QueueId,
    center: CenterId,
) -> Result<(), ApiError> {
    match conn.queue(queue)? {
        Some(q) if q.center_id == center => Ok(()),
        _ => Err(ApiError::NotFound("no such queue in this centre".into())),
    }
}

/// Reads a ticket, with how many are before it and the cases it became.
#[utoipa::path(
    tag = "queue", operation_id = "get_ticket", security(("bearer" = [])), params(("id" = TicketId, Path)),
    responses((status = 200, body = TicketView), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/tickets/{id}")]
pub async fn get_ticket(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<TicketId>,
) -> ApiResult<web::Json<TicketView>> {
    identity.require(Permission::HandleCases)?;
    let id = id.into_inner();
    let view = state
        .read(move |conn| {
            let ticket = found(conn.ticket(id)?, "ticket")?;
            view(conn, ticket)
        })
        .await?;
    Ok(web::Json(view))
}

/// A ticket's events, oldest first: issue, calls, recalls, redirects and the end.
#[utoipa::path(
    tag = "queue", operation_id = "list_ticket_events", security(("bearer" = [])), params(("id" = TicketId, Path)),
    responses((status = 200, body = Vec<TicketEvent>), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/tickets/{id}/events")]
pub async fn list_ticket_events(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<TicketId>,
) -> ApiResult<web::Json<Vec<TicketEvent>>> {
    identity.require(Permission::HandleCases)?;
    let id = id.into_inner();
    let events = state
        .read(move |conn| {
            found(conn.ticket(id)?, "ticket")?;
            Ok(conn.ticket_events(id)?)
        })
        .await?;
    Ok(web::Json(events))
}

/// A ticket action with the version of the ticket it was decided on.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TicketActionBody {
    /// The ticket's `version` as last read; a stale version is refused with 409.
    pub version: i64,
    /// The action and its fields.
    #[serde(flatten)]
    pub action: TicketAction,
}

/// Acts on a ticket: `serve`, `finish`, `no_show`, `recall` (the window it was called to),
/// `reactivate` a no-show the same day, `redirect` to another queue of the centre keeping
/// its place, `cancel`. Appends one event in the same transaction and updates the screens.
#[utoipa::path(
    tag = "queue", operation_id = "create_ticket_event", security(("bearer" = [])), params(("id" = TicketId, Path)), request_body = TicketActionBody,
    responses(
        (status = 200, description = "The ticket after the action", body = TicketView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`transition-not-allowed`: the state or the day does not allow the action; `stale-version`: the version is stale", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A redirect to the same queue, another centre's or an inactive one; an invalid reason", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/tickets/{id}/events")]
pub async fn create_ticket_event(
    state: web::Data<AppState>,
    id: web::Path<TicketId>,
    allowed: Allowed<HandleCases, Json<TicketActionBody>>,
) -> ApiResult<web::Json<TicketView>> {
    let (identity, body) = (allowed.identity, allowed.inner.into_inner());
    let actor = ticket_actor(&identity)?;
    let now = hall_time(&state);
    let id = id.into_inner();
    let view = state
        .write(move |conn| {
            let ticket = workflow::act_on_ticket(conn, id, body.version, &body.action, actor, now)?;
            view(conn, ticket)
        })
        .await?;
    state.display.wake(view.ticket.center_id);
    Ok(web::Json(view))
}
