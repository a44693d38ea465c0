use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::prelude::*;
use domain::catalogue::{Window, WindowKind};
use domain::ids::{CenterId, ServiceItemId, WindowId};
use domain::page::{Page, PageRequest};
use domain::repository::{IntakePlace, RepositoryResult, WindowRepository};

use super::centers::CenterRow;
use super::fetch_limit;
use super::items::ItemRow;
use crate::AnyConnection;
use crate::convert::{count, id, int, named, utc};
use crate::error::db;
use crate::schema::{calendar_revision, centers, service_items, window_items, windows};

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = windows)]
struct WindowRow {
    id: String,
    center_id: String,
    number: i32,
    name: String,
    kind: String,
    active: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = window_items)]
struct WindowItemRow {
    window_id: String,
    item_id: String,
    position: i32,
}

impl WindowRow {
    fn from_domain(w: &Window) -> Self {
        Self {
            id: w.id.to_string(),
            center_id: w.center_id.to_string(),
            number: int(w.number),
            name: w.name.clone(),
            kind: w.kind.as_str().to_owned(),
            active: w.active,
            created_at: w.created_at.naive_utc(),
            updated_at: w.updated_at.naive_utc(),
        }
    }

    fn into_domain(self, item_ids: Vec<ServiceItemId>) -> RepositoryResult<Window> {
        Ok(Window {
            id: id(&self.id)?,
            center_id: id(&self.center_id)?,
            number: count(self.number)?,
            name: self.name,
            kind: named(&self.kind, WindowKind::parse)?,
            item_ids,
            active: self.active,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        })
    }
}

/// Replaces the window's item list; multi-row inserts do not work through the
/// two-backend connection, and a window serves tens of items, so one insert each.
fn store_items(conn: &mut AnyConnection, window: &Window) -> RepositoryResult<()> {
    diesel::delete(window_items::table.filter(window_items::window_id.eq(window.id.to_string())))
        .execute(conn)
        .map_err(db)?;
    for (position, item) in window.item_ids.iter().enumerate() {
        diesel::insert_into(window_items::table)
            .values(WindowItemRow {
                window_id: window.id.to_string(),
                item_id: item.to_string(),
                position: i32::try_from(position).unwrap_or(i32::MAX),
            })
            .execute(conn)
            .map_err(db)?;
    }
    Ok(())
}

/// The items of each listed window, in their stored order.
fn items_of(
    conn: &mut AnyConnection,
    window_ids: &[String],
) -> RepositoryResult<HashMap<String, Vec<ServiceItemId>>> {
    let rows: Vec<(String, String)> = window_items::table
        .filter(window_items::window_id.eq_any(window_ids))
        .order((window_items::window_id, window_items::position))
        .select((window_items::window_id, window_items::item_id))
        .load(conn)
        .map_err(db)?;
    let mut items: HashMap<String, Vec<ServiceItemId>> = HashMap::new();
    for (window_id, item_id) in rows {
        items.entry(window_id).or_default().push(id(&item_id)?);
    }
    Ok(items)
}

fn with_items(conn: &mut AnyConnection, rows: Vec<WindowRow>) -> RepositoryResult<Vec<Window>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut items = items_of(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let item_ids = items.remove(&row.id).unwrap_or_default();
            row.into_domain(item_ids)
        })
        .collect()
}

/// One row of intake's read: the same but for the served item in the last column.
type PlaceRow = (
    Option<WindowRow>,
    Option<CenterRow>,
    Option<ItemRow>,
    Option<String>,
);

impl WindowRepository for AnyConnection {
    fn insert_window(&mut self, window: &Window) -> RepositoryResult<()> {
        diesel::insert_into(windows::table)
            .values(WindowRow::from_domain(window))
            .execute(self)
            .map_err(db)?;
        store_items(self, window)
    }

    fn update_window(&mut self, window: &Window) -> RepositoryResult<()> {
        diesel::update(windows::table.find(window.id.to_string()))
            .set(WindowRow::from_domain(window))
            .execute(self)
            .map_err(db)?;
        store_items(self, window)
    }

    fn window(&mut self, window_id: WindowId) -> RepositoryResult<Option<Window>> {
        let row = windows::table
            .find(window_id.to_string())
            .select(WindowRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?;
        Ok(with_items(self, row.into_iter().collect())?.pop())
    }

    fn windows(&mut self, page: &PageRequest) -> RepositoryResult<Page<Window>> {
        let mut query = windows::table
            .select(WindowRow::as_select())
            .order(windows::id)
            .limit(fetch_limit(page))
            .into_boxed();
        if let Some(after) = super::uuid_after(page)? {
            query = query.filter(windows::id.gt(after));
        }
        let rows = query.load(self).map_err(db)?;
        let windows = with_items(self, rows)?;
        Ok(Page::from_fetched(windows, page.limit, |w| {
            w.id.to_string()
        }))
    }

    fn window_by_number(
        &mut self,
        center: CenterId,
        number: u32,
    ) -> RepositoryResult<Option<Window>> {
        let row = windows::table
            .filter(windows::center_id.eq(center.to_string()))
            .filter(windows::number.eq(int(number)))
            .select(WindowRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?;
        Ok(with_items(self, row.into_iter().collect())?.pop())
    }

    fn intake_place(
        &mut self,
        window_id: WindowId,
        item_id: ServiceItemId,
    ) -> RepositoryResult<IntakePlace> {
        // One statement where four reads were: it starts from the calendars' one-row table,
        // so that it answers a row whether or not the window and the item exist, and
        // left-joins the window, its centre, the item and the window's items (a row each,
        // repeating the rest).
        let rows = calendar_revision::table
            .left_join(windows::table.on(windows::id.eq(window_id.to_string())))
            .left_join(centers::table.on(centers::id.eq(windows::center_id)))
            .left_join(service_items::table.on(service_items::id.eq(item_id.to_string())))
            .left_join(window_items::table.on(window_items::window_id.eq(windows::id)))
            .filter(calendar_revision::id.eq(1))
            .order(window_items::position)
            .select((
                // The rows' columns, not `as_select()`, whose type names one backend: every
                // intake runs this, on the backend's own connection (`load_native`).
                <WindowRow as Selectable<Pg>>::construct_selection().nullable(),
                <CenterRow as Selectable<Pg>>::construct_selection().nullable(),
                <ItemRow as Selectable<Pg>>::construct_selection().nullable(),
                window_items::item_id.nullable(),
            ));
        let rows: Vec<PlaceRow> = self.load_native(rows).map_err(db)?;
        let mut item_ids = Vec::new();
        let mut first = None;
        for (window, center, item, served) in rows {
            if let Some(served) = served {
                item_ids.push(id(&served)?);
            }
            first.get_or_insert((window, center, item));
        }
        // No row at all: the revision's row is missing, as `calendar_revision` would find.
        let (window, center, item) = first.ok_or_else(|| db(diesel::result::Error::NotFound))?;
        Ok(IntakePlace {
            window: window.map(|w| w.into_domain(item_ids)).transpose()?,
            center: center.map(CenterRow::into_domain).transpose()?,
            item: item.map(ItemRow::into_domain).transpose()?,
        })
    }

    fn all_windows(&mut self) -> RepositoryResult<Vec<Window>> {
        let rows = windows::table
            .order((windows::center_id, windows::number))
            .select(WindowRow::as_select())
            .load(self)
            .map_err(db)?;
        with_items(self, rows)
    }
}
