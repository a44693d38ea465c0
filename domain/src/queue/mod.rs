//! The hall's front door (docs/DESIGN.md, "The queue"): queues of a centre, the tickets a
//! citizen takes (取号) and is called with (叫号), the order they are called in, and the
//! windows' sessions that decide who may call.

pub mod appointments;
mod definition;
mod display;
mod figures;
mod order;
mod screens;
mod session;
mod ticket;
mod transition;
pub mod workflow;

pub use appointments::{
    Appointment, AppointmentAction, AppointmentError, AppointmentEvent, AppointmentRules,
    AppointmentStatus, Booker, BookingCode, Slot, SlotInput,
};
pub use definition::{NoShowPolicy, Queue, QueueInput, serves};
pub use display::{DisplayEvent, DisplayMessage, QueueWaiting};
pub use figures::{
    FIGURE_COLUMNS, FigureSums, MAX_FIGURE_DAYS, NONE_KEY, QueueFigures, QueueGroup, TicketAsOf,
    TicketHistory, end_of_day, hour_key, tally, waiting_now,
};
pub use order::{QueueKey, position_of, take_next};
pub use session::{SessionError, SessionSpan, SessionState, WindowSession, WindowSessionInput};
pub use ticket::{ELDERLY_AGE, IssueError, Issuing, Priority, Ticket, TicketStatus, ticket_number};
pub use transition::{TicketAction, TicketActionKind, TicketChange, TicketError, TicketEvent};
