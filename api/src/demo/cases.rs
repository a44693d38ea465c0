//! The demo hall's cases: 17,649 received on the working days of January to September 2012
//! — 16,459 immediate and 1,190 committed — with realistic histories (supplements, extensions,
//! transfers, deliveries, ratings), 17,094 completed by 30 September, every one on time, and
//! the rest completed on time in October. Every case is made by the domain's own intake and
//! actions, so it cannot be told apart from live work.

mod generator;

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use domain::calendar::WorkingCalendar;
use domain::case::workflow::QueryCodes;
use domain::catalogue::{Handling, ServiceItem};
use domain::ids::{CaseId, UserId};
use persistence::bulk::Batch;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use super::catalogue::Catalogue;
use generator::{Generator, date};

/// Cases received from 2012-01-01 to 2012-09-30.
pub const RECEIVED: usize = 17_649;
/// Of them, immediate.
pub const IMMEDIATE: usize = 16_459;
/// Of them, committed.
pub const COMMITTED: usize = 1_190;
/// Completed by 2012-09-30.
pub const COMPLETED_BY_SEPTEMBER: usize = 17_094;

/// Who acts in the demo.
#[derive(Debug)]
pub struct Staff {
    /// The clerk of each window, by window index (number − 1).
    pub clerks: Vec<UserId>,
    /// The supervisor, who extends and transfers.
    pub supervisor: UserId,
}

/// A case accepted at a window: where the demo's queue history puts a ticket.
#[derive(Debug, Clone, Copy)]
pub struct Visit {
    /// The case.
    pub case_id: CaseId,
    /// The window's index (number − 1).
    pub window: usize,
    /// When it was accepted.
    pub accepted_at: DateTime<Utc>,
}

/// Generates every case into a batch, with each case's acceptance; deterministic for a
/// seed, but for ids.
pub fn generate(
    seed: u64,
    catalogue: &Catalogue,
    staff: &Staff,
    calendar: &WorkingCalendar,
    codes: &dyn QueryCodes,
    offset: FixedOffset,
) -> Result<(Batch, Vec<Visit>), String> {
    let mut generator = Generator {
        rng: StdRng::seed_from_u64(seed),
        calendar,
        offset,
        codes,
        catalogue,
        staff,
        batch: Batch::default(),
        sequence: HashMap::new(),
        completed_by_september: 0,
        visits: Vec::with_capacity(RECEIVED),
    };
    let mut working = Vec::new();
    let mut day = date("2012-01-01");
    while day <= date("2012-09-30") {
        if calendar.is_working_day(day).map_err(|e| e.to_string())? {
            working.push(day);
        }
        day = day.succ_opt().ok_or("date overflow")?;
    }
    let september = working
        .iter()
        .position(|d| *d >= date("2012-09-01"))
        .ok_or("no September")?;
    let immediate_items: Vec<&ServiceItem> = catalogue
        .items
        .iter()
        .filter(|i| i.handling == Handling::Immediate)
        .collect();
    let committed_items: Vec<&ServiceItem> = catalogue
        .items
        .iter()
        .filter(|i| i.handling == Handling::Committed)
        .collect();

    // What each working day receives: immediate cases evenly with a little noise, committed
    // cases spread over January–August, and a rush of applications in September.
    let mut plan: Vec<(NaiveDate, bool, bool)> = Vec::with_capacity(RECEIVED);
    for i in 0..IMMEDIATE {
        plan.push((working[i * working.len() / IMMEDIATE], false, false));
    }
    let early = COMMITTED - (RECEIVED - COMPLETED_BY_SEPTEMBER);
    for i in 0..early {
        plan.push((working[i * september / early], true, false));
    }
    let late = COMMITTED - early;
    for i in 0..late {
        plan.push((
            working[september + i * (working.len() - september) / late],
            true,
            true,
        ));
    }
    plan.sort_by_key(|(day, _, _)| *day);

    let mut minute_of_day: HashMap<NaiveDate, u32> = HashMap::new();
    for (day, committed, late) in plan {
        let slot = minute_of_day.entry(day).or_default();
        // Arrivals through the day, 08:30 onwards, a few minutes apart.
        *slot += 1 + (*slot % 3);
        let minute = 30 + (*slot % 540);
        if committed {
            let valid: Vec<&ServiceItem> = committed_items
                .iter()
                .copied()
                .filter(|item| {
                    !late
                        || calendar
                            .add_working_days(day, item.promised_days)
                            .is_ok_and(|d| d >= date("2012-10-08"))
                })
                .collect();
            let item = *valid
                .choose(&mut generator.rng)
                .ok_or("no committed item fits")?;
            generator.committed(item, day, minute, late)?;
        } else {
            let item = *immediate_items
                .choose(&mut generator.rng)
                .ok_or("no immediate item")?;
            generator.immediate(item, day, minute)?;
        }
    }
    if generator.completed_by_september != COMPLETED_BY_SEPTEMBER {
        return Err(format!(
            "demo generated {} completions by September, not {COMPLETED_BY_SEPTEMBER}",
            generator.completed_by_september
        ));
    }
    Ok((generator.batch, generator.visits))
}
