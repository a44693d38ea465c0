//! One connection type over both backends, and the pool's way of opening it: the backend
//! is chosen from the URL scheme so a mistake gets a readable error.

use std::fmt;

use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::ManageConnection;

/// A connection to whichever database the URL named.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    /// A PostgreSQL server.
    Postgresql(PgConnection),
    /// An embedded SQLite file.
    Sqlite(SqliteConnection),
}

impl AnyConnection {
    /// Loads `query` on the backend's own connection. Through the enum, diesel writes the
    /// whole statement out as SQL text on each of its passes over it (the binds, the cache's
    /// key), even when the statement is prepared already; on the backend's connection a
    /// statement of a static type is walked for its binds alone. For the hot reads, where
    /// that text was a fifth of the process's CPU (the kiosk's lookup: docs/BENCHMARKS.md).
    pub(crate) fn load_native<'q, Q, U>(&mut self, query: Q) -> QueryResult<Vec<U>>
    where
        Q: RunQueryDsl<PgConnection>
            + RunQueryDsl<SqliteConnection>
            + diesel::query_dsl::LoadQuery<'q, PgConnection, U>
            + diesel::query_dsl::LoadQuery<'q, SqliteConnection, U>,
    {
        match self {
            Self::Postgresql(conn) => RunQueryDsl::<PgConnection>::load(query, conn),
            Self::Sqlite(conn) => RunQueryDsl::<SqliteConnection>::load(query, conn),
        }
    }

    /// Executes `query` on the backend's own connection, as [`Self::load_native`] loads: for
    /// the wide inserts of intake, whose text was written out again on every pass.
    pub(crate) fn execute_native<Q>(&mut self, query: Q) -> QueryResult<usize>
    where
        Q: RunQueryDsl<PgConnection>
            + RunQueryDsl<SqliteConnection>
            + diesel::query_dsl::methods::ExecuteDsl<PgConnection>
            + diesel::query_dsl::methods::ExecuteDsl<SqliteConnection>,
    {
        match self {
            Self::Postgresql(conn) => RunQueryDsl::<PgConnection>::execute(query, conn),
            Self::Sqlite(conn) => RunQueryDsl::<SqliteConnection>::execute(query, conn),
        }
    }
}

impl fmt::Debug for AnyConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Postgresql(_) => "AnyConnection::Postgresql",
            Self::Sqlite(_) => "AnyConnection::Sqlite",
        })
    }
}

/// Which database engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL.
    Postgres,
    /// SQLite.
    Sqlite,
}

/// A parsed database URL.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `postgres://…` or `postgresql://…`, passed to libpq as it is.
    Postgres(String),
    /// `sqlite://PATH`: the file's path (relative to the working folder unless absolute).
    Sqlite(String),
}

/// The URL names no database this program can open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Neither `sqlite://` nor `postgres://`.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DATABASE")]
    UnsupportedScheme(String),
    /// `sqlite://` with nothing after it.
    #[error("the SQLite URL names no file: use sqlite://PATH")]
    MissingPath,
}

impl DatabaseUrl {
    /// Parses `sqlite://PATH`, `sqlite:PATH`, `postgres://…` or `postgresql://…`.
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(UrlError::MissingPath);
            }
            return Ok(Self::Sqlite(path.to_owned()));
        }
        Err(UrlError::UnsupportedScheme(redact(url)))
    }

    /// The engine this URL names.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Postgres(_) => Backend::Postgres,
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Opens one connection and prepares it: UTC session time on PostgreSQL; foreign keys,
    /// WAL and a busy timeout on SQLite.
    pub fn establish(&self) -> Result<AnyConnection, ConnectError> {
        match self {
            Self::Postgres(url) => {
                let mut conn = PgConnection::establish(url)
                    .map_err(|e| ConnectError::new(self, e.to_string()))?;
                conn.batch_execute("SET TIME ZONE 'UTC'")
                    .map_err(|e| ConnectError::new(self, e.to_string()))?;
                Ok(AnyConnection::Postgresql(conn))
            }
            Self::Sqlite(path) => {
                keep_private(path).map_err(|e| ConnectError::new(self, e.to_string()))?;
                let mut conn = SqliteConnection::establish(path)
                    .map_err(|e| ConnectError::new(self, e.to_string()))?;
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                )
                .map_err(|e| ConnectError::new(self, e.to_string()))?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }
}

