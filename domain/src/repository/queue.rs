//! What the queue needs from storage: queues, tickets with their numbering, events and calling
//! order, windows' sessions, and the display feed.

use chrono::{DateTime, NaiveDate, Utc};

use super::RepositoryResult;
use crate::ids::{CaseId, CenterId, QueueId, TicketId, WindowId};
use crate::queue::{
    DisplayEvent, DisplayMessage, Queue, SessionSpan, Ticket, TicketEvent, TicketHistory,
    WindowSession,
};

/// How many wait in one queue now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueLine {
    /// The queue.
    pub queue_id: QueueId,
    /// Tickets waiting.
    pub waiting: u32,
    /// The earliest arrival among them: the longest wait.
    pub earliest_arrival: Option<DateTime<Utc>>,
}

/// Storage of queues and their tickets.
pub trait QueueRepository {
    /// Stores a new queue; `Conflict` when its prefix is taken in its centre.
    fn insert_queue(&mut self, queue: &Queue) -> RepositoryResult<()>;
    /// Replaces a stored queue's values; `Conflict` when its prefix is taken in its centre.
    fn update_queue(&mut self, queue: &Queue) -> RepositoryResult<()>;
    /// The queue with this id.
    fn queue(&mut self, id: QueueId) -> RepositoryResult<Option<Queue>>;
    /// A centre's queues, by prefix.
    fn queues_of(&mut self, center: CenterId) -> RepositoryResult<Vec<Queue>>;
    /// Takes the next number of `queue` on `day` and returns it (1 for the first); the
    /// counter stays locked until the transaction ends, so a rolled-back issue leaves no gap.
    fn take_ticket_seq(&mut self, queue: QueueId, day: NaiveDate) -> RepositoryResult<u32>;
    /// Whether the holder of `id_number` holds a live ticket of `queue` on `day`.
    fn holder_holds(
        &mut self,
        queue: QueueId,
        day: NaiveDate,
        id_number: &str,
    ) -> RepositoryResult<bool>;
    /// Stores a ticket just issued, with its holder's ID number kept only as a keyed hash.
    fn insert_ticket(&mut self, ticket: &Ticket, holder: Option<&str>) -> RepositoryResult<()>;
    /// Stores a changed ticket if the stored one is still at `ticket.version - 1`; `false`
    /// when another change came first.
    fn update_ticket(&mut self, ticket: &Ticket) -> RepositoryResult<bool>;
    /// The ticket with this id.
    fn ticket(&mut self, id: TicketId) -> RepositoryResult<Option<Ticket>>;
    /// The first waiting ticket of `queues` on `day` in the calling order
    /// ([`crate::queue::QueueKey`]), locked for the transaction; a concurrent caller skips it
    /// and takes the next, so two windows never call the same ticket.
    fn claim_next_ticket(
        &mut self,
        queues: &[QueueId],
        day: NaiveDate,
    ) -> RepositoryResult<Option<Ticket>>;
    /// The first `limit` waiting tickets of `queue` on `day`, in the calling order.
    fn waiting_in(
        &mut self,
        queue: QueueId,
        day: NaiveDate,
        limit: u32,
    ) -> RepositoryResult<Vec<Ticket>>;
    /// How many waiting tickets of its queue come before `ticket` in the calling order.
    fn waiting_ahead(&mut self, ticket: &Ticket) -> RepositoryResult<u32>;
    /// People waiting now per queue of `center` on `day`, with the earliest arrival waiting.
    fn waiting_now(&mut self, center: CenterId, day: NaiveDate)
    -> RepositoryResult<Vec<QueueLine>>;
    /// Appends a ticket's event.
    fn append_ticket_event(&mut self, event: &TicketEvent) -> RepositoryResult<()>;
    /// A ticket's events, oldest first.
    fn ticket_events(&mut self, ticket: TicketId) -> RepositoryResult<Vec<TicketEvent>>;
    /// Records that `ticket` became `case`.
    fn link_case(&mut self, ticket: TicketId, case: CaseId) -> RepositoryResult<()>;
    /// The cases a ticket became.
    fn cases_of_ticket(&mut self, ticket: TicketId) -> RepositoryResult<Vec<CaseId>>;
    /// The tickets these cases came from, for those that came from one.
    fn tickets_of_cases(&mut self, cases: &[CaseId]) -> RepositoryResult<Vec<(CaseId, TicketId)>>;
}

/// Storage of windows' sessions.
pub trait WindowSessionRepository {
    /// The session of a window, none when it was never opened.
    fn window_session(&mut self, window: WindowId) -> RepositoryResult<Option<WindowSession>>;
    /// Stores a changed session if the stored one is still at `session.version - 1`;
    /// `false` when another change came first.
    fn put_window_session(&mut self, session: &WindowSession) -> RepositoryResult<bool>;
    /// Keeps a stretch a clerk held a window.
    fn insert_session_span(&mut self, span: &SessionSpan) -> RepositoryResult<()>;
}

/// The feed of the hall's screens.
pub trait DisplayRepository {
    /// Appends a message for the screens of `center`, committed with the change it tells of;
    /// those listening in other processes hear of it when it commits.
    fn append_display(
        &mut self,
        center: CenterId,
        window: Option<WindowId>,
        message: &DisplayMessage,
        at: DateTime<Utc>,
    ) -> RepositoryResult<i64>;
    /// Up to `limit` messages of `center` after id `after`, oldest first.
    fn display_after(
        &mut self,
        center: CenterId,
        after: i64,
        limit: u32,
    ) -> RepositoryResult<Vec<DisplayEvent>>;
    /// The id of the latest message of any centre, 0 when none: where a new listener starts.
    fn display_head(&mut self) -> RepositoryResult<i64>;
    /// The id of the latest message of `center`, 0 when none. One centre's messages commit
    /// in id order (see `append_display`), so every message of `center` up to it is
    /// committed: where a screen's reader starts without missing one committed late.
    fn display_head_of(&mut self, center: CenterId) -> RepositoryResult<i64>;
}

/// Which tickets the queue's figures read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureQuery {
    /// Issued on or after this local day.
    pub from: NaiveDate,
    /// Issued on or before this local day.
    pub to: NaiveDate,
    /// Only events (and cases) before this moment: the end of `as_of`.
    pub cutoff: DateTime<Utc>,
    /// Only issued in these centres; every centre when `None`.
    pub center_ids: Option<Vec<CenterId>>,
    /// Whether to read the items of the cases the tickets became.
    pub with_items: bool,
}

/// What the queue's figures read: the tickets' histories and the windows' spans.
pub trait QueueFiguresRepository {
    /// The tickets of the query, each with its events before the cutoff, oldest first.
    fn ticket_histories(&mut self, query: &FigureQuery) -> RepositoryResult<Vec<TicketHistory>>;
    /// The spans windows of the query's centres were held open or paused that began on a
    /// day of `[from, to]` (from `start`, the beginning of `from`) and ended before the cutoff.
    fn session_spans(
        &mut self,
        query: &FigureQuery,
        start: DateTime<Utc>,
    ) -> RepositoryResult<Vec<SessionSpan>>;
    /// People waiting now per queue on `day`, in `centers` or everywhere, with the earliest
    /// arrival waiting: [`QueueRepository::waiting_now`] over many centres in one query.
    fn waiting_lines(
        &mut self,
        centers: Option<&[CenterId]>,
        day: NaiveDate,
    ) -> RepositoryResult<Vec<QueueLine>>;
}
