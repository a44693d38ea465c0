use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text};
use domain::repository::{RepositoryResult, StatsGroup, StatsKey, StatsQuery, StatsRepository};
use domain::stats::{Counters, StatDelta};

use crate::AnyConnection;
use crate::error::db;
use crate::schema::case_stats;

#[derive(Insertable)]
#[diesel(table_name = case_stats)]
pub(crate) struct StatsRow {
    received_on: chrono::NaiveDate,
    effective_on: chrono::NaiveDate,
    center_id: String,
    window_id: String,
    item_id: String,
    department_id: String,
    clerk_id: String,
    received: i64,
    immediate: i64,
    committed: i64,
    not_accepted: i64,
    completed: i64,
    completed_on_time: i64,
    withdrawn: i64,
    overdue_open: i64,
    rated: i64,
    rating_sum: i64,
    rated_poor: i64,
}

impl StatsRow {
    pub(crate) fn new(key: &StatsKey, delta: &StatDelta) -> Self {
        let c = delta.counters;
        Self {
            received_on: key.received_on,
            effective_on: delta.effective_on,
            center_id: key.center_id.to_string(),
            window_id: key.window_id.to_string(),
            item_id: key.item_id.to_string(),
            department_id: key.department_id.to_string(),
            clerk_id: key.clerk_id.to_string(),
            received: c.received,
            immediate: c.immediate,
            committed: c.committed,
            not_accepted: c.not_accepted,
            completed: c.completed,
            completed_on_time: c.completed_on_time,
            withdrawn: c.withdrawn,
            overdue_open: c.overdue_open,
            rated: c.rated,
            rating_sum: c.rating_sum,
            rated_poor: c.rated_poor,
        }
    }
}

#[derive(QueryableByName)]
struct GroupRow {
    #[diesel(sql_type = Text)]
    grp: String,
    #[diesel(sql_type = BigInt)]
    received: i64,
    #[diesel(sql_type = BigInt)]
    immediate: i64,
    #[diesel(sql_type = BigInt)]
    committed: i64,
    #[diesel(sql_type = BigInt)]
    not_accepted: i64,
    #[diesel(sql_type = BigInt)]
    completed: i64,
    #[diesel(sql_type = BigInt)]
    completed_on_time: i64,
    #[diesel(sql_type = BigInt)]
    withdrawn: i64,
    #[diesel(sql_type = BigInt)]
    overdue_open: i64,
    #[diesel(sql_type = BigInt)]
    rated: i64,
    #[diesel(sql_type = BigInt)]
    rating_sum: i64,
    #[diesel(sql_type = BigInt)]
    rated_poor: i64,
}

impl GroupRow {
    fn into_pair(self) -> (String, Counters) {
        let counters = Counters {
            received: self.received,
            immediate: self.immediate,
            committed: self.committed,
            not_accepted: self.not_accepted,
            completed: self.completed,
            completed_on_time: self.completed_on_time,
            withdrawn: self.withdrawn,
            overdue_open: self.overdue_open,
            rated: self.rated,
            rating_sum: self.rating_sum,
            rated_poor: self.rated_poor,
        };
        (self.grp, counters)
    }
}

const COUNTERS: [&str; 11] = [
    "received",
    "immediate",
    "committed",
    "not_accepted",
    "completed",
    "completed_on_time",
    "withdrawn",
    "overdue_open",
    "rated",
    "rating_sum",
    "rated_poor",
];

