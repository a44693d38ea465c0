//! `/api/v1/windows/{id}/session` and `/api/v1/windows/{id}/call-next`: a clerk opens,
//! pauses and closes their window, and calls the next ticket it can serve.

use actix_web::{get, post, put, web};
use domain::ids::WindowId;
use domain::queue::workflow;
use domain::queue::{WindowSession, WindowSessionInput};
use domain::repository::{WindowRepository, WindowSessionRepository};

use super::tickets::{TicketView, view};
use super::{hall_time, window_reached};
use crate::auth::{Allowed, HandleCases, Identity};
use crate::json::Json;
use crate::problem::{ApiResult, Problem};
use crate::routes::found;
use crate::state::AppState;

/// A window's session now: open, paused (with why) or closed, and who holds it.
#[utoipa::path(
    tag = "queue", operation_id = "get_window_session", security(("bearer" = [])), params(("id" = WindowId, Path)),
    responses((status = 200, body = WindowSession), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/windows/{id}/session")]
pub async fn get_window_session(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<WindowId>,
) -> ApiResult<web::Json<WindowSession>> {
    let (id, _) = window_reached(&identity, id.into_inner())?;
    let now = state.now().at;
    let session = state
        .read(move |conn| {
            found(conn.window(id)?, "window")?;
            Ok(conn
                .window_session(id)?
                .unwrap_or_else(|| WindowSession::never_opened(id, now)))
        })
        .await?;
    Ok(web::Json(session))
}

/// Opens, pauses (with a reason) or closes a window. A clerk sets their own window; a
/// supervisor may close anyone's. The time spent open and paused is kept per clerk.
#[utoipa::path(
    tag = "queue", operation_id = "put_window_session", security(("bearer" = [])), params(("id" = WindowId, Path)), request_body = WindowSessionInput,
    responses(
        (status = 200, body = WindowSession),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`window-not-open`: another clerk holds the window, or a closed window is paused; `stale-version`: a concurrent change came first", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/windows/{id}/session")]
pub async fn put_window_session(
    state: web::Data<AppState>,
    id: web::Path<WindowId>,
    allowed: Allowed<HandleCases, Json<WindowSessionInput>>,
) -> ApiResult<web::Json<WindowSession>> {
    let (identity, input) = (allowed.identity, allowed.inner.into_inner());
    let (id, supervising) = window_reached(&identity, id.into_inner())?;
    let now = hall_time(&state);
    let clerk = identity.user_id;
    let session = state
        .write(move |conn| {
            Ok(workflow::change_session(
                conn,
                id,
                &input,
                clerk,
                supervising,
                now,
            )?)
        })
        .await?;
    Ok(web::Json(session))
}

/// Calls the next ticket this window can serve to it — priority tickets first, then by
/// arrival — and shows the call on the hall's screens. Only the clerk holding the window
/// open calls; two windows calling at once never get the same ticket.
#[utoipa::path(
    tag = "queue", operation_id = "call_next_ticket", security(("bearer" = [])), params(("id" = WindowId, Path)),
    responses(
        (status = 200, description = "The ticket called", body = TicketView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`nobody-waiting`: nobody waits for this window's queues; `not-found`: no such window", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`window-not-open`: the window is not open, or another clerk holds it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/windows/{id}/call-next")]
pub async fn call_next_ticket(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<WindowId>,
) -> ApiResult<web::Json<TicketView>> {
    let (id, _) = window_reached(&identity, id.into_inner())?;
    let now = hall_time(&state);
    let clerk = identity.user_id;
    let view = state
        .write(move |conn| {
            let (ticket, _) = workflow::call_next(conn, id, clerk, now)?;
            view(conn, ticket)
        })
        .await?;
    // Committed: the screens may show the call.
    state.display.wake(view.ticket.center_id);
    Ok(web::Json(view))
}
