//! The working-day calendar (工作日历): which days count towards a legal deadline, and the
//! arithmetic on them. A year after the newest notice follows the holiday law and says it is
//! provisional; a year before the first notice is an error, never a guess.

mod calendars;
mod china;
mod division;
mod regions;
mod statutory;
mod working;
mod year;

pub use calendars::{Calendars, RegionalYear};
pub use china::china;
pub use division::{Division, DivisionError};
pub use regions::shipped_regions;
pub use statutory::{HolidayLaw, statutory_year};
pub use working::{CalendarDay, CalendarError, WorkingCalendar, YearStatus};
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
