//! `/calendar/{year}`: a year of the calendar as it stands — official or provisional, for the
//! nation or a division — and loading the national notice.

use actix_web::{get, put, web};
use chrono::NaiveDate;
use domain::ValidationErrors;
use domain::audit::AuditAction;
use domain::calendar::{Calendars, Division, Holiday, YearCalendar, YearStatus};
use domain::case::recompute;
use domain::case::workflow::Moment;
use domain::ids::UserId;
use domain::permission::Permission;
use domain::repository::CalendarRepository;
use persistence::AnyConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::division;
use crate::audit::audit;
use crate::auth::{Allowed, Identity, ManageCatalogue};
use crate::calendar_watch;
use crate::json::Json;
use crate::parameters::Query;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// Whose calendar to show.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct YearQuery {
    /// The administrative division (GB/T 2260) whose calendar to show, e.g. `640105`;
    /// the national calendar when left out.
    #[param(
        pattern = "^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])(0000|(0[1-9]|[1-9][0-9])[0-9]{2})$"
    )]
    pub division: Option<String>,
}

/// What a region's own notice adds to a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionalPart {
    /// The province-level division, e.g. `640000`.
    pub region: Division,
    /// Its name, e.g. 宁夏回族自治区.
    pub name: &'static str,
    /// The regional notice; `null` when none is loaded for the year (the year is then
    /// provisional in the region).
    pub notice: Option<String>,
    /// Its extra holiday periods.
    pub holidays: Vec<Holiday>,
    /// Its extra make-up working days.
    pub working_days: Vec<NaiveDate>,
}

/// A year of the calendar, with its status and its count of working days. Its fields are
/// spelled out rather than flattened from `YearCalendar`, whose schema admits no other
/// property.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarYear {
    /// The calendar year described.
    pub year: i32,
    /// `official` when every notice it rests on is loaded; `provisional` when it follows the
    /// holiday law (no national notice yet) or lacks its region's notice.
    pub status: YearStatus,
    /// The national notice (通知) the dates are taken from, or, while provisional, the
    /// holiday law they follow.
    pub notice: String,
    /// The national holiday periods falling in this year.
    pub holidays: Vec<Holiday>,
    /// Weekend days that are national working days this year (调休上班).
    pub working_days: Vec<NaiveDate>,
    /// The region's own days, when a division was asked for and its region has notices.
    pub region: Option<RegionalPart>,
    /// How many working days the year has (in the region, when one is shown).
    pub working_days_count: u32,
}

impl CalendarYear {
    /// The year as `calendars` hold it for `division`.
    pub fn of(
        calendars: &Calendars,
        year: i32,
        division: Option<&Division>,
    ) -> Result<Self, ApiError> {
        let calendar = calendars.for_division(division);
        let (national, regional) = calendar.documents(year)?;
        let region = calendar.region().map(|region| RegionalPart {
            region: region.clone(),
            name: region.region_name(),
            notice: regional.map(|r| r.notice.clone()),
            holidays: regional.map(|r| r.holidays.clone()).unwrap_or_default(),
            working_days: regional.map(|r| r.working_days.clone()).unwrap_or_default(),
        });
        Ok(Self {
            year,
            status: calendar.status(year)?,
            notice: national.notice.clone(),
            holidays: national.holidays.clone(),
            working_days: national.working_days.clone(),
            region,
            working_days_count: calendar.working_days_in_year(year)?,
        })
    }
}

/// A year's holidays and adjusted working days: as the notice states them, or, for a year
/// whose notice is not out yet, as the holiday law gives them (`"status": "provisional"`).
#[utoipa::path(
    tag = "calendar", operation_id = "get_calendar_year", security(("bearer" = [])),
    params(("year" = i32, Path, minimum = 2000, maximum = 2100), YearQuery),
    responses(
        (status = 200, body = CalendarYear),
        (status = 404, description = "The year lies before the first notice", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a division", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar/{year}")]
pub async fn get_calendar_year(
    state: web::Data<AppState>,
    identity: Identity,
    year: web::Path<i32>,
    query: Query<YearQuery>,
) -> ApiResult<web::Json<CalendarYear>> {
    identity.require(Permission::ReadCatalogue)?;
    let year = year.into_inner();
    let division = division(query.into_inner().division.as_deref())?;
    let calendars = state.calendars.clone();
    state
        .read(move |conn| {
            let calendars = calendars.get(conn)?;
            if !calendars.national().covers(year) {
                return Err(ApiError::NotFound(format!(
                    "the calendar does not cover {year}"
                )));
            }
            Ok(web::Json(CalendarYear::of(
                &calendars,
                year,
                division.as_ref(),
            )?))
        })
        .await
}

/// What replacing a year did.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarChange {
    /// The year as it now stands.
    #[serde(flatten)]
    pub year: CalendarYear,
    /// How many open cases' deadlines moved (each has a `recompute` event saying why).
    pub recomputed_cases: usize,
}

/// Loads or replaces a year's national holidays and adjusted working days (admin): when
/// next year's notice is published (the year turns official) or to correct one. Open cases
/// whose deadlines move are recomputed in the same transaction, each with an event saying
/// why; closed cases stay as they were judged.
#[utoipa::path(
    tag = "calendar", operation_id = "put_calendar_year", security(("bearer" = [])), params(("year" = i32, Path, minimum = 2000, maximum = 2100)), request_body = YearCalendar,
    responses(
        (status = 200, body = CalendarChange),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/calendar/{year}")]
pub async fn put_calendar_year(
    state: web::Data<AppState>,
    year: web::Path<i32>,
    allowed: Allowed<ManageCatalogue, Json<YearCalendar>>,
) -> ApiResult<web::Json<CalendarChange>> {
    let (identity, body) = (allowed.identity, allowed.inner);
    let doc = body.into_inner();
    if doc.year != year.into_inner() {
        return Err(ValidationErrors::single("year", "must be the year of the path").into());
    }
    let now = state.now();
    let change = state
        .write(move |conn| replace_year(conn, doc, identity.user_id, now))
        .await?;
    // The change is committed: a failure to refresh the gauge is logged, not answered.
    let shared = state.clone();
    if let Err(error) = state
        .read(move |conn| calendar_watch::refresh(&shared, conn))
        .await
    {
        tracing::warn!(%error, "cannot refresh the calendar gauge");
    }
    Ok(web::Json(change))
}

/// Stores a national year and recomputes open deadlines, in the caller's transaction.
pub fn replace_year(
    conn: &mut AnyConnection,
    doc: YearCalendar,
    actor: UserId,
    now: Moment,
) -> Result<CalendarChange, ApiError> {
    let number = doc.year;
    let before = conn.calendar_year(number)?;
    audit(
        conn,
        now.at,
        Some(actor),
        AuditAction::CalendarReplace,
        number,
        before.as_ref(),
        Some(&doc),
    )?;
    let recomputed_cases = recompute::replace_calendar_year(conn, doc, Some(actor), now)?;
    let calendars = recompute::load_calendars(conn)?;
    Ok(CalendarChange {
        year: CalendarYear::of(&calendars, number, None)?,
        recomputed_cases,
    })
}
