//! `/api/v1/stats`: the dashboards' figures, summed from the statistics deltas (see
//! `domain::stats`), so a past period's figures never change.

mod breakdown;
mod catalogue;
mod queue;
mod summary;
mod warnings;

pub use breakdown::*;
pub use catalogue::*;
pub use queue::*;
pub use summary::*;
pub use warnings::*;

use std::collections::HashMap;

use actix_web::http::header::ACCEPT;
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDate;
use domain::catalogue::{ServiceItem, Window};
use domain::ids::{CenterId, DepartmentId, ServiceItemId, WindowId};
use domain::page::{Page, PageRequest};
use domain::repository::{
    CenterRepository, DepartmentRepository, RepositoryResult, ServiceItemRepository, StatsGroup,
    StatsQuery, StatsRepository, UserRepository, WindowRepository,
};
use domain::stats::{Counters, Period, SUMMARY_COLUMNS, StatsBasis, Summary};
use persistence::AnyConnection;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::window_in_reach;
use crate::problem::ApiError;
use crate::routes::cases::center_and_beneath;

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
    let Period { from, to, as_of } = Period::asked(params.from, params.to, params.as_of, today)?;
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
