//! Notices, their registers and the centres' templates on [`AnyConnection`].

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::ids::{CaseId, CenterId, NoticeId};
use domain::notice::{Notice, NoticeKind, TemplateOverride, VoidMark};
use domain::repository::{NoticeRepository, RepositoryError, RepositoryResult};

use crate::AnyConnection;
use crate::convert::{count, id, int, named, utc};
use crate::error::db;
use crate::schema::{notice_registers, notice_templates, notices};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = notices)]
struct NoticeRow {
    region: String,
    id: String,
    case_id: String,
    center_id: String,
    kind: String,
    year: i32,
    seq: i32,
    number: String,
    facts: String,
    template: String,
    sha256: String,
    issued_at: NaiveDateTime,
    issued_on: NaiveDate,
    issued_by: String,
    voided_at: Option<NaiveDateTime>,
    voided_on: Option<NaiveDate>,
    voided_by: Option<String>,
    void_reason: Option<String>,
}

impl NoticeRow {
    fn from_domain(region: &str, n: &Notice) -> RepositoryResult<Self> {
        let void = n.void.as_ref();
        Ok(Self {
            region: region.to_owned(),
            id: n.id.to_string(),
            case_id: n.case_id.to_string(),
            center_id: n.center_id.to_string(),
            kind: n.kind.as_str().to_owned(),
            year: n.year,
            seq: int(n.seq),
            number: n.number.clone(),
            facts: serde_json::to_string(&n.facts)
                .map_err(|e| RepositoryError::Internal(e.to_string()))?,
            template: n.template.clone(),
            sha256: n.sha256.clone(),
            issued_at: n.issued_at.naive_utc(),
            issued_on: n.issued_on,
            issued_by: n.issued_by.to_string(),
            voided_at: void.map(|v| v.at.naive_utc()),
            voided_on: void.map(|v| v.on),
            voided_by: void.map(|v| v.by.to_string()),
            void_reason: void.map(|v| v.reason.clone()),
        })
    }

    fn into_domain(self) -> RepositoryResult<Notice> {
        let void = match (self.voided_at, self.voided_on, self.voided_by) {
            (Some(at), Some(on), Some(by)) => Some(VoidMark {
                at: utc(at),
                on,
                by: id(&by)?,
                reason: self.void_reason.unwrap_or_default(),
            }),
            _ => None,
        };
        Ok(Notice {
            id: id(&self.id)?,
            case_id: id(&self.case_id)?,
            center_id: id(&self.center_id)?,
            kind: named(&self.kind, NoticeKind::parse)?,
            year: self.year,
            seq: count(self.seq)?,
            number: self.number,
            facts: serde_json::from_str(&self.facts)
                .map_err(|e| RepositoryError::Internal(format!("stored notice facts: {e}")))?,
            template: self.template,
            sha256: self.sha256,
            issued_at: utc(self.issued_at),
            issued_on: self.issued_on,
            issued_by: id(&self.issued_by)?,
            void,
        })
    }
}

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = notice_templates)]
struct TemplateRow {
    center_id: String,
    kind: String,
    body: String,
    updated_at: NaiveDateTime,
    updated_by: String,
}

impl NoticeRepository for AnyConnection {
    fn next_notice_seq(
        &mut self,
        center: CenterId,
        kind: NoticeKind,
        year: i32,
    ) -> RepositoryResult<u32> {
        let key = (center.to_string(), kind.as_str().to_owned(), year);
        super::registers::draw(
            self,
            |conn| {
                let bumped = diesel::update(notice_registers::table.find(key.clone()))
                    .set(notice_registers::last_seq.eq(notice_registers::last_seq + 1))
                    .execute(conn)?;
                if bumped == 0 {
                    return Ok(None);
                }
                notice_registers::table
                    .find(key.clone())
                    .select(notice_registers::last_seq)
                    .first(conn)
                    .map(Some)
            },
            |conn| {
                diesel::insert_into(notice_registers::table)
                    .values((
                        notice_registers::center_id.eq(&key.0),
                        notice_registers::kind.eq(&key.1),
                        notice_registers::year.eq(year),
                        notice_registers::last_seq.eq(1),
                    ))
                    .execute(conn)
            },
        )
    }

