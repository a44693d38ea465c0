//! The case aggregate after intake: every action as a pure function from the case before to
//! the case after plus the event that records it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{
    Action, ActionKind, Applicant, CaseEvent, CaseMaterial, CaseMaterials, CaseStatus, Certificate,
    DeadlineClock, EventDetails, Fee, Outcome, PauseReason, ResultCode, extension_allowance,
    next_status,
};
use crate::ValidationErrors;
use crate::calendar::{CalendarError, WorkingCalendar};
use crate::catalogue::{Handling, Window};
use crate::ids::{CaseEventId, CaseId, CenterId, DepartmentId, ServiceItemId, UserId, WindowId};
use crate::rating::Rating;
use crate::stats::{StatDelta, deltas, overdue_from};

/// A case (办件).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    /// Its identifier.
    pub id: CaseId,
    /// `{region}-{YYYYMMDD}-{seq}`.
    pub case_no: String,
    /// The administrative division code the number was drawn in.
    pub region: String,
    /// The centre of the window now handling it.
    pub center_id: CenterId,
    /// The window now handling it.
    pub window_id: WindowId,
    /// The window that received it: statistics count the case there, whatever transfers
    /// follow, so a past period's figures per window never move.
    pub received_window_id: WindowId,
    /// That window's centre.
    pub received_center_id: CenterId,
    /// The service item applied for.
    pub item_id: ServiceItemId,
    /// The version of the item's guide it was accepted under.
    pub item_version: u32,
    /// The item's department.
    pub department_id: DepartmentId,
    /// Immediate or committed, as the item stood at acceptance.
    pub handling: Handling,
    /// The item's statutory days at acceptance; bounds the extensions.
    pub statutory_days: u32,
    /// Where it stands.
    pub status: CaseStatus,
    /// The state a paused case resumes to.
    pub resume_to: Option<CaseStatus>,
    /// Who applied.
    pub applicant: Applicant,
    /// The clerk's note at intake.
    pub note: String,
    /// Why it was refused at intake.
    pub refusal_reason: Option<String>,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// The hall's local date of receipt.
    pub received_on: NaiveDate,
    /// What the deadline depends on.
    pub clock: DeadlineClock,
    /// The last working day to complete on time; `None` for a case refused at intake.
    pub deadline: Option<NaiveDate>,
    /// When it was completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// The hall's local date of completion: on time ⇔ on or before the deadline.
    pub completed_on: Option<NaiveDate>,
    /// Whether it was completed by its deadline.
    pub on_time: Option<bool>,
    /// The day from which it counts as open and overdue, when its clock runs (see
    /// [`crate::stats`]).
    pub overdue_from: Option<NaiveDate>,
    /// The decision.
    pub outcome: Option<Outcome>,
    /// The decision's text.
    pub result: Option<String>,
    /// The materials of its guide and where each stands (received, 容缺, 补正 …); empty for a
    /// case received before materials were data.
    pub materials: CaseMaterials,
    /// How it was concluded (办结结果), once completed.
    pub result_code: Option<ResultCode>,
    /// The certificate its approval issued (证照).
    pub certificate: Option<Certificate>,
    /// The fees charged at completion.
    pub fees: Vec<Fee>,
    /// Who received it.
    pub accepted_by: UserId,
    /// Bumped by every event; a stale version is refused.
    pub version: i64,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Why an action on a case was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// The state does not allow the action.
    #[error("{status} cannot be {action}", status = .status.described(), action = .action.past_participle())]
    NotAllowed {
        /// The current state.
        status: CaseStatus,
        /// The refused action.
        action: ActionKind,
    },
    /// Invalid values.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// The calendar cannot answer.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// An approval while required materials are still missing.
    #[error("the case cannot be approved while required materials are missing: {}", .names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "))]
    MaterialsMissing {
        /// The missing required materials, in the guide's order.
        names: Vec<String>,
    },
}

/// An action's result: the case after it, the event that records it and the statistics
/// deltas it makes — everything [`super::workflow::record`] writes besides the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Performed {
    /// The case after the action.
    pub case: Case,
    /// The event to append.
    pub event: CaseEvent,
    /// The counters' changes, keyed by [`crate::repository::StatsKey::of`] the case after.
    pub deltas: Vec<StatDelta>,
}

