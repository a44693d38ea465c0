//! What a notice shows ([`NoticeFacts`]), and the one function that reads it from a case
//! ([`facts_of`]). Templates see nothing else, so whatever a notice should show (the
//! materials of a guide as data, a result's certificate, fees) comes in here and only here.

use chrono::{FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::case::{Case, CaseEvent, EventDetails, Outcome, PauseReason};
use crate::catalogue::{Center, Handling, ServiceItem, Window};

/// Everything a notice's template may show, as it stood when the notice was issued. Stored
/// with the notice: printing it again reads these, never the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeFacts {
    /// The hall's (centre's) full name, e.g. 西夏区政务服务中心.
    pub center_name: String,
    /// The window handling the case, e.g. `5号窗口（民政）`.
    pub window: String,
    /// The case number.
    pub case_no: String,
    /// The service item applied for.
    pub item_name: String,
    /// Its code in the catalogue.
    pub item_code: String,
    /// The applicant's full name: a notice is handed to the applicant. No ID number, no phone.
    pub applicant_name: String,
    /// The local date the application was received.
    pub received_on: NaiveDate,
    /// 即办件 or 承诺件.
    pub handling_label: String,
    /// The promised working days.
    pub promised_days: u32,
    /// The deadline as it stands; `None` for a case refused at intake.
    pub deadline: Option<NaiveDate>,
    /// 设定依据, from the guide the case was accepted under.
    pub legal_basis: String,
    /// The applicant's rights and remedies, from the guide.
    pub rights_and_remedies: String,
    /// Where to ask.
    pub contact: String,
    /// Where to complain.
    pub complaint_channel: String,
    /// Why it was refused at intake.
    pub refusal_reason: Option<String>,
    /// The materials still missing, each once (补正).
    pub missing_materials: Vec<MissingMaterial>,
    /// The local date the case was paused for them.
    pub supplement_requested_on: Option<NaiveDate>,
    /// The latest extension.
    pub extension: Option<ExtensionFacts>,
    /// The decision, once decided.
    pub decision: Option<DecisionFacts>,
    /// The certificate (证照) issued with an approval.
    pub certificate: Option<Certificate>,
    /// The fees charged.
    pub fees: Vec<Fee>,
    /// The delivery, once delivered.
    pub delivery: Option<DeliveryFacts>,
    /// The hall's public address when the notice was issued: the receipt's QR code leads to
    /// the kiosk lookup under it.
    pub lookup_base: String,
}

/// One missing material (补正材料).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingMaterial {
    /// Its name, or what the clerk wrote.
    pub name: String,
    /// 原件, 复印件, or empty when not known.
    pub form: String,
    /// How many copies, when known.
    pub copies: Option<u32>,
    /// By when it is to be brought (容缺), when promised.
    pub due: Option<NaiveDate>,
}

/// The latest extension of the deadline (延期).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionFacts {
    /// Working days added.
    pub days: u32,
    /// Why.
    pub reason: String,
    /// The local date it was approved.
    pub extended_on: NaiveDate,
    /// The deadline after it.
    pub deadline: Option<NaiveDate>,
}

/// The decision (办结).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionFacts {
    /// Granted or refused.
    pub outcome: Outcome,
    /// 准予 or 不予.
    pub outcome_label: String,
    /// The result as the national convention names it (出证办结, 退回办结 …); empty for a
    /// case decided before results were recorded.
    #[serde(default)]
    pub result_label: String,
    /// The decision's text.
    pub result: String,
    /// The local date of the decision.
    pub decided_on: NaiveDate,
}

/// A certificate (证照) issued with an approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// Its name, e.g. 食品经营许可证.
    pub name: String,
    /// Its number.
    pub number: String,
    /// Valid from.
    pub valid_from: Option<NaiveDate>,
    /// Valid until; `None` for no end.
    pub valid_until: Option<NaiveDate>,
    /// The issuing body.
    pub issuer: String,
}

/// A fee charged (收费).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    /// What it is for.
    pub name: String,
    /// The amount in yuan as printed, e.g. `20.00`.
    pub amount_yuan: String,
    /// Its legal basis.
    pub basis: String,
}

