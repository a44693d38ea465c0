//! What the domain needs from storage; `persistence` implements these traits with diesel.
//! A caller runs them inside one transaction, so a state change is all or nothing.

mod appointments;
mod notices;
mod queue;
mod stats;

pub use appointments::{AppointmentRepository, CheckInKey, SlotTally};
pub use notices::NoticeRepository;
pub use queue::{
    DisplayRepository, FigureQuery, QueueFiguresRepository, QueueLine, QueueRepository,
    WindowSessionRepository,
};
pub use stats::{StatsGroup, StatsKey, StatsProjector, StatsQuery, StatsRepository};

use chrono::{DateTime, NaiveDate, Utc};

use crate::calendar::{Division, RegionalYear, YearCalendar};
use crate::case::{Case, CaseEvent};
use crate::catalogue::{Center, Department, ServiceItem, Window};
use crate::ids::{CaseId, CenterId, DepartmentId, RatingId, ServiceItemId, UserId, WindowId};
use crate::page::{Page, PageRequest};
use crate::rating::Rating;
use crate::user::{Credentials, User};

/// Why storage could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepositoryError {
    /// A unique value (a code, a number, a username) is taken.
    #[error("a unique value is already taken")]
    Conflict,
    /// A pagination cursor that this listing did not hand out.
    #[error("the cursor is not valid for this listing")]
    InvalidCursor,
    /// A referenced record (a parent, a department, a window) does not exist.
    #[error("a referenced record does not exist")]
    MissingReference,
    /// A text the database cannot store (PostgreSQL refuses the NUL character).
    #[error("a text cannot be stored: {0}")]
    Unstorable(String),
    /// The database cannot be reached or gave no connection in time.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// Another writer holds the database (SQLite's single write lock) for longer than the
    /// busy timeout: try again shortly.
    #[error("the database is busy: {0}")]
    Busy(String),
    /// Anything else; the text is for logs, never for clients.
    #[error("storage failure: {0}")]
    Internal(String),
}

/// Shorthand for repository results.
pub type RepositoryResult<T> = Result<T, RepositoryError>;

/// Storage of service centres.
pub trait CenterRepository {
    /// Stores a new centre.
    fn insert_center(&mut self, center: &Center) -> RepositoryResult<()>;
    /// Replaces a stored centre's values.
    fn update_center(&mut self, center: &Center) -> RepositoryResult<()>;
    /// The centre with this id.
    fn center(&mut self, id: CenterId) -> RepositoryResult<Option<Center>>;
    /// Centres ordered by id.
    fn centers(&mut self, page: &PageRequest) -> RepositoryResult<Page<Center>>;
    /// The centre with this code.
    fn center_by_code(&mut self, code: &str) -> RepositoryResult<Option<Center>>;
    /// Every centre, ordered by code.
    fn all_centers(&mut self) -> RepositoryResult<Vec<Center>>;
    /// Every centre's id with its parent's: the whole tree, which is small.
    fn center_tree(&mut self) -> RepositoryResult<Vec<(CenterId, Option<CenterId>)>>;
}

/// Storage of departments.
pub trait DepartmentRepository {
    /// Stores a new department.
    fn insert_department(&mut self, department: &Department) -> RepositoryResult<()>;
    /// Replaces a stored department's values.
    fn update_department(&mut self, department: &Department) -> RepositoryResult<()>;
    /// The department with this id.
    fn department(&mut self, id: DepartmentId) -> RepositoryResult<Option<Department>>;
    /// Departments ordered by id.
    fn departments(&mut self, page: &PageRequest) -> RepositoryResult<Page<Department>>;
}

