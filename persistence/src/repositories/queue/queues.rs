//! Queues of a centre, their lists of items and windows kept as JSON text.

use chrono::{NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use domain::ids::{CenterId, QueueId};
use domain::queue::{NoShowPolicy, Queue};
use domain::repository::{RepositoryError, RepositoryResult};

use crate::AnyConnection;
use crate::convert::{count, id, int, list, list_text, named, utc};
use crate::error::db;
use crate::schema::queues;

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = queues)]
pub(super) struct QueueRow {
    id: String,
    center_id: String,
    prefix: String,
    name: String,
    item_ids: String,
    window_ids: String,
    daily_cap: i32,
    opens_at: String,
    closes_at: String,
    waiting_warning: i32,
    no_show_policy: String,
    active: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

fn ids_text<T: ToString>(ids: &[T]) -> String {
    list_text(&ids.iter().map(ToString::to_string).collect::<Vec<_>>())
}

fn ids_of<T: std::str::FromStr>(text: &str) -> RepositoryResult<Vec<T>> {
    list(text)?.iter().map(|s| id(s)).collect()
}

fn time(text: &str) -> RepositoryResult<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M:%S")
        .map_err(|_| RepositoryError::Internal(format!("stored time {text:?} is not HH:MM:SS")))
}

impl QueueRow {
    fn from_domain(q: &Queue) -> Self {
        Self {
            id: q.id.to_string(),
            center_id: q.center_id.to_string(),
            prefix: q.prefix.clone(),
            name: q.name.clone(),
            item_ids: ids_text(&q.item_ids),
            window_ids: ids_text(&q.window_ids),
            daily_cap: int(q.daily_cap),
            opens_at: q.opens_at.format("%H:%M:%S").to_string(),
            closes_at: q.closes_at.format("%H:%M:%S").to_string(),
            waiting_warning: int(q.waiting_warning),
            no_show_policy: q.no_show_policy.as_str().to_owned(),
            active: q.active,
            created_at: q.created_at.naive_utc(),
            updated_at: q.updated_at.naive_utc(),
        }
    }

    pub(super) fn into_domain(self) -> RepositoryResult<Queue> {
        Ok(Queue {
            id: id(&self.id)?,
            center_id: id(&self.center_id)?,
            prefix: self.prefix,
            name: self.name,
            item_ids: ids_of(&self.item_ids)?,
            window_ids: ids_of(&self.window_ids)?,
            daily_cap: count(self.daily_cap)?,
            opens_at: time(&self.opens_at)?,
            closes_at: time(&self.closes_at)?,
            waiting_warning: count(self.waiting_warning)?,
            no_show_policy: named(&self.no_show_policy, NoShowPolicy::parse)?,
            active: self.active,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        })
    }
}

pub(super) fn insert(conn: &mut AnyConnection, queue: &Queue) -> RepositoryResult<()> {
    // In a savepoint: a taken prefix must not abort the caller's transaction on PostgreSQL.
    conn.transaction(|conn| {
        diesel::insert_into(queues::table)
            .values(QueueRow::from_domain(queue))
            .execute(conn)
    })
    .map_err(db)?;
    Ok(())
}

pub(super) fn update(conn: &mut AnyConnection, queue: &Queue) -> RepositoryResult<()> {
    conn.transaction(|conn| {
        diesel::update(queues::table.find(queue.id.to_string()))
            .set(QueueRow::from_domain(queue))
            .execute(conn)
    })
    .map_err(db)?;
    Ok(())
}

pub(super) fn find(conn: &mut AnyConnection, queue: QueueId) -> RepositoryResult<Option<Queue>> {
    queues::table
        .find(queue.to_string())
        .select(QueueRow::as_select())
        .first(conn)
        .optional()
        .map_err(db)?
        .map(QueueRow::into_domain)
        .transpose()
}

pub(super) fn of_center(
    conn: &mut AnyConnection,
    center: CenterId,
) -> RepositoryResult<Vec<Queue>> {
    queues::table
        .filter(queues::center_id.eq(center.to_string()))
        .order(queues::prefix)
        .select(QueueRow::as_select())
        .load(conn)
        .map_err(db)?
        .into_iter()
        .map(QueueRow::into_domain)
        .collect()
}
