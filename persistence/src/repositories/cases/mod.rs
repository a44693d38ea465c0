//! Cases and their events on [`AnyConnection`]: the repository itself here, its rows in
//! [`rows`], what the listings share in [`listing`], the sealed applicant columns and their
//! upkeep in [`sealed`].

mod kiosk;
mod listing;
mod rows;
mod sealed;

use chrono::NaiveDate;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use domain::case::{Case, CaseEvent, CaseStatus};
use domain::ids::{CaseId, CenterId};
use domain::page::{DueCursor, Page, PageRequest};
use domain::repository::{CaseFilter, CaseRepository, RepositoryError, RepositoryResult};

pub(crate) use listing::filtered;
use listing::{cursor_at, cursor_of, load_cases, parse_cursor, statuses};
pub(crate) use rows::{CaseRow, EventRow};
pub(crate) use sealed::{PHONE, anonymise_batch, rotate_batch, seal_plaintext_batch};

use super::fetch_limit;
use super::kept::{Bind, Kept};
use crate::AnyConnection;
use crate::error::db;
use crate::schema::{case_events, case_sequences, cases};

impl CaseRepository for AnyConnection {
    fn next_case_seq(&mut self, region: &str, day: NaiveDate) -> RepositoryResult<u32> {
        super::registers::draw(
            self,
            |conn| {
                // One round trip, prepared once per connection: the row stays locked until
                // the case commits, and every clerk of the region waits for it.
                let draw = format!(
                    "UPDATE case_sequences SET last_seq = last_seq + 1 \
                     WHERE region = {0} AND day = {0} RETURNING last_seq",
                    Kept::BIND
                );
                Kept::new(&draw, [Bind::Text(region.to_owned()), Bind::Date(day)])
                    .get_result::<Drawn>(conn)
                    .optional()
                    .map(|drawn| drawn.map(|d| d.last_seq))
            },
            |conn| {
                diesel::insert_into(case_sequences::table)
                    .values((
                        case_sequences::region.eq(region),
                        case_sequences::day.eq(day),
                        case_sequences::last_seq.eq(1),
                    ))
                    .execute(conn)
            },
        )
    }

    fn defer_case_references(&mut self) -> RepositoryResult<()> {
        match self {
            // Declared `INITIALLY DEFERRED` (migration 23): no round trip.
            AnyConnection::Postgresql(_) => Ok(()),
            // Every foreign key until the commit, which forgets the setting.
            AnyConnection::Sqlite(conn) => conn
                .batch_execute("PRAGMA defer_foreign_keys = ON")
                .map_err(db),
        }
    }

    fn insert_case(&mut self, case: &Case, query_code_hash: &str) -> RepositoryResult<()> {
        let insert = diesel::insert_into(cases::table)
            .values(CaseRow::from_domain(case, query_code_hash.to_owned())?);
        self.execute_native(insert).map_err(db)?;
        Ok(())
    }

    fn update_case(&mut self, case: &Case, expected_version: i64) -> RepositoryResult<bool> {
        let updated = diesel::update(
            cases::table
                .filter(cases::id.eq(case.id.to_string()))
                .filter(cases::version.eq(expected_version)),
        )
        .set(CaseRow::from_domain(case, String::new())?)
        .execute(self)
        .map_err(db)?;
        Ok(updated == 1)
    }

    fn append_event(&mut self, region: &str, event: &CaseEvent) -> RepositoryResult<()> {
        let insert =
            diesel::insert_into(case_events::table).values(EventRow::from_domain(region, event)?);
        self.execute_native(insert).map_err(db)?;
        Ok(())
    }

