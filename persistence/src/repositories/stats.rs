use chrono::{Datelike, Months, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text};
use domain::repository::{
    CaseFilter, RepositoryResult, StatsGroup, StatsKey, StatsQuery, StatsRepository,
};
use domain::stats::{Counters, StatDelta, StatsBasis};

use crate::AnyConnection;
use crate::error::db;
use crate::repositories::cases::filtered;
use crate::schema::{case_stats, cases};

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
    region: String,
    rated_1: i64,
    rated_2: i64,
    rated_3: i64,
    rated_4: i64,
    rated_5: i64,
}

impl StatsRow {
    pub(crate) fn new(key: &StatsKey, delta: &StatDelta) -> Self {
        let c = delta.counters;
        Self {
            region: key.region.clone(),
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
            rated_1: c.rated_levels[0],
            rated_2: c.rated_levels[1],
            rated_3: c.rated_levels[2],
            rated_4: c.rated_levels[3],
            rated_5: c.rated_levels[4],
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
    #[diesel(sql_type = BigInt)]
    rated_1: i64,
    #[diesel(sql_type = BigInt)]
    rated_2: i64,
    #[diesel(sql_type = BigInt)]
    rated_3: i64,
    #[diesel(sql_type = BigInt)]
    rated_4: i64,
    #[diesel(sql_type = BigInt)]
    rated_5: i64,
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
            rated_levels: [
                self.rated_1,
                self.rated_2,
                self.rated_3,
                self.rated_4,
                self.rated_5,
            ],
        };
        (self.grp, counters)
    }
}

const COUNTERS: [&str; 16] = [
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
    "rated_1",
    "rated_2",
    "rated_3",
    "rated_4",
    "rated_5",
];

impl StatsRepository for AnyConnection {
    fn add_stats(&mut self, key: &StatsKey, deltas: &[StatDelta]) -> RepositoryResult<()> {
        for delta in deltas {
            bump_fine(self, &StatsRow::new(key, delta))?;
            for (dim, dim_id) in dimensions(key) {
                let days = (key.received_on, delta.effective_on);
                bump_rollup(
                    self,
                    &key.region,
                    "stats_day",
                    ["received_on", "effective_on"],
                    dim,
                    &dim_id,
                    days,
                    &delta.counters,
                )?;
                let months = (month_of(key.received_on), month_of(delta.effective_on));
                bump_rollup(
                    self,
                    &key.region,
                    "stats_month",
                    ["received_month", "effective_month"],
                    dim,
                    &dim_id,
                    months,
                    &delta.counters,
                )?;
            }
        }
        Ok(())
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
        let mut bound = diesel::sql_query(sql).into_boxed::<crate::connection::MultiBackend>();
        for bind in binds {
            bound = match bind {
                Bind::Text(text) => bound.bind::<Text, _>(text),
                Bind::Date(day) => bound.bind::<Date, _>(day),
            };
        }
        let rows: Vec<GroupRow> = bound.load(self).map_err(db)?;
        Ok(rows.into_iter().map(GroupRow::into_pair).collect())
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

/// Adds a delta to its fine row (every dimension at once), creating the row when missing.
/// Written first: these rows are the least shared.
fn bump_fine(conn: &mut AnyConnection, row: &StatsRow) -> RepositoryResult<()> {
    let fine_key = (
        row.region.clone(),
        row.received_on,
        row.effective_on,
        row.center_id.clone(),
        row.window_id.clone(),
        row.item_id.clone(),
        row.department_id.clone(),
        row.clerk_id.clone(),
    );
    let bump = |conn: &mut AnyConnection| {
        diesel::update(case_stats::table.find(fine_key.clone()))
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
                case_stats::rated_1.eq(case_stats::rated_1 + row.rated_1),
                case_stats::rated_2.eq(case_stats::rated_2 + row.rated_2),
                case_stats::rated_3.eq(case_stats::rated_3 + row.rated_3),
                case_stats::rated_4.eq(case_stats::rated_4 + row.rated_4),
                case_stats::rated_5.eq(case_stats::rated_5 + row.rated_5),
            ))
            .execute(conn)
    };
    if bump(conn).map_err(db)? == 1 {
        return Ok(());
    }
    // A new key. The insert runs in a savepoint so that on PostgreSQL a concurrent
    // insert of the same key leaves the transaction usable for the retry.
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(case_stats::table)
            .values(row)
            .execute(conn)
    });
    match inserted.map_err(db) {
        Ok(_) => Ok(()),
        Err(domain::repository::RepositoryError::Conflict) => {
            bump(conn).map_err(db)?;
            Ok(())
        }
        Err(other) => Err(other),
    }
}

