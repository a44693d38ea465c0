//! Configuration: environment variables, each overridable by a `--flag`.

use std::time::Duration;

use chrono::FixedOffset;
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

    /// A read-only replica of the database for kiosk and statistics reads; the primary when
    /// unset. Replicas lag a little: a kiosk may see a new case a moment later.
    #[arg(long, env = "HALL_READ_DATABASE_URL", global = true)]
    pub read_database_url: Option<String>,

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

    /// On SQLite, how long a write waits for another's write lock before the request answers
    /// 503 with `Retry-After`, in milliseconds.
    #[arg(
        long,
        env = "HALL_SQLITE_BUSY_TIMEOUT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub sqlite_busy_timeout_ms: u64,

    /// How long an intake's `Idempotency-Key` holds, in seconds; a key used again later is
    /// a new intake.
    #[arg(
        long,
        env = "HALL_IDEMPOTENCY_TTL_SECONDS",
        default_value_t = 24 * 3600,
        global = true
    )]
    pub idempotency_ttl_seconds: u64,

    /// The hall's offset from UTC, which decides local dates (China: +08:00, no daylight saving).
    #[arg(long, env = "HALL_UTC_OFFSET", default_value = "+08:00", value_parser = parse_offset, global = true)]
    pub utc_offset: FixedOffset,

    /// Working days left at which an open case gets a yellow warning.
    #[arg(long, env = "HALL_YELLOW_DAYS", default_value_t = 2, global = true)]
    pub yellow_days: u32,

    /// The key of the query codes' hashes (at least 32 bytes). Defaults to one derived from
    /// the token secret; set it to rotate the token secret without invalidating receipts.
    #[arg(
        long,
        env = "HALL_QUERY_CODE_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub query_code_secret: Option<String>,

    /// Requests a minute one client address may make to the public (kiosk) endpoints; as
    /// many may come at once.
    #[arg(long, env = "HALL_PUBLIC_RATE", default_value_t = 30, global = true)]
    pub public_rate: u32,

    /// Sign-in attempts a minute, per client address and per username.
    #[arg(long, env = "HALL_LOGIN_RATE", default_value_t = 10, global = true)]
    pub login_rate: u32,

    /// Proxies (IP addresses or CIDR ranges, comma-separated) whose `X-Forwarded-For` is
    /// believed; from anyone else the header is ignored.
    #[arg(
        long,
        env = "HALL_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<String>,

    /// Log lines as `text` (for people) or `json` (for collectors).
    #[arg(long, env = "HALL_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"], global = true)]
    pub log_format: String,

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

fn parse_offset(s: &str) -> Result<FixedOffset, String> {
    s.parse::<FixedOffset>()
        .map_err(|_| format!("{s:?} is not a UTC offset like +08:00"))
}
