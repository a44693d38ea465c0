//! The hub: one reader of the screens' feed per process and a broadcast channel per centre
//! watched. Threads, both started with the first stream: `display-hub` reads and
//! broadcasts; on PostgreSQL `display-listen` holds the process's one `LISTEN` connection
//! and turns each notification into a wake. Both end once the hub is dropped.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use domain::ids::CenterId;
use domain::queue::DisplayEvent;
use domain::repository::{DisplayRepository, RepositoryError};
use persistence::Store;
use persistence::listen::{Heard, listen_for_display};
use tokio::sync::broadcast;

use super::{StreamGate, frame};

/// How often every watched feed is read although nothing woke it: a notification lost with
/// a connection, or a commit whose route forgot to wake, leaves a screen stale this long.
const SAFETY_EVERY: Duration = Duration::from_secs(3);

/// Messages read from the feed at once; a centre with more news is read again at once.
const BATCH: u32 = 200;

/// Rounds of reading one centre per wake, so that a centre flooded with news cannot keep
/// the hub from the others.
const MAX_ROUNDS: usize = 10;

/// Messages a stream may fall behind the hub before it must read what it missed itself.
const BACKLOG: usize = 256;

/// A message read once and shown to every stream of its centre, encoded once for them all.
#[derive(Debug)]
pub struct Shown {
    /// The message as stored.
    pub event: DisplayEvent,
    /// Its event as a public screen receives it.
    pub frame: Bytes,
}

/// Why the hub looks at the feed.
#[derive(Debug, Clone, Copy)]
enum Wake {
    /// A change for this centre committed.
    Center(CenterId),
    /// Anything may have been missed: read every watched feed.
    All,
}

/// The process's display hub; clones share it.
#[derive(Debug, Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    feeds: Mutex<HashMap<CenterId, Feed>>,
    /// The hub thread's inbox, once started.
    wakes: Mutex<Option<mpsc::Sender<Wake>>>,
    gate: StreamGate,
}

/// A watched centre: its streams' channel, and the last message read for them. `None` until
/// the first stream has read its start, so that the hub reads on from there (see
/// [`Hub::start_at`]).
#[derive(Debug)]
struct Feed {
    sender: broadcast::Sender<Arc<Shown>>,
    cursor: Option<i64>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock leaves maps and counts that are still whole.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Hub {
    /// A hub reading `store` (the primary: a replica may lag behind the notification), with
    /// the streams capped by `gate`. No thread runs until the first stream opens.
    pub fn new(store: Store, gate: StreamGate) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                feeds: Mutex::default(),
                wakes: Mutex::default(),
                gate,
            }),
        }
    }

    /// The caps on streams.
    pub fn gate(&self) -> &StreamGate {
        &self.inner.gate
    }

    /// Tells the hub that a transaction which wrote display messages for `center` has
    /// committed: its screens in this process are sent the news now. Call it after the
    /// commit, never inside the transaction (the hub would read before the news is there).
    /// Needed on SQLite, where nothing else wakes the hub before its periodic read; on
    /// PostgreSQL the commit's `NOTIFY` wakes every process, and this only spares this
    /// process the listener's poll. Costs nothing while no screen watches.
    pub fn wake(&self, center: CenterId) {
        self.inner.send(Wake::Center(center));
    }

    /// A receiver of `center`'s news from now on; starts the hub's threads with the first.
    pub fn subscribe(&self, center: CenterId) -> broadcast::Receiver<Arc<Shown>> {
        self.start();
        lock(&self.inner.feeds)
            .entry(center)
            .or_insert_with(|| Feed {
                sender: broadcast::channel(BACKLOG).0,
                cursor: None,
            })
            .sender
            .subscribe()
    }

    /// Says that a stream subscribed to `center` has read the feed itself up to `head`: the
    /// hub reads on from there, or from earlier if it was there already. A news committed
    /// after that read is broadcast after the subscription, so the stream misses none.
    pub fn start_at(&self, center: CenterId, head: i64) {
        let moved = match lock(&self.inner.feeds).get_mut(&center) {
            Some(feed) => {
                let cursor = feed.cursor.map_or(head, |c| c.min(head));
                let moved = feed.cursor != Some(cursor);
                feed.cursor = Some(cursor);
                moved
            }
            None => false,
        };
        if moved {
            self.wake(center);
        }
    }

    /// Ends every stream: for a process shutting down, whose graceful stop would otherwise
    /// wait its whole timeout for streams that never end. Their screens reconnect, through
    /// the proxy to another process, with `Last-Event-ID`, and miss nothing.
    pub fn close(&self) {
        // Dropping a channel's sender ends each receiver once it has read what was sent.
        lock(&self.inner.feeds).clear();
    }

    /// Starts the hub's threads unless they run.
    fn start(&self) {
        let mut wakes = lock(&self.inner.wakes);
        if wakes.is_some() {
            return;
        }
        let (sender, receiver) = mpsc::channel();
        let weak = Arc::downgrade(&self.inner);
        let reader = std::thread::Builder::new()
            .name("display-hub".into())
            .spawn(move || run(&weak, &receiver));
        if let Err(error) = reader {
            tracing::error!(%error, "cannot start the display hub");
            return;
        }
        *wakes = Some(sender);
        let weak = Arc::downgrade(&self.inner);
        let url = self.inner.store.url().clone();
        let listener = std::thread::Builder::new()
            .name("display-listen".into())
            .spawn(move || {
                listen_for_display(&url, |heard| {
                    let Some(inner) = weak.upgrade() else {
                        return ControlFlow::Break(());
                    };
                    match heard {
                        Heard::Listening => inner.send(Wake::All),
                        Heard::Centers(centers) => {
                            centers
                                .into_iter()
                                .for_each(|c| inner.send(Wake::Center(c)));
                        }
                        Heard::Quiet => {}
                    }
                    ControlFlow::Continue(())
                });
            });
        if let Err(error) = listener {
            tracing::error!(%error, "cannot start the display listener: screens follow other processes only every few seconds");
        }
    }
}

