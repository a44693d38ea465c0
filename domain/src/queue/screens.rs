//! What the screens are told after a change to the queue, in the change's transaction: a
//! call to a window, and how many wait in each queue.

use chrono::NaiveDate;

use super::workflow::{HallTime, QueueStore, QueueWorkflowError};
use super::{DisplayMessage, QueueWaiting, Ticket};
use crate::catalogue::Window;
use crate::ids::CenterId;

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
    let message = DisplayMessage::Waiting {
        queues: waiting_now(repo, center, now.today())?,
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
    Ok(repo
        .queues_of(center)?
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
        .collect())
}
