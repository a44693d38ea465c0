//! Issuing, calling, acting on tickets and changing windows' sessions against storage: load,
//! decide with the pure functions of this module, store the change, append its event and tell
//! the screens. Generic over the repository traits, so it runs in the caller's transaction.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use super::screens::{tell_call, tell_waiting_in};
pub use super::screens::{tell_waiting, waiting_now};
use super::{
    IssueError, Issuing, Priority, Queue, SessionError, Ticket, TicketAction, TicketActionKind,
    TicketError, WindowSession, WindowSessionInput, serves,
};
use crate::ValidationErrors;
use crate::calendar::{CalendarError, Calendars};
use crate::case::is_resident_id;
use crate::catalogue::Window;
use crate::ids::{QueueId, TicketId, UserId, WindowId};
use crate::outbox::{EventKind, TicketNews};
use crate::repository::{
    DisplayRepository, QueueRepository, RepositoryError, WindowRepository, WindowSessionRepository,
};
use crate::sms::{AHEAD_TO_TEXT, approaching};

/// Everything the queue workflow reads and writes.
pub trait QueueStore:
    QueueRepository
    + WindowSessionRepository
    + DisplayRepository
    + WindowRepository
    + crate::outbox::NewsSink
{
}

impl<T> QueueStore for T where
    T: QueueRepository
        + WindowSessionRepository
        + DisplayRepository
        + WindowRepository
        + crate::outbox::NewsSink
{
}

