//! Configuration: environment variables, each overridable by a `--flag`.

use std::ffi::OsStr;
use std::time::Duration;

use chrono::FixedOffset;
use clap::{Args, Command, Parser};

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

    /// The key that seals applicants' ID numbers and phones in the database (32 bytes, as 64
    /// hex digits or base64). Required on PostgreSQL (or `HALL_DATA_KEY_FILE`); on SQLite one
    /// is generated and kept beside the database file when both are missing.
    #[arg(long, env = "HALL_DATA_KEY", hide_env_values = true, global = true)]
    pub data_key: Option<String>,

    /// A file holding the data key, instead of `HALL_DATA_KEY` (e.g. a container secret).
    #[arg(long, env = "HALL_DATA_KEY_FILE", global = true)]
    pub data_key_file: Option<std::path::PathBuf>,

    /// Earlier data keys (comma-separated) that still open values sealed before a rotation;
    /// drop them once `hall data-key rotate` has sealed everything with the current key.
    #[arg(
        long,
        env = "HALL_DATA_KEY_PREVIOUS",
        hide_env_values = true,
        value_delimiter = ',',
        global = true
    )]
    pub data_key_previous: Vec<String>,

    /// Years after a case closed when its applicant is anonymised (name masked, ID number and
    /// phone erased; statistics kept): by `hall retention run` and daily in `serve`. 0 keeps
    /// applicants for ever.
    #[arg(
        long,
        env = "HALL_RETENTION_YEARS",
        default_value_t = 30,
        global = true
    )]
    pub retention_years: u32,

    /// Minutes before its slot starts until which the public may cancel an appointment;
    /// 120 follows a hall's booking notice (docs/research/queue.md), 0 allows it up to the
    /// start, at most a day (1440).
    #[arg(
        long,
        env = "HALL_APPOINTMENT_CANCEL_BEFORE_MINUTES",
        default_value_t = 120,
        value_parser = clap::value_parser!(u32).range(0..=1440),
        global = true
    )]
    pub appointment_cancel_before_minutes: u32,

    /// Requests a minute one client address may make to the public (kiosk) endpoints; as
    /// many may come at once.
    #[arg(long, env = "HALL_PUBLIC_RATE", default_value_t = 30, global = true)]
    pub public_rate: u32,

    /// Of those, the public writes a minute one client address may make: tickets taken and
    /// appointments booked at a kiosk.
    #[arg(
        long,
        env = "HALL_PUBLIC_WRITE_RATE",
        default_value_t = 10,
        global = true
    )]
    pub public_write_rate: u32,

    /// Sign-in attempts a minute per client address (an IPv6 /64 counts as one address);
    /// as many again for password changes.
    #[arg(long, env = "HALL_LOGIN_RATE", default_value_t = 10, global = true)]
    pub login_rate: u32,

    /// Wrong passwords an hour for one username, from all addresses together; once spent,
    /// each address gets one try an hour at that username, so its owner still signs in from
    /// their own. Also the wrong current passwords an hour a user may give changing theirs.
    #[arg(long, env = "HALL_LOGIN_FAILURES", default_value_t = 10, global = true)]
    pub login_failures: u32,

    /// Wrong query codes for one case number, from any address and any process, after which
    /// the number answers 429 even with the right code, until they age out of the window.
    #[arg(
        long,
        env = "HALL_KIOSK_CASE_FAILURES",
        default_value_t = 10,
        global = true
    )]
    pub kiosk_case_failures: u32,

    /// How long a wrong query code counts against its case number, in seconds.
    #[arg(
        long,
        env = "HALL_KIOSK_CASE_WINDOW_SECONDS",
        default_value_t = 3600,
        global = true
    )]
    pub kiosk_case_window_seconds: u64,

    /// Password hashes (Argon2id, 46 MiB each) computed at once, on threads of their own.
    #[arg(
        long,
        env = "HALL_HASH_CONCURRENCY",
        default_value_t = 2,
        global = true
    )]
    pub hash_concurrency: usize,

    /// Password hashes that may wait for a hashing thread; beyond, 503 with `Retry-After`.
    #[arg(long, env = "HALL_HASH_QUEUE", default_value_t = 32, global = true)]
    pub hash_queue: usize,

    /// Proxies (IP addresses or CIDR ranges, comma-separated) whose `X-Forwarded-For` is
    /// believed; from anyone else the header is ignored.
    #[arg(
        long,
        env = "HALL_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<String>,

    /// The hall's public address (scheme, host, optional path, no trailing slash), as kiosks
    /// and phones reach it: the QR code on a receipt leads to the kiosk lookup under it. Kept
    /// in each notice when it is issued, so a changed address does not change a printed one.
    #[arg(
        long,
        env = "HALL_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080",
        value_parser = parse_public_url,
        global = true
    )]
    pub public_url: String,

    /// Origins of browser apps on other sites that may call the API (comma-separated exact
    /// origins such as `https://dashboard.example.gov.cn`); none, the default, answers no
    /// cross-origin request at all.
    #[arg(long, env = "HALL_CORS_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_origins: Vec<String>,

    /// Log lines as `text` (for people) or `json` (for collectors).
    #[arg(long, env = "HALL_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"], global = true)]
    pub log_format: String,

    /// Seconds a request's body may take to arrive, all of it, counted from the end of its
    /// head; after that the request is answered 408 and its connection closed. The head
    /// itself has 5 s.
    #[arg(
        long,
        env = "HALL_BODY_TIMEOUT_SECONDS",
        default_value_t = 30,
        global = true
    )]
    pub body_timeout_seconds: u64,

    /// Seconds an idle connection is kept open for the client's next request; 0 closes every
    /// connection after its answer. actix times only a connection's first request head, so
    /// a client could trickle the head of a kept connection's next request for ever: turn
    /// keep-alive on only behind a proxy that sends whole requests (nginx does).
    #[arg(
        long,
        env = "HALL_KEEP_ALIVE_SECONDS",
        default_value_t = 0,
        global = true
    )]
    pub keep_alive_seconds: u64,

    /// The most client connections the process holds open at once; more wait in the
    /// listen backlog. Keep it below the open-file limit, so the database always finds a
    /// file descriptor.
    #[arg(
        long,
        env = "HALL_MAX_CONNECTIONS",
        default_value_t = 1000,
        global = true
    )]
    pub max_connections: usize,

    /// Display streams (Server-Sent Events to the hall's screens and to clerks' windows) the
    /// process holds open at once; beyond, 503 with `Retry-After`. Each holds a client
    /// connection: keep it below `HALL_MAX_CONNECTIONS`, which the other requests share.
    #[arg(
        long,
        env = "HALL_DISPLAY_STREAMS",
        default_value_t = 800,
        global = true
    )]
    pub display_streams: usize,

    /// Display streams one client address (an IPv6 /64 counts as one) holds open at once;
    /// beyond, 429. A hall whose screens reach `hall` through one NAT address shares it.
    #[arg(
        long,
        env = "HALL_DISPLAY_STREAMS_PER_CLIENT",
        default_value_t = 50,
        global = true
    )]
    pub display_streams_per_client: usize,

    /// Seconds a display stream lasts before the server ends it; the screen's `EventSource`
    /// reconnects (with `Last-Event-ID`, missing nothing). Frees half-open connections and
    /// spreads the screens again over the processes behind a balancer.
    #[arg(
        long,
        env = "HALL_DISPLAY_STREAM_SECONDS",
        default_value_t = 3600,
        global = true
    )]
    pub display_stream_seconds: u64,

    /// Attempts at delivering an outbox message before it is parked dead (an administrator
    /// may replay it).
    #[arg(
        long,
        env = "HALL_OUTBOX_MAX_ATTEMPTS",
        default_value_t = 8,
        global = true
    )]
    pub outbox_max_attempts: u32,

    /// Milliseconds before the second attempt at a failed delivery; doubled after each next
    /// failure (up to six hours), with jitter.
    #[arg(
        long,
        env = "HALL_OUTBOX_RETRY_BASE_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub outbox_retry_base_ms: u64,

    /// Whether this process folds the statistics' pending deltas into their tables (one
    /// process at a time does; `false` leaves it to the others).
    #[arg(
        long,
        env = "HALL_STATS_PROJECTOR",
        default_value_t = true,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub stats_projector: bool,

    /// Worker threads delivering the outbox in this process; 0 delivers nothing here.
    #[arg(long, env = "HALL_OUTBOX_WORKERS", default_value_t = 4, global = true)]
    pub outbox_workers: usize,

    /// Seconds a webhook subscriber has to answer a delivery.
    #[arg(
        long,
        env = "HALL_WEBHOOK_TIMEOUT_SECONDS",
        default_value_t = 10,
        global = true
    )]
    pub webhook_timeout_seconds: u64,

    /// Whether webhook subscribers may be at private, loopback or link-local addresses (for
    /// tests and closed networks).
    #[arg(
        long,
        env = "HALL_WEBHOOK_ALLOW_PRIVATE",
        default_value_t = false,
        global = true
    )]
    pub webhook_allow_private: bool,

    /// The provincial platform's endpoint for case stage and rating reports (docs/EXCHANGE.md);
    /// unset, nothing is reported.
    #[arg(long, env = "HALL_EXCHANGE_URL", global = true)]
    pub exchange_url: Option<String>,

    /// The secret (`whsec_…`) the exchange's reports are signed with, as webhooks are, so the
    /// platform can tell the hall's reports from anyone's; required with the URL.
    #[arg(
        long,
        env = "HALL_EXCHANGE_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub exchange_secret: Option<String>,

    /// The `Authorization` header sent with each report, when the platform asks for one
    /// (e.g. `Bearer …`).
    #[arg(
        long,
        env = "HALL_EXCHANGE_AUTHORIZATION",
        hide_env_values = true,
        global = true
    )]
    pub exchange_authorization: Option<String>,
    /// The SMS gateway that texts applicants (受理, 补正, 延期, 办结, "three ahead of you"):
    /// an http(s) URL each text is POSTed to as JSON. Unset: no text is queued or sent.
    #[arg(long, env = "HALL_SMS_URL", global = true)]
    pub sms_url: Option<String>,

    /// The value of the `Authorization` header sent to the SMS gateway, e.g. `Bearer …`.
    #[arg(
        long,
        env = "HALL_SMS_AUTHORIZATION",
        hide_env_values = true,
        global = true
    )]
    pub sms_authorization: Option<String>,

    /// The JSON body sent to the SMS gateway, a minijinja template of `phone` and `text`
    /// whose values are JSON-escaped with `tojson`; checked at start. Default
    /// `{"phone": {{ phone|tojson }}, "text": {{ text|tojson }}}`.
    #[arg(long, env = "HALL_SMS_BODY_TEMPLATE", global = true)]
    pub sms_body_template: Option<String>,

    /// Worker threads serving HTTP; 0 means one per core.
    #[arg(long, env = "HALL_WORKERS", default_value_t = 0, global = true)]
    pub workers: usize,
}

