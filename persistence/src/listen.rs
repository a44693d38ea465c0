//! Hearing, in every `hall` process, that a centre's screens have news: on PostgreSQL one
//! connection of its own per process, outside the pool, runs `LISTEN hall_display` and
//! reports the centres named by the `NOTIFY`s that `append_display` sends on commit.
//! SQLite has nothing to listen to: one process writes, and it wakes its own screens.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use domain::ids::CenterId;

use crate::DatabaseUrl;
use crate::repositories::queue::display::DISPLAY_CHANNEL;

/// How long the listener sleeps between looks at its socket. diesel's
/// `notifications_iter` only reads what has arrived (`PQconsumeInput` + `PQnotifies`) and
/// gives no way to wait on the socket, so the listener polls: 50 ms adds at most that to a
/// call's way to the screens and costs twenty cheap non-blocking reads a second.
pub const POLL_EVERY: Duration = Duration::from_millis(50);

/// The listener's `application_name`.
pub const LISTENER_NAME: &str = "hall display listener";

/// How often the connection is asked a question: a connection silently cut by the network
/// shows no error to a reader that only polls, so a `SELECT 1` now and then finds it out.
const PING_EVERY: Duration = Duration::from_secs(30);

/// The first wait before connecting again after a failure; it doubles up to [`MAX_BACKOFF`]
/// and starts over once a connection listens.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);

/// The longest wait between attempts to connect.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What the listener tells its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// A connection listens now, the first or a new one after a failure: whatever was
    /// notified while none listened is lost, so every centre's feed should be read again.
    Listening,
    /// These centres' feeds have news (each once, in the order first notified).
    Centers(Vec<CenterId>),
    /// Nothing since the last look: the owner may stop the listener by answering `Break`.
    Quiet,
}

/// One connection listening on the display channel.
struct Listener {
    conn: PgConnection,
    pinged: Instant,
}

impl Listener {
    fn connect(url: &str) -> Result<Self, String> {
        let mut conn = PgConnection::establish(url).map_err(|e| e.to_string())?;
        // Named, so that an operator finds it in `pg_stat_activity`: one per process.
        conn.batch_execute(&format!(
            "SET application_name = '{LISTENER_NAME}'; LISTEN {DISPLAY_CHANNEL}"
        ))
        .map_err(|e| e.to_string())?;
        Ok(Self {
            conn,
            pinged: Instant::now(),
        })
    }

    /// The centres notified since the last look, without waiting; an error when the
    /// connection is lost.
    fn take(&mut self) -> Result<Vec<CenterId>, String> {
        if self.pinged.elapsed() >= PING_EVERY {
            self.conn
                .batch_execute("SELECT 1")
                .map_err(|e| e.to_string())?;
            self.pinged = Instant::now();
        }
        let mut centers = Vec::new();
        for notification in self.conn.notifications_iter() {
            let notification = notification.map_err(|e| e.to_string())?;
            match notification.payload.parse::<CenterId>() {
                Ok(center) if !centers.contains(&center) => centers.push(center),
                Ok(_) => {}
                Err(_) => tracing::warn!(
                    payload = %notification.payload,
                    "a display notification names no centre"
                ),
            }
        }
        Ok(centers)
    }
}

/// Listens on `url` for as long as `tell` answers `Continue`, on the calling thread (give it
/// one of its own). A lost connection is opened again, waiting longer after each failure;
/// every new connection is announced with [`Heard::Listening`]. Returns at once for a
/// SQLite URL.
pub fn listen_for_display(url: &DatabaseUrl, mut tell: impl FnMut(Heard) -> ControlFlow<()>) {
    let DatabaseUrl::Postgres(raw) = url else {
        return;
    };
    let mut backoff = FIRST_BACKOFF;
    loop {
        let mut listener = match Listener::connect(raw) {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, database = %url, retry_in = ?backoff, "cannot listen for display news");
                if wait(backoff, &mut tell).is_break() {
                    return;
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        backoff = FIRST_BACKOFF;
        if tell(Heard::Listening).is_break() {
            return;
        }
        loop {
            let heard = match listener.take() {
                Ok(centers) if centers.is_empty() => Heard::Quiet,
                Ok(centers) => Heard::Centers(centers),
                Err(error) => {
                    tracing::warn!(%error, "the display listener lost its connection");
                    break;
                }
            };
            if tell(heard).is_break() {
                return;
            }
            std::thread::sleep(POLL_EVERY);
        }
    }
}

/// Sleeps `total` in [`POLL_EVERY`] steps, asking `tell` between them whether to go on.
fn wait(total: Duration, tell: &mut impl FnMut(Heard) -> ControlFlow<()>) -> ControlFlow<()> {
    let until = Instant::now() + total;
    while Instant::now() < until {
        tell(Heard::Quiet)?;
        std::thread::sleep(POLL_EVERY.min(until.saturating_duration_since(Instant::now())));
    }
    ControlFlow::Continue(())
}
