//! `/api/v1/stats`: the dashboards' figures, summed from the statistics deltas (see
//! `domain::stats`), so a past period's figures never change.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::header::ACCEPT;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{Datelike, NaiveDate};
use domain::ValidationErrors;
use domain::case::{CaseStatus, Warning, due_windows};
use domain::catalogue::{ServiceItem, Window};
use domain::ids::{CenterId, DepartmentId, ServiceItemId, WindowId};
use domain::page::{Page, PageRequest};
use domain::permission::Permission;
use domain::report::{CatalogueFigures, catalogue_figures};
use domain::repository::{
    CaseFilter, CenterRepository, DepartmentRepository, RepositoryResult, ServiceItemRepository,
    StatsGroup, StatsQuery, StatsRepository, UserRepository, WindowRepository,
};
use domain::stats::{
    Counters, MAX_GROUPS, SUMMARY_COLUMNS, StatsBasis, StatsSort, Summary, WarningCounts, rank,
    series_keys,
};
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
    /// Which date puts a case into the period: `received` (default: the cases received in
    /// it) or `completed` (throughput: what happened in it — completed and completed on time
    /// by the date of completion, whenever received; `open` and `overdue_open` are `null`).
    pub basis: Option<StatsBasis>,
    /// `json` (default) or `csv` (UTF-8 with a byte-order mark); `Accept: text/csv` asks for
    /// CSV too.
    pub format: Option<TableFormat>,
}

/// How a statistics answer is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TableFormat {
    /// JSON (the default).
    #[default]
    Json,
    /// CSV, UTF-8 with a byte-order mark, a header row first.
    Csv,
}

/// Whether the answer is to be CSV: as `format` says, else as the `Accept` header does.
pub(crate) fn accepts(request: &HttpRequest, media_type: &str) -> bool {
    request
        .headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept
                .split(',')
                .any(|m| m.split(';').next().map(str::trim) == Some(media_type))
        })
}

fn wants_csv(format: Option<TableFormat>, request: &HttpRequest) -> bool {
    match format {
        Some(format) => format == TableFormat::Csv,
        None => accepts(request, "text/csv"),
    }
}

/// A CSV answer (the text begins with its byte-order mark, see `domain::csv`).
pub(crate) fn csv_answer(text: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .body(text)
}

/// The period's columns and the figures' columns of a CSV header.
fn header(leading: &[&str]) -> Vec<String> {
    leading
        .iter()
        .chain(SUMMARY_COLUMNS.iter())
        .map(|c| (*c).to_owned())
        .collect()
}

fn basis_name(basis: StatsBasis) -> String {
    match basis {
        StatsBasis::Received => "received",
        StatsBasis::Completed => "completed",
    }
    .to_owned()
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
    /// Which date put the cases into the period.
    pub basis: StatsBasis,
    /// The figures.
    #[serde(flatten)]
    pub summary: Summary,
}

impl SummaryView {
    fn csv(&self) -> String {
        let mut row = vec![
            self.from.to_string(),
            self.to.to_string(),
            self.as_of.to_string(),
            basis_name(self.basis),
        ];
        row.extend(self.summary.cells());
        domain::csv::write([header(&["from", "to", "as_of", "basis"]), row])
    }
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
        basis: params.basis.unwrap_or_default(),
    })
}

/// The totals of the query.
pub(crate) fn summary(conn: &mut AnyConnection, query: &StatsQuery) -> Result<Summary, ApiError> {
    let mut total = Counters::default();
    for (_, counters) in conn.stats(query, None)? {
        total += counters;
    }
    Ok(Summary::on(query.basis, total))
}

