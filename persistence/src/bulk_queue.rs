//! Writing a prepared queue history at once, for loaders (the demo hall): tickets, their
//! events, the cases they became, their daily numbering and the windows' spans, in multi-row
//! inserts like `bulk` (one match on the backend per table). The records must come from the
//! domain's own functions.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use domain::ids::{CaseId, QueueId, TicketEventId, TicketId};
use domain::queue::{SessionSpan, Ticket, TicketEvent};
use domain::repository::RepositoryResult;

use crate::AnyConnection;
use crate::bulk::insert_chunks;
use crate::error::db;
use crate::repositories::queue::tickets::{TicketEventRow, TicketRow};
use crate::schema::{ticket_cases, ticket_events, ticket_sequences, tickets, window_session_spans};

/// Rows per statement: tickets have 19 columns, and SQLite takes 32,766 parameters.
const CHUNK: usize = 1_000;

/// A ticket with the queue its number came from; never issued in a name.
#[derive(Insertable)]
#[diesel(table_name = tickets)]
struct IssuedRow {
    #[diesel(embed)]
    row: TicketRow,
    issued_queue_id: String,
}

#[derive(Insertable)]
#[diesel(table_name = ticket_cases)]
struct LinkRow {
    ticket_id: String,
    case_id: String,
}

#[derive(Insertable)]
#[diesel(table_name = window_session_spans)]
struct SpanRow {
    id: String,
    window_id: String,
    clerk_id: String,
    state: String,
    reason: Option<String>,
    started_at: chrono::NaiveDateTime,
    ended_at: chrono::NaiveDateTime,
}

/// Everything a loader prepared of the queue, written in the caller's transaction.
#[derive(Default)]
pub struct QueueBatch {
    tickets: Vec<IssuedRow>,
    events: Vec<TicketEventRow>,
    links: Vec<LinkRow>,
    spans: Vec<SpanRow>,
    sequences: HashMap<(QueueId, NaiveDate), u32>,
}

impl std::fmt::Debug for QueueBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueueBatch")
            .field("tickets", &self.tickets.len())
            .field("events", &self.events.len())
            .field("links", &self.links.len())
            .field("spans", &self.spans.len())
            .finish()
    }
}

impl QueueBatch {
    /// Adds a ticket in its final state, issued in `issued_queue`, and records the number
    /// it used.
    pub fn ticket(&mut self, ticket: &Ticket, issued_queue: QueueId) {
        self.tickets.push(IssuedRow {
            row: TicketRow::from_domain(ticket),
            issued_queue_id: issued_queue.to_string(),
        });
        let last = self
            .sequences
            .entry((issued_queue, ticket.day))
            .or_default();
        *last = (*last).max(ticket.seq);
    }

    /// Adds a ticket's event.
    pub fn event(&mut self, event: &TicketEvent) {
        self.events.push(TicketEventRow::from_domain(event));
    }

    /// Records that a ticket became a case.
    pub fn link(&mut self, ticket: TicketId, case: CaseId) {
        self.links.push(LinkRow {
            ticket_id: ticket.to_string(),
            case_id: case.to_string(),
        });
    }

    /// Adds a stretch a clerk held a window.
    pub fn span(&mut self, span: &SessionSpan) {
        self.spans.push(SpanRow {
            // Any fresh UUID v7 serves as the span's key, as on the live path.
            id: TicketEventId::new().to_string(),
            window_id: span.window_id.to_string(),
            clerk_id: span.clerk_id.to_string(),
            state: span.state.as_str().to_owned(),
            reason: span.reason.clone(),
            started_at: span.from.naive_utc(),
            ended_at: span.to.naive_utc(),
        });
    }

    /// Tickets gathered so far.
    pub fn tickets(&self) -> usize {
        self.tickets.len()
    }

    /// Writes everything; each queue's numbering continues after the numbers used.
    pub fn write(self, conn: &mut AnyConnection) -> RepositoryResult<()> {
        insert_chunks!(conn, tickets::table, self.tickets, CHUNK);
        insert_chunks!(conn, ticket_events::table, self.events, CHUNK);
        insert_chunks!(conn, ticket_cases::table, self.links, CHUNK);
        insert_chunks!(conn, window_session_spans::table, self.spans, CHUNK);
        let sequences: Vec<_> = self
            .sequences
            .into_iter()
            .map(|((queue, day), last)| {
                (
                    ticket_sequences::queue_id.eq(queue.to_string()),
                    ticket_sequences::day.eq(day),
                    ticket_sequences::last_seq.eq(i32::try_from(last).unwrap_or(i32::MAX)),
                )
            })
            .collect();
        insert_chunks!(conn, ticket_sequences::table, sequences, CHUNK);
        Ok(())
    }
}