/// Storage of windows and the items they serve.
pub trait WindowRepository {
    /// Stores a new window with its items.
    fn insert_window(&mut self, window: &Window) -> RepositoryResult<()>;
    /// Replaces a stored window's values and items.
    fn update_window(&mut self, window: &Window) -> RepositoryResult<()>;
    /// The window with this id.
    fn window(&mut self, id: WindowId) -> RepositoryResult<Option<Window>>;
    /// Windows ordered by id.
    fn windows(&mut self, page: &PageRequest) -> RepositoryResult<Page<Window>>;
    /// Every window, ordered by centre and number.
    fn all_windows(&mut self) -> RepositoryResult<Vec<Window>>;
    /// The window with this number in a centre.
    fn window_by_number(
        &mut self,
        center: CenterId,
        number: u32,
    ) -> RepositoryResult<Option<Window>>;
    /// What an intake at `window` for `item` reads of the catalogue, in one read.
    fn intake_place(
        &mut self,
        window: WindowId,
        item: ServiceItemId,
    ) -> RepositoryResult<IntakePlace>;
}

/// The window an intake names, its centre and the item applied for; each `None` when it
/// does not exist.
#[derive(Debug, Clone, Default)]
pub struct IntakePlace {
    /// The receiving window, with the items it serves.
    pub window: Option<Window>,
    /// The window's centre.
    pub center: Option<Center>,
    /// The service item applied for.
    pub item: Option<ServiceItem>,
}

/// Storage of service items.
pub trait ServiceItemRepository {
    /// Stores a new item.
    fn insert_item(&mut self, item: &ServiceItem) -> RepositoryResult<()>;
    /// Replaces a stored item's values.
    fn update_item(&mut self, item: &ServiceItem) -> RepositoryResult<()>;
    /// The item with this id.
    fn item(&mut self, id: ServiceItemId) -> RepositoryResult<Option<ServiceItem>>;
    /// The item with this code.
    fn item_by_code(&mut self, code: &str) -> RepositoryResult<Option<ServiceItem>>;
    /// Items ordered by id.
    fn items(&mut self, page: &PageRequest) -> RepositoryResult<Page<ServiceItem>>;
    /// Active items whose name or code contains `q` (any case for Latin letters), of a
    /// department and a category when given, ordered by code; the cursor is the last code.
    fn search_items(
        &mut self,
        search: &ItemSearch,
        page: &PageRequest,
    ) -> RepositoryResult<Page<ServiceItem>>;
    /// The items with these ids.
    fn items_by_ids(&mut self, ids: &[ServiceItemId]) -> RepositoryResult<Vec<ServiceItem>>;
    /// The item as it stood at one version.
    fn item_version(
        &mut self,
        id: ServiceItemId,
        version: u32,
    ) -> RepositoryResult<Option<ServiceItem>>;
    /// Which of these ids name no stored item.
    fn missing_items(&mut self, ids: &[ServiceItemId]) -> RepositoryResult<Vec<ServiceItemId>>;
}

/// Storage of user accounts.
pub trait UserRepository {
    /// Stores a new account with its password hash.
    fn insert_user(&mut self, user: &User, password_hash: &str) -> RepositoryResult<()>;
    /// The account with this id.
    fn user(&mut self, id: UserId) -> RepositoryResult<Option<User>>;
    /// The account and password hash for a username.
    fn credentials(&mut self, username: &str) -> RepositoryResult<Option<Credentials>>;
    /// How many accounts exist.
    fn count_users(&mut self) -> RepositoryResult<u64>;
    /// Accounts ordered by id.
    fn users(&mut self, page: &PageRequest) -> RepositoryResult<Page<User>>;
    /// Stores an account's new values, and its new password hash when given.
    fn update_user(&mut self, user: &User, password_hash: Option<&str>) -> RepositoryResult<()>;
}

