//! The query plan: which rollup answers a query, or the fine table when none can.

use domain::repository::{StatsGroup, StatsQuery};

/// Which single-dimension rollup answers the query, with the ids it is filtered to; `None`
/// when the filters and the grouping span several dimensions and only the fine table can.
pub(super) fn plan(
    query: &StatsQuery,
    group: Option<StatsGroup>,
) -> Option<(&'static str, Option<Vec<String>>)> {
    let mut filters: Vec<(&'static str, Vec<String>)> = Vec::new();
    if let Some(centers) = &query.center_ids {
        filters.push(("center", centers.iter().map(ToString::to_string).collect()));
    }
    if let Some(window) = query.window_id {
        filters.push(("window", vec![window.to_string()]));
    }
    if let Some(department) = query.department_id {
        filters.push(("department", vec![department.to_string()]));
    }
    if let Some(item) = query.item_id {
        filters.push(("item", vec![item.to_string()]));
    }
    let grouped = match group {
        Some(StatsGroup::Center) => Some("center"),
        Some(StatsGroup::Window) => Some("window"),
        Some(StatsGroup::Department) => Some("department"),
        Some(StatsGroup::Item) => Some("item"),
        Some(StatsGroup::Clerk) => Some("clerk"),
        Some(StatsGroup::Day | StatsGroup::Month) | None => None,
    };
    match (filters.len(), grouped) {
        (0, None) => Some(("all", None)),
        (0, Some(dim)) => Some((dim, None)),
        (1, None) => filters.pop().map(|(dim, ids)| (dim, Some(ids))),
        (1, Some(dim)) if filters[0].0 == dim => filters.pop().map(|(dim, ids)| (dim, Some(ids))),
        _ => None,
    }
}
