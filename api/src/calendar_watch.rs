//! Watching for the holiday notice an operator must load: the gauge
//! `hall_calendar_next_year_provisional` and a warning in the log once a day while this
//! year's national notice, or from 1 November next year's, is not loaded.

use std::time::Duration;

use chrono::NaiveDate;
use persistence::AnyConnection;

use crate::problem::ApiError;
use crate::state::AppState;

/// How often `serve` looks again: the gauge follows a notice loaded by another process within
/// this; one loaded through this process counts at once.
const EVERY: Duration = Duration::from_secs(15 * 60);

/// Sets the gauge from the calendars as stored now; returns the awaited year, if any.
pub fn refresh(state: &AppState, conn: &mut AnyConnection) -> Result<Option<i32>, ApiError> {
    let today = state.now().today;
    let awaited = state.calendars.get(conn)?.national().awaited_notice(today);
    state
        .metrics
        .calendar_next_year_provisional
        .set(i64::from(awaited.is_some()));
    Ok(awaited)
}

/// Looks now and then every [`EVERY`], in a thread of its own, for as long as the process
/// lives; warns at most once a local day.
pub fn spawn(state: AppState) {
    let started = std::thread::Builder::new()
        .name("calendar-watch".into())
        .spawn(move || {
            let mut warned_on: Option<NaiveDate> = None;
            loop {
                let today = state.now().today;
                match state.store.read(|conn| refresh(&state, conn)) {
                    Ok(Some(year)) if warned_on != Some(today) => {
                        tracing::warn!(
                            year,
                            "the {year} holiday notice is not loaded: deadlines counting {year} \
                             are provisional (by the holiday law). Load it with \
                             `hall calendar import FILE` or PUT /api/v1/calendar/{year}"
                        );
                        warned_on = Some(today);
                    }
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "cannot check the calendar"),
                }
                std::thread::sleep(EVERY);
            }
        });
    if let Err(error) = started {
        tracing::warn!(%error, "cannot start watching the calendar");
    }
}
