//! The live display's streams (Server-Sent Events): a centre's screens
//! (`/public/centers/{id}/display`, no login) and a clerk's window (`/windows/{id}/display`).
//! What they carry is `DisplayMessage`: ticket numbers, window numbers, queue names and
//! counts — no name, ID number or phone can be in it. See `crate::display`.

use std::collections::HashSet;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use domain::ids::{CenterId, WindowId};
use domain::permission::Permission;
use domain::queue::serves;
use domain::repository::{CenterRepository, QueueRepository, WindowRepository};
use utoipa::ToSchema;

use crate::auth::{Identity, window_in_reach};
use crate::display::{Screen, Shows, open};
use crate::limits::client_key;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// The id a reconnecting `EventSource` sends: the last event it received. Anything but a
/// number is no id, and the stream starts afresh.
fn last_event_id(request: &HttpRequest) -> Option<i64> {
    request
        .headers()
        .get("Last-Event-ID")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse().ok())
}

/// The answer that streams `screen`: never stored, never buffered by a proxy.
fn streaming(screen: Screen) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(screen.into_stream())
}

/// What a display stream's event is.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(
    dead_code,
    reason = "documents the stream's framing; the hub writes the frames"
)]
pub enum DisplayEventKind {
    /// A ticket called to a window.
    Call,
    /// People waiting per queue.
    Waiting,
}

/// One event of a display stream as Server-Sent Events frame it (OpenAPI before 3.2 describes
/// each event of a stream by the response's schema): its kind, its place in the feed, and the
/// `DisplayMessage` as JSON text. The stream's first frame may carry only `retry`.
#[derive(Debug, ToSchema)]
#[allow(
    dead_code,
    reason = "documents the stream's framing; the hub writes the frames"
)]
pub struct DisplayStreamEvent {
    /// `call` or `waiting`.
    event: Option<DisplayEventKind>,
    /// The feed's id of the message: send it back as `Last-Event-ID` to resume after it.
    #[schema(pattern = "^[0-9]+$")]
    id: Option<String>,
    /// The message, a `DisplayMessage` as JSON.
    #[schema(content_media_type = "application/json")]
    data: Option<String>,
    /// Milliseconds a client waits before reconnecting.
    retry: Option<u64>,
}

/// A centre's live display (叫号屏), as Server-Sent Events.
///
/// `call` and `waiting` events, each with `id:` its place in the feed and `data:` a
/// `DisplayMessage`. A new stream starts with the waiting counts; one resuming with
/// `Last-Event-ID` is sent what it missed (up to 500). See docs/API-DESIGN.md, "Event
/// streams".
#[utoipa::path(
    tag = "public", operation_id = "get_public_display",
    params(
        ("id" = CenterId, Path, description = "The centre"),
        ("Last-Event-ID" = Option<String>, Header, description = "The `id` of the last event received: the stream resumes after it"),
    ),
    responses(
        (status = 200, description = "An event stream: each event a `call` or `waiting`, its `data` a `DisplayMessage` as JSON; it ends after `HALL_DISPLAY_STREAM_SECONDS`", content_type = "text/event-stream", body = DisplayStreamEvent,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 404, description = "No such centre, or none open", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests, or too many streams held, from this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The process holds as many streams as it may, or the database is unavailable; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/centers/{id}/display")]
pub async fn get_public_display(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state.limits.check_public(&request)?;
    // One answer for a malformed id and an unknown one: the path tells nothing either way.
    let no_such = || ApiError::NotFound("no such centre".into());
    let center: CenterId = id.parse().map_err(|_| no_such())?;
    let open_center = state
        .read(move |conn| Ok(conn.center(center)?.is_some_and(|c| c.active)))
        .await?;
    if !open_center {
        return Err(no_such());
    }
    let client = client_key(state.limits.client_address(&request));
    let permit = state.display.gate().admit(client)?;
    let screen = open(
        &state,
        center,
        Shows::Center,
        last_event_id(&request),
        permit,
    )
    .await?;
    Ok(streaming(screen))
}

/// A window's live display for its clerk, as Server-Sent Events.
///
/// The calls to this window and the waiting counts of the queues it serves, framed and
/// resumed as `get_public_display`. A clerk watches only their own window.
#[utoipa::path(
    tag = "windows", operation_id = "get_window_display", security(("bearer" = [])),
    params(
        ("id" = WindowId, Path, description = "The window"),
        ("Last-Event-ID" = Option<String>, Header, description = "The `id` of the last event received: the stream resumes after it"),
    ),
    responses(
        (status = 200, description = "An event stream: each event a `call` or `waiting`, its `data` a `DisplayMessage` as JSON; it ends after `HALL_DISPLAY_STREAM_SECONDS`", content_type = "text/event-stream", body = DisplayStreamEvent,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 403, description = "Another clerk's window, or a role that handles no tickets", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many streams held from this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The process holds as many streams as it may, or the database is unavailable; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/windows/{id}/display")]
pub async fn get_window_display(
    state: web::Data<AppState>,
    request: HttpRequest,
    identity: Identity,
    id: web::Path<WindowId>,
) -> ApiResult<HttpResponse> {
    let own = identity.case_scope(Permission::HandleCases)?;
    let window = window_in_reach(
        own,
        Some(id.into_inner()),
        "a clerk watches only their own window",
    )?
    .ok_or_else(|| ApiError::Internal("a window asked for and none in reach".into()))?;
    let (center, queues) = state
        .read(move |conn| {
            let window = conn
                .window(window)?
                .ok_or_else(|| ApiError::NotFound("no such window".into()))?;
            let queues: HashSet<_> = conn
                .queues_of(window.center_id)?
                .iter()
                .filter(|queue| serves(&window, queue))
                .map(|queue| queue.id)
                .collect();
            Ok((window.center_id, queues))
        })
        .await?;
    let client = client_key(state.limits.client_address(&request));
    let permit = state.display.gate().admit(client)?;
    let shows = Shows::Window { window, queues };
    let screen = open(&state, center, shows, last_event_id(&request), permit).await?;
    Ok(streaming(screen))
}
