//! Intake (受理): an application at a window, checked, then opened as a case accepted or
//! refused at the counter.

use chrono::{DateTime, NaiveDate, Utc};

use super::{
    ActionKind, Applicant, Case, CaseError, CaseEvent, CaseMaterials, CaseStatus, DeadlineClock,
    EventDetails, MaterialState, MaterialsAtIntake, Performed,
};
use crate::ValidationErrors;
use crate::calendar::WorkingCalendar;
use crate::catalogue::{Center, ServiceItem, Window};
use crate::ids::{CaseId, UserId};
use crate::stats::{StatDelta, overdue_from};

/// Accept or refuse at intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeDecision {
    /// 受理.
    Accept,
    /// 不予受理, with the reason told to the applicant.
    Refuse {
        /// Why.
        reason: String,
    },
}

/// What is known of the materials at intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeMaterials {
    /// What the clerk recorded at the window.
    Recorded(MaterialsAtIntake),
    /// Every material of the guide handed in: a case imported from a system that kept no
    /// checklist, or generated for the demo hall.
    AllReceived,
}

/// An application at a window.
#[derive(Debug, Clone)]
pub struct Intake<'a> {
    /// The item applied for.
    pub item: &'a ServiceItem,
    /// The window receiving it.
    pub window: &'a Window,
    /// The window's centre; its code is the case number's region.
    pub center: &'a Center,
    /// Who applies.
    pub applicant: Applicant,
    /// The clerk's note.
    pub note: String,
    /// The materials received, and those deferred (容缺).
    pub materials: IntakeMaterials,
    /// Accept or refuse.
    pub decision: IntakeDecision,
}

impl Intake<'_> {
    /// The case's materials on the local date `today`: refused, naming each field, when an
    /// unknown material is named, one is named twice, or — to accept — a required one is
    /// neither received nor deferred to a later date.
    pub fn materials_on(&self, today: NaiveDate) -> Result<CaseMaterials, ValidationErrors> {
        match &self.materials {
            IntakeMaterials::AllReceived => {
                Ok(CaseMaterials::all_received(&self.item.materials, today))
            }
            IntakeMaterials::Recorded(given) => CaseMaterials::at_intake(
                &self.item.materials,
                given,
                today,
                self.decision == IntakeDecision::Accept,
            ),
        }
    }

    /// Checks everything about the application that does not need the database, on the
    /// local date `today`.
    pub fn validate_on(&self, today: NaiveDate) -> Result<(), ValidationErrors> {
        let mut errors = match self.validate() {
            Ok(()) => ValidationErrors::default(),
            Err(errors) => errors,
        };
        if let Err(more) = self.materials_on(today) {
            errors.errors.extend(more.errors);
        }
        errors.into_result()
    }

    /// Checks everything about the application that does not need the database.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = match self.applicant.validate() {
            Ok(()) => ValidationErrors::default(),
            Err(errors) => errors,
        };
        errors.optional_text("note", &self.note, 2000);
        if !self.item.active {
            errors.add("item_id", "the service item no longer accepts applications");
        }
        if !self.window.active {
            errors.add("window_id", "the window is closed");
        }
        if !self.window.serves(self.item.id) {
            errors.add("item_id", "the window does not handle this service item");
        }
        if let IntakeDecision::Refuse { reason } = &self.decision {
            errors.text("reason", reason, 2000);
        }
        errors.into_result()
    }

    /// Opens the case numbered `case_no` as of `at` (local date `today`), with its intake
    /// event.
    pub fn open(
        self,
        case_no: String,
        at: DateTime<Utc>,
        today: NaiveDate,
        actor: UserId,
        calendar: &WorkingCalendar,
    ) -> Result<Performed, CaseError> {
        Ok(self
            .open_unnumbered(at, today, actor, calendar)?
            .numbered(case_no))
    }

    /// Opens the case as of `at` (local date `today`) with its intake event, all but its
    /// number, which is drawn last (see [`Unnumbered`]).
    pub fn open_unnumbered(
        self,
        at: DateTime<Utc>,
        today: NaiveDate,
        actor: UserId,
        calendar: &WorkingCalendar,
    ) -> Result<Unnumbered, CaseError> {
        self.validate()?;
        let materials = self.materials_on(today)?;
        let clock = DeadlineClock::new(today, self.item.promised_days);
        let (status, action, deadline, refusal_reason) = match self.decision {
            IntakeDecision::Accept => (
                CaseStatus::Accepted,
                ActionKind::Accept,
                Some(clock.deadline(calendar)?),
                None,
            ),
            IntakeDecision::Refuse { reason } => (
                CaseStatus::NotAccepted,
                ActionKind::Refuse,
                None,
                Some(reason),
            ),
        };
        let mut case = Case {
            id: CaseId::new(),
            case_no: String::new(),
            region: self.center.code.clone(),
            center_id: self.center.id,
            window_id: self.window.id,
            received_window_id: self.window.id,
            received_center_id: self.center.id,
            item_id: self.item.id,
            item_version: self.item.version,
            department_id: self.item.department_id,
            handling: self.item.handling,
            statutory_days: self.item.statutory_days,
            status,
            resume_to: None,
            applicant: self.applicant,
            note: self.note,
            refusal_reason,
            received_at: at,
            received_on: today,
            clock,
            deadline,
            completed_at: None,
            completed_on: None,
            on_time: None,
            overdue_from: None,
            outcome: None,
            result: None,
            materials,
            result_code: None,
            certificate: None,
            fees: Vec::new(),
            accepted_by: actor,
            version: 1,
            updated_at: at,
        };
        let payload = match action {
            ActionKind::Refuse => EventDetails::Refuse {
                item_id: case.item_id,
                window_id: case.window_id,
                handling: case.handling,
                promised_days: case.clock.promised_days,
                reason: case.refusal_reason.clone(),
            },
            _ => EventDetails::Accept {
                item_id: case.item_id,
                window_id: case.window_id,
                handling: case.handling,
                promised_days: case.clock.promised_days,
                deadline: case.deadline,
                materials_received: case.materials.names_in(MaterialState::Received),
                materials_deferred: case.materials.deferred(),
            },
        };
        case.overdue_from = overdue_from(&case, today, None);
        let event = case.event(action, None, at, Some(actor), payload);
        Ok(Unnumbered(Performed::new(None, case, event, today)))
    }
}

/// A case opened at intake whose number is not drawn yet. Its event and its statistics
/// deltas do not name the number, so they can be written before the draw: the region's
/// sequence stays locked from its draw until the transaction commits, and every clerk of the
/// region waits for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unnumbered(Performed);

impl Unnumbered {
    /// The case, its number still empty.
    pub fn case(&self) -> &Case {
        &self.0.case
    }

    /// The intake event.
    pub fn event(&self) -> &CaseEvent {
        &self.0.event
    }

    /// The statistics deltas of the intake.
    pub fn deltas(&self) -> &[StatDelta] {
        &self.0.deltas
    }

    /// The opened case, numbered `case_no`.
    pub fn numbered(mut self, case_no: String) -> Performed {
        self.0.case.case_no = case_no;
        self.0
    }
}
