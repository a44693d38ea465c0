//! A fresh database per test: a temporary SQLite file, or a PostgreSQL database with a
//! unique name on the machine's server, dropped afterwards.

use diesel::connection::SimpleConnection;
use persistence::DatabaseUrl;

/// Which database engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The server the PostgreSQL tests use; they fail, never skip, when it is down.
pub fn postgres_admin_url() -> String {
    std::env::var("HALL_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDb {
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    /// Removed with the folder when dropped.
    Files {
        _folder: tempdir::TempDir,
    },
    Database {
        admin_url: String,
        name: String,
    },
}

impl TestDb {
    pub fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempdir::TempDir::new();
                let url = format!("sqlite://{}/hall.db", dir.path.display());
                Self {
                    url,
                    cleanup: Cleanup::Files { _folder: dir },
                }
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let name = format!("hall_test_{}", uuid::Uuid::now_v7().simple());
                connect(&admin_url).batch_execute(&format!("CREATE DATABASE {name}")).unwrap_or_else(|e| {
                    panic!("cannot create a test database on {admin_url} (is PostgreSQL running?): {e}")
                });
                let base = admin_url.split('?').next().unwrap_or_default();
                let url = format!(
                    "{}/{name}",
                    &base[..base.rfind('/').expect("database URL has a path")]
                );
                Self {
                    url,
                    cleanup: Cleanup::Database { admin_url, name },
                }
            }
        }
    }
}

impl TestDb {
    /// A connection of its own to the database, for reading behind the app's back.
    pub fn connect(&self) -> persistence::AnyConnection {
        connect(&self.url)
    }

    /// A store over the database with its schema up to date: for the repository stories.
    pub fn store(&self) -> persistence::Store {
        let store = persistence::Store::open(
            DatabaseUrl::parse(&self.url).expect("valid database URL"),
            &persistence::StoreOptions::default(),
        );
        store.migrate().expect("migrate");
        store
    }
}

/// A connection of its own to the database at `url`, for reading behind the app's back.
pub fn connect(url: &str) -> persistence::AnyConnection {
    DatabaseUrl::parse(url)
        .expect("valid database URL")
        .establish()
        .unwrap_or_else(|e| {
            panic!("cannot connect to {url} (PostgreSQL is required for these tests): {e}")
        })
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Database { admin_url, name } = &self.cleanup {
            let _ = connect(admin_url)
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

mod tempdir {
    use std::path::PathBuf;

    /// A folder under the system's temp folder, removed on drop.
    #[derive(Debug)]
    pub struct TempDir {
        pub path: PathBuf,
    }

    impl TempDir {
        pub fn new() -> Self {
            let path =
                std::env::temp_dir().join(format!("hall-test-{}", uuid::Uuid::now_v7().simple()));
            std::fs::create_dir_all(&path).expect("create temp folder");
            Self { path }
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
