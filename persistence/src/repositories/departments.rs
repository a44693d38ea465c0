use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::catalogue::Department;
use domain::ids::DepartmentId;
use domain::page::{Page, PageRequest};
use domain::repository::{DepartmentRepository, RepositoryResult};

use super::fetch_limit;
use crate::AnyConnection;
use crate::convert::{id, utc};
use crate::error::db;
use crate::schema::departments;

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = departments)]
struct DepartmentRow {
    id: String,
    code: String,
    name: String,
    active: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl DepartmentRow {
    fn from_domain(d: &Department) -> Self {
        Self {
            id: d.id.to_string(),
            code: d.code.clone(),
            name: d.name.clone(),
            active: d.active,
            created_at: d.created_at.naive_utc(),
            updated_at: d.updated_at.naive_utc(),
        }
    }

    fn into_domain(self) -> RepositoryResult<Department> {
        Ok(Department {
            id: id(&self.id)?,
            code: self.code,
            name: self.name,
            active: self.active,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        })
    }
}

impl DepartmentRepository for AnyConnection {
    fn insert_department(&mut self, department: &Department) -> RepositoryResult<()> {
        diesel::insert_into(departments::table)
            .values(DepartmentRow::from_domain(department))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn update_department(&mut self, department: &Department) -> RepositoryResult<()> {
        diesel::update(departments::table.find(department.id.to_string()))
            .set(DepartmentRow::from_domain(department))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn department(&mut self, department_id: DepartmentId) -> RepositoryResult<Option<Department>> {
        departments::table
            .find(department_id.to_string())
            .select(DepartmentRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?
            .map(DepartmentRow::into_domain)
            .transpose()
    }

    fn departments(&mut self, page: &PageRequest) -> RepositoryResult<Page<Department>> {
        let mut query = departments::table
            .select(DepartmentRow::as_select())
            .order(departments::id)
            .limit(fetch_limit(page))
            .into_boxed();
        if let Some(after) = super::uuid_after(page)? {
            query = query.filter(departments::id.gt(after));
        }
        let departments = query
            .load(self)
            .map_err(db)?
            .into_iter()
            .map(DepartmentRow::into_domain)
            .collect::<RepositoryResult<Vec<_>>>()?;
        Ok(Page::from_fetched(departments, page.limit, |d| {
            d.id.to_string()
        }))
    }
}
