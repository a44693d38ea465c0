//! The domain's repository traits, implemented on [`crate::AnyConnection`]: one module per
//! table group, rows private to each.

mod access;
mod audit;
mod calendar;
pub(crate) mod cases;
mod centers;
mod departments;
mod idempotency;
mod items;
mod kiosk_attempts;
pub(crate) mod ratings;
pub(crate) mod stats;
mod users;
mod windows;

/// How many rows to fetch for a page: one more than asked, to know whether another follows.
fn fetch_limit(page: &domain::page::PageRequest) -> i64 {
    i64::from(page.limit.clamp(1, domain::page::MAX_PAGE_SIZE)) + 1
}
