//! Texts to applicants (短信告知): which news is texted, what each text says, and the queue's
//! "three ahead of you" rule. A text's facts are fixed when its message is queued, in the
//! event's transaction; the phone and the query code are never among them: the dispatcher
//! adds both when it sends (docs/DESIGN.md, "The outbox", SMS).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::{Case, Outcome, PauseReason};
use crate::ids::{CaseId, TicketId};
use crate::outbox::{EventKind, TicketNews};
use crate::queue::{Ticket, position_of};
use crate::repository::RepositoryResult;

/// The kinds of news an applicant is texted about: the one list.
pub const TEXTED: [EventKind; 5] = [
    EventKind::CaseAccepted,
    EventKind::CasePaused,
    EventKind::CaseExtended,
    EventKind::CaseCompleted,
    EventKind::TicketApproaching,
];

/// How many waiting tickets ahead of a holder make the "your turn is near" text.
pub const AHEAD_TO_TEXT: u32 = 3;

/// What one text says, besides the query code: the body of an SMS message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextFacts {
    /// The news it tells; picks the template.
    pub kind: EventKind,
    /// The hall's (centre's) name, e.g. 西夏区政务服务中心.
    pub center_name: String,
    /// The case number, for news of a case.
    pub case_no: Option<String>,
    /// The service item applied for.
    pub item_name: Option<String>,
    /// For a 补正, each missing material named, with its form and copies when known.
    pub missing_materials: Vec<String>,
    /// For a 补正, the clerk's note on the pause.
    pub note: Option<String>,
    /// The deadline after the event.
    pub deadline: Option<NaiveDate>,
    /// For a completion, the decision as the applicant reads it, e.g. 准予（出证办结）.
    pub result: Option<String>,
    /// For an approval with a certificate, the certificate's name.
    pub certificate: Option<String>,
    /// Where the result is collected or asked about, e.g. `5号窗口`.
    pub window: Option<String>,
    /// For a ticket, its number.
    pub ticket_number: Option<String>,
    /// For a ticket, its queue's name.
    pub queue_name: Option<String>,
    /// For a ticket, how many wait ahead of it.
    pub ahead: Option<u32>,
}

/// Where a case stands for a text, beyond the case itself: what storage reads around it.
#[derive(Debug, Clone, Copy)]
pub struct CaseContext<'a> {
    /// The centre's name.
    pub center_name: &'a str,
    /// The item's name.
    pub item_name: &'a str,
    /// The handling window's number.
    pub window_number: Option<u32>,
    /// For a pause, the clerk's note on it.
    pub pause_note: Option<&'a str>,
}

impl TextFacts {
    /// The text news of `kind` about `case` (as the event left it) makes; `None` when the
    /// kind is not texted, the pause is not a 补正, or the applicant declined texts.
    pub fn of_case(kind: EventKind, case: &Case, context: CaseContext<'_>) -> Option<Self> {
        if case.applicant.sms_opt_out || !TEXTED.contains(&kind) {
            return None;
        }
        let mut facts = Self {
            kind,
            center_name: context.center_name.to_owned(),
            case_no: Some(case.case_no.clone()),
            item_name: Some(context.item_name.to_owned()),
            missing_materials: Vec::new(),
            note: None,
            deadline: case.deadline,
            result: None,
            certificate: None,
            window: context.window_number.map(|n| format!("{n}号窗口")),
            ticket_number: None,
            queue_name: None,
            ahead: None,
        };
        match kind {
            EventKind::CaseAccepted | EventKind::CaseExtended => {}
            EventKind::CasePaused => {
                let supplement = case
                    .clock
                    .pauses
                    .last()
                    .is_some_and(|p| p.to.is_none() && p.reason == PauseReason::Supplement);
                if !supplement {
                    return None;
                }
                facts.missing_materials = case
                    .missing_materials()
                    .into_iter()
                    .map(|m| {
                        format!(
                            "{}（{}{}份）",
                            m.material.name,
                            m.material.form.label(),
                            m.material.copies
                        )
                    })
                    .collect();
                facts.note = context
                    .pause_note
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned);
            }
            EventKind::CaseCompleted => {
                let decision = match case.outcome {
                    Some(Outcome::Approved) => "准予",
                    Some(Outcome::Denied) => "不予",
                    None => "办结",
                };
                facts.result = Some(match case.result_code {
                    Some(code) => format!("{decision}（{}）", code.label()),
                    None => decision.to_owned(),
                });
                facts.certificate = case.certificate.as_ref().map(|c| c.name.clone());
            }
            _ => return None,
        }
        Some(facts)
    }

    /// The text a ticket's news makes for its holder, in the queue named `queue_name`.
    pub fn of_ticket(news: &TicketNews, center_name: &str, queue_name: &str) -> Option<Self> {
        (news.kind == EventKind::TicketApproaching).then(|| Self {
            kind: news.kind,
            center_name: center_name.to_owned(),
            case_no: None,
            item_name: None,
            missing_materials: Vec::new(),
            note: None,
            deadline: None,
            result: None,
            certificate: None,
            window: None,
            ticket_number: Some(news.number.clone()),
            queue_name: Some(queue_name.to_owned()),
            ahead: Some(news.ahead),
        })
    }
}