/// Why the queue workflow refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueWorkflowError {
    /// The queue, ticket or window does not exist (or is not the caller's to see).
    #[error("not found")]
    NotFound,
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(&'static str),
    /// The ticket or session changed since the caller read it.
    #[error("the record is at version {current}, not {expected}: reload it and try again")]
    Stale {
        /// The version the caller sent.
        expected: i64,
        /// The stored version.
        current: i64,
    },
    /// No ticket handed out.
    #[error(transparent)]
    Issue(#[from] IssueError),
    /// The ticket refused the action.
    #[error(transparent)]
    Ticket(#[from] TicketError),
    /// The window's session refused the change.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// Only an open window calls.
    #[error("the window is not open: open it before calling")]
    WindowNotOpen,
    /// Nobody waits for this window.
    #[error("nobody is waiting for this window")]
    NobodyWaiting,
    /// Invalid values.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// The calendar cannot say whether the hall is open.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// Storage failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

/// A moment as the hall's clocks show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HallTime {
    /// The moment, UTC.
    pub at: DateTime<Utc>,
    /// The hall's offset from UTC.
    pub offset: FixedOffset,
}

impl HallTime {
    /// The hall's local day.
    pub fn today(&self) -> NaiveDate {
        self.at.with_timezone(&self.offset).date_naive()
    }
}

/// A ticket asked for at a kiosk or by staff.
#[derive(Debug, Clone, Default)]
pub struct TicketRequest {
    /// The queue.
    pub queue_id: QueueId,
    /// A priority (staff only; the kiosk asks for none).
    pub priority: Priority,
    /// The holder's resident ID number, for real-name issuing.
    pub id_number: Option<String>,
    /// Who issued it; none at a kiosk.
    pub actor: Option<UserId>,
}

/// A ticket just handed out, with how many wait before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The ticket.
    pub ticket: Ticket,
    /// Its queue.
    pub queue: Queue,
    /// Waiting tickets called before it, as things stand.
    pub ahead: u32,
}

/// Hands out a ticket: checks the queue's rules for today, takes the next number, stores the
/// ticket and its event, and tells the screens how many wait.
pub fn issue_ticket<R: QueueStore>(
    repo: &mut R,
    calendars: &Calendars,
    request: &TicketRequest,
    now: HallTime,
) -> Result<Issued, QueueWorkflowError> {
    if let Some(id) = &request.id_number
        && !is_resident_id(id)
    {
        return Err(ValidationErrors::single(
            "id_number",
            "is not a valid resident ID number (18 characters, GB 11643-1999 check digit)",
        )
        .into());
    }
    let queue = repo
        .queue(request.queue_id)?
        .ok_or(QueueWorkflowError::NotFound)?;
    let local = now.at.with_timezone(&now.offset).naive_local();
    let today = local.date();
    let working_day = calendars
        .for_center(queue.center_id)
        .is_working_day(today)?;
    let holder_waiting = match &request.id_number {
        Some(id) => repo.holder_holds(queue.id, today, id)?,
        None => false,
    };
    let seq = repo.take_ticket_seq(queue.id, today)?;
    let ticket = Issuing {
        queue: &queue,
        at: now.at,
        local,
        working_day,
        issued_today: seq - 1,
        priority: request.priority,
        id_number: request.id_number.as_deref(),
        holder_waiting,
    }
    .issue()?;
    repo.insert_ticket(&ticket, request.id_number.as_deref())?;
    repo.append_ticket_event(&ticket.issued(request.actor))?;
    tell_waiting(repo, queue.center_id, now)?;
    let ahead = repo.waiting_ahead(&ticket)?;
    Ok(Issued {
        ticket,
        queue,
        ahead,
    })
}

/// Calls the next ticket `window` can serve to it, for `clerk` who holds it open.
pub fn call_next<R: QueueStore>(
    repo: &mut R,
    window_id: WindowId,
    clerk: UserId,
    now: HallTime,
) -> Result<(Ticket, Window), QueueWorkflowError> {
    let window = repo
        .window(window_id)?
        .ok_or(QueueWorkflowError::NotFound)?;
    let session = repo.window_session(window.id)?;
    match session {
        Some(s) if s.is_open() && s.clerk_id == Some(clerk) => {}
        Some(s) if s.is_open() => {
            return Err(SessionError::HeldByAnother.into());
        }
        _ => return Err(QueueWorkflowError::WindowNotOpen),
    }
    let centre_queues = repo.queues_of(window.center_id)?;
    let queues: Vec<QueueId> = centre_queues
        .iter()
        .filter(|q| serves(&window, q))
        .map(|q| q.id)
        .collect();
    let today = now.today();
    let ticket = repo
        .claim_next_ticket(&queues, today)?
        .ok_or(QueueWorkflowError::NobodyWaiting)?;
    let change = ticket.call(window.id, clerk, now.at, today)?;
    store_change(repo, &ticket, &change.ticket)?;
    repo.append_ticket_event(&change.event)?;
    tell_approaching(repo, &change.ticket, now)?;
    // The screens last: telling them takes the centre's lock until the commit (see
    // `DisplayRepository::append_display`), and every window of the centre waits on it.
    tell_call(repo, &change.ticket, &window, false, now)?;
    tell_waiting_in(repo, window.center_id, centre_queues, now)?;
    Ok((change.ticket, window))
}

/// After `called` was called, tells whoever now has three ahead of them in its queue
/// (叫号 "three ahead of you"), in the call's transaction.
fn tell_approaching<R: QueueStore>(
    repo: &mut R,
    called: &Ticket,
    now: HallTime,
) -> Result<(), QueueWorkflowError> {
    let waiting = repo.waiting_in(called.queue_id, called.day, AHEAD_TO_TEXT + 1)?;
    if let Some(next) = approaching(&waiting) {
        repo.enqueue_ticket_news(&TicketNews {
            kind: EventKind::TicketApproaching,
            ticket_id: next.id,
            at: now.at,
            center_id: next.center_id,
            queue_id: next.queue_id,
            number: next.number.clone(),
            ahead: AHEAD_TO_TEXT,
        })?;
    }
    Ok(())
}

/// Who acts on a ticket, as the workflow needs to know them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketActor {
    /// The user.
    pub user: UserId,
    /// The window a clerk works at.
    pub window: Option<WindowId>,
    /// Whether they supervise (administrators and supervisors): any ticket, any action.
    pub supervising: bool,
}

