//! The working-day calendar (工作日历): which days count towards a legal deadline, and the
//! arithmetic on them. A date in a year the calendar does not cover is an error, never a guess.

mod china;
mod statutory;
mod working;
mod year;

pub use china::china;
pub use statutory::{HolidayLaw, statutory_year};
pub use working::{CalendarError, WorkingCalendar};
pub use year::{Holiday, YearCalendar};

/// The earliest and latest year a calendar document may describe.
pub const SUPPORTED_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Refuses, as the field `year`, a year outside [`SUPPORTED_YEARS`].
pub fn check_year(year: i32) -> Result<(), crate::ValidationErrors> {
    if SUPPORTED_YEARS.contains(&year) {
        return Ok(());
    }
    Err(crate::ValidationErrors::single(
        "year",
        format!(
            "must be between {} and {}",
            SUPPORTED_YEARS.start(),
            SUPPORTED_YEARS.end()
        ),
    ))
}