impl Config {
    /// The limits' settings.
    pub fn limit_settings(&self) -> crate::limits::LimitSettings {
        crate::limits::LimitSettings {
            public_rate: self.public_rate,
            public_write_rate: self.public_write_rate,
            login_rate: self.login_rate,
            login_failures: self.login_failures,
            kiosk_case_failures: self.kiosk_case_failures,
            kiosk_case_window: Duration::from_secs(self.kiosk_case_window_seconds),
            hash_concurrency: self.hash_concurrency,
            hash_queue: self.hash_queue,
        }
    }

    /// The hall's SMS gateway as a subscriber; `None` when no gateway is configured.
    pub fn sms_subscriber(&self) -> Result<Option<domain::outbox::ChannelSubscriber>, String> {
        Ok(self
            .sms_gateway()?
            .map(|gateway| domain::outbox::ChannelSubscriber {
                url: gateway.url,
                events: domain::sms::TEXTED.to_vec(),
                // Texts are not signed; the row keeps a secret as every subscriber does.
                secret: crate::outbox::signature::new_secret(),
            }))
    }

    /// The SMS gateway's adapter; `None` when no gateway is configured, the reason when its
    /// settings are wrong.
    pub fn sms_gateway(&self) -> Result<Option<crate::outbox::sms::Gateway>, String> {
        crate::outbox::sms::Gateway::new(
            self.sms_url.as_deref(),
            self.sms_authorization.as_deref(),
            self.sms_body_template.as_deref(),
        )
    }

