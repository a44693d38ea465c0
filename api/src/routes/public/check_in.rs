//! `/api/v1/public/centers/{id}/check-in`: the kiosk turns today's appointment, named by its
//! booking code or the holder's ID card, into a priority ticket. An unknown code or card
//! answers the one 404 of appointments not found.

use actix_web::{HttpRequest, HttpResponse, post, web};
use domain::ValidationErrors;
use domain::ids::CenterId;
use domain::queue::appointments::workflow;
use domain::repository::CheckInKey;
use serde::Deserialize;
use utoipa::ToSchema;

use super::appointments::{booking_code, resident_id};
use super::{PublicTicket, known_center, public_view};
use crate::json::Json;
use crate::problem::{ApiError, ApiResult, NO_SUCH_APPOINTMENT, Problem};
use crate::routes::queue::hall_time;
use crate::state::AppState;

/// A check-in at a kiosk: the booking code typed, or the ID card read — one of them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInInput {
    /// The booking code.
    #[schema(example = "K7QM4XPA")]
    pub booking_code: Option<String>,
    /// The resident ID number read from the holder's card.
    #[schema(min_length = 18, max_length = 18, pattern = "^[0-9]{17}[0-9Xx]$")]
    pub id_number: Option<String>,
}

/// Checks in today's appointment at a kiosk of the centre (签到): a priority ticket in the
/// slot's queue, called before walk-ins. Open from 30 minutes before the slot to 15 minutes
/// after it. An unknown code or card answers 404, the same for both.
#[utoipa::path(
    tag = "public", operation_id = "check_in_appointment", params(("id" = CenterId, Path)), request_body = CheckInInput,
    responses(
        (status = 201, body = PublicTicket),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`check-in-closed`: not open now; `transition-not-allowed`: checked in already; `tickets-unavailable`: the queue hands out no ticket now", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/public/centers/{id}/check-in")]
pub async fn check_in_appointment(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<CenterId>,
    input: Json<CheckInInput>,
) -> ApiResult<HttpResponse> {
    state.limits.check_public_write(&request)?;
    let input = input.into_inner();
    let code = match (&input.booking_code, &input.id_number) {
        (Some(code), None) => Some(booking_code(code)?),
        (None, Some(number)) => {
            resident_id(number)?;
            None
        }
        _ => {
            return Err(ValidationErrors::single(
                "booking_code",
                "give either the booking code or the ID number, not both",
            )
            .into());
        }
    };
    let center = id.into_inner();
    let now = hall_time(&state);
    let rules = state.settings.appointments;
    let calendars = state.calendars.clone();
    let ticket = state
        .write(move |conn| {
            known_center(conn, center)?;
            let key = match (&code, &input.id_number) {
                (Some(code), _) => CheckInKey::Code(code),
                (None, Some(number)) => CheckInKey::IdNumber(number),
                (None, None) => return Err(ApiError::NotFound(NO_SUCH_APPOINTMENT.into())),
            };
            let calendars = calendars.for_write(conn)?;
            let (_, issued) = workflow::check_in(conn, &calendars, &rules, center, key, now)?;
            public_view(conn, issued.ticket)
        })
        .await?;
    // The new ticket changes how many wait: the screens hear of it once it has committed.
    state.display.wake(center);
    Ok(HttpResponse::Created().json(ticket))
}
