//! The counters every statistics figure is built from, declared once.
//!
//! The list in `counters!` below is the only place a counter is named: the struct's fields,
//! the storage columns, the values in column order and the arithmetic all come from it, and
//! storage builds its rows and SQL from [`Counters::COLUMNS`]. Adding a counter is adding it
//! to the list with its doc, setting it in `deltas.rs` and adding its column in a migration.

use std::ops::{AddAssign, Neg};

/// Declares [`Counters`]: `single` counters are one field and one storage column of the same
/// name each; `spread` counters are one array field whose slots are the storage columns listed.
macro_rules! counters {
    (
        single { $( $(#[$doc:meta])* $name:ident, )* }
        spread { $( $(#[$spread_doc:meta])* $spread:ident: [$($slot:ident),+ $(,)?], )* }
    ) => {
        /// The counters every figure is built from.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct Counters {
            $( $(#[$doc])* pub $name: i64, )*
            $( $(#[$spread_doc])* pub $spread: [i64; [$(stringify!($slot)),+].len()], )*
        }

        impl Counters {
            /// How many values the counters hold: one per storage column.
            pub const LEN: usize = [$(stringify!($name),)* $($(stringify!($slot),)+)*].len();

            /// The storage columns in the order of [`Counters::values`].
            pub const COLUMNS: [&'static str; Counters::LEN] =
                [$(stringify!($name),)* $($(stringify!($slot),)+)*];

            /// The values in the order of [`Counters::COLUMNS`].
            pub fn values(&self) -> [i64; Counters::LEN] {
                let mut values = [0; Counters::LEN];
                let all = [$(self.$name),*].into_iter()$(.chain(self.$spread))*;
                for (value, counted) in values.iter_mut().zip(all) {
                    *value = counted;
                }
                values
            }

            /// The counters of values in the order of [`Counters::COLUMNS`].
            pub fn from_values(values: [i64; Counters::LEN]) -> Self {
                let mut next = values.into_iter();
                // Fields are initialised in the order written, which is the columns' order.
                Self {
                    $( $name: next.next().unwrap_or_default(), )*
                    $( $spread: std::array::from_fn(|_| next.next().unwrap_or_default()), )*
                }
            }
        }
    };
}

counters! {
    single {
        /// Cases accepted (受理), refusals at intake not included.
        received,
        /// Of them, immediate cases.
        immediate,
        /// Of them, committed cases.
        committed,
        /// Applications refused at intake (不予受理).
        not_accepted,
        /// Cases completed (办结).
        completed,
        /// Of them, completed on or before their deadline.
        completed_on_time,
        /// Cases withdrawn.
        withdrawn,
        /// Open cases past their deadline with the clock running.
        overdue_open,
        /// Ratings given.
        rated,
        /// The sum of their scores.
        rating_sum,
        /// Ratings of 1 or 2 (差评).
        rated_poor,
    }
    spread {
        /// Ratings per level: `rated_levels[score - 1]`.
        rated_levels: [rated_1, rated_2, rated_3, rated_4, rated_5],
    }
}

impl AddAssign for Counters {
    fn add_assign(&mut self, other: Self) {
        let mut values = self.values();
        for (mine, theirs) in values.iter_mut().zip(other.values()) {
            *mine += theirs;
        }
        *self = Self::from_values(values);
    }
}

impl Neg for Counters {
    type Output = Self;

    fn neg(self) -> Self {
        Self::from_values(self.values().map(|n| -n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_values_follow_the_columns_and_come_back_as_they_went() {
        let values: [i64; Counters::LEN] = std::array::from_fn(|i| i as i64 + 1);
        let counters = Counters::from_values(values);
        assert_eq!(counters.values(), values);
        assert_eq!(Counters::COLUMNS[0], "received");
        assert_eq!(counters.received, 1);
        let poor = Counters::COLUMNS.iter().position(|c| *c == "rated_poor");
        assert_eq!(poor.map(|i| values[i]), Some(counters.rated_poor));
        assert_eq!(
            &Counters::COLUMNS[Counters::LEN - 5..],
            ["rated_1", "rated_2", "rated_3", "rated_4", "rated_5"]
        );
        assert_eq!(&values[Counters::LEN - 5..], counters.rated_levels);
    }

    #[test]
    fn counters_add_and_negate_column_by_column() {
        let one = Counters::from_values([1; Counters::LEN]);
        let mut sum = one;
        sum += one;
        assert_eq!(sum.values(), [2; Counters::LEN]);
        sum += -one;
        assert_eq!(sum, one);
        assert_eq!((-one).rated_levels, [-1; 5]);
    }
}
