//! The generator behind the demo's cases: one case at a time, by the domain's own intake and
//! actions, its events and statistics deltas gathered into one batch.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use domain::calendar::WorkingCalendar;
use domain::case::workflow::{self, QueryCodes};
use domain::case::{
    Action, Applicant, ApplicantKind, Case, CaseEvent, IdType, Intake, IntakeDecision,
    IntakeMaterials, Outcome, PauseReason, Performed, case_number,
};
use domain::catalogue::{ServiceItem, Window};
use domain::ids::UserId;
use domain::rating::Rating;
use domain::repository::{CaseLedger, RepositoryResult, StatsKey};
use domain::stats::StatDelta;
use persistence::bulk::Batch;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use super::{Staff, Visit};
use crate::demo::catalogue::Catalogue;

const SURNAMES: [&str; 12] = [
    "张", "王", "李", "赵", "刘", "陈", "杨", "马", "周", "吴", "欧阳", "黄",
];
const GIVEN: [&str; 12] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳",
];

/// The demo's batch as a ledger: the events and deltas of the generated cases, gathered for
/// one bulk write.
struct BatchLedger<'b>(&'b mut Batch);

impl CaseLedger for BatchLedger<'_> {
    fn record_event(&mut self, region: &str, event: &CaseEvent) -> RepositoryResult<()> {
        self.0.event(region, event)
    }

    fn record_news(&mut self, _: &domain::outbox::News) -> RepositoryResult<()> {
        // The demo's history is written before any webhook exists: nobody to tell.
        Ok(())
    }

    fn record_deltas(&mut self, key: &StatsKey, deltas: &[StatDelta]) -> RepositoryResult<()> {
        self.0.stats(key, deltas);
        Ok(())
    }
}

pub(super) struct Generator<'a> {
    pub(super) rng: StdRng,
    pub(super) calendar: &'a WorkingCalendar,
    pub(super) offset: FixedOffset,
    pub(super) codes: &'a dyn QueryCodes,
    pub(super) catalogue: &'a Catalogue,
    pub(super) staff: &'a Staff,
    pub(super) batch: Batch,
    pub(super) sequence: HashMap<NaiveDate, u32>,
    pub(super) completed_by_september: usize,
    /// Every case's acceptance, for the queue history the demo draws around them.
    pub(super) visits: Vec<Visit>,
}

pub(super) fn date(s: &str) -> NaiveDate {
    s.parse().unwrap_or_default()
}

