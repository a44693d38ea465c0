//! The provincial exchange (数据交换): the one mapping from a case event to the report the
//! provincial 一体化政务服务平台 receives — a report per case stage (办件过程信息: 受理,
//! 不予受理, 补正告知, 特别程序, 延期, 办结, 送达 …) and per rating (好差评). Field by field,
//! with sources, in docs/EXCHANGE.md. Never the applicant's name, ID number or phone.
//!
//! Each report carries the case's version at its event (monotone per case). A correction —
//! the deadline recomputed after a calendar change — reports the case's current stage again
//! with the higher version, so the platform keeps, per case and stage, the highest version.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;

use crate::case::{Case, CaseEvent, CaseStatus, EventDetails, Outcome, PauseReason};
use crate::ids::{CaseEventId, UserId};
use crate::outbox::EventKind;

/// The kinds the exchange hears of: the stages it is told, ratings and corrections.
pub const KINDS: [EventKind; 10] = [
    EventKind::CaseAccepted,
    EventKind::CaseRefused,
    EventKind::CasePaused,
    EventKind::CaseResumed,
    EventKind::CaseExtended,
    EventKind::CaseCompleted,
    EventKind::CaseDelivered,
    EventKind::CaseWithdrawn,
    EventKind::CaseRated,
    EventKind::CaseCorrected,
];

/// The version of this mapping, sent with every report so the platform can tell layouts
/// apart.
pub const SCHEMA: &str = "hall-exchange/1";

/// A clerk a report names: the 办理人 of a stage, the rated clerk of a rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clerk {
    /// The clerk's account.
    pub id: UserId,
    /// The clerk's display name.
    pub name: String,
}

/// What storage adds to a case event before it is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFacts {
    /// The administrative division code (行政区划代码) of the case's centre.
    pub division_code: String,
    /// The centre's own code.
    pub center_code: String,
    /// The item's code (事项编码).
    pub item_code: String,
    /// The item's name (事项名称).
    pub item_name: String,
    /// The handling window's number.
    pub window_number: Option<u32>,
    /// The handling window's name.
    pub window_name: Option<String>,
    /// The clerk the report names (see [`named_clerk`]), with the name storage knows.
    pub clerk: Option<Clerk>,
    /// The hall's offset from UTC: times are reported in its local time.
    pub offset: FixedOffset,
}

/// Which of a case's stages a report tells (办理环节).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 受理.
    Accepted,
    /// 不予受理.
    Refused,
    /// 补正告知: paused for missing materials.
    Supplement,
    /// 特别程序: paused for a hearing, expert review, inspection ….
    SpecialProcedure,
    /// 挂起: paused for another reason.
    Suspended,
    /// 恢复: the clock runs again (补正 received, 特别程序 over).
    Resumed,
    /// 延期.
    Extended,
    /// 办结.
    Completed,
    /// 送达.
    Delivered,
    /// 撤回.
    Withdrawn,
}

impl Stage {
    /// Its Chinese name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Accepted => "受理",
            Self::Refused => "不予受理",
            Self::Supplement => "补正告知",
            Self::SpecialProcedure => "特别程序",
            Self::Suspended => "挂起",
            Self::Resumed => "恢复",
            Self::Extended => "延期",
            Self::Completed => "办结",
            Self::Delivered => "送达",
            Self::Withdrawn => "撤回",
        }
    }

    fn of_pause(reason: PauseReason) -> Self {
        match reason {
            PauseReason::Supplement => Self::Supplement,
            PauseReason::SpecialProcedure => Self::SpecialProcedure,
            PauseReason::Suspension => Self::Suspended,
        }
    }
}

/// A report: one case stage or one rating, in the exchange's JSON (docs/EXCHANGE.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The mapping's version, [`SCHEMA`].
    pub schema: &'static str,
    /// `case_stage` or `rating`.
    pub report_type: &'static str,
    /// The event reported: a retry or replay of the same report has the same id.
    pub report_id: CaseEventId,
    /// The case's version at the event (数据版本号); the platform keeps the highest.
    pub version: i64,
    /// The hall's kind of event (`case.accepted` …).
    pub event: &'static str,
    /// When the event happened, local time with offset.
    pub occurred_at: String,
    /// 办件编号.
    pub case_no: String,
    /// 行政区划代码.
    pub division_code: String,
    /// The centre's code.
    pub center_code: String,
    /// 事项编码.
    pub item_code: String,
    /// 事项名称.
    pub item_name: String,
    /// 窗口: the window handling the case.
    pub window_number: Option<u32>,
    /// The window's name.
    pub window_name: Option<String>,
    /// The stage, for a `case_stage` report.
    pub stage: Option<StageReport>,
    /// The rating, for a `rating` report.
    pub rating: Option<RatingReport>,
}