/// After a call, the waiting ticket that now has exactly [`AHEAD_TO_TEXT`] tickets of its
/// queue ahead of it, among `waiting` (the called ticket's queue); `None` when fewer wait.
pub fn approaching(waiting: &[Ticket]) -> Option<&Ticket> {
    waiting
        .iter()
        .find(|t| position_of(t, waiting) == Some(AHEAD_TO_TEXT as usize))
}

/// Whom a text goes to, as storage knows at send time.
#[derive(Clone, PartialEq, Eq)]
pub enum Recipient {
    /// This phone, opened from its sealed column.
    Phone(String),
    /// The applicant declined texts since the message was queued.
    OptedOut,
    /// No phone is known any more (an anonymised applicant, a booking without one).
    Unknown,
}

/// Never prints the phone.
impl std::fmt::Debug for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Phone(_) => "Phone(..)",
            Self::OptedOut => "OptedOut",
            Self::Unknown => "Unknown",
        })
    }
}

/// Reads the phone a text goes to: the system's own read of personal data, at send time.
pub trait SmsRecipients {
    /// The recipient of a text about `case`, or else about `ticket` (its checked-in
    /// booking's phone).
    fn sms_recipient(
        &mut self,
        case: Option<CaseId>,
        ticket: Option<TicketId>,
    ) -> RepositoryResult<Recipient>;
    /// Records whether the applicant of `case` declines texts; whether there is such a case.
    fn set_sms_opt_out(&mut self, case: CaseId, opt_out: bool) -> RepositoryResult<bool>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::fixtures::{Hall, at, day, hall};
    use crate::case::{Action, Performed};
    use crate::catalogue::Handling;
    use crate::ids::{CenterId, QueueId, UserId};
    use crate::queue::{Priority, TicketStatus};

    fn act(hall: &Hall, case: &Case, action: Action, on: &str) -> Performed {
        case.perform(
            &action,
            at(on),
            day(on),
            UserId::new(),
            &hall.calendar,
            None,
        )
        .expect("performed")
    }

