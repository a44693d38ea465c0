//! Supervision warnings (电子监察 yellow and red cards).

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::CaseStatus;
use crate::calendar::{CalendarError, Calendars, SUPPORTED_YEARS, WorkingCalendar};
use crate::repository::DueWindow;

/// How urgent an open case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Warning {
    /// 黄牌: at most the yellow threshold of working days left.
    Yellow,
    /// 红牌: past its deadline and still open.
    Red,
}

/// The warning for a case on `today`, with the working days left (yellow: 0 means due
/// today) or overdue (red: working days after the deadline up to today). A paused case's
/// clock does not run, so it gets none; nor does a closed case.
pub fn warning_for(
    status: CaseStatus,
    deadline: Option<NaiveDate>,
    today: NaiveDate,
    calendar: &WorkingCalendar,
    yellow_days: u32,
) -> Result<Option<(Warning, i64)>, CalendarError> {
    let Some(deadline) = deadline.filter(|_| status.clock_runs()) else {
        return Ok(None);
    };
    if deadline < today {
        let overdue = calendar.working_days_between(deadline, today)?;
        return Ok(Some((Warning::Red, overdue)));
    }
    let left = calendar.working_days_between(today, deadline)?;
    Ok((left <= i64::from(yellow_days)).then_some((Warning::Yellow, left)))
}

/// The deadlines of running cases that earn `level` on `today` — the inverse of
/// [`warning_for`], for finding those cases in storage: red is any deadline before today;
/// yellow runs from today to the `yellow_days`-th working day after it, by the calendar of
/// each group of centres.
pub fn due_windows(
    level: Warning,
    calendars: &Calendars,
    today: NaiveDate,
    yellow_days: u32,
) -> Result<Vec<DueWindow>, CalendarError> {
    match level {
        Warning::Red => {
            // No case predates the earliest year a calendar may describe.
            let first = NaiveDate::from_yo_opt(*SUPPORTED_YEARS.start(), 1).unwrap_or(today);
            Ok(vec![DueWindow {
                from: first,
                to: today.checked_sub_days(Days::new(1)).unwrap_or(today),
                center_ids: None,
            }])
        }
        Warning::Yellow => calendars
            .groups()
            .into_iter()
            .map(|(calendar, center_ids)| {
                Ok(DueWindow {
                    from: today,
                    to: calendar.add_working_days(today, yellow_days)?,
                    center_ids,
                })
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::china;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    #[test]
    fn cards_follow_the_working_days_left() {
        let calendar = WorkingCalendar::new(china());
        let deadline = Some(date("2012-10-11"));
        let open = CaseStatus::InProgress;
        assert_eq!(
            warning_for(open, deadline, date("2012-10-08"), &calendar, 2),
            Ok(None)
        );
        assert_eq!(
            warning_for(open, deadline, date("2012-10-09"), &calendar, 2),
            Ok(Some((Warning::Yellow, 2)))
        );
        assert_eq!(
            warning_for(open, deadline, date("2012-10-11"), &calendar, 2),
            Ok(Some((Warning::Yellow, 0)))
        );
        assert_eq!(
            warning_for(open, deadline, date("2012-10-12"), &calendar, 2),
            Ok(Some((Warning::Red, 1)))
        );
        // Over the weekend after the deadline: past it, though no working day has passed.
        assert_eq!(
            warning_for(
                open,
                Some(date("2012-10-12")),
                date("2012-10-13"),
                &calendar,
                2
            ),
            Ok(Some((Warning::Red, 0)))
        );
    }

    #[test]
    fn paused_and_closed_cases_get_no_card() {
        let calendar = WorkingCalendar::new(china());
        for status in [
            CaseStatus::Paused,
            CaseStatus::Completed,
            CaseStatus::Withdrawn,
        ] {
            assert_eq!(
                warning_for(
                    status,
                    Some(date("2012-10-11")),
                    date("2012-12-12"),
                    &calendar,
                    2
                ),
                Ok(None)
            );
        }
    }
}
