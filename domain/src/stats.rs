//! Statistics definitions: what is counted, and how each event of a case changes the counts.
//!
//! Every event adds signed deltas to counters keyed by the case's receipt date and the date
//! the change takes effect. The figures for cases received in `[from, to]`, as they stood at
//! the end of `as_of`, are the sums of the deltas with a receipt date in the range and an
//! effective date on or before `as_of` — so a past period's figures never change when later
//! events happen. Overdue cases are counted the same way: a case is scheduled to become
//! overdue the day after its deadline, and every later event that closes, pauses or extends
//! it moves or cancels that step from the day it happens.

use std::ops::{AddAssign, Neg};

use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::case::{ActionKind, Case};
use crate::catalogue::Handling;

/// The counters every figure is built from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Cases accepted (受理), refusals at intake not included.
    pub received: i64,
    /// Of them, immediate cases.
    pub immediate: i64,
    /// Of them, committed cases.
    pub committed: i64,
    /// Applications refused at intake (不予受理).
    pub not_accepted: i64,
    /// Cases completed (办结).
    pub completed: i64,
    /// Of them, completed on or before their deadline.
    pub completed_on_time: i64,
    /// Cases withdrawn.
    pub withdrawn: i64,
    /// Open cases past their deadline with the clock running.
    pub overdue_open: i64,
    /// Ratings given.
    pub rated: i64,
    /// The sum of their scores.
    pub rating_sum: i64,
    /// Ratings of 1 or 2 (差评).
    pub rated_poor: i64,
}

impl AddAssign for Counters {
    fn add_assign(&mut self, other: Self) {
        self.received += other.received;
        self.immediate += other.immediate;
        self.committed += other.committed;
        self.not_accepted += other.not_accepted;
        self.completed += other.completed;
        self.completed_on_time += other.completed_on_time;
        self.withdrawn += other.withdrawn;
        self.overdue_open += other.overdue_open;
        self.rated += other.rated;
        self.rating_sum += other.rating_sum;
        self.rated_poor += other.rated_poor;
    }
}

impl Neg for Counters {
    type Output = Self;

    fn neg(self) -> Self {
        Counters {
            received: -self.received,
            immediate: -self.immediate,
            committed: -self.committed,
            not_accepted: -self.not_accepted,
            completed: -self.completed,
            completed_on_time: -self.completed_on_time,
            withdrawn: -self.withdrawn,
            overdue_open: -self.overdue_open,
            rated: -self.rated,
            rating_sum: -self.rating_sum,
            rated_poor: -self.rated_poor,
        }
    }
}

/// The rating figures of a summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingFigures {
    /// How many ratings.
    pub count: i64,
    /// Their mean score; `null` without ratings.
    pub mean: Option<f64>,
    /// The share of ratings of 1 or 2; `null` without ratings.
    pub poor_share: Option<f64>,
}

/// The figures the dashboards and the yearly report show.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    /// Cases accepted.
    pub received: i64,
    /// Of them, immediate.
    pub immediate: i64,
    /// Of them, committed.
    pub committed: i64,
    /// Completed.
    pub completed: i64,
    /// Completed on time.
    pub completed_on_time: i64,
    /// completed_on_time / completed; `null` when nothing is completed.
    pub on_time_rate: Option<f64>,
    /// Neither completed nor withdrawn.
    pub open: i64,
    /// Open, clock running, past the deadline.
    pub overdue_open: i64,
    /// Refused at intake.
    pub not_accepted: i64,
    /// Withdrawn.
    pub withdrawn: i64,
    /// The applicants' ratings.
    pub ratings: RatingFigures,
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl From<Counters> for Summary {
    fn from(c: Counters) -> Self {
        Self {
            received: c.received,
            immediate: c.immediate,
            committed: c.committed,
            completed: c.completed,
            completed_on_time: c.completed_on_time,
            on_time_rate: share(c.completed_on_time, c.completed),
            open: c.received - c.completed - c.withdrawn,
            overdue_open: c.overdue_open,
            not_accepted: c.not_accepted,
            withdrawn: c.withdrawn,
            ratings: RatingFigures {
                count: c.rated,
                mean: share(c.rating_sum, c.rated),
                poor_share: share(c.rated_poor, c.rated),
            },
        }
    }
}

