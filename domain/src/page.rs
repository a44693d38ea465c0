//! Keyset pagination: a page of results and the cursor for the next one.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::case::Case;
use crate::ids::CaseId;

/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: u32 = 500;

/// Which page to read: up to `limit` entries after the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// At most this many entries, 1 to [`MAX_PAGE_SIZE`].
    pub limit: u32,
    /// The `next_cursor` of the previous page; `None` for the first.
    pub after: Option<String>,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The entries, in a stable order.
    pub items: Vec<T>,
    /// Pass as `after` to read the next page; `null` on the last one.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` fetched entries: the extra one only tells that
    /// another page exists.
    pub fn from_fetched(mut fetched: Vec<T>, limit: u32, cursor_of: impl Fn(&T) -> String) -> Self {
        let more = fetched.len() > limit as usize;
        fetched.truncate(limit as usize);
        let next_cursor = if more {
            fetched.last().map(cursor_of)
        } else {
            None
        };
        Page {
            items: fetched,
            next_cursor,
        }
    }
}

/// The `after` of a listing keyed by UUIDs (every id; audit and access entries) in the form
/// `next_cursor` hands them out; `None` when it cannot be such a cursor.
pub fn uuid_cursor(after: &str) -> Option<String> {
    uuid::Uuid::try_parse(after)
        .ok()
        .map(|id| id.hyphenated().to_string())
}

/// The `after` of a listing keyed by catalogue codes; `None` when it cannot be a code.
pub fn code_cursor(after: &str) -> Option<String> {
    let mut errors = crate::ValidationErrors::default();
    errors.code("after", after, 32);
    errors.into_result().ok().map(|()| after.to_owned())
}

/// Where a listing of cases by deadline (earliest first, then by receipt, then by id) stands:
/// the `next_cursor` of the due cases and of the warnings, written
/// `{YYYYMMDD}_{YYYYMMDD}T{HHMMSS}.{micros}_{case id}` (deadline, receipt in UTC, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueCursor {
    /// The last listed case's deadline.
    pub deadline: NaiveDate,
    /// Its receipt, UTC, to the microsecond.
    pub received_at: NaiveDateTime,
    /// Its id.
    pub case_id: CaseId,
}

impl DueCursor {
    /// The cursor after `case`; `None` for a case without a deadline, which no such listing
    /// holds.
    pub fn after(case: &Case) -> Option<Self> {
        Some(Self {
            deadline: case.deadline?,
            received_at: case.received_at.naive_utc(),
            case_id: case.id,
        })
    }

    /// Reads a cursor as [`DueCursor::to_string`] writes it; `None` when it is not one.
    pub fn parse(cursor: &str) -> Option<Self> {
        let mut parts = cursor.splitn(3, '_');
        let deadline = NaiveDate::parse_from_str(parts.next()?, "%Y%m%d").ok()?;
        let received_at = NaiveDateTime::parse_from_str(parts.next()?, "%Y%m%dT%H%M%S%.6f").ok()?;
        let case_id = parts.next()?.parse().ok()?;
        Some(Self {
            deadline,
            received_at,
            case_id,
        })
    }
}

impl std::fmt::Display for DueCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}_{}_{}",
            self.deadline.format("%Y%m%d"),
            self.received_at.format("%Y%m%dT%H%M%S%.6f"),
            self.case_id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_due_cursor_reads_back_what_it_writes_and_nothing_else() {
        let cursor = DueCursor {
            deadline: NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
            received_at: NaiveDate::from_ymd_opt(2026, 11, 27)
                .and_then(|d| d.and_hms_micro_opt(9, 30, 5, 123_456))
                .expect("moment"),
            case_id: "0190e9b2-7c1e-7a3b-9f00-000000000001".parse().expect("id"),
        };
        let written = cursor.to_string();
        assert_eq!(
            written,
            "20261204_20261127T093005.123456_0190e9b2-7c1e-7a3b-9f00-000000000001"
        );
        assert_eq!(DueCursor::parse(&written), Some(cursor));
        for bad in [
            "",
            "20261204",
            "20261204_20261127T093005.123456",
            "20261304_20261127T093005.123456_0190e9b2-7c1e-7a3b-9f00-000000000001",
            "20261204_20261127T093005.123456_garbage",
            "20261127T093005.123456_0190e9b2-7c1e-7a3b-9f00-000000000001",
        ] {
            assert_eq!(DueCursor::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_cursor_is_what_a_listing_hands_out_or_nothing() {
        let id = "0190e9b2-7c1e-7a3b-9f00-000000000001";
        assert_eq!(uuid_cursor(id).as_deref(), Some(id));
        assert_eq!(
            uuid_cursor(&id.to_uppercase()).as_deref(),
            Some(id),
            "in the form handed out"
        );
        assert_eq!(uuid_cursor("garbage"), None);
        assert_eq!(uuid_cursor(""), None);
        assert_eq!(code_cursor("MZ-001").as_deref(), Some("MZ-001"));
        assert_eq!(code_cursor("' OR 1=1"), None);
        assert_eq!(code_cursor(""), None);
    }

    #[test]
    fn an_extra_fetched_entry_means_another_page() {
        let page = Page::from_fetched(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!(page.items, [1, 2]);
        assert_eq!(page.next_cursor.as_deref(), Some("2"));
        let last = Page::from_fetched(vec![3], 2, |n| n.to_string());
        assert_eq!(last.next_cursor, None);
    }
}
