use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::ids::UserId;
use domain::repository::{IdempotencyRecord, IdempotencyRepository, RepositoryResult};

use crate::AnyConnection;
use crate::convert::{id, utc};
use crate::error::db;
use crate::repositories::kept::{Bind, Kept};
use crate::schema::idempotency_keys;

impl IdempotencyRepository for AnyConnection {
    fn idempotency_record(
        &mut self,
        user: UserId,
        key: &str,
    ) -> RepositoryResult<Option<IdempotencyRecord>> {
        // Every intake with a key reads it: on the backend's own connection (`load_native`).
        let record = idempotency_keys::table
            .filter(idempotency_keys::user_id.eq(user.to_string()))
            .filter(idempotency_keys::key.eq(key))
            .select((
                idempotency_keys::request_hash,
                idempotency_keys::region,
                idempotency_keys::case_id,
                idempotency_keys::created_at,
            ))
            .limit(1);
        let row: Option<(String, String, String, chrono::NaiveDateTime)> =
            self.load_native(record).map_err(db)?.pop();
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
        let insert = diesel::insert_into(idempotency_keys::table).values((
            idempotency_keys::user_id.eq(user.to_string()),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(&record.request_hash),
            idempotency_keys::region.eq(&record.region),
            idempotency_keys::case_id.eq(record.case_id.to_string()),
            idempotency_keys::created_at.eq(record.created_at.naive_utc()),
        ));
        self.execute_native(insert).map_err(db)?;
        Ok(())
    }

    fn forget_idempotency(&mut self, user: UserId, key: &str) -> RepositoryResult<()> {
        diesel::delete(idempotency_keys::table.find((user.to_string(), key.to_owned())))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn prune_idempotency(&mut self, before: DateTime<Utc>, limit: u32) -> RepositoryResult<usize> {
        // A bounded slice per call, so a backlog of expired keys never makes one intake slow.
        // Every intake with a key runs it: `Kept`, prepared once per connection. Ordered by
        // `created_at`, the slice is read off that index and the read stops at the first key
        // still in force; unordered, PostgreSQL's plan for any bound scanned the whole table
        // on every intake (2 ms at 6,500 keys, growing with the day: docs/BENCHMARKS.md).
        // PostgreSQL then deletes the slice's rows where they lie (a key is never updated,
        // so its `ctid` holds); SQLite finds them by their primary key.
        let slice = format!(
            "FROM idempotency_keys WHERE created_at < {0} ORDER BY created_at LIMIT {0}",
            Kept::BIND
        );
        let prune = match self {
            AnyConnection::Postgresql(_) => format!(
                "DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY (SELECT ctid {slice}))"
            ),
            AnyConnection::Sqlite(_) => format!(
                "DELETE FROM idempotency_keys WHERE (user_id, key) IN (SELECT user_id, key {slice})"
            ),
        };
        let binds = [
            Bind::Timestamp(before.naive_utc()),
            Bind::BigInt(i64::from(limit)),
        ];
        Kept::new(&prune, binds).execute(self).map_err(db)
    }
}