/// The delivery (送达).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryFacts {
    /// The local date it was handed over.
    pub delivered_on: NaiveDate,
    /// How.
    pub note: String,
}

/// What a notice on `case` shows: the one place that reads case data for notices. `item` is
/// the guide as the case was accepted under it, `window` the window handling the case,
/// `events` its history, oldest first; `offset` gives local dates and `lookup_base` is the
/// hall's public address.
pub fn facts_of(
    center: &Center,
    case: &Case,
    item: &ServiceItem,
    window: &Window,
    events: &[CaseEvent],
    offset: FixedOffset,
    lookup_base: &str,
) -> NoticeFacts {
    let local = |event: &CaseEvent| event.at.with_timezone(&offset).date_naive();
    let supplement = case
        .clock
        .pauses
        .last()
        .filter(|p| p.to.is_none() && p.reason == PauseReason::Supplement);
    let mut missing_materials: Vec<MissingMaterial> = case
        .missing_materials()
        .into_iter()
        .map(|missing| MissingMaterial {
            name: missing.material.name.clone(),
            form: missing.material.form.label().to_owned(),
            copies: Some(missing.material.copies),
            due: missing.due_on,
        })
        .collect();
    // A case accepted before guides listed their materials as data keeps no checklist: the
    // clerk's note on the 补正 pause is then the one line that names what is missing.
    if missing_materials.is_empty() && case.materials.items.is_empty() {
        let note = supplement.and_then(|_| {
            events.iter().rev().find_map(|e| match &e.payload {
                EventDetails::Pause {
                    reason: PauseReason::Supplement,
                    note,
                    ..
                } => Some(note.trim().to_owned()),
                _ => None,
            })
        });
        missing_materials.extend(note.map(|note| MissingMaterial {
            name: if note.is_empty() {
                "（未列明）".to_owned()
            } else {
                note
            },
            form: String::new(),
            copies: None,
            due: None,
        }));
    }
    let extension = events.iter().rev().find_map(|e| match &e.payload {
        EventDetails::Extend {
            days,
            reason,
            deadline,
        } => Some(ExtensionFacts {
            days: *days,
            reason: reason.clone(),
            extended_on: local(e),
            deadline: *deadline,
        }),
        _ => None,
    });
    let decision = case.outcome.map(|outcome| DecisionFacts {
        outcome,
        outcome_label: outcome.label().to_owned(),
        result_label: case
            .result_code
            .map(|code| code.label().to_owned())
            .unwrap_or_default(),
        result: case.result.clone().unwrap_or_default(),
        decided_on: case.completed_on.unwrap_or(case.received_on),
    });
    let certificate = case.certificate.as_ref().map(|c| Certificate {
        name: c.name.clone(),
        number: c.number.clone(),
        valid_from: Some(c.valid_from),
        valid_until: c.valid_until,
        issuer: c.issued_by.clone(),
    });
    let fees = case
        .fees
        .iter()
        .map(|fee| Fee {
            name: fee.name.clone(),
            amount_yuan: format!("{}.{:02}", fee.amount_fen / 100, fee.amount_fen % 100),
            basis: fee.basis.clone(),
        })
        .collect();
    let delivery = events.iter().rev().find_map(|e| match &e.payload {
        EventDetails::Deliver { note } => Some(DeliveryFacts {
            delivered_on: local(e),
            note: note.clone(),
        }),
        _ => None,
    });
    NoticeFacts {
        center_name: center.name.clone(),
        window: format!("{}号窗口（{}）", window.number, window.name),
        case_no: case.case_no.clone(),
        item_name: item.name.clone(),
        item_code: item.code.clone(),
        applicant_name: case.applicant.name.clone(),
        received_on: case.received_on,
        handling_label: match case.handling {
            Handling::Immediate => "即办件",
            Handling::Committed => "承诺件",
        }
        .to_owned(),
        promised_days: case.clock.promised_days,
        deadline: case.deadline,
        legal_basis: item.legal_basis.clone(),
        rights_and_remedies: item.rights_and_remedies.clone(),
        contact: item.contact.clone(),
        complaint_channel: item.complaint_channel.clone(),
        refusal_reason: case.refusal_reason.clone(),
        missing_materials,
        supplement_requested_on: supplement.map(|p| p.from),
        extension,
        decision,
        certificate,
        fees,
        delivery,
        lookup_base: lookup_base.trim_end_matches('/').to_owned(),
    }
}

