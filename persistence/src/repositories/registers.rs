//! Gap-free registers (登记簿): case numbers per region and day, notice numbers per centre,
//! kind and year. A number is drawn in the transaction that uses it, so a rolled-back
//! transaction returns it and no number is ever skipped.

use diesel::QueryResult;
use diesel::connection::Connection;
use domain::repository::{RepositoryError, RepositoryResult};

use crate::AnyConnection;
use crate::convert::count;
use crate::error::db;

/// Draws the next number of one register: `bump` adds one to its row; when there is no row
/// yet, `first` creates it at 1; `read` reads the number the bump left.
pub(super) fn draw(
    conn: &mut AnyConnection,
    bump: impl Fn(&mut AnyConnection) -> QueryResult<usize>,
    first: impl Fn(&mut AnyConnection) -> QueryResult<usize>,
    read: impl FnOnce(&mut AnyConnection) -> QueryResult<i32>,
) -> RepositoryResult<u32> {
    if bump(conn).map_err(db)? == 0 {
        // The register's first number. The insert runs in a savepoint: on PostgreSQL a
        // unique violation would otherwise abort the whole transaction when another process
        // drew the first number at the same moment.
        match conn.transaction(|conn| first(conn)).map_err(db) {
            Ok(_) => return Ok(1),
            Err(RepositoryError::Conflict) => {
                bump(conn).map_err(db)?;
            }
            Err(other) => return Err(other),
        }
    }
    count(read(conn).map_err(db)?)
}
