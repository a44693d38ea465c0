//! The SQL text of a statistics query, with its binds numbered in order.

use chrono::{Datelike, Months, NaiveDate};
use domain::repository::{StatsGroup, StatsQuery};
use domain::stats::{Counters, StatsBasis};

use super::dimension::{Dimension, Table};
use super::rows::Bind;
use super::{month_of, year_of};

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

/// Sums from the rollups: whole years of receipt from the yearly rows, the whole months
/// around them from the monthly rows, the partial months at the period's edges from the daily
/// rows. Each part reads rows bounded by years, months or days and the dimension's size, not
/// by the number of cases; how the effects are cut as of the query's date is [`AsOf`]'s.
pub(super) fn rollup_sql(
    query: &StatsQuery,
    group: Option<StatsGroup>,
    dim: Dimension,
    ids: Option<Vec<String>>,
) -> (String, Vec<Bind>) {
    let mut binds = Binds(Vec::new());
    let as_of = AsOf(query.as_of);
    let mut parts = Vec::new();
    let mut part = |binds: &mut Binds,
                    table: Table,
                    (first, last): Span,
                    effect: &dyn Fn(&mut Binds) -> String| {
        let [received, _] = table.dates();
        let [first, last] = table.dated(first, last);
        let rows = binds.rollup(table, StatsBasis::Received, group, dim, ids.as_deref());
        let (first, last) = (binds.date(first), binds.date(last));
        let effect = effect(binds);
        parts.push(format!(
            "{rows} AND {received} >= {first} AND {received} <= {last} AND {effect}"
        ));
    };
    let spans = Spans::of(query.from, query.to, group);
    if let Some(years) = spans.years {
        part(&mut binds, Table::Year, years, &|b| as_of.before_year(b));
        if !as_of.ends_year() {
            part(&mut binds, Table::Month, years, &|b| as_of.in_year(b));
        }
        if !as_of.ends_month() {
            part(&mut binds, Table::Day, years, &|b| as_of.in_month(b));
        }
    }
    for months in spans.months {
        part(&mut binds, Table::Month, months, &|b| as_of.before_month(b));
        if !as_of.ends_month() {
            part(&mut binds, Table::Day, months, &|b| as_of.in_month(b));
        }
    }
    for days in spans.days {
        part(&mut binds, Table::Day, days, &|b| as_of.through(b));
    }
    parts.push(binds.pending(query, group, dim, ids.as_deref()));
    (union(group, &parts), binds.0)
}

/// The date a received-basis query is judged at, cut into what each rollup can tell: the
/// effects in whole years before its year (yearly rows), in whole months of its year before
/// its month (monthly rows) and on the days of its month through it (daily rows). At the end
/// of a month or a year, the coarser rows count it whole and the finer are not read: a
/// period's end is what dashboards and reports ask, and the as-of month's daily rows, a row
/// per day of receipt per day of effect, were the most numerous part.
struct AsOf(NaiveDate);

impl AsOf {
    fn ends_month(&self) -> bool {
        is_month_end(self.0)
    }

    fn ends_year(&self) -> bool {
        is_year_end(self.0)
    }

    /// Yearly rows: effect in a year before the as-of year, or in it when the date ends it.
    fn before_year(&self, binds: &mut Binds) -> String {
        before(binds, Table::Year, year_of(self.0), self.ends_year())
    }

    /// Monthly rows: effect in the as-of year, in a month before the as-of month, or in it
    /// when the date ends it.
    fn in_year(&self, binds: &mut Binds) -> String {
        since(binds, Table::Month, year_of(self.0), |b| {
            self.before_month(b)
        })
    }

    /// Monthly rows: effect in a month before the as-of month, or in it when the date ends it.
    fn before_month(&self, binds: &mut Binds) -> String {
        before(binds, Table::Month, month_of(self.0), self.ends_month())
    }

    /// Daily rows: effect in the as-of month, through the date.
    fn in_month(&self, binds: &mut Binds) -> String {
        since(binds, Table::Day, month_of(self.0), |b| self.through(b))
    }

    /// Daily rows: effect through the date.
    fn through(&self, binds: &mut Binds) -> String {
        before(binds, Table::Day, self.0, true)
    }
}

/// `table`'s rows whose effect falls before `start`, or also on it when `through` (a yearly
/// or monthly row's date of effect is the first day of its year or month).
fn before(binds: &mut Binds, table: Table, start: NaiveDate, through: bool) -> String {
    let [_, effective] = table.dates();
    let cut = if through { "<=" } else { "<" };
    format!("{effective} {cut} {}", binds.date(start))
}

/// `table`'s rows whose effect falls on or after `start`, and within what `then` adds.
fn since(
    binds: &mut Binds,
    table: Table,
    start: NaiveDate,
    then: impl FnOnce(&mut Binds) -> String,
) -> String {
    let [_, effective] = table.dates();
    let from = binds.date(start);
    format!("{effective} >= {from} AND {}", then(binds))
}

