//! Embedded migrations, one folder per backend with the same version names.

use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::AnyConnection;

const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// A migration failed; the schema is as the last successful one left it.
#[derive(Debug, thiserror::Error)]
#[error("database migration failed: {0}")]
pub struct MigrationError(String);

impl MigrationError {
    pub(crate) fn new(message: String) -> Self {
        Self(message)
    }
}

/// Brings the schema up to date and returns the versions applied.
pub(crate) fn run(conn: &mut AnyConnection) -> Result<Vec<String>, MigrationError> {
    let applied = match conn {
        AnyConnection::Postgresql(pg) => {
            // Several `hall` processes may start at once against one database.
            pg.batch_execute("SELECT pg_advisory_lock(7271300)")
                .map_err(|e| MigrationError(e.to_string()))?;
            let result = pg
                .run_pending_migrations(POSTGRES)
                .map(|versions| versions.iter().map(ToString::to_string).collect())
                .map_err(|e| MigrationError(e.to_string()));
            pg.batch_execute("SELECT pg_advisory_unlock(7271300)")
                .map_err(|e| MigrationError(e.to_string()))?;
            result?
        }
        AnyConnection::Sqlite(sqlite) => sqlite
            .run_pending_migrations(SQLITE)
            .map(|versions| versions.iter().map(ToString::to_string).collect())
            .map_err(|e| MigrationError(e.to_string()))?,
    };
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    fn versions(backend: &str) -> BTreeSet<String> {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        std::fs::read_dir(&folder)
            .expect("migrations folder")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    }

    #[test]
    fn both_backends_have_the_same_migration_versions() {
        let postgres = versions("postgres");
        assert!(!postgres.is_empty());
        assert_eq!(postgres, versions("sqlite"));
    }
}
