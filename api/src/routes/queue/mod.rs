//! The hall's front door for staff (docs/DESIGN.md, "The queue"): queues of a centre
//! (`queues`), tickets issued at the door and acted on at the counter (`tickets`), and each
//! window's session and its call of the next ticket (`windows`). The kiosk's side is in
//! `routes::public::tickets`.

mod queues;
mod tickets;
mod windows;

pub use queues::*;
pub use tickets::*;
pub use windows::*;

use domain::queue::workflow::{HallTime, TicketActor};

use domain::ids::WindowId;
use domain::permission::Permission;

use crate::auth::{Identity, window_in_reach};
use crate::problem::ApiError;
use crate::state::AppState;

/// The request's moment on the hall's clock.
pub(crate) fn hall_time(state: &AppState) -> HallTime {
    HallTime {
        at: state.now().at,
        offset: state.settings.utc_offset,
    }
}

/// The caller as the ticket workflow needs them: those whose reach over cases is everywhere
/// (supervisors, administrators) act on any ticket, a clerk as the clerk of their window.
pub(crate) fn ticket_actor(identity: &Identity) -> Result<TicketActor, ApiError> {
    let own_window = identity.case_scope(Permission::HandleCases)?;
    Ok(TicketActor {
        user: identity.user_id,
        window: own_window,
        supervising: own_window.is_none(),
    })
}

/// The window asked for, when it is in the caller's reach: a clerk's own, anyone's for those
/// who reach every window; and whether the caller reaches every window.
pub(crate) fn window_reached(
    identity: &Identity,
    window: WindowId,
) -> Result<(WindowId, bool), ApiError> {
    let own_window = identity.case_scope(Permission::HandleCases)?;
    let reached = window_in_reach(own_window, Some(window), "this is another clerk's window")?;
    Ok((reached.unwrap_or(window), own_window.is_none()))
}
