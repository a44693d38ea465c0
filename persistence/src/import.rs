//! What an import needs to be written a batch at a time and still be all or nothing: a
//! connection that keeps the statistics deltas of the cases it writes instead of writing
//! them ([`Tally`]), so that the rows every live intake also bumps are touched once at the
//! end, summed; and the compensating delete that takes back the cases of an import that
//! failed after some of its batches were committed ([`delete_cases`]).

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use domain::case::{Case, CaseEvent};
use domain::catalogue::{Center, ServiceItem, Window};
use domain::ids::{CaseId, CenterId, ServiceItemId, WindowId};
use domain::page::{Page, PageRequest};
use domain::repository::{
    CaseFilter, CaseRepository, CenterRepository, IntakePlace, ItemSearch, RepositoryResult,
    ServiceItemRepository, StatsGroup, StatsKey, StatsQuery, StatsRepository, WindowRepository,
};
use domain::stats::{Counters, StatDelta};

use crate::AnyConnection;
use crate::error::db;
use crate::schema::{case_events, cases, idempotency_keys, ratings};

/// Statistics deltas kept back, summed per key and effective day as the live path would
/// have added them one by one.
#[derive(Debug, Default, Clone)]
pub struct DeferredStats {
    sums: HashMap<(StatsKey, NaiveDate), Counters>,
}

impl DeferredStats {
    /// Adds another batch's deltas.
    pub fn merge(&mut self, other: DeferredStats) {
        for (key, counters) in other.sums {
            *self.sums.entry(key).or_default() += counters;
        }
    }

    /// One delta per key and effective day, ready for [`StatsRepository::add_stats`].
    pub fn into_deltas(self) -> Vec<(StatsKey, StatDelta)> {
        self.sums
            .into_iter()
            .map(|((key, effective_on), counters)| {
                (
                    key,
                    StatDelta {
                        effective_on,
                        counters,
                    },
                )
            })
            .collect()
    }
}

/// A connection for the case workflow that writes cases and events as usual but keeps the
/// statistics deltas back (see [`DeferredStats`]).
#[derive(Debug)]
pub struct Tally<'c> {
    conn: &'c mut AnyConnection,
    stats: DeferredStats,
}

impl<'c> Tally<'c> {
    /// Wraps a connection (in the caller's transaction).
    pub fn new(conn: &'c mut AnyConnection) -> Self {
        Self {
            conn,
            stats: DeferredStats::default(),
        }
    }

    /// The connection itself, for what the workflow does not do (resolving usernames).
    pub fn conn(&mut self) -> &mut AnyConnection {
        self.conn
    }

    /// The deltas kept back.
    pub fn into_stats(self) -> DeferredStats {
        self.stats
    }
}

/// Forwards repository methods to the wrapped connection.
macro_rules! forward {
    ($($name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        $(fn $name(&mut self, $($arg: $ty),*) -> $ret { self.conn.$name($($arg),*) })*
    };
}

impl CaseRepository for Tally<'_> {
    forward! {
        next_case_seq(region: &str, day: NaiveDate) -> RepositoryResult<u32>;
        defer_case_references() -> RepositoryResult<()>;
        insert_case(case: &Case, query_code_hash: &str) -> RepositoryResult<()>;
        update_case(case: &Case, expected_version: i64) -> RepositoryResult<bool>;
        append_event(region: &str, event: &CaseEvent) -> RepositoryResult<()>;
        case(id: CaseId) -> RepositoryResult<Option<Case>>;
        case_by_number(case_no: &str) -> RepositoryResult<Option<(Case, String)>>;
        case_events(id: CaseId) -> RepositoryResult<Vec<CaseEvent>>;
        cases(filter: &CaseFilter, page: &PageRequest) -> RepositoryResult<Page<Case>>;
        cases_due_by(by: NaiveDate, materials_before: Option<NaiveDate>, filter: &CaseFilter, page: &PageRequest) -> RepositoryResult<Page<Case>>;
        open_cases() -> RepositoryResult<Vec<Case>>;
        recently_completed(center: Option<CenterId>, page: &PageRequest) -> RepositoryResult<Page<Case>>;
    }
}

impl domain::outbox::NewsSink for Tally<'_> {
    fn enqueue_news(&mut self, _: &domain::outbox::News) -> RepositoryResult<()> {
        // Imported cases are history, and a failed import's committed batches are deleted
        // again (`delete_cases`): subscribers hear of live events only.
        Ok(())
    }

    fn enqueue_ticket_news(&mut self, _: &domain::outbox::TicketNews) -> RepositoryResult<()> {
        Ok(())
    }
}

