//! The rows of the statistics tables as portable SQL: which rows a delta is added to, the
//! statements that add to them or insert them, and a group's sums read back. Every counter's
//! column comes from [`Counters::COLUMNS`]; none is named here.

use chrono::NaiveDate;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, QueryableByName};
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::row::NamedRow;
use diesel::sql_types::{BigInt, Date, Integer, Nullable, Text, Timestamp};
use domain::repository::StatsKey;
use domain::stats::Counters;

use super::dimension::{Dimension, Table};
use crate::connection::MultiBackend;
pub(crate) use crate::repositories::kept::{Bind, Kept};

/// A statement with its values bound. Binds are numbered `$1`, `$2`, … in the order they
/// appear in the SQL, as both backends need.
pub(crate) fn bound(
    sql: String,
    binds: impl IntoIterator<Item = Bind>,
) -> BoxedSqlQuery<'static, MultiBackend, SqlQuery> {
    let mut query = diesel::sql_query(sql).into_boxed::<MultiBackend>();
    for bind in binds {
        query = match bind {
            Bind::Text(text) => query.bind::<Text, _>(text),
            Bind::Date(day) => query.bind::<Date, _>(day),
            Bind::BigInt(n) => query.bind::<BigInt, _>(n),
            Bind::Integer(n) => query.bind::<Integer, _>(n),
            Bind::Timestamp(at) => query.bind::<Timestamp, _>(at),
            Bind::NullableText(text) => query.bind::<Nullable<Text>, _>(text),
        };
    }
    query
}

/// One row of a statistics table, by its key's columns and values; ordered by table, then
/// key, the order the projector locks them in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct RowKey {
    pub(crate) table: Table,
    pub(crate) key: Vec<(&'static str, Bind)>,
}

impl RowKey {
    fn new(table: Table, region: &str, dates: [NaiveDate; 2]) -> Self {
        let [received, effective] = table.dates();
        Self {
            table,
            key: vec![
                ("region", Bind::Text(region.to_owned())),
                (received, Bind::Date(dates[0])),
                (effective, Bind::Date(dates[1])),
            ],
        }
    }

    /// The binds of the row with these counters: the counters' first, then the key's, the
    /// order [`RowKey::insert`] and [`RowKey::update`] number them in.
    pub(crate) fn binds(&self, counters: &Counters) -> impl Iterator<Item = Bind> + '_ {
        let values = counters.values().into_iter().map(Bind::BigInt);
        values.chain(self.key.iter().map(|(_, value)| value.clone()))
    }

    /// The statement that adds counters to the row, the binds in the order of
    /// [`RowKey::binds`]; `bind(i)` writes the `i`-th bind's placeholder, counting from 1.
    pub(crate) fn update(&self, bind: impl Fn(usize) -> String) -> String {
        let n = Counters::LEN;
        let sets: Vec<String> = Counters::COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = {c} + {}", bind(i + 1)))
            .collect();
        let keys: Vec<String> = self
            .key
            .iter()
            .enumerate()
            .map(|(i, (column, _))| format!("{column} = {}", bind(n + i + 1)))
            .collect();
        format!(
            "UPDATE {} SET {} WHERE {}",
            self.table.name(),
            sets.join(", "),
            keys.join(" AND ")
        )
    }

    /// The statement that inserts `rows` rows of the table, each keyed like this one, every
    /// row's binds in the order of [`RowKey::binds`]; `bind(i)` writes the `i`-th bind's
    /// placeholder, counting from 1.
    pub(crate) fn insert(&self, rows: usize, bind: impl Fn(usize) -> String) -> String {
        let width = Counters::LEN + self.key.len();
        let columns: Vec<&str> = Counters::COLUMNS
            .into_iter()
            .chain(self.key.iter().map(|(column, _)| *column))
            .collect();
        let tuples: Vec<String> = (0..rows)
            .map(|row| {
                let binds: Vec<String> = (1..=width).map(|i| bind(row * width + i)).collect();
                format!("({})", binds.join(", "))
            })
            .collect();
        format!(
            "INSERT INTO {} ({}) VALUES {}",
            self.table.name(),
            columns.join(", "),
            tuples.join(", ")
        )
    }
}

