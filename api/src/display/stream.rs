//! One stream: what a screen (or a clerk's window) is sent on connecting — what it missed
//! since its `Last-Event-ID`, or else the waiting counts as they are — then the hub's news
//! as it comes, with a comment now and then so that proxies and dead clients show up.

use std::collections::{HashSet, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use actix_web::rt::time::{Instant, timeout};
use actix_web::web::Bytes;
use domain::ids::{CenterId, QueueId, WindowId};
use domain::queue::workflow::{QueueWorkflowError, waiting_now};
use domain::queue::{DisplayEvent, DisplayMessage};
use domain::repository::DisplayRepository;
use futures_core::Stream;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

use super::hub::Shown;
use super::{REPLAY_LIMIT, StreamPermit, frame};
use crate::problem::ApiError;
use crate::state::AppState;

/// How long a stream may stay silent before it is sent a comment: well under the minute
/// after which proxies commonly drop an idle connection, and often enough that a screen
/// gone away is noticed (the write fails) and its place freed.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The first bytes of every stream: how long a browser's `EventSource` waits before it
/// connects again after losing the stream (it then sends `Last-Event-ID`).
const RETRY: &[u8] = b"retry: 3000\n\n";

/// What a stream shows of its centre's news.
#[derive(Debug, Clone)]
pub enum Shows {
    /// A hall screen: every call and the waiting counts of every queue.
    Center,
    /// A clerk's window: the calls to it, and the waiting counts of the queues it serves.
    Window {
        /// The window.
        window: WindowId,
        /// The queues it serves.
        queues: HashSet<QueueId>,
    },
}

impl Shows {
    /// The event this stream sends for `message`, if any; `encoded` is the message's public
    /// frame when the hub made it already.
    fn frame(&self, id: i64, message: &DisplayMessage, encoded: Option<&Bytes>) -> Option<Bytes> {
        let whole = || encoded.cloned().unwrap_or_else(|| frame(id, message));
        match (self, message) {
            (Self::Center, _) => Some(whole()),
            (Self::Window { window, .. }, DisplayMessage::Call { window_id, .. }) => {
                (window_id == window).then(whole)
            }
            (Self::Window { queues: served, .. }, DisplayMessage::Waiting { queues }) => {
                let queues = queues
                    .iter()
                    .filter(|line| served.contains(&line.queue_id))
                    .cloned()
                    .collect();
                Some(frame(id, &DisplayMessage::Waiting { queues }))
            }
        }
    }
}

/// A stream being sent to one client.
#[derive(Debug)]
pub struct Screen {
    state: AppState,
    center: CenterId,
    shows: Shows,
    news: Receiver<Arc<Shown>>,
    pending: VecDeque<Bytes>,
    /// The last message this stream has dealt with (sent or left out): later news only.
    last: i64,
    /// When the stream ends (the gate's lifetime after it opened).
    ends: Instant,
    _permit: StreamPermit,
}

/// Opens a stream of `center` for a client holding `permit`: subscribes to the hub first,
/// then reads the start from the store, so that nothing committed in between is lost.
pub async fn open(
    state: &AppState,
    center: CenterId,
    shows: Shows,
    last_event_id: Option<i64>,
    permit: StreamPermit,
) -> Result<Screen, ApiError> {
    let news = state.display.subscribe(center);
    let today = state.now().today;
    let filter = shows.clone();
    let (last, pending) = state
        .read(move |conn| {
            let head = conn.display_head_of(center)?;
            // An id past the head is from another database (or made up): start afresh.
            if let Some(after) = last_event_id.filter(|id| (0..=head).contains(id)) {
                let missed = conn.display_after(center, after, REPLAY_LIMIT)?;
                if missed.len() < REPLAY_LIMIT as usize {
                    let last = missed.last().map_or(head, |e| e.id.max(head));
                    return Ok((last, replay(&filter, &missed)));
                }
            }
            let queues = waiting_now(conn, center, today).map_err(|error| match error {
                QueueWorkflowError::Repository(error) => ApiError::from(error),
                other => ApiError::Internal(other.to_string()),
            })?;
            let now = DisplayMessage::Waiting { queues };
            Ok((head, filter.frame(head, &now, None).into_iter().collect()))
        })
        .await?;
    state.display.start_at(center, last);
    let mut first = VecDeque::from([Bytes::from_static(RETRY)]);
    first.extend(pending);
    Ok(Screen {
        state: state.clone(),
        center,
        shows,
        news,
        pending: first,
        last,
        ends: Instant::now() + state.display.gate().lifetime(),
        _permit: permit,
    })
}

/// The events a stream shows of `events`.
fn replay(shows: &Shows, events: &[DisplayEvent]) -> Vec<Bytes> {
    events
        .iter()
        .filter_map(|e| shows.frame(e.id, &e.message, None))
        .collect()
}

impl Screen {
    /// The stream's bytes, for `HttpResponse::streaming`; it ends when its lifetime is over,
    /// when the hub does, or when it fell too far behind (the client then reconnects with
    /// `Last-Event-ID`).
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, Infallible>> + 'static {
        futures_util::stream::unfold(self, |mut screen| async move {
            let bytes = screen.next().await?;
            Some((Ok(bytes), screen))
        })
    }

    async fn next(&mut self) -> Option<Bytes> {
        loop {
            if let Some(bytes) = self.pending.pop_front() {
                return Some(bytes);
            }
            let left = self.ends.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            match timeout(KEEP_ALIVE.min(left), self.news.recv()).await {
                Err(_) if Instant::now() >= self.ends => return None,
                Err(_) => return Some(Bytes::from_static(b": keep-alive\n\n")),
                Ok(Ok(news)) => {
                    if news.event.id <= self.last {
                        continue;
                    }
                    self.last = news.event.id;
                    let shown =
                        self.shows
                            .frame(news.event.id, &news.event.message, Some(&news.frame));
                    if shown.is_some() {
                        return shown;
                    }
                }
                Ok(Err(RecvError::Lagged(_))) => self.read_missed().await?,
                Ok(Err(RecvError::Closed)) => return None,
            }
        }
    }

    /// After falling behind the hub's channel: what was missed, read from the store. Ends
    /// the stream when that is more than a replay holds, or the store does not answer.
    async fn read_missed(&mut self) -> Option<()> {
        let (center, after) = (self.center, self.last);
        let missed = self
            .state
            .read(move |conn| Ok(conn.display_after(center, after, REPLAY_LIMIT)?))
            .await
            .ok()?;
        if missed.len() >= REPLAY_LIMIT as usize {
            return None;
        }
        if let Some(last) = missed.last() {
            self.last = last.id;
        }
        self.pending.extend(replay(&self.shows, &missed));
        Some(())
    }
}