/// A received-basis period cut into the spans of receipt each rollup answers: whole years
/// (not when grouped by month or day, whose groups a year's rows would merge), the whole
/// months around them (not when grouped by day), and the days of the partial months at the
/// edges.
#[derive(Debug, Default, PartialEq, Eq)]
struct Spans {
    years: Option<Span>,
    months: Vec<Span>,
    days: Vec<Span>,
}

impl Spans {
    fn of(from: NaiveDate, to: NaiveDate, group: Option<StatsGroup>) -> Self {
        let by_date = matches!(group, Some(StatsGroup::Day | StatsGroup::Month));
        let Some((first, last)) = whole_years(from, to).filter(|_| !by_date) else {
            let (months, days) = split_months(from, to, group);
            return Self {
                years: None,
                months: months.into_iter().collect(),
                days,
            };
        };
        let mut spans = Self {
            years: Some((first, last)),
            ..Self::default()
        };
        let before = first
            .pred_opt()
            .filter(|_| from < first)
            .map(|end| (from, end));
        let after = last
            .succ_opt()
            .filter(|_| last < to)
            .map(|start| (start, to));
        for (from, to) in before.into_iter().chain(after) {
            let (months, days) = split_months(from, to, group);
            spans.months.extend(months);
            spans.days.extend(days);
        }
        spans
    }
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

/// Whether `day` is 31 December.
fn is_year_end(day: NaiveDate) -> bool {
    day.month() == 12 && day.day() == 31
}

/// The whole years inside `[from, to]`: 1 January of the first and 31 December of the last.
fn whole_years(from: NaiveDate, to: NaiveDate) -> Option<Span> {
    let first = if from.ordinal() == 1 {
        from
    } else {
        NaiveDate::from_ymd_opt(from.year().checked_add(1)?, 1, 1)?
    };
    let last = if is_year_end(to) {
        to
    } else {
        NaiveDate::from_ymd_opt(to.year().checked_sub(1)?, 12, 31)?
    };
    (first <= last).then_some((first, last))
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

    #[test]
    fn a_period_is_read_by_whole_years_then_whole_months_then_days() {
        let spans = Spans::of(date("2011-11-15"), date("2014-02-10"), None);
        assert_eq!(
            spans,
            Spans {
                years: Some((date("2012-01-01"), date("2013-12-31"))),
                months: vec![
                    (date("2011-12-01"), date("2011-12-31")),
                    (date("2014-01-01"), date("2014-01-31"))
                ],
                days: vec![
                    (date("2011-11-15"), date("2011-11-30")),
                    (date("2014-02-01"), date("2014-02-10"))
                ],
            }
        );
        let by_month = Spans::of(
            date("2012-01-01"),
            date("2012-12-31"),
            Some(StatsGroup::Month),
        );
        assert_eq!(by_month.years, None, "a year's rows would merge its months");
        assert_eq!(
            by_month.months,
            vec![(date("2012-01-01"), date("2012-12-31"))]
        );
        let by_day = Spans::of(
            date("2012-01-01"),
            date("2012-12-31"),
            Some(StatsGroup::Day),
        );
        assert_eq!(by_day.days, vec![(date("2012-01-01"), date("2012-12-31"))]);
        assert_eq!(whole_years(date("2012-01-02"), date("2013-12-30")), None);
    }

    fn period(from: &str, to: &str, as_of: &str) -> StatsQuery {
        StatsQuery {
            from: date(from),
            to: date(to),
            as_of: date(as_of),
            center_ids: None,
            window_id: None,
            department_id: None,
            item_id: None,
            basis: StatsBasis::Received,
        }
    }

    #[test]
    fn whole_years_read_the_yearly_rows_and_the_as_of_years_months_and_days() {
        let tables = |as_of: &str| {
            let (sql, _) = rollup_sql(
                &period("2011-01-01", "2012-12-31", as_of),
                None,
                Dimension::Clerk,
                None,
            );
            ["stats_year", "stats_month", "stats_day"].map(|table| sql.contains(table))
        };
        assert_eq!(tables("2012-12-31"), [true, false, false], "a year's end");
        assert_eq!(tables("2013-01-31"), [true, true, false], "a month's end");
        assert_eq!(tables("2013-02-14"), [true, true, true], "mid-month");
    }

    #[test]
    fn whole_months_judged_at_a_months_end_are_read_from_the_monthly_rows_alone() {
        let (sql, _) = rollup_sql(
            &period("2012-07-01", "2012-09-30", "2012-09-30"),
            None,
            Dimension::All,
            None,
        );
        assert!(sql.contains("effective_month <= "), "{sql}");
        assert!(!sql.contains("stats_day"), "{sql}");
        let (sql, _) = rollup_sql(
            &period("2012-07-01", "2012-09-30", "2012-10-11"),
            None,
            Dimension::All,
            None,
        );
        assert!(sql.contains("effective_month < "), "{sql}");
        assert!(sql.contains("stats_day"), "{sql}");
    }
}
