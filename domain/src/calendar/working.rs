//! Working-day arithmetic over the years a calendar covers: the official years as their
//! notices state them, every later year up to 2100 by the holiday law (provisional), and for a
//! region its own notices on top.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use super::year::is_weekend;
use super::{Division, SUPPORTED_YEARS, YearCalendar, statutory_year};

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

/// Whether a year's days are the notice's or the law's best guess until the notice is out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum YearStatus {
    /// As the official notice states (for a region: the national and the regional notice).
    Official,
    /// By the statutory holiday law, weekends off, no make-up days: the notice is not loaded.
    Provisional,
}

/// A day on which the calendar departs from "Monday to Friday work": a weekday off or a
/// weekend day made a working day, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarDay {
    /// The day.
    pub date: NaiveDate,
    /// Whether it is a working day.
    pub working: bool,
    /// Why, e.g. `宁夏 开斋节`, `春节`, `调休上班`.
    pub reason: String,
    /// True when the day comes from the holiday law because the year's national notice is not
    /// loaded.
    pub provisional: bool,
}

/// One covered year: whether each day (by `ordinal0`) is a working day, and the notices
/// that say so.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Year {
    status: YearStatus,
    national_status: YearStatus,
    working: Vec<bool>,
    national: Arc<YearCalendar>,
    regional: Option<Arc<YearCalendar>>,
}

/// The working days of every covered year, ready for deadline arithmetic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    region: Option<Division>,
    years: BTreeMap<i32, Year>,
}

impl WorkingCalendar {
    /// The national calendar from the official year documents (a later document for the same
    /// year replaces an earlier one); every year after the first of them up to 2100 that has
    /// no document follows the holiday law and is provisional.
    pub fn new(official: impl IntoIterator<Item = YearCalendar>) -> Self {
        let mut years: BTreeMap<i32, Year> = official
            .into_iter()
            .map(|doc| (doc.year, Year::new(doc, YearStatus::Official)))
            .collect();
        if let Some(&first) = years.keys().next() {
            for year in first + 1..=*SUPPORTED_YEARS.end() {
                if years.contains_key(&year) {
                    continue;
                }
                if let Some(doc) = statutory_year(year) {
                    years.insert(year, Year::new(doc, YearStatus::Provisional));
                }
            }
        }
        Self {
            region: None,
            years,
        }
    }

    /// This (national) calendar with a region's notices on top: their holidays off, their
    /// make-up days on. A year without a regional notice keeps the national days and is
    /// provisional in the region, as is every year the national calendar has provisional.
    pub fn with_region(&self, region: &Division, notices: &[YearCalendar]) -> Self {
        let years = self
            .years
            .iter()
            .map(|(&number, year)| {
                let notice = notices.iter().rev().find(|n| n.year == number);
                (number, year.with_regional(notice))
            })
            .collect();
        Self {
            region: Some(region.region()),
            years,
        }
    }

    /// The province-level division whose notices this calendar follows; `None` for national.
    pub fn region(&self) -> Option<&Division> {
        self.region.as_ref()
    }

    /// The covered years, in order.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    /// Whether the calendar has data for `year`.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// Whether `year` is official or provisional here.
    pub fn status(&self, year: i32) -> Result<YearStatus, CalendarError> {
        Ok(self.year(year)?.status)
    }

    /// The newest year whose national notice is loaded.
    pub fn newest_official(&self) -> Option<i32> {
        self.years
            .iter()
            .rev()
            .find(|(_, y)| y.national_status == YearStatus::Official)
            .map(|(number, _)| *number)
    }

    /// The year whose national notice is awaited on `today`: this year while it is still
    /// provisional, else from 1 November next year while it is (the State Council publishes
    /// between late October and December); `None` when none is due.
    pub fn awaited_notice(&self, today: NaiveDate) -> Option<i32> {
        let provisional = |year| {
            self.years
                .get(&year)
                .is_some_and(|y: &Year| y.national_status == YearStatus::Provisional)
        };
        if provisional(today.year()) {
            return Some(today.year());
        }
        (today.month() >= 11 && provisional(today.year() + 1)).then_some(today.year() + 1)
    }

    /// The documents `year` is made of: the national one (the notice, or the law's days when
    /// provisional) and the region's notice, if loaded.
    pub fn documents(
        &self,
        year: i32,
    ) -> Result<(&YearCalendar, Option<&YearCalendar>), CalendarError> {
        let year = self.year(year)?;
        Ok((&year.national, year.regional.as_deref()))
    }

