//! Statistics persistence, by job: the typed dimensions and tables, the rows a delta touches,
//! the pending deltas and their folding, the write path, the query plan and its SQL.

mod dimension;
mod pending;
mod plan;
mod rows;
mod sql;
mod write;

pub(crate) use dimension::Table;
pub(crate) use rows::{RowKey, bound, rows_of};
pub(crate) use write::{month_of, year_of};

use diesel::prelude::*;
use domain::repository::{
    CaseFilter, RepositoryResult, StatsGroup, StatsKey, StatsProjector, StatsQuery, StatsRepository,
};
use domain::stats::{Counters, StatDelta, StatsBasis};

use crate::AnyConnection;
use crate::error::db;
use crate::repositories::cases::filtered;
use crate::schema::cases;
use plan::plan;
use rows::GroupRow;
use sql::{effect_rollup_sql, fine_sql, rollup_sql};

impl StatsProjector for AnyConnection {
    fn fold_stats(&mut self, limit: i64) -> RepositoryResult<usize> {
        pending::fold(self, limit)
    }

    fn stats_pending(&mut self) -> RepositoryResult<bool> {
        pending::any(self)
    }
}

impl StatsRepository for AnyConnection {
    fn add_stats(&mut self, key: &StatsKey, deltas: &[StatDelta]) -> RepositoryResult<()> {
        pending::append(self, key, deltas)
    }

    fn stats(
        &mut self,
        query: &StatsQuery,
        group: Option<StatsGroup>,
    ) -> RepositoryResult<Vec<(String, Counters)>> {
        let completed = query.basis == StatsBasis::Completed;
        if completed && query.from > query.to.min(query.as_of) {
            // Nothing that happened after `as_of` counts.
            return Ok(Vec::new());
        }
        let (sql, binds) = match plan(query, group) {
            Some((dim, ids)) if completed => effect_rollup_sql(query, group, dim, ids),
            Some((dim, ids)) => rollup_sql(query, group, dim, ids),
            None => fine_sql(query, group),
        };
        let rows: Vec<GroupRow> = bound(sql, binds).load(self).map_err(db)?;
        Ok(rows
            .into_iter()
            .map(|GroupRow(group, sums)| (group, sums))
            .collect())
    }

    fn case_counts(
        &mut self,
        filter: &CaseFilter,
        group: Option<StatsGroup>,
    ) -> RepositoryResult<Vec<(String, i64)>> {
        let query = filtered(cases::table.into_boxed(), filter)?;
        // Counted here rather than grouped in SQL: diesel cannot group a boxed query, and
        // the cases open now are few next to the history.
        macro_rules! counted_by {
            ($column:expr) => {{
                let mut counts: std::collections::BTreeMap<String, i64> = Default::default();
                for id in query.select($column).load::<String>(self).map_err(db)? {
                    *counts.entry(id).or_default() += 1;
                }
                Ok(counts.into_iter().collect())
            }};
        }
        match group {
            None => {
                let n: i64 = query.count().get_result(self).map_err(db)?;
                Ok(vec![(String::new(), n)])
            }
            Some(StatsGroup::Center) => counted_by!(cases::center_id),
            Some(StatsGroup::Window) => counted_by!(cases::window_id),
            Some(StatsGroup::Department) => counted_by!(cases::department_id),
            Some(StatsGroup::Item) => counted_by!(cases::item_id),
            Some(StatsGroup::Clerk) => counted_by!(cases::accepted_by),
            // Cases now have no day to be grouped by: counted as one group.
            Some(StatsGroup::Day | StatsGroup::Month) => self.case_counts(filter, None),
        }
    }
}
