//! The statistics' dimensions and tables, typed, each mapped to its columns here and nowhere
//! else.

use chrono::NaiveDate;
use domain::repository::{StatsGroup, StatsKey, StatsQuery};
use domain::stats::StatsBasis;

use super::{month_of, year_of};

/// A dimension the rollups keep a row per value of (their `dim` column); `All` has one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Dimension {
    Clerk,
    Window,
    Center,
    Item,
    Department,
    All,
}

impl Dimension {
    /// Every dimension in the order a delta is written, the most widely shared rows last: a
    /// row stays locked until the transaction commits, and the row of `All` is shared by
    /// every case of the day, anywhere.
    pub(crate) const WRITE_ORDER: [Self; 6] = [
        Self::Clerk,
        Self::Window,
        Self::Center,
        Self::Item,
        Self::Department,
        Self::All,
    ];

    /// Its value in the rollups' `dim` column.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Clerk => "clerk",
            Self::Window => "window",
            Self::Center => "center",
            Self::Item => "item",
            Self::Department => "department",
            Self::All => "all",
        }
    }

    /// Its column in the fine table, which keys every row by every dimension but `All`.
    pub(crate) fn column(self) -> Option<&'static str> {
        match self {
            Self::Clerk => Some("clerk_id"),
            Self::Window => Some("window_id"),
            Self::Center => Some("center_id"),
            Self::Item => Some("item_id"),
            Self::Department => Some("department_id"),
            Self::All => None,
        }
    }

    /// A case's value in it.
    pub(crate) fn id(self, key: &StatsKey) -> String {
        match self {
            Self::Clerk => key.clerk_id.to_string(),
            Self::Window => key.window_id.to_string(),
            Self::Center => key.center_id.to_string(),
            Self::Item => key.item_id.to_string(),
            Self::Department => key.department_id.to_string(),
            Self::All => String::new(),
        }
    }

    /// The dimension figures are grouped by; `None` by date, which is no dimension.
    pub(crate) fn grouping(group: StatsGroup) -> Option<Self> {
        match group {
            StatsGroup::Center => Some(Self::Center),
            StatsGroup::Window => Some(Self::Window),
            StatsGroup::Department => Some(Self::Department),
            StatsGroup::Item => Some(Self::Item),
            StatsGroup::Clerk => Some(Self::Clerk),
            StatsGroup::Day | StatsGroup::Month => None,
        }
    }

    /// A query's filters, each on one dimension with the ids it keeps.
    pub(crate) fn filters(query: &StatsQuery) -> Vec<(Self, Vec<String>)> {
        [
            (
                Self::Center,
                query
                    .center_ids
                    .as_ref()
                    .map(|c| c.iter().map(ToString::to_string).collect()),
            ),
            (Self::Window, query.window_id.map(|w| vec![w.to_string()])),
            (
                Self::Department,
                query.department_id.map(|d| vec![d.to_string()]),
            ),
            (Self::Item, query.item_id.map(|i| vec![i.to_string()])),
        ]
        .into_iter()
        .filter_map(|(dim, ids)| Some((dim, ids?)))
        .collect()
    }
}

/// A statistics table: the fine rows, keyed by every dimension at once, or a rollup of one
/// dimension by day, by month or by year; or the deltas not yet folded into them, keyed like the fine
/// rows but one row per delta.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Table {
    Fine,
    Day,
    Month,
    Year,
    Pending,
}

impl Table {
    /// Every table the projector folds deltas into.
    pub(crate) const ALL: [Self; 4] = [Self::Fine, Self::Day, Self::Month, Self::Year];

    /// The rollups, in the order a dimension's rows are written.
    pub(crate) const ROLLUPS: [Self; 3] = [Self::Day, Self::Month, Self::Year];

    /// Its name in SQL.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Fine => "case_stats",
            Self::Day => "stats_day",
            Self::Month => "stats_month",
            Self::Year => "stats_year",
            Self::Pending => "stats_pending",
        }
    }

    /// Its columns of the date of receipt and of the date of effect.
    pub(crate) fn dates(self) -> [&'static str; 2] {
        match self {
            Self::Fine | Self::Day | Self::Pending => ["received_on", "effective_on"],
            Self::Month => ["received_month", "effective_month"],
            Self::Year => ["received_year", "effective_year"],
        }
    }

    /// Its column of the date that puts a row into a period on the basis.
    pub(crate) fn date(self, basis: StatsBasis) -> &'static str {
        let [received, effective] = self.dates();
        match basis {
            StatsBasis::Received => received,
            StatsBasis::Completed => effective,
        }
    }

    /// A delta's dates as the table keys them: by month (year), the first days of their
    /// months (years).
    pub(crate) fn dated(self, received_on: NaiveDate, effective_on: NaiveDate) -> [NaiveDate; 2] {
        match self {
            Self::Fine | Self::Day | Self::Pending => [received_on, effective_on],
            Self::Month => [month_of(received_on), month_of(effective_on)],
            Self::Year => [year_of(received_on), year_of(effective_on)],
        }
    }
}
