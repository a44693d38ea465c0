//! The deadline clock (办结时限): the promised working days counted from the day after
//! acceptance, pushed later by working days spent paused and by approved extensions. The
//! same clock computes the deadline and explains it, so the two never disagree.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::PauseReason;
use crate::calendar::{CalendarDay, CalendarError, Division, WorkingCalendar};

/// One stop of the clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    /// Why the clock stopped.
    pub reason: PauseReason,
    /// The local date it stopped.
    pub from: NaiveDate,
    /// The local date it ran again; `None` while still paused.
    pub to: Option<NaiveDate>,
}

/// One approved extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Extension {
    /// The local date it was approved.
    pub on: NaiveDate,
    /// The working days it added.
    pub days: u32,
    /// Why.
    pub reason: String,
}

/// Everything a case's deadline depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineClock {
    /// The local date of acceptance; it does not count (行政许可法 art. 82).
    pub start: NaiveDate,
    /// The item's promised working days when the case was accepted; 0 for immediate cases.
    pub promised_days: u32,
    /// Every stop, in order.
    pub pauses: Vec<Pause>,
    /// Every extension, in order.
    pub extensions: Vec<Extension>,
}

/// A pause as the explanation shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExplainedPause {
    /// Why the clock stopped.
    pub reason: PauseReason,
    /// The local date it stopped.
    pub from: NaiveDate,
    /// The local date it ran again; `null` while still paused.
    pub to: Option<NaiveDate>,
    /// Working days after `from` up to and including `to` (or today, while ongoing).
    pub working_days: u32,
}

/// Why the deadline is what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadlineExplanation {
    /// The local date of acceptance (not counted).
    pub start_date: NaiveDate,
    /// The promised working days.
    pub promised_days: u32,
    /// Every pause with its working days.
    pub pauses: Vec<ExplainedPause>,
    /// Every extension with its working days.
    pub extensions: Vec<Extension>,
    /// promised + paused + extended working days.
    pub total_working_days: u32,
    /// The `total_working_days`-th working day after `start_date`.
    pub deadline: NaiveDate,
    /// True while the case is paused: the deadline moves later as long as the pause lasts.
    pub paused: bool,
    /// The province-level division whose calendar counted the days; `null` for the national
    /// calendar alone.
    pub region: Option<Division>,
    /// True when a counted day lies in a year whose notice is not loaded: the deadline follows
    /// the holiday law and may move when the notice comes.
    pub provisional: bool,
    /// Those years.
    pub provisional_years: Vec<i32>,
    /// The days from the start to the deadline on which the calendar departs from
    /// Monday-to-Friday work (holidays off, make-up days on), each with its reason; those
    /// marked `provisional` come from the holiday law.
    pub calendar_days: Vec<CalendarDay>,
}

impl DeadlineClock {
    /// A clock that starts on the acceptance date.
    pub fn new(start: NaiveDate, promised_days: u32) -> Self {
        Self {
            start,
            promised_days,
            pauses: Vec::new(),
            extensions: Vec::new(),
        }
    }

    /// Whether the clock is stopped now.
    pub fn is_paused(&self) -> bool {
        self.pauses.last().is_some_and(|p| p.to.is_none())
    }

    /// Stops the clock on `on`.
    pub fn pause(&mut self, reason: PauseReason, on: NaiveDate) {
        self.pauses.push(Pause {
            reason,
            from: on,
            to: None,
        });
    }

    /// Runs the clock again on `on`.
    pub fn resume(&mut self, on: NaiveDate) {
        if let Some(pause) = self.pauses.last_mut().filter(|p| p.to.is_none()) {
            pause.to = Some(on);
        }
    }

    /// Adds an approved extension.
    pub fn extend(&mut self, on: NaiveDate, days: u32, reason: String) {
        self.extensions.push(Extension { on, days, reason });
    }

    /// The working days all extensions added.
    pub fn extension_days(&self) -> u32 {
        self.extensions.iter().map(|e| e.days).sum()
    }

    /// The deadline, counting finished pauses only: a running pause pushes it later when the
    /// case resumes.
    pub fn deadline(&self, calendar: &WorkingCalendar) -> Result<NaiveDate, CalendarError> {
        let mut paused = 0;
        for pause in &self.pauses {
            if let Some(to) = pause.to {
                paused += pause_days(calendar, pause.from, to)?;
            }
        }
        calendar.add_working_days(
            self.start,
            self.promised_days + paused + self.extension_days(),
        )
    }