    /// The provincial exchange as a subscriber; `None` when no endpoint is configured.
    /// Its secret must be a `whsec_` secret with a base64 key, so that every report can be
    /// signed; its authorization must be a valid header value.
    pub fn exchange_subscriber(&self) -> Result<Option<domain::outbox::ChannelSubscriber>, String> {
        let Some(url) = self.exchange_url.as_deref().map(str::trim) else {
            return Ok(None);
        };
        let shape = domain::outbox::WebhookInput {
            url: url.to_owned(),
            events: domain::exchange::KINDS.to_vec(),
            active: None,
        };
        if let Err(errors) = shape.validate() {
            return Err(format!("HALL_EXCHANGE_URL: {errors}"));
        }
        let secret = self.exchange_secret.as_deref().map(str::trim).unwrap_or("");
        if secret.is_empty() {
            return Err("HALL_EXCHANGE_SECRET is required with HALL_EXCHANGE_URL: reports are signed (whsec_…)".into());
        }
        if crate::outbox::signature::sign(secret, "check", 0, "").is_none() {
            return Err("HALL_EXCHANGE_SECRET must be whsec_ followed by a base64 key".into());
        }
        if let Some(value) = &self.exchange_authorization
            && ureq::http::HeaderValue::from_str(value.trim()).is_err()
        {
            return Err("HALL_EXCHANGE_AUTHORIZATION is not a valid header value".into());
        }
        Ok(Some(domain::outbox::ChannelSubscriber {
            url: url.to_owned(),
            events: domain::exchange::KINDS.to_vec(),
            secret: secret.to_owned(),
        }))
    }

