//! What the queue's figures read: the events of the tickets issued in a period, cut at the
//! end of `as_of`, the items of the cases they became, and the windows' spans. Folded on
//! request (`domain::queue::figures`): a day's tickets are hundreds to a few thousand per
//! centre, and the period is bounded.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use domain::ids::{CenterId, ServiceItemId, TicketId};
use domain::queue::{SessionSpan, SessionState, TicketHistory, TicketStatus};
use domain::repository::{FigureQuery, QueueFiguresRepository, QueueLine, RepositoryResult};

use super::tickets::TicketEventRow;
use crate::AnyConnection;
use crate::convert::{id, named, utc};
use crate::error::db;
use crate::schema::{cases, ticket_cases, ticket_events, tickets, window_session_spans, windows};

// Declared here, beside the only queries that join these tables.
diesel::joinable!(ticket_events -> tickets (ticket_id));
diesel::joinable!(ticket_cases -> tickets (ticket_id));
diesel::joinable!(window_session_spans -> windows (window_id));
diesel::allow_tables_to_appear_in_same_query!(ticket_events, tickets);
diesel::allow_tables_to_appear_in_same_query!(window_session_spans, windows);

fn centers(query: &FigureQuery) -> Option<Vec<String>> {
    query
        .center_ids
        .as_ref()
        .map(|ids| ids.iter().map(ToString::to_string).collect())
}

impl QueueFiguresRepository for AnyConnection {
    fn ticket_histories(&mut self, query: &FigureQuery) -> RepositoryResult<Vec<TicketHistory>> {
        let cutoff = query.cutoff.naive_utc();
        let mut events = ticket_events::table
            .inner_join(tickets::table)
            .filter(tickets::day.between(query.from, query.to))
            .filter(ticket_events::at.lt(cutoff))
            .into_boxed();
        if let Some(centers) = centers(query) {
            events = events.filter(tickets::center_id.eq_any(centers));
        }
        let rows: Vec<(String, TicketEventRow)> = events
            .order((
                ticket_events::ticket_id,
                ticket_events::at,
                ticket_events::id,
            ))
            .select((tickets::center_id, TicketEventRow::as_select()))
            .load(self)
            .map_err(db)?;
        let mut histories: Vec<TicketHistory> = Vec::new();
        for (center, row) in rows {
            let event = row.into_domain()?;
            match histories.last_mut() {
                Some(last) if last.ticket_id == event.ticket_id => last.events.push(event),
                _ => histories.push(TicketHistory {
                    ticket_id: event.ticket_id,
                    center_id: id::<CenterId>(&center)?,
                    events: vec![event],
                    cases: Vec::new(),
                }),
            }
        }
        if query.with_items && !histories.is_empty() {
            attach_items(self, query, &mut histories)?;
        }
        Ok(histories)
    }

    fn session_spans(
        &mut self,
        query: &FigureQuery,
        start: DateTime<Utc>,
    ) -> RepositoryResult<Vec<SessionSpan>> {
        let mut spans = window_session_spans::table
            .inner_join(windows::table)
            .filter(window_session_spans::started_at.ge(start.naive_utc()))
            .filter(window_session_spans::ended_at.lt(query.cutoff.naive_utc()))
            .into_boxed();
        if let Some(centers) = centers(query) {
            spans = spans.filter(windows::center_id.eq_any(centers));
        }
        let rows: Vec<SpanRow> = spans
            .select((
                window_session_spans::window_id,
                window_session_spans::clerk_id,
                window_session_spans::state,
                window_session_spans::reason,
                window_session_spans::started_at,
                window_session_spans::ended_at,
            ))
            .load(self)
            .map_err(db)?;
        rows.into_iter()
            .map(|(window, clerk, state, reason, from, to)| {
                Ok(SessionSpan {
                    window_id: id(&window)?,
                    clerk_id: id(&clerk)?,
                    state: named(&state, SessionState::parse)?,
                    reason,
                    from: utc(from),
                    to: utc(to),
                })
            })
            .collect()
    }

    fn waiting_lines(
        &mut self,
        centers: Option<&[CenterId]>,
        day: NaiveDate,
    ) -> RepositoryResult<Vec<QueueLine>> {
        // Grouped before boxing: diesel groups only an unboxed query.
        let mut waiting = tickets::table
            .filter(tickets::day.eq(day))
            .filter(tickets::status.eq(TicketStatus::Waiting.as_str()))
            .group_by(tickets::queue_id)
            .select((tickets::queue_id, count_star(), min(tickets::arrived_at)))
            .into_boxed();
        if let Some(centers) = centers {
            let centers: Vec<String> = centers.iter().map(ToString::to_string).collect();
            waiting = waiting.filter(tickets::center_id.eq_any(centers));
        }
        let rows: Vec<(String, i64, Option<NaiveDateTime>)> = waiting.load(self).map_err(db)?;
        rows.into_iter()
            .map(|(queue, waiting, earliest)| {
                Ok(QueueLine {
                    queue_id: id(&queue)?,
                    waiting: u32::try_from(waiting).unwrap_or(u32::MAX),
                    earliest_arrival: earliest.map(utc),
                })
            })
            .collect()
    }
}

type SpanRow = (
    String,
    String,
    String,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
);

/// The items of the cases the tickets became, with when each was accepted: the links of
/// the period's tickets, then those cases.
fn attach_items(
    conn: &mut AnyConnection,
    query: &FigureQuery,
    histories: &mut [TicketHistory],
) -> RepositoryResult<()> {
    let mut links = ticket_cases::table
        .inner_join(tickets::table)
        .filter(tickets::day.between(query.from, query.to))
        .into_boxed();
    if let Some(centers) = centers(query) {
        links = links.filter(tickets::center_id.eq_any(centers));
    }
    let links: Vec<(String, String)> = links
        .select((ticket_cases::ticket_id, ticket_cases::case_id))
        .load(conn)
        .map_err(db)?;
    if links.is_empty() {
        return Ok(());
    }
    let mut items = std::collections::HashMap::new();
    // A few thousand cases per chunk keeps within SQLite's bound parameters.
    for chunk in links.chunks(5_000) {
        let ids: Vec<&String> = chunk.iter().map(|(_, case)| case).collect();
        let found: Vec<(String, String, NaiveDateTime)> = cases::table
            .filter(cases::id.eq_any(ids))
            .select((cases::id, cases::item_id, cases::received_at))
            .load(conn)
            .map_err(db)?;
        for (case, item, at) in found {
            items.insert(case, (id::<ServiceItemId>(&item)?, utc(at)));
        }
    }
    let position: std::collections::HashMap<TicketId, usize> = histories
        .iter()
        .enumerate()
        .map(|(i, h)| (h.ticket_id, i))
        .collect();
    for (ticket, case) in links {
        let ticket: TicketId = id(&ticket)?;
        if let (Some(i), Some(item)) = (position.get(&ticket), items.get(&case)) {
            histories[*i].cases.push(*item);
        }
    }
    Ok(())
}
