//! The SQL text of a statistics query, with its binds numbered in order.

use chrono::{Datelike, Months, NaiveDate};
use domain::repository::{StatsGroup, StatsQuery};
use domain::stats::{Counters, StatsBasis};

use super::dimension::{Dimension, Table};
use super::month_of;
use super::rows::Bind;

/// Numbers binds in the order they are pushed, which is the order they appear in the SQL.
pub(super) struct Binds(Vec<Bind>);

impl Binds {
    fn date(&mut self, day: NaiveDate) -> String {
        self.0.push(Bind::Date(day));
        format!("${}", self.0.len())
    }

    fn text(&mut self, text: String) -> String {
        self.0.push(Bind::Text(text));
        format!("${}", self.0.len())
    }

    /// The rows of dimension `dim`, of these ids only when given.
    fn dimension(&mut self, dim: Dimension, ids: Option<&[String]>) -> String {
        let dim = self.text(dim.name().to_owned());
        match ids {
            Some(ids) => format!("dim = {dim} AND dim_id IN ({})", self.list(ids)),
            None => format!("dim = {dim}"),
        }
    }

    /// A part read from a rollup: each row's group and counters, of the dimension's rows;
    /// by date, the group is the date of the basis.
    fn rollup(
        &mut self,
        table: Table,
        basis: StatsBasis,
        group: Option<StatsGroup>,
        dim: Dimension,
        ids: Option<&[String]>,
    ) -> String {
        format!(
            "SELECT {} AS grp, {} FROM {} WHERE {}",
            group_key(table, basis, group),
            Counters::COLUMNS.join(", "),
            table.name(),
            self.dimension(dim, ids),
        )
    }

    /// The part read from the deltas not yet folded: the same rows a rollup part of
    /// dimension `dim` would count, by the conditions on the whole period.
    fn pending(
        &mut self,
        query: &StatsQuery,
        group: Option<StatsGroup>,
        dim: Dimension,
        ids: Option<&[String]>,
    ) -> String {
        let filter = ids.map(|ids| (dim, ids.to_vec()));
        self.keyed(Table::Pending, query, group, filter.as_slice())
    }

    /// A part read from a table keyed by every dimension (the fine rows or the pending
    /// deltas): the rows of the query's period, of these ids in each filtered dimension.
    fn keyed(
        &mut self,
        table: Table,
        query: &StatsQuery,
        group: Option<StatsGroup>,
        filters: &[(Dimension, Vec<String>)],
    ) -> String {
        let mut sql = format!(
            "SELECT {} AS grp, {} FROM {} WHERE {}",
            group_key(table, query.basis, group),
            Counters::COLUMNS.join(", "),
            table.name(),
            self.period(table, query),
        );
        for (dim, ids) in filters {
            if let Some(column) = dim.column() {
                sql.push_str(&format!(" AND {column} IN ({})", self.list(ids)));
            }
        }
        sql
    }

    /// The rows of a table keyed by day that count for the query's period as of its date.
    fn period(&mut self, table: Table, query: &StatsQuery) -> String {
        let [received, effective] = table.dates();
        match query.basis {
            StatsBasis::Received => format!(
                "{received} >= {} AND {received} <= {} AND {effective} <= {}",
                self.date(query.from),
                self.date(query.to),
                self.date(query.as_of),
            ),
            StatsBasis::Completed => format!(
                "{effective} >= {} AND {effective} <= {}",
                self.date(query.from),
                self.date(query.to.min(query.as_of)),
            ),
        }
    }

