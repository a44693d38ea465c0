//! `/api/v1/centers/{id}/slots`: the appointment slots a centre offers (supervisors and
//! administrators), and how each day's bookings stand — checked in, waiting, no-shows. The
//! public's side is in `routes::public::appointments`.

use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDate;
use domain::ValidationErrors;
use domain::ids::CenterId;
use domain::permission::Permission;
use domain::queue::appointments::workflow::{self, SlotStanding};
use domain::queue::{Slot, SlotInput};
use domain::repository::CenterRepository;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Allowed, Identity, Supervise};
use crate::json::Json;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::found;
use crate::routes::queue::hall_time;
use crate::state::AppState;

/// Offers slots in a centre (supervisors and administrators): one, or a series back to back,
/// on a working day of the centre's calendar, for an item, checked in to one of its queues.
#[utoipa::path(
    tag = "queue", operation_id = "create_slots", security(("bearer" = [])), params(("id" = CenterId, Path)), request_body = SlotInput,
    responses(
        (status = 201, description = "The slots created, by start", body = Vec<Slot>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, a day the centre is closed or past, a queue of another centre, an inactive item", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/centers/{id}/slots")]
pub async fn create_slots(
    state: web::Data<AppState>,
    id: web::Path<CenterId>,
    allowed: Allowed<Supervise, Json<SlotInput>>,
) -> ApiResult<HttpResponse> {
    let input = allowed.inner.into_inner();
    input.validate()?;
    let center = id.into_inner();
    let now = hall_time(&state);
    let calendars = state.calendars.clone();
    let slots = state
        .write(move |conn| {
            let calendars = calendars.for_write(conn)?;
            Ok(workflow::create_slots(
                conn, &calendars, center, input, now,
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(slots))
}

/// The day of a centre's slots.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotDayParams {
    /// The centre's local day; today when not given.
    pub day: Option<NaiveDate>,
}

/// A slot as staff see it: places, and what became of its bookings by now. No names.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotView {
    /// The slot, with `booked` the places live bookings hold.
    #[serde(flatten)]
    pub slot: Slot,
    /// Bookings checked in as tickets.
    pub checked_in: u32,
    /// Bookings whose holder may still check in.
    pub waiting: u32,
    /// Bookings whose check-in closed before their holder came (爽约): counted from the slot's
    /// end plus the grace, without any job having to run.
    pub no_shows: u32,
    /// Bookings cancelled.
    pub cancelled: u32,
}

impl From<SlotStanding> for SlotView {
    fn from(s: SlotStanding) -> Self {
        Self {
            slot: s.slot,
            checked_in: s.checked_in,
            waiting: s.waiting,
            no_shows: s.no_shows,
            cancelled: s.cancelled,
        }
    }
}

/// A centre's slots on a day, by start, with their bookings counted (any signed-in staff).
#[utoipa::path(
    tag = "queue", operation_id = "list_slots", security(("bearer" = [])), params(("id" = CenterId, Path), SlotDayParams),
    responses(
        (status = 200, body = Vec<SlotView>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/centers/{id}/slots")]
pub async fn list_slots(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<CenterId>,
    params: web::Query<SlotDayParams>,
) -> ApiResult<web::Json<Vec<SlotView>>> {
    identity.require(Permission::ReadCatalogue)?;
    let center = id.into_inner();
    let now = hall_time(&state);
    let day = params.day.unwrap_or_else(|| now.today());
    let mut errors = ValidationErrors::default();
    errors.date("day", Some(day));
    errors.into_result()?;
    let rules = state.settings.appointments;
    let slots = state
        .read(move |conn| {
            found(conn.center(center)?, "centre")?;
            workflow::slot_standings(conn, &rules, center, day, now).map_err(ApiError::from)
        })
        .await?;
    Ok(web::Json(slots.into_iter().map(SlotView::from).collect()))
}