impl Inner {
    fn send(&self, wake: Wake) {
        if let Some(sender) = lock(&self.wakes).as_ref() {
            // The hub thread ends only with `Inner`; a failed send has nobody to tell.
            let _ = sender.send(wake);
        }
    }

    /// Drops the feeds nobody watches any more; the centres still watched.
    fn watched(&self) -> Vec<CenterId> {
        let mut feeds = lock(&self.feeds);
        feeds.retain(|_, feed| feed.sender.receiver_count() > 0);
        feeds.keys().copied().collect()
    }

    fn cursor(&self, center: CenterId) -> Option<i64> {
        lock(&self.feeds).get(&center).and_then(|feed| feed.cursor)
    }

    /// Reads `center`'s news after the cursor and broadcasts it to its streams.
    fn catch_up(&self, center: CenterId) {
        for _ in 0..MAX_ROUNDS {
            let Some(from) = self.cursor(center) else {
                return;
            };
            let read = self
                .store
                .read(|conn| conn.display_after(center, from, BATCH));
            let events = match read {
                Ok(events) => events,
                Err(error @ (RepositoryError::Unavailable(_) | RepositoryError::Busy(_))) => {
                    tracing::warn!(%error, "cannot read the display feed now");
                    return;
                }
                Err(error) => {
                    tracing::error!(%error, "cannot read the display feed");
                    return;
                }
            };
            let full = events.len() == BATCH as usize;
            let shown: Vec<Arc<Shown>> = events
                .into_iter()
                .map(|event| {
                    let frame = frame(event.id, &event.message);
                    Arc::new(Shown { event, frame })
                })
                .collect();
            let mut feeds = lock(&self.feeds);
            let Some(feed) = feeds.get_mut(&center) else {
                return;
            };
            if feed.cursor != Some(from) {
                // A new stream asked to start earlier while this read ran: read from there.
                continue;
            }
            if let Some(last) = shown.last() {
                feed.cursor = Some(last.event.id);
            }
            for news in shown {
                // No receiver left is no error: the feed goes at the next sweep.
                let _ = feed.sender.send(news);
            }
            if !full {
                return;
            }
        }
    }
}

/// The hub thread: waits for wakes (gathering those that came together, so a burst costs one
/// read per centre), or for the periodic read of every watched feed; ends with the hub.
fn run(inner: &Weak<Inner>, wakes: &mpsc::Receiver<Wake>) {
    let mut sweep_at = Instant::now() + SAFETY_EVERY;
    loop {
        let first = match wakes.recv_timeout(sweep_at.saturating_duration_since(Instant::now())) {
            Ok(wake) => wake,
            Err(RecvTimeoutError::Timeout) => Wake::All,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let mut centers = HashSet::new();
        let mut all = false;
        for wake in std::iter::once(first).chain(wakes.try_iter()) {
            match wake {
                Wake::Center(center) => {
                    centers.insert(center);
                }
                Wake::All => all = true,
            }
        }
        let Some(inner) = inner.upgrade() else {
            return;
        };
        if all {
            sweep_at = Instant::now() + SAFETY_EVERY;
            centers.extend(inner.watched());
        }
        for center in centers {
            inner.catch_up(center);
        }
    }
}
