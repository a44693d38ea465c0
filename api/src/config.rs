//! Configuration: environment variables, each overridable by a `--flag`.

use std::time::Duration;

use clap::Args;

/// How the hall runs.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Where the data lives: `sqlite://PATH` (embedded) or `postgres://USER@HOST/DB`.
    #[arg(
        long,
        env = "HALL_DATABASE_URL",
        default_value = "sqlite://hall.db",
        global = true
    )]
    pub database_url: String,

    /// The address and port to listen on.
    #[arg(
        long,
        env = "HALL_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,

    /// The secret that signs access tokens (at least 32 bytes). Required on PostgreSQL; on
    /// SQLite one is generated and kept beside the database file when it is missing.
    #[arg(long, env = "HALL_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,

    /// The password of the `admin` account created on first start with an empty database;
    /// without it a random one is printed once.
    #[arg(
        long,
        env = "HALL_ADMIN_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub admin_password: Option<String>,

    /// How long an access token is valid, in seconds.
    #[arg(long, env = "HALL_TOKEN_TTL_SECONDS", default_value_t = 8 * 3600, global = true)]
    pub token_ttl_seconds: u64,

    /// The most database connections kept open.
    #[arg(long, env = "HALL_DB_POOL_SIZE", default_value_t = 10, global = true)]
    pub db_pool_size: u32,

    /// How long a request waits for a database connection before answering 503, in seconds.
    #[arg(
        long,
        env = "HALL_DB_TIMEOUT_SECONDS",
        default_value_t = 5,
        global = true
    )]
    pub db_timeout_seconds: u64,

    /// Worker threads serving HTTP; 0 means one per core.
    #[arg(long, env = "HALL_WORKERS", default_value_t = 0, global = true)]
    pub workers: usize,
}

impl Config {
    /// The token lifetime.
    pub fn token_ttl(&self) -> Duration {
        Duration::from_secs(self.token_ttl_seconds.max(60))
    }
}
