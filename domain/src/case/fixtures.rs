//! A small hall for the domain's own tests: one centre, a committed or immediate item, two
//! windows serving it, the shipped calendar.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::case::{Case, CaseError, CaseEvent, Intake, IntakeDecision, IntakeMaterials};
use crate::ids::{CaseId, UserId};
use crate::page::{DueCursor, Page, PageRequest};
use crate::repository::{
    CaseFilter, CaseRepository, IdempotencyRecord, IdempotencyRepository, RepositoryError,
    RepositoryResult,
};

use crate::calendar::{WorkingCalendar, china};
use crate::case::{Applicant, ApplicantKind, IdType};
use crate::catalogue::{
    Category, Center, CenterInput, Handling, Material, ServiceItem, ServiceItemInput, Window,
    WindowInput, WindowKind,
};
use crate::ids::{CenterId, DepartmentId, ServiceItemId, WindowId};

/// The date written `s` (`2012-09-28`).
pub(crate) fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

/// 10:00 in the hall (UTC+8) on `s`.
pub(crate) fn at(s: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day(s).and_hms_opt(2, 0, 0).expect("time"))
}

pub(crate) struct Hall {
    pub(crate) center: Center,
    pub(crate) item: ServiceItem,
    pub(crate) window: Window,
    pub(crate) other_window: Window,
    pub(crate) calendar: WorkingCalendar,
}

impl Hall {
    /// Accepts `applicant()` for the item at the first window as `case_no`, at `at` (local
    /// date `today`): the intake every test case starts from.
    pub(crate) fn accept(
        &self,
        case_no: String,
        at: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Case, CaseError> {
        Intake {
            item: &self.item,
            window: &self.window,
            center: &self.center,
            applicant: applicant(),
            note: String::new(),
            materials: IntakeMaterials::AllReceived,
            decision: IntakeDecision::Accept,
        }
        .open(case_no, at, today, UserId::new(), &self.calendar)
        .map(|opened| opened.case)
    }
}

pub(crate) fn hall(handling: Handling) -> Hall {
    let now = Utc::now();
    let center = CenterInput {
        code: "640105".into(),
        name: "西夏区".into(),
        parent_id: None,
        division: None,
    }
    .into_center(CenterId::new(), now);
    let item = ServiceItemInput {
        code: "MZ-001".into(),
        name: "结婚登记".into(),
        department_id: DepartmentId::new(),
        category: Category::Licensing,
        handling,
        statutory_days: 20,
        promised_days: if handling == Handling::Committed {
            5
        } else {
            0
        },
        conditions: String::new(),
        materials: vec![Material::named("居民身份证"), Material::named("户口簿")],
        procedure: vec![],
        steps_removed: 0,
        responsible_post: String::new(),
        fee: String::new(),
        fee_basis: String::new(),
        legal_basis: String::new(),
        rights_and_remedies: String::new(),
        contact: String::new(),
        complaint_channel: String::new(),
    }
    .into_item(ServiceItemId::new(), now);
    let window = |number| {
        WindowInput {
            center_id: center.id,
            number,
            name: "窗口".into(),
            kind: WindowKind::Permanent,
            item_ids: vec![item.id],
        }
        .into_window(WindowId::new(), now)
    };
    Hall {
        window: window(1),
        other_window: window(2),
        center: center.clone(),
        item,
        calendar: WorkingCalendar::new(china()),
    }
}

pub(crate) fn applicant() -> Applicant {
    Applicant {
        kind: ApplicantKind::Person,
        name: "张三".into(),
        id_type: IdType::ResidentId,
        id_number: "11010519491231002X".into(),
        phone: "13800138000".into(),
        sms_opt_out: false,
    }
}

/// Cases and idempotency keys in memory, for the domain's tests of functions generic over
/// storage; every other method of storage is refused.
#[derive(Default)]
pub(crate) struct Memory {
    pub(crate) keys: std::collections::HashMap<(UserId, String), IdempotencyRecord>,
    pub(crate) cases: Vec<Case>,
    /// A key another request takes between the look-up and the remembering.
    pub(crate) racing: Option<String>,
    pub(crate) pruned_before: Option<DateTime<Utc>>,
}

fn not_in_fake<T>() -> RepositoryResult<T> {
    Err(RepositoryError::Internal("not in this fake".into()))
}

impl IdempotencyRepository for Memory {
    fn idempotency_record(
        &mut self,
        user: UserId,
        key: &str,
    ) -> RepositoryResult<Option<IdempotencyRecord>> {
        Ok(self.keys.get(&(user, key.to_owned())).cloned())
    }
    fn remember_idempotency(
        &mut self,
        user: UserId,
        key: &str,
        record: &IdempotencyRecord,
    ) -> RepositoryResult<()> {
        if self.racing.as_deref() == Some(key) {
            return Err(RepositoryError::Conflict);
        }
        match self.keys.entry((user, key.to_owned())) {
            std::collections::hash_map::Entry::Occupied(_) => Err(RepositoryError::Conflict),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(record.clone());
                Ok(())
            }
        }
    }
    fn forget_idempotency(&mut self, user: UserId, key: &str) -> RepositoryResult<()> {
        self.keys.remove(&(user, key.to_owned()));
        Ok(())
    }
    fn prune_idempotency(&mut self, before: DateTime<Utc>, _limit: u32) -> RepositoryResult<usize> {
        self.pruned_before = Some(before);
        let count = self.keys.len();
        self.keys.retain(|_, record| record.created_at >= before);
        Ok(count - self.keys.len())
    }
}

