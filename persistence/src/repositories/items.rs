use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::catalogue::{Category, Handling, ServiceItem};
use domain::ids::ServiceItemId;
use domain::page::{Page, PageRequest};
use domain::repository::{ItemSearch, RepositoryError, RepositoryResult, ServiceItemRepository};

use super::fetch_limit;
use crate::AnyConnection;
use crate::convert::{count, id, int, list, list_text, named, utc};
use crate::error::db;
use crate::schema::{service_item_versions, service_items};

/// Stores the item's guide as its current version, once: a deactivation keeps the version.
fn keep_version(conn: &mut AnyConnection, item: &ServiceItem) -> RepositoryResult<()> {
    let key = (item.id.to_string(), int(item.version));
    let known = service_item_versions::table
        .find(key.clone())
        .count()
        .get_result::<i64>(conn)
        .map_err(db)?;
    if known == 0 {
        let document =
            serde_json::to_string(item).map_err(|e| RepositoryError::Internal(e.to_string()))?;
        diesel::insert_into(service_item_versions::table)
            .values((
                service_item_versions::item_id.eq(key.0),
                service_item_versions::version.eq(key.1),
                service_item_versions::document.eq(document),
                service_item_versions::created_at.eq(item.updated_at.naive_utc()),
            ))
            .execute(conn)
            .map_err(db)?;
    }
    Ok(())
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Escapes LIKE's wildcards so a search for `50%` finds the text `50%`.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = service_items)]
pub(super) struct ItemRow {
    id: String,
    code: String,
    name: String,
    department_id: String,
    category: String,
    handling: String,
    statutory_days: i32,
    promised_days: i32,
    conditions: String,
    materials: String,
    procedure_steps: String,
    steps_removed: i32,
    responsible_post: String,
    fee: String,
    fee_basis: String,
    legal_basis: String,
    rights_and_remedies: String,
    contact: String,
    complaint_channel: String,
    version: i32,
    active: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl ItemRow {
    fn from_domain(i: &ServiceItem) -> Self {
        Self {
            id: i.id.to_string(),
            code: i.code.clone(),
            name: i.name.clone(),
            department_id: i.department_id.to_string(),
            category: i.category.as_str().to_owned(),
            handling: i.handling.as_str().to_owned(),
            statutory_days: int(i.statutory_days),
            promised_days: int(i.promised_days),
            conditions: i.conditions.clone(),
            materials: serde_json::to_string(&i.materials).unwrap_or_else(|_| "[]".into()),
            procedure_steps: list_text(&i.procedure),
            steps_removed: int(i.steps_removed),
            responsible_post: i.responsible_post.clone(),
            fee: i.fee.clone(),
            fee_basis: i.fee_basis.clone(),
            legal_basis: i.legal_basis.clone(),
            rights_and_remedies: i.rights_and_remedies.clone(),
            contact: i.contact.clone(),
            complaint_channel: i.complaint_channel.clone(),
            version: int(i.version),
            active: i.active,
            created_at: i.created_at.naive_utc(),
            updated_at: i.updated_at.naive_utc(),
        }
    }

    pub(super) fn into_domain(self) -> RepositoryResult<ServiceItem> {
        Ok(ServiceItem {
            id: id(&self.id)?,
            code: self.code,
            name: self.name,
            department_id: id(&self.department_id)?,
            category: named(&self.category, Category::parse)?,
            handling: named(&self.handling, Handling::parse)?,
            statutory_days: count(self.statutory_days)?,
            promised_days: count(self.promised_days)?,
            conditions: self.conditions,
            materials: domain::catalogue::read_stored(&self.materials).map_err(|e| {
                RepositoryError::Internal(format!("stored materials are not valid: {e}"))
            })?,
            procedure: list(&self.procedure_steps)?,
            steps_removed: count(self.steps_removed)?,
            responsible_post: self.responsible_post,
            fee: self.fee,
            fee_basis: self.fee_basis,
            legal_basis: self.legal_basis,
            rights_and_remedies: self.rights_and_remedies,
            contact: self.contact,
            complaint_channel: self.complaint_channel,
            version: count(self.version)?,
            active: self.active,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        })
    }
}

impl ServiceItemRepository for AnyConnection {
    fn insert_item(&mut self, item: &ServiceItem) -> RepositoryResult<()> {
        diesel::insert_into(service_items::table)
            .values(ItemRow::from_domain(item))
            .execute(self)
            .map_err(db)?;
        keep_version(self, item)
    }

    fn update_item(&mut self, item: &ServiceItem) -> RepositoryResult<()> {
        diesel::update(service_items::table.find(item.id.to_string()))
            .set(ItemRow::from_domain(item))
            .execute(self)
            .map_err(db)?;
        keep_version(self, item)
    }

    fn item_version(
        &mut self,
        item_id: ServiceItemId,
        version: u32,
    ) -> RepositoryResult<Option<ServiceItem>> {
        let document: Option<String> = service_item_versions::table
            .find((item_id.to_string(), int(version)))
            .select(service_item_versions::document)
            .first(self)
            .optional()
            .map_err(db)?;
        document
            .map(|d| {
                serde_json::from_str(&d).map_err(|e| {
                    RepositoryError::Internal(format!("stored guide version is not valid: {e}"))
                })
            })
            .transpose()
    }

    fn item(&mut self, item_id: ServiceItemId) -> RepositoryResult<Option<ServiceItem>> {
        service_items::table
            .find(item_id.to_string())
            .select(ItemRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?
            .map(ItemRow::into_domain)
            .transpose()
    }

    fn items(&mut self, page: &PageRequest) -> RepositoryResult<Page<ServiceItem>> {
        let mut query = service_items::table
            .select(ItemRow::as_select())
            .order(service_items::id)
            .limit(fetch_limit(page))
            .into_boxed();
        if let Some(after) = super::uuid_after(page)? {
            query = query.filter(service_items::id.gt(after));
        }
        let items = query
            .load(self)
            .map_err(db)?
            .into_iter()
            .map(ItemRow::into_domain)
            .collect::<RepositoryResult<Vec<_>>>()?;
        Ok(Page::from_fetched(items, page.limit, |i| i.id.to_string()))
    }

    fn missing_items(&mut self, ids: &[ServiceItemId]) -> RepositoryResult<Vec<ServiceItemId>> {
        let wanted: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let found: Vec<String> = service_items::table
            .filter(service_items::id.eq_any(&wanted))
            .select(service_items::id)
            .load(self)
            .map_err(db)?;
        Ok(ids
            .iter()
            .filter(|id| !found.contains(&id.to_string()))
            .copied()
            .collect())
    }

    fn item_by_code(&mut self, code: &str) -> RepositoryResult<Option<ServiceItem>> {
        service_items::table
            .filter(service_items::code.eq(code))
            .select(ItemRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?
            .map(ItemRow::into_domain)
            .transpose()
    }

    fn search_items(
        &mut self,
        search: &ItemSearch,
        page: &PageRequest,
    ) -> RepositoryResult<Page<ServiceItem>> {
        let mut query = service_items::table
            .filter(service_items::active.eq(true))
            .select(ItemRow::as_select())
            .order(service_items::code)
            .limit(fetch_limit(page))
            .into_boxed();
        if let Some(q) = search.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
            query = query.filter(
                lower(service_items::name)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(lower(service_items::code).like(pattern).escape('\\')),
            );
        }
        if let Some(department) = search.department_id {
            query = query.filter(service_items::department_id.eq(department.to_string()));
        }
        if let Some(category) = search.category {
            query = query.filter(service_items::category.eq(category.as_str()));
        }
        if let Some(after) = &page.after {
            let after = domain::page::code_cursor(after)
                .ok_or(domain::repository::RepositoryError::InvalidCursor)?;
            query = query.filter(service_items::code.gt(after));
        }
        let items = query
            .load(self)
            .map_err(db)?
            .into_iter()
            .map(ItemRow::into_domain)
            .collect::<RepositoryResult<Vec<_>>>()?;
        Ok(Page::from_fetched(items, page.limit, |i| i.code.clone()))
    }

    fn items_by_ids(&mut self, ids: &[ServiceItemId]) -> RepositoryResult<Vec<ServiceItem>> {
        let wanted: Vec<String> = ids.iter().map(ToString::to_string).collect();
        service_items::table
            .filter(service_items::id.eq_any(&wanted))
            .select(ItemRow::as_select())
            .load(self)
            .map_err(db)?
            .into_iter()
            .map(ItemRow::into_domain)
            .collect()
    }
}