    fn case(&mut self, case_id: CaseId) -> RepositoryResult<Option<Case>> {
        cases::table
            .find(case_id.to_string())
            .select(CaseRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?
            .map(CaseRow::into_domain)
            .transpose()
    }

    fn case_by_number(&mut self, case_no: &str) -> RepositoryResult<Option<(Case, String)>> {
        let region = region_of(case_no);
        let row = cases::table
            .filter(cases::region.eq(region))
            .filter(cases::case_no.eq(case_no))
            .select(CaseRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?;
        row.map(|row| {
            let hash = row.query_code_hash.clone();
            row.into_domain().map(|case| (case, hash))
        })
        .transpose()
    }

    fn case_events(&mut self, case_id: CaseId) -> RepositoryResult<Vec<CaseEvent>> {
        case_events::table
            .filter(case_events::case_id.eq(case_id.to_string()))
            .order(case_events::seq)
            .select(EventRow::as_select())
            .load(self)
            .map_err(db)?
            .into_iter()
            .map(EventRow::into_domain)
            .collect()
    }

    fn cases(&mut self, filter: &CaseFilter, page: &PageRequest) -> RepositoryResult<Page<Case>> {
        let mut query = filtered(cases::table.into_boxed(), filter)?
            .order((cases::received_at.desc(), cases::id.desc()))
            .limit(fetch_limit(page));
        if let Some(after) = &page.after {
            let (at, case_id) = parse_cursor(after)?;
            query = query.filter(
                cases::received_at
                    .lt(at)
                    .or(cases::received_at.eq(at).and(cases::id.lt(case_id))),
            );
        }
        let found = load_cases(self, query)?;
        Ok(Page::from_fetched(found, page.limit, cursor_of))
    }

    fn cases_due_by(
        &mut self,
        by: NaiveDate,
        materials_before: Option<NaiveDate>,
        filter: &CaseFilter,
        page: &PageRequest,
    ) -> RepositoryResult<Page<Case>> {
        let running = cases::status
            .eq_any(statuses(&CaseStatus::CLOCK_RUNNING))
            .and(cases::deadline.le(by));
        let query = filtered(cases::table.into_boxed(), filter)?;
        let query = match materials_before {
            None => query.filter(running),
            Some(before) => query.filter(
                running.or(cases::status
                    .eq_any(statuses(&CaseStatus::OPEN))
                    .and(cases::materials_due_on.lt(before))),
            ),
        };
        let mut query = query
            .filter(cases::deadline.is_not_null())
            .order((
                cases::deadline.asc(),
                cases::received_at.asc(),
                cases::id.asc(),
            ))
            .limit(fetch_limit(page));
        if let Some(after) = &page.after {
            let cursor = DueCursor::parse(after).ok_or(RepositoryError::InvalidCursor)?;
            let deadline = cases::deadline.assume_not_null();
            let (at, case_id) = (cursor.received_at, cursor.case_id.to_string());
            query = query.filter(
                deadline
                    .gt(cursor.deadline)
                    .or(deadline.eq(cursor.deadline).and(
                        cases::received_at
                            .gt(at)
                            .or(cases::received_at.eq(at).and(cases::id.gt(case_id))),
                    )),
            );
        }
        let found = load_cases(self, query)?;
        Ok(Page::from_fetched(found, page.limit, |case| {
            DueCursor::after(case).map_or_else(String::new, |cursor| cursor.to_string())
        }))
    }

    fn recently_completed(
        &mut self,
        center: Option<CenterId>,
        page: &PageRequest,
    ) -> RepositoryResult<Page<Case>> {
        let mut query = cases::table
            .into_boxed()
            .filter(cases::completed_at.is_not_null())
            .filter(cases::status.eq_any(statuses(&CaseStatus::FINISHED)))
            .order((cases::completed_at.desc(), cases::id.desc()))
            .limit(fetch_limit(page));
        if let Some(center) = center {
            query = query.filter(cases::center_id.eq(center.to_string()));
        }
        if let Some(after) = &page.after {
            let (at, case_id) = parse_cursor(after)?;
            query = query.filter(
                cases::completed_at
                    .lt(at)
                    .or(cases::completed_at.eq(at).and(cases::id.lt(case_id))),
            );
        }
        let found = load_cases(self, query)?;
        Ok(Page::from_fetched(found, page.limit, |case| {
            cursor_at(case.completed_at.unwrap_or(case.received_at), case)
        }))
    }

    fn open_cases(&mut self) -> RepositoryResult<Vec<Case>> {
        let query = cases::table
            .into_boxed()
            .filter(cases::status.eq_any(statuses(&CaseStatus::OPEN)))
            .order(cases::received_at);
        load_cases(self, query)
    }
}

/// The region a case number begins with: filtering on it beside the number uses the key,
/// and on a distributed database reaches one shard.
fn region_of(case_no: &str) -> &str {
    case_no.split('-').next().unwrap_or_default()
}

/// The number a register's bump left.
#[derive(QueryableByName)]
struct Drawn {
    #[diesel(sql_type = Integer)]
    last_seq: i32,
}