    /// The outbox's settings.
    pub fn outbox_settings(&self) -> crate::outbox::OutboxSettings {
        crate::outbox::OutboxSettings {
            max_attempts: self.outbox_max_attempts.max(1),
            retry_base: chrono::TimeDelta::milliseconds(
                i64::try_from(self.outbox_retry_base_ms.max(1)).unwrap_or(i64::MAX / 2),
            ),
            timeout: Duration::from_secs(self.webhook_timeout_seconds.max(1)),
            allow_private: self.webhook_allow_private,
            workers: self.outbox_workers,
        }
    }

    /// The token lifetime.
    pub fn token_ttl(&self) -> Duration {
        Duration::from_secs(self.token_ttl_seconds.max(60))
    }
}

/// The command line from the process's arguments and environment, where a variable set to
/// the empty string counts as unset for every setting: compose hands `hall` such variables
/// (`HALL_QUERY_CODE_SECRET: ${HALL_QUERY_CODE_SECRET:-}`), and so does an `.env` copied
/// from `.env.example` with lines left blank.
pub fn parse<P: Parser>() -> P {
    let is_empty = |name: &OsStr| std::env::var_os(name).is_some_and(|value| value.is_empty());
    let mut matches = without_empty_env(P::command(), is_empty).get_matches();
    P::from_arg_matches_mut(&mut matches)
        .map_err(|error| error.format(&mut P::command()))
        .unwrap_or_else(|error| error.exit())
}

/// `command` with every argument whose variable `is_empty` reads no longer from it, so that
/// the argument takes its default (or none). The process's environment cannot be cleaned
/// instead: removing a variable is `unsafe` since Rust 2024, and this workspace forbids it.
pub fn without_empty_env(command: Command, is_empty: impl Fn(&OsStr) -> bool) -> Command {
    command.mut_args(|arg| match arg.get_env() {
        Some(name) if is_empty(name) => arg.env(None),
        _ => arg,
    })
}

