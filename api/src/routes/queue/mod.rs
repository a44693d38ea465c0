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

use crate::auth::Identity;
use crate::state::AppState;

/// The request's moment on the hall's clock.
pub(crate) fn hall_time(state: &AppState) -> HallTime {
    HallTime {
        at: state.now().at,
        offset: state.settings.utc_offset,
    }
}

/// The caller as the ticket workflow needs them: supervisors and administrators act on any
/// ticket, a clerk as the clerk of their window.
pub(crate) fn ticket_actor(identity: &Identity) -> TicketActor {
    TicketActor {
        user: identity.user_id,
        window: identity.window_id,
        supervising: supervises(identity),
    }
}

/// Whether the caller may act on any window and ticket.
pub(crate) fn supervises(identity: &Identity) -> bool {
    matches!(
        identity.role,
        domain::user::Role::Admin | domain::user::Role::Supervisor
    )
}
