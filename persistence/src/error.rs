//! Turns diesel's errors into the domain's storage errors, in one place.

use diesel::result::{DatabaseErrorKind, Error};
use domain::repository::RepositoryError;

/// The domain's view of a diesel error.
pub(crate) fn from_diesel(error: Error) -> RepositoryError {
    match error {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => RepositoryError::Conflict,
        Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
            RepositoryError::MissingReference
        }
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
            RepositoryError::Unavailable(info.message().to_owned())
        }
        // SQLSTATE 22021, which diesel does not name: a NUL character in a text.
        Error::DatabaseError(_, info) if info.message().contains("invalid byte sequence") => {
            RepositoryError::Unstorable(info.message().to_owned())
        }
        Error::DatabaseError(_, info) if is_connection_lost(info.message()) => {
            RepositoryError::Unavailable(info.message().to_owned())
        }
        Error::DatabaseError(_, info) if is_busy(info.message()) => {
            RepositoryError::Busy(info.message().to_owned())
        }
        Error::BrokenTransactionManager => {
            RepositoryError::Unavailable("the connection's transaction state is broken".into())
        }
        other => RepositoryError::Internal(other.to_string()),
    }
}

/// libpq reports a server that went away as an unknown error with one of these messages.
fn is_connection_lost(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    [
        "server closed the connection",
        "connection to server",
        "no connection to the server",
        "terminating connection",
        "could not receive data",
        "could not send data",
    ]
    .iter()
    .any(|needle| message.contains(needle))
}

/// Write contention that a retry settles, reported as an unknown error with one of these
/// messages (diesel names no kind for them): SQLite's write lock held past the busy timeout
/// (SQLITE_BUSY, SQLITE_LOCKED), PostgreSQL's deadlock victim (40P01) and a lock wait past
/// `lock_timeout` (55P03).
fn is_busy(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    [
        "database is locked",
        "database table is locked",
        "database is busy",
        "deadlock detected",
        "canceling statement due to lock timeout",
    ]
    .iter()
    .any(|needle| message.contains(needle))
}

/// Shorthand used by every query: `.map_err(db)`.
pub(crate) fn db(error: Error) -> RepositoryError {
    from_diesel(error)
}