    fn insert_notice(&mut self, region: &str, notice: &Notice) -> RepositoryResult<()> {
        diesel::insert_into(notices::table)
            .values(NoticeRow::from_domain(region, notice)?)
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn notice(&mut self, notice: NoticeId) -> RepositoryResult<Option<Notice>> {
        notices::table
            .find(notice.to_string())
            .select(NoticeRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?
            .map(NoticeRow::into_domain)
            .transpose()
    }

    fn notices_of_case(&mut self, case: CaseId) -> RepositoryResult<Vec<Notice>> {
        notices::table
            .filter(notices::case_id.eq(case.to_string()))
            .order((notices::issued_at.asc(), notices::id.asc()))
            .select(NoticeRow::as_select())
            .load(self)
            .map_err(db)?
            .into_iter()
            .map(NoticeRow::into_domain)
            .collect()
    }

    fn void_notice(&mut self, notice: NoticeId, mark: &VoidMark) -> RepositoryResult<bool> {
        let changed = diesel::update(
            notices::table
                .find(notice.to_string())
                .filter(notices::voided_at.is_null()),
        )
        .set((
            notices::voided_at.eq(Some(mark.at.naive_utc())),
            notices::voided_on.eq(Some(mark.on)),
            notices::voided_by.eq(Some(mark.by.to_string())),
            notices::void_reason.eq(Some(&mark.reason)),
        ))
        .execute(self)
        .map_err(db)?;
        Ok(changed == 1)
    }

    fn notice_template(
        &mut self,
        center: CenterId,
        kind: NoticeKind,
    ) -> RepositoryResult<Option<TemplateOverride>> {
        let row = notice_templates::table
            .find((center.to_string(), kind.as_str()))
            .select(TemplateRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?;
        row.map(|row| {
            Ok(TemplateOverride {
                center_id: id(&row.center_id)?,
                kind: named(&row.kind, NoticeKind::parse)?,
                body: row.body,
                updated_at: utc(row.updated_at),
                updated_by: id(&row.updated_by)?,
            })
        })
        .transpose()
    }

    fn put_notice_template(&mut self, template: &TemplateOverride) -> RepositoryResult<()> {
        let row = TemplateRow {
            center_id: template.center_id.to_string(),
            kind: template.kind.as_str().to_owned(),
            body: template.body.clone(),
            updated_at: template.updated_at.naive_utc(),
            updated_by: template.updated_by.to_string(),
        };
        let replaced =
            diesel::update(notice_templates::table.find((row.center_id.clone(), row.kind.clone())))
                .set(&row)
                .execute(self)
                .map_err(db)?;
        if replaced == 0 {
            diesel::insert_into(notice_templates::table)
                .values(&row)
                .execute(self)
                .map_err(db)?;
        }
        Ok(())
    }

    fn delete_notice_template(
        &mut self,
        center: CenterId,
        kind: NoticeKind,
    ) -> RepositoryResult<bool> {
        let gone =
            diesel::delete(notice_templates::table.find((center.to_string(), kind.as_str())))
                .execute(self)
                .map_err(db)?;
        Ok(gone == 1)
    }
}

/// Masks the applicant's name in the notices of an anonymised case (`docs/SECURITY.md`,
/// retention): a notice printed again then names the applicant as the case does, and its
/// bytes no longer match the hash recorded when it was issued.
pub(crate) fn anonymise_notices(
    conn: &mut AnyConnection,
    case_id: &str,
    masked: &str,
) -> RepositoryResult<()> {
    let rows: Vec<(String, String)> = notices::table
        .filter(notices::case_id.eq(case_id))
        .select((notices::id, notices::facts))
        .load(conn)
        .map_err(db)?;
    for (notice, facts) in rows {
        let mut facts: serde_json::Value = serde_json::from_str(&facts)
            .map_err(|e| RepositoryError::Internal(format!("stored notice facts: {e}")))?;
        facts["applicant_name"] = masked.into();
        diesel::update(notices::table.filter(notices::id.eq(&notice)))
            .set(notices::facts.eq(facts.to_string()))
            .execute(conn)
            .map_err(db)?;
    }
    Ok(())
}