impl crate::outbox::NewsSink for Memory {
    fn enqueue_news(&mut self, _: &crate::outbox::News) -> RepositoryResult<()> {
        Ok(())
    }

    fn enqueue_ticket_news(&mut self, _: &crate::outbox::TicketNews) -> RepositoryResult<()> {
        Ok(())
    }
}

impl CaseRepository for Memory {
    fn next_case_seq(&mut self, _: &str, _: NaiveDate) -> RepositoryResult<u32> {
        not_in_fake()
    }
    fn defer_case_references(&mut self) -> RepositoryResult<()> {
        Ok(())
    }
    fn insert_case(&mut self, case: &Case, _: &str) -> RepositoryResult<()> {
        self.cases.push(case.clone());
        Ok(())
    }
    fn update_case(&mut self, _: &Case, _: i64) -> RepositoryResult<bool> {
        not_in_fake()
    }
    fn append_event(&mut self, _: &str, _: &CaseEvent) -> RepositoryResult<()> {
        not_in_fake()
    }
    fn case(&mut self, id: CaseId) -> RepositoryResult<Option<Case>> {
        Ok(self.cases.iter().find(|c| c.id == id).cloned())
    }
    fn case_by_number(&mut self, _: &str) -> RepositoryResult<Option<(Case, String)>> {
        not_in_fake()
    }
    fn case_events(&mut self, _: CaseId) -> RepositoryResult<Vec<CaseEvent>> {
        not_in_fake()
    }
    fn cases(&mut self, _: &CaseFilter, _: &PageRequest) -> RepositoryResult<Page<Case>> {
        not_in_fake()
    }
    fn cases_due_by(
        &mut self,
        by: NaiveDate,
        materials_before: Option<NaiveDate>,
        filter: &CaseFilter,
        page: &PageRequest,
    ) -> RepositoryResult<Page<Case>> {
        let key = |c: &DueCursor| (c.deadline, c.received_at, c.case_id.to_string());
        let after = match &page.after {
            Some(after) => Some(DueCursor::parse(after).ok_or(RepositoryError::InvalidCursor)?),
            None => None,
        };
        let mut due: Vec<(DueCursor, Case)> = self
            .cases
            .iter()
            .filter(|c| {
                (c.status.clock_runs() && c.deadline.is_some_and(|d| d <= by))
                    || (c.status.is_open()
                        && materials_before.is_some_and(|before| {
                            c.materials.earliest_due().is_some_and(|due| due < before)
                        }))
            })
            .filter(|c| filter.window_id.is_none_or(|w| w == c.window_id))
            .filter_map(|c| Some((DueCursor::after(c)?, c.clone())))
            .filter(|(cursor, _)| after.is_none_or(|after| key(cursor) > key(&after)))
            .collect();
        due.sort_by_key(|(cursor, _)| key(cursor));
        let fetched = due
            .into_iter()
            .map(|(_, c)| c)
            .take(page.limit as usize + 1);
        Ok(Page::from_fetched(fetched.collect(), page.limit, |c| {
            DueCursor::after(c).map_or_else(String::new, |c| c.to_string())
        }))
    }
    fn open_cases(&mut self) -> RepositoryResult<Vec<Case>> {
        not_in_fake()
    }
    fn recently_completed(
        &mut self,
        _: Option<CenterId>,
        _: &PageRequest,
    ) -> RepositoryResult<Page<Case>> {
        not_in_fake()
    }
}
