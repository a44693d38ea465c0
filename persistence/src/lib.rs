//! Storage for the service hall: diesel on SQLite or PostgreSQL, chosen by the database URL,
//! implementing the repository traits of `domain`.

pub mod bulk;
pub mod bulk_queue;
mod connection;
mod convert;
mod error;
pub mod import;
pub mod listen;
mod local_time;
mod migrations;
pub mod personal;
mod replica;
mod repositories;
pub mod schema;
mod store;

pub use connection::{AnyConnection, Backend, DatabaseUrl, UrlError};
pub use migrations::MigrationError;
pub use replica::ReadRouter;
pub use store::{Store, StoreOptions};
