//! The write path: an event's deltas added to every row they touch.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use domain::repository::{RepositoryError, RepositoryResult};
use domain::stats::Counters;

use super::rows::{Kept, RowKey};
use crate::AnyConnection;
use crate::error::db;

/// Adds counters to a row, creating it when missing.
pub(super) fn bump(
    conn: &mut AnyConnection,
    row: &RowKey,
    counters: &Counters,
) -> RepositoryResult<()> {
    let update = row.update(Kept::mark);
    let add = |conn: &mut AnyConnection| {
        Kept::new(&update, row.binds(counters))
            .execute(conn)
            .map_err(db)
    };
    if add(conn)? == 1 {
        return Ok(());
    }
    // A new key. The insert runs in a savepoint so that on PostgreSQL a concurrent insert of
    // the same key leaves the transaction usable for the retry.
    let insert = Kept::new(&row.insert(1, Kept::mark), row.binds(counters));
    match conn.transaction(|conn| insert.execute(conn)).map_err(db) {
        Ok(_) => Ok(()),
        Err(RepositoryError::Conflict) => add(conn).map(|_| ()),
        Err(other) => Err(other),
    }
}

/// The first day of the day's month.
pub(crate) fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The first day of the day's year.
pub(crate) fn year_of(day: NaiveDate) -> NaiveDate {
    day.with_ordinal(1).unwrap_or(day)
}
