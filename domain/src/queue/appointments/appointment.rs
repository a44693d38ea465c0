//! An appointment (预约): one person's place in a slot, the code that finds it again, and
//! when it may be booked, cancelled and checked in (docs/DESIGN.md, "Appointments").

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AppointmentError, AppointmentRules, Slot};
use crate::ids::{AppointmentEventId, AppointmentId, CenterId, SlotId, TicketId};

/// Where an appointment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    /// Holding a place in its slot.
    Booked,
    /// Given up by the citizen before the cut-off; its place is free again.
    Cancelled,
    /// Turned into a priority ticket at the kiosk.
    CheckedIn,
    /// 爽约: still booked when check-in closed. Never stored: a booked appointment is one
    /// from that moment on, so the count is exact at any time without a sweep.
    NoShow,
}

impl AppointmentStatus {
    /// Every status.
    pub const ALL: [AppointmentStatus; 4] =
        [Self::Booked, Self::Cancelled, Self::CheckedIn, Self::NoShow];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Cancelled => "cancelled",
            Self::CheckedIn => "checked_in",
            Self::NoShow => "no_show",
        }
    }

    /// The status with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// An appointment; the person's name, ID number and phone are kept sealed in storage only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Appointment {
    /// Its identifier.
    pub id: AppointmentId,
    /// The slot it holds a place in.
    pub slot_id: SlotId,
    /// The slot's centre.
    pub center_id: CenterId,
    /// The slot's local day.
    pub day: chrono::NaiveDate,
    /// Where it stands, as stored (`no_show` is judged with [`Appointment::standing`]).
    pub status: AppointmentStatus,
    /// The ticket it became at check-in.
    pub ticket_id: Option<TicketId>,
    /// Bumped by every change; a change names the version it read.
    pub version: i64,
    /// When it was booked.
    pub created_at: DateTime<Utc>,
}

/// What happened to an appointment; appended, never edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentAction {
    /// Booked.
    Book,
    /// Cancelled by the citizen.
    Cancel,
    /// Checked in at the kiosk.
    CheckIn,
}

impl AppointmentAction {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Book => "book",
            Self::Cancel => "cancel",
            Self::CheckIn => "check_in",
        }
    }
}

/// One step of an appointment's life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentEvent {
    /// Its identifier.
    pub id: AppointmentEventId,
    /// The appointment.
    pub appointment_id: AppointmentId,
    /// What happened.
    pub action: AppointmentAction,
    /// When.
    pub at: DateTime<Utc>,
    /// The ticket issued, for a check-in.
    pub ticket_id: Option<TicketId>,
}

impl Appointment {
    /// A new booking of `slot`, made at `at`.
    pub fn book(slot: &Slot, at: DateTime<Utc>) -> (Self, AppointmentEvent) {
        let appointment = Self {
            id: AppointmentId::new(),
            slot_id: slot.id,
            center_id: slot.center_id,
            day: slot.day,
            status: AppointmentStatus::Booked,
            ticket_id: None,
            version: 1,
            created_at: at,
        };
        let event = appointment.event(AppointmentAction::Book, at, None);
        (appointment, event)
    }

    /// Where it stands at local moment `now`: a booking check-in has closed on is a no-show.
    pub fn standing(
        &self,
        slot: &Slot,
        rules: &AppointmentRules,
        now: NaiveDateTime,
    ) -> AppointmentStatus {
        match self.status {
            AppointmentStatus::Booked if now > rules.check_in_closes(slot) => {
                AppointmentStatus::NoShow
            }
            status => status,
        }
    }

    /// Cancelled at `at` (local `now`), if still booked and before the cut-off.
    pub fn cancel(
        &self,
        slot: &Slot,
        rules: &AppointmentRules,
        at: DateTime<Utc>,
        now: NaiveDateTime,
    ) -> Result<(Self, AppointmentEvent), AppointmentError> {
        let until = slot.start() - rules.cancel_before;
        if self.status == AppointmentStatus::Booked && now > until {
            return Err(AppointmentError::CancellationClosed { until });
        }
        self.allows(slot, rules, now, "cancelled")?;
        Ok(self.next(AppointmentStatus::Cancelled, None, at))
    }

    /// Checked in at `at` (local `now`) as `ticket`, if booked and within the window.
    pub fn check_in(
        &self,
        slot: &Slot,
        rules: &AppointmentRules,
        at: DateTime<Utc>,
        now: NaiveDateTime,
        ticket: TicketId,
    ) -> Result<(Self, AppointmentEvent), AppointmentError> {
        self.check_in_open(slot, rules, now)?;
        Ok(self.next(AppointmentStatus::CheckedIn, Some(ticket), at))
    }

    /// Whether it may be checked in at local moment `now`: asked before a ticket is issued.
    pub fn check_in_open(
        &self,
        slot: &Slot,
        rules: &AppointmentRules,
        now: NaiveDateTime,
    ) -> Result<(), AppointmentError> {
        let opens = slot.start() - rules.check_in_early;
        let closes = rules.check_in_closes(slot);
        if self.status == AppointmentStatus::Booked && (now < opens || now > closes) {
            return Err(AppointmentError::CheckInClosed { opens, closes });
        }
        self.allows(slot, rules, now, "checked in")
    }

    fn allows(
        &self,
        slot: &Slot,
        rules: &AppointmentRules,
        now: NaiveDateTime,
        action: &'static str,
    ) -> Result<(), AppointmentError> {
        match self.standing(slot, rules, now) {
            AppointmentStatus::Booked => Ok(()),
            status => Err(AppointmentError::NotAllowed { status, action }),
        }
    }

    fn next(
        &self,
        status: AppointmentStatus,
        ticket: Option<TicketId>,
        at: DateTime<Utc>,
    ) -> (Self, AppointmentEvent) {
        let after = Self {
            status,
            ticket_id: ticket.or(self.ticket_id),
            version: self.version + 1,
            ..self.clone()
        };
        let action = match status {
            AppointmentStatus::CheckedIn => AppointmentAction::CheckIn,
            _ => AppointmentAction::Cancel,
        };
        let event = after.event(action, at, ticket);
        (after, event)
    }

    fn event(
        &self,
        action: AppointmentAction,
        at: DateTime<Utc>,
        ticket_id: Option<TicketId>,
    ) -> AppointmentEvent {
        AppointmentEvent {
            id: AppointmentEventId::new(),
            appointment_id: self.id,
            action,
            at,
            ticket_id,
        }
    }
}
