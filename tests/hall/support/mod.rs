//! What every story needs: a database per test, the running app, and a way to run the
//! same story on both backends.

mod app;
mod cluster;
mod db;
mod http_hall;
pub mod logs;
mod nginx;
mod process;

pub use app::{ADMIN_PASSWORD, Answer, Client, DATA_KEY, TestApp};
pub use cluster::PrivateCluster;
pub use db::{Backend, TestDb, connect};
pub use http_hall::{HttpHall, ID_NUMBER, PHONE, applicant, hall_over_http};
pub use nginx::Nginx;
pub use process::{HallProcess, hall_binary};

/// A number from the environment, or the default when unset or unreadable: the knobs of the
/// load test and the benchmarks.
pub fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

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
