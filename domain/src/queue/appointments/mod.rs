//! Appointments (预约, docs/DESIGN.md "Appointments"): slots a centre offers for an item on a
//! working day, bookings made by the public with a code, cancelled before a cut-off, checked
//! in at the kiosk as priority tickets, and counted as no-shows when their holder never came.

mod appointment;
mod booking;
mod rules;
mod slot;
pub mod workflow;

#[cfg(test)]
mod tests;

pub use appointment::{Appointment, AppointmentAction, AppointmentEvent, AppointmentStatus};
pub use booking::{
    BOOKING_CODE_ALPHABET, BOOKING_CODE_LEN, BOOKING_CODE_PATTERN, Booker, BookingCode,
    RESIDENT_ID_RULE,
};
pub use rules::{AppointmentError, AppointmentRules};
pub use slot::{MAX_CAPACITY, MAX_SERIES, Slot, SlotInput};