/// Makes the SQLite file readable by its owner only (0600) — it holds personal data — before
/// SQLite opens it: a missing file is created so, and SQLite gives its `-wal` and `-shm`
/// files the database file's mode. Files left group- or world-readable by an older version
/// are tightened.
#[cfg(unix)]
fn keep_private(path: &str) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if path == ":memory:" || path.starts_with("file:") {
        return Ok(());
    }
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)?;
    for file in [
        path.to_owned(),
        format!("{path}-wal"),
        format!("{path}-shm"),
        format!("{path}-journal"),
    ] {
        if let Ok(meta) = std::fs::metadata(&file)
            && meta.permissions().mode() & 0o077 != 0
        {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn keep_private(_path: &str) -> std::io::Result<()> {
    Ok(())
}

/// The URL with any password hidden, for messages and logs.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Postgres(url) => f.write_str(&redact(url)),
            Self::Sqlite(path) => write!(f, "sqlite://{path}"),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// Hides the password in `scheme://user:password@host/…`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

/// A connection could not be opened.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot open the database {url}: {reason}")]
pub struct ConnectError {
    url: String,
    reason: String,
}

impl ConnectError {
    fn new(url: &DatabaseUrl, reason: String) -> Self {
        Self {
            url: url.to_string(),
            reason: reason.trim().to_owned(),
        }
    }
}

/// Opens pooled connections for r2d2.
#[derive(Debug)]
pub(crate) struct Manager {
    pub(crate) url: DatabaseUrl,
    /// How long a SQLite writer waits for the write lock before SQLITE_BUSY.
    pub(crate) sqlite_busy_timeout: std::time::Duration,
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<AnyConnection, ConnectError> {
        let mut conn = self.url.establish()?;
        if let AnyConnection::Sqlite(sqlite) = &mut conn {
            let millis = self.sqlite_busy_timeout.as_millis().min(i32::MAX as u128);
            sqlite
                .batch_execute(&format!("PRAGMA busy_timeout = {millis}"))
                .map_err(|e| ConnectError::new(&self.url, e.to_string()))?;
        }
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), ConnectError> {
        conn.batch_execute("SELECT 1")
            .map_err(|e| ConnectError::new(&self.url, e.to_string()))
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        <AnyConnection as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_picks_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://hall.db"),
            Ok(DatabaseUrl::Sqlite("hall.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/hall/hall.db"),
            Ok(DatabaseUrl::Sqlite("/var/lib/hall/hall.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/d").map(|u| u.backend()),
            Ok(Backend::Postgres)
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://u@h/d").map(|u| u.backend()),
            Ok(Backend::Postgres)
        );
        assert_eq!(DatabaseUrl::parse("sqlite://"), Err(UrlError::MissingPath));
    }

    #[test]
    fn a_bad_url_is_named_without_its_password() {
        let error = DatabaseUrl::parse("mysql://root:secret@db/hall").expect_err("unsupported");
        let message = error.to_string();
        assert!(message.contains("mysql://root:***@db/hall"), "{message}");
        assert!(!message.contains("secret"));
        let url = DatabaseUrl::parse("postgres://hall:secret@db/hall").expect("valid");
        assert_eq!(url.to_string(), "postgres://hall:***@db/hall");
    }

    #[test]
    fn an_unreachable_server_gets_a_readable_error() {
        let url = DatabaseUrl::parse("postgres://postgres@127.0.0.1:1/none?connect_timeout=2")
            .expect("valid");
        let message = url
            .establish()
            .expect_err("nothing listens on port 1")
            .to_string();
        assert!(
            message.starts_with("cannot open the database postgres://postgres@127.0.0.1:1/none"),
            "{message}"
        );
        assert!(message.to_lowercase().contains("connect"), "{message}");
    }
}