/// The rows a delta of a case is added to, in the order they are written: its fine row
/// first, the least shared, then each dimension's day, month and year rows in the
/// dimensions' write order.
pub(crate) fn rows_of(key: &StatsKey, effective_on: NaiveDate) -> Vec<RowKey> {
    let dates = [key.received_on, effective_on];
    let mut rows = vec![fine_row(Table::Fine, &key.region, dates, |dim| dim.id(key))];
    rows.extend(rollup_rows(&key.region, dates, |dim| dim.id(key)));
    rows
}

/// A delta's row keyed by every dimension, in the fine table or among the pending deltas;
/// `id` gives the delta's value in a dimension.
pub(crate) fn fine_row(
    table: Table,
    region: &str,
    [received_on, effective_on]: [NaiveDate; 2],
    id: impl Fn(Dimension) -> String,
) -> RowKey {
    let mut fine = RowKey::new(table, region, table.dated(received_on, effective_on));
    for dim in Dimension::WRITE_ORDER {
        if let Some(column) = dim.column() {
            fine.key.push((column, Bind::Text(id(dim))));
        }
    }
    fine
}

/// A delta's day, month and year rows, per dimension in the write order.
pub(crate) fn rollup_rows(
    region: &str,
    [received_on, effective_on]: [NaiveDate; 2],
    id: impl Fn(Dimension) -> String,
) -> Vec<RowKey> {
    let mut rows = Vec::new();
    for dim in Dimension::WRITE_ORDER {
        for table in Table::ROLLUPS {
            let mut row = RowKey::new(table, region, table.dated(received_on, effective_on));
            row.key.push(("dim", Bind::Text(dim.name().to_owned())));
            row.key.push(("dim_id", Bind::Text(id(dim))));
            rows.push(row);
        }
    }
    rows
}

/// A group's sums read back: the group's key (`grp`) and the counters, each column by the
/// name it has in [`Counters::COLUMNS`].
pub(super) struct GroupRow(pub(super) String, pub(super) Counters);

impl<DB: Backend> QueryableByName<DB> for GroupRow
where
    String: FromSql<Text, DB>,
    i64: FromSql<BigInt, DB>,
{
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        let mut values = [0; Counters::LEN];
        for (value, column) in values.iter_mut().zip(Counters::COLUMNS) {
            *value = NamedRow::get::<BigInt, i64>(row, column)?;
        }
        let group = NamedRow::get::<Text, String>(row, "grp")?;
        Ok(Self(group, Counters::from_values(values)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ids::{CenterId, DepartmentId, ServiceItemId, UserId, WindowId};

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn a_delta_adds_to_its_fine_row_then_a_day_a_month_and_a_year_row_per_dimension_all_last() {
        let key = StatsKey {
            region: "110000".into(),
            received_on: day("2012-09-28"),
            center_id: CenterId::new(),
            window_id: WindowId::new(),
            item_id: ServiceItemId::new(),
            department_id: DepartmentId::new(),
            clerk_id: UserId::new(),
        };
        let rows = rows_of(&key, day("2012-10-15"));
        let tables: Vec<_> = rows.iter().map(|r| r.table).collect();
        assert_eq!(tables[0], Table::Fine);
        assert_eq!(tables[1..].len(), 3 * Dimension::WRITE_ORDER.len());
        let last = &rows[rows.len() - 1];
        assert_eq!(last.table, Table::Year);
        assert!(last.key.contains(&("dim", Bind::Text("all".into()))));
        assert!(
            last.key
                .contains(&("received_year", Bind::Date(day("2012-01-01"))))
        );
        let month = &rows[rows.len() - 2];
        assert_eq!(month.table, Table::Month);
        assert!(
            month
                .key
                .contains(&("effective_month", Bind::Date(day("2012-10-01"))))
        );
        let fine: Vec<_> = rows[0].key.iter().map(|(column, _)| *column).collect();
        assert_eq!(
            fine.len(),
            8,
            "region, two dates, five dimensions: {fine:?}"
        );
        let update = rows[0].update(|i| format!("${i}"));
        assert!(
            Counters::COLUMNS
                .iter()
                .all(|c| update.contains(&format!("{c} = {c} + $")))
        );
        assert!(
            rows[0]
                .insert(2, |i| format!("${i}"))
                .ends_with(&format!("${})", 2 * (Counters::LEN + 8)))
        );
    }
}
