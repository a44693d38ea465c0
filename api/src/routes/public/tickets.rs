//! The kiosk's side of the queue: a centre's queues with how many wait, a ticket taken
//! (optionally in one's name), and a ticket's progress by its id. No name, ID number or
//! phone is ever answered; a ticket is found only by its unguessable id.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use domain::ids::{CenterId, QueueId, TicketId};
use domain::queue::workflow::{self, TicketRequest};
use domain::queue::{Priority, Ticket, TicketStatus};
use domain::repository::{CenterRepository, QueueRepository, WindowRepository};
use persistence::AnyConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::json::Json;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::queue::{hall_time, in_center};
use crate::state::AppState;

/// A queue as the kiosk's button shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicQueue {
    /// The queue, to take a ticket for.
    pub id: QueueId,
    /// Its letter.
    pub prefix: String,
    /// Its name.
    pub name: String,
    /// People waiting now.
    pub waiting: u32,
    /// Whether so many wait that the hall warns.
    pub crowded: bool,
}

/// A centre's active queues with how many wait in each now.
#[utoipa::path(
    tag = "public", operation_id = "list_public_queues", params(("id" = CenterId, Path)),
    responses(
        (status = 200, body = Vec<PublicQueue>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/centers/{id}/queues")]
pub async fn list_public_queues(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<CenterId>,
) -> ApiResult<web::Json<Vec<PublicQueue>>> {
    state.limits.check_public(&request)?;
    let center = id.into_inner();
    let today = state.now().today;
    let queues = state
        .read_replica(move |conn| {
            known_center(conn, center)?;
            Ok(workflow::waiting_now(conn, center, today)?)
        })
        .await?;
    Ok(web::Json(
        queues
            .into_iter()
            .map(|q| PublicQueue {
                id: q.queue_id,
                prefix: q.prefix,
                name: q.name,
                waiting: q.waiting,
                crowded: q.warning,
            })
            .collect(),
    ))
}

pub(crate) fn known_center(conn: &mut AnyConnection, center: CenterId) -> Result<(), ApiError> {
    match conn.center(center)? {
        Some(c) if c.active => Ok(()),
        _ => Err(ApiError::NotFound("no such centre".into())),
    }
}

/// A ticket asked for at a kiosk.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KioskTicketInput {
    /// The queue, of the centre in the path.
    pub queue_id: QueueId,
    /// The resident ID number read from the holder's card, for real-name issuing: one live
    /// ticket per person and queue a day, and someone of 60 or more is called first. Kept
    /// only as a keyed hash, never answered.
    #[schema(min_length = 18, max_length = 18, pattern = "^[0-9]{17}[0-9Xx]$")]
    pub id_number: Option<String>,
}

/// A ticket as its holder sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicTicket {
    /// Its id: keep it to follow the ticket.
    pub id: TicketId,
    /// The number the screens call, e.g. `A017`.
    pub number: String,
    /// The queue it waits in.
    pub queue_id: QueueId,
    /// Where it stands.
    pub status: TicketStatus,
    /// While it waits: 1 when it is called next.
    pub position: Option<u32>,
    /// While it waits: how many are called before it.
    pub ahead: Option<u32>,
    /// Once called: the window to go to.
    pub window_number: Option<u32>,
    /// When it was taken.
    pub issued_at: DateTime<Utc>,
}

pub(crate) fn public_view(
    conn: &mut AnyConnection,
    ticket: Ticket,
) -> Result<PublicTicket, ApiError> {
    let ahead = match ticket.status {
        TicketStatus::Waiting => Some(conn.waiting_ahead(&ticket)?),
        _ => None,
    };
    let window_number = match (ticket.status, ticket.window_id) {
        (TicketStatus::Called | TicketStatus::Serving, Some(window)) => {
            conn.window(window)?.map(|w| w.number)
        }
        _ => None,
    };
    Ok(PublicTicket {
        id: ticket.id,
        number: ticket.number,
        queue_id: ticket.queue_id,
        status: ticket.status,
        position: ahead.map(|a| a + 1),
        ahead,
        window_number,
        issued_at: ticket.arrived_at,
    })
}

/// Takes a ticket at a kiosk (取号). Rate-limited per address more tightly than reads
/// (`HALL_PUBLIC_WRITE_RATE`); a queue hands out at most its daily cap.
#[utoipa::path(
    tag = "public", operation_id = "take_ticket", params(("id" = CenterId, Path)), request_body = KioskTicketInput,
    responses(
        (status = 201, body = PublicTicket),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`tickets-unavailable`: outside hours, closed today, inactive or full; `ticket-held`: a ticket in this name already waits in this queue", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/public/centers/{id}/tickets")]
pub async fn take_ticket(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<CenterId>,
    input: Json<KioskTicketInput>,
) -> ApiResult<HttpResponse> {
    state.limits.check_public_write(&request)?;
    let input = input.into_inner();
    let center = id.into_inner();
    let now = hall_time(&state);
    let calendars = state.calendars.clone();
    let ticket_request = TicketRequest {
        queue_id: input.queue_id,
        priority: Priority::Normal,
        id_number: input.id_number,
        actor: None,
    };
    let ticket = state
        .write(move |conn| {
            known_center(conn, center)?;
            in_center(conn, ticket_request.queue_id, center)?;
            let calendars = calendars.for_write(conn)?;
            let issued = workflow::issue_ticket(conn, &calendars, &ticket_request, now)?;
            public_view(conn, issued.ticket)
        })
        .await?;
    state.display.wake(center);
    Ok(HttpResponse::Created().json(ticket))
}

/// A ticket's progress by its id: how many are before it, or the window to go to.
#[utoipa::path(
    tag = "public", operation_id = "get_public_ticket", params(("id" = TicketId, Path)),
    responses(
        (status = 200, body = PublicTicket),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/tickets/{id}")]
pub async fn get_public_ticket(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<TicketId>,
) -> ApiResult<web::Json<PublicTicket>> {
    state.limits.check_public(&request)?;
    let id = id.into_inner();
    let ticket = state
        .read_replica(move |conn| {
            let ticket = conn
                .ticket(id)?
                .ok_or_else(|| ApiError::NotFound("no such ticket".into()))?;
            public_view(conn, ticket)
        })
        .await?;
    Ok(web::Json(ticket))
}