/// The single dimensions rolled up, with the case's value in each. Written in this order,
/// the most widely shared rows last: a row stays locked until the transaction commits, and
/// the row of `all` is shared by every case of the day, anywhere.
pub(crate) fn dimensions(key: &StatsKey) -> [(&'static str, String); 6] {
    [
        ("clerk", key.clerk_id.to_string()),
        ("window", key.window_id.to_string()),
        ("center", key.center_id.to_string()),
        ("item", key.item_id.to_string()),
        ("department", key.department_id.to_string()),
        ("all", String::new()),
    ]
}

/// The first day of the day's month.
pub(crate) fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// Adds counters to one rollup row, creating it when missing. Portable SQL: binds are
/// numbered in the order they appear, as both backends need.
#[allow(clippy::too_many_arguments)] // one row's whole key, spelled out
fn bump_rollup(
    conn: &mut AnyConnection,
    region: &str,
    table: &str,
    dates: [&str; 2],
    dim: &str,
    dim_id: &str,
    key: (NaiveDate, NaiveDate),
    counters: &Counters,
) -> RepositoryResult<()> {
    let values = counter_values(counters);
    let sets: Vec<String> = COUNTERS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = {c} + ${}", i + 1))
        .collect();
    // The key's binds follow the counters'.
    let n = COUNTERS.len();
    let update = format!(
        "UPDATE {table} SET {} WHERE dim = ${} AND dim_id = ${} AND {} = ${} AND {} = ${} AND region = ${}",
        sets.join(", "),
        n + 1,
        n + 2,
        dates[0],
        n + 3,
        dates[1],
        n + 4,
        n + 5,
    );
    let with_binds = |sql: String| {
        let mut query = diesel::sql_query(sql).into_boxed::<crate::connection::MultiBackend>();
        for value in values {
            query = query.bind::<BigInt, _>(value);
        }
        query
            .bind::<Text, _>(dim.to_owned())
            .bind::<Text, _>(dim_id.to_owned())
            .bind::<Date, _>(key.0)
            .bind::<Date, _>(key.1)
            .bind::<Text, _>(region.to_owned())
    };
    if with_binds(update.clone()).execute(conn).map_err(db)? == 1 {
        return Ok(());
    }
    let insert = format!(
        "INSERT INTO {table} ({}, dim, dim_id, {}, {}, region) VALUES ({}, ${}, ${}, ${}, ${}, ${})",
        COUNTERS.join(", "),
        dates[0],
        dates[1],
        (1..=n)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", "),
        n + 1,
        n + 2,
        n + 3,
        n + 4,
        n + 5,
    );
    // In a savepoint, so a concurrent insert of the same row leaves the transaction usable.
    match conn
        .transaction(|conn| with_binds(insert).execute(conn))
        .map_err(db)
    {
        Ok(_) => Ok(()),
        Err(domain::repository::RepositoryError::Conflict) => {
            with_binds(update).execute(conn).map_err(db)?;
            Ok(())
        }
        Err(other) => Err(other),
    }
}

fn counter_values(c: &Counters) -> [i64; 16] {
    [
        c.received,
        c.immediate,
        c.committed,
        c.not_accepted,
        c.completed,
        c.completed_on_time,
        c.withdrawn,
        c.overdue_open,
        c.rated,
        c.rating_sum,
        c.rated_poor,
        c.rated_levels[0],
        c.rated_levels[1],
        c.rated_levels[2],
        c.rated_levels[3],
        c.rated_levels[4],
    ]
}

enum Bind {
    Text(String),
    Date(NaiveDate),
}

/// Numbers binds in the order they are pushed, which is the order they appear in the SQL.
struct Binds(Vec<Bind>);

impl Binds {
    fn date(&mut self, day: NaiveDate) -> String {
        self.0.push(Bind::Date(day));
        format!("${}", self.0.len())
    }

    fn text(&mut self, text: String) -> String {
        self.0.push(Bind::Text(text));
        format!("${}", self.0.len())
    }

