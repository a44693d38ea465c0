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

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

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
    /// Ratings per level: `rated_levels[score - 1]`.
    pub rated_levels: [i64; 5],
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
        for (mine, theirs) in self.rated_levels.iter_mut().zip(other.rated_levels) {
            *mine += theirs;
        }
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
            rated_levels: self.rated_levels.map(|n| -n),
        }
    }
}

/// The five levels of a rating (好差评, GB/T 39734), best first, with their scores.
pub const RATING_LEVELS: [(u8, &str); 5] = [
    (5, "非常满意"),
    (4, "满意"),
    (3, "基本满意"),
    (2, "不满意"),
    (1, "非常不满意"),
];

/// How many ratings of one level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingLevel {
    /// The score, 5 (非常满意) to 1 (非常不满意).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub score: u8,
    /// The level's name in GB/T 39734.
    pub label: String,
    /// How many ratings of this level.
    pub count: i64,
}

/// The rating figures of a summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingFigures {
    /// How many ratings.
    pub count: i64,
    /// Their mean score; `null` without ratings.
    pub mean: Option<f64>,
    /// The share of ratings of 1 or 2 (差评); `null` without ratings.
    pub poor_share: Option<f64>,
    /// The satisfaction rate (满意率): the share of ratings of 4 or 5; `null` without
    /// ratings.
    pub satisfaction_rate: Option<f64>,
    /// The distribution over the five levels, 5 first; the counts add up to `count`.
    pub levels: Vec<RatingLevel>,
}

impl RatingFigures {
    /// The figures of the counters' ratings.
    pub fn of(c: &Counters) -> Self {
        let level = |score: u8| {
            c.rated_levels
                .get(usize::from(score).wrapping_sub(1))
                .copied()
                .unwrap_or_default()
        };
        Self {
            count: c.rated,
            mean: share(c.rating_sum, c.rated),
            poor_share: share(c.rated_poor, c.rated),
            satisfaction_rate: share(level(4) + level(5), c.rated),
            levels: RATING_LEVELS
                .iter()
                .map(|&(score, label)| RatingLevel {
                    score,
                    label: label.to_owned(),
                    count: level(score),
                })
                .collect(),
        }
    }
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
    /// Neither completed nor withdrawn; `null` on the completion basis (a state at a
    /// moment, not something that happens in a period).
    pub open: Option<i64>,
    /// Open, clock running, past the deadline; `null` on the completion basis.
    pub overdue_open: Option<i64>,
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
            open: Some(c.received - c.completed - c.withdrawn),
            overdue_open: Some(c.overdue_open),
            not_accepted: c.not_accepted,
            withdrawn: c.withdrawn,
            ratings: RatingFigures::of(&c),
        }
    }
}

impl Summary {
    /// The figures of the counters summed on a basis: on the completion basis the states
    /// `open` and `overdue_open` have no meaning and are left out.
    pub fn on(basis: StatsBasis, counters: Counters) -> Self {
        let mut summary = Self::from(counters);
        if basis == StatsBasis::Completed {
            summary.open = None;
            summary.overdue_open = None;
        }
        summary
    }
}

/// The columns of a summary as a CSV row (the JSON's fields, the ratings flattened, the
/// levels as `rated_5` … `rated_1`).
pub const SUMMARY_COLUMNS: [&str; 19] = [
    "received",
    "immediate",
    "committed",
    "completed",
    "completed_on_time",
    "on_time_rate",
    "open",
    "overdue_open",
    "not_accepted",
    "withdrawn",
    "ratings",
    "rating_mean",
    "poor_share",
    "satisfaction_rate",
    "rated_5",
    "rated_4",
    "rated_3",
    "rated_2",
    "rated_1",
];

impl Summary {
    /// The figures as CSV cells in the order of [`SUMMARY_COLUMNS`]; a missing figure is an
    /// empty cell.
    pub fn cells(&self) -> Vec<String> {
        fn some<T: ToString>(value: Option<T>) -> String {
            value.map(|v| v.to_string()).unwrap_or_default()
        }
        let r = &self.ratings;
        let level = |score: u8| {
            r.levels
                .iter()
                .find(|l| l.score == score)
                .map_or(0, |l| l.count)
        };
        vec![
            self.received.to_string(),
            self.immediate.to_string(),
            self.committed.to_string(),
            self.completed.to_string(),
            self.completed_on_time.to_string(),
            some(self.on_time_rate),
            some(self.open),
            some(self.overdue_open),
            self.not_accepted.to_string(),
            self.withdrawn.to_string(),
            r.count.to_string(),
            some(r.mean),
            some(r.poor_share),
            some(r.satisfaction_rate),
            level(5).to_string(),
            level(4).to_string(),
            level(3).to_string(),
            level(2).to_string(),
            level(1).to_string(),
        ]
    }
}

