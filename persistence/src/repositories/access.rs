use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::access::{AccessEntry, AccessFilter};
use domain::page::{Page, PageRequest};
use domain::repository::{AccessLogRepository, RepositoryResult};

use super::fetch_limit;
use crate::AnyConnection;
use crate::convert::{id, utc};
use crate::error::db;
use crate::schema::access_log;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = access_log)]
struct AccessRow {
    id: String,
    at: NaiveDateTime,
    user_id: String,
    case_id: String,
    purpose: String,
}

impl AccessLogRepository for AnyConnection {
    fn record_access(&mut self, entries: &[AccessEntry]) -> RepositoryResult<()> {
        let rows: Vec<AccessRow> = entries
            .iter()
            .map(|entry| AccessRow {
                id: entry.id.clone(),
                at: entry.at.naive_utc(),
                user_id: entry.user_id.to_string(),
                case_id: entry.case_id.to_string(),
                purpose: entry.purpose.clone(),
            })
            .collect();
        // A page of reads (up to 500 cases) is one multi-row statement, which diesel builds
        // only on a concrete connection; several run in one transaction (a savepoint inside
        // the caller's), so a page is logged whole or not at all.
        self.transaction(|conn| {
            for chunk in rows.chunks(500) {
                match conn {
                    AnyConnection::Postgresql(pg) => diesel::insert_into(access_log::table)
                        .values(chunk)
                        .execute(pg),
                    AnyConnection::Sqlite(sqlite) => diesel::insert_into(access_log::table)
                        .values(chunk)
                        .execute(sqlite),
                }?;
            }
            Ok(())
        })
        .map_err(db)
    }

    fn access_entries(
        &mut self,
        filter: &AccessFilter,
        page: &PageRequest,
    ) -> RepositoryResult<Page<AccessEntry>> {
        let mut query = access_log::table
            .select(AccessRow::as_select())
            .order(access_log::id.desc())
            .limit(fetch_limit(page))
            .into_boxed();
        if let Some(user) = filter.user_id {
            query = query.filter(access_log::user_id.eq(user.to_string()));
        }
        if let Some(case) = filter.case_id {
            query = query.filter(access_log::case_id.eq(case.to_string()));
        }
        if let Some(from) = filter.from {
            query = query.filter(access_log::at.ge(from.naive_utc()));
        }
        if let Some(to) = filter.to {
            query = query.filter(access_log::at.lt(to.naive_utc()));
        }
        if let Some(after) = super::uuid_after(page)? {
            query = query.filter(access_log::id.lt(after));
        }
        let entries = query
            .load(self)
            .map_err(db)?
            .into_iter()
            .map(|row| {
                Ok(AccessEntry {
                    id: row.id,
                    at: utc(row.at),
                    user_id: id(&row.user_id)?,
                    case_id: id(&row.case_id)?,
                    purpose: row.purpose,
                })
            })
            .collect::<RepositoryResult<Vec<_>>>()?;
        Ok(Page::from_fetched(entries, page.limit, |e| e.id.clone()))
    }
}