impl Performed {
    /// The case `before` the action (`None` at intake) became `case`, recorded by `event`,
    /// on the local date `today`: the deltas follow from these, so every action, live or
    /// generated, counts the same (docs/DESIGN.md, Statistics).
    pub(super) fn new(
        before: Option<&Case>,
        case: Case,
        event: CaseEvent,
        today: NaiveDate,
    ) -> Self {
        let score = match &event.payload {
            EventDetails::Rate { score, .. } => Some(*score),
            _ => None,
        };
        let deltas = deltas(before, &case, event.action, today, score);
        Self {
            case,
            event,
            deltas,
        }
    }
}

impl Case {
    pub(super) fn event(
        &self,
        action: ActionKind,
        from: Option<CaseStatus>,
        at: DateTime<Utc>,
        actor: Option<UserId>,
        payload: EventDetails,
    ) -> CaseEvent {
        CaseEvent {
            id: CaseEventId::new(),
            case_id: self.id,
            seq: self.version,
            action,
            from_status: from,
            to_status: self.status,
            actor_id: actor,
            at,
            payload,
        }
    }

    /// Performs `action` at `at` (local date `today`) by `actor`. A transfer names the
    /// receiving window, which must serve the item.
    pub fn perform(
        &self,
        action: &Action,
        at: DateTime<Utc>,
        today: NaiveDate,
        actor: UserId,
        calendar: &WorkingCalendar,
        transfer_to: Option<&Window>,
    ) -> Result<Performed, CaseError> {
        action.validate()?;
        let kind = action.kind();
        let status = next_status(self.status, self.handling, kind, self.resume_to).ok_or(
            CaseError::NotAllowed {
                status: self.status,
                action: kind,
            },
        )?;
        let mut case = Case {
            status,
            version: self.version + 1,
            updated_at: at,
            ..self.clone()
        };
        let mut payload = EventDetails::of(action);
        match action {
            Action::Pause {
                reason, materials, ..
            } => {
                if *reason == PauseReason::Supplement
                    && materials.is_empty()
                    && !self.materials.items.is_empty()
                {
                    return Err(ValidationErrors::single(
                        "materials",
                        "a supplement (补正) names the missing materials of the guide, at least one",
                    )
                    .into());
                }
                case.resume_to = Some(self.status);
                case.clock.pause(*reason, today);
                case.materials.request(materials)?;
            }
            Action::Resume { arrived } => {
                case.resume_to = None;
                case.clock.resume(today);
                case.materials.arrive("arrived", arrived, today)?;
            }
            Action::Extend { days, reason } => {
                let allowance = extension_allowance(self.statutory_days, self.clock.promised_days);
                if self.clock.extension_days() + days > allowance {
                    return Err(ValidationErrors::single(
                        "days",
                        format!(
                            "extensions of this case may add at most {allowance} working days in all; {} are used",
                            self.clock.extension_days()
                        ),
                    )
                    .into());
                }
                case.clock.extend(today, *days, reason.clone());
            }
            Action::Transfer { window_id, .. } => {
                let target = transfer_to.filter(|w| w.id == *window_id);
                let mut errors = ValidationErrors::default();
                match target {
                    None => errors.add("window_id", "no such window"),
                    Some(w) if w.id == self.window_id => {
                        errors.add("window_id", "the case is already at this window")
                    }
                    Some(w) if !w.active => errors.add("window_id", "the window is closed"),
                    Some(w) if !w.serves(self.item_id) => {
                        errors.add("window_id", "the window does not handle this service item")
                    }
                    Some(w) => {
                        if let EventDetails::Transfer { from_window_id, .. } = &mut payload {
                            *from_window_id = Some(self.window_id);
                        }
                        case.window_id = w.id;
                        case.center_id = w.center_id;
                    }
                }
                errors.into_result()?;
            }
            Action::Complete {
                outcome,
                result,
                certificate,
                fees,
                ..
            } => {
                let missing = self.materials.missing_required();
                if *outcome == Outcome::Approved && !missing.is_empty() {
                    return Err(CaseError::MaterialsMissing {
                        names: missing.iter().map(|m| m.material.name.clone()).collect(),
                    });
                }
                case.completed_at = Some(at);
                case.completed_on = Some(today);
                case.on_time = Some(self.deadline.is_some_and(|deadline| today <= deadline));
                case.outcome = Some(*outcome);
                case.result = Some(result.clone());
                case.certificate = certificate.clone();
                case.fees = fees.clone();
                if let EventDetails::Complete {
                    on_time,
                    result_code,
                    ..
                } = &mut payload
                {
                    *on_time = case.on_time;
                    case.result_code = *result_code;
                }
            }
            Action::ReceiveMaterials { materials } => {
                case.materials.arrive("materials", materials, today)?;
            }
            Action::Start | Action::Deliver { .. } | Action::Withdraw { .. } => {}
        }
        if matches!(kind, ActionKind::Resume | ActionKind::Extend) {
            case.deadline = Some(case.clock.deadline(calendar)?);
            if let EventDetails::Resume { deadline, .. } | EventDetails::Extend { deadline, .. } =
                &mut payload
            {
                *deadline = case.deadline;
            }
        }
        case.overdue_from = overdue_from(&case, today, self.overdue_from);
        let event = case.event(kind, Some(self.status), at, Some(actor), payload);
        Ok(Performed::new(Some(self), case, event, today))
    }