/// Storage of the working-day calendar: one national document per year, and regions' own.
pub trait CalendarRepository {
    /// What identifies the stored calendars' current state (national and regional years, and
    /// the centres' divisions that pick them), read far more cheaply than they. With `lock`,
    /// a write that depends on the calendars waits for a change to them in flight (and holds
    /// the next one off until it commits).
    fn calendar_revision(&mut self, lock: bool) -> RepositoryResult<CalendarRevision>;
    /// Counts a change to the calendars, in the caller's transaction.
    fn bump_calendar_revision(&mut self) -> RepositoryResult<()>;
    /// Every stored year, oldest first.
    fn calendar_years(&mut self) -> RepositoryResult<Vec<YearCalendar>>;
    /// The stored document for one year.
    fn calendar_year(&mut self, year: i32) -> RepositoryResult<Option<YearCalendar>>;
    /// Stores a year's document, replacing any earlier one.
    fn put_calendar_year(&mut self, doc: &YearCalendar, now: DateTime<Utc>)
    -> RepositoryResult<()>;
    /// Every stored regional year, by region and year.
    fn regional_calendar_years(&mut self) -> RepositoryResult<Vec<RegionalYear>>;
    /// One region's stored document for one year.
    fn regional_calendar_year(
        &mut self,
        region: &Division,
        year: i32,
    ) -> RepositoryResult<Option<RegionalYear>>;
    /// Stores a region's document for a year, replacing any earlier one.
    fn put_regional_calendar_year(
        &mut self,
        doc: &RegionalYear,
        now: DateTime<Utc>,
    ) -> RepositoryResult<()>;
}

/// The stored calendars' state: storing a year (national or regional) or changing a centre
/// moves it on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalendarRevision {
    /// The number of changes so far.
    pub number: i64,
}

/// Which cases to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Only in this state.
    pub status: Option<crate::case::CaseStatus>,
    /// Only at these centres (a centre and its sub-centres); `None` for all.
    pub center_ids: Option<Vec<CenterId>>,
    /// Only at this window.
    pub window_id: Option<WindowId>,
    /// Only for this item.
    pub item_id: Option<ServiceItemId>,
    /// Only of this department.
    pub department_id: Option<DepartmentId>,
    /// Received on or after this local date.
    pub received_from: Option<NaiveDate>,
    /// Received on or before this local date.
    pub received_to: Option<NaiveDate>,
    /// Only open cases whose clock runs, due within one of these windows.
    pub due_between: Option<Vec<DueWindow>>,
    /// Only open cases missing a material promised (容缺) before this date.
    pub materials_due_before: Option<NaiveDate>,
    /// Exactly this case number or applicant ID number.
    pub q: Option<String>,
}

/// Deadlines from one date to another (both included), at some centres or at all: centres
/// keeping different calendars turn yellow by different dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueWindow {
    /// The earliest deadline.
    pub from: NaiveDate,
    /// The latest deadline.
    pub to: NaiveDate,
    /// Only at these centres; `None` for all.
    pub center_ids: Option<Vec<CenterId>>,
}

/// A remembered `Idempotency-Key` of an intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// A hash of the request body the key was first used with.
    pub request_hash: String,
    /// The region of the case that request created.
    pub region: String,
    /// The case that request created.
    pub case_id: CaseId,
    /// When the key was first used; it expires a while after (see [`crate::idempotency`]).
    pub created_at: DateTime<Utc>,
}

