//! Deltas not yet folded: an event's transaction appends them in one statement and locks no
//! row another case shares; the projector folds them into the fine rows and the rollups in
//! batches, each batch deleted in the transaction that adds it; every query adds the ones
//! still pending, so no answer is ever behind.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, QueryableByName};
use diesel::prelude::*;
use diesel::row::NamedRow;
use diesel::sql_types::{BigInt, Bool, Date, Text};
use domain::repository::{RepositoryResult, StatsKey};
use domain::stats::{Counters, StatDelta};

use super::dimension::{Dimension, Table};
use super::rows::{Bind, Kept, RowKey, fine_row, rollup_rows};
use super::write::bump;
use crate::AnyConnection;
use crate::error::db;

/// The advisory lock that lets one projector fold at a time on PostgreSQL: two would add the
/// same rows in different orders and wait for each other.
const PROJECTOR_LOCK: i64 = 7_271_319;

/// Appends a case's deltas, one row each.
pub(super) fn append(
    conn: &mut AnyConnection,
    key: &StatsKey,
    deltas: &[StatDelta],
) -> RepositoryResult<()> {
    let rows: Vec<RowKey> = deltas
        .iter()
        .map(|delta| {
            let dates = [key.received_on, delta.effective_on];
            fine_row(Table::Pending, &key.region, dates, |dim| dim.id(key))
        })
        .collect();
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let sql = first.insert(rows.len(), Kept::mark);
    let binds: Vec<_> = rows
        .iter()
        .zip(deltas)
        .flat_map(|(row, delta)| row.binds(&delta.counters))
        .collect();
    Kept::new(&sql, binds).execute(conn).map_err(db)?;
    Ok(())
}

/// Whether any delta is pending.
pub(super) fn any(conn: &mut AnyConnection) -> RepositoryResult<bool> {
    diesel::select(diesel::dsl::sql::<Bool>(
        "EXISTS (SELECT 1 FROM stats_pending)",
    ))
    .get_result(conn)
    .map_err(db)
}

/// Folds up to `limit` of the oldest pending deltas into the tables, in the caller's
/// transaction; returns how many. On PostgreSQL, 0 at once while another process folds.
pub(super) fn fold(conn: &mut AnyConnection, limit: i64) -> RepositoryResult<usize> {
    if let AnyConnection::Postgresql(pg) = conn {
        let folding_here: bool = diesel::select(diesel::dsl::sql::<Bool>(&format!(
            "pg_try_advisory_xact_lock({PROJECTOR_LOCK})"
        )))
        .get_result(pg)
        .map_err(db)?;
        if !folding_here {
            return Ok(0);
        }
    }
    let mut columns = key_columns();
    columns.extend(Counters::COLUMNS);
    let table = Table::Pending.name();
    let sql = format!(
        "DELETE FROM {table} WHERE id IN (SELECT id FROM {table} ORDER BY id LIMIT {}) \
         RETURNING {}",
        Kept::BIND,
        columns.join(", ")
    );
    let taken: Vec<PendingRow> = Kept::new(&sql, [Bind::BigInt(limit)])
        .load(conn)
        .map_err(db)?;
    // Summed per row first: a busy day's deltas share a few dozen rows.
    let mut sums: BTreeMap<RowKey, Counters> = BTreeMap::new();
    for delta in &taken {
        let id = |dim: Dimension| delta.id(dim);
        let mut rows = vec![fine_row(Table::Fine, &delta.region, delta.dates, id)];
        rows.extend(rollup_rows(&delta.region, delta.dates, id));
        for row in rows {
            *sums.entry(row).or_default() += delta.counters;
        }
    }
    // In key order, so that folds never wait on each other in a cycle.
    for (row, counters) in &sums {
        bump(conn, row, counters)?;
    }
    Ok(taken.len())
}

/// A pending row's key columns: the region, the dates, each dimension's column.
fn key_columns() -> Vec<&'static str> {
    let mut columns = vec!["region"];
    columns.extend(Table::Pending.dates());
    columns.extend(
        Dimension::WRITE_ORDER
            .into_iter()
            .filter_map(Dimension::column),
    );
    columns
}

/// A pending delta read back.
struct PendingRow {
    region: String,
    dates: [NaiveDate; 2],
    /// Its value in each dimension that has a column.
    ids: Vec<(Dimension, String)>,
    counters: Counters,
}

impl PendingRow {
    fn id(&self, dim: Dimension) -> String {
        let value = self.ids.iter().find(|(of, _)| *of == dim);
        value.map(|(_, id)| id.clone()).unwrap_or_default()
    }
}

impl<DB: Backend> QueryableByName<DB> for PendingRow
where
    String: FromSql<Text, DB>,
    NaiveDate: FromSql<Date, DB>,
    i64: FromSql<BigInt, DB>,
{
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        let text = |column: &str| NamedRow::get::<Text, String>(row, column);
        let date = |column: &str| NamedRow::get::<Date, NaiveDate>(row, column);
        let [received_on, effective_on] = Table::Pending.dates();
        let mut ids = Vec::new();
        for dim in Dimension::WRITE_ORDER {
            if let Some(column) = dim.column() {
                ids.push((dim, text(column)?));
            }
        }
        let mut values = [0; Counters::LEN];
        for (value, column) in values.iter_mut().zip(Counters::COLUMNS) {
            *value = NamedRow::get::<BigInt, i64>(row, column)?;
        }
        Ok(Self {
            region: text("region")?,
            dates: [date(received_on)?, date(effective_on)?],
            ids,
            counters: Counters::from_values(values),
        })
    }
}
