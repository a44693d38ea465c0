//! `/api/v1/reports/{year}`: the statistical section of the yearly openness
//! self-inspection report, as JSON, CSV or Markdown.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use domain::ids::WindowId;
use domain::permission::Permission;
use domain::report::{YearReport, catalogue_figures};
use domain::stats::Period;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Identity;
use crate::parameters::Query;
use crate::problem::{ApiResult, Problem};
use crate::routes::stats::{
    StatsParams, accepts, csv_answer, stats_query, summary, whole_catalogue,
};
use crate::state::AppState;

/// The report's format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    /// JSON (the default).
    #[default]
    Json,
    /// `metric,value` lines, UTF-8 with a byte-order mark.
    Csv,
    /// Markdown in Chinese, in the report's wording.
    Md,
}

/// Which part of the year, and how.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// The last day counted and judged (default: 31 December, or today in the current year).
    pub through: Option<NaiveDate>,
    /// json (default), csv or md; without it, `Accept: text/csv` or `text/markdown` asks
    /// for those.
    pub format: Option<ReportFormat>,
}

/// The statistical section of the year's report: windows by kind, items by category, days
/// cut, and the cases received from 1 January through `through` as they stood at its end.
#[utoipa::path(
    tag = "stats", operation_id = "get_report", security(("bearer" = [])), params(("year" = i32, Path, minimum = 2000, maximum = 2100), ReportParams),
    responses(
        (status = 200, description = "The report: JSON, or `text/csv` (UTF-8 with a byte-order mark) or `text/markdown` as asked by `format` or `Accept`", content(
            (YearReport = "application/json"),
            (String = "text/csv"),
            (String = "text/markdown"),
        )),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/{year}")]
pub async fn get_report(
    state: web::Data<AppState>,
    identity: Identity,
    request: HttpRequest,
    year: web::Path<i32>,
    params: Query<ReportParams>,
) -> ApiResult<HttpResponse> {
    let own_window = identity.case_scope(Permission::ReadStatistics)?;
    let year = year.into_inner();
    let ReportParams { through, format } = params.into_inner();
    let format = format.unwrap_or_else(|| {
        if accepts(&request, "text/csv") {
            ReportFormat::Csv
        } else if accepts(&request, "text/markdown") {
            ReportFormat::Md
        } else {
            ReportFormat::Json
        }
    });
    let report = year_report(&state, own_window, year, through).await?;
    Ok(match format {
        ReportFormat::Json => HttpResponse::Ok().json(report),
        ReportFormat::Csv => csv_answer(report.csv()),
        ReportFormat::Md => HttpResponse::Ok()
            .content_type("text/markdown; charset=utf-8")
            .body(report.markdown()),
    })
}

/// The report of `year` through `through` (default: its end, or today), within the caller's
/// reach.
async fn year_report(
    state: &AppState,
    own_window: Option<WindowId>,
    year: i32,
    through: Option<NaiveDate>,
) -> ApiResult<YearReport> {
    let today = state.now().today;
    let Period {
        from: first,
        to: through,
        ..
    } = Period::report(year, through, today)?;
    state
        .read_replica(move |conn| {
            let params = StatsParams {
                from: Some(first),
                to: Some(through),
                as_of: Some(through),
                center: None,
                window: None,
                department: None,
                item: None,
                basis: None,
                format: None,
            };
            let query = stats_query(conn, params, own_window, today)?;
            let cases = summary(conn, &query)?;
            let (items, windows) = whole_catalogue(conn)?;
            Ok(YearReport {
                year,
                from: first,
                through,
                catalogue: catalogue_figures(&items, &windows),
                cases,
            })
        })
        .await
}

/// The yearly report as CSV (UTF-8 with a byte-order mark): the same figures as
/// `GET /reports/{year}?format=csv`, as an operation of its own so that a generated client
/// gets the text rather than trying to read JSON.
#[utoipa::path(
    tag = "stats", operation_id = "get_report_csv", security(("bearer" = [])),
    params(("year" = i32, Path, minimum = 2000, maximum = 2100), ThroughParam),
    responses(
        (status = 200, description = "`metric,value` lines, UTF-8 with a byte-order mark", body = String, content_type = "text/csv"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/{year}.csv")]
pub async fn get_report_csv(
    state: web::Data<AppState>,
    identity: Identity,
    year: web::Path<i32>,
    params: Query<ThroughParam>,
) -> ApiResult<HttpResponse> {
    let own_window = identity.case_scope(Permission::ReadStatistics)?;
    let report = year_report(
        &state,
        own_window,
        year.into_inner(),
        params.into_inner().through,
    )
    .await?;
    Ok(csv_answer(report.csv()))
}

/// Which part of the year.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ThroughParam {
    /// The last day counted and judged (default: 31 December, or today in the current year).
    pub through: Option<NaiveDate>,
}
