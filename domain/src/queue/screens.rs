//! What the screens are told after a change to the queue, in the change's transaction: a
//! call to a window, and how many wait in each queue.

use chrono::NaiveDate;

use super::workflow::{HallTime, QueueStore, QueueWorkflowError};
use super::{DisplayMessage, Queue, QueueWaiting, Ticket};
use crate::catalogue::Window;
use crate::ids::CenterId;
use crate::repository::QueueLine;

/// Tells the screens of the ticket's centre that it is called (again) to `window`.
pub(super) fn tell_call<R: QueueStore>(
    repo: &mut R,
    ticket: &Ticket,
    window: &Window,
    recall: bool,
    now: HallTime,
) -> Result<(), QueueWorkflowError> {
    let message = DisplayMessage::Call {
        ticket: ticket.number.clone(),
        window_number: window.number,
        window_id: window.id,
        queue_id: ticket.queue_id,
        recall,
    };
    repo.append_display(ticket.center_id, Some(window.id), &message, now.at)?;
    Ok(())
}

/// Tells the screens of `center` how many wait in each of its active queues now.
pub fn tell_waiting<R: QueueStore>(
    repo: &mut R,
    center: CenterId,
    now: HallTime,
) -> Result<(), QueueWorkflowError> {
    let queues = repo.queues_of(center)?;
    tell_waiting_in(repo, center, queues, now)
}

/// As [`tell_waiting`], with the centre's queues the transaction has read already. Only the
/// count must come after the screens' lock (taken by a call told before it), to see the calls
/// committed before; a round trip less while every window of the centre waits.
pub(super) fn tell_waiting_in<R: QueueStore>(
    repo: &mut R,
    center: CenterId,
    queues: Vec<Queue>,
    now: HallTime,
) -> Result<(), QueueWorkflowError> {
    let counts = repo.waiting_now(center, now.today())?;
    let message = DisplayMessage::Waiting {
        queues: waiting_among(&counts, queues),
    };
    repo.append_display(center, None, &message, now.at)?;
    Ok(())
}

/// People waiting in each active queue of `center` on `day`.
pub fn waiting_now<R: QueueStore>(
    repo: &mut R,
    center: CenterId,
    day: NaiveDate,
) -> Result<Vec<QueueWaiting>, QueueWorkflowError> {
    let counts = repo.waiting_now(center, day)?;
    Ok(waiting_among(&counts, repo.queues_of(center)?))
}

/// The active ones of `queues`, each with its count of `counts` (none: nobody waits).
fn waiting_among(counts: &[QueueLine], queues: Vec<Queue>) -> Vec<QueueWaiting> {
    queues
        .into_iter()
        .filter(|q| q.active)
        .map(|q| {
            let waiting = counts
                .iter()
                .find(|line| line.queue_id == q.id)
                .map_or(0, |line| line.waiting);
            QueueWaiting {
                queue_id: q.id,
                warning: waiting >= q.waiting_warning,
                prefix: q.prefix,
                name: q.name,
                waiting,
            }
        })
        .collect()
}