impl StatsRepository for AnyConnection {
    fn add_stats(&mut self, key: &StatsKey, deltas: &[StatDelta]) -> RepositoryResult<()> {
        for delta in deltas {
            let row = StatsRow::new(key, delta);
            let key = (
                row.received_on,
                row.effective_on,
                row.center_id.clone(),
                row.window_id.clone(),
                row.item_id.clone(),
                row.department_id.clone(),
                row.clerk_id.clone(),
            );
            let bump = |conn: &mut AnyConnection| {
                diesel::update(case_stats::table.find(key.clone()))
                    .set((
                        case_stats::received.eq(case_stats::received + row.received),
                        case_stats::immediate.eq(case_stats::immediate + row.immediate),
                        case_stats::committed.eq(case_stats::committed + row.committed),
                        case_stats::not_accepted.eq(case_stats::not_accepted + row.not_accepted),
                        case_stats::completed.eq(case_stats::completed + row.completed),
                        case_stats::completed_on_time
                            .eq(case_stats::completed_on_time + row.completed_on_time),
                        case_stats::withdrawn.eq(case_stats::withdrawn + row.withdrawn),
                        case_stats::overdue_open.eq(case_stats::overdue_open + row.overdue_open),
                        case_stats::rated.eq(case_stats::rated + row.rated),
                        case_stats::rating_sum.eq(case_stats::rating_sum + row.rating_sum),
                        case_stats::rated_poor.eq(case_stats::rated_poor + row.rated_poor),
                    ))
                    .execute(conn)
            };
            if bump(self).map_err(db)? == 1 {
                continue;
            }
            // A new key. The insert runs in a savepoint so that on PostgreSQL a concurrent
            // insert of the same key leaves the transaction usable for the retry.
            let inserted = self.transaction(|conn| {
                diesel::insert_into(case_stats::table)
                    .values(&row)
                    .execute(conn)
            });
            match inserted.map_err(db) {
                Ok(_) => {}
                Err(domain::repository::RepositoryError::Conflict) => {
                    bump(self).map_err(db)?;
                }
                Err(other) => return Err(other),
            }
        }
        Ok(())
    }

    fn stats(
        &mut self,
        query: &StatsQuery,
        group: Option<StatsGroup>,
    ) -> RepositoryResult<Vec<(String, Counters)>> {
        let grp = match group {
            None => "''",
            Some(StatsGroup::Center) => "center_id",
            Some(StatsGroup::Window) => "window_id",
            Some(StatsGroup::Department) => "department_id",
            Some(StatsGroup::Item) => "item_id",
            Some(StatsGroup::Clerk) => "clerk_id",
            Some(StatsGroup::Day | StatsGroup::Month) => "CAST(received_on AS TEXT)",
        };
        let sums: Vec<String> = COUNTERS
            .iter()
            .map(|c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}"))
            .collect();
        let mut sql = format!(
            "SELECT {grp} AS grp, {} FROM case_stats WHERE received_on >= $1 AND received_on <= $2 AND effective_on <= $3",
            sums.join(", ")
        );
        // Binds are numbered in the order they appear, as both backends need.
        let mut next = 4;
        let mut texts: Vec<String> = Vec::new();
        let mut condition = |column: &str, values: Vec<String>, sql: &mut String| {
            let marks: Vec<String> = values
                .iter()
                .map(|_| {
                    let mark = format!("${next}");
                    next += 1;
                    mark
                })
                .collect();
            sql.push_str(&format!(" AND {column} IN ({})", marks.join(", ")));
            texts.extend(values);
        };
        if let Some(centers) = &query.center_ids {
            condition(
                "center_id",
                centers.iter().map(ToString::to_string).collect(),
                &mut sql,
            );
        }
        if let Some(window) = query.window_id {
            condition("window_id", vec![window.to_string()], &mut sql);
        }
        if let Some(department) = query.department_id {
            condition("department_id", vec![department.to_string()], &mut sql);
        }
        if let Some(item) = query.item_id {
            condition("item_id", vec![item.to_string()], &mut sql);
        }
        if group.is_some() {
            sql.push_str(&format!(" GROUP BY {grp} ORDER BY {grp}"));
        }
        let mut bound = diesel::sql_query(sql)
            .into_boxed::<crate::connection::MultiBackend>()
            .bind::<Date, _>(query.from)
            .bind::<Date, _>(query.to)
            .bind::<Date, _>(query.as_of);
        for text in texts {
            bound = bound.bind::<Text, _>(text);
        }
        let rows: Vec<GroupRow> = bound.load(self).map_err(db)?;
        Ok(rows.into_iter().map(GroupRow::into_pair).collect())
    }
}