    /// The deadline with every step that made it; a running pause counts up to `today`.
    pub fn explain(
        &self,
        calendar: &WorkingCalendar,
        today: NaiveDate,
    ) -> Result<DeadlineExplanation, CalendarError> {
        let mut pauses = Vec::with_capacity(self.pauses.len());
        for pause in &self.pauses {
            let until = pause.to.unwrap_or(today.max(pause.from));
            pauses.push(ExplainedPause {
                reason: pause.reason,
                from: pause.from,
                to: pause.to,
                working_days: pause_days(calendar, pause.from, until)?,
            });
        }
        let total = self.promised_days
            + pauses.iter().map(|p| p.working_days).sum::<u32>()
            + self.extension_days();
        let deadline = calendar.add_working_days(self.start, total)?;
        let provisional_years = calendar.provisional_years(self.start, deadline);
        Ok(DeadlineExplanation {
            start_date: self.start,
            promised_days: self.promised_days,
            pauses,
            extensions: self.extensions.clone(),
            total_working_days: total,
            deadline,
            paused: self.is_paused(),
            region: calendar.region().cloned(),
            provisional: !provisional_years.is_empty(),
            provisional_years,
            calendar_days: calendar.exceptions_between(self.start, deadline)?,
        })
    }
}

/// The working days a pause from `from` to `to` kept the clock stopped: those after the
/// day it stopped, up to and including the day it ran again.
fn pause_days(
    calendar: &WorkingCalendar,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<u32, CalendarError> {
    Ok(u32::try_from(calendar.working_days_between(from, to)?.max(0)).unwrap_or(0))
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
    fn a_pause_of_three_working_days_and_an_extension_of_five_add_up() {
        let calendar = calendar();
        let mut clock = DeadlineClock::new(date("2012-09-28"), 5);
        assert_eq!(clock.deadline(&calendar), Ok(date("2012-10-11")));

        clock.pause(PauseReason::Supplement, date("2012-10-08"));
        assert!(clock.is_paused());
        // Until it resumes, the stored deadline counts no pause.
        assert_eq!(clock.deadline(&calendar), Ok(date("2012-10-11")));
        clock.resume(date("2012-10-11"));
        assert_eq!(clock.deadline(&calendar), Ok(date("2012-10-16")));

        clock.extend(date("2012-10-12"), 5, "专家评审".into());
        assert_eq!(clock.deadline(&calendar), Ok(date("2012-10-23")));

        let explanation = clock
            .explain(&calendar, date("2012-10-15"))
            .expect("explained");
        assert_eq!(explanation.pauses[0].working_days, 3);
        assert_eq!(explanation.extensions[0].days, 5);
        assert_eq!(explanation.total_working_days, 13);
        assert_eq!(explanation.deadline, date("2012-10-23"));
        assert!(!explanation.paused);
        assert!(!explanation.provisional);
        // Saturday 29 September worked; Monday 1 to Friday 5 October off.
        let days = &explanation.calendar_days;
        assert_eq!((days[0].date, days[0].working), (date("2012-09-29"), true));
        assert_eq!(days.iter().filter(|d| !d.working).count(), 5);
    }

    #[test]
    fn a_running_pause_says_the_explained_deadline_moves_on() {
        let calendar = calendar();
        let mut clock = DeadlineClock::new(date("2012-09-28"), 5);
        clock.pause(PauseReason::SpecialProcedure, date("2012-10-08"));
        let explanation = clock
            .explain(&calendar, date("2012-10-10"))
            .expect("explained");
        assert!(explanation.paused);
        assert_eq!(explanation.pauses[0].working_days, 2);
        assert_eq!(explanation.deadline, date("2012-10-15"));
    }

    #[test]
    fn an_immediate_case_is_due_the_day_it_is_accepted() {
        let clock = DeadlineClock::new(date("2012-09-29"), 0);
        assert_eq!(clock.deadline(&calendar()), Ok(date("2012-09-29")));
    }

    #[test]
    fn a_pause_resumed_the_same_day_costs_nothing() {
        let calendar = calendar();
        let mut clock = DeadlineClock::new(date("2012-09-28"), 5);
        clock.pause(PauseReason::Suspension, date("2012-10-09"));
        clock.resume(date("2012-10-09"));
        assert_eq!(clock.deadline(&calendar), Ok(date("2012-10-11")));
    }
}
