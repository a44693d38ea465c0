//! The screens' feed: messages in commit order per centre, and on PostgreSQL a `NOTIFY` that
//! wakes the listeners of every process when the change commits.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use domain::ids::{CenterId, WindowId};
use domain::queue::{DisplayEvent, DisplayMessage};
use domain::repository::{DisplayRepository, RepositoryError, RepositoryResult};

use crate::AnyConnection;
use crate::convert::{id, utc};
use crate::error::db;
use crate::repositories::kept::{Bind, Kept};
use crate::schema::display_events;

/// The channel the listeners of every `hall` process wait on; the payload is the centre's id.
pub const DISPLAY_CHANNEL: &str = "hall_display";

#[derive(QueryableByName)]
struct LastId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

impl DisplayRepository for AnyConnection {
    fn append_display(
        &mut self,
        center: CenterId,
        window: Option<WindowId>,
        message: &DisplayMessage,
        at: DateTime<Utc>,
    ) -> RepositoryResult<i64> {
        let payload = serde_json::to_string(message)
            .map_err(|e| RepositoryError::Internal(format!("display message: {e}")))?;
        let center_text = center.to_string();
        match self {
            AnyConnection::Postgresql(_) => {
                // Ids come from a sequence at insert, commits may land in another order:
                // holding the centre's lock to the commit makes one centre's ids follow its
                // commits, so a screen resuming after id n never misses an n - 1 that
                // committed late. Every round trip from here to the commit holds every window
                // of the centre, so the lock, the notification (sent at the commit) and the
                // row are one statement: the row's id is drawn as the locked subquery's row
                // reaches the insert, after the lock (its volatile calls keep it from being
                // merged into the insert).
                let append = format!(
                    "INSERT INTO display_events (center_id, window_id, kind, payload, at) \
                     SELECT {0}, {0}, {0}, {0}, {0} \
                     FROM (SELECT pg_advisory_xact_lock(hashtext({0})), pg_notify({0}, {0})) AS locked \
                     RETURNING id",
                    Kept::BIND
                );
                let binds = [
                    Bind::Text(center_text.clone()),
                    Bind::NullableText(window.map(|w| w.to_string())),
                    Bind::Text(message.kind().to_owned()),
                    Bind::Text(payload),
                    Bind::Timestamp(at.naive_utc()),
                    Bind::Text(center_text.clone()),
                    Bind::Text(DISPLAY_CHANNEL.to_owned()),
                    Bind::Text(center_text),
                ];
                let appended = Kept::new(&append, binds).get_result::<LastId>(self);
                Ok(appended.map_err(db)?.id)
            }
            AnyConnection::Sqlite(conn) => {
                let values = (
                    display_events::center_id.eq(&center_text),
                    display_events::window_id.eq(window.map(|w| w.to_string())),
                    display_events::kind.eq(message.kind()),
                    display_events::payload.eq(payload),
                    display_events::at.eq(at.naive_utc()),
                );
                diesel::insert_into(display_events::table)
                    .values(values)
                    .execute(conn)
                    .map_err(db)?;
                let last = diesel::sql_query("SELECT last_insert_rowid() AS id")
                    .get_result::<LastId>(conn)
                    .map_err(db)?;
                Ok(last.id)
            }
        }
    }

    fn display_after(
        &mut self,
        center: CenterId,
        after: i64,
        limit: u32,
    ) -> RepositoryResult<Vec<DisplayEvent>> {
        let rows: Vec<(i64, String, Option<String>, String, NaiveDateTime)> = display_events::table
            .filter(display_events::center_id.eq(center.to_string()))
            .filter(display_events::id.gt(after))
            .order(display_events::id)
            .limit(i64::from(limit))
            .select((
                display_events::id,
                display_events::center_id,
                display_events::window_id,
                display_events::payload,
                display_events::at,
            ))
            .load(self)
            .map_err(db)?;
        rows.into_iter()
            .map(|(event_id, center, window, payload, at)| {
                Ok(DisplayEvent {
                    id: event_id,
                    center_id: id(&center)?,
                    window_id: window.as_deref().map(id).transpose()?,
                    message: serde_json::from_str(&payload).map_err(|e| {
                        RepositoryError::Internal(format!("stored display message: {e}"))
                    })?,
                    at: utc(at),
                })
            })
            .collect()
    }

    fn display_head(&mut self) -> RepositoryResult<i64> {
        let head: Option<i64> = display_events::table
            .select(diesel::dsl::max(display_events::id))
            .first(self)
            .map_err(db)?;
        Ok(head.unwrap_or(0))
    }

    fn display_head_of(&mut self, center: CenterId) -> RepositoryResult<i64> {
        let head: Option<i64> = display_events::table
            .filter(display_events::center_id.eq(center.to_string()))
            .select(diesel::dsl::max(display_events::id))
            .first(self)
            .map_err(db)?;
        Ok(head.unwrap_or(0))
    }
}