/// One change of the counters, effective from the end of `effective_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatDelta {
    /// The day the change takes effect.
    pub effective_on: NaiveDate,
    /// The change.
    pub counters: Counters,
}

/// The day from which a case counts as overdue and open, given its state after an event on
/// `today` and the day it counted from before: the day after its deadline, or today when
/// that has passed (an overdue spell already running keeps its start); `None` when the case
/// is closed or its clock is stopped.
pub fn overdue_from(
    case: &Case,
    today: NaiveDate,
    previous: Option<NaiveDate>,
) -> Option<NaiveDate> {
    if !case.status.clock_runs() {
        return None;
    }
    let after_deadline = case.deadline?.checked_add_days(Days::new(1))?;
    match previous {
        Some(running) if running <= today && after_deadline <= today => Some(running),
        _ => Some(after_deadline.max(today)),
    }
}

/// The deltas of one event: `before` is the case before it (`None` at intake), `after` the
/// case after it, `today` the local date of the event and `score` the rating, for ratings.
pub fn deltas(
    before: Option<&Case>,
    after: &Case,
    action: ActionKind,
    today: NaiveDate,
    score: Option<u8>,
) -> Vec<StatDelta> {
    let mut now = Counters::default();
    match action {
        ActionKind::Accept => {
            now.received = 1;
            match after.handling {
                Handling::Immediate => now.immediate = 1,
                Handling::Committed => now.committed = 1,
            }
        }
        ActionKind::Refuse => now.not_accepted = 1,
        ActionKind::Complete => {
            now.completed = 1;
            now.completed_on_time = i64::from(after.on_time == Some(true));
        }
        ActionKind::Withdraw => now.withdrawn = 1,
        ActionKind::Rate => {
            let score = i64::from(score.unwrap_or_default());
            now.rated = 1;
            now.rating_sum = score;
            now.rated_poor = i64::from((1..=2).contains(&score));
        }
        _ => {}
    }
    let mut out = Vec::with_capacity(3);
    if now != Counters::default() {
        out.push(StatDelta {
            effective_on: today,
            counters: now,
        });
    }
    let was = before.and_then(|b| b.overdue_from);
    if was != after.overdue_from {
        let one = Counters {
            overdue_open: 1,
            ..Counters::default()
        };
        if let Some(was) = was {
            // Active since `was`: it stops today. Still scheduled: the step is cancelled.
            out.push(StatDelta {
                effective_on: was.max(today),
                counters: -one,
            });
        }
        if let Some(from) = after.overdue_from {
            out.push(StatDelta {
                effective_on: from,
                counters: one,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::WorkingCalendar;
    use crate::case::fixtures::{Hall, applicant, hall};
    use crate::case::{Action, Intake, IntakeDecision, Outcome, PauseReason};
    use crate::ids::UserId;
    use chrono::{TimeZone, Utc};

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    /// Plays a case's events and returns all its deltas.
    struct Replay {
        calendar: WorkingCalendar,
        case: Case,
        deltas: Vec<StatDelta>,
    }

    impl Replay {
        fn accept(on: &str) -> Self {
            let hall = hall(Handling::Committed);
            let Hall {
                center,
                item,
                window,
                calendar,
                ..
            } = hall;
            let applicant = applicant();
            let opened = Intake {
                item: &item,
                window: &window,
                center: &center,
                applicant,
                note: String::new(),
                decision: IntakeDecision::Accept,
            }
            .open("n".into(), at(on), day(on), UserId::new(), &calendar)
            .expect("open");
            let deltas = deltas(None, &opened.case, ActionKind::Accept, day(on), None);
            Self {
                calendar,
                case: opened.case,
                deltas,
            }
        }

        fn act(&mut self, action: Action, on: &str) {
            let done = self
                .case
                .perform(
                    &action,
                    at(on),
                    day(on),
                    UserId::new(),
                    &self.calendar,
                    None,
                )
                .expect("act");
            self.deltas.extend(deltas(
                Some(&self.case),
                &done.case,
                action.kind(),
                day(on),
                None,
            ));
            self.case = done.case;
        }

        /// The counters as they stood at the end of `as_of`.
        fn as_of(&self, as_of: &str) -> Counters {
            let mut total = Counters::default();
            for delta in self.deltas.iter().filter(|d| d.effective_on <= day(as_of)) {
                total += delta.counters;
            }
            total
        }
    }

    fn at(s: &str) -> chrono::DateTime<Utc> {
        Utc.from_utc_datetime(&day(s).and_hms_opt(2, 0, 0).expect("time"))
    }

    #[test]
    fn a_case_is_received_open_overdue_then_completed_late_as_the_days_go_by() {
        // Accepted Friday 2012-09-28, due 2012-10-11.
        let mut replay = Replay::accept("2012-09-28");
        replay.act(Action::Start, "2012-10-08");
        replay.act(
            Action::Complete {
                outcome: Outcome::Approved,
                result: String::new(),
            },
            "2012-10-15",
        );
        assert_eq!(replay.as_of("2012-09-27"), Counters::default());
        let open = replay.as_of("2012-10-11");
        assert_eq!(
            (
                open.received,
                open.committed,
                open.overdue_open,
                open.completed
            ),
            (1, 1, 0, 0)
        );
        assert_eq!(
            replay.as_of("2012-10-12").overdue_open,
            1,
            "the day after the deadline"
        );
        let done = replay.as_of("2012-10-15");
        assert_eq!(
            (done.overdue_open, done.completed, done.completed_on_time),
            (0, 1, 0)
        );
        let summary = Summary::from(done);
        assert_eq!(summary.on_time_rate, Some(0.0));
        assert_eq!(summary.open, 0);
    }

    #[test]
    fn a_pause_stops_the_overdue_count_and_an_extension_moves_it() {
        let mut replay = Replay::accept("2012-09-28");
        replay.act(
            Action::Pause {
                reason: PauseReason::Supplement,
                note: String::new(),
            },
            "2012-10-15",
        );
        replay.act(Action::Resume, "2012-10-17");
        replay.act(
            Action::Extend {
                days: 10,
                reason: "复杂".into(),
            },
            "2012-10-18",
        );
        assert_eq!(replay.as_of("2012-10-12").overdue_open, 1);
        assert_eq!(replay.as_of("2012-10-15").overdue_open, 0, "paused");
        // Resumed after 2 working days paused: due 2012-10-15, so overdue again.
        assert_eq!(replay.as_of("2012-10-17").overdue_open, 1);
        assert_eq!(
            replay.as_of("2012-10-18").overdue_open,
            0,
            "extended beyond today"
        );
        let due = replay.case.deadline.expect("deadline");
        let after = due.succ_opt().expect("day").to_string();
        assert_eq!(replay.as_of(&after).overdue_open, 1);
        assert_eq!(replay.as_of(&due.to_string()).overdue_open, 0);
    }

    #[test]
    fn a_summary_derives_rates_and_leaves_them_null_without_data() {
        let empty = Summary::from(Counters::default());
        assert_eq!(empty.on_time_rate, None);
        assert_eq!(empty.ratings.mean, None);
        let counters = Counters {
            received: 4,
            completed: 2,
            completed_on_time: 1,
            withdrawn: 1,
            rated: 2,
            rating_sum: 7,
            rated_poor: 1,
            ..Counters::default()
        };
        let summary = Summary::from(counters);
        assert_eq!(summary.open, 1);
        assert_eq!(summary.on_time_rate, Some(0.5));
        assert_eq!(summary.ratings.mean, Some(3.5));
        assert_eq!(summary.ratings.poor_share, Some(0.5));
    }
}
