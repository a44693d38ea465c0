//! `/api/v1/stats`: the dashboards' figures, summed from the statistics deltas (see
//! `domain::stats`), so a past period's figures never change.

use std::collections::{BTreeMap, HashMap};

use actix_web::{get, web};
use chrono::{Datelike, NaiveDate};
use domain::ValidationErrors;
use domain::catalogue::{ServiceItem, Window};
use domain::ids::{CenterId, DepartmentId, ServiceItemId, WindowId};
use domain::page::{Page, PageRequest};
use domain::permission::Permission;
use domain::report::{CatalogueFigures, catalogue_figures};
use domain::repository::{
    CenterRepository, DepartmentRepository, RepositoryResult, ServiceItemRepository, StatsGroup,
    StatsQuery, StatsRepository, UserRepository, WindowRepository,
};
use domain::stats::{Counters, Summary};
use persistence::AnyConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Identity;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::cases::{case_scope, center_and_beneath, window_in_reach};
use crate::state::AppState;

/// Which cases to count, and as of when.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// Received on or after this local date (default: 1 January of `to`'s year).
    pub from: Option<NaiveDate>,
    /// Received on or before this local date (default: today).
    pub to: Option<NaiveDate>,
    /// Judge the cases as they stood at the end of this local date (default: today).
    pub as_of: Option<NaiveDate>,
    /// Only received at this centre and the centres beneath it.
    pub center: Option<CenterId>,
    /// Only received at this window.
    pub window: Option<WindowId>,
    /// Only of this department.
    pub department: Option<DepartmentId>,
    /// Only of this item.
    pub item: Option<ServiceItemId>,
}

/// A summary with the period it covers.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryView {
    /// The first day of receipt counted.
    pub from: NaiveDate,
    /// The last day of receipt counted.
    pub to: NaiveDate,
    /// The day the cases are judged at.
    pub as_of: NaiveDate,
    /// The figures.
    #[serde(flatten)]
    pub summary: Summary,
}

/// Turns the parameters into a query within the caller's reach.
pub(crate) fn stats_query(
    conn: &mut AnyConnection,
    params: StatsParams,
    own_window: Option<WindowId>,
    today: NaiveDate,
) -> Result<StatsQuery, ApiError> {
    let window_id = window_in_reach(
        own_window,
        params.window,
        "a clerk sees the figures of their own window only",
    )?;
    let to = params.to.unwrap_or(today);
    let from = params
        .from
        .unwrap_or_else(|| NaiveDate::from_yo_opt(to.year(), 1).unwrap_or(to));
    let as_of = params.as_of.unwrap_or(today);
    let mut errors = ValidationErrors::default();
    errors.date("from", params.from);
    errors.date("to", params.to);
    errors.date("as_of", params.as_of);
    if from > to {
        errors.add("from", "must not be after `to`");
    }
    if as_of > today {
        errors.add("as_of", "cannot lie in the future");
    }
    errors.into_result()?;
    let center_ids = center_and_beneath(conn, params.center)?;
    Ok(StatsQuery {
        from,
        to,
        as_of,
        center_ids,
        window_id,
        department_id: params.department,
        item_id: params.item,
    })
}

/// The totals of the query.
pub(crate) fn summary(conn: &mut AnyConnection, query: &StatsQuery) -> Result<Summary, ApiError> {
    let mut total = Counters::default();
    for (_, counters) in conn.stats(query, None)? {
        total += counters;
    }
    Ok(total.into())
}

/// Received, immediate, committed, completed, on time, open, overdue, refused, withdrawn
/// and ratings, for the cases received in `[from, to]` as they stood at the end of `as_of`.
#[utoipa::path(
    tag = "stats", operation_id = "get_stats_summary", security(("bearer" = [])), params(StatsParams),
    responses(
        (status = 200, body = SummaryView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/summary")]
pub async fn get_stats_summary(
    state: web::Data<AppState>,
    identity: Identity,
    params: web::Query<StatsParams>,
) -> ApiResult<web::Json<SummaryView>> {
    let own_window = case_scope(&identity, Permission::ReadStatistics)?;
    let today = state.now().today;
    let params = params.into_inner();
    let view = state
        .read_replica(move |conn| {
            let query = stats_query(conn, params, own_window, today)?;
            let summary = summary(conn, &query)?;
            Ok(SummaryView {
                from: query.from,
                to: query.to,
                as_of: query.as_of,
                summary,
            })
        })
        .await?;
    Ok(web::Json(view))
}

/// How to break the figures down.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BreakdownParams {
    /// center, window, department, item, clerk, day or month.
    pub by: StatsGroup,
}

/// One group's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct Group {
    /// The group: an id, a date `YYYY-MM-DD` or a month `YYYY-MM`.
    pub key: String,
    /// Its name: the centre, department, item or clerk, `3号窗口 民政窗口`, the date.
    pub label: String,
    /// Its figures.
    #[serde(flatten)]
    pub summary: Summary,
}

