//! Offering slots, booking, cancelling and checking in against storage: load, decide with the
//! pure rules of this module, store the change with its event. Generic over the repository
//! traits, so each step runs in the caller's one transaction.

use chrono::{NaiveDate, NaiveDateTime};

use super::{
    Appointment, AppointmentError, AppointmentRules, AppointmentStatus, Booker, BookingCode, Slot,
    SlotInput,
};
use crate::ValidationErrors;
use crate::calendar::{CalendarError, Calendars};
use crate::ids::{CenterId, SlotId};
use crate::queue::Priority;
use crate::queue::workflow::{
    HallTime, Issued, QueueStore, QueueWorkflowError, TicketRequest, issue_ticket,
};
use crate::repository::{
    AppointmentRepository, CenterRepository, CheckInKey, RepositoryError, ServiceItemRepository,
};

/// Everything the appointment workflow reads and writes.
pub trait AppointmentStore:
    QueueStore + AppointmentRepository + CenterRepository + ServiceItemRepository
{
}

impl<T> AppointmentStore for T where
    T: QueueStore + AppointmentRepository + CenterRepository + ServiceItemRepository
{
}

/// Why the appointment workflow refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppointmentWorkflowError {
    /// No such centre, slot or appointment — or a code and ID number that do not go together.
    #[error("not found")]
    NotFound,
    /// The rules refused the step.
    #[error(transparent)]
    Refused(#[from] AppointmentError),
    /// The appointment changed while this step was deciding (a concurrent cancel or
    /// check-in came first).
    #[error("the appointment changed meanwhile: look at it again")]
    Stale,
    /// Invalid values.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// The calendar cannot say whether the centre is open that day.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The check-in's ticket was refused.
    #[error(transparent)]
    Queue(#[from] QueueWorkflowError),
    /// Storage failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

type Result<T> = std::result::Result<T, AppointmentWorkflowError>;

fn local(now: HallTime) -> NaiveDateTime {
    now.at.with_timezone(&now.offset).naive_local()
}

/// Offers the slots `input` describes in `center`: on a working day of the centre's calendar,
/// not in the past, for an active item, checked in to a queue of the centre.
pub fn create_slots<R: AppointmentStore>(
    repo: &mut R,
    calendars: &Calendars,
    center: CenterId,
    input: SlotInput,
    now: HallTime,
) -> Result<Vec<Slot>> {
    input.validate()?;
    match repo.center(center)? {
        Some(c) if c.active => {}
        _ => return Err(AppointmentWorkflowError::NotFound),
    }
    let mut errors = ValidationErrors::default();
    if repo
        .queue(input.queue_id)?
        .is_none_or(|q| q.center_id != center)
    {
        errors.add("queue_id", "names no queue of this centre");
    }
    if repo.item(input.item_id)?.is_none_or(|i| !i.active) {
        errors.add("item_id", "names no active service item");
    }
    if input.day < now.today() {
        errors.add("day", "is in the past");
    } else if !calendars.for_center(center).is_working_day(input.day)? {
        errors.add("day", "is not a working day of the centre's calendar");
    }
    errors.into_result()?;
    let slots = input.into_slots(center, now.at);
    for slot in &slots {
        repo.insert_slot(slot)?;
    }
    Ok(slots)
}

/// A booking just made, with the code to answer once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booked {
    /// The appointment.
    pub appointment: Appointment,
    /// Its slot, its place counted.
    pub slot: Slot,
    /// The booking code; only its hash is stored.
    pub code: BookingCode,
}

/// Books a place in `slot_id` for `booker`: one live booking per person and day, never more
/// places than the slot has, even when many book at once. `codes` draws fresh random codes.
pub fn book<R: AppointmentStore>(
    repo: &mut R,
    calendars: &Calendars,
    rules: &AppointmentRules,
    slot_id: SlotId,
    booker: &Booker,
    mut codes: impl FnMut() -> BookingCode,
    now: HallTime,
) -> Result<Booked> {
    booker.validate()?;
    let mut slot = repo
        .slot(slot_id)?
        .ok_or(AppointmentWorkflowError::NotFound)?;
    if repo.center(slot.center_id)?.is_none_or(|c| !c.active) {
        return Err(AppointmentWorkflowError::NotFound);
    }
    rules.can_book(&slot, local(now))?;
    // The calendar may have changed since the slot was offered.
    if !calendars
        .for_center(slot.center_id)
        .is_working_day(slot.day)?
    {
        return Err(AppointmentError::ClosedDay.into());
    }
    if repo.holds_appointment(&booker.id_number, slot.day)? {
        return Err(AppointmentError::AlreadyBooked.into());
    }
    // The free place read above may be gone: the update decides, one booking at a time.
    if !repo.take_place(slot.id)? {
        return Err(AppointmentError::SlotFull.into());
    }
    slot.booked += 1;
    // A code is looked up per centre and day; a repeat there (about one in 10^9 at a
    // thousand bookings a day) draws again.
    let mut code = codes();
    for _ in 0..4 {
        if !repo.code_in_use(slot.center_id, slot.day, &code)? {
            break;
        }
        code = codes();
    }
    let (appointment, event) = Appointment::book(&slot, now.at);
    repo.insert_appointment(&appointment, booker, &code)
        .map_err(|e| match e {
            RepositoryError::Conflict => AppointmentError::AlreadyBooked.into(),
            other => AppointmentWorkflowError::from(other),
        })?;
    repo.append_appointment_event(&event)?;
    Ok(Booked {
        appointment,
        slot,
        code,
    })
}

/// Cancels the appointment with `code` held by `id_number`, before the cut-off; its place is
/// free again.
pub fn cancel<R: AppointmentStore>(
    repo: &mut R,
    rules: &AppointmentRules,
    code: &BookingCode,
    id_number: &str,
    now: HallTime,
) -> Result<(Appointment, Slot)> {
    let appointment = repo
        .appointment_by_code_and_id(code, id_number)?
        .ok_or(AppointmentWorkflowError::NotFound)?;
    let slot = slot_of(repo, &appointment)?;
    let (after, event) = appointment.cancel(&slot, rules, now.at, local(now))?;
    store(repo, &after)?;
    repo.give_back_place(slot.id)?;
    repo.append_appointment_event(&event)?;
    Ok((after, slot))
}

/// Checks in, at a kiosk of `center`, today's appointment named by `key`: a priority ticket
/// in the slot's queue, issued the way every ticket is, and linked to the appointment.
pub fn check_in<R: AppointmentStore>(
    repo: &mut R,
    calendars: &Calendars,
    rules: &AppointmentRules,
    center: CenterId,
    key: CheckInKey<'_>,
    now: HallTime,
) -> Result<(Appointment, Issued)> {
    let appointment = repo
        .appointment_to_check_in(center, now.today(), key)?
        .ok_or(AppointmentWorkflowError::NotFound)?;
    let slot = slot_of(repo, &appointment)?;
    appointment.check_in_open(&slot, rules, local(now))?;
    let request = TicketRequest {
        queue_id: slot.queue_id,
        priority: Priority::Appointment,
        id_number: None,
        actor: None,
    };
    let issued = issue_ticket(repo, calendars, &request, now)?;
    let (after, event) =
        appointment.check_in(&slot, rules, now.at, local(now), issued.ticket.id)?;
    store(repo, &after)?;
    repo.append_appointment_event(&event)?;
    Ok((after, issued))
}

/// A slot as staff see it: its places, and what became of its bookings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotStanding {
    /// The slot.
    pub slot: Slot,
    /// Bookings checked in.
    pub checked_in: u32,
    /// Bookings still waiting for their holder.
    pub waiting: u32,
    /// Bookings whose check-in closed before their holder came (爽约).
    pub no_shows: u32,
    /// Bookings cancelled.
    pub cancelled: u32,
}