fn parse_public_url(s: &str) -> Result<String, String> {
    let url = s.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host)
            if !host.is_empty()
                && !url
                    .chars()
                    .any(|c| c.is_whitespace() || c == '?' || c == '#') =>
        {
            Ok(url.to_owned())
        }
        _ => Err(format!(
            "{s:?} is not an http(s) address like https://hall.example.gov.cn"
        )),
    }
}

fn parse_offset(s: &str) -> Result<FixedOffset, String> {
    s.parse::<FixedOffset>()
        .map_err(|_| format!("{s:?} is not a UTC offset like +08:00"))
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, FromArgMatches};

    use super::*;
    use crate::cli::Cli;

    /// Every variable the command line reads.
    fn variables() -> Vec<String> {
        Cli::command()
            .get_arguments()
            .filter_map(|arg| arg.get_env())
            .map(|name| name.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn every_setting_left_empty_takes_its_default() {
        let command = without_empty_env(Cli::command(), |_| true);
        assert!(
            command.get_arguments().all(|arg| arg.get_env().is_none()),
            "no setting reads an empty variable"
        );
        let matches = command
            .try_get_matches_from(["hall"])
            .expect("empty variables are no values to refuse");
        let config = Cli::from_arg_matches(&matches).expect("defaults").config;
        assert_eq!(config.database_url, "sqlite://hall.db");
        assert_eq!(config.bind, "127.0.0.1:8080");
        assert_eq!(config.query_code_secret, None);
        assert_eq!(config.read_database_url, None);
        assert_eq!(config.jwt_secret, None);
        assert_eq!(config.token_ttl_seconds, 8 * 3600);
        assert_eq!(config.db_pool_size, 10);
        assert!(config.trusted_proxies.is_empty());
        assert!(config.cors_origins.is_empty());
        assert_eq!(config.log_format, "text");
    }

    #[test]
    fn a_variable_with_a_value_is_still_read() {
        let command = without_empty_env(Cli::command(), |name| name == "HALL_QUERY_CODE_SECRET");
        let env = |id: &str| {
            command
                .get_arguments()
                .find(|arg| arg.get_id() == id)
                .and_then(|arg| arg.get_env())
                .map(|name| name.to_string_lossy().into_owned())
        };
        assert_eq!(env("query_code_secret"), None);
        assert_eq!(env("database_url").as_deref(), Some("HALL_DATABASE_URL"));
    }

    #[test]
    fn every_setting_is_listed_in_env_example() {
        let example = include_str!("../../.env.example");
        for name in variables() {
            assert!(
                example
                    .lines()
                    .any(|line| line.starts_with(&format!("{name}="))),
                "{name} is missing from .env.example"
            );
        }
    }

    fn exchange(args: &[&str]) -> Result<Option<domain::outbox::ChannelSubscriber>, String> {
        Cli::parse_from([&["hall"], args].concat())
            .config
            .exchange_subscriber()
    }

    #[test]
    fn the_exchange_needs_an_http_url_and_a_whsec_secret_or_stops_the_start() {
        assert_eq!(exchange(&[]), Ok(None));
        let url = "https://exchange.example.gov.cn/reports";
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let configured = exchange(&["--exchange-url", url, "--exchange-secret", secret])
            .expect("valid")
            .expect("configured");
        assert_eq!(configured.url, url);
        assert_eq!(configured.events, domain::exchange::KINDS.to_vec());
        for (args, said) in [
            (
                vec!["--exchange-url", url],
                "HALL_EXCHANGE_SECRET is required",
            ),
            (
                vec!["--exchange-url", url, "--exchange-secret", "s3cret"],
                "whsec_",
            ),
            (
                vec!["--exchange-url", "ftp://x", "--exchange-secret", secret],
                "HALL_EXCHANGE_URL",
            ),
            (
                vec![
                    "--exchange-url",
                    url,
                    "--exchange-secret",
                    secret,
                    "--exchange-authorization",
                    "Bearer a\nb",
                ],
                "HALL_EXCHANGE_AUTHORIZATION",
            ),
        ] {
            let refused = exchange(&args).expect_err("refused");
            assert!(refused.contains(said), "{refused}");
        }
    }
}
