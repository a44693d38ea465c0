//! Wrong query codes per case number: one row per wrong code, counted by two subqueries (which
//! the kiosk's lookup runs inside its own statement) and forgotten once older than the window.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::backend::Backend;
use diesel::expression::{
    AppearsOnTable, Expression, SelectableExpression, ValidGrouping, is_aggregate,
};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, HasSqlType, Nullable, Text, Timestamp};
use domain::repository::{KioskAttemptRepository, RepositoryError, RepositoryResult};

use crate::AnyConnection;
use crate::convert::utc;
use crate::error::db;

/// A scalar subquery over `kiosk_attempts`: how many wrong codes a number got since a moment
/// (`EARLIEST = false`) or when the earliest came (`true`). Diesel has no scalar subqueries;
/// this one's text depends on its type alone, so the statement is prepared once per
/// connection and cached.
#[derive(Debug, Clone)]
pub(crate) struct WrongCodes<const EARLIEST: bool> {
    case_no: String,
    since: NaiveDateTime,
}

impl Expression for WrongCodes<false> {
    type SqlType = BigInt;
}

impl Expression for WrongCodes<true> {
    type SqlType = Nullable<Timestamp>;
}

impl<const EARLIEST: bool> QueryId for WrongCodes<EARLIEST> {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

// A subquery of its own: an aggregate inside, a plain value to the query around it.
impl<const EARLIEST: bool, GroupBy> ValidGrouping<GroupBy> for WrongCodes<EARLIEST> {
    type IsAggregate = is_aggregate::Never;
}

impl<const EARLIEST: bool, Source> AppearsOnTable<Source> for WrongCodes<EARLIEST> where
    Self: Expression
{
}

impl<const EARLIEST: bool, Source> SelectableExpression<Source> for WrongCodes<EARLIEST> where
    Self: Expression
{
}

impl<const EARLIEST: bool, DB> QueryFragment<DB> for WrongCodes<EARLIEST>
where
    DB: Backend + HasSqlType<Text> + HasSqlType<Timestamp>,
    String: ToSql<Text, DB>,
    NaiveDateTime: ToSql<Timestamp, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(if EARLIEST {
            "(SELECT MIN(attempted_at)"
        } else {
            "(SELECT COUNT(*)"
        });
        out.push_sql(" FROM kiosk_attempts WHERE case_no = ");
        out.push_bind_param::<Text, _>(&self.case_no)?;
        out.push_sql(" AND attempted_at >= ");
        out.push_bind_param::<Timestamp, _>(&self.since)?;
        out.push_sql(")");
        Ok(())
    }
}

/// The two subqueries of a number's wrong codes since a moment: how many, and the earliest.
pub(crate) fn wrong_codes(
    case_no: &str,
    since: DateTime<Utc>,
) -> (WrongCodes<false>, WrongCodes<true>) {
    let since = since.naive_utc();
    let count = WrongCodes {
        case_no: case_no.to_owned(),
        since,
    };
    let earliest = WrongCodes {
        case_no: case_no.to_owned(),
        since,
    };
    (count, earliest)
}

/// What the two subqueries read, as the repository answers it.
pub(crate) fn tally(
    failures: i64,
    earliest: Option<NaiveDateTime>,
) -> RepositoryResult<(u32, Option<DateTime<Utc>>)> {
    let failures = u32::try_from(failures)
        .map_err(|_| RepositoryError::Internal(format!("{failures} wrong codes counted")))?;
    Ok((failures, earliest.map(utc)))
}

impl KioskAttemptRepository for AnyConnection {
    fn failed_lookups(
        &mut self,
        case_no: &str,
        since: DateTime<Utc>,
    ) -> RepositoryResult<(u32, Option<DateTime<Utc>>)> {
        let (failures, earliest) = diesel::select(wrong_codes(case_no, since))
            .get_result::<(i64, Option<NaiveDateTime>)>(self)
            .map_err(db)?;
        tally(failures, earliest)
    }

    fn record_failed_lookup(
        &mut self,
        case_no: &str,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> RepositoryResult<()> {
        diesel::sql_query("DELETE FROM kiosk_attempts WHERE attempted_at < $1")
            .bind::<Timestamp, _>(forget_before.naive_utc())
            .execute(self)
            .map_err(db)?;
        diesel::sql_query("INSERT INTO kiosk_attempts (case_no, attempted_at) VALUES ($1, $2)")
            .bind::<Text, _>(case_no)
            .bind::<Timestamp, _>(at.naive_utc())
            .execute(self)
            .map_err(db)?;
        Ok(())
    }
}