    /// Whether `day` is a working day (工作日).
    pub fn is_working_day(&self, day: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.year(day.year())?.working[day.ordinal0() as usize])
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
        Ok(self.year(year)?.working.iter().filter(|w| **w).count() as u32)
    }

    /// The provisional years among those of the days counted from `from` to `to` — the days
    /// after the earlier date up to and including the later — in order.
    pub fn provisional_years(&self, from: NaiveDate, to: NaiveDate) -> Vec<i32> {
        let (start, end) = (from.min(to), from.max(to));
        let Some(first_counted) = start.succ_opt().filter(|d| *d <= end) else {
            return Vec::new();
        };
        let (first, last) = (first_counted.year(), end.year());
        self.years
            .range(first..=last)
            .filter(|(_, y)| y.status == YearStatus::Provisional)
            .map(|(number, _)| *number)
            .collect()
    }

    /// The days after `from` up to and including `to` on which the calendar departs from
    /// Monday-to-Friday work, with the reason: what a deadline skipped or counted besides.
    pub fn exceptions_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<CalendarDay>, CalendarError> {
        let mut days = Vec::new();
        let mut current = from;
        while current < to {
            current = next_day(current)?;
            let working = self.is_working_day(current)?;
            if working == is_weekend(current) {
                days.push(self.explain_day(current, working)?);
            }
        }
        Ok(days)
    }

    fn explain_day(&self, day: NaiveDate, working: bool) -> Result<CalendarDay, CalendarError> {
        let year = self.year(day.year())?;
        let label = self.region.as_ref().map_or("", |r| r.region_short_name());
        let regional = year.regional.as_deref();
        let reason = if working {
            match regional.filter(|r| r.working_days.contains(&day)) {
                Some(_) => format!("{label} 调休上班"),
                None => "调休上班".to_owned(),
            }
        } else {
            match regional.and_then(|r| r.holiday_name(day)) {
                Some(name) => format!("{label} {name}"),
                None => year.national.holiday_name(day).unwrap_or("休息").to_owned(),
            }
        };
        Ok(CalendarDay {
            date: day,
            working,
            reason,
            // The day is the law's guess only where the national notice is missing; a region's
            // missing notice leaves the national days as they are (the year says provisional).
            provisional: year.national_status == YearStatus::Provisional,
        })
    }

    fn year(&self, year: i32) -> Result<&Year, CalendarError> {
        self.years
            .get(&year)
            .ok_or(CalendarError::YearNotCovered { year })
    }
}

impl Year {
    fn new(national: YearCalendar, status: YearStatus) -> Self {
        Self {
            status,
            national_status: status,
            working: working_days_of(&national, None),
            national: Arc::new(national),
            regional: None,
        }
    }

    fn with_regional(&self, notice: Option<&YearCalendar>) -> Self {
        match notice {
            Some(notice) => Self {
                status: self.status,
                national_status: self.national_status,
                working: working_days_of(&self.national, Some(notice)),
                national: self.national.clone(),
                regional: Some(Arc::new(notice.clone())),
            },
            None => Self {
                status: YearStatus::Provisional,
                ..self.clone()
            },
        }
    }
}

