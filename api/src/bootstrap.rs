//! Getting a database ready to serve: open it, migrate it, ship the calendar into it, make
//! sure someone can sign in, and find the token secret.

use std::path::PathBuf;

use chrono::{FixedOffset, Utc};
use domain::calendar;
use domain::case::recompute;
use domain::case::workflow::{Moment, WorkflowError};
use domain::clock::stored_moment;
use domain::ids::UserId;
use domain::outbox::{Channel, ChannelSubscriber, OutboxRepository};
use domain::repository::{CalendarRepository, RepositoryError, UserRepository};
use domain::user::{Role, UserInput, validate_password};
use persistence::personal::{DataKeys, generate_key, parse_key};
use persistence::{Backend, DatabaseUrl, ReadRouter, Store, StoreOptions};

use crate::auth::{TokenKeys, password};
use crate::config::Config;
use crate::display::{Hub, StreamGate};
use crate::limits::{AddressRange, Limits};
use crate::metrics::Metrics;
use crate::problem::ApiError;
use crate::query_code::QueryCodeKey;
use crate::state::{AppState, Settings};

/// Why the hall cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database URL is not usable.
    #[error(transparent)]
    Url(#[from] persistence::UrlError),
    /// Migrations failed, often because the database cannot be reached.
    #[error(transparent)]
    Migration(#[from] persistence::MigrationError),
    /// The database refused the set-up.
    #[error("database set-up failed: {0}")]
    Setup(String),
    /// No usable token secret.
    #[error("{0}")]
    Secret(String),
}

impl From<ApiError> for StartError {
    fn from(error: ApiError) -> Self {
        Self::Setup(error.to_string())
    }
}

impl From<RepositoryError> for StartError {
    fn from(error: RepositoryError) -> Self {
        Self::Setup(error.to_string())
    }
}

/// How long a read waits for a connection of the read replica before it counts as down and
/// the read goes to the primary: short, because the primary can answer at once.
const REPLICA_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

/// How often a replica that is down is asked again while reads go to the primary.
const REPLICA_RETRY: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens the pool for the configured database; no connection is made yet.
pub fn open_store(config: &Config) -> Result<Store, StartError> {
    let url = DatabaseUrl::parse(&config.database_url)?;
    let options = StoreOptions {
        max_connections: config.db_pool_size,
        connection_timeout: std::time::Duration::from_secs(config.db_timeout_seconds.max(1)),
        sqlite_busy_timeout: std::time::Duration::from_millis(config.sqlite_busy_timeout_ms),
        utc_offset: config.utc_offset,
    };
    Ok(Store::open(url, &options))
}

/// Migrates the schema.
pub fn migrate(store: &Store) -> Result<Vec<String>, StartError> {
    Ok(store.migrate()?)
}

/// Loads the shipped calendar years the database lacks, national and regional, the way an
/// administrator would: open cases whose deadlines they move are recomputed, each with an
/// event — so that an upgrade shipping next year's notice firms up provisional deadlines.
/// Needs the store with its data keys (recomputing reads cases). Returns how many moved.
pub fn load_shipped_calendars(store: &Store, offset: FixedOffset) -> Result<usize, StartError> {
    let moved = store.transaction(|conn| {
        let now = Moment::new(stored_moment(Utc::now()), offset);
        // Taking the revision row first makes processes starting together load one after the
        // other: the second then finds the years stored and loads nothing.
        conn.bump_calendar_revision()?;
        let mut loaded = Vec::new();
        for year in calendar::china() {
            if conn.calendar_year(year.year)?.is_none() {
                conn.put_calendar_year(&year, now.at)?;
                loaded.push(year.year.to_string());
            }
        }
        for year in calendar::shipped_regions() {
            if conn
                .regional_calendar_year(&year.region, year.calendar.year)?
                .is_none()
            {
                conn.put_regional_calendar_year(&year, now.at)?;
                loaded.push(format!("{} {}", year.region, year.calendar.year));
            }
        }
        if loaded.is_empty() {
            return Ok::<_, WorkflowError>(0);
        }
        // One pass over the open cases for all the years loaded, not one per year.
        let why = format!("shipped calendar years loaded: {}", loaded.join(", "));
        let calendars = recompute::load_calendars(conn)?;
        recompute::recompute_open_cases(conn, &calendars, None, &why, None, now)
    });
    let moved =
        moved.map_err(|e| StartError::Setup(format!("loading the shipped calendars: {e}")))?;
    if moved > 0 {
        tracing::info!(
            cases = moved,
            "shipped calendar years loaded; open deadlines recomputed"
        );
    }
    Ok(moved)
}

/// Creates the `admin` account when there is no account at all. Returns the password when
/// it was generated, for the caller to show once.
pub fn ensure_admin(
    store: &Store,
    admin_password: Option<&str>,
) -> Result<Option<String>, StartError> {
    if store.read(|conn| conn.count_users())? > 0 {
        return Ok(None);
    }
    let (secret, generated) = match admin_password {
        Some(given) => {
            validate_password("HALL_ADMIN_PASSWORD", given)
                .map_err(|e| StartError::Setup(e.to_string()))?;
            (given.to_owned(), false)
        }
        None => (password::random_password(), true),
    };
    let hash = password::hash(&secret).map_err(StartError::Setup)?;
    let admin = UserInput {
        username: "admin".into(),
        display_name: "Administrator".into(),
        role: Role::Admin,
        window_id: None,
    }
    .into_user(UserId::new(), stored_moment(Utc::now()));
    match store.transaction(|conn| conn.insert_user(&admin, &hash)) {
        Ok(()) => Ok(generated.then_some(secret)),
        // Another process starting at the same moment created it first.
        Err(RepositoryError::Conflict) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// The token secret: configured, or on SQLite kept in a file beside the database.
pub fn jwt_secret(config: &Config, store: &Store) -> Result<Vec<u8>, StartError> {
    if let Some(secret) = &config.jwt_secret {
        if secret.len() < 32 {
            return Err(StartError::Secret(
                "HALL_JWT_SECRET must be at least 32 bytes long".into(),
            ));
        }
        return Ok(secret.as_bytes().to_vec());
    }
    let DatabaseUrl::Sqlite(db_path) = store.url() else {
        return Err(StartError::Secret(
            "HALL_JWT_SECRET is required on PostgreSQL: every hall process must sign tokens with the same secret".into(),
        ));
    };
    debug_assert_eq!(store.backend(), Backend::Sqlite);
    let path = PathBuf::from(format!("{db_path}.jwt-secret"));
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if existing.len() >= 32 {
            return Ok(existing.as_bytes().to_vec());
        }
    }
    let secret = format!(
        "{}{}",
        password::random_password(),
        password::random_password()
    );
    write_private(&path, &secret)
        .map_err(|e| StartError::Secret(format!("cannot write {}: {e}", path.display())))?;
    tracing::warn!(path = %path.display(), "HALL_JWT_SECRET is not set: generated a token secret and kept it beside the database");
    Ok(secret.into_bytes())
}

/// How many rows each transaction seals, rotates or anonymises: small enough that live
/// requests never wait long on the rows it locks.
pub const BATCH: u32 = 500;

/// The keys of personal data: `HALL_DATA_KEY` or the file `HALL_DATA_KEY_FILE` names, with
/// `HALL_DATA_KEY_PREVIOUS`; on SQLite without either, a key kept in a file beside the
/// database (generated the first time), as the token secret is.
pub fn data_keys(config: &Config, store: &Store) -> Result<DataKeys, StartError> {
    let bad =
        |what: &str, e: persistence::personal::KeyError| StartError::Secret(format!("{what}: {e}"));
    let given = config.data_key.as_deref().filter(|k| !k.trim().is_empty());
    let file = config
        .data_key_file
        .as_ref()
        .filter(|f| !f.as_os_str().is_empty());
    let current = match (given, file) {
        (Some(_), Some(_)) => {
            return Err(StartError::Secret(
                "set HALL_DATA_KEY or HALL_DATA_KEY_FILE, not both".into(),
            ));
        }
        (Some(key), None) => parse_key(key).map_err(|e| bad("HALL_DATA_KEY", e))?,
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                StartError::Secret(format!(
                    "cannot read HALL_DATA_KEY_FILE {}: {e}",
                    path.display()
                ))
            })?;
            parse_key(&text).map_err(|e| bad("HALL_DATA_KEY_FILE", e))?
        }
        (None, None) => {
            let DatabaseUrl::Sqlite(db_path) = store.url() else {
                return Err(StartError::Secret(
                    "HALL_DATA_KEY (or HALL_DATA_KEY_FILE) is required on PostgreSQL: every hall process must seal personal data with the same key".into(),
                ));
            };
            let path = PathBuf::from(format!("{db_path}.data-key"));
            match std::fs::read_to_string(&path) {
                // A damaged key file is an error, never replaced: a new key would make
                // every sealed value unreadable.
                Ok(text) => parse_key(&text).map_err(|e| bad(&path.display().to_string(), e))?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let key = generate_key();
                    write_private(&path, &format!("{key}\n")).map_err(|e| {
                        StartError::Secret(format!("cannot write {}: {e}", path.display()))
                    })?;
                    tracing::warn!(path = %path.display(), "HALL_DATA_KEY is not set: generated a data key and kept it beside the database; back it up with the database");
                    parse_key(&key).map_err(|e| bad("generated key", e))?
                }
                Err(e) => {
                    return Err(StartError::Secret(format!(
                        "cannot read {}: {e}",
                        path.display()
                    )));
                }
            }
        }
    };
    let previous = config
        .data_key_previous
        .iter()
        .filter(|k| !k.trim().is_empty())
        .map(|k| parse_key(k).map_err(|e| bad("HALL_DATA_KEY_PREVIOUS", e)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DataKeys::new(&current, &previous))
}

