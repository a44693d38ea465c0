//! A year's holidays by the statutory holiday law alone (全国年节及纪念日放假办法), for a
//! year whose State Council notice is not out yet: the days the law gives every citizen off
//! in the version in force that year, weekends off, no make-up working days (the notice
//! decides those). The lunar and solar-term dates come from a table generated with
//! lunar-python and cross-checked against lunardate and cnlunar
//! (`scripts/generate_lunar_table.py`, `scripts/crosscheck_lunar.py`).

use chrono::NaiveDate;

use super::year::{Holiday, YearCalendar};

const LUNAR_TABLE: &str = include_str!("../../calendar/statutory/lunar.csv");

/// The version of the holiday law in force in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayLaw {
    /// 国务院令第513号, from 2008: 春节 is New Year's Eve and the 1st and 2nd; 劳动节 one day.
    Order513,
    /// 国务院令第644号, from 2014: 春节 is the 1st to the 3rd; 劳动节 one day.
    Order644,
    /// 国务院令第795号, from 2025: 春节 is New Year's Eve and the 1st to the 3rd; 劳动节
    /// 1 and 2 May.
    Order795,
}

impl HolidayLaw {
    /// The version in force in `year`; none before 2008, when the law had no lunar holidays
    /// but the Spring Festival and a provisional year never lies that early.
    pub fn in_force(year: i32) -> Option<Self> {
        match year {
            ..2008 => None,
            2008..2014 => Some(Self::Order513),
            2014..2025 => Some(Self::Order644),
            _ => Some(Self::Order795),
        }
    }

    /// The order's citation.
    pub fn citation(self) -> &'static str {
        match self {
            Self::Order513 => "全国年节及纪念日放假办法（国务院令第513号）",
            Self::Order644 => "全国年节及纪念日放假办法（国务院令第644号）",
            Self::Order795 => "全国年节及纪念日放假办法（国务院令第795号）",
        }
    }
}

/// The dates of one year's lunar and solar-term holidays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LunarDates {
    new_years_eve: NaiveDate,
    spring_festival: NaiveDate,
    qingming: NaiveDate,
    dragon_boat: NaiveDate,
    mid_autumn: NaiveDate,
}

fn lunar_dates(year: i32) -> Option<LunarDates> {
    LUNAR_TABLE.lines().skip(1).find_map(|line| {
        let mut fields = line.split(',');
        if fields.next()?.parse::<i32>().ok()? != year {
            return None;
        }
        let mut next = || fields.next()?.parse::<NaiveDate>().ok();
        Some(LunarDates {
            new_years_eve: next()?,
            spring_festival: next()?,
            qingming: next()?,
            dragon_boat: next()?,
            mid_autumn: next()?,
        })
    })
}

/// `year`'s holidays by the law in force that year, or `None` outside the table (2000–2100)
/// or before 2008. Weekends stay off by the calendar's own rule; no make-up days.
pub fn statutory_year(year: i32) -> Option<YearCalendar> {
    let law = HolidayLaw::in_force(year)?;
    let lunar = lunar_dates(year)?;
    let day = |month, day| NaiveDate::from_ymd_opt(year, month, day);
    let span = |name: &str, from: NaiveDate, days: i64| Holiday {
        name: name.into(),
        from,
        to: from + chrono::TimeDelta::days(days - 1),
    };
    let spring = match law {
        HolidayLaw::Order513 => span("春节", lunar.new_years_eve, 3),
        HolidayLaw::Order644 => span("春节", lunar.spring_festival, 3),
        HolidayLaw::Order795 => span("春节", lunar.new_years_eve, 4),
    };
    let labour_days = if law == HolidayLaw::Order795 { 2 } else { 1 };
    let holidays = vec![
        span("元旦", day(1, 1)?, 1),
        spring,
        span("清明节", lunar.qingming, 1),
        span("劳动节", day(5, 1)?, labour_days),
        span("端午节", lunar.dragon_boat, 1),
        span("中秋节", lunar.mid_autumn, 1),
        span("国庆节", day(10, 1)?, 3),
    ];
    Some(YearCalendar {
        year,
        notice: format!("{}，按法定节假日推算（预估）", law.citation()),
        holidays,
        working_days: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::china;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    #[test]
    fn every_day_the_law_gives_off_was_off_in_every_official_year_shipped() {
        // 2012–2026: the notices add days (bridges, 补假) but never drop one the law gives.
        for official in china() {
            let rule = statutory_year(official.year).expect("a rule for the year");
            for holiday in &rule.holidays {
                let mut day = holiday.from;
                while day <= holiday.to {
                    assert!(
                        official.is_holiday(day),
                        "{day} ({}) is off by {} but not in {}",
                        holiday.name,
                        rule.notice,
                        official.notice
                    );
                    day = day.succ_opt().expect("a next day");
                }
            }
        }
    }

    #[test]
    fn the_2027_spring_festival_runs_from_new_years_eve_for_four_days() {
        let year = statutory_year(2027).expect("2027");
        let spring = year
            .holidays
            .iter()
            .find(|h| h.name == "春节")
            .expect("春节");
        assert_eq!(
            (spring.from, spring.to),
            (date("2027-02-05"), date("2027-02-08"))
        );
        assert!(year.is_holiday(date("2027-05-02")));
        assert!(year.working_days.is_empty());
        assert!(year.validate().is_ok());
    }

    #[test]
    fn every_year_of_the_table_has_a_valid_calendar_by_the_law() {
        for year in 2008..=2100 {
            let calendar = statutory_year(year).expect("in the table");
            assert!(calendar.validate().is_ok(), "{year}");
        }
        assert!(statutory_year(2007).is_none());
        assert!(statutory_year(2101).is_none());
    }
}
