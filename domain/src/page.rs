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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_extra_fetched_entry_means_another_page() {
        let page = Page::from_fetched(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!(page.items, [1, 2]);
        assert_eq!(page.next_cursor.as_deref(), Some("2"));
        let last = Page::from_fetched(vec![3], 2, |n| n.to_string());
        assert_eq!(last.next_cursor, None);
    }
}