    fn list(&mut self, texts: &[String]) -> String {
        texts
            .iter()
            .map(|t| self.text(t.clone()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn sums() -> String {
    COUNTERS
        .iter()
        .map(|c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which single-dimension rollup answers the query, with the ids it is filtered to; `None`
/// when the filters and the grouping span several dimensions and only the fine table can.
fn plan(
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

/// Sums from the rollups: whole months of receipt from the monthly rows (effect before the
/// as-of month) and the daily rows (effect within it), the partial months at the period's
/// edges from the daily rows. Each part reads rows bounded by months or days and the
/// dimension's size, not by the number of cases.
fn rollup_sql(
    query: &StatsQuery,
    group: Option<StatsGroup>,
    dim: &str,
    ids: Option<Vec<String>>,
) -> (String, Vec<Bind>) {
    let (day_key, month_key) = match group {
        None => ("''", "''"),
        Some(StatsGroup::Day | StatsGroup::Month) => {
            ("CAST(received_on AS TEXT)", "CAST(received_month AS TEXT)")
        }
        Some(_) => ("dim_id", "dim_id"),
    };
    let counters = COUNTERS.join(", ");
    let mut binds = Binds(Vec::new());
    let selector = |binds: &mut Binds| {
        let dim = binds.text(dim.to_owned());
        match &ids {
            Some(ids) => format!("dim = {dim} AND dim_id IN ({})", binds.list(ids)),
            None => format!("dim = {dim}"),
        }
    };
    let mut parts = Vec::new();
    // By day, every day of receipt counts apart: the daily rows only.
    let full = if group == Some(StatsGroup::Day) {
        None
    } else {
        whole_months(query.from, query.to)
    };
    let mut edges = vec![(query.from, query.to)];
    if let Some((first, last)) = full {
        let dims = selector(&mut binds);
        parts.push(format!(
            "SELECT {month_key} AS grp, {counters} FROM stats_month WHERE {dims} AND received_month >= {} AND received_month <= {} AND effective_month < {}",
            binds.date(month_of(first)),
            binds.date(month_of(last)),
            binds.date(month_of(query.as_of)),
        ));
        let dims = selector(&mut binds);
        parts.push(format!(
            "SELECT {day_key} AS grp, {counters} FROM stats_day WHERE {dims} AND received_on >= {} AND received_on <= {} AND effective_on >= {} AND effective_on <= {}",
            binds.date(first),
            binds.date(last),
            binds.date(month_of(query.as_of)),
            binds.date(query.as_of),
        ));
        edges.clear();
        if query.from < first {
            edges.push((query.from, first.pred_opt().unwrap_or(first)));
        }
        if last < query.to {
            edges.push((last.succ_opt().unwrap_or(last), query.to));
        }
    }
    for (from, to) in edges {
        let dims = selector(&mut binds);
        parts.push(format!(
            "SELECT {day_key} AS grp, {counters} FROM stats_day WHERE {dims} AND received_on >= {} AND received_on <= {} AND effective_on <= {}",
            binds.date(from),
            binds.date(to),
            binds.date(query.as_of),
        ));
    }
    let grouping = if group.is_some() {
        " GROUP BY grp ORDER BY grp"
    } else {
        ""
    };
    let key = if group.is_some() { "grp" } else { "'' AS grp" };
    let sql = format!(
        "SELECT {key}, {} FROM ({}) parts{grouping}",
        sums(),
        parts.join(" UNION ALL ")
    );
    (sql, binds.0)
}

/// Sums from the rollups on the completion basis: the deltas that took effect in
/// `[from, min(to, as_of)]`, whenever the case was received — whole months of effect from the
/// monthly rows, the partial months at the edges from the daily rows.
fn effect_rollup_sql(
    query: &StatsQuery,
    group: Option<StatsGroup>,
    dim: &str,
    ids: Option<Vec<String>>,
) -> (String, Vec<Bind>) {
    let (day_key, month_key) = match group {
        None => ("''", "''"),
        Some(StatsGroup::Day | StatsGroup::Month) => (
            "CAST(effective_on AS TEXT)",
            "CAST(effective_month AS TEXT)",
        ),
        Some(_) => ("dim_id", "dim_id"),
    };
    let counters = COUNTERS.join(", ");
    let mut binds = Binds(Vec::new());
    let selector = |binds: &mut Binds| {
        let dim = binds.text(dim.to_owned());
        match &ids {
            Some(ids) => format!("dim = {dim} AND dim_id IN ({})", binds.list(ids)),
            None => format!("dim = {dim}"),
        }
    };
    let to = query.to.min(query.as_of);
    let mut parts = Vec::new();
    let full = if group == Some(StatsGroup::Day) {
        None
    } else {
        whole_months(query.from, to)
    };
    let mut edges = vec![(query.from, to)];
    if let Some((first, last)) = full {
        let dims = selector(&mut binds);
        parts.push(format!(
            "SELECT {month_key} AS grp, {counters} FROM stats_month WHERE {dims} AND effective_month >= {} AND effective_month <= {}",
            binds.date(month_of(first)),
            binds.date(month_of(last)),
        ));
        edges.clear();
        if query.from < first {
            edges.push((query.from, first.pred_opt().unwrap_or(first)));
        }
        if last < to {
            edges.push((last.succ_opt().unwrap_or(last), to));
        }
    }
    for (from, to) in edges {
        let dims = selector(&mut binds);
        parts.push(format!(
            "SELECT {day_key} AS grp, {counters} FROM stats_day WHERE {dims} AND effective_on >= {} AND effective_on <= {}",
            binds.date(from),
            binds.date(to),
        ));
    }
    let grouping = if group.is_some() {
        " GROUP BY grp ORDER BY grp"
    } else {
        ""
    };
    let key = if group.is_some() { "grp" } else { "'' AS grp" };
    let sql = format!(
        "SELECT {key}, {} FROM ({}) parts{grouping}",
        sums(),
        parts.join(" UNION ALL ")
    );
    (sql, binds.0)
}

/// The whole months of receipt inside `[from, to]`: the first day of the first and the last
/// day of the last.
fn whole_months(from: NaiveDate, to: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let first = if from.day() == 1 {
        from
    } else {
        month_of(from).checked_add_months(Months::new(1))?
    };
    let last = if to.succ_opt()?.day() == 1 {
        to
    } else {
        month_of(to).pred_opt()?
    };
    (first <= last).then_some((first, last))
}

/// Sums from the fine table, keyed by every dimension: any combination of filters.
fn fine_sql(query: &StatsQuery, group: Option<StatsGroup>) -> (String, Vec<Bind>) {
    let grp = match group {
        None => "''",
        Some(StatsGroup::Center) => "center_id",
        Some(StatsGroup::Window) => "window_id",
        Some(StatsGroup::Department) => "department_id",
        Some(StatsGroup::Item) => "item_id",
        Some(StatsGroup::Clerk) => "clerk_id",
        Some(StatsGroup::Day | StatsGroup::Month) => match query.basis {
            StatsBasis::Received => "CAST(received_on AS TEXT)",
            StatsBasis::Completed => "CAST(effective_on AS TEXT)",
        },
    };
    let mut binds = Binds(Vec::new());
    let mut sql = match query.basis {
        StatsBasis::Received => format!(
            "SELECT {grp} AS grp, {} FROM case_stats WHERE received_on >= {} AND received_on <= {} AND effective_on <= {}",
            sums(),
            binds.date(query.from),
            binds.date(query.to),
            binds.date(query.as_of),
        ),
        StatsBasis::Completed => format!(
            "SELECT {grp} AS grp, {} FROM case_stats WHERE effective_on >= {} AND effective_on <= {}",
            sums(),
            binds.date(query.from),
            binds.date(query.to.min(query.as_of)),
        ),
    };
    let conditions: [(&str, Option<Vec<String>>); 4] = [
        (
            "center_id",
            query
                .center_ids
                .as_ref()
                .map(|c| c.iter().map(ToString::to_string).collect()),
        ),
        ("window_id", query.window_id.map(|w| vec![w.to_string()])),
        (
            "department_id",
            query.department_id.map(|d| vec![d.to_string()]),
        ),
        ("item_id", query.item_id.map(|i| vec![i.to_string()])),
    ];
    for (column, values) in conditions {
        if let Some(values) = values {
            sql.push_str(&format!(" AND {column} IN ({})", binds.list(&values)));
        }
    }
    if group.is_some() {
        sql.push_str(&format!(" GROUP BY {grp} ORDER BY {grp}"));
    }
    (sql, binds.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn whole_months_are_those_entirely_inside_the_period() {
        assert_eq!(
            whole_months(date("2012-01-01"), date("2012-09-30")),
            Some((date("2012-01-01"), date("2012-09-30")))
        );
        assert_eq!(
            whole_months(date("2012-01-15"), date("2012-09-29")),
            Some((date("2012-02-01"), date("2012-08-31")))
        );
        assert_eq!(
            whole_months(date("2012-02-01"), date("2012-02-29")),
            Some((date("2012-02-01"), date("2012-02-29")))
        );
        assert_eq!(whole_months(date("2012-02-02"), date("2012-03-30")), None);
    }
}
