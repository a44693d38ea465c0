//! The rows of slots, appointments and their events, and how they map to the domain's values;
//! the person's columns are sealed here and the code and ID number hashed.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use domain::queue::{Appointment, AppointmentEvent, AppointmentStatus, Booker, BookingCode, Slot};
use domain::repository::{RepositoryError, RepositoryResult};

use crate::convert::{count, id, int, named, utc};
use crate::personal::DataKeys;
use crate::schema::{appointment_events, appointment_slots, appointments};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = appointment_slots)]
pub(super) struct SlotRow {
    id: String,
    center_id: String,
    item_id: String,
    queue_id: String,
    day: NaiveDate,
    starts_at: String,
    ends_at: String,
    capacity: i32,
    booked: i32,
    created_at: NaiveDateTime,
}

fn time(text: &str) -> RepositoryResult<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M:%S")
        .map_err(|_| RepositoryError::Internal(format!("stored time {text:?} is not HH:MM:SS")))
}

impl SlotRow {
    pub(super) fn from_domain(s: &Slot) -> Self {
        Self {
            id: s.id.to_string(),
            center_id: s.center_id.to_string(),
            item_id: s.item_id.to_string(),
            queue_id: s.queue_id.to_string(),
            day: s.day,
            // Text in HH:MM:SS sorts as the time does, on both databases.
            starts_at: s.starts_at.format("%H:%M:%S").to_string(),
            ends_at: s.ends_at.format("%H:%M:%S").to_string(),
            capacity: int(s.capacity),
            booked: int(s.booked),
            created_at: s.created_at.naive_utc(),
        }
    }

    pub(super) fn into_domain(self) -> RepositoryResult<Slot> {
        Ok(Slot {
            id: id(&self.id)?,
            center_id: id(&self.center_id)?,
            item_id: id(&self.item_id)?,
            queue_id: id(&self.queue_id)?,
            day: self.day,
            starts_at: time(&self.starts_at)?,
            ends_at: time(&self.ends_at)?,
            capacity: count(self.capacity)?,
            booked: count(self.booked)?,
            created_at: utc(self.created_at),
        })
    }
}

/// The columns a change may touch; the person, the hashes and the slot are written once.
#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = appointments, treat_none_as_null = true)]
pub(super) struct AppointmentRow {
    id: String,
    slot_id: String,
    center_id: String,
    day: NaiveDate,
    status: String,
    ticket_id: Option<String>,
    created_at: NaiveDateTime,
    version: i64,
}

impl AppointmentRow {
    pub(super) fn from_domain(a: &Appointment) -> Self {
        Self {
            id: a.id.to_string(),
            slot_id: a.slot_id.to_string(),
            center_id: a.center_id.to_string(),
            day: a.day,
            status: a.status.as_str().to_owned(),
            ticket_id: a.ticket_id.map(|t| t.to_string()),
            created_at: a.created_at.naive_utc(),
            version: a.version,
        }
    }

    pub(super) fn into_domain(self) -> RepositoryResult<Appointment> {
        Ok(Appointment {
            id: id(&self.id)?,
            slot_id: id(&self.slot_id)?,
            center_id: id(&self.center_id)?,
            day: self.day,
            status: named(&self.status, AppointmentStatus::parse)?,
            ticket_id: self.ticket_id.as_deref().map(id).transpose()?,
            created_at: utc(self.created_at),
            version: self.version,
        })
    }
}

/// The associated data of each sealed column: a value opens only in its column and row.
const NAME: &str = "appointments.name";
const ID_NUMBER: &str = "appointments.id_number";
pub(crate) const PHONE: &str = "appointments.phone";

/// The sealed and hashed columns of a new appointment.
#[derive(Insertable)]
#[diesel(table_name = appointments)]
pub(super) struct PersonColumns {
    code_hash: String,
    id_hash: String,
    name_sealed: String,
    id_number_sealed: String,
    phone_sealed: String,
    sms_opt_out: bool,
}

impl PersonColumns {
    pub(super) fn seal(keys: &DataKeys, row: &str, booker: &Booker, code: &BookingCode) -> Self {
        Self {
            code_hash: code_hashes(keys, code).swap_remove(0),
            id_hash: keys.search_hash(&booker.id_number),
            name_sealed: keys.seal(row, NAME, &booker.name),
            id_number_sealed: keys.seal(row, ID_NUMBER, &booker.id_number),
            phone_sealed: keys.seal(row, PHONE, &booker.phone),
            sms_opt_out: booker.sms_opt_out,
        }
    }
}

/// The keyed hashes of a booking code under every data key, the current one first. The
/// prefix keeps a code's hash apart from any ID number's under the same key.
pub(super) fn code_hashes(keys: &DataKeys, code: &BookingCode) -> Vec<String> {
    keys.search_hashes(&format!("booking-code:{}", code.as_str()))
}

#[derive(Insertable)]
#[diesel(table_name = appointment_events)]
pub(super) struct EventRow {
    id: String,
    appointment_id: String,
    action: String,
    at: NaiveDateTime,
    ticket_id: Option<String>,
}

impl EventRow {
    pub(super) fn from_domain(e: &AppointmentEvent) -> Self {
        Self {
            id: e.id.to_string(),
            appointment_id: e.appointment_id.to_string(),
            action: e.action.as_str().to_owned(),
            at: e.at.naive_utc(),
            ticket_id: e.ticket_id.map(|t| t.to_string()),
        }
    }
}
