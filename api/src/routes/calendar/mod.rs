//! `/api/v1/calendar`: the working-day calendar and its arithmetic for any signed-in user,
//! nationally or for an administrative division; loading and correcting years (admins).

mod regions;
mod years;

pub use regions::*;
pub use years::*;

use actix_web::{get, web};
use chrono::NaiveDate;
use domain::ValidationErrors;
use domain::calendar::{CalendarDay, Division, WorkingCalendar};
use domain::catalogue::MAX_DAYS;
use domain::permission::Permission;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Identity;
use crate::parameters::Query;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// Which deadline to compute.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeadlineQuery {
    /// The local date of acceptance, `YYYY-MM-DD`, in the years a calendar may describe.
    #[param(pattern = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub accepted: NaiveDate,
    /// The number of working days, 0 to 1000.
    #[param(maximum = 1000)]
    pub days: u32,
    /// The administrative division (GB/T 2260, six digits) whose calendar counts, e.g.
    /// `640105`; the national calendar when left out.
    #[param(
        pattern = "^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])(0000|(0[1-9]|[1-9][0-9])[0-9]{2})$"
    )]
    pub division: Option<String>,
}

/// Which calendar counted, and whether it is final.
#[derive(Debug, Serialize, ToSchema)]
pub struct Counted {
    /// The division asked for, if any.
    pub division: Option<Division>,
    /// The province-level division whose own notices counted; `null` for the national
    /// calendar alone (also when the division's region has no notices loaded).
    pub region: Option<Division>,
    /// True when a counted day lies in a year whose notice is not loaded: the answer follows
    /// the holiday law and may change when the notice comes.
    pub provisional: bool,
    /// Those years.
    pub provisional_years: Vec<i32>,
}

impl Counted {
    /// What `calendar`, asked for `division`, says of the days counted from `from` to `to`.
    fn by(
        calendar: &WorkingCalendar,
        division: Option<Division>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Self {
        let provisional_years = calendar.provisional_years(from, to);
        Self {
            region: calendar.region().cloned(),
            division,
            provisional: !provisional_years.is_empty(),
            provisional_years,
        }
    }
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
    /// Which calendar counted, and whether it is final.
    #[serde(flatten)]
    pub counted: Counted,
    /// The days from acceptance to the deadline on which the calendar departs from
    /// Monday-to-Friday work, each with its reason (`2020-05-25`, off, `宁夏 开斋节`).
    pub calendar_days: Vec<CalendarDay>,
}

/// Which span to count.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SpanQuery {
    /// The first date, `YYYY-MM-DD`; it does not count.
    #[param(pattern = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub from: NaiveDate,
    /// The last date, `YYYY-MM-DD`; it counts.
    #[param(pattern = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub to: NaiveDate,
    /// The administrative division whose calendar counts; national when left out.
    #[param(
        pattern = "^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])(0000|(0[1-9]|[1-9][0-9])[0-9]{2})$"
    )]
    pub division: Option<String>,
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
    /// Which calendar counted, and whether it is final.
    #[serde(flatten)]
    pub counted: Counted,
}

/// The division a query names, checked as the field `division`.
fn division(value: Option<&str>) -> Result<Option<Division>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let division = Division::check("division", value, &mut errors);
    errors.into_result().map(|()| division)
}

/// The deadline: the n-th working day after the date of acceptance, by the national
/// calendar or a division's.
#[utoipa::path(
    tag = "calendar", operation_id = "get_deadline", security(("bearer" = [])), params(DeadlineQuery),
    responses(
        (status = 200, body = Deadline),
        (status = 422, description = "`calendar-year-missing`: a year the calendar does not cover; `validation`: too many days, or not a division", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar/deadline")]
pub async fn get_deadline(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<DeadlineQuery>,
) -> ApiResult<web::Json<Deadline>> {
    identity.require(Permission::ReadCatalogue)?;
    let DeadlineQuery {
        accepted,
        days,
        division,
    } = query.into_inner();
    let mut errors = ValidationErrors::default();
    errors.date("accepted", Some(accepted));
    if days > MAX_DAYS {
        errors.add("days", format!("must be at most {MAX_DAYS}"));
    }
    errors.into_result()?;
    let division = self::division(division.as_deref())?;
    let calendars = state.calendars.clone();
    state
        .read(move |conn| {
            let calendars = calendars.get(conn)?;
            let calendar = calendars.for_division(division.as_ref());
            let deadline = calendar.add_working_days(accepted, days)?;
            Ok(web::Json(Deadline {
                accepted,
                days,
                deadline,
                counted: Counted::by(calendar, division, accepted, deadline),
                calendar_days: calendar.exceptions_between(accepted, deadline)?,
            }))
        })
        .await
}

/// Counts the working days between two dates, by the national calendar or a division's.
#[utoipa::path(
    tag = "calendar", operation_id = "count_working_days", security(("bearer" = [])), params(SpanQuery),
    responses(
        (status = 200, body = WorkingDays),
        (status = 422, description = "`calendar-year-missing`: a year the calendar does not cover; `validation`: not a division", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar/working-days")]
pub async fn count_working_days(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<SpanQuery>,
) -> ApiResult<web::Json<WorkingDays>> {
    identity.require(Permission::ReadCatalogue)?;
    let SpanQuery { from, to, division } = query.into_inner();
    let mut errors = ValidationErrors::default();
    errors.date("from", Some(from));
    errors.date("to", Some(to));
    errors.into_result()?;
    let division = self::division(division.as_deref())?;
    let calendars = state.calendars.clone();
    state
        .read(move |conn| {
            let calendars = calendars.get(conn)?;
            let calendar = calendars.for_division(division.as_ref());
            let working_days = calendar.working_days_between(from, to)?;
            Ok(web::Json(WorkingDays {
                from,
                to,
                working_days,
                counted: Counted::by(calendar, division, from, to),
            }))
        })
        .await
}
