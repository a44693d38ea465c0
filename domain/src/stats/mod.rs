//! Statistics definitions: what is counted, and how each event of a case changes the counts.
//!
//! Every event adds signed deltas to counters keyed by the case's receipt date and the date
//! the change takes effect. The figures for cases received in `[from, to]`, as they stood at
//! the end of `as_of`, are the sums of the deltas with a receipt date in the range and an
//! effective date on or before `as_of` — so a past period's figures never change when later
//! events happen. Overdue cases are counted the same way: a case is scheduled to become
//! overdue the day after its deadline, and every later event that closes, pauses or extends
//! it moves or cancels that step from the day it happens.

mod counters;
mod deltas;
mod period;
mod rank;
mod series;
mod summary;

pub use counters::*;
pub use deltas::*;
pub use period::Period;
pub use rank::*;
pub use series::*;
pub use summary::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::WorkingCalendar;
    use crate::case::fixtures::hall;
    use crate::case::{Action, Outcome, PauseReason};
    use crate::case::{ActionKind, Case};
    use crate::catalogue::Handling;
    use crate::ids::UserId;
    use chrono::NaiveDate;
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
            let case = hall.accept("n".into(), at(on), day(on)).expect("open");
            let deltas = deltas(None, &case, ActionKind::Accept, day(on), None);
            Self {
                calendar: hall.calendar,
                case,
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
                result_code: None,
                certificate: None,
                fees: Vec::new(),
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
        assert_eq!(summary.open, Some(0));
    }

    #[test]
    fn a_pause_stops_the_overdue_count_and_an_extension_moves_it() {
        let mut replay = Replay::accept("2012-09-28");
        replay.act(
            Action::Pause {
                reason: PauseReason::Supplement,
                note: String::new(),
                materials: vec!["户口簿".into()],
            },
            "2012-10-15",
        );
        replay.act(
            Action::Resume {
                arrived: Vec::new(),
            },
            "2012-10-17",
        );
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
    fn series_keys_list_every_day_or_month_of_the_period() {
        assert_eq!(
            series_keys(day("2012-02-27"), day("2012-03-02"), false),
            [
                "2012-02-27",
                "2012-02-28",
                "2012-02-29",
                "2012-03-01",
                "2012-03-02"
            ]
        );
        assert_eq!(
            series_keys(day("2011-11-15"), day("2012-02-01"), true),
            ["2011-11", "2011-12", "2012-01", "2012-02"]
        );
        assert_eq!(
            series_keys(day("2012-03-31"), day("2012-03-31"), true),
            ["2012-03"]
        );
        assert!(series_keys(day("2012-03-02"), day("2012-03-01"), false).is_empty());
    }

    #[test]
    fn groups_rank_by_a_figure_highest_first_without_figures_last_ties_kept() {
        let summary = |received: i64, completed: i64, on_time: i64| {
            Summary::from(Counters {
                received,
                completed,
                completed_on_time: on_time,
                ..Counters::default()
            })
        };
        let mut groups = vec![
            ("a", summary(3, 0, 0)),
            ("b", summary(5, 4, 2)),
            ("c", summary(3, 2, 2)),
        ];
        rank(&mut groups, StatsSort::Received, false, |g| &g.1);
        let keys: Vec<_> = groups.iter().map(|g| g.0).collect();
        assert_eq!(keys, ["b", "a", "c"]);
        rank(&mut groups, StatsSort::OnTimeRate, false, |g| &g.1);
        let keys: Vec<_> = groups.iter().map(|g| g.0).collect();
        assert_eq!(keys, ["c", "b", "a"], "a has no rate: last");
        rank(&mut groups, StatsSort::OnTimeRate, true, |g| &g.1);
        let keys: Vec<_> = groups.iter().map(|g| g.0).collect();
        assert_eq!(keys, ["b", "c", "a"], "still last when ascending");
    }

    #[test]
    fn ratings_spread_over_five_levels_and_four_or_five_is_satisfied() {
        let case = Replay::accept("2012-09-28").case;
        let mut total = Counters::default();
        for score in [5, 5, 4, 3, 1] {
            for delta in deltas(
                Some(&case),
                &case,
                ActionKind::Rate,
                day("2012-10-08"),
                Some(score),
            ) {
                total += delta.counters;
            }
        }
        let figures = RatingFigures::of(&total);
        assert_eq!(figures.count, 5);
        let counts: Vec<_> = figures.levels.iter().map(|l| (l.score, l.count)).collect();
        assert_eq!(counts, [(5, 2), (4, 1), (3, 1), (2, 0), (1, 1)]);
        assert_eq!(
            figures.levels.iter().map(|l| l.count).sum::<i64>(),
            figures.count
        );
        assert_eq!(figures.levels[0].label, "非常满意");
        assert_eq!(figures.satisfaction_rate, Some(0.6));
        assert_eq!(figures.poor_share, Some(0.2));
        assert_eq!(
            RatingFigures::of(&Counters::default()).satisfaction_rate,
            None
        );
    }

    #[test]
    fn open_cases_without_a_card_are_the_rest() {
        let mut counts = WarningCounts::new(10, 3, 2);
        assert_eq!(counts.none, 5);
        counts += WarningCounts::new(1, 0, 1);
        assert_eq!(counts, WarningCounts::new(11, 3, 3));
    }

    #[test]
    fn a_summary_is_one_csv_row_with_empty_cells_for_missing_figures() {
        let summary = Summary::on(
            StatsBasis::Completed,
            Counters {
                received: 2,
                completed: 2,
                completed_on_time: 1,
                rated: 1,
                rating_sum: 4,
                rated_levels: [0, 0, 0, 1, 0],
                ..Counters::default()
            },
        );
        let cells = summary.cells();
        assert_eq!(cells.len(), SUMMARY_COLUMNS.len());
        let cell = |name: &str| {
            SUMMARY_COLUMNS
                .iter()
                .position(|c| *c == name)
                .map(|i| cells[i].as_str())
        };
        assert_eq!(cell("on_time_rate"), Some("0.5"));
        assert_eq!(cell("open"), Some(""));
        assert_eq!(cell("rated_4"), Some("1"));
        assert_eq!(cell("satisfaction_rate"), Some("1"));
    }

    #[test]
    fn the_completion_basis_leaves_out_the_states() {
        let counters = Counters {
            received: 2,
            completed: 1,
            ..Counters::default()
        };
        let summary = Summary::on(StatsBasis::Completed, counters);
        assert_eq!((summary.open, summary.overdue_open), (None, None));
        assert_eq!(summary.completed, 1);
        assert_eq!(Summary::on(StatsBasis::Received, counters).open, Some(1));
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
        assert_eq!(summary.open, Some(1));
        assert_eq!(summary.on_time_rate, Some(0.5));
        assert_eq!(summary.ratings.mean, Some(3.5));
        assert_eq!(summary.ratings.poor_share, Some(0.5));
    }
}
