//! Gap-free registers (登记簿): case numbers per region and day, notice numbers per centre,
//! kind and year. A number is drawn in the transaction that uses it, so a rolled-back
//! transaction returns it and no number is ever skipped.

use diesel::QueryResult;
use diesel::connection::Connection;
use domain::repository::{RepositoryError, RepositoryResult};

use crate::AnyConnection;
use crate::convert::count;
use crate::error::db;

/// Draws the next number of one register: `bump` adds one to its row and returns the
/// number it left, `None` when there is no row yet; then `first` creates it at 1.
pub(super) fn draw(
    conn: &mut AnyConnection,
    bump: impl Fn(&mut AnyConnection) -> QueryResult<Option<i32>>,
    first: impl Fn(&mut AnyConnection) -> QueryResult<usize>,
) -> RepositoryResult<u32> {
    if let Some(number) = bump(conn).map_err(db)? {
        return count(number);
    }
    // The register's first number. The insert runs in a savepoint: on PostgreSQL a unique
    // violation would otherwise abort the whole transaction when another process drew the
    // first number at the same moment.
    match conn.transaction(|conn| first(conn)).map_err(db) {
        Ok(_) => Ok(1),
        Err(RepositoryError::Conflict) => match bump(conn).map_err(db)? {
            Some(number) => count(number),
            None => Err(RepositoryError::Internal(
                "a register's row vanished while it was drawn".into(),
            )),
        },
        Err(other) => Err(other),
    }
}
