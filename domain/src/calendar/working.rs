//! Working-day arithmetic over the years a calendar covers.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};

use super::YearCalendar;
use super::year::is_weekend;

/// Why a calendar question has no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The calendar has no data for the year, so any answer would be a guess.
    #[error("the working-day calendar does not cover {year}")]
    YearNotCovered {
        /// The year asked about.
        year: i32,
    },
}

/// The working days of every covered year, ready for deadline arithmetic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    /// Per year, whether each day (by `ordinal0`) is a working day.
    years: BTreeMap<i32, Vec<bool>>,
}

impl WorkingCalendar {
    /// Builds the calendar from validated year documents; a later document for the same year
    /// replaces an earlier one.
    pub fn new(years: impl IntoIterator<Item = YearCalendar>) -> Self {
        let years = years
            .into_iter()
            .map(|doc| (doc.year, working_days_of(&doc)))
            .collect();
        Self { years }
    }

    /// The covered years, in order.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    /// Whether the calendar has data for `year`.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// Whether `day` is a working day (工作日).
    pub fn is_working_day(&self, day: NaiveDate) -> Result<bool, CalendarError> {
        let year = self
            .years
            .get(&day.year())
            .ok_or(CalendarError::YearNotCovered { year: day.year() })?;
        Ok(year[day.ordinal0() as usize])
    }

    /// The `n`-th working day after `day`; `day` itself does not count (行政许可法 art. 82),
    /// and `n = 0` gives `day`.
    pub fn add_working_days(&self, day: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        self.is_working_day(day)?;
        let mut current = day;
        let mut left = n;
        while left > 0 {
            current = next_day(current)?;
            if self.is_working_day(current)? {
                left -= 1;
            }
        }
        Ok(current)
    }

