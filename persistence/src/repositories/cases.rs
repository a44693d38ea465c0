use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Bool;
use domain::case::{
    ActionKind, Applicant, ApplicantKind, Case, CaseEvent, CaseStatus, EventDetails, IdType,
    Outcome,
};
use domain::catalogue::Handling;
use domain::ids::CaseId;
use domain::page::{DueCursor, Page, PageRequest};
use domain::repository::{
    CaseFilter, CaseRepository, DueWindow, RepositoryError, RepositoryResult,
};

use super::fetch_limit;
use crate::AnyConnection;
use crate::convert::{count, id, int, named, utc};
use crate::error::db;
use crate::personal::{self, DataKeys, SealError};
use crate::schema::{case_events, case_sequences, cases};

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = cases, treat_none_as_null = true)]
pub(crate) struct CaseRow {
    id: String,
    case_no: String,
    region: String,
    center_id: String,
    window_id: String,
    item_id: String,
    department_id: String,
    handling: String,
    statutory_days: i32,
    status: String,
    resume_to: Option<String>,
    applicant_kind: String,
    applicant_name: String,
    applicant_id_type: String,
    // Plaintext only in rows written before personal data was sealed, until startup seals
    // them (`seal_plaintext_batch`); empty otherwise.
    applicant_id_number: String,
    applicant_phone: String,
    note: String,
    refusal_reason: Option<String>,
    received_at: NaiveDateTime,
    received_on: NaiveDate,
    clock: String,
    deadline: Option<NaiveDate>,
    completed_at: Option<NaiveDateTime>,
    completed_on: Option<NaiveDate>,
    on_time: Option<bool>,
    outcome: Option<String>,
    result: Option<String>,
    // Set once at intake; never rewritten.
    #[diesel(skip_update)]
    query_code_hash: String,
    accepted_by: String,
    version: i64,
    updated_at: NaiveDateTime,
    received_window_id: String,
    received_center_id: String,
    overdue_from: Option<NaiveDate>,
    item_version: i32,
    applicant_id_number_sealed: Option<String>,
    applicant_phone_sealed: Option<String>,
    applicant_id_hash: Option<String>,
    // Set by retention alone, so an update of the case never clears it.
    #[diesel(skip_update)]
    anonymised_at: Option<NaiveDateTime>,
}

/// The associated data of each sealed column: a value opens only in the column and row it
/// was sealed for, so nobody with write access to the table can swap two applicants' numbers.
const ID_NUMBER: &str = "cases.applicant_id_number";
const PHONE: &str = "cases.applicant_phone";

/// Seals a value of a row; an empty value (an anonymised applicant) stays absent.
fn seal(keys: &DataKeys, row: &str, column: &str, plain: &str) -> Option<String> {
    (!plain.is_empty()).then(|| keys.seal(row, column, plain))
}

/// The search hash of an ID number; none for an erased one.
fn search_hash(keys: &DataKeys, id_number: &str) -> Option<String> {
    (!id_number.is_empty()).then(|| keys.search_hash(id_number))
}

/// A sealed value opened, or the plaintext of a row not yet sealed.
fn open(
    keys: Option<&DataKeys>,
    row: &str,
    column: &str,
    sealed: Option<&str>,
    plain: String,
) -> RepositoryResult<String> {
    match sealed {
        None => Ok(plain),
        Some(sealed) => Ok(keys.ok_or(SealError::NoKey)?.open(row, column, sealed)?),
    }
}