    const CONTEXT: CaseContext<'static> = CaseContext {
        center_name: "西夏区政务服务中心",
        item_name: "结婚登记",
        window_number: Some(1),
        pause_note: Some("请带原件"),
    };

    #[test]
    fn an_acceptance_texts_the_case_number_and_deadline_but_not_to_one_who_declined() {
        let hall = hall(Handling::Committed);
        let case = hall
            .accept(
                "640105-20120928-00001".into(),
                at("2012-09-28"),
                day("2012-09-28"),
            )
            .expect("accepted");
        let facts = TextFacts::of_case(EventKind::CaseAccepted, &case, CONTEXT).expect("texted");
        assert_eq!(facts.case_no.as_deref(), Some("640105-20120928-00001"));
        assert_eq!(facts.deadline, Some(day("2012-10-11")));
        assert_eq!(facts.window.as_deref(), Some("1号窗口"));
        let json = serde_json::to_string(&facts).expect("serialises");
        assert!(!json.contains(&case.applicant.phone), "{json}");
        assert!(!json.contains(&case.applicant.id_number), "{json}");
        let mut declined = case.clone();
        declined.applicant.sms_opt_out = true;
        assert_eq!(
            TextFacts::of_case(EventKind::CaseAccepted, &declined, CONTEXT),
            None
        );
        assert_eq!(
            TextFacts::of_case(EventKind::CaseStarted, &case, CONTEXT),
            None
        );
    }

    #[test]
    fn a_supplement_names_its_missing_papers_and_other_pauses_text_nothing() {
        let hall = hall(Handling::Committed);
        let case = hall
            .accept(
                "640105-20120928-00001".into(),
                at("2012-09-28"),
                day("2012-09-28"),
            )
            .expect("accepted");
        let supplement = act(
            &hall,
            &case,
            Action::Pause {
                reason: PauseReason::Supplement,
                note: "请带原件".into(),
                materials: vec!["户口簿".into()],
            },
            "2012-10-08",
        );
        let facts =
            TextFacts::of_case(EventKind::CasePaused, &supplement.case, CONTEXT).expect("texted");
        assert_eq!(facts.missing_materials.len(), 1);
        assert!(
            facts.missing_materials[0].starts_with("户口簿"),
            "{facts:?}"
        );
        assert_eq!(facts.note.as_deref(), Some("请带原件"));
        let hearing = act(
            &hall,
            &case,
            Action::Pause {
                reason: PauseReason::SpecialProcedure,
                note: "听证".into(),
                materials: vec![],
            },
            "2012-10-08",
        );
        assert_eq!(
            TextFacts::of_case(EventKind::CasePaused, &hearing.case, CONTEXT),
            None
        );
    }

    #[test]
    fn a_completion_texts_the_decision() {
        let hall = hall(Handling::Committed);
        let case = hall
            .accept(
                "640105-20120928-00001".into(),
                at("2012-09-28"),
                day("2012-09-28"),
            )
            .expect("accepted");
        let started = act(&hall, &case, Action::Start, "2012-09-28").case;
        let done = act(
            &hall,
            &started,
            Action::Complete {
                outcome: Outcome::Approved,
                result: "准予登记".into(),
                result_code: None,
                certificate: None,
                fees: vec![],
            },
            "2012-10-08",
        );
        let facts =
            TextFacts::of_case(EventKind::CaseCompleted, &done.case, CONTEXT).expect("texted");
        assert_eq!(facts.result.as_deref(), Some("准予（办结）"));
        assert_eq!(facts.certificate, None);
    }

    fn waiting(queue: QueueId, minutes: &[(i64, Priority)]) -> Vec<Ticket> {
        let start = at("2012-09-28");
        minutes
            .iter()
            .enumerate()
            .map(|(i, (minute, priority))| {
                let since = start + chrono::Duration::minutes(*minute);
                Ticket {
                    id: crate::ids::TicketId::new(),
                    center_id: CenterId::new(),
                    queue_id: queue,
                    day: day("2012-09-28"),
                    seq: u32::try_from(i + 1).expect("small"),
                    number: format!("A{:03}", i + 1),
                    status: TicketStatus::Waiting,
                    priority: *priority,
                    arrived_at: since,
                    in_line_since: since,
                    first_called_at: None,
                    called_at: None,
                    window_id: None,
                    clerk_id: None,
                    ended_at: None,
                    recalls: 0,
                    real_name: false,
                    version: 1,
                }
            })
            .collect()
    }

    #[test]
    fn the_fourth_waiting_ticket_in_calling_order_is_the_one_three_ahead() {
        let queue = QueueId::new();
        let five = waiting(
            queue,
            &[
                (1, Priority::Normal),
                (2, Priority::Normal),
                (3, Priority::Normal),
                (4, Priority::Normal),
                (5, Priority::Normal),
            ],
        );
        assert_eq!(approaching(&five).map(|t| t.number.as_str()), Some("A004"));
        // A priority ticket issued last is called first: the ordinary A003 is now fourth.
        let priority = waiting(
            queue,
            &[
                (1, Priority::Normal),
                (2, Priority::Normal),
                (3, Priority::Normal),
                (4, Priority::Normal),
                (5, Priority::Elderly),
            ],
        );
        assert_eq!(
            approaching(&priority).map(|t| t.number.as_str()),
            Some("A003")
        );
        assert_eq!(approaching(&five[..3]), None);
    }
}
