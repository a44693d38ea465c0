//! The domain's repository traits, implemented on [`crate::AnyConnection`]: one module per
//! table group, rows private to each.

mod access;
mod appointments;
mod audit;
mod calendar;
pub(crate) mod cases;
mod centers;
mod departments;
mod idempotency;
mod items;
mod kept;
mod kiosk_attempts;
pub(crate) mod notices;
mod outbox;
pub(crate) mod queue;
pub(crate) mod ratings;
mod registers;
pub(crate) mod stats;
mod users;
mod windows;

/// The `after` of a listing keyed by UUIDs, as handed out, or `InvalidCursor`.
fn uuid_after(
    page: &domain::page::PageRequest,
) -> domain::repository::RepositoryResult<Option<String>> {
    page.after
        .as_deref()
        .map(|after| {
            domain::page::uuid_cursor(after)
                .ok_or(domain::repository::RepositoryError::InvalidCursor)
        })
        .transpose()
}

/// How many rows to fetch for a page: one more than asked, to know whether another follows.
fn fetch_limit(page: &domain::page::PageRequest) -> i64 {
    i64::from(page.limit.clamp(1, domain::page::MAX_PAGE_SIZE)) + 1
}