impl NoticeFacts {
    /// Facts with every part filled, for trying a template before it is kept.
    pub fn sample(full: bool) -> Self {
        let day = |s: &str| s.parse().unwrap_or_default();
        fn when<T>(full: bool, value: T) -> Option<T> {
            full.then_some(value)
        }
        NoticeFacts {
            center_name: "西夏区政务服务中心".into(),
            window: "5号窗口（民政）".into(),
            case_no: "640105-20120928-00001".into(),
            item_name: "结婚登记".into(),
            item_code: "MZ-001".into(),
            applicant_name: "张三".into(),
            received_on: day("2012-09-28"),
            handling_label: "承诺件".into(),
            promised_days: 5,
            deadline: when(full, day("2012-10-11")),
            legal_basis: "《中华人民共和国婚姻法》".into(),
            rights_and_remedies: "申请人对决定不服的，可依法申请行政复议或提起行政诉讼。".into(),
            contact: "0951-0000000".into(),
            complaint_channel: "12345".into(),
            refusal_reason: when(full, "不属于本机关职权范围".into()),
            missing_materials: if full {
                vec![
                    MissingMaterial {
                        name: "户口簿".into(),
                        form: "原件".into(),
                        copies: Some(1),
                        due: Some(day("2012-10-08")),
                    },
                    MissingMaterial {
                        name: "近期二寸合影照片".into(),
                        form: String::new(),
                        copies: Some(3),
                        due: None,
                    },
                ]
            } else {
                Vec::new()
            },
            supplement_requested_on: when(full, day("2012-09-29")),
            extension: when(
                full,
                ExtensionFacts {
                    days: 5,
                    reason: "需现场核查".into(),
                    extended_on: day("2012-10-08"),
                    deadline: Some(day("2012-10-18")),
                },
            ),
            decision: when(
                full,
                DecisionFacts {
                    outcome: Outcome::Approved,
                    outcome_label: "准予".into(),
                    result_label: "出证办结".into(),
                    result: "准予登记".into(),
                    decided_on: day("2012-10-10"),
                },
            ),
            certificate: when(
                full,
                Certificate {
                    name: "结婚证".into(),
                    number: "J640105-2012-000123".into(),
                    valid_from: Some(day("2012-10-10")),
                    valid_until: None,
                    issuer: "西夏区民政局".into(),
                },
            ),
            fees: if full {
                vec![Fee {
                    name: "工本费".into(),
                    amount_yuan: "9.00".into(),
                    basis: "计价格〔2001〕1805号".into(),
                }]
            } else {
                Vec::new()
            },
            delivery: when(
                full,
                DeliveryFacts {
                    delivered_on: day("2012-10-11"),
                    note: "窗口领取".into(),
                },
            ),
            lookup_base: "https://hall.example".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::*;
    use crate::case::fixtures::{Hall, hall};
    use crate::case::{Action, Performed};
    use crate::ids::UserId;
    use crate::notice::NoticeKind;

    fn at(day: &str) -> DateTime<Utc> {
        let day: NaiveDate = day.parse().expect("date");
        Utc.from_utc_datetime(&day.and_hms_opt(2, 0, 0).expect("time"))
    }

    fn act(hall: &Hall, case: &Case, action: Action, day: &str) -> Performed {
        case.perform(
            &action,
            at(day),
            day.parse().expect("date"),
            UserId::new(),
            &hall.calendar,
            None,
        )
        .expect("allowed")
    }

    fn facts(hall: &Hall, case: &Case, events: &[CaseEvent]) -> NoticeFacts {
        let offset = FixedOffset::east_opt(8 * 3600).expect("offset");
        facts_of(
            &hall.center,
            case,
            &hall.item,
            &hall.window,
            events,
            offset,
            "https://hall.example/",
        )
    }

    /// A case walked through 补正, an extension, a decision and its delivery: each notice's
    /// part is there when its kind applies, the missing papers only while they are awaited.
    #[test]
    fn the_facts_follow_the_case_through_its_life() {
        let hall = hall(Handling::Committed);
        let case = hall
            .accept(
                "640105-20120928-00001".into(),
                at("2012-09-28"),
                "2012-09-28".parse().expect("date"),
            )
            .expect("accepted");
        let mut events = Vec::new();
        let accepted = facts(&hall, &case, &events);
        assert_eq!(accepted.case_no, "640105-20120928-00001");
        assert_eq!(accepted.applicant_name, "张三");
        assert_eq!(accepted.handling_label, "承诺件");
        assert_eq!(accepted.lookup_base, "https://hall.example");
        assert!(accepted.missing_materials.is_empty() && accepted.decision.is_none());
        assert!(NoticeKind::Receipt.applies_to(&case));
        assert!(!NoticeKind::Supplement.applies_to(&case));

        let paused = act(
            &hall,
            &case,
            Action::Pause {
                reason: PauseReason::Supplement,
                note: "请补交户口簿".into(),
                materials: vec!["户口簿".into()],
            },
            "2012-09-29",
        );
        events.push(paused.event.clone());
        let case = paused.case;
        let waiting = facts(&hall, &case, &events);
        assert_eq!(
            waiting.missing_materials,
            [MissingMaterial {
                name: "户口簿".into(),
                form: "原件".into(),
                copies: Some(1),
                due: None,
            }],
            "the guide's data for exactly the papers the 补正 named"
        );
        assert_eq!(waiting.supplement_requested_on, "2012-09-29".parse().ok());
        assert!(NoticeKind::Supplement.applies_to(&case));

        let resumed = act(
            &hall,
            &case,
            Action::Resume {
                arrived: vec!["户口簿".into()],
            },
            "2012-10-08",
        );
        events.push(resumed.event.clone());
        let extended = act(
            &hall,
            &resumed.case,
            Action::Extend {
                days: 3,
                reason: "需现场核查".into(),
            },
            "2012-10-09",
        );
        events.push(extended.event.clone());
        let case = extended.case;
        let later = facts(&hall, &case, &events);
        assert!(later.missing_materials.is_empty(), "the papers came");
        let extension = later.extension.expect("the extension");
        assert_eq!(
            (extension.days, extension.reason.as_str()),
            (3, "需现场核查")
        );
        assert_eq!(extension.deadline, case.deadline);
        assert!(NoticeKind::Extension.applies_to(&case));

        let started = act(&hall, &case, Action::Start, "2012-10-10");
        let done = act(
            &hall,
            &started.case,
            Action::Complete {
                outcome: Outcome::Denied,
                result: "不符合条件".into(),
                result_code: None,
                certificate: None,
                fees: Vec::new(),
            },
            "2012-10-10",
        );
        let delivered = act(
            &hall,
            &done.case,
            Action::Deliver {
                note: "邮寄送达".into(),
            },
            "2012-10-11",
        );
        events.extend([started.event, done.event, delivered.event]);
        let case = delivered.case;
        let closed = facts(&hall, &case, &events);
        let decision = closed.decision.expect("decided");
        assert_eq!(
            (decision.outcome_label.as_str(), decision.result.as_str()),
            ("不予", "不符合条件")
        );
        assert_eq!(closed.delivery.map(|d| d.note), Some("邮寄送达".into()));
        assert_eq!(closed.certificate, None, "a denial issues none");
        assert_eq!(decision.result_label, "退回办结");
        assert!(NoticeKind::Decision.applies_to(&case) && NoticeKind::Delivery.applies_to(&case));
        assert!(!NoticeKind::Extension.applies_to(&case) && !NoticeKind::Refusal.applies_to(&case));

        // Issuing is a step of the case's history that counts for nothing in the statistics.
        let noted = case.note_notice(
            EventDetails::IssueNotice {
                notice_id: crate::ids::NoticeId::new(),
                kind: NoticeKind::Delivery,
                number: "西夏送〔2012〕00001号".into(),
                sha256: "0".repeat(64),
            },
            at("2012-10-12"),
            "2012-10-12".parse().expect("date"),
            UserId::new(),
        );
        assert!(noted.deltas.is_empty());
        assert_eq!(
            (noted.case.status, noted.case.version),
            (case.status, case.version + 1)
        );
        assert_eq!(noted.event.action, crate::case::ActionKind::IssueNotice);
    }
}
