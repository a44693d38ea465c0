//! `GET /stats/queue`: the queue's figures — waiting and service time, no-shows, tickets per
//! hour — by centre, queue, window, clerk, item or hour, with the case statistics' as-of rule.

use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{FixedOffset, NaiveDate, TimeDelta};
use domain::ValidationErrors;
use domain::case::workflow::Moment;
use domain::ids::{CenterId, QueueId, WindowId};
use domain::permission::Permission;
use domain::queue::{
    FIGURE_COLUMNS, FigureSums, MAX_FIGURE_DAYS, NONE_KEY, QueueFigures, QueueGroup, TicketAsOf,
    end_of_day, serves, tally, waiting_now,
};
use domain::repository::{
    FigureQuery, QueueFiguresRepository, QueueRepository, StatsGroup, StatsQuery, WindowRepository,
};
use domain::stats::Period;
use persistence::AnyConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{TableFormat, csv_answer, labels, wants_csv};
use crate::auth::{Identity, window_in_reach};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::cases::center_and_beneath;
use crate::state::AppState;

/// Which tickets to count, as of when, and how to break them down.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueStatsParams {
    /// Issued on or after this local date (default: 1 January of `to`'s year; at most 366
    /// days before `to`).
    pub from: Option<NaiveDate>,
    /// Issued on or before this local date (default: today).
    pub to: Option<NaiveDate>,
    /// Judge the tickets as their events stood at the end of this local date (default:
    /// today).
    pub as_of: Option<NaiveDate>,
    /// Only issued at this centre and the centres beneath it.
    pub center: Option<CenterId>,
    /// Only the tickets this window last called (a clerk: always their own).
    pub window: Option<WindowId>,
    /// center, queue, window, clerk, item or hour (every hour `00`–`23` present); without
    /// it only the total.
    pub by: Option<QueueGroup>,
    /// `json` (default) or `csv` (UTF-8 with a byte-order mark); `Accept: text/csv` asks for
    /// CSV too.
    pub format: Option<TableFormat>,
}

/// One group's queue figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueFigureGroup {
    /// The group: an id, `none`, or an hour `00`–`23`.
    pub key: String,
    /// Its name: the centre, `A 民政业务`, `3号窗口 民政窗口`, the clerk, the item, `09:00`.
    pub label: String,
    /// Its figures.
    #[serde(flatten)]
    pub figures: QueueFigures,
}

/// The queue's figures of a period, by group, and their total.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueStats {
    /// The grouping, if any.
    pub by: Option<QueueGroup>,
    /// The first day of issue counted.
    pub from: NaiveDate,
    /// The last day of issue counted.
    pub to: NaiveDate,
    /// The day the tickets are judged at.
    pub as_of: NaiveDate,
    /// The groups, in key order. Every ticket counts in exactly one group, except by item:
    /// a ticket that became cases of several items counts under each.
    pub groups: Vec<QueueFigureGroup>,
    /// All the tickets, each once.
    pub total: QueueFigures,
}

impl QueueStats {
    /// A row per group, then the total's (key `total`, label 合计).
    fn csv(&self) -> String {
        let mut header: Vec<String> = ["key", "label", "from", "to", "as_of"]
            .map(str::to_owned)
            .to_vec();
        header.extend(FIGURE_COLUMNS.map(str::to_owned));
        let row = |key: &str, label: &str, figures: &QueueFigures| {
            let mut row = vec![
                key.to_owned(),
                label.to_owned(),
                self.from.to_string(),
                self.to.to_string(),
                self.as_of.to_string(),
            ];
            row.extend(figures.cells());
            row
        };
        let mut rows = vec![header];
        rows.extend(
            self.groups
                .iter()
                .map(|g| row(&g.key, &g.label, &g.figures)),
        );
        rows.push(row("total", "合计", &self.total));
        domain::csv::write(rows)
    }
}