impl Generator<'_> {
    pub(super) fn at(&self, day: NaiveDate, minutes_after_eight: u32) -> DateTime<Utc> {
        let local = day.and_time(NaiveTime::MIN)
            + chrono::Duration::minutes(8 * 60 + i64::from(minutes_after_eight));
        self.offset
            .from_local_datetime(&local)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    pub(super) fn applicant(&mut self) -> Applicant {
        let organization = self.rng.random_bool(0.12);
        if organization {
            let n = self.rng.random_range(1..999);
            return Applicant {
                kind: ApplicantKind::Organization,
                name: format!("银川市西夏区第{n}号示范企业有限公司"),
                id_type: IdType::Other,
                id_number: format!("DEMO-ORG-{n:04}"),
                phone: format!("0951-50{:05}", self.rng.random_range(0..100_000)),
                sms_opt_out: false,
            };
        }
        let surname = *SURNAMES.choose(&mut self.rng).unwrap_or(&"张");
        let given: String = (0..self.rng.random_range(1..3))
            .map(|_| *GIVEN.choose(&mut self.rng).unwrap_or(&"伟"))
            .collect();
        Applicant {
            kind: ApplicantKind::Person,
            name: format!("{surname}{given}"),
            id_type: IdType::Other,
            id_number: format!("DEMO-{:08}", self.rng.random_range(0..100_000_000)),
            phone: format!("139{:08}", self.rng.random_range(0..100_000_000)),
            sms_opt_out: false,
        }
    }

    /// Applies one step: the case after it, its event and its statistics.
    pub(super) fn step(
        &mut self,
        case: &Case,
        action: Action,
        at: DateTime<Utc>,
        actor: UserId,
    ) -> Result<Case, String> {
        let today = at.with_timezone(&self.offset).date_naive();
        let target = match &action {
            Action::Transfer { window_id, .. } => {
                self.catalogue.windows.iter().find(|w| w.id == *window_id)
            }
            _ => None,
        };
        let done = case
            .perform(&action, at, today, actor, self.calendar, target)
            .map_err(|e| format!("demo step {action:?}: {e}"))?;
        self.keep(&done)?;
        Ok(done.case)
    }

    /// Writes down a performed action's event and deltas into the batch, by the same
    /// [`workflow::record`] as live work.
    pub(super) fn keep(&mut self, done: &Performed) -> Result<(), String> {
        workflow::record(&mut BatchLedger(&mut self.batch), done).map_err(|e| e.to_string())
    }

    pub(super) fn rate_maybe(&mut self, case: Case, at: DateTime<Utc>) -> Result<Case, String> {
        if !self.rng.random_bool(0.06) {
            return Ok(case);
        }
        let roll: f64 = self.rng.random();
        let score = match roll {
            r if r < 0.70 => 5,
            r if r < 0.92 => 4,
            r if r < 0.98 => 3,
            r if r < 0.995 => 2,
            _ => 1,
        };
        let today = at.with_timezone(&self.offset).date_naive();
        let rating = Rating::new(case.id, score, String::new(), at, today, self.calendar)
            .map_err(|e| e.to_string())?;
        let done = case.rate(&rating).map_err(|e| e.to_string())?;
        self.keep(&done)?;
        self.batch.rating(&done.case.region, &rating);
        Ok(done.case)
    }

    /// Opens a case received at `at` for `item` at `window`.
    pub(super) fn receive(
        &mut self,
        item: &ServiceItem,
        window: &Window,
        window_index: usize,
        at: DateTime<Utc>,
    ) -> Result<(Case, u32), String> {
        let today = at.with_timezone(&self.offset).date_naive();
        let seq = {
            let next = self.sequence.entry(today).or_default();
            *next += 1;
            *next
        };
        let case_no =
            case_number(&self.catalogue.centers[0].code, today, seq).map_err(|e| e.to_string())?;
        let intake = Intake {
            item,
            window,
            center: &self.catalogue.centers[0],
            applicant: self.applicant(),
            note: String::new(),
            materials: IntakeMaterials::AllReceived,
            decision: IntakeDecision::Accept,
        };
        let opened = intake
            .open(
                case_no,
                at,
                today,
                self.staff.clerks[window_index],
                self.calendar,
            )
            .map_err(|e| format!("demo intake: {e}"))?;
        self.keep(&opened)?;
        self.visits.push(Visit {
            case_id: opened.case.id,
            window: window_index,
            accepted_at: at,
        });
        Ok((opened.case, seq))
    }

    pub(super) fn store(&mut self, case: &Case, seq: u32) -> Result<(), String> {
        let hash = self
            .codes
            .hash(&case.case_no, &self.codes.code_for(case.id));
        self.batch.case(case, &hash, seq).map_err(|e| e.to_string())
    }

    /// A window that serves `item`: its own department's window mostly, the comprehensive
    /// window sometimes.
    pub(super) fn window_for(&mut self, item: &ServiceItem) -> usize {
        let serving: Vec<usize> = (0..self.catalogue.windows.len())
            .filter(|w| self.catalogue.windows[*w].serves(item.id))
            .collect();
        let own: Vec<usize> = serving.iter().copied().filter(|w| *w != 19).collect();
        if own.is_empty() || self.rng.random_bool(0.1) {
            19
        } else {
            own[self.rng.random_range(0..own.len())]
        }
    }

    pub(super) fn immediate(
        &mut self,
        item: &ServiceItem,
        day: NaiveDate,
        minute: u32,
    ) -> Result<(), String> {
        let window = self.window_for(item);
        let at = self.at(day, minute);
        let (case, seq) =
            self.receive(item, &self.catalogue.windows[window].clone(), window, at)?;
        let done_at = at + chrono::Duration::minutes(self.rng.random_range(5..40));
        let clerk = self.staff.clerks[window];
        let case = self.step(
            &case,
            Action::Complete {
                outcome: Outcome::Approved,
                result: "当场办结".into(),
                result_code: None,
                certificate: None,
                fees: Vec::new(),
            },
            done_at,
            clerk,
        )?;
        self.completed_by_september += 1;
        let case = self.rate_maybe(case, done_at + chrono::Duration::minutes(2))?;
        self.store(&case, seq)
    }

    /// A committed case; `late` ones (received in September) are completed in October.
    pub(super) fn committed(
        &mut self,
        item: &ServiceItem,
        day: NaiveDate,
        minute: u32,
        late: bool,
    ) -> Result<(), String> {
        let mut window = self.window_for(item);
        let at = self.at(day, minute);
        let (mut case, seq) =
            self.receive(item, &self.catalogue.windows[window].clone(), window, at)?;
        let clerk = |w: usize| self.staff.clerks[w];
        case = self.step(
            &case,
            Action::Start,
            at + chrono::Duration::minutes(30),
            clerk(window),
        )?;
        let mut last_day = day;
        if window != 19 && self.rng.random_bool(0.03) {
            let comprehensive = self.catalogue.windows[19].id;
            case = self.step(
                &case,
                Action::Transfer {
                    window_id: comprehensive,
                    note: "转综合窗口".into(),
                },
                at + chrono::Duration::minutes(60),
                self.staff.supervisor,
            )?;
            window = 19;
        }
        if !late && self.rng.random_bool(0.10) {
            let paused_on = self.next_working(day, 1)?;
            let pause = self.rng.random_range(1..4);
            let resumed_on = self.next_working(paused_on, pause)?;
            // The guide's first material, found wanting and handed in again.
            let wanting: Vec<String> = item
                .materials
                .iter()
                .take(1)
                .map(|m| m.name.clone())
                .collect();
            case = self.step(
                &case,
                Action::Pause {
                    reason: PauseReason::Supplement,
                    note: "补正材料".into(),
                    materials: wanting.clone(),
                },
                self.at(paused_on, 60),
                clerk(window),
            )?;
            case = self.step(
                &case,
                Action::Resume { arrived: wanting },
                self.at(resumed_on, 60),
                clerk(window),
            )?;
            last_day = resumed_on;
        }
        if !late && self.rng.random_bool(0.04) {
            case = self.step(
                &case,
                Action::Extend {
                    days: 5,
                    reason: "需现场核查".into(),
                },
                self.at(last_day, 120),
                self.staff.supervisor,
            )?;
        }
        let deadline = case.deadline.ok_or("a committed case has a deadline")?;
        let (first, last) = if late {
            (date("2012-10-08"), deadline.min(date("2012-10-31")))
        } else {
            (last_day, deadline.min(date("2012-09-29")))
        };
        let days = self
            .calendar
            .working_days_between(first, last)
            .map_err(|e| e.to_string())?
            .max(0);
        let after = self.rng.random_range(0..=days as u32);
        let on = self.next_working_or_same(first, after)?;
        let done_at = self.at(on, 420);
        let outcome = if self.rng.random_bool(0.97) {
            Outcome::Approved
        } else {
            Outcome::Denied
        };
        case = self.step(
            &case,
            Action::Complete {
                outcome,
                result: "已作出决定".into(),
                result_code: None,
                certificate: None,
                fees: Vec::new(),
            },
            done_at,
            clerk(window),
        )?;
        if case.on_time != Some(true) {
            return Err(format!("demo case {} would be late", case.case_no));
        }
        if !late {
            self.completed_by_september += 1;
        }
        case = self.rate_maybe(case, done_at + chrono::Duration::minutes(10))?;
        if self.rng.random_bool(0.5) {
            let delivered = self.next_working(on, 1)?;
            case = self.step(
                &case,
                Action::Deliver {
                    note: "窗口领取".into(),
                },
                self.at(delivered, 90),
                clerk(window),
            )?;
        }
        self.store(&case, seq)
    }

    pub(super) fn next_working(&self, day: NaiveDate, n: u32) -> Result<NaiveDate, String> {
        self.calendar
            .add_working_days(day, n)
            .map_err(|e| e.to_string())
    }

    /// `day` itself when n is 0 and it is a working day; else the n-th working day after.
    pub(super) fn next_working_or_same(&self, day: NaiveDate, n: u32) -> Result<NaiveDate, String> {
        if n == 0 {
            Ok(day)
        } else {
            self.next_working(day, n)
        }
    }
}
