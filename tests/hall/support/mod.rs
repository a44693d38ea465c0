//! What every story needs: a database per test, the running app, and a way to run the
//! same story on both backends.

mod app;
mod db;
pub mod logs;

pub use app::{ADMIN_PASSWORD, Answer, TestApp};
pub use db::{Backend, TestDb};

/// Runs each listed story, a `fn(Backend)`, once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($story:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $story() { super::$story($crate::support::Backend::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $story() { super::$story($crate::support::Backend::Postgres) })*
        }
    };
}
