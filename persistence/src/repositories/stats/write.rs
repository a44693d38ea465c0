//! The write path: an event's deltas added to the fine row and to every rollup it touches.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text};
use domain::repository::{RepositoryResult, StatsKey};
use domain::stats::Counters;

use super::{COUNTERS, StatsRow};
use crate::AnyConnection;
use crate::error::db;
use crate::schema::case_stats;

/// Adds a delta to its fine row (every dimension at once), creating the row when missing.
/// Written first: these rows are the least shared.
pub(super) fn bump_fine(conn: &mut AnyConnection, row: &StatsRow) -> RepositoryResult<()> {
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
pub(super) fn bump_rollup(
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

pub(super) fn counter_values(c: &Counters) -> [i64; 16] {
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