/// Received, immediate, committed, completed, on time, open, overdue, refused, withdrawn
/// and ratings (with their distribution over the five levels and the satisfaction rate), for
/// the cases received in `[from, to]` as they stood at the end of `as_of` — or, with
/// `basis=completed`, for what happened in `[from, to]` up to `as_of`.
#[utoipa::path(
    tag = "stats", operation_id = "get_stats_summary", security(("bearer" = [])), params(StatsParams),
    responses(
        (status = 200, description = "The figures: JSON, or CSV (`format=csv` or `Accept: text/csv`): a header row and one row", content(
            (SummaryView = "application/json"),
            (String = "text/csv"),
        )),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/summary")]
pub async fn get_stats_summary(
    state: web::Data<AppState>,
    identity: Identity,
    request: HttpRequest,
    params: web::Query<StatsParams>,
) -> ApiResult<HttpResponse> {
    let own_window = case_scope(&identity, Permission::ReadStatistics)?;
    let today = state.now().today;
    let params = params.into_inner();
    let csv = wants_csv(params.format, &request);
    let view = state
        .read_replica(move |conn| {
            let query = stats_query(conn, params, own_window, today)?;
            let summary = summary(conn, &query)?;
            Ok(SummaryView {
                from: query.from,
                to: query.to,
                as_of: query.as_of,
                basis: query.basis,
                summary,
            })
        })
        .await?;
    Ok(if csv {
        csv_answer(view.csv())
    } else {
        HttpResponse::Ok().json(view)
    })
}

/// How to break the figures down, rank and cut them.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BreakdownParams {
    /// center, window, department, item, clerk, day or month. A day or month series has
    /// every day or month of `[from, to]`, those without cases as zeros.
    pub by: StatsGroup,
    /// Rank the groups by this figure, highest first (groups without it, such as a rate
    /// without cases, last); default: in key order.
    pub sort: Option<StatsSort>,
    /// `desc` (default) or `asc`, with `sort`.
    pub order: Option<SortOrder>,
    /// Only the first this many groups (top-N), 1 to 1000; `total` stays the whole period's.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Which way to rank.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Highest first.
    #[default]
    Desc,
    /// Lowest first.
    Asc,
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
    /// Which date put the cases into the period.
    pub basis: StatsBasis,
    /// How many groups there are before `limit`.
    pub count: usize,
    /// The groups, in key order or ranked by `sort`; without `limit` they add up to
    /// `total`.
    pub groups: Vec<Group>,
    /// The summary of the same query.
    pub total: Summary,
}

impl Breakdown {
    /// A row per group, then the total's (key `total`, label 合计).
    fn csv(&self) -> String {
        let meta = |row: &mut Vec<String>| {
            row.extend([
                self.from.to_string(),
                self.to.to_string(),
                self.as_of.to_string(),
                basis_name(self.basis),
            ]);
        };
        let mut rows = vec![header(&["key", "label", "from", "to", "as_of", "basis"])];
        for group in &self.groups {
            let mut row = vec![group.key.clone(), group.label.clone()];
            meta(&mut row);
            row.extend(group.summary.cells());
            rows.push(row);
        }
        let mut row = vec!["total".to_owned(), "合计".to_owned()];
        meta(&mut row);
        row.extend(self.total.cells());
        rows.push(row);
        domain::csv::write(rows)
    }
}

