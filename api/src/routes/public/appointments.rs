//! The public's side of appointments (预约): free places, a booking with name, ID number and
//! phone (answered with a code, never with the person), and a cancellation with the code and
//! ID number; the check-in is in `check_in`. Reads and writes are rate-limited per address;
//! an appointment not found answers one 404, whichever part was wrong.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use domain::ValidationErrors;
use domain::ids::{AppointmentId, CenterId, ServiceItemId, SlotId};
use domain::queue::appointments::workflow;
use domain::queue::appointments::{BOOKING_CODE_LEN, RESIDENT_ID_RULE};
use domain::queue::{AppointmentStatus, Booker, BookingCode, Slot};
use domain::repository::AppointmentRepository;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::known_center;
use crate::json::Json;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::queue::hall_time;
use crate::state::AppState;

/// Days one listing of free places may span.
const MAX_SPAN_DAYS: i64 = 31;

/// Which free places to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicSlotParams {
    /// Only for this service item.
    pub item_id: Option<ServiceItemId>,
    /// From this local day; today when not given.
    pub from: Option<NaiveDate>,
    /// To this local day (included); a week after `from` when not given, at most 31 days on.
    pub to: Option<NaiveDate>,
}

/// A slot with free places, as the public sees it: no names, no bookings.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicSlot {
    /// The slot, to book.
    pub id: SlotId,
    /// The service item.
    pub item_id: ServiceItemId,
    /// The local day.
    pub day: NaiveDate,
    /// Local start.
    #[schema(value_type = String, example = "09:00:00")]
    pub starts_at: NaiveTime,
    /// Local end.
    #[schema(value_type = String, example = "09:30:00")]
    pub ends_at: NaiveTime,
    /// Places still free.
    pub free: u32,
}

/// A centre's slots that still take a booking, by day and start.
#[utoipa::path(
    tag = "public", operation_id = "list_public_slots", params(("id" = CenterId, Path), PublicSlotParams),
    responses(
        (status = 200, body = Vec<PublicSlot>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/centers/{id}/slots")]
pub async fn list_public_slots(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<CenterId>,
    params: web::Query<PublicSlotParams>,
) -> ApiResult<web::Json<Vec<PublicSlot>>> {
    state.limits.check_public(&request)?;
    let now = hall_time(&state);
    let from = params.from.unwrap_or_else(|| now.today());
    let to = params.to.unwrap_or(from + TimeDelta::days(7));
    let mut errors = ValidationErrors::default();
    errors.date("from", Some(from));
    errors.date("to", Some(to));
    if to < from || to - from > TimeDelta::days(MAX_SPAN_DAYS) {
        errors.add("to", "must be from `from` to 31 days after it");
    }
    errors.into_result()?;
    let (center, item) = (id.into_inner(), params.item_id);
    let rules = state.settings.appointments;
    let local = now.at.with_timezone(&now.offset).naive_local();
    let slots = state
        .read_replica(move |conn| {
            known_center(conn, center)?;
            Ok(conn.slots_of(center, from, to, item)?)
        })
        .await?;
    Ok(web::Json(
        slots
            .into_iter()
            .filter(|slot| rules.can_book(slot, local).is_ok())
            .map(|slot| PublicSlot {
                id: slot.id,
                item_id: slot.item_id,
                day: slot.day,
                starts_at: slot.starts_at,
                ends_at: slot.ends_at,
                free: slot.free(),
            })
            .collect(),
    ))
}

/// A booking asked for by the public.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingInput {
    /// The slot.
    pub slot_id: SlotId,
    /// The person's name as on their ID card; kept sealed, never answered.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Their resident ID number (GB 11643 check digit): one booking per person a day, and
    /// the card that checks in. Kept sealed and as a keyed hash, never answered.
    #[schema(min_length = 18, max_length = 18, pattern = "^[0-9]{17}[0-9Xx]$")]
    pub id_number: String,
    /// A phone to reach them; kept sealed, never answered.
    #[schema(min_length = 10, max_length = 17)]
    pub phone: String,
    /// True when they decline the text telling them their turn is near (default false).
    #[serde(default)]
    pub sms_opt_out: bool,
}

/// A booking just made: the code is given here once and never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookedAppointment {
    /// The appointment.
    pub id: AppointmentId,
    /// The booking code (预约码): 8 characters to type at the kiosk, or to cancel with.
    #[schema(example = "K7QM4XPA")]
    pub booking_code: String,
    /// Where it stands.
    pub status: AppointmentStatus,
    /// The centre.
    pub center_id: CenterId,
    /// The service item.
    pub item_id: ServiceItemId,
    /// The slot's local day.
    pub day: NaiveDate,
    /// Local start.
    #[schema(value_type = String, example = "09:00:00")]
    pub starts_at: NaiveTime,
    /// Local end.
    #[schema(value_type = String, example = "09:30:00")]
    pub ends_at: NaiveTime,
    /// The last local moment it can be cancelled.
    #[schema(value_type = String, example = "2026-12-02T07:00:00")]
    pub cancel_until: NaiveDateTime,
    /// Local moment check-in at the kiosk opens.
    #[schema(value_type = String, example = "2026-12-02T08:30:00")]
    pub check_in_from: NaiveDateTime,
    /// Local moment check-in closes; a booking not checked in by then is a no-show.
    #[schema(value_type = String, example = "2026-12-02T09:45:00")]
    pub check_in_until: NaiveDateTime,
}

