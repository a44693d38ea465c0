//! What the case listings share: the filter's conditions, the due windows of the warnings,
//! and the keyset cursors.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Bool;
use domain::case::{Case, CaseStatus};
use domain::ids::CaseId;
use domain::repository::{CaseFilter, DueWindow, RepositoryError, RepositoryResult};

use super::rows::CaseRow;
use crate::AnyConnection;
use crate::error::db;
use crate::personal;
use crate::schema::cases;

/// The keyset cursor of case listings: the last entry's receipt moment and id.
pub(super) fn cursor_of(case: &Case) -> String {
    cursor_at(case.received_at, case)
}

/// A cursor on a moment of the case (receipt or completion) and its id.
pub(super) fn cursor_at(at: DateTime<Utc>, case: &Case) -> String {
    format!("{}_{}", at.naive_utc().format("%Y%m%dT%H%M%S%.6f"), case.id)
}

pub(super) fn parse_cursor(cursor: &str) -> RepositoryResult<(NaiveDateTime, String)> {
    let (at, case_id) = cursor
        .split_once('_')
        .ok_or(RepositoryError::InvalidCursor)?;
    let at = NaiveDateTime::parse_from_str(at, "%Y%m%dT%H%M%S%.6f")
        .map_err(|_| RepositoryError::InvalidCursor)?;
    case_id
        .parse::<CaseId>()
        .map_err(|_| RepositoryError::InvalidCursor)?;
    Ok((at, case_id.to_owned()))
}

pub(crate) type BoxedCases<'a> = cases::BoxedQuery<'a, crate::connection::MultiBackend>;

type CaseCondition =
    Box<dyn BoxableExpression<cases::table, crate::connection::MultiBackend, SqlType = Bool>>;

/// Due within one of the windows (each maybe only at some centres); none matches nothing.
fn any_due_window(windows: &[DueWindow]) -> CaseCondition {
    let mut any: CaseCondition = Box::new(cases::id.ne(cases::id));
    for window in windows {
        let deadline = cases::deadline.assume_not_null();
        let mut condition: CaseCondition =
            Box::new(deadline.ge(window.from).and(deadline.le(window.to)));
        if let Some(centers) = &window.center_ids {
            let ids: Vec<String> = centers.iter().map(ToString::to_string).collect();
            condition = Box::new(condition.and(cases::center_id.eq_any(ids)));
        }
        any = Box::new(any.or(condition));
    }
    any
}

/// The filter's conditions on a boxed case query.
pub(crate) fn filtered<'a>(
    mut query: BoxedCases<'a>,
    filter: &'a CaseFilter,
) -> RepositoryResult<BoxedCases<'a>> {
    if let Some(status) = filter.status {
        query = query.filter(cases::status.eq(status.as_str()));
    }
    if let Some(centers) = &filter.center_ids {
        query = query.filter(
            cases::center_id.eq_any(centers.iter().map(ToString::to_string).collect::<Vec<_>>()),
        );
    }
    if let Some(window) = filter.window_id {
        query = query.filter(cases::window_id.eq(window.to_string()));
    }
    if let Some(item) = filter.item_id {
        query = query.filter(cases::item_id.eq(item.to_string()));
    }
    if let Some(department) = filter.department_id {
        query = query.filter(cases::department_id.eq(department.to_string()));
    }
    if let Some(from) = filter.received_from {
        query = query.filter(cases::received_on.ge(from));
    }
    if let Some(to) = filter.received_to {
        query = query.filter(cases::received_on.le(to));
    }
    if let Some(windows) = &filter.due_between {
        query = query
            .filter(cases::status.eq_any(statuses(&CaseStatus::CLOCK_RUNNING)))
            .filter(cases::deadline.is_not_null())
            .filter(any_due_window(windows));
    }
    if let Some(before) = filter.materials_due_before {
        query = query
            .filter(cases::status.eq_any(statuses(&CaseStatus::OPEN)))
            .filter(cases::materials_due_on.lt(before));
    }
    if let Some(q) = &filter.q {
        // The ID number is found by its keyed hash under every key, so rows sealed before a
        // rotation finished are found too.
        let hashes = personal::keys()?.search_hashes(q);
        query = query.filter(
            cases::case_no
                .eq(q)
                .or(cases::applicant_id_hash.eq_any(hashes)),
        );
    }
    Ok(query)
}

pub(super) fn load_cases(
    conn: &mut AnyConnection,
    query: BoxedCases<'_>,
) -> RepositoryResult<Vec<Case>> {
    query
        .select(CaseRow::as_select())
        .load(conn)
        .map_err(db)?
        .into_iter()
        .map(CaseRow::into_domain)
        .collect()
}

/// The stored names of a list of states, for `eq_any`: the lists are the domain's
/// ([`CaseStatus::OPEN`] and its kin), never spelled out here.
pub(super) fn statuses(list: &[CaseStatus]) -> Vec<&'static str> {
    list.iter().map(|s| s.as_str()).collect()
}
