//! The applicant's sealed columns: how a value is sealed and opened, and the batches of
//! upkeep — sealing rows written before sealing, sealing again under a new key, anonymising
//! the applicants of cases closed longer than the retention period.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::case::CaseStatus;
use domain::repository::RepositoryResult;

use super::listing::statuses;
use crate::AnyConnection;
use crate::error::db;
use crate::personal::{self, DataKeys, SealError};
use crate::schema::cases;

/// The associated data of each sealed column: a value opens only in the column and row it
/// was sealed for, so nobody with write access to the table can swap two applicants' numbers.
pub(super) const ID_NUMBER: &str = "cases.applicant_id_number";
pub(crate) const PHONE: &str = "cases.applicant_phone";

/// Seals a value of a row; an empty value (an anonymised applicant) stays absent.
pub(super) fn seal(keys: &DataKeys, row: &str, column: &str, plain: &str) -> Option<String> {
    (!plain.is_empty()).then(|| keys.seal(row, column, plain))
}

/// The search hash of an ID number; none for an erased one.
pub(super) fn search_hash(keys: &DataKeys, id_number: &str) -> Option<String> {
    (!id_number.is_empty()).then(|| keys.search_hash(id_number))
}

/// A sealed value opened, or the plaintext of a row not yet sealed.
pub(super) fn open(
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
        let masked = domain::retention::mask_name(name);
        // Another process running retention at the same moment may have been first.
        let changed = diesel::update(
            cases::table
                .find(row)
                .filter(cases::anonymised_at.is_null()),
        )
        .set((
            cases::applicant_name.eq(&masked),
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
        if changed == 1 {
            crate::repositories::notices::anonymise_notices(conn, row, &masked)?;
        }
    }
    Ok(rows.len())
}