/// A breakdown and the total it adds up to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Breakdown {
    /// The grouping.
    pub by: StatsGroup,
    /// The first day of receipt counted.
    pub from: NaiveDate,
    /// The last day of receipt counted.
    pub to: NaiveDate,
    /// The day the cases are judged at.
    pub as_of: NaiveDate,
    /// The groups, in key order; they add up to `total`.
    pub groups: Vec<Group>,
    /// The summary of the same query.
    pub total: Summary,
}

/// The same figures per centre, window, department, item, clerk, day or month.
#[utoipa::path(
    tag = "stats", operation_id = "get_stats_breakdown", security(("bearer" = [])), params(BreakdownParams, StatsParams),
    responses(
        (status = 200, body = Breakdown),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/breakdown")]
pub async fn get_stats_breakdown(
    state: web::Data<AppState>,
    identity: Identity,
    by: web::Query<BreakdownParams>,
    params: web::Query<StatsParams>,
) -> ApiResult<web::Json<Breakdown>> {
    let own_window = case_scope(&identity, Permission::ReadStatistics)?;
    let today = state.now().today;
    let by = by.into_inner().by;
    let params = params.into_inner();
    let view = state
        .read_replica(move |conn| {
            let query = stats_query(conn, params, own_window, today)?;
            let mut grouped: BTreeMap<String, Counters> = BTreeMap::new();
            let mut total = Counters::default();
            for (key, counters) in conn.stats(&query, Some(by))? {
                // Months are folded from days: `YYYY-MM-DD` → `YYYY-MM`.
                let key = if by == StatsGroup::Month {
                    key.chars().take(7).collect()
                } else {
                    key
                };
                *grouped.entry(key).or_default() += counters;
                total += counters;
            }
            let labels = labels(conn, by, grouped.keys())?;
            let groups = grouped
                .into_iter()
                .map(|(key, counters)| Group {
                    label: labels.get(&key).cloned().unwrap_or_else(|| key.clone()),
                    key,
                    summary: counters.into(),
                })
                .collect();
            Ok(Breakdown {
                by,
                from: query.from,
                to: query.to,
                as_of: query.as_of,
                groups,
                total: total.into(),
            })
        })
        .await?;
    Ok(web::Json(view))
}

/// Names for the groups' keys, read in one go per kind rather than one query per group.
fn labels<'a>(
    conn: &mut AnyConnection,
    by: StatsGroup,
    keys: impl Iterator<Item = &'a String>,
) -> Result<HashMap<String, String>, ApiError> {
    let named: Vec<(String, String)> = match by {
        StatsGroup::Center => conn
            .all_centers()?
            .into_iter()
            .map(|c| (c.id.to_string(), c.name))
            .collect(),
        StatsGroup::Window => conn
            .all_windows()?
            .into_iter()
            .map(|w| (w.id.to_string(), format!("{}号窗口 {}", w.number, w.name)))
            .collect(),
        StatsGroup::Item => {
            let ids: Vec<ServiceItemId> = keys.filter_map(|k| k.parse().ok()).collect();
            conn.items_by_ids(&ids)?
                .into_iter()
                .map(|i| (i.id.to_string(), i.name))
                .collect()
        }
        StatsGroup::Department => every(|page| conn.departments(page))?
            .into_iter()
            .map(|d| (d.id.to_string(), d.name))
            .collect(),
        StatsGroup::Clerk => every(|page| conn.users(page))?
            .into_iter()
            .map(|u| (u.id.to_string(), u.display_name))
            .collect(),
        StatsGroup::Day | StatsGroup::Month => Vec::new(),
    };
    Ok(named.into_iter().collect())
}

/// Every record of a paged listing, page after page.
fn every<T>(
    mut fetch: impl FnMut(&PageRequest) -> RepositoryResult<Page<T>>,
) -> Result<Vec<T>, ApiError> {
    let mut all = Vec::new();
    let mut page = PageRequest {
        limit: domain::page::MAX_PAGE_SIZE,
        after: None,
    };
    loop {
        let found = fetch(&page)?;
        all.extend(found.items);
        match found.next_cursor {
            Some(cursor) => page.after = Some(cursor),
            None => return Ok(all),
        }
    }
}

/// Every item and window, read page by page.
pub(crate) fn whole_catalogue(
    conn: &mut AnyConnection,
) -> Result<(Vec<ServiceItem>, Vec<Window>), ApiError> {
    let items = every(|page| conn.items(page))?;
    Ok((items, conn.all_windows()?))
}

/// Items by category and by handling, the totals of statutory days, promised days, days
/// cut and procedure steps, and windows by kind.
#[utoipa::path(
    tag = "stats", operation_id = "get_stats_catalogue", security(("bearer" = [])),
    responses((status = 200, body = CatalogueFigures), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/stats/catalogue")]
pub async fn get_stats_catalogue(
    state: web::Data<AppState>,
    identity: Identity,
) -> ApiResult<web::Json<CatalogueFigures>> {
    identity.require(Permission::ReadStatistics)?;
    let figures = state
        .read_replica(|conn| {
            let (items, windows) = whole_catalogue(conn)?;
            Ok(catalogue_figures(&items, &windows))
        })
        .await?;
    Ok(web::Json(figures))
}