/// Storage of cases and their events.
pub trait CaseRepository {
    /// Draws the next number of the region's daily sequence; a rolled-back transaction gives
    /// it back, so the numbers have no gaps.
    fn next_case_seq(&mut self, region: &str, day: NaiveDate) -> RepositoryResult<u32>;
    /// Lets the rows that refer to a case (its events, an idempotency key's record) be
    /// written before the case in this transaction: they are checked against it at the commit
    /// (a store may check them so in every transaction).
    fn defer_case_references(&mut self) -> RepositoryResult<()>;
    /// Stores a new case with the hash of its query code.
    fn insert_case(&mut self, case: &Case, query_code_hash: &str) -> RepositoryResult<()>;
    /// Stores a case's new state if its stored version is still `expected_version`;
    /// `false` when another change came first.
    fn update_case(&mut self, case: &Case, expected_version: i64) -> RepositoryResult<bool>;
    /// Appends an event to a case's history.
    fn append_event(&mut self, region: &str, event: &CaseEvent) -> RepositoryResult<()>;
    /// The case with this id.
    fn case(&mut self, id: CaseId) -> RepositoryResult<Option<Case>>;
    /// The case with this number, with the hash of its query code.
    fn case_by_number(&mut self, case_no: &str) -> RepositoryResult<Option<(Case, String)>>;
    /// A case's events, oldest first.
    fn case_events(&mut self, id: CaseId) -> RepositoryResult<Vec<CaseEvent>>;
    /// Cases matching the filter, newest received first.
    fn cases(&mut self, filter: &CaseFilter, page: &PageRequest) -> RepositoryResult<Page<Case>>;
    /// A page of the open cases whose clock runs and whose deadline is on or before `by` —
    /// and, with `materials_before`, of the open cases missing a material promised (容缺)
    /// before that date — earliest deadline first, then by receipt and id; the cursor is a
    /// [`crate::page::DueCursor`].
    fn cases_due_by(
        &mut self,
        by: NaiveDate,
        materials_before: Option<NaiveDate>,
        filter: &CaseFilter,
        page: &PageRequest,
    ) -> RepositoryResult<Page<Case>>;
    /// Every open case (accepted, in progress or paused).
    fn open_cases(&mut self) -> RepositoryResult<Vec<Case>>;
    /// Completed and delivered cases, most recently completed first; of one centre's when
    /// `center` is given.
    fn recently_completed(
        &mut self,
        center: Option<CenterId>,
        page: &PageRequest,
    ) -> RepositoryResult<Page<Case>>;
}

/// Where a performed action is written down besides the case: its event and its statistics
/// deltas. Every store of cases and counters is one; so is the demo's batch, which gathers
/// them for one bulk write. Its methods bear their own names, so that calling the
/// repositories' own stays unambiguous where both are in scope.
pub trait CaseLedger {
    /// Appends an event to the history of a case in `region`.
    fn record_event(&mut self, region: &str, event: &CaseEvent) -> RepositoryResult<()>;
    /// Queues the event's news for the webhooks that hear of it.
    fn record_news(&mut self, news: &crate::outbox::News) -> RepositoryResult<()>;
    /// Adds a case's statistics deltas.
    fn record_deltas(
        &mut self,
        key: &StatsKey,
        deltas: &[crate::stats::StatDelta],
    ) -> RepositoryResult<()>;
}

impl<R: CaseRepository + StatsRepository + crate::outbox::NewsSink + ?Sized> CaseLedger for R {
    fn record_event(&mut self, region: &str, event: &CaseEvent) -> RepositoryResult<()> {
        self.append_event(region, event)
    }

    fn record_news(&mut self, news: &crate::outbox::News) -> RepositoryResult<()> {
        self.enqueue_news(news)
    }

    fn record_deltas(
        &mut self,
        key: &StatsKey,
        deltas: &[crate::stats::StatDelta],
    ) -> RepositoryResult<()> {
        self.add_stats(key, deltas)
    }
}

/// Storage of the `Idempotency-Key`s of intake.
pub trait IdempotencyRepository {
    /// The intake an idempotency key was used for, expired or not.
    fn idempotency_record(
        &mut self,
        user: UserId,
        key: &str,
    ) -> RepositoryResult<Option<IdempotencyRecord>>;
    /// Remembers an idempotency key from the record's `created_at`; `Conflict` when it is
    /// already taken.
    fn remember_idempotency(
        &mut self,
        user: UserId,
        key: &str,
        record: &IdempotencyRecord,
    ) -> RepositoryResult<()>;
    /// Forgets one key, so that it can be used afresh.
    fn forget_idempotency(&mut self, user: UserId, key: &str) -> RepositoryResult<()>;
    /// Forgets at most `limit` keys first used before `before`; returns how many.
    fn prune_idempotency(&mut self, before: DateTime<Utc>, limit: u32) -> RepositoryResult<usize>;
}

/// What the public item search looks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemSearch {
    /// A part of the name or the code.
    pub q: Option<String>,
    /// Only of this department.
    pub department_id: Option<DepartmentId>,
    /// Only of this category.
    pub category: Option<crate::catalogue::Category>,
}