/// Books a place in a slot (预约). Rate-limited as a kiosk write (`HALL_PUBLIC_WRITE_RATE`);
/// one live booking per person and day.
#[utoipa::path(
    tag = "public", operation_id = "book_appointment", request_body = BookingInput,
    responses(
        (status = 201, body = BookedAppointment),
        (status = 404, description = "No such slot", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`slot-unavailable`: full, begun or its day closed; `already-booked`: one per person and day", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/public/appointments")]
pub async fn book_appointment(
    state: web::Data<AppState>,
    request: HttpRequest,
    input: Json<BookingInput>,
) -> ApiResult<HttpResponse> {
    state.limits.check_public_write(&request)?;
    let input = input.into_inner();
    let booker = Booker {
        name: input.name,
        id_number: input.id_number,
        phone: input.phone,
        sms_opt_out: input.sms_opt_out,
    };
    booker.validate()?;
    let now = hall_time(&state);
    let rules = state.settings.appointments;
    let calendars = state.calendars.clone();
    let booked = state
        .write(move |conn| {
            let calendars = calendars.for_write(conn)?;
            let codes = || BookingCode::from_random(rand::random::<[u8; BOOKING_CODE_LEN]>());
            Ok(workflow::book(
                conn,
                &calendars,
                &rules,
                input.slot_id,
                &booker,
                codes,
                now,
            )?)
        })
        .await?;
    let slot = &booked.slot;
    Ok(HttpResponse::Created().json(BookedAppointment {
        id: booked.appointment.id,
        booking_code: booked.code.as_str().to_owned(),
        status: booked.appointment.status,
        center_id: slot.center_id,
        item_id: slot.item_id,
        day: slot.day,
        starts_at: slot.starts_at,
        ends_at: slot.ends_at,
        cancel_until: slot.start() - rules.cancel_before,
        check_in_from: slot.start() - rules.check_in_early,
        check_in_until: rules.check_in_closes(slot),
    }))
}

/// A booking code as typed, or 422 (its form is no secret).
pub(super) fn booking_code(typed: &str) -> Result<BookingCode, ApiError> {
    BookingCode::parse(typed).ok_or_else(|| {
        ValidationErrors::single(
            "booking_code",
            "must be the 8 characters of a booking code (digits 2–9 and capitals but I and O)",
        )
        .into()
    })
}

pub(super) fn resident_id(number: &str) -> Result<(), ApiError> {
    if domain::case::is_resident_id(number) {
        Ok(())
    } else {
        Err(ValidationErrors::single("id_number", RESIDENT_ID_RULE).into())
    }
}

/// A cancellation: the code and the ID number it was booked with, both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    /// The booking code.
    #[schema(example = "K7QM4XPA")]
    pub booking_code: String,
    /// The resident ID number it was booked with.
    #[schema(min_length = 18, max_length = 18, pattern = "^[0-9]{17}[0-9Xx]$")]
    pub id_number: String,
}

/// An appointment as the public sees it after a change: no person.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicAppointment {
    /// The appointment.
    pub id: AppointmentId,
    /// Where it stands.
    pub status: AppointmentStatus,
    /// The slot's local day.
    pub day: NaiveDate,
    /// Local start.
    #[schema(value_type = String, example = "09:00:00")]
    pub starts_at: NaiveTime,
}

fn public_appointment(appointment: &domain::queue::Appointment, slot: &Slot) -> PublicAppointment {
    PublicAppointment {
        id: appointment.id,
        status: appointment.status,
        day: slot.day,
        starts_at: slot.starts_at,
    }
}

/// Cancels an appointment before the cut-off (`HALL_APPOINTMENT_CANCEL_BEFORE_MINUTES` before
/// its slot); its place is free again. A wrong code and a wrong ID number answer the same 404.
#[utoipa::path(
    tag = "public", operation_id = "cancel_appointment", request_body = CancelInput,
    responses(
        (status = 200, body = PublicAppointment),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`cancellation-closed`: past the cut-off; `transition-not-allowed`: cancelled, checked in or missed already", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/public/appointments/cancel")]
pub async fn cancel_appointment(
    state: web::Data<AppState>,
    request: HttpRequest,
    input: Json<CancelInput>,
) -> ApiResult<web::Json<PublicAppointment>> {
    state.limits.check_public_write(&request)?;
    let code = booking_code(&input.booking_code)?;
    resident_id(&input.id_number)?;
    let id_number = input.into_inner().id_number;
    let now = hall_time(&state);
    let rules = state.settings.appointments;
    let (appointment, slot) = state
        .write(move |conn| Ok(workflow::cancel(conn, &rules, &code, &id_number, now)?))
        .await?;
    Ok(web::Json(public_appointment(&appointment, &slot)))
}
