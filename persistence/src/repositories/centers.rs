use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::calendar::Division;
use domain::catalogue::Center;
use domain::ids::CenterId;
use domain::page::{Page, PageRequest};
use domain::repository::{CalendarRepository, CenterRepository, RepositoryError, RepositoryResult};

use super::fetch_limit;
use crate::AnyConnection;
use crate::convert::{id, utc};
use crate::error::db;
use crate::schema::centers;

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = centers, treat_none_as_null = true)]
pub(super) struct CenterRow {
    id: String,
    code: String,
    name: String,
    parent_id: Option<String>,
    active: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    division: Option<String>,
}

impl CenterRow {
    fn from_domain(c: &Center) -> Self {
        Self {
            id: c.id.to_string(),
            code: c.code.clone(),
            name: c.name.clone(),
            parent_id: c.parent_id.map(|p| p.to_string()),
            active: c.active,
            created_at: c.created_at.naive_utc(),
            updated_at: c.updated_at.naive_utc(),
            division: c.division.as_ref().map(ToString::to_string),
        }
    }

    pub(super) fn into_domain(self) -> RepositoryResult<Center> {
        Ok(Center {
            id: id(&self.id)?,
            code: self.code,
            name: self.name,
            parent_id: self.parent_id.as_deref().map(id).transpose()?,
            active: self.active,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
            division: self
                .division
                .as_deref()
                .map(Division::parse)
                .transpose()
                .map_err(|e| RepositoryError::Internal(format!("stored division: {e}")))?,
        })
    }
}

impl CenterRepository for AnyConnection {
    fn insert_center(&mut self, center: &Center) -> RepositoryResult<()> {
        // A centre's division picks its calendar: the cached calendars must see it.
        self.bump_calendar_revision()?;
        diesel::insert_into(centers::table)
            .values(CenterRow::from_domain(center))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn update_center(&mut self, center: &Center) -> RepositoryResult<()> {
        self.bump_calendar_revision()?;
        diesel::update(centers::table.find(center.id.to_string()))
            .set(CenterRow::from_domain(center))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn center(&mut self, center_id: CenterId) -> RepositoryResult<Option<Center>> {
        centers::table
            .find(center_id.to_string())
            .select(CenterRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?
            .map(CenterRow::into_domain)
            .transpose()
    }

    fn centers(&mut self, page: &PageRequest) -> RepositoryResult<Page<Center>> {
        let mut query = centers::table
            .select(CenterRow::as_select())
            .order(centers::id)
            .limit(fetch_limit(page))
            .into_boxed();
        if let Some(after) = super::uuid_after(page)? {
            query = query.filter(centers::id.gt(after));
        }
        let rows = query.load(self).map_err(db)?;
        let centers = rows
            .into_iter()
            .map(CenterRow::into_domain)
            .collect::<RepositoryResult<Vec<_>>>()?;
        Ok(Page::from_fetched(centers, page.limit, |c| {
            c.id.to_string()
        }))
    }

    fn center_tree(&mut self) -> RepositoryResult<Vec<(CenterId, Option<CenterId>)>> {
        let rows: Vec<(String, Option<String>)> = centers::table
            .select((centers::id, centers::parent_id))
            .load(self)
            .map_err(db)?;
        rows.into_iter()
            .map(|(center, parent)| Ok((id(&center)?, parent.as_deref().map(id).transpose()?)))
            .collect()
    }

    fn center_by_code(&mut self, code: &str) -> RepositoryResult<Option<Center>> {
        centers::table
            .filter(centers::code.eq(code))
            .select(CenterRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?
            .map(CenterRow::into_domain)
            .transpose()
    }

    fn all_centers(&mut self) -> RepositoryResult<Vec<Center>> {
        centers::table
            .order(centers::code)
            .select(CenterRow::as_select())
            .load(self)
            .map_err(db)?
            .into_iter()
            .map(CenterRow::into_domain)
            .collect()
    }
}
