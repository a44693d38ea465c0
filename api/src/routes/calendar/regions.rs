//! `/calendar/regions`: the regions' own notices (宁夏's 开斋节 and 古尔邦节, …) on top of the
//! national calendar — listed, read, loaded and corrected by administrators.

use actix_web::{get, put, web};
use chrono::NaiveDate;
use domain::ValidationErrors;
use domain::audit::AuditAction;
use domain::calendar::{Division, Holiday, RegionalYear, YearCalendar};
use domain::case::recompute;
use domain::case::workflow::Moment;
use domain::ids::UserId;
use domain::permission::Permission;
use domain::repository::CalendarRepository;
use persistence::AnyConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::audit;
use crate::auth::{Allowed, Identity, ManageCatalogue};
use crate::json::Json;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::found;
use crate::state::AppState;

/// A region with notices of its own.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionSummary {
    /// The province-level division, e.g. `640000`.
    pub region: Division,
    /// Its name, e.g. 宁夏回族自治区.
    pub name: &'static str,
    /// The years whose regional notice is loaded; every other covered year is provisional
    /// there.
    pub years: Vec<i32>,
}

/// A region's own notice for a year: what it adds on top of the national notice. Spelled
/// out rather than flattened from `YearCalendar`, whose schema admits no other property.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionalYearView {
    /// The province-level division, e.g. `640000`.
    pub region: Division,
    /// Its name, e.g. 宁夏回族自治区.
    pub name: &'static str,
    /// The calendar year described.
    pub year: i32,
    /// The regional notice the dates are taken from.
    pub notice: String,
    /// The extra holiday periods (e.g. 开斋节, 古尔邦节).
    pub holidays: Vec<Holiday>,
    /// The extra make-up working days (调休上班).
    pub working_days: Vec<NaiveDate>,
}

impl From<RegionalYear> for RegionalYearView {
    fn from(year: RegionalYear) -> Self {
        Self {
            name: year.region.region_name(),
            region: year.region,
            year: year.calendar.year,
            notice: year.calendar.notice,
            holidays: year.calendar.holidays,
            working_days: year.calendar.working_days,
        }
    }
}

/// The regions with calendars of their own.
#[derive(Debug, Serialize, ToSchema)]
pub struct Regions {
    /// Every such region, by code.
    pub items: Vec<RegionSummary>,
}

/// The regions that have notices of their own, with the years loaded.
#[utoipa::path(
    tag = "calendar", operation_id = "list_calendar_regions", security(("bearer" = [])),
    responses((status = 200, body = Regions))
)]
#[get("/calendar/regions")]
pub async fn list_calendar_regions(
    state: web::Data<AppState>,
    identity: Identity,
) -> ApiResult<web::Json<Regions>> {
    identity.require(Permission::ReadCatalogue)?;
    let years = state
        .read(|conn| Ok(conn.regional_calendar_years()?))
        .await?;
    let mut items: Vec<RegionSummary> = Vec::new();
    for year in years {
        match items.last_mut() {
            Some(last) if last.region == year.region => last.years.push(year.calendar.year),
            _ => items.push(RegionSummary {
                name: year.region.region_name(),
                region: year.region,
                years: vec![year.calendar.year],
            }),
        }
    }
    Ok(web::Json(Regions { items }))
}

/// A province-level division named in a path, else 404: nothing else has a calendar.
fn region(code: &str) -> Result<Division, ApiError> {
    Division::parse(code)
        .ok()
        .filter(Division::is_region)
        .ok_or_else(|| {
            ApiError::NotFound("no such region: use a province-level code like 640000".into())
        })
}

/// A region's own notice for a year, as loaded.
#[utoipa::path(
    tag = "calendar", operation_id = "get_regional_calendar_year", security(("bearer" = [])),
    params(("region" = String, Path, pattern = "^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])0000$", example = "640000"), ("year" = i32, Path, minimum = 2000, maximum = 2100)),
    responses(
        (status = 200, body = RegionalYearView),
        (status = 404, description = "No notice of the region is loaded for the year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar/regions/{region}/{year}")]
pub async fn get_regional_calendar_year(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, i32)>,
) -> ApiResult<web::Json<RegionalYearView>> {
    identity.require(Permission::ReadCatalogue)?;
    let (code, year) = path.into_inner();
    let region = region(&code)?;
    let stored = state
        .read(move |conn| Ok(conn.regional_calendar_year(&region, year)?))
        .await?;
    Ok(web::Json(found(stored, "regional calendar year")?.into()))
}

/// What loading a region's year did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionalChange {
    /// The region's year as now stored.
    #[serde(flatten)]
    pub year: RegionalYearView,
    /// How many open cases of the region's centres had their deadlines moved (each has a
    /// `recompute` event saying why).
    pub recomputed_cases: usize,
}

/// Loads or corrects a region's own notice for a year (admin): its extra holidays and
/// make-up working days on top of the national notice. Open cases of the region's centres
/// whose deadlines move are recomputed in the same transaction; centres elsewhere are
/// untouched.
#[utoipa::path(
    tag = "calendar", operation_id = "put_regional_calendar_year", security(("bearer" = [])),
    params(("region" = String, Path, pattern = "^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])0000$", example = "640000"), ("year" = i32, Path, minimum = 2000, maximum = 2100)),
    request_body = YearCalendar,
    responses(
        (status = 200, body = RegionalChange),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a province-level division", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/calendar/regions/{region}/{year}")]
pub async fn put_regional_calendar_year(
    state: web::Data<AppState>,
    path: web::Path<(String, i32)>,
    allowed: Allowed<ManageCatalogue, Json<YearCalendar>>,
) -> ApiResult<web::Json<RegionalChange>> {
    let (identity, body) = (allowed.identity, allowed.inner);
    let (code, year) = path.into_inner();
    let region = region(&code)?;
    let calendar = body.into_inner();
    if calendar.year != year {
        return Err(ValidationErrors::single("year", "must be the year of the path").into());
    }
    let now = state.now();
    let doc = RegionalYear { region, calendar };
    let change = state
        .write(move |conn| replace_regional_year(conn, doc, identity.user_id, now))
        .await?;
    Ok(web::Json(change))
}

/// Stores a region's year and recomputes its centres' open deadlines, in the caller's
/// transaction.
pub fn replace_regional_year(
    conn: &mut AnyConnection,
    doc: RegionalYear,
    actor: UserId,
    now: Moment,
) -> Result<RegionalChange, ApiError> {
    let before = conn.regional_calendar_year(&doc.region, doc.calendar.year)?;
    audit(
        conn,
        now.at,
        Some(actor),
        AuditAction::CalendarRegionReplace,
        format!("{}/{}", doc.region, doc.calendar.year),
        before.as_ref(),
        Some(&doc),
    )?;
    let recomputed_cases = recompute::replace_regional_year(conn, doc.clone(), Some(actor), now)?;
    Ok(RegionalChange {
        year: doc.into(),
        recomputed_cases,
    })
}
