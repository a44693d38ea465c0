//! The pool and the unit of work: every state change runs in one transaction.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{Pool, PooledConnection};
use domain::repository::RepositoryError;

use crate::connection::{AnyConnection, Backend, DatabaseUrl, Manager};
use crate::error::from_diesel;
use crate::local_time;
use crate::migrations::{self, MigrationError};
use crate::personal::{self, DataKeys};
use crate::repositories::cases;

/// How the pool behaves.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// The most connections kept open.
    pub max_connections: u32,
    /// How long a request waits for a connection before the database counts as unavailable.
    pub connection_timeout: Duration,
    /// How long a SQLite writer waits for another's write lock before the request answers
    /// 503 (`RepositoryError::Busy`).
    pub sqlite_busy_timeout: Duration,
    /// The hall's offset from UTC, for what storage writes in local time: the provincial
    /// exchange's reports, made in the event's transaction.
    pub utc_offset: FixedOffset,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: 10,
            connection_timeout: Duration::from_secs(5),
            sqlite_busy_timeout: Duration::from_secs(10),
            utc_offset: chrono::Offset::fix(&chrono::Utc),
        }
    }
}

/// The database behind the hall: a connection pool, its backend, and the keys of the
/// personal data it holds.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool<Manager>,
    url: DatabaseUrl,
    data_keys: Option<Arc<DataKeys>>,
    utc_offset: FixedOffset,
}

impl Store {
    /// A pool for the database the URL names; no connection is opened yet, so a database
    /// that is down at start shows as unavailable rather than stopping the process.
    pub fn open(url: DatabaseUrl, options: &StoreOptions) -> Self {
        let pool = Pool::builder()
            .max_size(options.max_connections.max(1))
            .min_idle(Some(0))
            .connection_timeout(options.connection_timeout)
            .test_on_check_out(false)
            .build_unchecked(Manager {
                url: url.clone(),
                sqlite_busy_timeout: options.sqlite_busy_timeout,
            });
        Self {
            pool,
            url,
            data_keys: None,
            utc_offset: options.utc_offset,
        }
    }

    /// The store with the keys that seal and open applicants' personal data. Without them,
    /// writing or reading a case's ID number or phone fails rather than store plaintext.
    pub fn with_data_keys(mut self, keys: DataKeys) -> Self {
        self.data_keys = Some(Arc::new(keys));
        self
    }

    /// The keys of personal data, when given.
    pub fn data_keys(&self) -> Option<&DataKeys> {
        self.data_keys.as_deref()
    }

    /// The keys of personal data, shared, for work that outlives the borrow of the store.
    pub fn data_keys_shared(&self) -> Option<Arc<DataKeys>> {
        self.data_keys.clone()
    }

    /// Runs `batch_work` in one transaction after another until it reports 0 rows done;
    /// returns the total. Short transactions keep every batch's locks brief.
    fn in_batches(
        &self,
        mut batch_work: impl FnMut(&mut AnyConnection) -> Result<usize, RepositoryError>,
    ) -> Result<usize, RepositoryError> {
        let mut total = 0;
        loop {
            let done = self.transaction(&mut batch_work)?;
            if done == 0 {
                return Ok(total);
            }
            total += done;
        }
    }

    /// Seals the ID numbers and phones still in plaintext (rows written before the upgrade
    /// that introduced sealing), `batch` rows a transaction; returns how many rows.
    pub fn seal_plaintext(&self, batch: u32) -> Result<usize, RepositoryError> {
        self.in_batches(|conn| cases::seal_plaintext_batch(conn, batch.max(1).into()))
    }

    /// Seals again with the current key every value sealed with an older one, `batch` rows a
    /// transaction; returns how many rows. Afterwards the older keys may be forgotten.
    pub fn rotate_data_key(&self, batch: u32) -> Result<usize, RepositoryError> {
        self.in_batches(|conn| cases::rotate_batch(conn, batch.max(1).into()))
    }

    /// Anonymises the applicants of cases closed before `before`, `batch` rows a
    /// transaction, stamping them with `now`; returns how many.
    pub fn anonymise_closed_before(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
        batch: u32,
    ) -> Result<usize, RepositoryError> {
        self.in_batches(|conn| cases::anonymise_batch(conn, before, now, batch.max(1).into()))
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.url.backend()
    }

    /// Connections open in the pool, and how many of them are idle.
    pub fn pool_use(&self) -> (u32, u32) {
        let state = self.pool.state();
        (state.connections, state.idle_connections)
    }

    /// The most connections the pool keeps.
    pub fn pool_size(&self) -> u32 {
        self.pool.max_size()
    }

    /// The database URL, password hidden when displayed.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    fn connection(&self) -> Result<PooledConnection<Manager>, RepositoryError> {
        self.pool
            .get()
            .map_err(|e| RepositoryError::Unavailable(e.to_string()))
    }

    /// Brings the schema up to date; returns the versions applied.
    pub fn migrate(&self) -> Result<Vec<String>, MigrationError> {
        let mut conn = self
            .pool
            .get()
            .map_err(|e| MigrationError::from(e.to_string()))?;
        migrations::run(&mut conn)
    }

    /// Checks that the database answers.
    pub fn ping(&self) -> Result<(), RepositoryError> {
        self.connection()?
            .batch_execute("SELECT 1")
            .map_err(from_diesel)
    }

    /// Runs `work` on one connection without a transaction: for reads.
    pub fn read<T, E>(&self, work: impl FnOnce(&mut AnyConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<RepositoryError>,
    {
        let mut conn = self.connection()?;
        personal::in_scope(self.data_keys.as_ref(), || {
            local_time::in_scope(self.utc_offset, || work(&mut conn))
        })
    }

    /// Runs `work` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    /// On SQLite the transaction takes the write lock at once (`BEGIN IMMEDIATE`), so two
    /// writers queue on the busy timeout instead of failing when they upgrade.
    pub fn transaction<T, E>(
        &self,
        work: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<RepositoryError>,
    {
        let mut conn = self.connection()?;
        let conn: &mut AnyConnection = &mut conn;
        let begun = match conn {
            AnyConnection::Sqlite(sqlite) => {
                AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")
            }
            AnyConnection::Postgresql(_) => {
                <AnyConnection as Connection>::TransactionManager::begin_transaction(conn)
            }
        };
        begun.map_err(from_diesel)?;
        match personal::in_scope(self.data_keys.as_ref(), || {
            local_time::in_scope(self.utc_offset, || work(conn))
        }) {
            Ok(value) => {
                <AnyConnection as Connection>::TransactionManager::commit_transaction(conn)
                    .map_err(from_diesel)?;
                Ok(value)
            }
            Err(error) => {
                // The work's error says more than a failed rollback; the pool discards a
                // connection whose transaction state is broken.
                let _ =
                    <AnyConnection as Connection>::TransactionManager::rollback_transaction(conn);
                Err(error)
            }
        }
    }
}

impl From<String> for MigrationError {
    fn from(message: String) -> Self {
        MigrationError::new(message)
    }
}
