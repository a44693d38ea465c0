//! The hall's timing rules for appointments (docs/DESIGN.md, "Appointments"): when a slot
//! takes a booking, until when a booking can be cancelled, and when check-in is open.

use chrono::{NaiveDateTime, TimeDelta};

use super::{AppointmentStatus, Slot};

/// The hall's timing rules for appointments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppointmentRules {
    /// How long before its slot starts an appointment can still be cancelled
    /// (`HALL_APPOINTMENT_CANCEL_BEFORE_MINUTES`).
    pub cancel_before: TimeDelta,
    /// How long before its slot starts check-in opens.
    pub check_in_early: TimeDelta,
    /// How long after its slot ends check-in stays open; then it is a no-show.
    pub grace: TimeDelta,
}

impl Default for AppointmentRules {
    /// Cancel up to 2 hours before, the cut-off of a 行政服务中心's booking notice
    /// (docs/research/queue.md §2); check in from 30 minutes before the slot until 15
    /// minutes after it (the research found no rule for lateness and suggests 15).
    fn default() -> Self {
        Self {
            cancel_before: TimeDelta::minutes(120),
            check_in_early: TimeDelta::minutes(30),
            grace: TimeDelta::minutes(15),
        }
    }
}

/// Why an appointment step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppointmentError {
    /// Every place of the slot is taken.
    #[error("every place of this slot is taken")]
    SlotFull,
    /// The slot has begun; it takes no more bookings.
    #[error("this slot has begun and takes no more bookings")]
    SlotStarted,
    /// The centre's calendar closes the slot's day.
    #[error("the centre is closed on this slot's day")]
    ClosedDay,
    /// The person already holds a booking that day.
    #[error("a booking in this name already holds a place on that day")]
    AlreadyBooked,
    /// Past the cancellation cut-off.
    #[error("appointments can be cancelled until {until}, the centre's local time")]
    CancellationClosed {
        /// The last local moment it could be cancelled.
        until: NaiveDateTime,
    },
    /// Outside the check-in window.
    #[error(
        "check-in for this appointment is open from {opens} to {closes}, the centre's local time"
    )]
    CheckInClosed {
        /// Local moment check-in opens.
        opens: NaiveDateTime,
        /// Local moment it closes.
        closes: NaiveDateTime,
    },
    /// The appointment's state does not allow the step.
    #[error("the appointment is {}, so it cannot be {action}", .status.as_str())]
    NotAllowed {
        /// Its status.
        status: AppointmentStatus,
        /// The step asked for.
        action: &'static str,
    },
}

impl AppointmentRules {
    /// Whether `slot` takes a booking at local moment `now`: before it starts, with a place.
    pub fn can_book(&self, slot: &Slot, now: NaiveDateTime) -> Result<(), AppointmentError> {
        if now >= slot.start() {
            return Err(AppointmentError::SlotStarted);
        }
        if slot.free() == 0 {
            return Err(AppointmentError::SlotFull);
        }
        Ok(())
    }

    /// The local moment check-in for `slot` closes; a booked appointment still booked then is
    /// a no-show.
    pub fn check_in_closes(&self, slot: &Slot) -> NaiveDateTime {
        slot.end() + self.grace
    }
}
