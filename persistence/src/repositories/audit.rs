use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::audit::{AuditEntry, AuditFilter};
use domain::page::{Page, PageRequest};
use domain::repository::{AuditRepository, RepositoryError, RepositoryResult};

use super::fetch_limit;
use crate::AnyConnection;
use crate::convert::{id, utc};
use crate::error::db;
use crate::schema::audit_log;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
struct AuditRow {
    id: String,
    at: NaiveDateTime,
    actor_id: Option<String>,
    action: String,
    entity: String,
    entity_id: String,
    before: Option<String>,
    after: Option<String>,
}

fn json(text: Option<String>) -> RepositoryResult<Option<serde_json::Value>> {
    text.map(|t| {
        serde_json::from_str(&t)
            .map_err(|e| RepositoryError::Internal(format!("stored audit JSON: {e}")))
    })
    .transpose()
}

impl AuditRepository for AnyConnection {
    fn record_audit(&mut self, entry: &AuditEntry) -> RepositoryResult<()> {
        diesel::insert_into(audit_log::table)
            .values(AuditRow {
                id: entry.id.clone(),
                at: entry.at.naive_utc(),
                actor_id: entry.actor_id.map(|a| a.to_string()),
                action: entry.action.clone(),
                entity: entry.entity.clone(),
                entity_id: entry.entity_id.clone(),
                before: entry.before.as_ref().map(ToString::to_string),
                after: entry.after.as_ref().map(ToString::to_string),
            })
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn audit_entries(
        &mut self,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> RepositoryResult<Page<AuditEntry>> {
        let mut query = audit_log::table
            .select(AuditRow::as_select())
            .order(audit_log::id.desc())
            .limit(fetch_limit(page))
            .into_boxed();
        if let Some(entity) = &filter.entity {
            query = query.filter(audit_log::entity.eq(entity.clone()));
        }
        if let Some(entity_id) = &filter.entity_id {
            query = query.filter(audit_log::entity_id.eq(entity_id.clone()));
        }
        if let Some(actor) = filter.actor_id {
            query = query.filter(audit_log::actor_id.eq(actor.to_string()));
        }
        if let Some(action) = &filter.action {
            query = query.filter(audit_log::action.eq(action.clone()));
        }
        if let Some(since) = filter.since {
            query = query.filter(audit_log::at.ge(since.naive_utc()));
        }
        if let Some(until) = filter.until {
            query = query.filter(audit_log::at.lt(until.naive_utc()));
        }
        if let Some(after) = super::uuid_after(page)? {
            query = query.filter(audit_log::id.lt(after));
        }
        let entries = query
            .load(self)
            .map_err(db)?
            .into_iter()
            .map(|row| {
                Ok(AuditEntry {
                    id: row.id,
                    at: utc(row.at),
                    actor_id: row.actor_id.as_deref().map(id).transpose()?,
                    action: row.action,
                    entity: row.entity,
                    entity_id: row.entity_id,
                    before: json(row.before)?,
                    after: json(row.after)?,
                })
            })
            .collect::<RepositoryResult<Vec<_>>>()?;
        Ok(Page::from_fetched(entries, page.limit, |e| e.id.clone()))
    }
}
