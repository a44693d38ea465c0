//! China's official calendar as shipped: one JSON file per year under `domain/calendar/china/`,
//! taken from the State Council General Office notices and cross-checked against the
//! `chinesecalendar` package by `scripts/crosscheck_calendar.py`.

use super::YearCalendar;

const YEARS: &[&str] = &[
    include_str!("../../calendar/china/2012.json"),
    include_str!("../../calendar/china/2013.json"),
    include_str!("../../calendar/china/2014.json"),
    include_str!("../../calendar/china/2015.json"),
    include_str!("../../calendar/china/2016.json"),
    include_str!("../../calendar/china/2017.json"),
    include_str!("../../calendar/china/2018.json"),
    include_str!("../../calendar/china/2019.json"),
    include_str!("../../calendar/china/2020.json"),
    include_str!("../../calendar/china/2021.json"),
    include_str!("../../calendar/china/2022.json"),
    include_str!("../../calendar/china/2023.json"),
    include_str!("../../calendar/china/2024.json"),
    include_str!("../../calendar/china/2025.json"),
    include_str!("../../calendar/china/2026.json"),
];

/// The shipped official calendar, 2012 to the newest published year, oldest first.
pub fn china() -> Vec<YearCalendar> {
    YEARS
        .iter()
        .map(|text| {
            #[expect(
                clippy::expect_used,
                reason = "shipped data, checked by the tests below"
            )]
            serde_json::from_str(text).expect("shipped calendar is valid JSON")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_year_is_valid_and_they_follow_each_other() {
        let years = china();
        for (i, year) in years.iter().enumerate() {
            assert_eq!(year.year, 2012 + i as i32);
            assert_eq!(year.validate(), Ok(()), "{}", year.year);
            assert!(!year.notice.is_empty());
        }
    }
}