/// What a stage report tells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageReport {
    /// 办理环节.
    pub stage: Stage,
    /// Its Chinese name.
    pub stage_name: &'static str,
    /// 办件状态 after the event.
    pub status: CaseStatus,
    /// Its Chinese name.
    pub status_name: &'static str,
    /// 办理人: the clerk who acted; `null` when nobody did (the kiosk, a calendar load).
    pub handler_id: Option<UserId>,
    /// The clerk's name.
    pub handler_name: Option<String>,
    /// 受理时间, local time with offset; `null` for a case refused at intake.
    pub accepted_at: Option<String>,
    /// 承诺时限, in working days (0: 即办件).
    pub promised_days: u32,
    /// 承诺办结日期: the deadline now; `null` for a case refused at intake.
    pub promised_deadline: Option<NaiveDate>,
    /// 不予受理理由.
    pub refusal_reason: Option<String>,
    /// The pause, for 补正告知, 特别程序 and 挂起.
    pub pause: Option<PauseReport>,
    /// The extension, for 延期.
    pub extension: Option<ExtensionReport>,
    /// 办结时间, local time with offset.
    pub completed_at: Option<String>,
    /// 办结结果代码 (0 出证办结 … 6 办结).
    pub result_code: Option<&'static str>,
    /// The result code's name.
    pub result_name: Option<&'static str>,
    /// `approved` (准予) or `denied` (不予).
    pub outcome: Option<Outcome>,
    /// Whether it was completed by the promised date.
    pub on_time: Option<bool>,
    /// 送达时间, local time with offset.
    pub delivered_at: Option<String>,
    /// For a correction: why, and the deadline before.
    pub correction: Option<CorrectionReport>,
}

/// A pause as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PauseReport {
    /// `supplement`, `special_procedure` or `suspension`.
    pub reason: PauseReason,
    /// The local date the clock stopped.
    pub from: NaiveDate,
    /// What is awaited, in the clerk's words.
    pub note: String,
    /// For a 补正, the materials asked for (一次性告知).
    pub materials: Vec<String>,
}

/// An extension as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtensionReport {
    /// Working days added.
    pub days: u32,
    /// Why it was approved.
    pub reason: String,
}

/// A correction as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorrectionReport {
    /// Which calendar change, and its notice.
    pub reason: String,
    /// The deadline reported before.
    pub previous_deadline: Option<NaiveDate>,
}

/// A rating as reported (GB/T 39734-2020).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatingReport {
    /// 评价等级, 5 (非常满意) to 1 (非常不满意).
    pub level: u8,
    /// Its Chinese name.
    pub level_name: String,
    /// Whether it is a 差评 (levels 1 and 2).
    pub poor: bool,
    /// 评价渠道: `on_site` (现场服务评价) — ratings are given at the hall's kiosk.
    pub channel: &'static str,
    /// Its Chinese name.
    pub channel_name: &'static str,
    /// 评价时间, local time with offset.
    pub rated_at: String,
    /// 被评价人: the clerk who decided the case.
    pub clerk_id: Option<UserId>,
    /// The clerk's name.
    pub clerk_name: Option<String>,
    /// 差评选项 the applicant ticked; the hall does not record any yet, so always empty.
    pub options: Vec<String>,
}

/// The clerk a report of `event` names: for a rating, the clerk rated — the one who decided
/// the case (its last 办结 in `events`), else the one who received it; for any other event,
/// whoever acted.
pub fn named_clerk(case: &Case, event: &CaseEvent, events: &[CaseEvent]) -> Option<UserId> {
    if matches!(event.payload, EventDetails::Rate { .. }) {
        let decided = events
            .iter()
            .rev()
            .find(|e| matches!(e.payload, EventDetails::Complete { .. }))
            .and_then(|e| e.actor_id);
        return Some(decided.unwrap_or(case.accepted_by));
    }
    event.actor_id
}

