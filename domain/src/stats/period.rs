//! The period a statistics question covers: its defaults and its checks, decided before any
//! storage is asked (see "Statistics" in `docs/DESIGN.md`).

use chrono::{Datelike, NaiveDate};

use crate::ValidationErrors;

/// The cases received in `[from, to]`, judged as they stood at the end of `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// Received on or after this local date.
    pub from: NaiveDate,
    /// Received on or before this local date.
    pub to: NaiveDate,
    /// Judged at the end of this local date.
    pub as_of: NaiveDate,
}

impl Period {
    /// The period asked for on `today`, each part defaulted when left out: `to` and `as_of`
    /// today, `from` 1 January of `to`'s year. Refuses, by field and all at once, a date
    /// outside the years a date may lie in, `from` after `to` and an `as_of` in the future.
    pub fn asked(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        as_of: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Self, ValidationErrors> {
        let period = Self {
            to: to.unwrap_or(today),
            from: from.unwrap_or_else(|| {
                let to = to.unwrap_or(today);
                NaiveDate::from_yo_opt(to.year(), 1).unwrap_or(to)
            }),
            as_of: as_of.unwrap_or(today),
        };
        let mut errors = ValidationErrors::default();
        errors.date("from", from);
        errors.date("to", to);
        errors.date("as_of", as_of);
        if period.from > period.to {
            errors.add("from", "must not be after `to`");
        }
        if period.as_of > today {
            errors.add("as_of", "cannot lie in the future");
        }
        errors.into_result()?;
        Ok(period)
    }

    /// The period of the yearly report of `year` on `today`: from 1 January through
    /// `through`, judged as of `through`; `through` defaults to 31 December, or to today in the
    /// current year. Refuses a year no calendar may describe, and a `through` outside
    /// `[1 January, min(31 December, today)]`.
    pub fn report(
        year: i32,
        through: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Self, ValidationErrors> {
        crate::calendar::check_year(year)?;
        let first = NaiveDate::from_ymd_opt(year, 1, 1)
            .ok_or_else(|| ValidationErrors::single("year", "is not a year"))?;
        let last = NaiveDate::from_ymd_opt(year, 12, 31)
            .unwrap_or(first)
            .min(today);
        let through = through.unwrap_or(last);
        if through < first || through > last {
            return Err(ValidationErrors::single(
                "through",
                format!("must lie between {first} and {last}"),
            ));
        }
        Ok(Self {
            from: first,
            to: through,
            as_of: through,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn fields(errors: ValidationErrors) -> Vec<(String, String)> {
        errors
            .errors
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }

    #[test]
    fn a_period_left_out_runs_from_new_year_to_today_as_of_today() {
        let today = day("2012-10-08");
        assert_eq!(
            Period::asked(None, None, None, today),
            Ok(Period {
                from: day("2012-01-01"),
                to: today,
                as_of: today,
            })
        );
    }

    #[test]
    fn from_defaults_to_new_year_of_the_year_asked_and_as_of_to_today() {
        let today = day("2013-03-01");
        assert_eq!(
            Period::asked(None, Some(day("2012-09-30")), None, today),
            Ok(Period {
                from: day("2012-01-01"),
                to: day("2012-09-30"),
                as_of: today,
            })
        );
        let asked = Period {
            from: day("2012-01-01"),
            to: day("2012-09-30"),
            as_of: day("2012-09-30"),
        };
        assert_eq!(
            Period::asked(Some(asked.from), Some(asked.to), Some(asked.as_of), today),
            Ok(asked)
        );
    }

    #[test]
    fn a_backward_period_and_a_future_as_of_are_refused_together() {
        let errors = Period::asked(
            Some(day("2012-10-01")),
            Some(day("2012-09-30")),
            Some(day("2012-10-09")),
            day("2012-10-08"),
        )
        .expect_err("refused");
        assert_eq!(
            fields(errors),
            vec![
                ("from".to_owned(), "must not be after `to`".to_owned()),
                ("as_of".to_owned(), "cannot lie in the future".to_owned()),
            ]
        );
    }

    #[test]
    fn a_default_from_after_an_early_to_is_not_refused_but_an_asked_one_is() {
        let today = day("2012-10-08");
        assert!(Period::asked(None, Some(day("2012-01-01")), None, today).is_ok());
        assert!(
            Period::asked(
                Some(day("2012-01-02")),
                Some(day("2012-01-01")),
                None,
                today
            )
            .is_err()
        );
    }

    #[test]
    fn dates_outside_the_years_a_date_may_lie_in_are_refused_by_field() {
        let errors = Period::asked(Some(day("1899-12-31")), None, None, day("2012-10-08"))
            .expect_err("refused");
        assert_eq!(fields(errors)[0].0, "from");
    }

    #[test]
    fn a_report_runs_to_the_end_of_a_past_year_and_to_today_in_the_current_one() {
        let today = day("2012-10-08");
        assert_eq!(
            Period::report(2011, None, today),
            Ok(Period {
                from: day("2011-01-01"),
                to: day("2011-12-31"),
                as_of: day("2011-12-31"),
            })
        );
        assert_eq!(
            Period::report(2012, None, today),
            Ok(Period {
                from: day("2012-01-01"),
                to: today,
                as_of: today,
            })
        );
        assert_eq!(
            Period::report(2012, Some(day("2012-09-30")), today),
            Ok(Period {
                from: day("2012-01-01"),
                to: day("2012-09-30"),
                as_of: day("2012-09-30"),
            })
        );
    }

    #[test]
    fn a_report_through_outside_its_year_or_after_today_is_refused() {
        let today = day("2012-10-08");
        for through in ["2011-12-31", "2012-10-09", "2013-01-01"] {
            let errors = Period::report(2012, Some(day(through)), today).expect_err(through);
            assert_eq!(
                fields(errors),
                vec![(
                    "through".to_owned(),
                    "must lie between 2012-01-01 and 2012-10-08".to_owned()
                )]
            );
        }
        let errors = Period::report(1999, None, today).expect_err("unsupported year");
        assert_eq!(fields(errors)[0].0, "year");
    }
}
