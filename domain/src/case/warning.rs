//! Supervision warnings (电子监察 yellow and red cards).

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{Case, CaseMaterial, CaseStatus};
use crate::calendar::{CalendarError, Calendars, SUPPORTED_YEARS, WorkingCalendar};
use crate::page::{DueCursor, Page, PageRequest};
use crate::repository::{CaseFilter, CaseRepository, DueWindow, RepositoryError};

/// How urgent an open case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Warning {
    /// 黄牌: at most the yellow threshold of working days left.
    Yellow,
    /// 红牌: past its deadline and still open.
    Red,
}

/// The warning for a case on `today`, with the working days left (yellow: 0 means due
/// today) or overdue (red: working days after the deadline up to today). A paused case's
/// clock does not run, so it gets none; nor does a closed case.
pub fn warning_for(
    status: CaseStatus,
    deadline: Option<NaiveDate>,
    today: NaiveDate,
    calendar: &WorkingCalendar,
    yellow_days: u32,
) -> Result<Option<(Warning, i64)>, CalendarError> {
    let Some(deadline) = deadline.filter(|_| status.clock_runs()) else {
        return Ok(None);
    };
    if deadline < today {
        let overdue = calendar.working_days_between(deadline, today)?;
        return Ok(Some((Warning::Red, overdue)));
    }
    let left = calendar.working_days_between(today, deadline)?;
    Ok((left <= i64::from(yellow_days)).then_some((Warning::Yellow, left)))
}

/// The deadlines of running cases that earn `level` on `today` — the inverse of
/// [`warning_for`], for finding those cases in storage: red is any deadline before today;
/// yellow runs from today to the `yellow_days`-th working day after it, by the calendar of
/// each group of centres.
pub fn due_windows(
    level: Warning,
    calendars: &Calendars,
    today: NaiveDate,
    yellow_days: u32,
) -> Result<Vec<DueWindow>, CalendarError> {
    match level {
        Warning::Red => {
            // No case predates the earliest year a calendar may describe.
            let first = NaiveDate::from_yo_opt(*SUPPORTED_YEARS.start(), 1).unwrap_or(today);
            Ok(vec![DueWindow {
                from: first,
                to: today.checked_sub_days(Days::new(1)).unwrap_or(today),
                center_ids: None,
            }])
        }
        Warning::Yellow => calendars
            .groups()
            .into_iter()
            .map(|(calendar, center_ids)| {
                Ok(DueWindow {
                    from: today,
                    to: calendar.add_working_days(today, yellow_days)?,
                    center_ids,
                })
            })
            .collect(),
    }
}

/// The latest date any centre's cases turn yellow by on `today`: the cases due by then are
/// the candidates for a card, each then judged by its own centre's calendar.
pub fn yellow_horizon(
    calendars: &Calendars,
    today: NaiveDate,
    yellow_days: u32,
) -> Result<NaiveDate, CalendarError> {
    Ok(due_windows(Warning::Yellow, calendars, today, yellow_days)?
        .iter()
        .map(|w| w.to)
        .max()
        .unwrap_or(today))
}

/// An open case and why supervision lists it: its card, its overdue 容缺 materials, or both.
#[derive(Debug, Clone, PartialEq)]
pub struct Carded {
    /// The case.
    pub case: Case,
    /// Its deadline (every carded case has one).
    pub deadline: NaiveDate,
    /// Its card; `None` for a case listed only for an overdue material.
    pub warning: Option<Warning>,
    /// Working days left (yellow) or overdue (red), as [`warning_for`] counts them; 0
    /// without a card.
    pub days: i64,
    /// The materials it still lacks whose promised date (容缺) has passed.
    pub overdue_materials: Vec<CaseMaterial>,
}

/// Which of the listed cases a supervisor asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// The cases with a card of this colour.
    Level(Warning),
    /// The cases with a missing material whose promised date (容缺) has passed, whatever
    /// their card: such a case is listed even when paused or far from its deadline.
    OverdueMaterials,
}

/// Why the warnings could not be listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WarningsError {
    /// A date the calendar does not cover.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// Storage failed, or the cursor is not one this listing handed out.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

