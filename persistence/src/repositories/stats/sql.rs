//! The SQL text of a statistics query, with its binds numbered in order.

use chrono::{Datelike, Months, NaiveDate};
use domain::repository::{StatsGroup, StatsQuery};
use domain::stats::StatsBasis;

use super::{COUNTERS, month_of};

pub(super) enum Bind {
    Text(String),
    Date(NaiveDate),
}

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
    fn dimension(&mut self, dim: &str, ids: Option<&[String]>) -> String {
        let dim = self.text(dim.to_owned());
        match ids {
            Some(ids) => format!("dim = {dim} AND dim_id IN ({})", self.list(ids)),
            None => format!("dim = {dim}"),
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

pub(super) fn sums() -> String {
    COUNTERS
        .iter()
        .map(|c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sums from the rollups: whole months of receipt from the monthly rows (effect before the
/// as-of month) and the daily rows (effect within it), the partial months at the period's
/// edges from the daily rows. Each part reads rows bounded by months or days and the
/// dimension's size, not by the number of cases.
pub(super) fn rollup_sql(
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
    let selector = |binds: &mut Binds| binds.dimension(dim, ids.as_deref());
    let mut parts = Vec::new();
    // By day, every day of receipt counts apart: the daily rows only.
    let (full, edges) = split_months(query.from, query.to, group);
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
    (union(group, &parts), binds.0)
}

/// Sums from the rollups on the completion basis: the deltas that took effect in
/// `[from, min(to, as_of)]`, whenever the case was received — whole months of effect from the
/// monthly rows, the partial months at the edges from the daily rows.
pub(super) fn effect_rollup_sql(
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
    let selector = |binds: &mut Binds| binds.dimension(dim, ids.as_deref());
    let to = query.to.min(query.as_of);
    let mut parts = Vec::new();
    let (full, edges) = split_months(query.from, to, group);
    if let Some((first, last)) = full {
        let dims = selector(&mut binds);
        parts.push(format!(
            "SELECT {month_key} AS grp, {counters} FROM stats_month WHERE {dims} AND effective_month >= {} AND effective_month <= {}",
            binds.date(month_of(first)),
            binds.date(month_of(last)),
        ));
    }
    for (from, to) in edges {
        let dims = selector(&mut binds);
        parts.push(format!(
            "SELECT {day_key} AS grp, {counters} FROM stats_day WHERE {dims} AND effective_on >= {} AND effective_on <= {}",
            binds.date(from),
            binds.date(to),
        ));
    }
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

/// Sums from the fine table, keyed by every dimension: any combination of filters.
pub(super) fn fine_sql(query: &StatsQuery, group: Option<StatsGroup>) -> (String, Vec<Bind>) {
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
