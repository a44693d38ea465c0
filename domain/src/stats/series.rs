//! Which date puts a case into a period, and the days or months a series shows.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Which date puts a case's figures into a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StatsBasis {
    /// By the date of receipt: the cases received in the period, judged as they stood at the
    /// end of `as_of` (the yearly report's figures).
    #[default]
    Received,
    /// By the date things happened (throughput): completed and completed on time by the date
    /// of completion, whenever received; received, refused, withdrawn and rated by the day
    /// they were. Events after `as_of` are not counted. `open` and `overdue_open` are `null`.
    Completed,
}

/// The keys of every day (`YYYY-MM-DD`) or every month (`YYYY-MM`) of `[from, to]`, in
/// order, so that a series shows the days or months without cases as zeros.
pub fn series_keys(from: NaiveDate, to: NaiveDate, months: bool) -> Vec<String> {
    let mut keys = Vec::new();
    let mut day = from;
    while day <= to {
        if months {
            keys.push(day.format("%Y-%m").to_string());
            let first = day.with_day(1).unwrap_or(day);
            match first.checked_add_months(chrono::Months::new(1)) {
                Some(next) => day = next,
                None => break,
            }
        } else {
            keys.push(day.to_string());
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
    }
    keys
}
