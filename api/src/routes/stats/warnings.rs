//! `GET /stats/warnings`: the open cases now by warning colour.

use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use domain::case::{CaseStatus, Warning, due_windows};
use domain::ids::{CenterId, DepartmentId, ServiceItemId, WindowId};
use domain::permission::Permission;
use domain::repository::{CaseFilter, StatsGroup, StatsRepository};
use domain::stats::WarningCounts;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{TableFormat, csv_answer, labels, wants_csv};
use crate::auth::Identity;
use crate::auth::window_in_reach;
use crate::parameters::Query;
use crate::problem::{ApiResult, Problem};
use crate::routes::cases::center_and_beneath;
use crate::state::AppState;

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
            [
                "key",
                "label",
                "open",
                "none",
                "yellow",
                "red",
                "overdue_materials",
            ]
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
                c.overdue_materials.to_string(),
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
/// to the open cases; a paused case has no card. Apart, `overdue_materials` counts the open
/// cases missing a material whose promised date (容缺) has passed. Now only: a past day's cards would need the
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
    params: Query<WarningCountParams>,
) -> ApiResult<HttpResponse> {
    let own_window = identity.case_scope(Permission::ReadStatistics)?;
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
            // (open, yellow, red, overdue materials) per group.
            let mut counts: BTreeMap<String, (i64, i64, i64, i64)> = BTreeMap::new();
            for status in CaseStatus::OPEN {
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
            let overdue = CaseFilter {
                materials_due_before: Some(today),
                ..filter.clone()
            };
            for (key, n) in conn.case_counts(&overdue, group)? {
                counts.entry(key).or_default().3 += n;
            }
            let labels = match group {
                Some(group) => labels(conn, group, counts.keys())?,
                None => HashMap::new(),
            };
            let mut total = WarningCounts::default();
            let mut groups = Vec::new();
            for (key, (open, yellow, red, overdue)) in counts {
                let counts = WarningCounts::new(open, yellow, red).with_overdue_materials(overdue);
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
