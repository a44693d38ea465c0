//! Windows' sessions now, and the stretches each clerk held a window.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::ids::{TicketEventId, WindowId};
use domain::queue::{SessionSpan, SessionState, WindowSession};
use domain::repository::{RepositoryError, RepositoryResult, WindowSessionRepository};

use crate::AnyConnection;
use crate::convert::{id, named, utc};
use crate::error::db;
use crate::schema::{window_session_spans, window_sessions};

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = window_sessions, treat_none_as_null = true)]
struct SessionRow {
    window_id: String,
    clerk_id: Option<String>,
    state: String,
    reason: Option<String>,
    since: NaiveDateTime,
    version: i64,
}

impl SessionRow {
    fn from_domain(s: &WindowSession) -> Self {
        Self {
            window_id: s.window_id.to_string(),
            clerk_id: s.clerk_id.map(|c| c.to_string()),
            state: s.state.as_str().to_owned(),
            reason: s.reason.clone(),
            since: s.since.naive_utc(),
            version: s.version,
        }
    }

    fn into_domain(self) -> RepositoryResult<WindowSession> {
        Ok(WindowSession {
            window_id: id(&self.window_id)?,
            clerk_id: self.clerk_id.as_deref().map(id).transpose()?,
            state: named(&self.state, SessionState::parse)?,
            reason: self.reason,
            since: utc(self.since),
            version: self.version,
        })
    }
}

impl WindowSessionRepository for AnyConnection {
    fn window_session(&mut self, window: WindowId) -> RepositoryResult<Option<WindowSession>> {
        window_sessions::table
            .find(window.to_string())
            .select(SessionRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?
            .map(SessionRow::into_domain)
            .transpose()
    }

    fn put_window_session(&mut self, session: &WindowSession) -> RepositoryResult<bool> {
        let row = SessionRow::from_domain(session);
        if session.version == 1 {
            // The window's first session: a concurrent first opening loses on the key, in a
            // savepoint so PostgreSQL's transaction carries on to report it.
            let inserted = self.transaction(|conn| {
                diesel::insert_into(window_sessions::table)
                    .values(&row)
                    .execute(conn)
            });
            return match inserted.map_err(db) {
                Ok(_) => Ok(true),
                Err(RepositoryError::Conflict) => Ok(false),
                Err(other) => Err(other),
            };
        }
        let updated = diesel::update(
            window_sessions::table
                .find(&row.window_id)
                .filter(window_sessions::version.eq(session.version - 1)),
        )
        .set(&row)
        .execute(self)
        .map_err(db)?;
        Ok(updated == 1)
    }

    fn insert_session_span(&mut self, span: &SessionSpan) -> RepositoryResult<()> {
        diesel::insert_into(window_session_spans::table)
            .values((
                // Any fresh UUID v7 serves as the span's key; spans are never looked up by it.
                window_session_spans::id.eq(TicketEventId::new().to_string()),
                window_session_spans::window_id.eq(span.window_id.to_string()),
                window_session_spans::clerk_id.eq(span.clerk_id.to_string()),
                window_session_spans::state.eq(span.state.as_str()),
                window_session_spans::reason.eq(span.reason.as_deref()),
                window_session_spans::started_at.eq(span.from.naive_utc()),
                window_session_spans::ended_at.eq(span.to.naive_utc()),
            ))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }
}
