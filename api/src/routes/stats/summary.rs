//! `GET /stats/summary`: the totals of a period.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use domain::permission::Permission;
use domain::stats::{StatsBasis, Summary};
use serde::Serialize;
use utoipa::ToSchema;

use super::queue::waiting_now_for;
use super::{StatsParams, basis_name, csv_answer, header, stats_query, summary, wants_csv};
use crate::auth::Identity;
use crate::parameters::Query;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

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
    /// People waiting in line now (排队等候) in the centres asked for — with a window (a
    /// clerk: theirs), in the queues it calls; `null` unless `as_of` is today, since it is
    /// a figure of the moment, not of the period.
    pub waiting_now: Option<u64>,
    /// The longest of their waits so far, in seconds; `null` when nobody waits, and unless
    /// `as_of` is today.
    pub longest_wait_seconds: Option<i64>,
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
        row.push(self.waiting_now.map(|n| n.to_string()).unwrap_or_default());
        row.push(
            self.longest_wait_seconds
                .map(|s| s.to_string())
                .unwrap_or_default(),
        );
        let mut columns = header(&["from", "to", "as_of", "basis"]);
        columns.extend(["waiting_now".to_owned(), "longest_wait_seconds".to_owned()]);
        domain::csv::write([columns, row])
    }
}

/// Received, immediate, committed, completed, on time, open, overdue, refused, withdrawn
/// and ratings (with their distribution over the five levels and the satisfaction rate), for
/// the cases received in `[from, to]` as they stood at the end of `as_of` — or, with
/// `basis=completed`, for what happened in `[from, to]` up to `as_of`; and, asked as of
/// today, the people waiting in line now and the longest current wait.
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
    params: Query<StatsParams>,
) -> ApiResult<HttpResponse> {
    let own_window = identity.case_scope(Permission::ReadStatistics)?;
    let now = state.now();
    let params = params.into_inner();
    let csv = wants_csv(params.format, &request);
    let view = state
        .read_replica(move |conn| {
            let query = stats_query(conn, params, own_window, now.today)?;
            let summary = summary(conn, &query)?;
            let (waiting_now, longest_wait_seconds) = waiting_now_for(conn, &query, now)?;
            Ok(SummaryView {
                from: query.from,
                to: query.to,
                as_of: query.as_of,
                basis: query.basis,
                waiting_now,
                longest_wait_seconds,
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
