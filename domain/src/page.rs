//! Keyset pagination: a page of results and the cursor for the next one.

use serde::Serialize;

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

#[cfg(test)]
mod tests {
    use super::*;

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
