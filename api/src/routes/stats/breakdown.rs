//! `GET /stats/breakdown`: the figures per group, ranked and cut.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use domain::ValidationErrors;
use domain::permission::Permission;
use domain::repository::{StatsGroup, StatsRepository};
use domain::stats::{Counters, MAX_GROUPS, StatsBasis, StatsSort, Summary, rank, series_keys};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{StatsParams, basis_name, csv_answer, header, labels, stats_query, wants_csv};
use crate::auth::Identity;
use crate::parameters::Query;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

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
    breakdown: Query<BreakdownParams>,
    params: Query<StatsParams>,
) -> ApiResult<HttpResponse> {
    let own_window = identity.case_scope(Permission::ReadStatistics)?;
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