impl CenterRepository for Tally<'_> {
    forward! {
        insert_center(center: &Center) -> RepositoryResult<()>;
        update_center(center: &Center) -> RepositoryResult<()>;
        center(id: CenterId) -> RepositoryResult<Option<Center>>;
        centers(page: &PageRequest) -> RepositoryResult<Page<Center>>;
        center_by_code(code: &str) -> RepositoryResult<Option<Center>>;
        all_centers() -> RepositoryResult<Vec<Center>>;
        center_tree() -> RepositoryResult<Vec<(CenterId, Option<CenterId>)>>;
    }
}

impl WindowRepository for Tally<'_> {
    forward! {
        insert_window(window: &Window) -> RepositoryResult<()>;
        update_window(window: &Window) -> RepositoryResult<()>;
        window(id: WindowId) -> RepositoryResult<Option<Window>>;
        windows(page: &PageRequest) -> RepositoryResult<Page<Window>>;
        all_windows() -> RepositoryResult<Vec<Window>>;
        window_by_number(center: CenterId, number: u32) -> RepositoryResult<Option<Window>>;
        intake_place(window: WindowId, item: ServiceItemId) -> RepositoryResult<IntakePlace>;
    }
}

impl ServiceItemRepository for Tally<'_> {
    forward! {
        insert_item(item: &ServiceItem) -> RepositoryResult<()>;
        update_item(item: &ServiceItem) -> RepositoryResult<()>;
        item(id: ServiceItemId) -> RepositoryResult<Option<ServiceItem>>;
        item_by_code(code: &str) -> RepositoryResult<Option<ServiceItem>>;
        items(page: &PageRequest) -> RepositoryResult<Page<ServiceItem>>;
        search_items(search: &ItemSearch, page: &PageRequest) -> RepositoryResult<Page<ServiceItem>>;
        items_by_ids(ids: &[ServiceItemId]) -> RepositoryResult<Vec<ServiceItem>>;
        item_version(id: ServiceItemId, version: u32) -> RepositoryResult<Option<ServiceItem>>;
        missing_items(ids: &[ServiceItemId]) -> RepositoryResult<Vec<ServiceItemId>>;
    }
}

impl StatsRepository for Tally<'_> {
    fn add_stats(&mut self, key: &StatsKey, deltas: &[StatDelta]) -> RepositoryResult<()> {
        for delta in deltas {
            *self
                .stats
                .sums
                .entry((key.clone(), delta.effective_on))
                .or_default() += delta.counters;
        }
        Ok(())
    }

    forward! {
        stats(query: &StatsQuery, group: Option<StatsGroup>) -> RepositoryResult<Vec<(String, Counters)>>;
        case_counts(filter: &CaseFilter, group: Option<StatsGroup>) -> RepositoryResult<Vec<(String, i64)>>;
    }
}

/// Makes the caller's transaction give way on PostgreSQL instead of waiting long for a row
/// lock: a wait past 100 ms fails with `RepositoryError::Busy`, and the caller rolls back and
/// tries again. A live intake takes the statistics rows of a month before those of a later
/// effective day (`domain::stats::deltas`); an import adding a later day's delta takes them
/// the other way round, and the two could deadlock — PostgreSQL would then fail one of them
/// after a second, possibly the intake. With a lock timeout far below that second, it is
/// always the import that stops. SQLite has one writer at a time and needs nothing.
pub fn give_way(conn: &mut AnyConnection) -> RepositoryResult<()> {
    if let AnyConnection::Postgresql(pg) = conn {
        pg.batch_execute("SET LOCAL lock_timeout = '100ms'")
            .map_err(db)?;
    }
    Ok(())
}

/// Ids per statement: far below SQLite's 32,766 parameters.
const IDS_PER_STATEMENT: usize = 500;

/// Deletes cases with everything that refers to them (events, ratings, idempotency keys):
/// the compensating delete of a failed import. Returns how many cases went.
pub fn delete_cases(conn: &mut AnyConnection, ids: &[CaseId]) -> RepositoryResult<usize> {
    let mut deleted = 0;
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let ids: Vec<String> = chunk.iter().map(ToString::to_string).collect();
        diesel::delete(case_events::table.filter(case_events::case_id.eq_any(&ids)))
            .execute(conn)
            .map_err(db)?;
        diesel::delete(ratings::table.filter(ratings::case_id.eq_any(&ids)))
            .execute(conn)
            .map_err(db)?;
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::case_id.eq_any(&ids)))
            .execute(conn)
            .map_err(db)?;
        deleted += diesel::delete(cases::table.filter(cases::id.eq_any(&ids)))
            .execute(conn)
            .map_err(db)?;
    }
    Ok(deleted)
}