/// One page of the open cases with a card, or with a missing material whose promised date
/// (容缺) has passed, on `today` (only those `wanted`, if given), earliest deadline first,
/// then by receipt and id; its `next_cursor` is a [`DueCursor`]. Storage is read in pages of
/// the same size until the page is full or no candidate is left, so no card is ever dropped,
/// however many candidates turn out to have none.
pub fn warnings<R: CaseRepository + ?Sized>(
    repo: &mut R,
    calendars: &Calendars,
    today: NaiveDate,
    yellow_days: u32,
    wanted: Option<Wanted>,
    filter: &CaseFilter,
    page: &PageRequest,
) -> Result<Page<Carded>, WarningsError> {
    let horizon = yellow_horizon(calendars, today, yellow_days)?;
    let materials_before = match wanted {
        Some(Wanted::Level(_)) => None,
        None | Some(Wanted::OverdueMaterials) => Some(today),
    };
    let mut carded = Vec::new();
    let mut candidates = page.clone();
    'reading: loop {
        let batch = repo.cases_due_by(horizon, materials_before, filter, &candidates)?;
        for case in batch.items {
            let calendar = calendars.for_center(case.center_id);
            let card = warning_for(case.status, case.deadline, today, calendar, yellow_days)?;
            let overdue_materials: Vec<CaseMaterial> = if case.status.is_open() {
                case.materials.overdue(today).into_iter().cloned().collect()
            } else {
                Vec::new()
            };
            let Some(deadline) = case.deadline else {
                continue;
            };
            let listed = match wanted {
                None => card.is_some() || !overdue_materials.is_empty(),
                Some(Wanted::Level(level)) => card.is_some_and(|(w, _)| w == level),
                Some(Wanted::OverdueMaterials) => !overdue_materials.is_empty(),
            };
            if !listed {
                continue;
            }
            carded.push(Carded {
                case,
                deadline,
                warning: card.map(|(w, _)| w),
                days: card.map_or(0, |(_, days)| days),
                overdue_materials,
            });
            // One more than the page tells that another page exists.
            if carded.len() > page.limit as usize {
                break 'reading;
            }
        }
        match batch.next_cursor {
            Some(next) => candidates.after = Some(next),
            None => break,
        }
    }
    Ok(Page::from_fetched(carded, page.limit, |c| {
        DueCursor::after(&c.case).map_or_else(String::new, |cursor| cursor.to_string())
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::china;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    #[test]
    fn cards_follow_the_working_days_left() {
        let calendar = WorkingCalendar::new(china());
        let deadline = Some(date("2012-10-11"));
        let open = CaseStatus::InProgress;
        assert_eq!(
            warning_for(open, deadline, date("2012-10-08"), &calendar, 2),
            Ok(None)
        );
        assert_eq!(
            warning_for(open, deadline, date("2012-10-09"), &calendar, 2),
            Ok(Some((Warning::Yellow, 2)))
        );
        assert_eq!(
            warning_for(open, deadline, date("2012-10-11"), &calendar, 2),
            Ok(Some((Warning::Yellow, 0)))
        );
        assert_eq!(
            warning_for(open, deadline, date("2012-10-12"), &calendar, 2),
            Ok(Some((Warning::Red, 1)))
        );
        // Over the weekend after the deadline: past it, though no working day has passed.
        assert_eq!(
            warning_for(
                open,
                Some(date("2012-10-12")),
                date("2012-10-13"),
                &calendar,
                2
            ),
            Ok(Some((Warning::Red, 0)))
        );
    }

    #[test]
    fn paused_and_closed_cases_get_no_card() {
        let calendar = WorkingCalendar::new(china());
        for status in [
            CaseStatus::Paused,
            CaseStatus::Completed,
            CaseStatus::Withdrawn,
        ] {
            assert_eq!(
                warning_for(
                    status,
                    Some(date("2012-10-11")),
                    date("2012-12-12"),
                    &calendar,
                    2
                ),
                Ok(None)
            );
        }
    }

    #[test]
    fn a_case_whose_promised_material_is_late_is_listed_without_a_card() {
        use crate::case::MaterialState;
        use crate::case::fixtures::{Memory, hall};
        use crate::catalogue::Handling;

        let hall = hall(Handling::Committed);
        let received = date("2026-11-02");
        let at = received.and_hms_opt(1, 0, 0).expect("moment").and_utc();
        let mut case = hall
            .accept("640105-20261102-00001".into(), at, received)
            .expect("open");
        case.materials.items[1].state = MaterialState::Deferred;
        case.materials.items[1].due_on = Some(date("2026-11-03"));
        let mut repo = Memory::default();
        repo.cases.push(case);
        let calendars = Calendars::national_only(WorkingCalendar::new(china()));
        let page = PageRequest {
            limit: 10,
            after: None,
        };
        let filter = CaseFilter::default();
        let listed = |repo: &mut Memory, today: &str, wanted| {
            warnings(repo, &calendars, date(today), 2, wanted, &filter, &page).expect("listed")
        };
        // On its promised day the case is not late; the day after it is, far from its deadline.
        assert!(listed(&mut repo, "2026-11-03", None).items.is_empty());
        let late = listed(&mut repo, "2026-11-04", None);
        assert_eq!(late.items.len(), 1);
        assert_eq!(late.items[0].warning, None);
        assert_eq!(late.items[0].overdue_materials[0].material.name, "户口簿");
        let only = listed(&mut repo, "2026-11-04", Some(Wanted::OverdueMaterials));
        assert_eq!(only.items.len(), 1);
        let red = listed(&mut repo, "2026-11-04", Some(Wanted::Level(Warning::Red)));
        assert!(red.items.is_empty());
    }

    #[test]
    fn warnings_come_a_full_page_at_a_time_whatever_the_candidates_without_a_card() {
        use crate::case::fixtures::{Memory, hall};
        use crate::catalogue::Handling;

        let hall = hall(Handling::Committed);
        let mut repo = Memory::default();
        // Received on the working days of two weeks: deadlines 5 working days later.
        let mut day = date("2026-11-02");
        for n in 1..=10 {
            let at = day.and_hms_opt(1, 0, 0).expect("moment").and_utc();
            let case = hall
                .accept(format!("640105-{}-{n:05}", day.format("%Y%m%d")), at, day)
                .expect("open");
            repo.cases.push(case);
            day = hall.calendar.add_working_days(day, 1).expect("next day");
        }
        let calendars = Calendars::national_only(WorkingCalendar::new(china()));
        let today = date("2026-11-16");
        let filter = CaseFilter::default();
        let read = |repo: &mut Memory, level: Option<Warning>, limit| {
            let mut all = Vec::new();
            let mut page = PageRequest { limit, after: None };
            loop {
                let got = warnings(
                    repo,
                    &calendars,
                    today,
                    2,
                    level.map(Wanted::Level),
                    &filter,
                    &page,
                )
                .expect("page");
                assert!(got.items.len() <= limit as usize);
                if got.next_cursor.is_some() {
                    assert_eq!(
                        got.items.len(),
                        limit as usize,
                        "only the last page is short"
                    );
                }
                all.extend(got.items);
                match got.next_cursor {
                    Some(next) => page.after = Some(next),
                    None => return all,
                }
            }
        };
        let everything = read(&mut repo, None, 500);
        let expected: Vec<_> = repo
            .cases
            .iter()
            .filter_map(|c| {
                let (warning, _) =
                    warning_for(c.status, c.deadline, today, &hall.calendar, 2).expect("judged")?;
                Some((c.id, warning))
            })
            .collect();
        assert_eq!(
            everything
                .iter()
                .map(|c| (c.case.id, c.warning.expect("a card")))
                .collect::<Vec<_>>(),
            expected,
            "every card, earliest deadline first"
        );
        assert!(everything.iter().any(|c| c.warning == Some(Warning::Red)));
        assert!(
            everything
                .iter()
                .any(|c| c.warning == Some(Warning::Yellow))
        );
        assert!(
            everything.len() < repo.cases.len(),
            "some candidates have no card"
        );
        for level in [None, Some(Warning::Red), Some(Warning::Yellow)] {
            let wanted: Vec<_> = everything
                .iter()
                .filter(|c| level.is_none_or(|l| Some(l) == c.warning))
                .map(|c| c.case.id)
                .collect();
            for limit in [1, 2, 3] {
                let paged: Vec<_> = read(&mut repo, level, limit)
                    .iter()
                    .map(|c| c.case.id)
                    .collect();
                assert_eq!(paged, wanted, "{level:?} by {limit}");
            }
        }
        let bad = PageRequest {
            limit: 1,
            after: Some("garbage".into()),
        };
        assert!(matches!(
            warnings(&mut repo, &calendars, today, 2, None, &filter, &bad),
            Err(WarningsError::Repository(RepositoryError::InvalidCursor))
        ));
    }
}
