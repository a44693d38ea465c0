//! The kiosk's lookup in one statement. It starts from the calendars' revision, a table of
//! exactly one row, so that it answers a row even for a number that names no case: the wrong
//! codes are counted for those too. The case, its item, window and centre are left-joined to
//! it; so are the case's public events, one row each, every row repeating the rest.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::case::ActionKind;
use domain::repository::{
    CalendarRevision, KioskCase, KioskLookup, KioskLookupRepository, RepositoryError,
    RepositoryResult,
};

use super::{CaseRow, region_of};
use crate::AnyConnection;
use crate::convert::{count, named, utc};
use crate::error::db;
use crate::repositories::kiosk_attempts::{tally, wrong_codes};
use crate::schema::{calendar_revision, case_events, cases, centers, service_items, windows};

/// One row of the lookup: the same but for the event in the last two columns.
type LookupRow = (
    i64,
    i64,
    Option<NaiveDateTime>,
    Option<CaseRow>,
    Option<String>,
    Option<i32>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<NaiveDateTime>,
);

impl KioskLookupRepository for AnyConnection {
    fn kiosk_lookup(
        &mut self,
        case_no: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> RepositoryResult<KioskLookup> {
        // Owned: diesel's joins take only values of a `'static` type in their clauses.
        let region = region_of(case_no).to_owned();
        let [hidden_1, hidden_2, hidden_3] = ActionKind::NOT_PUBLIC.map(ActionKind::as_str);
        let (failures, earliest) = wrong_codes(case_no, since);
        let lookup = calendar_revision::table
            .left_join(
                cases::table.on(cases::region
                    .eq(region)
                    .and(cases::case_no.eq(case_no.to_owned()))),
            )
            .left_join(service_items::table.on(service_items::id.eq(cases::item_id)))
            .left_join(windows::table.on(windows::id.eq(cases::window_id)))
            .left_join(centers::table.on(centers::id.eq(windows::center_id)))
            .left_join(
                case_events::table.on(case_events::case_id
                    .eq(cases::id)
                    .and(case_events::action.ne(hidden_1))
                    .and(case_events::action.ne(hidden_2))
                    .and(case_events::action.ne(hidden_3))),
            )
            .filter(calendar_revision::id.eq(1))
            .order(case_events::seq)
            .select((
                calendar_revision::n,
                failures,
                earliest,
                // The row's columns, not `as_select()`, whose type names one backend: the
                // statement runs on either backend's own connection (`load_native`).
                <CaseRow as Selectable<diesel::pg::Pg>>::construct_selection().nullable(),
                service_items::name.nullable(),
                windows::number.nullable(),
                windows::name.nullable(),
                centers::name.nullable(),
                case_events::action.nullable(),
                case_events::at.nullable(),
            ));
        let rows: Vec<LookupRow> = self.load_native(lookup).map_err(db)?;
        let mut rows = rows.into_iter();
        // No row at all: the revision's row is missing, as `calendar_revision` would find.
        let (
            revision,
            failures,
            earliest,
            case,
            item,
            number,
            window,
            center,
            first_step,
            first_at,
        ) = rows
            .next()
            .ok_or_else(|| db(diesel::result::Error::NotFound))?;
        let (failures, earliest_failure) = tally(failures, earliest)?;
        let case = case
            .map(|row| {
                let query_code_hash = row.query_code_hash.clone();
                let window = match (number, window) {
                    (Some(number), Some(name)) => Some((count(number)?, name)),
                    _ => None,
                };
                let steps = std::iter::once((first_step, first_at))
                    .chain(rows.map(|row| (row.8, row.9)))
                    .filter_map(|(action, at)| Some((action?, at?)))
                    .map(|(action, at)| Ok((named(&action, ActionKind::parse)?, utc(at))))
                    .collect::<RepositoryResult<_>>()?;
                Ok::<_, RepositoryError>(KioskCase {
                    case: row.into_domain()?,
                    query_code_hash,
                    item,
                    window,
                    center,
                    steps,
                })
            })
            .transpose()?;
        Ok(KioskLookup {
            failures,
            earliest_failure,
            calendar: CalendarRevision { number: revision },
            case,
        })
    }
}