impl CaseRow {
    pub(crate) fn from_domain(c: &Case, query_code_hash: String) -> RepositoryResult<Self> {
        let keys = personal::keys()?;
        let row = c.id.to_string();
        Ok(Self {
            id: c.id.to_string(),
            case_no: c.case_no.clone(),
            region: c.region.clone(),
            center_id: c.center_id.to_string(),
            window_id: c.window_id.to_string(),
            item_id: c.item_id.to_string(),
            department_id: c.department_id.to_string(),
            handling: c.handling.as_str().to_owned(),
            statutory_days: int(c.statutory_days),
            status: c.status.as_str().to_owned(),
            resume_to: c.resume_to.map(|s| s.as_str().to_owned()),
            applicant_kind: c.applicant.kind.as_str().to_owned(),
            applicant_name: c.applicant.name.clone(),
            applicant_id_type: c.applicant.id_type.as_str().to_owned(),
            applicant_id_number: String::new(),
            applicant_phone: String::new(),
            applicant_id_number_sealed: seal(&keys, &row, ID_NUMBER, &c.applicant.id_number),
            applicant_phone_sealed: seal(&keys, &row, PHONE, &c.applicant.phone),
            applicant_id_hash: search_hash(&keys, &c.applicant.id_number),
            anonymised_at: None,
            note: c.note.clone(),
            refusal_reason: c.refusal_reason.clone(),
            received_at: c.received_at.naive_utc(),
            received_on: c.received_on,
            clock: serde_json::to_string(&c.clock)
                .map_err(|e| RepositoryError::Internal(e.to_string()))?,
            deadline: c.deadline,
            completed_at: c.completed_at.map(|t| t.naive_utc()),
            completed_on: c.completed_on,
            on_time: c.on_time,
            outcome: c.outcome.map(|o| o.as_str().to_owned()),
            result: c.result.clone(),
            query_code_hash,
            accepted_by: c.accepted_by.to_string(),
            version: c.version,
            updated_at: c.updated_at.naive_utc(),
            received_window_id: c.received_window_id.to_string(),
            received_center_id: c.received_center_id.to_string(),
            overdue_from: c.overdue_from,
            item_version: int(c.item_version),
        })
    }

    fn into_domain(self) -> RepositoryResult<Case> {
        let keys = match (
            &self.applicant_id_number_sealed,
            &self.applicant_phone_sealed,
        ) {
            (None, None) => None,
            _ => Some(personal::keys()?),
        };
        let id_number = open(
            keys.as_deref(),
            &self.id,
            ID_NUMBER,
            self.applicant_id_number_sealed.as_deref(),
            self.applicant_id_number,
        )?;
        let phone = open(
            keys.as_deref(),
            &self.id,
            PHONE,
            self.applicant_phone_sealed.as_deref(),
            self.applicant_phone,
        )?;
        Ok(Case {
            id: id(&self.id)?,
            case_no: self.case_no,
            region: self.region,
            center_id: id(&self.center_id)?,
            window_id: id(&self.window_id)?,
            received_window_id: id(&self.received_window_id)?,
            received_center_id: id(&self.received_center_id)?,
            item_id: id(&self.item_id)?,
            item_version: count(self.item_version)?,
            department_id: id(&self.department_id)?,
            handling: named(&self.handling, Handling::parse)?,
            statutory_days: count(self.statutory_days)?,
            status: named(&self.status, CaseStatus::parse)?,
            resume_to: self
                .resume_to
                .as_deref()
                .map(|s| named(s, CaseStatus::parse))
                .transpose()?,
            applicant: Applicant {
                kind: named(&self.applicant_kind, ApplicantKind::parse)?,
                name: self.applicant_name,
                id_type: named(&self.applicant_id_type, IdType::parse)?,
                id_number,
                phone,
            },
            note: self.note,
            refusal_reason: self.refusal_reason,
            received_at: utc(self.received_at),
            received_on: self.received_on,
            clock: serde_json::from_str(&self.clock).map_err(|e| {
                RepositoryError::Internal(format!("stored clock is not valid: {e}"))
            })?,
            deadline: self.deadline,
            completed_at: self.completed_at.map(utc),
            completed_on: self.completed_on,
            on_time: self.on_time,
            overdue_from: self.overdue_from,
            outcome: self
                .outcome
                .as_deref()
                .map(|o| named(o, Outcome::parse))
                .transpose()?,
            result: self.result,
            accepted_by: id(&self.accepted_by)?,
            version: self.version,
            updated_at: utc(self.updated_at),
        })
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = case_events)]
pub(crate) struct EventRow {
    id: String,
    case_id: String,
    seq: i64,
    action: String,
    from_status: Option<String>,
    to_status: String,
    actor_id: Option<String>,
    at: NaiveDateTime,
    payload: String,
    region: String,
}

impl EventRow {
    pub(crate) fn from_domain(region: &str, event: &CaseEvent) -> RepositoryResult<Self> {
        Ok(Self {
            region: region.to_owned(),
            id: event.id.to_string(),
            case_id: event.case_id.to_string(),
            seq: event.seq,
            action: event.action.as_str().to_owned(),
            from_status: event.from_status.map(|s| s.as_str().to_owned()),
            to_status: event.to_status.as_str().to_owned(),
            actor_id: event.actor_id.map(|a| a.to_string()),
            at: event.at.naive_utc(),
            payload: serde_json::to_string(&event.payload)
                .map_err(|e| RepositoryError::Internal(e.to_string()))?,
        })
    }

