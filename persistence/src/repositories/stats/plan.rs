//! The query plan: which rollup answers a query, or the fine table when none can.

use domain::repository::{StatsGroup, StatsQuery};

use super::dimension::Dimension;

/// Which single-dimension rollup answers the query, with the ids it is filtered to; `None`
/// when the filters and the grouping span several dimensions and only the fine table can.
pub(super) fn plan(
    query: &StatsQuery,
    group: Option<StatsGroup>,
) -> Option<(Dimension, Option<Vec<String>>)> {
    let mut filters = Dimension::filters(query);
    let grouped = group.and_then(Dimension::grouping);
    match (filters.len(), grouped) {
        (0, None) => Some((Dimension::All, None)),
        (0, Some(dim)) => Some((dim, None)),
        (1, None) => filters.pop().map(|(dim, ids)| (dim, Some(ids))),
        (1, Some(dim)) if filters[0].0 == dim => filters.pop().map(|(dim, ids)| (dim, Some(ids))),
        _ => None,
    }
}
