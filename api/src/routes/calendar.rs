//! `/api/v1/calendar`: the working-day calendar and its arithmetic, for any signed-in user.

use actix_web::{get, put, web};
use chrono::NaiveDate;
use domain::ValidationErrors;
use domain::calendar::{Holiday, WorkingCalendar, YearCalendar};
use domain::case::workflow::{self, Moment};
use domain::catalogue::MAX_DAYS;
use domain::ids::UserId;
use domain::permission::Permission;
use domain::repository::CalendarRepository;
use persistence::AnyConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::audit::audit;
use crate::auth::{Allowed, Identity, ManageCatalogue};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::found;
use crate::state::AppState;

/// A year of the calendar, as the notice states it, with its count of working days. Its
/// fields are spelled out rather than flattened from `YearCalendar`, whose schema admits no
/// other property.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarYear {
    /// The calendar year described.
    pub year: i32,
    /// The notice (通知) the dates are taken from.
    pub notice: String,
    /// The holiday periods falling in this year.
    pub holidays: Vec<Holiday>,
    /// Weekend days that are working days this year (调休上班).
    pub working_days: Vec<NaiveDate>,
    /// How many working days the year has.
    pub working_days_count: u32,
}

impl CalendarYear {
    fn new(calendar: YearCalendar, working_days_count: u32) -> Self {
        Self {
            year: calendar.year,
            notice: calendar.notice,
            holidays: calendar.holidays,
            working_days: calendar.working_days,
            working_days_count,
        }
    }
}

/// Which deadline to compute.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    /// The local date of acceptance, `YYYY-MM-DD`.
    pub accepted: NaiveDate,
    /// The number of working days, 0 to 1000.
    #[param(maximum = 1000)]
    pub days: u32,
}

/// A computed deadline.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deadline {
    /// The date of acceptance, which does not count (行政许可法 art. 82).
    pub accepted: NaiveDate,
    /// The working days allowed.
    pub days: u32,
    /// The last working day on which completing counts as on time.
    pub deadline: NaiveDate,
}

/// Which span to count.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SpanQuery {
    /// The first date, `YYYY-MM-DD`; it does not count.
    pub from: NaiveDate,
    /// The last date, `YYYY-MM-DD`; it counts.
    pub to: NaiveDate,
}

/// A count of working days.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkingDays {
    /// The first date (not counted).
    pub from: NaiveDate,
    /// The last date (counted).
    pub to: NaiveDate,
    /// The working days after `from` up to and including `to`; negative when `to` is
    /// before `from`.
    pub working_days: i64,
}

/// The deadline: the n-th working day after the date of acceptance.
#[utoipa::path(
    tag = "calendar", operation_id = "get_deadline", security(("bearer" = [])), params(DeadlineQuery),
    responses(
        (status = 200, body = Deadline),
        (status = 422, description = "A year the calendar does not cover, or too many days", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar/deadline")]
pub async fn get_deadline(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<DeadlineQuery>,
) -> ApiResult<web::Json<Deadline>> {
    identity.require(Permission::ReadCatalogue)?;
    let DeadlineQuery { accepted, days } = query.into_inner();
    if days > MAX_DAYS {
        return Err(ValidationErrors::single("days", format!("must be at most {MAX_DAYS}")).into());
    }
    let calendars = state.calendars.clone();
    let deadline = state
        .read(move |conn| Ok(calendars.get(conn)?.add_working_days(accepted, days)?))
        .await?;
    Ok(web::Json(Deadline {
        accepted,
        days,
        deadline,
    }))
}

/// Counts the working days between two dates.
#[utoipa::path(
    tag = "calendar", operation_id = "count_working_days", security(("bearer" = [])), params(SpanQuery),
    responses(
        (status = 200, body = WorkingDays),
        (status = 422, description = "A year the calendar does not cover", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar/working-days")]
pub async fn count_working_days(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<SpanQuery>,
) -> ApiResult<web::Json<WorkingDays>> {
    identity.require(Permission::ReadCatalogue)?;
    let SpanQuery { from, to } = query.into_inner();
    let calendars = state.calendars.clone();
    let working_days = state
        .read(move |conn| Ok(calendars.get(conn)?.working_days_between(from, to)?))
        .await?;
    Ok(web::Json(WorkingDays {
        from,
        to,
        working_days,
    }))
}

/// A year's holidays and adjusted working days.
#[utoipa::path(
    tag = "calendar", operation_id = "get_calendar_year", security(("bearer" = [])), params(("year" = i32, Path, minimum = 2000, maximum = 2100)),
    responses(
        (status = 200, body = CalendarYear),
        (status = 404, description = "The calendar does not cover the year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar/{year}")]
pub async fn get_calendar_year(
    state: web::Data<AppState>,
    identity: Identity,
    year: web::Path<i32>,
) -> ApiResult<web::Json<CalendarYear>> {
    identity.require(Permission::ReadCatalogue)?;
    let year = year.into_inner();
    let stored = state
        .read(move |conn| {
            let Some(doc) = conn.calendar_year(year)? else {
                return Ok(None);
            };
            let count = WorkingCalendar::new([doc.clone()])
                .working_days_in_year(year)
                .map_err(ApiError::from)?;
            Ok(Some(CalendarYear::new(doc, count)))
        })
        .await?;
    Ok(web::Json(found(stored, "calendar year")?))
}

/// What replacing a year did.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarChange {
    /// The year as now stored.
    #[serde(flatten)]
    pub year: CalendarYear,
    /// How many open cases' deadlines moved (each has an event saying why).
    pub recomputed_cases: usize,
}

/// Replaces a year's holidays and adjusted working days (admin), e.g. when next year's
/// notice is published. Open cases whose deadlines move are recomputed in the same
/// transaction, each with an event saying why; closed cases stay as they were judged.
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
    allowed: Allowed<ManageCatalogue, web::Json<YearCalendar>>,
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
    Ok(web::Json(change))
}

/// Stores a year and recomputes open deadlines, in the caller's transaction.
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
        Some(actor),
        "calendar.replace",
        number,
        before.as_ref(),
        Some(&doc),
    )?;
    let recomputed_cases = workflow::replace_calendar_year(conn, doc.clone(), actor, now)?;
    let working_days_count = WorkingCalendar::new([doc.clone()]).working_days_in_year(number)?;
    Ok(CalendarChange {
        year: CalendarYear::new(doc, working_days_count),
        recomputed_cases,
    })
}
