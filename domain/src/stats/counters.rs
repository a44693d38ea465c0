//! The counters every statistics figure is built from.

use std::ops::{AddAssign, Neg};

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
