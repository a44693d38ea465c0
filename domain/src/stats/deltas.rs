//! How each event of a case changes the counters.

use chrono::{Days, NaiveDate};

use super::Counters;
use crate::case::{ActionKind, Case};
use crate::catalogue::Handling;

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