/// Issued, called, finished, no-shows, cancelled, still waiting; mean and longest wait
/// (arrival → first call), mean service (last call → finish) and the no-show rate, for the
/// tickets issued on `[from, to]` as their events stood at the end of `as_of`; by centre,
/// queue, window, clerk, item or hour of issue. By window or clerk, the seconds the windows
/// were open and paused too.
#[utoipa::path(
    tag = "stats", operation_id = "get_stats_queue", security(("bearer" = [])), params(QueueStatsParams),
    responses(
        (status = 200, description = "The groups and their total: JSON, or CSV (`format=csv` or `Accept: text/csv`): a row per group, then the total (key `total`)", content(
            (QueueStats = "application/json"),
            (String = "text/csv"),
        )),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/queue")]
pub async fn get_stats_queue(
    state: web::Data<AppState>,
    identity: Identity,
    request: HttpRequest,
    params: web::Query<QueueStatsParams>,
) -> ApiResult<HttpResponse> {
    let own_window = identity.case_scope(Permission::ReadStatistics)?;
    let today = state.now().today;
    let offset = state.settings.utc_offset;
    let params = params.into_inner();
    let csv = wants_csv(params.format, &request);
    let window = window_in_reach(
        own_window,
        params.window,
        "a clerk sees the figures of their own window only",
    )?;
    let period = Period::asked(params.from, params.to, params.as_of, today)?;
    if (period.to - period.from).num_days() >= MAX_FIGURE_DAYS {
        return Err(ValidationErrors::single(
            "from",
            format!("the period may cover at most {MAX_FIGURE_DAYS} days"),
        )
        .into());
    }
    let by = params.by;
    let center = params.center;
    let view = state
        .read_replica(move |conn| {
            let center_ids = center_and_beneath(conn, center)?;
            queue_stats(conn, period, center_ids, window, by, offset)
        })
        .await?;
    Ok(if csv {
        csv_answer(view.csv())
    } else {
        HttpResponse::Ok().json(view)
    })
}

fn queue_stats(
    conn: &mut AnyConnection,
    period: Period,
    center_ids: Option<Vec<CenterId>>,
    window: Option<WindowId>,
    by: Option<QueueGroup>,
    offset: FixedOffset,
) -> Result<QueueStats, ApiError> {
    let cutoff = end_of_day(period.as_of, offset);
    let query = FigureQuery {
        from: period.from,
        to: period.to,
        cutoff,
        center_ids,
        with_items: by == Some(QueueGroup::Item),
    };
    let tickets: Vec<TicketAsOf> = conn
        .ticket_histories(&query)?
        .iter()
        .filter_map(|h| h.as_of(cutoff))
        .filter(|t| window.is_none() || t.window_id == window)
        .collect();
    // Without a grouping the total alone: tallied by centre, the groups dropped.
    let (mut groups, mut total) = tally(&tickets, by.unwrap_or(QueueGroup::Center), offset);
    if by.is_none() {
        groups.clear();
    }
    let sessions = matches!(by, Some(QueueGroup::Window | QueueGroup::Clerk));
    if sessions {
        let start = end_of_day(period.from, offset) - TimeDelta::days(1);
        let end = end_of_day(period.to, offset);
        for span in conn.session_spans(&query, start)? {
            if span.from >= end || window.is_some_and(|w| w != span.window_id) {
                continue;
            }
            let key = if by == Some(QueueGroup::Window) {
                span.window_id.to_string()
            } else {
                span.clerk_id.to_string()
            };
            let seconds = (span.to - span.from).num_seconds().max(0);
            groups.entry(key).or_default().add_span(span.state, seconds);
            total.add_span(span.state, seconds);
        }
    }
    let names = match by {
        Some(by) => group_labels(conn, by, &groups)?,
        None => HashMap::new(),
    };
    Ok(QueueStats {
        by,
        from: period.from,
        to: period.to,
        as_of: period.as_of,
        groups: groups
            .into_iter()
            .map(|(key, sums)| QueueFigureGroup {
                label: names.get(&key).cloned().unwrap_or_else(|| key.clone()),
                key,
                figures: sums.figures(sessions),
            })
            .collect(),
        total: total.figures(sessions),
    })
}

/// Names for the groups' keys: those the case statistics name alike, queues by prefix and
/// name, hours as `HH:00`, and `none` as 无.
fn group_labels(
    conn: &mut AnyConnection,
    by: QueueGroup,
    groups: &BTreeMap<String, FigureSums>,
) -> Result<HashMap<String, String>, ApiError> {
    let mut names = match by {
        QueueGroup::Center => labels(conn, StatsGroup::Center, groups.keys())?,
        QueueGroup::Window => labels(conn, StatsGroup::Window, groups.keys())?,
        QueueGroup::Clerk => labels(conn, StatsGroup::Clerk, groups.keys())?,
        QueueGroup::Item => labels(conn, StatsGroup::Item, groups.keys())?,
        QueueGroup::Hour => groups
            .keys()
            .map(|h| (h.clone(), format!("{h}:00")))
            .collect(),
        QueueGroup::Queue => {
            let mut names = HashMap::new();
            for key in groups.keys() {
                let Ok(queue) = key.parse::<QueueId>() else {
                    continue;
                };
                if let Some(queue) = conn.queue(queue)? {
                    names.insert(key.clone(), format!("{} {}", queue.prefix, queue.name));
                }
            }
            names
        }
    };
    names.insert(NONE_KEY.to_owned(), "无".to_owned());
    Ok(names)
}

/// People waiting now and the longest current wait in seconds, for the summary of `query`:
/// in its centres, and with a window only in the queues that window calls. Both `None`
/// unless the query is judged as of today: they are figures of the moment, not of a period.
pub(super) fn waiting_now_for(
    conn: &mut AnyConnection,
    query: &StatsQuery,
    now: Moment,
) -> Result<(Option<u64>, Option<i64>), ApiError> {
    if query.as_of != now.today {
        return Ok((None, None));
    }
    let mut lines = conn.waiting_lines(query.center_ids.as_deref(), now.today)?;
    if let Some(window) = query.window_id {
        let calls: Vec<QueueId> = match conn.window(window)? {
            Some(window) => conn
                .queues_of(window.center_id)?
                .iter()
                .filter(|q| serves(&window, q))
                .map(|q| q.id)
                .collect(),
            None => Vec::new(),
        };
        lines.retain(|line| calls.contains(&line.queue_id));
    }
    let (waiting, longest) = waiting_now(&lines, now.at);
    Ok((Some(waiting), longest))
}