    /// The materials the case still lacks — deferred at acceptance (容缺) or asked for by a
    /// 补正 — in the guide's order, each with its guide data (name, form, copies, required)
    /// and the date it was promised by: what a 补正 notice lists, exactly and once.
    pub fn missing_materials(&self) -> Vec<&CaseMaterial> {
        self.materials.missing()
    }

    /// Records the applicant's rating, given at a kiosk: the state stays, the version moves on
    /// and the history shows it. Only a completed or delivered case may be rated.
    pub fn rate(&self, rating: &Rating) -> Result<Performed, CaseError> {
        let status = next_status(self.status, self.handling, ActionKind::Rate, None).ok_or(
            CaseError::NotAllowed {
                status: self.status,
                action: ActionKind::Rate,
            },
        )?;
        let case = Case {
            status,
            version: self.version + 1,
            updated_at: rating.rated_at,
            ..self.clone()
        };
        let payload = EventDetails::Rate {
            score: rating.score,
            level: rating.level.to_owned(),
        };
        let event = case.event(
            ActionKind::Rate,
            Some(self.status),
            rating.rated_at,
            None,
            payload,
        );
        Ok(Performed::new(Some(self), case, event, rating.rated_on))
    }

    /// Records a notice issued or voided on the case (`payload` is an `IssueNotice` or a
    /// `VoidNotice`): the state stays, the version moves on and the history shows it.
    pub fn note_notice(
        &self,
        payload: EventDetails,
        at: DateTime<Utc>,
        today: NaiveDate,
        actor: UserId,
    ) -> Performed {
        let kind = match payload {
            EventDetails::VoidNotice { .. } => ActionKind::VoidNotice,
            _ => ActionKind::IssueNotice,
        };
        let case = Case {
            version: self.version + 1,
            updated_at: at,
            ..self.clone()
        };
        let event = case.event(kind, Some(self.status), at, Some(actor), payload);
        Performed::new(Some(self), case, event, today)
    }

    /// Whether the deadline counts days of a year `calendar` has only provisionally (its
    /// notice not loaded), so that it may still move: never for a closed case, which stays
    /// as it was judged.
    pub fn deadline_provisional(&self, calendar: &WorkingCalendar) -> bool {
        self.status.is_open()
            && self
                .deadline
                .is_some_and(|d| !calendar.provisional_years(self.clock.start, d).is_empty())
    }

