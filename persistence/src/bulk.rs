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
use crate::schema::{case_events, case_sequences, case_stats, cases, ratings};

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

    /// Adds an event.
    pub fn event(&mut self, event: &CaseEvent) {
        self.events.push(EventRow::from_domain(event));
    }

    /// Adds a rating.
    pub fn rating(&mut self, rating: &Rating) {
        self.ratings.push(RatingRow::from_domain(rating));
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
            .into_iter()
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
