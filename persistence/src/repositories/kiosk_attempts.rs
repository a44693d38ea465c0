//! Wrong query codes per case number: one row per wrong code, counted in one statement and
//! forgotten once older than the window. Plain SQL, the same on both backends.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use domain::repository::{KioskAttemptRepository, RepositoryError, RepositoryResult};

use crate::AnyConnection;
use crate::convert::utc;
use crate::error::db;

#[derive(QueryableByName)]
struct Tally {
    #[diesel(sql_type = BigInt)]
    failures: i64,
    #[diesel(sql_type = Nullable<Timestamp>)]
    earliest: Option<NaiveDateTime>,
}

impl KioskAttemptRepository for AnyConnection {
    fn failed_lookups(
        &mut self,
        case_no: &str,
        since: DateTime<Utc>,
    ) -> RepositoryResult<(u32, Option<DateTime<Utc>>)> {
        let tally: Tally = diesel::sql_query(
            "SELECT COUNT(*) AS failures, MIN(attempted_at) AS earliest FROM kiosk_attempts \
             WHERE case_no = $1 AND attempted_at >= $2",
        )
        .bind::<Text, _>(case_no)
        .bind::<Timestamp, _>(since.naive_utc())
        .get_result(self)
        .map_err(db)?;
        let failures = u32::try_from(tally.failures).map_err(|_| {
            RepositoryError::Internal(format!("{} wrong codes counted", tally.failures))
        })?;
        Ok((failures, tally.earliest.map(utc)))
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
