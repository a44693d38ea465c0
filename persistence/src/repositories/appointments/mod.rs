//! Slots and appointments: a place taken by one conditional update, so concurrent bookings
//! never overfill a slot on either database; the person sealed, the code and ID number found
//! by their keyed hashes under every data key.

mod rows;

pub(crate) use rows::PHONE;

use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;
use domain::ids::{CenterId, ServiceItemId, SlotId};
use domain::queue::{Appointment, AppointmentEvent, AppointmentStatus, Booker, BookingCode, Slot};
use domain::repository::{AppointmentRepository, CheckInKey, RepositoryResult, SlotTally};

use self::rows::{AppointmentRow, EventRow, PersonColumns, SlotRow, code_hashes};
use crate::AnyConnection;
use crate::convert::{count, id, named};
use crate::error::db;
use crate::personal;
use crate::schema::{appointment_events, appointment_slots, appointments};

const CANCELLED: &str = "cancelled";
const BOOKED: &str = "booked";

impl AppointmentRepository for AnyConnection {
    fn insert_slot(&mut self, slot: &Slot) -> RepositoryResult<()> {
        diesel::insert_into(appointment_slots::table)
            .values(SlotRow::from_domain(slot))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn slot(&mut self, slot: SlotId) -> RepositoryResult<Option<Slot>> {
        appointment_slots::table
            .find(slot.to_string())
            .select(SlotRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?
            .map(SlotRow::into_domain)
            .transpose()
    }

    fn slots_of(
        &mut self,
        center: CenterId,
        from: NaiveDate,
        to: NaiveDate,
        item: Option<ServiceItemId>,
    ) -> RepositoryResult<Vec<Slot>> {
        let mut query = appointment_slots::table
            .filter(appointment_slots::center_id.eq(center.to_string()))
            .filter(appointment_slots::day.between(from, to))
            .into_boxed();
        if let Some(item) = item {
            query = query.filter(appointment_slots::item_id.eq(item.to_string()));
        }
        query
            .order((
                appointment_slots::day,
                appointment_slots::starts_at,
                appointment_slots::id,
            ))
            .select(SlotRow::as_select())
            .load(self)
            .map_err(db)?
            .into_iter()
            .map(SlotRow::into_domain)
            .collect()
    }

    fn take_place(&mut self, slot: SlotId) -> RepositoryResult<bool> {
        // The condition is judged on the row as it stands when the update gets it: on
        // PostgreSQL after a concurrent booking's commit (the row lock makes it wait), on
        // SQLite under the single write lock. One row changed means one place taken.
        let taken = diesel::update(
            appointment_slots::table
                .find(slot.to_string())
                .filter(appointment_slots::booked.lt(appointment_slots::capacity)),
        )
        .set(appointment_slots::booked.eq(appointment_slots::booked + 1))
        .execute(self)
        .map_err(db)?;
        Ok(taken == 1)
    }

    fn give_back_place(&mut self, slot: SlotId) -> RepositoryResult<()> {
        diesel::update(
            appointment_slots::table
                .find(slot.to_string())
                .filter(appointment_slots::booked.gt(0)),
        )
        .set(appointment_slots::booked.eq(appointment_slots::booked - 1))
        .execute(self)
        .map_err(db)?;
        Ok(())
    }

    fn holds_appointment(&mut self, id_number: &str, day: NaiveDate) -> RepositoryResult<bool> {
        // Every key's hash, so a booking made before a key rotation still counts.
        let hashes = personal::keys()?.search_hashes(id_number);
        let live: i64 = appointments::table
            .filter(appointments::id_hash.eq_any(hashes))
            .filter(appointments::day.eq(day))
            .filter(appointments::status.ne(CANCELLED))
            .count()
            .get_result(self)
            .map_err(db)?;
        Ok(live > 0)
    }

    fn code_in_use(
        &mut self,
        center: CenterId,
        day: NaiveDate,
        code: &BookingCode,
    ) -> RepositoryResult<bool> {
        let used: i64 = appointments::table
            .filter(appointments::center_id.eq(center.to_string()))
            .filter(appointments::day.eq(day))
            .filter(appointments::code_hash.eq_any(code_hashes(&*personal::keys()?, code)))
            .count()
            .get_result(self)
            .map_err(db)?;
        Ok(used > 0)
    }

    fn insert_appointment(
        &mut self,
        appointment: &Appointment,
        booker: &Booker,
        code: &BookingCode,
    ) -> RepositoryResult<()> {
        let keys = personal::keys()?;
        let row = AppointmentRow::from_domain(appointment);
        let person = PersonColumns::seal(&keys, &appointment.id.to_string(), booker, code);
        diesel::insert_into(appointments::table)
            .values((row, person))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn update_appointment(&mut self, appointment: &Appointment) -> RepositoryResult<bool> {
        let updated = diesel::update(
            appointments::table
                .find(appointment.id.to_string())
                .filter(appointments::version.eq(appointment.version - 1)),
        )
        .set(AppointmentRow::from_domain(appointment))
        .execute(self)
        .map_err(db)?;
        Ok(updated == 1)
    }

    fn appointment_by_code_and_id(
        &mut self,
        code: &BookingCode,
        id_number: &str,
    ) -> RepositoryResult<Option<Appointment>> {
        let keys = personal::keys()?;
        appointments::table
            .filter(appointments::code_hash.eq_any(code_hashes(&keys, code)))
            .filter(appointments::id_hash.eq_any(keys.search_hashes(id_number)))
            .order(appointments::id.desc())
            .select(AppointmentRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?
            .map(AppointmentRow::into_domain)
            .transpose()
    }

    fn appointment_to_check_in(
        &mut self,
        center: CenterId,
        day: NaiveDate,
        key: CheckInKey<'_>,
    ) -> RepositoryResult<Option<Appointment>> {
        let keys = personal::keys()?;
        let query = appointments::table
            .filter(appointments::center_id.eq(center.to_string()))
            .filter(appointments::day.eq(day))
            .filter(appointments::status.ne(CANCELLED))
            .into_boxed();
        let query = match key {
            CheckInKey::Code(code) => {
                query.filter(appointments::code_hash.eq_any(code_hashes(&keys, code)))
            }
            // By ID card only a booking still to check in: the card of someone who checked
            // in already finds nothing, so a kiosk learns nothing more from a card than that.
            CheckInKey::IdNumber(number) => query
                .filter(appointments::id_hash.eq_any(keys.search_hashes(number)))
                .filter(appointments::status.eq(BOOKED)),
        };
        query
            .select(AppointmentRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?
            .map(AppointmentRow::into_domain)
            .transpose()
    }

    fn append_appointment_event(&mut self, event: &AppointmentEvent) -> RepositoryResult<()> {
        diesel::insert_into(appointment_events::table)
            .values(EventRow::from_domain(event))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn slot_tallies(
        &mut self,
        center: CenterId,
        day: NaiveDate,
    ) -> RepositoryResult<Vec<SlotTally>> {
        let rows: Vec<(String, String, i64)> = appointments::table
            .filter(appointments::center_id.eq(center.to_string()))
            .filter(appointments::day.eq(day))
            .group_by((appointments::slot_id, appointments::status))
            .select((appointments::slot_id, appointments::status, count_star()))
            .load(self)
            .map_err(db)?;
        rows.into_iter()
            .map(|(slot, status, n)| {
                Ok(SlotTally {
                    slot_id: id(&slot)?,
                    status: named(&status, AppointmentStatus::parse)?,
                    count: count(i32::try_from(n).unwrap_or(i32::MAX))?,
                })
            })
            .collect()
    }
}
