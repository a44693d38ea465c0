//! Conversions between rows and domain values: ids as text, UTC times as naive timestamps,
//! lists as JSON text. A stored value that does not convert is an internal error.

use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use domain::repository::RepositoryError;

/// A stored id back to its newtype.
pub(crate) fn id<T: FromStr>(text: &str) -> Result<T, RepositoryError> {
    text.parse()
        .map_err(|_| RepositoryError::Internal(format!("stored id {text:?} is not a UUID")))
}

/// A stored UTC timestamp back to a `DateTime<Utc>`.
pub(crate) fn utc(naive: NaiveDateTime) -> DateTime<Utc> {
    naive.and_utc()
}

/// A JSON list stored as text.
pub(crate) fn list(text: &str) -> Result<Vec<String>, RepositoryError> {
    serde_json::from_str(text)
        .map_err(|e| RepositoryError::Internal(format!("stored list is not JSON: {e}")))
}

/// A list as JSON text.
pub(crate) fn list_text(list: &[String]) -> String {
    serde_json::Value::from(list).to_string()
}

/// A stored enum name back to its enum.
pub(crate) fn named<T>(text: &str, parse: fn(&str) -> Option<T>) -> Result<T, RepositoryError> {
    parse(text).ok_or_else(|| RepositoryError::Internal(format!("stored name {text:?} is unknown")))
}

/// A stored non-negative count as `u32`.
pub(crate) fn count(n: i32) -> Result<u32, RepositoryError> {
    u32::try_from(n).map_err(|_| RepositoryError::Internal(format!("stored count {n} is negative")))
}

/// A count as a stored `i32`; counts are validated small in the domain.
pub(crate) fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