/// Performs `action` on the ticket at `expected_version`.
pub fn act_on_ticket<R: QueueStore>(
    repo: &mut R,
    ticket_id: TicketId,
    expected_version: i64,
    action: &TicketAction,
    actor: TicketActor,
    now: HallTime,
) -> Result<Ticket, QueueWorkflowError> {
    let ticket = repo
        .ticket(ticket_id)?
        .ok_or(QueueWorkflowError::NotFound)?;
    authorize(repo, &ticket, action, actor)?;
    if ticket.version != expected_version {
        return Err(QueueWorkflowError::Stale {
            expected: expected_version,
            current: ticket.version,
        });
    }
    let queue = repo
        .queue(ticket.queue_id)?
        .ok_or_else(|| RepositoryError::Internal(format!("ticket {} has no queue", ticket.id)))?;
    let target = match action {
        TicketAction::Redirect { queue_id } => repo.queue(*queue_id)?,
        _ => None,
    };
    let change = ticket.perform(
        action,
        actor.user,
        now.at,
        now.today(),
        &queue,
        target.as_ref(),
    )?;
    store_change(repo, &ticket, &change.ticket)?;
    repo.append_ticket_event(&change.event)?;
    if change.event.action == TicketActionKind::Recall
        && let Some(window) = change
            .ticket
            .window_id
            .map(|w| repo.window(w))
            .transpose()?
            .flatten()
    {
        tell_call(repo, &change.ticket, &window, true, now)?;
    }
    tell_waiting(repo, ticket.center_id, now)?;
    Ok(change.ticket)
}

/// A clerk acts on tickets of their own centre, and on what happens at a counter only at
/// their own window; supervisors act on any.
fn authorize<R: QueueStore>(
    repo: &mut R,
    ticket: &Ticket,
    action: &TicketAction,
    actor: TicketActor,
) -> Result<(), QueueWorkflowError> {
    if actor.supervising {
        return Ok(());
    }
    let Some(window_id) = actor.window else {
        return Err(QueueWorkflowError::Forbidden(
            "only a clerk with a window or a supervisor acts on tickets",
        ));
    };
    let window = repo
        .window(window_id)?
        .ok_or(QueueWorkflowError::Forbidden(
            "your window no longer exists",
        ))?;
    if window.center_id != ticket.center_id {
        // Another centre's ticket is none of this clerk's business: it does not exist for them.
        return Err(QueueWorkflowError::NotFound);
    }
    if action.belongs_to_the_window() && ticket.window_id != Some(window.id) {
        return Err(QueueWorkflowError::Forbidden(
            "only the window the ticket was called to may do this",
        ));
    }
    Ok(())
}

/// Opens, pauses or closes a window for `clerk`; the stretch it ends is kept.
pub fn change_session<R: QueueStore>(
    repo: &mut R,
    window_id: WindowId,
    input: &WindowSessionInput,
    clerk: UserId,
    supervising: bool,
    now: HallTime,
) -> Result<WindowSession, QueueWorkflowError> {
    let window = repo
        .window(window_id)?
        .ok_or(QueueWorkflowError::NotFound)?;
    let current = repo
        .window_session(window.id)?
        .unwrap_or_else(|| WindowSession::never_opened(window.id, now.at));
    let (next, span) = current.change(input, clerk, supervising, now.at)?;
    if next == current {
        return Ok(next);
    }
    if !repo.put_window_session(&next)? {
        let stored = repo.window_session(window.id)?.map_or(0, |s| s.version);
        return Err(QueueWorkflowError::Stale {
            expected: current.version,
            current: stored,
        });
    }
    if let Some(span) = span {
        repo.insert_session_span(&span)?;
    }
    Ok(next)
}

fn store_change<R: QueueStore>(
    repo: &mut R,
    before: &Ticket,
    after: &Ticket,
) -> Result<(), QueueWorkflowError> {
    if repo.update_ticket(after)? {
        return Ok(());
    }
    let current = repo
        .ticket(before.id)?
        .map_or(before.version, |t| t.version);
    Err(QueueWorkflowError::Stale {
        expected: before.version,
        current,
    })
}