/// Open cases by warning colour (电子监察): none, yellow, red; they add up to `open`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarningCounts {
    /// Open cases (accepted, in progress or paused).
    pub open: i64,
    /// Of them, without a card: paused, or more working days left than the yellow threshold.
    pub none: i64,
    /// Of them, yellow: the clock runs and at most the threshold of working days is left.
    pub yellow: i64,
    /// Of them, red: the clock runs and the deadline has passed.
    pub red: i64,
}

impl WarningCounts {
    /// The counts from the open cases and those at yellow and at red.
    pub fn new(open: i64, yellow: i64, red: i64) -> Self {
        Self {
            open,
            none: open - yellow - red,
            yellow,
            red,
        }
    }
}

impl AddAssign for WarningCounts {
    fn add_assign(&mut self, other: Self) {
        self.open += other.open;
        self.none += other.none;
        self.yellow += other.yellow;
        self.red += other.red;
    }
}

/// Which date puts a case's figures into a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StatsBasis {
    /// By the date of receipt: the cases received in the period, judged as they stood at the
    /// end of `as_of` (the yearly report's figures).
    #[default]
    Received,
    /// By the date things happened (throughput): completed and completed on time by the date
    /// of completion, whenever received; received, refused, withdrawn and rated by the day
    /// they were. Events after `as_of` are not counted. `open` and `overdue_open` are `null`.
    Completed,
}

/// The keys of every day (`YYYY-MM-DD`) or every month (`YYYY-MM`) of `[from, to]`, in
/// order, so that a series shows the days or months without cases as zeros.
pub fn series_keys(from: NaiveDate, to: NaiveDate, months: bool) -> Vec<String> {
    let mut keys = Vec::new();
    let mut day = from;
    while day <= to {
        if months {
            keys.push(day.format("%Y-%m").to_string());
            let first = day.with_day(1).unwrap_or(day);
            match first.checked_add_months(chrono::Months::new(1)) {
                Some(next) => day = next,
                None => break,
            }
        } else {
            keys.push(day.to_string());
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
    }
    keys
}

/// The most groups a breakdown answers at once (`limit`).
pub const MAX_GROUPS: usize = 1000;

/// A figure to rank a breakdown's groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StatsSort {
    /// Cases accepted.
    Received,
    /// Immediate cases.
    Immediate,
    /// Committed cases.
    Committed,
    /// Completed.
    Completed,
    /// Completed on time.
    CompletedOnTime,
    /// The on-time rate.
    OnTimeRate,
    /// Open cases.
    Open,
    /// Open cases past their deadline.
    OverdueOpen,
    /// Refused at intake.
    NotAccepted,
    /// Withdrawn.
    Withdrawn,
    /// How many ratings.
    Ratings,
    /// The mean rating.
    RatingMean,
    /// The satisfaction rate (share of 4–5).
    SatisfactionRate,
}

impl StatsSort {
    /// The figure of a summary; `None` when it has none (a rate without cases).
    pub fn value(self, s: &Summary) -> Option<f64> {
        let count = |n: i64| Some(n as f64);
        match self {
            Self::Received => count(s.received),
            Self::Immediate => count(s.immediate),
            Self::Committed => count(s.committed),
            Self::Completed => count(s.completed),
            Self::CompletedOnTime => count(s.completed_on_time),
            Self::OnTimeRate => s.on_time_rate,
            Self::Open => s.open.and_then(count),
            Self::OverdueOpen => s.overdue_open.and_then(count),
            Self::NotAccepted => count(s.not_accepted),
            Self::Withdrawn => count(s.withdrawn),
            Self::Ratings => count(s.ratings.count),
            Self::RatingMean => s.ratings.mean,
            Self::SatisfactionRate => s.ratings.satisfaction_rate,
        }
    }
}

/// Ranks groups by a figure, highest first unless `ascending`; groups without the figure go
/// last, and ties keep their order (the caller's key order).
pub fn rank<T>(
    groups: &mut [T],
    sort: StatsSort,
    ascending: bool,
    summary: impl Fn(&T) -> &Summary,
) {
    groups.sort_by(
        |a, b| match (sort.value(summary(a)), sort.value(summary(b))) {
            (Some(x), Some(y)) if ascending => x.total_cmp(&y),
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        },
    );
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
            if let Some(level) = usize::try_from(score - 1)
                .ok()
                .and_then(|i| now.rated_levels.get_mut(i))
            {
                *level = 1;
            }
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
        assert_eq!(summary.open, Some(0));
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