/// The local time of `at`, to the second, with the offset: `2026-11-27T09:30:00+08:00`.
fn local(at: DateTime<Utc>, offset: FixedOffset) -> String {
    at.with_timezone(&offset)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

impl Report {
    /// The report of `event`, which made `case` what it is now; `None` when the exchange
    /// does not hear of its kind ([`KINDS`]).
    pub fn of(case: &Case, event: &CaseEvent, facts: &ReportFacts) -> Option<Self> {
        let kind = EventKind::of(event.action).filter(|kind| KINDS.contains(kind))?;
        let (stage, rating) = match &event.payload {
            EventDetails::Rate { score, level } => (
                None,
                Some(RatingReport {
                    level: *score,
                    level_name: level.clone(),
                    poor: crate::rating::is_poor(*score),
                    channel: "on_site",
                    channel_name: "现场服务评价",
                    rated_at: local(event.at, facts.offset),
                    clerk_id: facts.clerk.as_ref().map(|c| c.id),
                    clerk_name: facts.clerk.as_ref().map(|c| c.name.clone()),
                    options: Vec::new(),
                }),
            ),
            payload => (Some(Self::stage(case, event, payload, facts)?), None),
        };
        Some(Self {
            schema: SCHEMA,
            report_type: if rating.is_some() {
                "rating"
            } else {
                "case_stage"
            },
            report_id: event.id,
            version: event.seq,
            event: kind.as_str(),
            occurred_at: local(event.at, facts.offset),
            case_no: case.case_no.clone(),
            division_code: facts.division_code.clone(),
            center_code: facts.center_code.clone(),
            item_code: facts.item_code.clone(),
            item_name: facts.item_name.clone(),
            window_number: facts.window_number,
            window_name: facts.window_name.clone(),
            stage,
            rating,
        })
    }

    fn stage(
        case: &Case,
        event: &CaseEvent,
        payload: &EventDetails,
        facts: &ReportFacts,
    ) -> Option<StageReport> {
        // The pause now under way: what a 暂停 started, or what a correction finds.
        let current_pause = || {
            let pause = case.clock.pauses.last().filter(|p| p.to.is_none())?;
            let (note, materials) = match payload {
                EventDetails::Pause {
                    note, materials, ..
                } => (note.clone(), materials.clone()),
                _ => (String::new(), Vec::new()),
            };
            Some(PauseReport {
                reason: pause.reason,
                from: pause.from,
                note,
                materials,
            })
        };
        let mut correction = None;
        let mut extension = None;
        let mut pause = None;
        let stage = match payload {
            EventDetails::Accept { .. } => Stage::Accepted,
            EventDetails::Refuse { .. } => Stage::Refused,
            EventDetails::Pause { reason, .. } => {
                pause = current_pause();
                Stage::of_pause(*reason)
            }
            EventDetails::Resume { .. } => Stage::Resumed,
            EventDetails::Extend { days, reason, .. } => {
                extension = Some(ExtensionReport {
                    days: *days,
                    reason: reason.clone(),
                });
                Stage::Extended
            }
            EventDetails::Complete { .. } => Stage::Completed,
            EventDetails::Deliver { .. } => Stage::Delivered,
            EventDetails::Withdraw { .. } => Stage::Withdrawn,
            EventDetails::Recompute {
                reason,
                previous_deadline,
                ..
            } => {
                correction = Some(CorrectionReport {
                    reason: reason.clone(),
                    previous_deadline: *previous_deadline,
                });
                // Only open cases are recomputed: accepted (or in progress) or paused.
                match case.status {
                    CaseStatus::Paused => {
                        pause = current_pause();
                        pause
                            .as_ref()
                            .map_or(Stage::Suspended, |p| Stage::of_pause(p.reason))
                    }
                    _ => Stage::Accepted,
                }
            }
            _ => return None,
        };
        let accepted = case.status != CaseStatus::NotAccepted;
        Some(StageReport {
            stage,
            stage_name: stage.name(),
            status: case.status,
            status_name: case.status.label(),
            handler_id: facts.clerk.as_ref().map(|c| c.id),
            handler_name: facts.clerk.as_ref().map(|c| c.name.clone()),
            accepted_at: accepted.then(|| local(case.received_at, facts.offset)),
            promised_days: case.clock.promised_days,
            promised_deadline: case.deadline,
            refusal_reason: case.refusal_reason.clone(),
            pause,
            extension,
            completed_at: case.completed_at.map(|at| local(at, facts.offset)),
            result_code: case.result_code.map(|code| code.code()),
            result_name: case.result_code.map(|code| code.label()),
            outcome: case.outcome,
            on_time: case.on_time,
            delivered_at: (stage == Stage::Delivered).then(|| local(event.at, facts.offset)),
            correction,
        })
    }

    /// The report as sent: JSON with the field names of docs/EXCHANGE.md.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::WorkingCalendar;
    use crate::calendar::{Holiday, china};
    use crate::case::fixtures::{Hall, applicant, at, day, hall};
    use crate::case::{Action, Intake, IntakeDecision, IntakeMaterials, Performed};
    use crate::catalogue::Handling;
    use crate::rating::Rating;

    fn facts(clerk: Option<Clerk>) -> ReportFacts {
        ReportFacts {
            division_code: "640105".into(),
            center_code: "640105".into(),
            item_code: "MZ-001".into(),
            item_name: "结婚登记".into(),
            window_number: Some(1),
            window_name: Some("窗口".into()),
            clerk,
            offset: FixedOffset::east_opt(8 * 3600).expect("offset"),
        }
    }

    fn clerk() -> Clerk {
        Clerk {
            id: UserId::new(),
            name: "李明".into(),
        }
    }

    fn act(hall: &Hall, case: &Case, action: Action, on: &str, by: UserId) -> Performed {
        case.perform(&action, at(on), day(on), by, &hall.calendar, None)
            .expect("performed")
    }

    fn accepted(hall: &Hall) -> (Case, CaseEvent) {
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
            "640105-20120910-00001".into(),
            at("2012-09-10"),
            day("2012-09-10"),
            UserId::new(),
            &hall.calendar,
        )
        .expect("accepted");
        (opened.case, opened.event)
    }

    #[test]
    fn an_acceptance_reports_the_case_item_window_clerk_and_promise_in_local_time() {
        let hall = hall(Handling::Committed);
        let (case, event) = accepted(&hall);
        let report = Report::of(&case, &event, &facts(Some(clerk()))).expect("reported");
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).expect("json");
        assert_eq!(json["report_type"], "case_stage");
        assert_eq!(json["version"], 1);
        assert_eq!(json["case_no"], "640105-20120910-00001");
        assert_eq!(json["item_code"], "MZ-001");
        assert_eq!(json["division_code"], "640105");
        assert_eq!(json["window_number"], 1);
        assert_eq!(json["occurred_at"], "2012-09-10T10:00:00+08:00");
        let stage = &json["stage"];
        assert_eq!(stage["stage"], "accepted");
        assert_eq!(stage["stage_name"], "受理");
        assert_eq!(stage["accepted_at"], "2012-09-10T10:00:00+08:00");
        assert_eq!(stage["promised_days"], 5);
        assert_eq!(stage["promised_deadline"], "2012-09-17");
        assert_eq!(stage["handler_name"], "李明");
        assert!(json["rating"].is_null());
        // Nothing of the applicant.
        for personal in ["张三", "11010519491231002X", "13800138000"] {
            assert!(!report.to_json().contains(personal), "{}", report.to_json());
        }
    }

    #[test]
    fn a_supplement_pause_is_a_补正告知_with_its_materials_and_a_completion_its_result_code() {
        let hall = hall(Handling::Committed);
        let (case, _) = accepted(&hall);
        let by = UserId::new();
        let paused = act(
            &hall,
            &case,
            Action::Pause {
                reason: PauseReason::Supplement,
                note: "户口簿复印件不清".into(),
                materials: vec!["户口簿".into()],
            },
            "2012-09-11",
            by,
        );
        let report = Report::of(&paused.case, &paused.event, &facts(None)).expect("reported");
        let stage = report.stage.expect("a stage");
        assert_eq!(
            (stage.stage, stage.stage_name),
            (Stage::Supplement, "补正告知")
        );
        assert_eq!(report.version, 2);
        let pause = stage.pause.expect("the pause");
        assert_eq!(pause.materials, vec!["户口簿".to_owned()]);
        assert_eq!(pause.from, day("2012-09-11"));

        let resumed = act(
            &hall,
            &paused.case,
            Action::Resume {
                arrived: vec!["户口簿".into()],
            },
            "2012-09-13",
            by,
        );
        let report = Report::of(&resumed.case, &resumed.event, &facts(None)).expect("reported");
        let stage = report.stage.expect("a stage");
        assert_eq!(stage.stage, Stage::Resumed);
        // Two working days paused push the promise two working days later.
        assert_eq!(stage.promised_deadline, Some(day("2012-09-19")));

        let started = act(&hall, &resumed.case, Action::Start, "2012-09-14", by);
        let completed = act(
            &hall,
            &started.case,
            Action::Complete {
                outcome: Outcome::Approved,
                result: String::new(),
                result_code: None,
                certificate: None,
                fees: Vec::new(),
            },
            "2012-09-14",
            by,
        );
        let report = Report::of(&completed.case, &completed.event, &facts(None)).expect("reported");
        assert_eq!(report.version, 5);
        let stage = report.stage.expect("a stage");
        assert_eq!(stage.stage_name, "办结");
        assert_eq!(stage.result_code, Some("6"));
        assert_eq!(
            stage.completed_at.as_deref(),
            Some("2012-09-14T10:00:00+08:00")
        );
        assert_eq!(stage.on_time, Some(true));
    }

    #[test]
    fn a_rating_names_the_clerk_who_decided_its_level_and_channel() {
        let hall = hall(Handling::Immediate);
        let (case, accept) = accepted(&hall);
        let decider = UserId::new();
        let completed = act(
            &hall,
            &case,
            Action::Complete {
                outcome: Outcome::Approved,
                result: String::new(),
                result_code: None,
                certificate: None,
                fees: Vec::new(),
            },
            "2012-09-10",
            decider,
        );
        let calendar: &WorkingCalendar = &hall.calendar;
        let rating = Rating::new(
            case.id,
            2,
            "等太久".into(),
            at("2012-09-11"),
            day("2012-09-11"),
            calendar,
        )
        .expect("rating");
        let rated = completed.case.rate(&rating).expect("rated");
        let events = [accept, completed.event.clone(), rated.event.clone()];
        assert_eq!(
            named_clerk(&rated.case, &rated.event, &events),
            Some(decider)
        );
        let named = Clerk {
            id: decider,
            name: "王芳".into(),
        };
        let report = Report::of(&rated.case, &rated.event, &facts(Some(named))).expect("reported");
        assert_eq!(report.report_type, "rating");
        assert!(report.stage.is_none());
        let rating = report.rating.clone().expect("a rating");
        assert_eq!((rating.level, rating.level_name.as_str()), (2, "不满意"));
        assert!(rating.poor);
        assert_eq!(rating.channel, "on_site");
        assert_eq!(rating.clerk_id, Some(decider));
        assert_eq!(rating.clerk_name.as_deref(), Some("王芳"));
        assert_eq!(rating.rated_at, "2012-09-11T10:00:00+08:00");
        // The applicant's words stay in the hall.
        assert!(!report.to_json().contains("等太久"));
    }

    #[test]
    fn a_correction_reports_the_current_stage_again_with_a_higher_version() {
        let hall = hall(Handling::Committed);
        let (case, _) = accepted(&hall);
        let paused = act(
            &hall,
            &case,
            Action::Pause {
                reason: PauseReason::SpecialProcedure,
                note: "专家评审".into(),
                materials: Vec::new(),
            },
            "2012-09-11",
            UserId::new(),
        );
        // The notice gives the deadline day off: the deadline moves a working day later.
        let deadline = paused.case.deadline.expect("a deadline");
        let mut years = china();
        years[0].holidays.push(Holiday {
            name: "test".into(),
            from: deadline,
            to: deadline,
        });
        let recomputed = paused
            .case
            .recompute(
                at("2012-09-12"),
                day("2012-09-12"),
                None,
                &WorkingCalendar::new(years),
                "the 2012 calendar was changed",
            )
            .expect("recomputed")
            .expect("moved");
        let report =
            Report::of(&recomputed.case, &recomputed.event, &facts(None)).expect("reported");
        assert_eq!(report.event, "case.corrected");
        assert_eq!(report.version, 3);
        let stage = report.stage.expect("a stage");
        assert_eq!(stage.stage, Stage::SpecialProcedure);
        assert_eq!(stage.promised_deadline, recomputed.case.deadline);
        let correction = stage.correction.expect("a correction");
        assert_eq!(correction.previous_deadline, paused.case.deadline);
    }

    #[test]
    fn the_exchange_hears_of_stages_ratings_and_corrections_only() {
        let hall = hall(Handling::Committed);
        let (case, _) = accepted(&hall);
        let started = act(&hall, &case, Action::Start, "2012-09-11", UserId::new());
        assert!(Report::of(&started.case, &started.event, &facts(None)).is_none());
        assert!(!KINDS.contains(&EventKind::NoticeIssued));
        assert!(KINDS.contains(&EventKind::CaseCorrected));
    }
}
