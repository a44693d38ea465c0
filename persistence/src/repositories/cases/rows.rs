//! The rows of `cases` and `case_events` and their conversions to and from the domain's
//! types; the applicant's identifying values are sealed on the way in and opened on the way
//! out ([`super::sealed`]).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::case::{
    ActionKind, Applicant, ApplicantKind, Case, CaseEvent, CaseStatus, EventDetails, IdType,
    Outcome, ResultCode,
};
use domain::catalogue::Handling;
use domain::repository::{RepositoryError, RepositoryResult};

use super::sealed::{ID_NUMBER, PHONE, open, seal, search_hash};
use crate::convert::{count, id, int, named, utc};
use crate::personal;
use crate::schema::{case_events, cases};

// `treat_none_as_default_value = false` (here and on the other rows every intake, call or
// delivery writes): a `None` is bound as NULL, never written as `DEFAULT`, so the insert's
// text is the same every time and diesel prepares it once per connection. Otherwise the
// database parses and plans it on every insert (measured: 1.6–1.9× the insert's own cost
// for the case's row, docs/BENCHMARKS.md). No nullable column here has a default.
#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(
    table_name = cases,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
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
    pub(super) query_code_hash: String,
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
    materials: String,
    // The earliest promised date of a missing material, for the warnings' query.
    materials_due_on: Option<NaiveDate>,
    result_code: Option<String>,
    certificate: Option<String>,
    fees: String,
    // Set at intake, then only by `set_sms_opt_out`: an action on the case, which rewrites
    // the row, never undoes a change the clerk made meanwhile.
    #[diesel(skip_update)]
    sms_opt_out: bool,
}

fn stored(what: &str) -> impl Fn(serde_json::Error) -> RepositoryError + '_ {
    move |e| RepositoryError::Internal(format!("stored {what} is not valid: {e}"))
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
            materials: serde_json::to_string(&c.materials).map_err(stored("materials"))?,
            materials_due_on: c.materials.earliest_due(),
            result_code: c.result_code.map(|r| r.as_str().to_owned()),
            certificate: c
                .certificate
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(stored("certificate"))?,
            fees: serde_json::to_string(&c.fees).map_err(stored("fees"))?,
            sms_opt_out: c.applicant.sms_opt_out,
        })
    }

    pub(super) fn into_domain(self) -> RepositoryResult<Case> {
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
                sms_opt_out: self.sms_opt_out,
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
            materials: serde_json::from_str(&self.materials).map_err(stored("materials"))?,
            result_code: self
                .result_code
                .as_deref()
                .map(|r| named(r, ResultCode::parse))
                .transpose()?,
            certificate: self
                .certificate
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(stored("certificate"))?,
            fees: serde_json::from_str(&self.fees).map_err(stored("fees"))?,
            accepted_by: id(&self.accepted_by)?,
            version: self.version,
            updated_at: utc(self.updated_at),
        })
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = case_events, treat_none_as_default_value = false)]
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

    pub(super) fn into_domain(self) -> RepositoryResult<CaseEvent> {
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
