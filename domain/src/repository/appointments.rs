//! What appointments need from storage: slots with their places taken under concurrency,
//! bookings with the person sealed and their code and ID number kept as keyed hashes, and
//! their events.

use chrono::NaiveDate;

use super::RepositoryResult;
use crate::ids::{CenterId, ServiceItemId, SlotId};
use crate::queue::{Appointment, AppointmentEvent, AppointmentStatus, Booker, BookingCode, Slot};

/// How a kiosk names the appointment it checks in.
#[derive(Debug, Clone, Copy)]
pub enum CheckInKey<'a> {
    /// By the code given at booking.
    Code(&'a BookingCode),
    /// By the resident ID number read from the holder's card.
    IdNumber(&'a str),
}

/// How many appointments of a slot stand in one stored status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotTally {
    /// The slot.
    pub slot_id: SlotId,
    /// The stored status (never `no_show`, which is judged from the time).
    pub status: AppointmentStatus,
    /// How many.
    pub count: u32,
}

/// Storage of slots and appointments.
pub trait AppointmentRepository {
    /// Stores a new slot.
    fn insert_slot(&mut self, slot: &Slot) -> RepositoryResult<()>;
    /// The slot with this id.
    fn slot(&mut self, id: SlotId) -> RepositoryResult<Option<Slot>>;
    /// A centre's slots from one day to another (both included), of one item when given,
    /// by day and start.
    fn slots_of(
        &mut self,
        center: CenterId,
        from: NaiveDate,
        to: NaiveDate,
        item: Option<ServiceItemId>,
    ) -> RepositoryResult<Vec<Slot>>;
    /// Takes one place of a slot if one is free, in one statement, so that concurrent
    /// bookings never take more places than there are; `false` when none was free.
    fn take_place(&mut self, slot: SlotId) -> RepositoryResult<bool>;
    /// Gives a place of a slot back.
    fn give_back_place(&mut self, slot: SlotId) -> RepositoryResult<()>;
    /// Whether the holder of `id_number` holds a live (booked or checked-in) appointment on
    /// `day`, at any centre.
    fn holds_appointment(&mut self, id_number: &str, day: NaiveDate) -> RepositoryResult<bool>;
    /// Whether a live appointment of `center` on `day` already has this code.
    fn code_in_use(
        &mut self,
        center: CenterId,
        day: NaiveDate,
        code: &BookingCode,
    ) -> RepositoryResult<bool>;
    /// Stores a new appointment with the person sealed and the code hashed; `Conflict` when
    /// the person already holds a live one that day (a concurrent booking came first).
    fn insert_appointment(
        &mut self,
        appointment: &Appointment,
        booker: &Booker,
        code: &BookingCode,
    ) -> RepositoryResult<()>;
    /// Stores a changed appointment if the stored one is still at `version - 1`; `false`
    /// when another change came first.
    fn update_appointment(&mut self, appointment: &Appointment) -> RepositoryResult<bool>;
    /// The appointment with this code whose holder has this ID number, on any day.
    fn appointment_by_code_and_id(
        &mut self,
        code: &BookingCode,
        id_number: &str,
    ) -> RepositoryResult<Option<Appointment>>;
    /// The live appointment of `center` on `day` named by `key` (by ID number: only one still
    /// booked).
    fn appointment_to_check_in(
        &mut self,
        center: CenterId,
        day: NaiveDate,
        key: CheckInKey<'_>,
    ) -> RepositoryResult<Option<Appointment>>;
    /// Appends an appointment's event.
    fn append_appointment_event(&mut self, event: &AppointmentEvent) -> RepositoryResult<()>;
    /// How many appointments of a centre's slots on `day` stand in each stored status.
    fn slot_tallies(
        &mut self,
        center: CenterId,
        day: NaiveDate,
    ) -> RepositoryResult<Vec<SlotTally>>;
}
