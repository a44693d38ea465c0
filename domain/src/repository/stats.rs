//! What statistics need from storage: where a case is counted, which cases a query covers,
//! how figures are grouped, and the deltas' store.

use chrono::NaiveDate;

use super::{CaseFilter, RepositoryResult};
use crate::case::Case;
use crate::ids::{CenterId, DepartmentId, ServiceItemId, UserId, WindowId};

/// Where a case's statistics are counted: where and by whom it was received.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatsKey {
    /// The case's region: statistics rows are kept per region, so that cases of different
    /// regions never wait for the same row.
    pub region: String,
    /// The local date of receipt.
    pub received_on: NaiveDate,
    /// The receiving centre.
    pub center_id: CenterId,
    /// The receiving window.
    pub window_id: WindowId,
    /// The service item.
    pub item_id: ServiceItemId,
    /// The item's department.
    pub department_id: DepartmentId,
    /// The receiving clerk.
    pub clerk_id: UserId,
}

impl StatsKey {
    /// The key of a case.
    pub fn of(case: &Case) -> Self {
        Self {
            region: case.region.clone(),
            received_on: case.received_on,
            center_id: case.received_center_id,
            window_id: case.received_window_id,
            item_id: case.item_id,
            department_id: case.department_id,
            clerk_id: case.accepted_by,
        }
    }
}

/// Which cases statistics cover, and as of when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsQuery {
    /// Received on or after this local date.
    pub from: NaiveDate,
    /// Received on or before this local date.
    pub to: NaiveDate,
    /// Judged as they stood at the end of this local date.
    pub as_of: NaiveDate,
    /// Only received at these centres.
    pub center_ids: Option<Vec<CenterId>>,
    /// Only received at this window.
    pub window_id: Option<WindowId>,
    /// Only of this department.
    pub department_id: Option<DepartmentId>,
    /// Only of this item.
    pub item_id: Option<ServiceItemId>,
    /// Which date puts a case's figures into `[from, to]`.
    pub basis: crate::stats::StatsBasis,
}

/// How statistics are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StatsGroup {
    /// By receiving centre.
    Center,
    /// By receiving window.
    Window,
    /// By department.
    Department,
    /// By service item.
    Item,
    /// By receiving clerk.
    Clerk,
    /// By local date of receipt (of effect, on the completion basis).
    Day,
    /// By month of receipt (of effect, on the completion basis).
    Month,
}

/// Folding the statistics deltas an event left pending into the tables queries read first;
/// queries add what is still pending, so folding changes no answer, only its cost.
pub trait StatsProjector {
    /// Folds up to `limit` of the oldest pending deltas; how many were folded (none while
    /// another process folds).
    fn fold_stats(&mut self, limit: i64) -> RepositoryResult<usize>;
    /// Whether any delta waits to be folded.
    fn stats_pending(&mut self) -> RepositoryResult<bool>;
}

/// Storage of the statistics deltas.
pub trait StatsRepository {
    /// Adds a case's deltas (pending until folded, counted by queries meanwhile).
    fn add_stats(
        &mut self,
        key: &StatsKey,
        deltas: &[crate::stats::StatDelta],
    ) -> RepositoryResult<()>;
    /// The counters per group (the group's id or `YYYY-MM-DD` date; one group `""` when
    /// not grouped). Months are grouped by the caller from days. On the completion basis the
    /// deltas that took effect in `[from, min(to, as_of)]` are summed, whenever received, and
    /// days are days of effect.
    fn stats(
        &mut self,
        query: &StatsQuery,
        group: Option<StatsGroup>,
    ) -> RepositoryResult<Vec<(String, crate::stats::Counters)>>;
    /// How many cases match the filter now, per centre, window, department or item they are
    /// at (one group `""` when not grouped); for the open cases by warning colour.
    fn case_counts(
        &mut self,
        filter: &CaseFilter,
        group: Option<StatsGroup>,
    ) -> RepositoryResult<Vec<(String, i64)>>;
}
