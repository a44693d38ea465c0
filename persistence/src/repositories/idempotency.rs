use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};
use domain::ids::UserId;
use domain::repository::{IdempotencyRecord, IdempotencyRepository, RepositoryResult};

use crate::AnyConnection;
use crate::convert::{id, utc};
use crate::error::db;
use crate::schema::idempotency_keys;

impl IdempotencyRepository for AnyConnection {
    fn idempotency_record(
        &mut self,
        user: UserId,
        key: &str,
    ) -> RepositoryResult<Option<IdempotencyRecord>> {
        let row: Option<(String, String, String, chrono::NaiveDateTime)> = idempotency_keys::table
            .find((user.to_string(), key.to_owned()))
            .select((
                idempotency_keys::request_hash,
                idempotency_keys::region,
                idempotency_keys::case_id,
                idempotency_keys::created_at,
            ))
            .first(self)
            .optional()
            .map_err(db)?;
        row.map(|(request_hash, region, case_id, created_at)| {
            Ok(IdempotencyRecord {
                request_hash,
                region,
                case_id: id(&case_id)?,
                created_at: utc(created_at),
            })
        })
        .transpose()
    }

    fn remember_idempotency(
        &mut self,
        user: UserId,
        key: &str,
        record: &IdempotencyRecord,
    ) -> RepositoryResult<()> {
        diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::user_id.eq(user.to_string()),
                idempotency_keys::key.eq(key),
                idempotency_keys::request_hash.eq(&record.request_hash),
                idempotency_keys::region.eq(&record.region),
                idempotency_keys::case_id.eq(record.case_id.to_string()),
                idempotency_keys::created_at.eq(record.created_at.naive_utc()),
            ))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn forget_idempotency(&mut self, user: UserId, key: &str) -> RepositoryResult<()> {
        diesel::delete(idempotency_keys::table.find((user.to_string(), key.to_owned())))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn prune_idempotency(&mut self, before: DateTime<Utc>, limit: u32) -> RepositoryResult<usize> {
        // A bounded slice per call (by the created_at index), so a backlog of expired keys
        // never makes one intake slow; row values in IN work on both backends.
        diesel::sql_query(
            "DELETE FROM idempotency_keys WHERE (user_id, key) IN \
             (SELECT user_id, key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)",
        )
        .bind::<Timestamp, _>(before.naive_utc())
        .bind::<BigInt, _>(i64::from(limit))
        .execute(self)
        .map_err(db)
    }
}