    fn into_domain(self) -> RepositoryResult<CaseEvent> {
        let action = named(&self.action, ActionKind::parse)?;
        let stored: serde_json::Value = serde_json::from_str(&self.payload)
            .map_err(|e| RepositoryError::Internal(format!("stored payload is not JSON: {e}")))?;
        Ok(CaseEvent {
            id: id(&self.id)?,
            case_id: id(&self.case_id)?,
            seq: self.seq,
            action,
            from_status: self
                .from_status
                .as_deref()
                .map(|s| named(s, CaseStatus::parse))
                .transpose()?,
            to_status: named(&self.to_status, CaseStatus::parse)?,
            actor_id: self.actor_id.as_deref().map(id).transpose()?,
            at: utc(self.at),
            payload: EventDetails::from_stored(action, stored).map_err(|e| {
                RepositoryError::Internal(format!("stored event details do not read: {e}"))
            })?,
        })
    }
}

/// The keyset cursor of case listings: the last entry's receipt moment and id.
fn cursor_of(case: &Case) -> String {
    cursor_at(case.received_at, case)
}

/// A cursor on a moment of the case (receipt or completion) and its id.
fn cursor_at(at: DateTime<Utc>, case: &Case) -> String {
    format!("{}_{}", at.naive_utc().format("%Y%m%dT%H%M%S%.6f"), case.id)
}

fn parse_cursor(cursor: &str) -> RepositoryResult<(NaiveDateTime, String)> {
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

/// The stored names of a list of states, for `eq_any`: the lists are the domain's
/// ([`CaseStatus::OPEN`] and its kin), never spelled out here.
fn statuses(list: &[CaseStatus]) -> Vec<&'static str> {
    list.iter().map(|s| s.as_str()).collect()
}

fn load_cases(conn: &mut AnyConnection, query: BoxedCases<'_>) -> RepositoryResult<Vec<Case>> {
    query
        .select(CaseRow::as_select())
        .load(conn)
        .map_err(db)?
        .into_iter()
        .map(CaseRow::into_domain)
        .collect()
}

impl CaseRepository for AnyConnection {
    fn next_case_seq(&mut self, region: &str, day: NaiveDate) -> RepositoryResult<u32> {
        let key = (region.to_owned(), day);
        let bump = |conn: &mut AnyConnection| {
            diesel::update(case_sequences::table.find(key.clone()))
                .set(case_sequences::last_seq.eq(case_sequences::last_seq + 1))
                .execute(conn)
        };
        if bump(self).map_err(db)? == 0 {
            // The day's first case. The insert runs in a savepoint: on PostgreSQL a unique
            // violation would otherwise abort the whole transaction when another process
            // drew the first number at the same moment.
            let first = self.transaction(|conn| {
                diesel::insert_into(case_sequences::table)
                    .values((
                        case_sequences::region.eq(region),
                        case_sequences::day.eq(day),
                        case_sequences::last_seq.eq(1),
                    ))
                    .execute(conn)
            });
            match first.map_err(db) {
                Ok(_) => return Ok(1),
                Err(RepositoryError::Conflict) => {
                    bump(self).map_err(db)?;
                }
                Err(other) => return Err(other),
            }
        }
        let seq: i32 = case_sequences::table
            .find(key)
            .select(case_sequences::last_seq)
            .first(self)
            .map_err(db)?;
        count(seq)
    }

