//! The regional calendars as shipped: per province-level division, one JSON file per year under
//! `domain/calendar/regions/{division}/`, in the national file's format, holding only what the
//! region's own notice adds (its festivals, its make-up days). The folder's README lists the
//! sources and the years that could not be established.

use super::{Division, RegionalYear, YearCalendar};

/// (region, document) for every shipped regional year.
const YEARS: &[(&str, &str)] = &[
    // 宁夏回族自治区: 2012–2014, 2018 and 2024–2026 could not be established (README).
    (
        "640000",
        include_str!("../../calendar/regions/640000/2015.json"),
    ),
    (
        "640000",
        include_str!("../../calendar/regions/640000/2016.json"),
    ),
    (
        "640000",
        include_str!("../../calendar/regions/640000/2017.json"),
    ),
    (
        "640000",
        include_str!("../../calendar/regions/640000/2019.json"),
    ),
    (
        "640000",
        include_str!("../../calendar/regions/640000/2020.json"),
    ),
    (
        "640000",
        include_str!("../../calendar/regions/640000/2021.json"),
    ),
    (
        "640000",
        include_str!("../../calendar/regions/640000/2022.json"),
    ),
    (
        "640000",
        include_str!("../../calendar/regions/640000/2023.json"),
    ),
];

/// The shipped regional years, by region and year.
pub fn shipped_regions() -> Vec<RegionalYear> {
    YEARS
        .iter()
        .map(|(region, text)| {
            #[expect(
                clippy::expect_used,
                reason = "shipped data, checked by the tests below"
            )]
            let calendar: YearCalendar =
                serde_json::from_str(text).expect("shipped calendar is valid JSON");
            #[expect(
                clippy::expect_used,
                reason = "shipped data, checked by the tests below"
            )]
            let region = Division::parse(region).expect("shipped region is a division");
            RegionalYear { region, calendar }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Calendars, china};

    #[test]
    fn every_shipped_regional_year_is_valid_and_adds_to_an_official_year() {
        let national = china();
        for year in shipped_regions() {
            assert!(year.region.is_region(), "{}", year.region);
            assert_eq!(year.calendar.validate(), Ok(()), "{}", year.calendar.year);
            assert!(!year.calendar.notice.is_empty());
            assert!(national.iter().any(|n| n.year == year.calendar.year));
        }
    }

    #[test]
    fn ningxia_gives_25_and_26_may_2020_off_for_eid_al_fitr() {
        let calendars = Calendars::new(china(), shipped_regions(), &[]);
        let ningxia = Division::parse("640105").expect("valid");
        let calendar = calendars.for_division(Some(&ningxia));
        let day = "2020-05-25".parse().expect("date");
        assert_eq!(calendar.is_working_day(day), Ok(false));
        assert_eq!(calendars.national().is_working_day(day), Ok(true));
        // Saturday 10 September 2016 was a regional make-up day for 古尔邦节.
        let saturday = "2016-09-10".parse().expect("date");
        assert_eq!(calendar.is_working_day(saturday), Ok(true));
        assert_eq!(calendars.national().is_working_day(saturday), Ok(false));
        // A year without a regional notice is provisional in the region only.
        use crate::calendar::YearStatus;
        assert_eq!(calendar.status(2018), Ok(YearStatus::Provisional));
        assert_eq!(calendars.national().status(2018), Ok(YearStatus::Official));
        assert_eq!(calendar.status(2020), Ok(YearStatus::Official));
    }
}