/// The same figures per centre, window, department, item, clerk, day or month; ranked by a
/// figure and cut to the top N when asked. Days and months are of receipt, or of effect with
/// `basis=completed`, every one of the period present.
#[utoipa::path(
    tag = "stats", operation_id = "get_stats_breakdown", security(("bearer" = [])), params(BreakdownParams, StatsParams),
    responses(
        (status = 200, description = "The groups and their total: JSON, or CSV (`format=csv` or `Accept: text/csv`): a row per group, then the total (key `total`)", content(
            (Breakdown = "application/json"),
            (String = "text/csv"),
        )),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/breakdown")]
pub async fn get_stats_breakdown(
    state: web::Data<AppState>,
    identity: Identity,
    request: HttpRequest,
    breakdown: web::Query<BreakdownParams>,
    params: web::Query<StatsParams>,
) -> ApiResult<HttpResponse> {
    let own_window = case_scope(&identity, Permission::ReadStatistics)?;
    let today = state.now().today;
    let BreakdownParams {
        by,
        sort,
        order,
        limit,
    } = breakdown.into_inner();
    if let Some(limit) = limit
        && !(1..=MAX_GROUPS).contains(&usize::try_from(limit).unwrap_or(usize::MAX))
    {
        return Err(ValidationErrors::single(
            "limit",
            format!("must be between 1 and {MAX_GROUPS}"),
        )
        .into());
    }
    let params = params.into_inner();
    let csv = wants_csv(params.format, &request);
    let view = state
        .read_replica(move |conn| {
            let query = stats_query(conn, params, own_window, today)?;
            let mut grouped: BTreeMap<String, Counters> = BTreeMap::new();
            // A series has every day or month of the period, zeros included.
            if matches!(by, StatsGroup::Day | StatsGroup::Month) {
                for key in series_keys(query.from, query.to, by == StatsGroup::Month) {
                    grouped.insert(key, Counters::default());
                }
            }
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
            let mut groups: Vec<Group> = grouped
                .into_iter()
                .map(|(key, counters)| Group {
                    label: labels.get(&key).cloned().unwrap_or_else(|| key.clone()),
                    key,
                    summary: Summary::on(query.basis, counters),
                })
                .collect();
            let count = groups.len();
            if let Some(sort) = sort {
                let ascending = order == Some(SortOrder::Asc);
                rank(&mut groups, sort, ascending, |g| &g.summary);
            }
            if let Some(limit) = limit {
                groups.truncate(usize::try_from(limit).unwrap_or(MAX_GROUPS));
            }
            Ok(Breakdown {
                by,
                from: query.from,
                to: query.to,
                as_of: query.as_of,
                basis: query.basis,
                count,
                groups,
                total: Summary::on(query.basis, total),
            })
        })
        .await?;
    Ok(if csv {
        csv_answer(view.csv())
    } else {
        HttpResponse::Ok().json(view)
    })
}

/// Which open cases to count, and how to group them.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WarningCountParams {
    /// center, window, department or item: where the cases are now (after any transfer).
    /// Without it, only the total.
    pub by: Option<WarningGroup>,
    /// Only at this centre and the centres beneath it.
    pub center: Option<CenterId>,
    /// Only at this window.
    pub window: Option<WindowId>,
    /// Only of this department.
    pub department: Option<DepartmentId>,
    /// Only of this item.
    pub item: Option<ServiceItemId>,
    /// `json` (default) or `csv`; `Accept: text/csv` asks for CSV too.
    pub format: Option<TableFormat>,
}

/// How open cases are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarningGroup {
    /// By the centre the case is at.
    Center,
    /// By the window handling it.
    Window,
    /// By department.
    Department,
    /// By service item.
    Item,
}

impl From<WarningGroup> for StatsGroup {
    fn from(group: WarningGroup) -> Self {
        match group {
            WarningGroup::Center => StatsGroup::Center,
            WarningGroup::Window => StatsGroup::Window,
            WarningGroup::Department => StatsGroup::Department,
            WarningGroup::Item => StatsGroup::Item,
        }
    }
}

/// One group's open cases by colour.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningGroupCounts {
    /// The centre's, window's, department's or item's id.
    pub key: String,
    /// Its name.
    pub label: String,
    /// Its open cases by colour.
    #[serde(flatten)]
    pub counts: WarningCounts,
}

/// Open cases now by warning colour.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningCountsView {
    /// The local date the cards are judged on (today).
    pub today: NaiveDate,
    /// Working days left at which a card turns yellow.
    pub yellow_days: u32,
    /// The grouping, if any.
    pub by: Option<WarningGroup>,
    /// The groups with open cases, in key order; they add up to `total`.
    pub groups: Vec<WarningGroupCounts>,
    /// All the open cases counted.
    pub total: WarningCounts,
}