/// Storage of ratings and their rectifications.
pub trait RatingRepository {
    /// Stores a rating; `Conflict` when the case was rated before.
    fn insert_rating(&mut self, region: &str, rating: &Rating) -> RepositoryResult<()>;
    /// The rating with this id.
    fn rating(&mut self, id: RatingId) -> RepositoryResult<Option<Rating>>;
    /// Poor ratings with their rectifications, open ones only when asked, earliest deadline
    /// first; of these windows only when given.
    fn rectifications(
        &mut self,
        open_only: bool,
        windows: Option<&[WindowId]>,
    ) -> RepositoryResult<Vec<Rating>>;
    /// Stores a rating's closed rectification.
    fn close_rectification(&mut self, rating: &Rating) -> RepositoryResult<()>;
}

/// Storage of the audit trail: append and read, nothing else.
pub trait AuditRepository {
    /// Appends an entry.
    fn record_audit(&mut self, entry: &crate::audit::AuditEntry) -> RepositoryResult<()>;
    /// Entries matching the filter, newest first; the cursor is the last entry's id.
    fn audit_entries(
        &mut self,
        filter: &crate::audit::AuditFilter,
        page: &PageRequest,
    ) -> RepositoryResult<Page<crate::audit::AuditEntry>>;
}

/// Wrong query codes given at the kiosk, per case number, kept in storage so that every
/// process counts the same ones.
pub trait KioskAttemptRepository {
    /// How many wrong codes `case_no` got at or after `since`, and when the earliest came.
    fn failed_lookups(
        &mut self,
        case_no: &str,
        since: DateTime<Utc>,
    ) -> RepositoryResult<(u32, Option<DateTime<Utc>>)>;
    /// Records a wrong code for `case_no` at `at`, and forgets those from before
    /// `forget_before`, of every case number.
    fn record_failed_lookup(
        &mut self,
        case_no: &str,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> RepositoryResult<()>;
}

/// The kiosk's lookup of a case by number, read in one statement: the lookup is the busiest
/// public request, and every round trip to the database counts against its throughput.
pub trait KioskLookupRepository {
    /// The wrong codes `case_no` got at or after `since`, the calendars' revision, and the
    /// case with this number, if any, with what the kiosk shows of it.
    fn kiosk_lookup(
        &mut self,
        case_no: &str,
        since: DateTime<Utc>,
    ) -> RepositoryResult<KioskLookup>;
}

/// What [`KioskLookupRepository::kiosk_lookup`] read, all at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskLookup {
    /// How many wrong codes the number got since the moment asked
    /// (see [`KioskAttemptRepository::failed_lookups`]).
    pub failures: u32,
    /// When the earliest of them came.
    pub earliest_failure: Option<DateTime<Utc>>,
    /// The stored calendars' revision.
    pub calendar: CalendarRevision,
    /// The case with this number; `None` when the number names none.
    pub case: Option<KioskCase>,
}

/// A case with what the kiosk shows beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskCase {
    /// The case.
    pub case: Case,
    /// The hash of its query code.
    pub query_code_hash: String,
    /// Its service item's name; `None` when the item is gone.
    pub item: Option<String>,
    /// The window handling it, `None` when it is gone: its number and name.
    pub window: Option<(u32, String)>,
    /// The name of that window's centre; `None` when it is gone.
    pub center: Option<String>,
    /// The events of a kind the public sees ([`crate::case::ActionKind::is_public`]): their
    /// kind and time, oldest first.
    pub steps: Vec<(crate::case::ActionKind, DateTime<Utc>)>,
}

/// Storage of the access log of personal data: append and read, nothing else.
pub trait AccessLogRepository {
    /// Appends entries, all or none.
    fn record_access(&mut self, entries: &[crate::access::AccessEntry]) -> RepositoryResult<()>;
    /// Entries matching the filter, newest first; the cursor is the last entry's id.
    fn access_entries(
        &mut self,
        filter: &crate::access::AccessFilter,
        page: &PageRequest,
    ) -> RepositoryResult<Page<crate::access::AccessEntry>>;
}
