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
use crate::repositories::stats::{RowKey, Table, bound, rows_of};
use crate::schema::{case_events, case_sequences, cases, ratings};

/// Rows per statement: the widest table has 34 columns, and SQLite takes 32,766 parameters.
const CHUNK: usize = 500;

/// Inserts `rows` into `table` `chunk` rows a statement: multi-row inserts do not go through
/// the two-backend connection, so each chunk runs on the concrete one.
macro_rules! insert_chunks {
    ($conn:expr, $table:expr, $rows:expr, $chunk:expr) => {{
        for chunk in $rows.chunks($chunk) {
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
pub(crate) use insert_chunks;

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
        insert_chunks!(conn, cases::table, self.cases, CHUNK);
        insert_chunks!(conn, case_events::table, self.events, CHUNK);
        insert_chunks!(conn, ratings::table, self.ratings, CHUNK);
        // Summed into every row the live path adds them to: the fine rows and the rollups.
        let mut rows: HashMap<RowKey, Counters> = HashMap::new();
        for ((key, effective_on), counters) in &self.stats {
            for row in rows_of(key, *effective_on) {
                *rows.entry(row).or_default() += *counters;
            }
        }
        for table in Table::ALL {
            let rows: Vec<_> = rows.iter().filter(|(row, _)| row.table == table).collect();
            insert_stats(conn, &rows)?;
        }
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
        insert_chunks!(conn, case_sequences::table, sequences, CHUNK);
        Ok(())
    }
}

/// Inserts rows of one statistics table, many a statement.
fn insert_stats(conn: &mut AnyConnection, rows: &[(&RowKey, &Counters)]) -> RepositoryResult<()> {
    // SQLite looks each `$n` up among the names before it, which is quadratic in a statement
    // of thousands of binds; its anonymous `?` is numbered as it comes.
    let sqlite = matches!(conn, AnyConnection::Sqlite(_));
    let bind = |i: usize| {
        if sqlite {
            "?".to_owned()
        } else {
            format!("${i}")
        }
    };
    for chunk in rows.chunks(CHUNK) {
        let Some((first, _)) = chunk.first() else {
            continue;
        };
        let binds = chunk.iter().flat_map(|(row, counters)| row.binds(counters));
        bound(first.insert(chunk.len(), bind), binds)
            .execute(conn)
            .map_err(db)?;
    }
    Ok(())
}