    /// Recomputes the deadline after a calendar change by `actor` (`None`: the shipped data,
    /// loaded on start); `None` when it did not move or the case is no longer open (closed
    /// cases stay as they were judged).
    pub fn recompute(
        &self,
        at: DateTime<Utc>,
        today: NaiveDate,
        actor: Option<UserId>,
        calendar: &WorkingCalendar,
        why: &str,
    ) -> Result<Option<Performed>, CaseError> {
        if !self.status.is_open() {
            return Ok(None);
        }
        let deadline = Some(self.clock.deadline(calendar)?);
        if deadline == self.deadline {
            return Ok(None);
        }
        let mut case = Case {
            deadline,
            version: self.version + 1,
            updated_at: at,
            ..self.clone()
        };
        case.overdue_from = overdue_from(&case, today, self.overdue_from);
        let payload = EventDetails::Recompute {
            reason: why.to_owned(),
            previous_deadline: self.deadline,
            deadline,
        };
        let event = case.event(ActionKind::Recompute, Some(self.status), at, actor, payload);
        Ok(Some(Performed::new(Some(self), case, event, today)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::china;
    use crate::case::{Intake, IntakeDecision, IntakeMaterials};

    use crate::case::fixtures::{Hall, applicant, at, day, hall};

    #[test]
    fn a_refusal_reads_as_english_for_every_state_and_action() {
        let refused = |status, action| CaseError::NotAllowed { status, action }.to_string();
        assert_eq!(
            refused(CaseStatus::InProgress, ActionKind::Rate),
            "a case in progress cannot be rated"
        );
        assert_eq!(
            refused(CaseStatus::Accepted, ActionKind::Deliver),
            "an accepted case cannot be delivered"
        );
        assert_eq!(
            refused(CaseStatus::Withdrawn, ActionKind::Transfer),
            "a withdrawn case cannot be transferred"
        );
        for status in CaseStatus::ALL {
            for action in ActionKind::ALL {
                let text = refused(status, action);
                assert!(!text.contains('_') && !text.contains("eed"), "{text}");
            }
        }
    }

    fn accept(hall: &Hall, on: &str) -> Case {
        hall.accept("640105-20120928-00001".into(), at(on), day(on))
            .expect("accepted")
    }

    fn act(hall: &Hall, case: &Case, action: Action, on: &str) -> Result<Performed, CaseError> {
        case.perform(
            &action,
            at(on),
            day(on),
            UserId::new(),
            &hall.calendar,
            Some(&hall.other_window),
        )
    }

    /// What is stored besides the case comes with it: the intake counts a receipt that day,
    /// and a rating counts its score on the day it was given.
    #[test]
    fn a_performed_action_carries_the_deltas_of_its_event() {
        let hall = hall(Handling::Immediate);
        let opened = Intake {
            item: &hall.item,
            window: &hall.window,
            center: &hall.center,
            applicant: applicant(),
            note: String::new(),
            materials: IntakeMaterials::AllReceived,
            decision: IntakeDecision::Accept,
        }
        .open(
            "640105-20120928-00001".into(),
            at("2012-09-28"),
            day("2012-09-28"),
            UserId::new(),
            &hall.calendar,
        )
        .expect("accepted");
        // Received today; due today, so overdue from tomorrow unless decided first.
        assert_eq!(opened.deltas.len(), 2);
        assert_eq!(opened.deltas[0].effective_on, day("2012-09-28"));
        assert_eq!(opened.deltas[0].counters.received, 1);
        assert_eq!(opened.deltas[0].counters.immediate, 1);
        assert_eq!(opened.deltas[1].effective_on, day("2012-09-29"));
        assert_eq!(opened.deltas[1].counters.overdue_open, 1);
        let completed = act(
            &hall,
            &opened.case,
            Action::Complete {
                outcome: Outcome::Approved,
                result: "done".into(),
                result_code: None,
                certificate: None,
                fees: Vec::new(),
            },
            "2012-09-28",
        )
        .expect("completed");
        let rating = Rating::new(
            completed.case.id,
            2,
            String::new(),
            at("2012-10-08"),
            day("2012-10-08"),
            &hall.calendar,
        )
        .expect("rating");
        let rated = completed.case.rate(&rating).expect("rated");
        assert_eq!(rated.deltas.len(), 1);
        let counted = &rated.deltas[0];
        assert_eq!(counted.effective_on, day("2012-10-08"));
        assert_eq!(
            (counted.counters.rated, counted.counters.rating_sum),
            (1, 2)
        );
        assert_eq!(counted.counters.rated_poor, 1);
        assert_eq!(counted.counters.rated_levels, [0, 1, 0, 0, 0]);
    }

    #[test]
    fn a_committed_case_accepted_friday_before_national_day_is_due_11_october() {
        let hall = hall(Handling::Committed);
        let case = accept(&hall, "2012-09-28");
        assert_eq!(case.deadline, Some(day("2012-10-11")));
        assert_eq!(case.version, 1);
        assert_eq!(case.region, "640105");
    }

    #[test]
    fn pausing_resuming_and_extending_move_the_deadline_and_each_leave_an_event() {
        let hall = hall(Handling::Committed);
        let case = accept(&hall, "2012-09-28");
        let started = act(&hall, &case, Action::Start, "2012-09-29")
            .expect("start")
            .case;
        let paused = act(
            &hall,
            &started,
            Action::Pause {
                reason: PauseReason::Supplement,
                note: "缺户口簿".into(),
                materials: vec!["户口簿".into()],
            },
            "2012-10-08",
        )
        .expect("pause");
        assert_eq!(paused.event.from_status, Some(CaseStatus::InProgress));
        assert_eq!(paused.event.to_status, CaseStatus::Paused);
        assert_eq!(paused.event.seq, 3);
        let resumed = act(
            &hall,
            &paused.case,
            Action::Resume {
                arrived: Vec::new(),
            },
            "2012-10-11",
        )
        .expect("resume")
        .case;
        assert_eq!(resumed.status, CaseStatus::InProgress);
        assert_eq!(resumed.deadline, Some(day("2012-10-16")));
        let extended = act(
            &hall,
            &resumed,
            Action::Extend {
                days: 5,
                reason: "专家评审".into(),
            },
            "2012-10-12",
        )
        .expect("extend");
        assert_eq!(extended.case.deadline, Some(day("2012-10-23")));
        assert_eq!(extended.event.payload.deadline(), Some(day("2012-10-23")));
    }

    #[test]
    fn completing_after_the_deadline_is_not_on_time() {
        let hall = hall(Handling::Committed);
        let started = act(
            &hall,
            &accept(&hall, "2012-09-28"),
            Action::Start,
            "2012-09-28",
        )
        .expect("start")
        .case;
        let on_time = act(
            &hall,
            &started,
            Action::Complete {
                outcome: Outcome::Approved,
                result: String::new(),
                result_code: None,
                certificate: None,
                fees: Vec::new(),
            },
            "2012-10-11",
        )
        .expect("done");
        assert_eq!(on_time.case.on_time, Some(true));
        let late = act(
            &hall,
            &started,
            Action::Complete {
                outcome: Outcome::Approved,
                result: String::new(),
                result_code: None,
                certificate: None,
                fees: Vec::new(),
            },
            "2012-10-12",
        )
        .expect("done");
        assert_eq!(late.case.on_time, Some(false));
        assert!(matches!(
            late.event.payload,
            EventDetails::Complete {
                on_time: Some(false),
                ..
            }
        ));
    }

    #[test]
    fn an_immediate_case_is_completed_at_the_window_and_late_the_next_day() {
        let hall = hall(Handling::Immediate);
        let case = accept(&hall, "2012-09-28");
        assert_eq!(case.deadline, Some(day("2012-09-28")));
        let done = act(
            &hall,
            &case,
            Action::Complete {
                outcome: Outcome::Approved,
                result: String::new(),
                result_code: None,
                certificate: None,
                fees: Vec::new(),
            },
            "2012-09-28",
        )
        .expect("done");
        assert_eq!(done.case.on_time, Some(true));
        let late = act(
            &hall,
            &case,
            Action::Complete {
                outcome: Outcome::Approved,
                result: String::new(),
                result_code: None,
                certificate: None,
                fees: Vec::new(),
            },
            "2012-09-29",
        )
        .expect("done");
        assert_eq!(late.case.on_time, Some(false));
    }

    #[test]
    fn no_approval_while_a_required_material_is_missing_and_the_result_is_recorded() {
        let hall = hall(Handling::Committed);
        let case = accept(&hall, "2012-09-28");
        let started = act(&hall, &case, Action::Start, "2012-09-28")
            .expect("start")
            .case;
        let paused = act(
            &hall,
            &started,
            Action::Pause {
                reason: PauseReason::Supplement,
                note: String::new(),
                materials: vec!["户口簿".into(), "居民身份证".into()],
            },
            "2012-10-08",
        )
        .expect("pause")
        .case;
        let names = |c: &Case| -> Vec<String> {
            c.missing_materials()
                .iter()
                .map(|m| m.material.name.clone())
                .collect()
        };
        assert_eq!(
            names(&paused),
            ["居民身份证", "户口簿"],
            "in the guide's order"
        );
        let resumed = act(
            &hall,
            &paused,
            Action::Resume {
                arrived: vec!["户口簿".into()],
            },
            "2012-10-09",
        )
        .expect("resume");
        assert!(matches!(
            &resumed.event.payload,
            EventDetails::Resume { arrived, .. } if arrived == &["户口簿".to_owned()]
        ));
        let complete = |outcome, certificate: Option<Certificate>| Action::Complete {
            outcome,
            result: String::new(),
            result_code: None,
            certificate,
            fees: Vec::new(),
        };
        assert_eq!(
            act(
                &hall,
                &resumed.case,
                complete(Outcome::Approved, None),
                "2012-10-10"
            ),
            Err(CaseError::MaterialsMissing {
                names: vec!["居民身份证".into()]
            })
        );
        let denied = act(
            &hall,
            &resumed.case,
            complete(Outcome::Denied, None),
            "2012-10-10",
        )
        .expect("a denial needs no papers");
        assert_eq!(denied.case.result_code, Some(ResultCode::Returned));
        let certificate = Certificate {
            name: "结婚证".into(),
            number: "J640105-2012-000001".into(),
            valid_from: day("2012-10-10"),
            valid_until: None,
            issued_by: "西夏区民政局".into(),
        };
        let arrived = act(
            &hall,
            &act(
                &hall,
                &resumed.case,
                Action::Pause {
                    reason: PauseReason::Supplement,
                    note: String::new(),
                    materials: vec!["居民身份证".into()],
                },
                "2012-10-10",
            )
            .expect("pause")
            .case,
            Action::Resume {
                arrived: vec!["居民身份证".into()],
            },
            "2012-10-10",
        )
        .expect("resume")
        .case;
        let approved = act(
            &hall,
            &arrived,
            complete(Outcome::Approved, Some(certificate.clone())),
            "2012-10-10",
        )
        .expect("approved");
        assert_eq!(
            approved.case.result_code,
            Some(ResultCode::CertificateIssued)
        );
        assert_eq!(approved.case.certificate, Some(certificate));
        assert!(matches!(
            approved.event.payload,
            EventDetails::Complete {
                result_code: Some(ResultCode::CertificateIssued),
                certificate: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn a_supplement_names_papers_of_the_guide_and_only_a_supplement_names_any() {
        let hall = hall(Handling::Committed);
        let case = accept(&hall, "2012-09-28");
        let pause = |reason, materials: &[&str]| Action::Pause {
            reason,
            note: String::new(),
            materials: materials.iter().map(|m| (*m).to_owned()).collect(),
        };
        for refused in [
            pause(PauseReason::Supplement, &[]),
            pause(PauseReason::Supplement, &["结婚证"]),
            pause(PauseReason::Supplement, &["户口簿", "户口簿"]),
            pause(PauseReason::Suspension, &["户口簿"]),
        ] {
            assert!(
                matches!(
                    act(&hall, &case, refused.clone(), "2012-09-29"),
                    Err(CaseError::Invalid(_))
                ),
                "{refused:?}"
            );
        }
        assert!(
            act(
                &hall,
                &case,
                pause(PauseReason::Suspension, &[]),
                "2012-09-29"
            )
            .is_ok()
        );
    }

    #[test]
    fn a_withdrawn_case_cannot_be_completed() {
        let hall = hall(Handling::Committed);
        let withdrawn = act(
            &hall,
            &accept(&hall, "2012-09-28"),
            Action::Withdraw {
                reason: String::new(),
            },
            "2012-09-29",
        )
        .expect("withdraw")
        .case;
        let refused = act(
            &hall,
            &withdrawn,
            Action::Complete {
                outcome: Outcome::Approved,
                result: String::new(),
                result_code: None,
                certificate: None,
                fees: Vec::new(),
            },
            "2012-09-29",
        );
        assert_eq!(
            refused,
            Err(CaseError::NotAllowed {
                status: CaseStatus::Withdrawn,
                action: ActionKind::Complete
            })
        );
    }

    #[test]
    fn extensions_are_bounded_by_what_the_promise_cut_plus_ten_days() {
        let hall = hall(Handling::Committed);
        let case = accept(&hall, "2012-09-28");
        // 20 statutory − 5 promised + 10 = 25 days in all.
        let first = act(
            &hall,
            &case,
            Action::Extend {
                days: 20,
                reason: "复杂".into(),
            },
            "2012-09-29",
        )
        .expect("extend")
        .case;
        assert!(matches!(
            act(
                &hall,
                &first,
                Action::Extend {
                    days: 6,
                    reason: "再延".into()
                },
                "2012-10-08"
            ),
            Err(CaseError::Invalid(_))
        ));
        assert!(
            act(
                &hall,
                &first,
                Action::Extend {
                    days: 5,
                    reason: "再延".into()
                },
                "2012-10-08"
            )
            .is_ok()
        );
        assert!(matches!(
            act(
                &hall,
                &case,
                Action::Extend {
                    days: 0,
                    reason: "x".into()
                },
                "2012-10-08"
            ),
            Err(CaseError::Invalid(_))
        ));
    }

    #[test]
    fn a_transfer_needs_another_window_that_serves_the_item() {
        let hall = hall(Handling::Committed);
        let case = accept(&hall, "2012-09-28");
        let moved = act(
            &hall,
            &case,
            Action::Transfer {
                window_id: hall.other_window.id,
                note: String::new(),
            },
            "2012-09-29",
        )
        .expect("transfer");
        assert_eq!(moved.case.window_id, hall.other_window.id);
        assert_eq!(moved.case.status, CaseStatus::Accepted);
        let nowhere = act(
            &hall,
            &case,
            Action::Transfer {
                window_id: WindowId::new(),
                note: String::new(),
            },
            "2012-09-29",
        );
        assert!(matches!(nowhere, Err(CaseError::Invalid(_))));
    }

    #[test]
    fn intake_refuses_a_window_that_does_not_serve_the_item_and_a_bad_applicant() {
        let hall = hall(Handling::Committed);
        let mut other_item = hall.item.clone();
        other_item.id = ServiceItemId::new();
        let intake = Intake {
            item: &other_item,
            window: &hall.window,
            center: &hall.center,
            applicant: Applicant {
                phone: "1".into(),
                sms_opt_out: false,
                ..applicant()
            },
            note: String::new(),
            materials: IntakeMaterials::AllReceived,
            decision: IntakeDecision::Accept,
        };
        let errors = intake.validate().expect_err("invalid");
        let fields: Vec<_> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["applicant.phone", "item_id"]);
    }

    #[test]
    fn a_case_refused_at_intake_has_no_deadline_and_allows_nothing() {
        let hall = hall(Handling::Committed);
        let refused = Intake {
            item: &hall.item,
            window: &hall.window,
            center: &hall.center,
            applicant: applicant(),
            note: String::new(),
            materials: IntakeMaterials::AllReceived,
            decision: IntakeDecision::Refuse {
                reason: "不属于本机关职权范围".into(),
            },
        }
        .open(
            "640105-20120928-00002".into(),
            at("2012-09-28"),
            day("2012-09-28"),
            UserId::new(),
            &hall.calendar,
        )
        .expect("refused");
        assert_eq!(refused.case.status, CaseStatus::NotAccepted);
        assert_eq!(refused.case.deadline, None);
        assert_eq!(refused.event.action, ActionKind::Refuse);
        assert!(act(&hall, &refused.case, Action::Start, "2012-09-28").is_err());
    }

    #[test]
    fn a_calendar_change_moves_open_deadlines_and_leaves_closed_cases_alone() {
        let hall = hall(Handling::Committed);
        let case = accept(&hall, "2012-09-28");
        let mut years = china();
        years[0].holidays.push(crate::calendar::Holiday {
            name: "test".into(),
            from: day("2012-10-09"),
            to: day("2012-10-09"),
        });
        let changed = WorkingCalendar::new(years);
        let moved = case
            .recompute(
                at("2012-10-01"),
                day("2012-10-01"),
                Some(UserId::new()),
                &changed,
                "2012 calendar corrected",
            )
            .expect("ok")
            .expect("moved");
        assert_eq!(moved.case.deadline, Some(day("2012-10-12")));
        assert_eq!(moved.event.action, ActionKind::Recompute);
        let done = act(
            &hall,
            &case,
            Action::Complete {
                outcome: Outcome::Denied,
                result: String::new(),
                result_code: None,
                certificate: None,
                fees: Vec::new(),
            },
            "2012-09-28",
        );
        assert!(
            done.is_err(),
            "a committed case is started before it is completed"
        );
        let started = act(&hall, &case, Action::Start, "2012-09-28")
            .expect("start")
            .case;
        let closed = act(
            &hall,
            &started,
            Action::Complete {
                outcome: Outcome::Denied,
                result: String::new(),
                result_code: None,
                certificate: None,
                fees: Vec::new(),
            },
            "2012-09-28",
        )
        .expect("done")
        .case;
        assert_eq!(
            closed.recompute(
                at("2012-10-01"),
                day("2012-10-01"),
                Some(UserId::new()),
                &changed,
                "x"
            ),
            Ok(None)
        );
    }
}