    fn list(&mut self, texts: &[String]) -> String {
        texts
            .iter()
            .map(|t| self.text(t.clone()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Each counter's sum, named as its column.
pub(super) fn sums() -> String {
    Counters::COLUMNS
        .iter()
        .map(|c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sums from the rollups: whole months of receipt from the monthly rows (effect before the
/// as-of month, or through it when the as-of date ends its month) and the daily rows (effect
/// within it otherwise), the partial months at the period's
/// edges from the daily rows. Each part reads rows bounded by months or days and the
/// dimension's size, not by the number of cases.
pub(super) fn rollup_sql(
    query: &StatsQuery,
    group: Option<StatsGroup>,
    dim: Dimension,
    ids: Option<Vec<String>>,
) -> (String, Vec<Bind>) {
    let [day_received, day_effective] = Table::Day.dates();
    let [month_received, month_effective] = Table::Month.dates();
    let mut binds = Binds(Vec::new());
    let rows = |binds: &mut Binds, table: Table| {
        binds.rollup(table, StatsBasis::Received, group, dim, ids.as_deref())
    };
    let mut parts = Vec::new();
    // By day, every day of receipt counts apart: the daily rows only.
    let (full, edges) = split_months(query.from, query.to, group);
    if let Some((first, last)) = full {
        // Judged at the end of a month (a period's end, as dashboards and reports ask), the
        // as-of month counts whole: the monthly rows answer it, and the daily rows of every
        // day of receipt × day of effect within it, the most numerous part, are not read.
        let whole_as_of_month = is_month_end(query.as_of);
        parts.push(format!(
            "{} AND {month_received} >= {} AND {month_received} <= {} AND {month_effective} {} {}",
            rows(&mut binds, Table::Month),
            binds.date(month_of(first)),
            binds.date(month_of(last)),
            if whole_as_of_month { "<=" } else { "<" },
            binds.date(month_of(query.as_of)),
        ));
        if !whole_as_of_month {
            parts.push(format!(
                "{} AND {day_received} >= {} AND {day_received} <= {} AND {day_effective} >= {} AND {day_effective} <= {}",
                rows(&mut binds, Table::Day),
                binds.date(first),
                binds.date(last),
                binds.date(month_of(query.as_of)),
                binds.date(query.as_of),
            ));
        }
    }
    for (from, to) in edges {
        parts.push(format!(
            "{} AND {day_received} >= {} AND {day_received} <= {} AND {day_effective} <= {}",
            rows(&mut binds, Table::Day),
            binds.date(from),
            binds.date(to),
            binds.date(query.as_of),
        ));
    }
    parts.push(binds.pending(query, group, dim, ids.as_deref()));
    (union(group, &parts), binds.0)
}

/// Sums from the rollups on the completion basis: the deltas that took effect in
/// `[from, min(to, as_of)]`, whenever the case was received — whole months of effect from the
/// monthly rows, the partial months at the edges from the daily rows.
pub(super) fn effect_rollup_sql(
    query: &StatsQuery,
    group: Option<StatsGroup>,
    dim: Dimension,
    ids: Option<Vec<String>>,
) -> (String, Vec<Bind>) {
    let [_, day_effective] = Table::Day.dates();
    let [_, month_effective] = Table::Month.dates();
    let mut binds = Binds(Vec::new());
    let rows = |binds: &mut Binds, table: Table| {
        binds.rollup(table, StatsBasis::Completed, group, dim, ids.as_deref())
    };
    let to = query.to.min(query.as_of);
    let mut parts = Vec::new();
    let (full, edges) = split_months(query.from, to, group);
    if let Some((first, last)) = full {
        parts.push(format!(
            "{} AND {month_effective} >= {} AND {month_effective} <= {}",
            rows(&mut binds, Table::Month),
            binds.date(month_of(first)),
            binds.date(month_of(last)),
        ));
    }
    for (from, to) in edges {
        parts.push(format!(
            "{} AND {day_effective} >= {} AND {day_effective} <= {}",
            rows(&mut binds, Table::Day),
            binds.date(from),
            binds.date(to),
        ));
    }
    parts.push(binds.pending(query, group, dim, ids.as_deref()));
    (union(group, &parts), binds.0)
}

/// A run of days, both ends included.
type Span = (NaiveDate, NaiveDate);

/// `[from, to]` as the whole months inside it (none when grouped by day, where every day
/// counts apart) and the partial months at its edges, read from the daily rows.
fn split_months(
    from: NaiveDate,
    to: NaiveDate,
    group: Option<StatsGroup>,
) -> (Option<Span>, Vec<Span>) {
    let full = if group == Some(StatsGroup::Day) {
        None
    } else {
        whole_months(from, to)
    };
    let Some((first, last)) = full else {
        return (None, vec![(from, to)]);
    };
    let mut edges = Vec::new();
    if from < first {
        edges.push((from, first.pred_opt().unwrap_or(first)));
    }
    if last < to {
        edges.push((last.succ_opt().unwrap_or(last), to));
    }
    (full, edges)
}

/// The parts' sums, per group when there is one.
fn union(group: Option<StatsGroup>, parts: &[String]) -> String {
    let grouping = if group.is_some() {
        " GROUP BY grp ORDER BY grp"
    } else {
        ""
    };
    let key = if group.is_some() { "grp" } else { "'' AS grp" };
    format!(
        "SELECT {key}, {} FROM ({}) parts{grouping}",
        sums(),
        parts.join(" UNION ALL ")
    )
}

/// Whether `day` is the last of its month.
fn is_month_end(day: NaiveDate) -> bool {
    day.succ_opt().is_some_and(|next| next.day() == 1)
}

/// The whole months of receipt inside `[from, to]`: the first day of the first and the last
/// day of the last.
pub(super) fn whole_months(from: NaiveDate, to: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
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

/// Sums from the fine table, keyed by every dimension, and the deltas not yet folded, keyed
/// alike: any combination of filters.
pub(super) fn fine_sql(query: &StatsQuery, group: Option<StatsGroup>) -> (String, Vec<Bind>) {
    let mut binds = Binds(Vec::new());
    let filters = Dimension::filters(query);
    let parts =
        [Table::Fine, Table::Pending].map(|table| binds.keyed(table, query, group, &filters));
    (union(group, &parts), binds.0)
}

/// What a table's rows are grouped by: nothing (`''`), the date of the basis, or the
/// dimension's id — `dim_id` in a rollup, the dimension's column in the fine table.
fn group_key(table: Table, basis: StatsBasis, group: Option<StatsGroup>) -> String {
    match group {
        None => "''".to_owned(),
        Some(StatsGroup::Day | StatsGroup::Month) => {
            format!("CAST({} AS TEXT)", table.date(basis))
        }
        Some(by) if matches!(table, Table::Fine | Table::Pending) => Dimension::grouping(by)
            .and_then(Dimension::column)
            .unwrap_or("''")
            .to_owned(),
        Some(_) => "dim_id".to_owned(),
    }
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

    fn quarter_as_of(as_of: &str) -> StatsQuery {
        StatsQuery {
            from: date("2012-07-01"),
            to: date("2012-09-30"),
            as_of: date(as_of),
            center_ids: None,
            window_id: None,
            department_id: None,
            item_id: None,
            basis: StatsBasis::Received,
        }
    }

    #[test]
    fn whole_months_judged_at_a_months_end_are_read_from_the_monthly_rows_alone() {
        let (sql, _) = rollup_sql(&quarter_as_of("2012-09-30"), None, Dimension::All, None);
        assert!(sql.contains("effective_month <= "), "{sql}");
        assert!(!sql.contains("stats_day"), "{sql}");
        let (sql, _) = rollup_sql(&quarter_as_of("2012-10-11"), None, Dimension::All, None);
        assert!(sql.contains("effective_month < "), "{sql}");
        assert!(sql.contains("stats_day"), "{sql}");
    }
}
