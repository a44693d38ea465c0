//! Ranking a breakdown's groups by a figure.

use serde::{Deserialize, Serialize};

use super::Summary;

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
