//! Writing many prepared records at once, for loaders (the demo hall, benchmarks): multi-row
//! inserts, which diesel builds only on a concrete connection — so this is the one place
//! that matches on the backend. The records must come from the domain's own functions.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use domain::case::{Case, CaseEvent};
use domain::rating::Rating;
use domain::repository::{RepositoryResult, StatsKey};
use domain::stats::{Counters, StatDelta};

use crate::AnyConnection;
use crate::error::db;
use crate::repositories::cases::{CaseRow, EventRow};
use crate::repositories::ratings::RatingRow;
use crate::repositories::stats::StatsRow;
use crate::repositories::stats::{dimensions, month_of};
use crate::schema::{
    case_events, case_sequences, case_stats, cases, ratings, stats_day, stats_month,
};

/// Rows per statement: the widest table has 34 columns, and SQLite takes 32,766 parameters.
const CHUNK: usize = 500;

macro_rules! insert_chunks {
    ($conn:expr, $table:expr, $rows:expr) => {{
        for chunk in $rows.chunks(CHUNK) {
            match $conn {
                AnyConnection::Postgresql(pg) => {
                    diesel::insert_into($table).values(chunk).execute(pg)
                }
                AnyConnection::Sqlite(sqlite) => {
                    diesel::insert_into($table).values(chunk).execute(sqlite)
                }
            }
            .map_err(db)?;
        }
    }};
}

/// Everything a loader prepared, written in the caller's transaction.
#[derive(Default)]
pub struct Batch {
    cases: Vec<CaseRow>,
    events: Vec<EventRow>,
    ratings: Vec<RatingRow>,
    stats: HashMap<(StatsKey, NaiveDate), Counters>,
    sequences: HashMap<(String, NaiveDate), u32>,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("cases", &self.cases.len())
            .field("events", &self.events.len())
            .field("ratings", &self.ratings.len())
            .field("stats", &self.stats.len())
            .finish()
    }
}

impl Batch {
    /// Adds a case in its final state with the hash of its query code, and records the
    /// sequence number its case number used.
    pub fn case(&mut self, case: &Case, query_code_hash: &str, seq: u32) -> RepositoryResult<()> {
        self.cases
            .push(CaseRow::from_domain(case, query_code_hash.to_owned())?);
        let last = self
            .sequences
            .entry((case.region.clone(), case.received_on))
            .or_default();
        *last = (*last).max(seq);
        Ok(())
    }

    /// Adds an event of a case in `region`.
    pub fn event(&mut self, region: &str, event: &CaseEvent) -> RepositoryResult<()> {
        self.events.push(EventRow::from_domain(region, event)?);
        Ok(())
    }

    /// Adds a rating of a case in `region`.
    pub fn rating(&mut self, region: &str, rating: &Rating) {
        self.ratings.push(RatingRow::from_domain(region, rating));
    }

    /// Adds statistics deltas, summed per key and day as the live path would.
    pub fn stats(&mut self, key: &StatsKey, deltas: &[StatDelta]) {
        for delta in deltas {
            *self
                .stats
                .entry((key.clone(), delta.effective_on))
                .or_default() += delta.counters;
        }
    }

    /// Writes everything; the case sequences continue after the numbers used.
    pub fn write(self, conn: &mut AnyConnection) -> RepositoryResult<()> {
        insert_chunks!(conn, cases::table, self.cases);
        insert_chunks!(conn, case_events::table, self.events);
        insert_chunks!(conn, ratings::table, self.ratings);
        let stats: Vec<StatsRow> = self
            .stats
            .iter()
            .map(|((key, effective_on), counters)| ((key.clone(), *effective_on), *counters))
            .map(|((key, effective_on), counters)| {
                StatsRow::new(
                    &key,
                    &StatDelta {
                        effective_on,
                        counters,
                    },
                )
            })
            .collect();
        insert_chunks!(conn, case_stats::table, stats);
        let (days, months) = rollups(&self.stats);
        insert_chunks!(conn, stats_day::table, days);
        insert_chunks!(conn, stats_month::table, months);
        let sequences: Vec<_> = self
            .sequences
            .into_iter()
            .map(|((region, day), last)| {
                (
                    case_sequences::region.eq(region),
                    case_sequences::day.eq(day),
                    case_sequences::last_seq.eq(i32::try_from(last).unwrap_or(i32::MAX)),
                )
            })
            .collect();
        insert_chunks!(conn, case_sequences::table, sequences);
        Ok(())
    }
}

#[derive(Insertable)]
#[diesel(table_name = stats_day)]
struct DayRow {
    region: String,
    dim: String,
    dim_id: String,
    received_on: NaiveDate,
    effective_on: NaiveDate,
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
    rated_1: i64,
    rated_2: i64,
    rated_3: i64,
    rated_4: i64,
    rated_5: i64,
}

#[derive(Insertable)]
#[diesel(table_name = stats_month)]
struct MonthRow {
    region: String,
    dim: String,
    dim_id: String,
    received_month: NaiveDate,
    effective_month: NaiveDate,
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
    rated_1: i64,
    rated_2: i64,
    rated_3: i64,
    rated_4: i64,
    rated_5: i64,
}

type RollupKey = (String, &'static str, String, NaiveDate, NaiveDate);

/// The per-dimension rollups of the fine deltas, as the live path keeps them.
fn rollups(stats: &HashMap<(StatsKey, NaiveDate), Counters>) -> (Vec<DayRow>, Vec<MonthRow>) {
    let mut days: HashMap<RollupKey, Counters> = HashMap::new();
    let mut months: HashMap<RollupKey, Counters> = HashMap::new();
    for ((key, effective_on), counters) in stats {
        for (dim, dim_id) in dimensions(key) {
            *days
                .entry((
                    key.region.clone(),
                    dim,
                    dim_id.clone(),
                    key.received_on,
                    *effective_on,
                ))
                .or_default() += *counters;
            *months
                .entry((
                    key.region.clone(),
                    dim,
                    dim_id,
                    month_of(key.received_on),
                    month_of(*effective_on),
                ))
                .or_default() += *counters;
        }
    }
    let days = days
        .into_iter()
        .map(
            |((region, dim, dim_id, received_on, effective_on), c)| DayRow {
                region,
                dim: dim.to_owned(),
                dim_id,
                received_on,
                effective_on,
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
            },
        )
        .collect();
    let months = months
        .into_iter()
        .map(
            |((region, dim, dim_id, received_month, effective_month), c)| MonthRow {
                region,
                dim: dim.to_owned(),
                dim_id,
                received_month,
                effective_month,
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
            },
        )
        .collect();
    (days, months)
}
