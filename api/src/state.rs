//! What every handler shares: the store and the token keys; and the way handlers reach the
//! database without blocking the async executor.

use std::sync::{Arc, Mutex};

use actix_web::web;
use chrono::{FixedOffset, Utc};
use domain::calendar::Calendars;
use domain::case::recompute::load_calendars;
use domain::case::workflow::Moment;
use domain::clock::stored_moment;
use domain::repository::{CalendarRepository, CalendarRevision};
use persistence::{AnyConnection, ReadRouter, Store};

use crate::auth::TokenKeys;
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::problem::ApiError;
use crate::query_code::QueryCodeKey;

/// Shared by every request; holds nothing that correctness needs to keep in memory.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Where kiosk and statistics reads go: the read replica while it answers, else the
    /// primary.
    pub replica: ReadRouter,
    /// Signs and checks access tokens.
    pub tokens: TokenKeys,
    /// Derives and checks query codes.
    pub query_codes: QueryCodeKey,
    /// The hall's local rules.
    pub settings: Settings,
    /// Rate limits of the kiosk and of signing in.
    pub limits: Limits,
    /// This process's metrics.
    pub metrics: Metrics,
    /// The working-day calendars as last read from the primary, with their revision.
    pub calendars: CalendarCache,
    /// The same as last read from the read replica, apart: while the replica lags, one cache
    /// for both would rebuild at every alternation.
    pub replica_calendars: CalendarCache,
    /// The live display: the process's one reader of the screens' feed, and its streams.
    /// Routes that commit display messages call [`crate::display::Hub::wake`] afterwards.
    pub display: crate::display::Hub,
    /// The origins of browser apps on other sites that may call the API
    /// (`HALL_CORS_ORIGINS`, see [`crate::browsers::cors_origins`]); none answers no CORS.
    pub cors_origins: Arc<[String]>,
    /// The hall's public address (`HALL_PUBLIC_URL`): receipts' QR codes lead under it.
    pub public_url: Arc<str>,
    /// How reports reach the provincial exchange besides its subscriber row.
    pub exchange: crate::outbox::exchange::ExchangeSettings,
    /// The SMS gateway (`HALL_SMS_URL`), if one is configured.
    pub sms: Option<Arc<crate::outbox::sms::Gateway>>,
}

/// The hall's local rules.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The hall's offset from UTC; decides local dates.
    pub utc_offset: FixedOffset,
    /// Working days left at which an open case gets a yellow warning.
    pub yellow_days: u32,
    /// Timeouts and limits of client connections.
    pub edge: crate::edge::EdgeSettings,
    /// How long an intake's `Idempotency-Key` holds.
    pub idempotency_ttl: chrono::TimeDelta,
    /// How far the hall's clock runs from the system's: zero in service (no setting reaches
    /// it); a story that must live on another date — the last days of a year whose
    /// successor's notice is not out — sets it in code.
    pub clock_shift: chrono::TimeDelta,
    /// When appointments may be cancelled and checked in.
    pub appointments: domain::queue::AppointmentRules,
    /// How the outbox delivers.
    pub outbox: crate::outbox::OutboxSettings,
    /// Whether this process runs the statistics projector.
    pub stats_projector: bool,
}

impl AppState {
    /// Now, as the hall records it: UTC to the microsecond, and the local date.
    pub fn now(&self) -> Moment {
        Moment::new(
            stored_moment(Utc::now() + self.settings.clock_shift),
            self.settings.utc_offset,
        )
    }

    /// Runs `work` on a pooled connection in a worker thread: for reads.
    pub async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let store = self.store.clone();
        web::block(move || store.read(work)).await?
    }

    /// Runs `work` on the read replica (or the primary when there is none, or while it does
    /// not answer): for the kiosk and statistics, which tolerate a moment's lag. `work` is
    /// `Clone` so that a read the replica drops half-way runs again on the primary.
    pub async fn read_replica<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Clone + Send + 'static,
    {
        let store = self.replica.clone();
        web::block(move || store.read(work)).await?
    }

    /// Runs `work` in one transaction in a worker thread: for every state change.
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let store = self.store.clone();
        web::block(move || store.transaction(work)).await?
    }
}

/// The calendars as stored now, read whole: for the rare commands that run outside a
/// handler (imports, the demo).
pub fn calendars(conn: &mut AnyConnection) -> Result<Calendars, ApiError> {
    Ok(load_calendars(conn)?)
}

/// The calendars as last read by this process. Every use checks the stored revision first
/// (one small query), so a correction made through any process — a year loaded, a centre
/// moved to another division — counts at once; the years themselves are read and built
/// again only when the revision has changed.
#[derive(Debug, Clone, Default)]
pub struct CalendarCache {
    last: Arc<Mutex<Option<Cached>>>,
}

/// The calendars and the revision they were read at.
type Cached = (CalendarRevision, Arc<Calendars>);

impl CalendarCache {
    /// The calendars as stored now, on the caller's connection (and transaction): for reads.
    pub fn get(&self, conn: &mut AnyConnection) -> Result<Arc<Calendars>, ApiError> {
        self.read(conn, false)
    }

    /// The calendars for a write that depends on them (intake, an action, a rating, an
    /// import): the revision is read `FOR SHARE`, so a calendar change in flight is waited for
    /// and then seen, and none commits until this write has.
    pub fn for_write(&self, conn: &mut AnyConnection) -> Result<Arc<Calendars>, ApiError> {
        self.read(conn, true)
    }

    /// The calendars at `revision`, read by the caller in a statement of its own (the kiosk's
    /// lookup reads it with the case): built again only when it is not the cached one.
    pub fn at(
        &self,
        conn: &mut AnyConnection,
        revision: CalendarRevision,
    ) -> Result<Arc<Calendars>, ApiError> {
        if let Some((seen, cached)) = self.lock().as_ref()
            && *seen == revision
        {
            return Ok(cached.clone());
        }
        let built = Arc::new(calendars(conn)?);
        *self.lock() = Some((revision, built.clone()));
        Ok(built)
    }

    fn read(&self, conn: &mut AnyConnection, lock: bool) -> Result<Arc<Calendars>, ApiError> {
        let revision = conn.calendar_revision(lock)?;
        self.at(conn, revision)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Cached>> {
        // A panic while holding the lock leaves a value that is still whole.
        self.last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
