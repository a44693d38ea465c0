//! What the domain needs from storage; `persistence` implements these traits with diesel.
//! A caller runs them inside one transaction, so a state change is all or nothing.

use chrono::{DateTime, Utc};

use crate::calendar::YearCalendar;
use crate::catalogue::{Center, Department, ServiceItem, Window};
use crate::ids::{CenterId, DepartmentId, ServiceItemId, UserId, WindowId};
use crate::page::{Page, PageRequest};
use crate::user::{Credentials, User};

/// Why storage could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepositoryError {
    /// A unique value (a code, a number, a username) is taken.
    #[error("a unique value is already taken")]
    Conflict,
    /// A referenced record (a parent, a department, a window) does not exist.
    #[error("a referenced record does not exist")]
    MissingReference,
    /// The database cannot be reached or gave no connection in time.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
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
}

/// Storage of service items.
pub trait ServiceItemRepository {
    /// Stores a new item.
    fn insert_item(&mut self, item: &ServiceItem) -> RepositoryResult<()>;
    /// Replaces a stored item's values.
    fn update_item(&mut self, item: &ServiceItem) -> RepositoryResult<()>;
    /// The item with this id.
    fn item(&mut self, id: ServiceItemId) -> RepositoryResult<Option<ServiceItem>>;
    /// Items ordered by id.
    fn items(&mut self, page: &PageRequest) -> RepositoryResult<Page<ServiceItem>>;
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
}

/// Storage of the working-day calendar, one document per year.
pub trait CalendarRepository {
    /// Every stored year, oldest first.
    fn calendar_years(&mut self) -> RepositoryResult<Vec<YearCalendar>>;
    /// The stored document for one year.
    fn calendar_year(&mut self, year: i32) -> RepositoryResult<Option<YearCalendar>>;
    /// Stores a year's document, replacing any earlier one.
    fn put_calendar_year(&mut self, doc: &YearCalendar, now: DateTime<Utc>)
    -> RepositoryResult<()>;
}