/// Gives the store the keys of personal data and seals whatever an older version left in
/// plaintext, in batches: SQL alone cannot, having no key.
pub fn protect(config: &Config, store: Store) -> Result<Store, StartError> {
    let keys = data_keys(config, &store)?;
    let store = store.with_data_keys(keys);
    let sealed = store.seal_plaintext(BATCH)?;
    if sealed > 0 {
        tracing::info!(
            cases = sealed,
            "sealed applicants' ID numbers and phones left in plaintext"
        );
    }
    Ok(store)
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(content.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}

/// Registers, updates or retires the hall's own SMS and exchange subscribers as this start's
/// settings say: the last process to start decides for all that share the database.
pub fn keep_channel_subscribers(
    store: &Store,
    channels: &[(Channel, Option<ChannelSubscriber>)],
) -> Result<(), StartError> {
    let now = Utc::now();
    store.transaction(|conn| {
        for (channel, subscriber) in channels {
            conn.keep_channel_subscriber(*channel, subscriber.as_ref(), now)?;
        }
        Ok::<(), RepositoryError>(())
    })?;
    Ok(())
}

/// Everything `serve` needs: a migrated database, an admin, and the shared state.
/// Returns the generated admin password, if any, for the caller to show once.
pub fn prepare(config: &Config) -> Result<(AppState, Option<String>), StartError> {
    // Settings first: a wrong one stops the start before the database is touched.
    let cors_origins = crate::browsers::cors_origins(&config.cors_origins)
        .map_err(|e| StartError::Setup(format!("HALL_CORS_ORIGINS: {e}")))?;
    let channels = [
        (
            Channel::Sms,
            config.sms_subscriber().map_err(StartError::Setup)?,
        ),
        (
            Channel::Exchange,
            config.exchange_subscriber().map_err(StartError::Setup)?,
        ),
    ];
    let sms = config.sms_gateway().map_err(StartError::Setup)?;
    let store = open_store(config)?;
    migrate(&store)?;
    let store = protect(config, store)?;
    load_shipped_calendars(&store, config.utc_offset)?;
    let secret = jwt_secret(config, &store)?;
    let generated = ensure_admin(&store, config.admin_password.as_deref())?;
    keep_channel_subscribers(&store, &channels)?;
    let tokens = TokenKeys::new(&secret, config.token_ttl());
    let query_codes = match &config.query_code_secret {
        Some(own) if own.len() >= 32 => QueryCodeKey::new(own.as_bytes()),
        Some(_) => {
            return Err(StartError::Secret(
                "HALL_QUERY_CODE_SECRET must be at least 32 bytes long".into(),
            ));
        }
        None => QueryCodeKey::new(&secret),
    };
    let settings = Settings {
        utc_offset: config.utc_offset,
        yellow_days: config.yellow_days,
        edge: crate::edge::EdgeSettings {
            body_timeout: std::time::Duration::from_secs(config.body_timeout_seconds.max(1)),
            keep_alive: std::time::Duration::from_secs(config.keep_alive_seconds),
            max_connections: config.max_connections.max(1),
        },
        idempotency_ttl: i64::try_from(config.idempotency_ttl_seconds)
            .ok()
            .and_then(chrono::TimeDelta::try_seconds)
            .unwrap_or(chrono::TimeDelta::MAX),
        clock_shift: chrono::TimeDelta::zero(),
        outbox: config.outbox_settings(),
        stats_projector: config.stats_projector,
        appointments: domain::queue::AppointmentRules {
            cancel_before: chrono::TimeDelta::minutes(i64::from(
                config.appointment_cancel_before_minutes,
            )),
            ..Default::default()
        },
    };
    let trusted = config
        .trusted_proxies
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| AddressRange::parse(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StartError::Setup(format!("HALL_TRUSTED_PROXIES: {e}")))?;
    let limits = Limits::with_settings(config.limit_settings(), trusted);
    let replica = match &config.read_database_url {
        Some(url) if !url.trim().is_empty() => {
            let options = StoreOptions {
                max_connections: config.db_pool_size,
                connection_timeout: REPLICA_TIMEOUT,
                ..StoreOptions::default()
            };
            let keys = data_keys(config, &store)?;
            let replica = Store::open(DatabaseUrl::parse(url)?, &options).with_data_keys(keys);
            ReadRouter::new(store.clone(), Some(replica), REPLICA_RETRY)
        }
        _ => ReadRouter::from(store.clone()),
    };
    let display = Hub::new(
        store.clone(),
        StreamGate::new(config.display_streams, config.display_streams_per_client).lasting(
            std::time::Duration::from_secs(config.display_stream_seconds),
        ),
    );
    let state = AppState {
        replica,
        display,
        store,
        tokens,
        query_codes,
        settings,
        limits,
        metrics: Metrics::new(),
        calendars: Default::default(),
        replica_calendars: Default::default(),
        cors_origins: cors_origins.into(),
        public_url: config.public_url.trim_end_matches('/').into(),
        exchange: crate::outbox::exchange::ExchangeSettings::of(config),
        sms: sms.map(Into::into),
    };
    Ok((state, generated))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn config(args: &[&str]) -> Config {
        crate::cli::Cli::parse_from([&["hall"], args].concat()).config
    }

    #[test]
    fn postgres_without_a_token_secret_refuses_to_start() {
        let config = config(&["--database-url", "postgres://postgres@127.0.0.1/hall"]);
        let store = open_store(&config).expect("valid URL");
        let error = jwt_secret(&config, &store).expect_err("refused");
        assert!(error.to_string().contains("HALL_JWT_SECRET is required"));
    }

    #[test]
    fn postgres_without_a_data_key_refuses_to_start() {
        let config = config(&["--database-url", "postgres://postgres@127.0.0.1/hall"]);
        let store = open_store(&config).expect("valid URL");
        let error = data_keys(&config, &store).expect_err("refused");
        assert!(error.to_string().contains("HALL_DATA_KEY"), "{error}");
    }

    #[test]
    fn a_malformed_data_key_is_refused_and_an_empty_one_is_unset() {
        let malformed = config(&["--data-key", "not a key"]);
        let store = open_store(&malformed).expect("valid URL");
        assert!(data_keys(&malformed, &store).is_err());
        let empty = config(&[
            "--database-url",
            "postgres://postgres@127.0.0.1/hall",
            "--data-key",
            "",
        ]);
        let store = open_store(&empty).expect("valid URL");
        let error = data_keys(&empty, &store).expect_err("refused");
        assert!(error.to_string().contains("is required"), "{error}");
    }

    #[test]
    fn an_allowed_origin_that_is_no_origin_stops_the_start_before_the_database() {
        let config = config(&[
            "--database-url",
            "postgres://postgres@127.0.0.1:1/nowhere",
            "--cors-origins",
            "https://dashboard.example.gov.cn,https://dashboard.example.gov.cn/app",
        ]);
        assert_eq!(config.cors_origins.len(), 2);
        let error = prepare(&config).expect_err("refused");
        assert!(error.to_string().contains("HALL_CORS_ORIGINS"), "{error}");
        assert!(error.to_string().contains("/app"), "{error}");
    }

    #[test]
    fn a_short_token_secret_is_refused() {
        let config = config(&["--jwt-secret", "short"]);
        let store = open_store(&config).expect("valid URL");
        assert!(jwt_secret(&config, &store).is_err());
    }

    #[test]
    fn sqlite_without_a_token_secret_keeps_a_generated_one_beside_the_database() {
        let folder =
            std::env::temp_dir().join(format!("hall-secret-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&folder).expect("folder");
        let url = format!("sqlite://{}/hall.db", folder.display());
        let config = config(&["--database-url", &url]);
        let store = open_store(&config).expect("valid URL");
        let first = jwt_secret(&config, &store).expect("generated");
        assert!(first.len() >= 32);
        assert!(folder.join("hall.db.jwt-secret").exists());
        assert_eq!(jwt_secret(&config, &store).expect("kept"), first);
        std::fs::remove_dir_all(folder).expect("clean up");
    }
}
