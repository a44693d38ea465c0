//! One year of the calendar as the State Council's notice states it: the holidays and the
//! weekend days made working days (调休). This is also the file format of
//! `hall calendar import` and the body of `PUT /calendar/{year}`.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;

/// One official holiday period, both ends included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    /// The holiday's name, e.g. 春节.
    pub name: String,
    /// The first day off.
    pub from: NaiveDate,
    /// The last day off.
    pub to: NaiveDate,
}

/// A year's holidays and adjusted working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct YearCalendar {
    /// The calendar year described.
    pub year: i32,
    /// The notice (通知) the dates are taken from, so anyone can check them.
    #[serde(default)]
    pub notice: String,
    /// The holiday periods falling in this year.
    pub holidays: Vec<Holiday>,
    /// Weekend days that are working days this year (调休上班).
    pub working_days: Vec<NaiveDate>,
}

impl YearCalendar {
    /// Checks that every date lies in the year, every period runs forwards, every adjusted
    /// working day is a weekend day and no day is both off and on.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        super::check_year(self.year)?;
        let mut errors = ValidationErrors::default();
        errors.optional_text("notice", &self.notice, 500);
        for (i, holiday) in self.holidays.iter().enumerate() {
            let field = format!("holidays[{i}]");
            errors.name(&format!("{field}.name"), &holiday.name, 50);
            if holiday.from.year() != self.year || holiday.to.year() != self.year {
                errors.add(&field, format!("must lie within {}", self.year));
            } else if holiday.from > holiday.to {
                errors.add(&field, "`from` must not be after `to`");
            }
        }
        for (i, day) in self.working_days.iter().enumerate() {
            let field = format!("working_days[{i}]");
            if day.year() != self.year {
                errors.add(&field, format!("must lie within {}", self.year));
            } else if !is_weekend(*day) {
                errors.add(
                    &field,
                    "an adjusted working day must be a Saturday or Sunday",
                );
            } else if self.is_holiday(*day) {
                errors.add(&field, "is also listed as a holiday");
            }
        }
        errors.into_result()
    }

    /// Whether `day` falls in one of the year's holiday periods.
    pub fn is_holiday(&self, day: NaiveDate) -> bool {
        self.holidays.iter().any(|h| h.from <= day && day <= h.to)
    }

    /// The holiday's name for `day`, if it is one.
    pub fn holiday_name(&self, day: NaiveDate) -> Option<&str> {
        self.holidays
            .iter()
            .find(|h| h.from <= day && day <= h.to)
            .map(|h| h.name.as_str())
    }
}

/// Saturday or Sunday.
pub(crate) fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    #[test]
    fn a_year_with_dates_outside_it_or_a_weekday_made_working_is_refused() {
        let year = YearCalendar {
            year: 2030,
            notice: String::new(),
            holidays: vec![Holiday {
                name: "元旦".into(),
                from: date("2029-12-31"),
                to: date("2030-01-01"),
            }],
            working_days: vec![date("2030-01-02")],
        };
        let errors = year.validate().expect_err("invalid");
        let fields: Vec<_> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["holidays[0]", "working_days[0]"]);
    }

    #[test]
    fn a_day_both_off_and_on_is_refused() {
        let year = YearCalendar {
            year: 2030,
            notice: String::new(),
            holidays: vec![Holiday {
                name: "春节".into(),
                from: date("2030-02-02"),
                to: date("2030-02-08"),
            }],
            working_days: vec![date("2030-02-02")],
        };
        assert!(year.validate().is_err());
    }
}