    fn insert_case(&mut self, case: &Case, query_code_hash: &str) -> RepositoryResult<()> {
        diesel::insert_into(cases::table)
            .values(CaseRow::from_domain(case, query_code_hash.to_owned())?)
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn update_case(&mut self, case: &Case, expected_version: i64) -> RepositoryResult<bool> {
        let updated = diesel::update(
            cases::table
                .filter(cases::id.eq(case.id.to_string()))
                .filter(cases::version.eq(expected_version)),
        )
        .set(CaseRow::from_domain(case, String::new())?)
        .execute(self)
        .map_err(db)?;
        Ok(updated == 1)
    }

    fn append_event(&mut self, region: &str, event: &CaseEvent) -> RepositoryResult<()> {
        diesel::insert_into(case_events::table)
            .values(EventRow::from_domain(region, event)?)
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn case(&mut self, case_id: CaseId) -> RepositoryResult<Option<Case>> {
        cases::table
            .find(case_id.to_string())
            .select(CaseRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?
            .map(CaseRow::into_domain)
            .transpose()
    }

    fn case_by_number(&mut self, case_no: &str) -> RepositoryResult<Option<(Case, String)>> {
        // The number begins with its region: filtering on both uses the key, and on a
        // distributed database reaches one shard.
        let region = case_no.split('-').next().unwrap_or_default();
        let row = cases::table
            .filter(cases::region.eq(region))
            .filter(cases::case_no.eq(case_no))
            .select(CaseRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?;
        row.map(|row| {
            let hash = row.query_code_hash.clone();
            row.into_domain().map(|case| (case, hash))
        })
        .transpose()
    }

    fn case_events(&mut self, case_id: CaseId) -> RepositoryResult<Vec<CaseEvent>> {
        case_events::table
            .filter(case_events::case_id.eq(case_id.to_string()))
            .order(case_events::seq)
            .select(EventRow::as_select())
            .load(self)
            .map_err(db)?
            .into_iter()
            .map(EventRow::into_domain)
            .collect()
    }

    fn cases(&mut self, filter: &CaseFilter, page: &PageRequest) -> RepositoryResult<Page<Case>> {
        let mut query = filtered(cases::table.into_boxed(), filter)?
            .order((cases::received_at.desc(), cases::id.desc()))
            .limit(fetch_limit(page));
        if let Some(after) = &page.after {
            let (at, case_id) = parse_cursor(after)?;
            query = query.filter(
                cases::received_at
                    .lt(at)
                    .or(cases::received_at.eq(at).and(cases::id.lt(case_id))),
            );
        }
        let found = load_cases(self, query)?;
        Ok(Page::from_fetched(found, page.limit, cursor_of))
    }

    fn cases_due_by(
        &mut self,
        by: NaiveDate,
        filter: &CaseFilter,
        page: &PageRequest,
    ) -> RepositoryResult<Page<Case>> {
        let mut query = filtered(cases::table.into_boxed(), filter)?
            .filter(cases::status.eq_any(statuses(&CaseStatus::CLOCK_RUNNING)))
            .filter(cases::deadline.le(by))
            .order((
                cases::deadline.asc(),
                cases::received_at.asc(),
                cases::id.asc(),
            ))
            .limit(fetch_limit(page));
        if let Some(after) = &page.after {
            let cursor = DueCursor::parse(after).ok_or(RepositoryError::InvalidCursor)?;
            let deadline = cases::deadline.assume_not_null();
            let (at, case_id) = (cursor.received_at, cursor.case_id.to_string());
            query = query.filter(
                deadline
                    .gt(cursor.deadline)
                    .or(deadline.eq(cursor.deadline).and(
                        cases::received_at
                            .gt(at)
                            .or(cases::received_at.eq(at).and(cases::id.gt(case_id))),
                    )),
            );
        }
        let found = load_cases(self, query)?;
        Ok(Page::from_fetched(found, page.limit, |case| {
            DueCursor::after(case).map_or_else(String::new, |cursor| cursor.to_string())
        }))
    }

    fn recently_completed(&mut self, page: &PageRequest) -> RepositoryResult<Page<Case>> {
        let mut query = cases::table
            .into_boxed()
            .filter(cases::completed_at.is_not_null())
            .filter(cases::status.eq_any(statuses(&CaseStatus::FINISHED)))
            .order((cases::completed_at.desc(), cases::id.desc()))
            .limit(fetch_limit(page));
        if let Some(after) = &page.after {
            let (at, case_id) = parse_cursor(after)?;
            query = query.filter(
                cases::completed_at
                    .lt(at)
                    .or(cases::completed_at.eq(at).and(cases::id.lt(case_id))),
            );
        }
        let found = load_cases(self, query)?;
        Ok(Page::from_fetched(found, page.limit, |case| {
            cursor_at(case.completed_at.unwrap_or(case.received_at), case)
        }))
    }

    fn open_cases(&mut self) -> RepositoryResult<Vec<Case>> {
        let query = cases::table
            .into_boxed()
            .filter(cases::status.eq_any(statuses(&CaseStatus::OPEN)))
            .order(cases::received_at);
        load_cases(self, query)
    }
}

/// Seals up to `batch` rows still holding plaintext (written before the upgrade), in the
/// caller's transaction; returns how many it sealed.
pub(crate) fn seal_plaintext_batch(
    conn: &mut AnyConnection,
    batch: i64,
) -> RepositoryResult<usize> {
    let keys = personal::keys()?;
    let rows: Vec<(String, String, String)> = cases::table
        .filter(cases::applicant_id_number_sealed.is_null())
        .filter(cases::applicant_phone_sealed.is_null())
        .filter(
            cases::applicant_id_number
                .ne("")
                .or(cases::applicant_phone.ne("")),
        )
        .select((
            cases::id,
            cases::applicant_id_number,
            cases::applicant_phone,
        ))
        .limit(batch)
        .load(conn)
        .map_err(db)?;
    for (row, id_number, phone) in &rows {
        diesel::update(cases::table.find(row))
            .set((
                cases::applicant_id_number_sealed.eq(seal(&keys, row, ID_NUMBER, id_number)),
                cases::applicant_phone_sealed.eq(seal(&keys, row, PHONE, phone)),
                cases::applicant_id_hash.eq(search_hash(&keys, id_number)),
                cases::applicant_id_number.eq(""),
                cases::applicant_phone.eq(""),
            ))
            .execute(conn)
            .map_err(db)?;
    }
    Ok(rows.len())
}

/// Seals again with the current key up to `batch` rows sealed with an older one, and hashes
/// their ID numbers under it, in the caller's transaction; returns how many.
pub(crate) fn rotate_batch(conn: &mut AnyConnection, batch: i64) -> RepositoryResult<usize> {
    let keys = personal::keys()?;
    let current = format!("v1.{}.%", keys.current_id());
    let rows: Vec<(String, Option<String>, Option<String>)> = cases::table
        .filter(
            cases::applicant_id_number_sealed
                .not_like(&current)
                .or(cases::applicant_phone_sealed.not_like(&current)),
        )
        .select((
            cases::id,
            cases::applicant_id_number_sealed,
            cases::applicant_phone_sealed,
        ))
        .limit(batch)
        .load(conn)
        .map_err(db)?;
    for (row, sealed_number, sealed_phone) in &rows {
        let id_number = open(
            Some(&keys),
            row,
            ID_NUMBER,
            sealed_number.as_deref(),
            String::new(),
        )?;
        let phone = open(
            Some(&keys),
            row,
            PHONE,
            sealed_phone.as_deref(),
            String::new(),
        )?;
        diesel::update(cases::table.find(row))
            .set((
                cases::applicant_id_number_sealed.eq(seal(&keys, row, ID_NUMBER, &id_number)),
                cases::applicant_phone_sealed.eq(seal(&keys, row, PHONE, &phone)),
                cases::applicant_id_hash.eq(search_hash(&keys, &id_number)),
            ))
            .execute(conn)
            .map_err(db)?;
    }
    Ok(rows.len())
}

/// Anonymises up to `batch` applicants of cases closed (last changed) before `before`, in
/// the caller's transaction; returns how many. The case keeps its number, dates, states and
/// history, and the statistics rows are not touched; its version moves on, so a client
/// holding the old one cannot write the applicant back.
pub(crate) fn anonymise_batch(
    conn: &mut AnyConnection,
    before: DateTime<Utc>,
    at: DateTime<Utc>,
    batch: i64,
) -> RepositoryResult<usize> {
    let rows: Vec<(String, String)> = cases::table
        .filter(cases::status.eq_any(statuses(&CaseStatus::CLOSED)))
        .filter(cases::updated_at.lt(before.naive_utc()))
        .filter(cases::anonymised_at.is_null())
        .select((cases::id, cases::applicant_name))
        .limit(batch)
        .load(conn)
        .map_err(db)?;
    for (row, name) in &rows {
        // Another process running retention at the same moment may have been first.
        diesel::update(
            cases::table
                .find(row)
                .filter(cases::anonymised_at.is_null()),
        )
        .set((
            cases::applicant_name.eq(domain::retention::mask_name(name)),
            cases::applicant_id_number.eq(""),
            cases::applicant_phone.eq(""),
            cases::applicant_id_number_sealed.eq(None::<String>),
            cases::applicant_phone_sealed.eq(None::<String>),
            cases::applicant_id_hash.eq(None::<String>),
            cases::anonymised_at.eq(Some(at.naive_utc())),
            cases::version.eq(cases::version + 1),
        ))
        .execute(conn)
        .map_err(db)?;
    }
    Ok(rows.len())
}