impl WarningCountsView {
    /// A row per group, then the total's (key `total`, label 合计).
    fn csv(&self) -> String {
        let mut rows = vec![
            ["key", "label", "open", "none", "yellow", "red"]
                .map(str::to_owned)
                .to_vec(),
        ];
        let row = |key: &str, label: &str, c: &WarningCounts| {
            vec![
                key.to_owned(),
                label.to_owned(),
                c.open.to_string(),
                c.none.to_string(),
                c.yellow.to_string(),
                c.red.to_string(),
            ]
        };
        for group in &self.groups {
            rows.push(row(&group.key, &group.label, &group.counts));
        }
        rows.push(row("total", "合计", &self.total));
        domain::csv::write(rows)
    }
}

/// The cases open now by warning colour (电子监察): none, yellow (at most `HALL_YELLOW_DAYS`
/// working days left), red (past the deadline), per centre, window, department or item, each
/// judged by its centre's calendar as `/supervision/warnings` judges it. The colours add up
/// to the open cases; a paused case has no card. Now only: a past day's cards would need the
/// deadlines as they stood then (`overdue_open` of `/stats/summary` is the red count as of
/// any date).
#[utoipa::path(
    tag = "stats", operation_id = "get_stats_warnings", security(("bearer" = [])), params(WarningCountParams),
    responses(
        (status = 200, description = "The counts: JSON, or CSV (`format=csv` or `Accept: text/csv`): a row per group, then the total (key `total`)", content(
            (WarningCountsView = "application/json"),
            (String = "text/csv"),
        )),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/warnings")]
pub async fn get_stats_warnings(
    state: web::Data<AppState>,
    identity: Identity,
    request: HttpRequest,
    params: web::Query<WarningCountParams>,
) -> ApiResult<HttpResponse> {
    let own_window = case_scope(&identity, Permission::ReadStatistics)?;
    let params = params.into_inner();
    let window_id = window_in_reach(
        own_window,
        params.window,
        "a clerk sees the warnings of their own window only",
    )?;
    let csv = wants_csv(params.format, &request);
    let today = state.now().today;
    let yellow_days = state.settings.yellow_days;
    let calendars = state.calendars.clone();
    let by = params.by;
    let view = state
        .read(move |conn| {
            let calendars = calendars.get(conn)?;
            let filter = CaseFilter {
                center_ids: center_and_beneath(conn, params.center)?,
                window_id,
                department_id: params.department,
                item_id: params.item,
                ..CaseFilter::default()
            };
            let group = by.map(StatsGroup::from);
            // (open, yellow, red) per group.
            let mut counts: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
            for status in [
                CaseStatus::Accepted,
                CaseStatus::InProgress,
                CaseStatus::Paused,
            ] {
                let filter = CaseFilter {
                    status: Some(status),
                    ..filter.clone()
                };
                for (key, n) in conn.case_counts(&filter, group)? {
                    counts.entry(key).or_default().0 += n;
                }
            }
            for level in [Warning::Yellow, Warning::Red] {
                let filter = CaseFilter {
                    due_between: Some(due_windows(level, &calendars, today, yellow_days)?),
                    ..filter.clone()
                };
                for (key, n) in conn.case_counts(&filter, group)? {
                    let entry = counts.entry(key).or_default();
                    match level {
                        Warning::Yellow => entry.1 += n,
                        Warning::Red => entry.2 += n,
                    }
                }
            }
            let labels = match group {
                Some(group) => labels(conn, group, counts.keys())?,
                None => HashMap::new(),
            };
            let mut total = WarningCounts::default();
            let mut groups = Vec::new();
            for (key, (open, yellow, red)) in counts {
                let counts = WarningCounts::new(open, yellow, red);
                total += counts;
                if group.is_some() {
                    groups.push(WarningGroupCounts {
                        label: labels.get(&key).cloned().unwrap_or_else(|| key.clone()),
                        key,
                        counts,
                    });
                }
            }
            Ok(WarningCountsView {
                today,
                yellow_days,
                by,
                groups,
                total,
            })
        })
        .await?;
    Ok(if csv {
        csv_answer(view.csv())
    } else {
        HttpResponse::Ok().json(view)
    })
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