/// A centre's slots on `day` with what became of their bookings at `now`.
pub fn slot_standings<R: AppointmentStore>(
    repo: &mut R,
    rules: &AppointmentRules,
    center: CenterId,
    day: NaiveDate,
    now: HallTime,
) -> Result<Vec<SlotStanding>> {
    let tallies = repo.slot_tallies(center, day)?;
    let now = local(now);
    Ok(repo
        .slots_of(center, day, day, None)?
        .into_iter()
        .map(|slot| {
            let count = |status| {
                tallies
                    .iter()
                    .filter(|t| t.slot_id == slot.id && t.status == status)
                    .map(|t| t.count)
                    .sum()
            };
            let booked = count(AppointmentStatus::Booked);
            let missed = now > rules.check_in_closes(&slot);
            SlotStanding {
                checked_in: count(AppointmentStatus::CheckedIn),
                cancelled: count(AppointmentStatus::Cancelled),
                waiting: if missed { 0 } else { booked },
                no_shows: if missed { booked } else { 0 },
                slot,
            }
        })
        .collect())
}

fn slot_of<R: AppointmentStore>(repo: &mut R, appointment: &Appointment) -> Result<Slot> {
    repo.slot(appointment.slot_id)?.ok_or_else(|| {
        RepositoryError::Internal(format!("appointment {} has no slot", appointment.id)).into()
    })
}

fn store<R: AppointmentStore>(repo: &mut R, after: &Appointment) -> Result<()> {
    if repo.update_appointment(after)? {
        return Ok(());
    }
    Err(AppointmentWorkflowError::Stale)
}
