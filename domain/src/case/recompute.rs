//! When the calendar changes under open cases — a year's notice loaded or corrected, a
//! region's notice loaded, a centre moved to another division — every open case whose
//! deadline moves is recomputed, with a `recompute` event saying why; closed cases stay as
//! they were judged.

use crate::ValidationErrors;
use crate::calendar::{Calendars, Division, RegionalYear, YearCalendar};
use crate::case::CaseError;
use crate::case::workflow::{CaseStore, Moment, WorkflowError, record};
use crate::ids::{CenterId, UserId};
use crate::repository::{CalendarRepository, CenterRepository, RepositoryError};

/// Every calendar of the hall as stored now.
pub fn load_calendars<R: CalendarRepository + CenterRepository + ?Sized>(
    repo: &mut R,
) -> Result<Calendars, RepositoryError> {
    Ok(Calendars::new(
        repo.calendar_years()?,
        repo.regional_calendar_years()?,
        &repo.all_centers()?,
    ))
}

/// Recomputes every open case (of `only` these centres, when given) whose deadline the
/// calendars move. Returns how many moved.
pub fn recompute_open_cases<R: CaseStore>(
    repo: &mut R,
    calendars: &Calendars,
    only: Option<&[CenterId]>,
    why: &str,
    actor: Option<UserId>,
    now: Moment,
) -> Result<usize, WorkflowError> {
    let mut moved = 0;
    for case in repo.open_cases()? {
        if only.is_some_and(|centers| !centers.contains(&case.center_id)) {
            continue;
        }
        let calendar = calendars.for_center(case.center_id);
        let Some(recomputed) = case.recompute(now.at, now.today, actor, calendar, why)? else {
            continue;
        };
        if !repo.update_case(&recomputed.case, case.version)? {
            return Err(WorkflowError::Stale {
                expected: case.version,
                current: case.version + 1,
            });
        }
        record(repo, &recomputed)?;
        moved += 1;
    }
    Ok(moved)
}

/// Replaces a year of the national calendar (the notice is out, or corrects one) and
/// recomputes the open cases it moves. Returns how many moved.
pub fn replace_calendar_year<R: CaseStore + CalendarRepository>(
    repo: &mut R,
    year: YearCalendar,
    actor: Option<UserId>,
    now: Moment,
) -> Result<usize, WorkflowError> {
    year.validate()?;
    require_notice(&year)?;
    // Years after the first are guessed by the law until loaded; one before it may only
    // extend the calendar backwards, never leave years in between to be guessed.
    if let Some(first) = repo.calendar_years()?.iter().map(|y| y.year).min()
        && year.year < first - 1
    {
        return Err(ValidationErrors::single(
            "year",
            format!(
                "lies before the calendar's first year, {first}: load {} first",
                first - 1
            ),
        )
        .into());
    }
    let why = format!("the {} calendar was changed: {}", year.year, year.notice);
    repo.put_calendar_year(&year, now.at)?;
    let calendars = load_calendars(repo)?;
    recompute_open_cases(repo, &calendars, None, &why, actor, now)
}

/// Replaces a year of a region's own calendar and recomputes the open cases of the region's
/// centres it moves. Returns how many moved.
pub fn replace_regional_year<R: CaseStore + CalendarRepository>(
    repo: &mut R,
    year: RegionalYear,
    actor: Option<UserId>,
    now: Moment,
) -> Result<usize, WorkflowError> {
    if !year.region.is_region() {
        return Err(ValidationErrors::single(
            "region",
            "must be a province-level division, e.g. 640000",
        )
        .into());
    }
    year.calendar.validate()?;
    require_notice(&year.calendar)?;
    let before = load_calendars(repo)?;
    let national = before.national();
    if !national.covers(year.calendar.year) {
        return Err(ValidationErrors::single("year", "lies outside the national calendar").into());
    }
    let (national_year, _) = national
        .documents(year.calendar.year)
        .map_err(CaseError::from)?;
    let mut errors = ValidationErrors::default();
    for (i, day) in year.calendar.working_days.iter().enumerate() {
        if let Some(holiday) = national_year.holiday_name(*day) {
            errors.add(
                &format!("working_days[{i}]"),
                format!("is a national holiday ({holiday}): a region adds days, never takes one"),
            );
        }
    }
    errors.into_result()?;
    let why = format!(
        "the {} calendar of {} was changed: {}",
        year.calendar.year,
        year.region.region_name(),
        year.calendar.notice
    );
    repo.put_regional_calendar_year(&year, now.at)?;
    let calendars = load_calendars(repo)?;
    let centers: Vec<CenterId> = repo
        .all_centers()?
        .iter()
        .filter(|c| calendars.division_of(c.id).map(Division::region) == Some(year.region.clone()))
        .map(|c| c.id)
        .collect();
    recompute_open_cases(repo, &calendars, Some(&centers), &why, actor, now)
}

/// A loaded year names the notice its days come from: that is what makes it official.
fn require_notice(year: &YearCalendar) -> Result<(), ValidationErrors> {
    if year.notice.trim().is_empty() {
        return Err(ValidationErrors::single(
            "notice",
            "name the notice (通知) the days come from",
        ));
    }
    Ok(())
}