    /// The working days after `from` up to and including `to`: how far the deadline clock runs
    /// from one date to the other. Negative when `to` is before `from`.
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<i64, CalendarError> {
        if to < from {
            return self.working_days_between(to, from).map(|n| -n);
        }
        self.is_working_day(from)?;
        let mut count = 0;
        let mut current = from;
        while current < to {
            current = next_day(current)?;
            if self.is_working_day(current)? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// The number of working days in `year`.
    pub fn working_days_in_year(&self, year: i32) -> Result<u32, CalendarError> {
        let days = self
            .years
            .get(&year)
            .ok_or(CalendarError::YearNotCovered { year })?;
        Ok(days.iter().filter(|working| **working).count() as u32)
    }
}

fn working_days_of(doc: &YearCalendar) -> Vec<bool> {
    let mut days = Vec::with_capacity(366);
    let mut current = NaiveDate::from_yo_opt(doc.year, 1);
    while let Some(day) = current.filter(|d| d.year() == doc.year) {
        let working = if doc.working_days.contains(&day) {
            true
        } else {
            !is_weekend(day) && !doc.is_holiday(day)
        };
        days.push(working);
        current = day.checked_add_days(Days::new(1));
    }
    days
}

fn next_day(day: NaiveDate) -> Result<NaiveDate, CalendarError> {
    day.succ_opt().ok_or(CalendarError::YearNotCovered {
        year: day.year() + 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::china;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    fn calendar() -> WorkingCalendar {
        WorkingCalendar::new(china())
    }

    #[test]
    fn five_days_from_the_friday_before_national_day_2012_end_on_thursday_11_october() {
        // 2012-09-29 (Saturday) was a working day; 30 Sept to 7 Oct were off.
        assert_eq!(
            calendar().add_working_days(date("2012-09-28"), 5),
            Ok(date("2012-10-11"))
        );
    }

    #[test]
    fn three_days_before_spring_festival_2012_end_on_a_sunday_made_working() {
        assert_eq!(
            calendar().add_working_days(date("2012-01-19"), 3),
            Ok(date("2012-01-29"))
        );
    }

    #[test]
    fn twenty_days_from_3_september_2012_end_on_a_saturday_made_working() {
        assert_eq!(
            calendar().add_working_days(date("2012-09-03"), 20),
            Ok(date("2012-09-29"))
        );
    }

    #[test]
    fn the_day_of_acceptance_does_not_count_and_zero_days_is_the_same_day() {
        let calendar = calendar();
        assert_eq!(
            calendar.add_working_days(date("2012-03-05"), 0),
            Ok(date("2012-03-05"))
        );
        assert_eq!(
            calendar.add_working_days(date("2012-03-05"), 1),
            Ok(date("2012-03-06"))
        );
        // Accepted on a Saturday: Monday is the first working day after it.
        assert_eq!(
            calendar.add_working_days(date("2012-03-10"), 1),
            Ok(date("2012-03-12"))
        );
    }

    #[test]
    fn working_days_per_year_match_the_notices() {
        let calendar = calendar();
        for (year, expected) in [(2012, 249), (2024, 251), (2025, 248), (2026, 248)] {
            assert_eq!(calendar.working_days_in_year(year), Ok(expected), "{year}");
        }
    }

    #[test]
    fn every_year_has_between_245_and_252_working_days() {
        let calendar = calendar();
        for year in 2012..=2026 {
            let days = calendar.working_days_in_year(year).expect("covered");
            assert!((245..=252).contains(&days), "{year}: {days}");
        }
    }

    #[test]
    fn spring_festival_and_national_day_2012_are_off_and_their_saturdays_on() {
        let calendar = calendar();
        for off in [
            "2012-01-23",
            "2012-01-27",
            "2012-10-01",
            "2012-10-05",
            "2012-06-22",
        ] {
            assert_eq!(calendar.is_working_day(date(off)), Ok(false), "{off}");
        }
        for on in [
            "2012-01-21",
            "2012-01-29",
            "2012-03-31",
            "2012-04-01",
            "2012-04-28",
            "2012-09-29",
        ] {
            assert_eq!(calendar.is_working_day(date(on)), Ok(true), "{on}");
        }
    }

    #[test]
    fn counting_working_days_is_the_inverse_of_adding_them() {
        let calendar = calendar();
        let start = date("2012-09-28");
        for n in 0..300 {
            let end = calendar.add_working_days(start, n).expect("covered");
            assert_eq!(calendar.working_days_between(start, end), Ok(i64::from(n)));
            assert_eq!(calendar.working_days_between(end, start), Ok(-i64::from(n)));
        }
    }

    #[test]
    fn deadlines_cross_into_the_next_covered_year() {
        // Mon 31 Dec, then 1–3 Jan off, Fri 4 Jan, and Sat 5 Jan made a working day.
        assert_eq!(
            calendar().add_working_days(date("2012-12-28"), 3),
            Ok(date("2013-01-05"))
        );
    }

    #[test]
    fn a_year_the_calendar_does_not_cover_is_an_error_not_a_guess() {
        let calendar = calendar();
        assert_eq!(
            calendar.is_working_day(date("2011-12-30")),
            Err(CalendarError::YearNotCovered { year: 2011 })
        );
        assert_eq!(
            calendar.add_working_days(date("2026-12-30"), 5),
            Err(CalendarError::YearNotCovered { year: 2027 })
        );
        assert_eq!(
            calendar.working_days_in_year(2027),
            Err(CalendarError::YearNotCovered { year: 2027 })
        );
    }

    #[test]
    fn a_replaced_year_changes_the_arithmetic() {
        let mut years = china();
        let mut y2012 = years.remove(0);
        y2012.holidays.push(crate::calendar::Holiday {
            name: "test".into(),
            from: date("2012-10-08"),
            to: date("2012-10-08"),
        });
        let calendar = WorkingCalendar::new(years.into_iter().chain([y2012]));
        assert_eq!(
            calendar.add_working_days(date("2012-09-28"), 5),
            Ok(date("2012-10-12"))
        );
    }
}
