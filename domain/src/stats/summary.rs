//! The figures shown: a summary with its ratings, and open cases by warning colour.

use std::ops::AddAssign;

use serde::Serialize;

use super::{Counters, StatsBasis};

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

/// Open cases by warning colour (电子监察): none, yellow, red, which add up to `open`; and,
/// apart, those missing a material whose promised date (容缺) has passed, whatever their
/// colour.
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
    /// Of them, whatever their colour, those missing a material whose promised date (容缺)
    /// has passed: not part of the sum.
    pub overdue_materials: i64,
}

impl WarningCounts {
    /// The counts from the open cases and those at yellow and at red.
    pub fn new(open: i64, yellow: i64, red: i64) -> Self {
        Self {
            open,
            none: open - yellow - red,
            yellow,
            red,
            overdue_materials: 0,
        }
    }

    /// These counts with `n` cases missing an overdue 容缺 material.
    pub fn with_overdue_materials(self, n: i64) -> Self {
        Self {
            overdue_materials: n,
            ..self
        }
    }
}

impl AddAssign for WarningCounts {
    fn add_assign(&mut self, other: Self) {
        self.open += other.open;
        self.none += other.none;
        self.yellow += other.yellow;
        self.red += other.red;
        self.overdue_materials += other.overdue_materials;
    }
}