/// Each day of the year: a regional make-up day works, a regional holiday is off, then the
/// national notice decides, then the weekend.
fn working_days_of(national: &YearCalendar, regional: Option<&YearCalendar>) -> Vec<bool> {
    let mut days = Vec::with_capacity(366);
    let mut current = NaiveDate::from_yo_opt(national.year, 1);
    while let Some(day) = current.filter(|d| d.year() == national.year) {
        let working = if regional.is_some_and(|r| r.working_days.contains(&day)) {
            true
        } else if regional.is_some_and(|r| r.is_holiday(day)) {
            false
        } else if national.working_days.contains(&day) {
            true
        } else {
            !is_weekend(day) && !national.is_holiday(day)
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
    fn a_year_before_the_first_notice_or_after_2100_is_an_error_not_a_guess() {
        let calendar = calendar();
        assert_eq!(
            calendar.is_working_day(date("2011-12-30")),
            Err(CalendarError::YearNotCovered { year: 2011 })
        );
        assert_eq!(
            calendar.add_working_days(date("2100-12-30"), 5),
            Err(CalendarError::YearNotCovered { year: 2101 })
        );
        assert_eq!(
            calendar.working_days_in_year(2101),
            Err(CalendarError::YearNotCovered { year: 2101 })
        );
    }

    #[test]
    fn a_year_after_the_newest_notice_follows_the_holiday_law_and_says_so() {
        let calendar = calendar();
        assert_eq!(calendar.newest_official(), Some(2026));
        assert_eq!(calendar.status(2026), Ok(YearStatus::Official));
        assert_eq!(calendar.status(2027), Ok(YearStatus::Provisional));
        assert_eq!(calendar.status(2100), Ok(YearStatus::Provisional));
        // 30 Dec 2026 (Wed) + 5: 31 Dec, [1 Jan off by the law], 4, 5, 6, 7 Jan 2027.
        assert_eq!(
            calendar.add_working_days(date("2026-12-30"), 5),
            Ok(date("2027-01-07"))
        );
        assert_eq!(
            calendar.provisional_years(date("2026-12-30"), date("2027-01-07")),
            [2027]
        );
        assert!(
            calendar
                .provisional_years(date("2026-01-01"), date("2026-12-31"))
                .is_empty()
        );
        // The day of acceptance does not count: 31 December 2026 + 0 or + 1 day.
        assert!(
            calendar
                .provisional_years(date("2027-12-31"), date("2027-12-31"))
                .is_empty()
        );
        assert!(
            calendar
                .provisional_years(date("2026-12-30"), date("2026-12-31"))
                .is_empty()
        );
        let skipped = calendar
            .exceptions_between(date("2026-12-30"), date("2027-01-07"))
            .expect("covered");
        assert_eq!(
            skipped,
            [CalendarDay {
                date: date("2027-01-01"),
                working: false,
                reason: "元旦".into(),
                provisional: true,
            }]
        );
    }

    #[test]
    fn from_1_november_the_next_years_notice_is_awaited_and_this_years_always() {
        let calendar = calendar();
        assert_eq!(calendar.awaited_notice(date("2026-10-31")), None);
        assert_eq!(calendar.awaited_notice(date("2026-11-01")), Some(2027));
        assert_eq!(calendar.awaited_notice(date("2027-03-01")), Some(2027));
        assert_eq!(calendar.awaited_notice(date("2025-11-27")), None);
    }

    #[test]
    fn loading_the_notice_turns_a_provisional_year_official() {
        let mut years = china();
        let mut y2027 = crate::calendar::statutory_year(2027).expect("by the law");
        y2027.notice = "国务院办公厅关于2027年部分节假日安排的通知".into();
        years.push(y2027);
        let calendar = WorkingCalendar::new(years);
        assert_eq!(calendar.status(2027), Ok(YearStatus::Official));
        assert_eq!(calendar.newest_official(), Some(2027));
        assert_eq!(calendar.status(2028), Ok(YearStatus::Provisional));
    }

    fn ningxia_2020() -> YearCalendar {
        YearCalendar {
            year: 2020,
            notice: "自治区人民政府办公厅关于2020年部分节假日安排的通知".into(),
            holidays: vec![crate::calendar::Holiday {
                name: "开斋节".into(),
                from: date("2020-05-25"),
                to: date("2020-05-26"),
            }],
            working_days: vec![date("2020-05-30")],
        }
    }

    #[test]
    fn a_region_adds_its_holidays_and_make_up_days_and_names_them() {
        let national = calendar();
        let ningxia = Division::parse("640105").expect("valid");
        let regional = national.with_region(&ningxia, &[ningxia_2020()]);
        assert_eq!(regional.region().map(Division::as_str), Some("640000"));
        // Fri 22 May 2020 + 3: national Wed 27 May; in Ningxia 25–26 are off, so Fri 29 May.
        assert_eq!(
            national.add_working_days(date("2020-05-22"), 3),
            Ok(date("2020-05-27"))
        );
        assert_eq!(
            regional.add_working_days(date("2020-05-22"), 3),
            Ok(date("2020-05-29"))
        );
        assert_eq!(regional.is_working_day(date("2020-05-25")), Ok(false));
        assert_eq!(regional.is_working_day(date("2020-05-30")), Ok(true));
        assert_eq!(regional.status(2020), Ok(YearStatus::Official));
        // No regional notice for 2021 here: provisional in the region, official nationally.
        assert_eq!(regional.status(2021), Ok(YearStatus::Provisional));
        assert_eq!(national.status(2021), Ok(YearStatus::Official));
        let reasons: Vec<String> = regional
            .exceptions_between(date("2020-05-22"), date("2020-05-31"))
            .expect("covered")
            .iter()
            .map(|d| format!("{} {}", d.date, d.reason))
            .collect();
        assert_eq!(
            reasons,
            [
                "2020-05-25 宁夏 开斋节",
                "2020-05-26 宁夏 开斋节",
                "2020-05-30 宁夏 调休上班"
            ]
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
