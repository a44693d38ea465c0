//! Tickets: their numbering per queue and day, their rows, events and cases, and the calling
//! order, which sorts by the key the domain defines (`domain::queue::QueueKey`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use diesel::sql_types::{Date, Text};
use domain::ids::{CaseId, CenterId, QueueId, TicketId};
use domain::queue::{Priority, Queue, Ticket, TicketActionKind, TicketEvent, TicketStatus};
use domain::repository::{QueueLine, QueueRepository, RepositoryResult};

use super::queues;
use crate::AnyConnection;
use crate::convert::{count, id, int, named, utc};
use crate::error::db;
use crate::personal;
use crate::schema::{ticket_cases, ticket_events, ticket_sequences, tickets};

/// The columns a change may touch; the number, its queue of issue and the holder's hash are
/// written once, at issue.
#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = tickets, treat_none_as_null = true)]
pub(crate) struct TicketRow {
    id: String,
    center_id: String,
    queue_id: String,
    day: NaiveDate,
    seq: i32,
    number: String,
    status: String,
    priority: String,
    line_class: i32,
    in_line_since: NaiveDateTime,
    arrived_at: NaiveDateTime,
    first_called_at: Option<NaiveDateTime>,
    called_at: Option<NaiveDateTime>,
    window_id: Option<String>,
    clerk_id: Option<String>,
    ended_at: Option<NaiveDateTime>,
    recalls: i32,
    version: i64,
}

impl TicketRow {
    pub(crate) fn from_domain(t: &Ticket) -> Self {
        Self {
            id: t.id.to_string(),
            center_id: t.center_id.to_string(),
            queue_id: t.queue_id.to_string(),
            day: t.day,
            seq: int(t.seq),
            number: t.number.clone(),
            status: t.status.as_str().to_owned(),
            priority: t.priority.as_str().to_owned(),
            line_class: i32::from(t.queue_key().class),
            in_line_since: t.in_line_since.naive_utc(),
            arrived_at: t.arrived_at.naive_utc(),
            first_called_at: t.first_called_at.map(|t| t.naive_utc()),
            called_at: t.called_at.map(|t| t.naive_utc()),
            window_id: t.window_id.map(|w| w.to_string()),
            clerk_id: t.clerk_id.map(|c| c.to_string()),
            ended_at: t.ended_at.map(|t| t.naive_utc()),
            recalls: int(t.recalls),
            version: t.version,
        }
    }

    fn into_domain(self, real_name: bool) -> RepositoryResult<Ticket> {
        Ok(Ticket {
            id: id(&self.id)?,
            center_id: id(&self.center_id)?,
            queue_id: id(&self.queue_id)?,
            day: self.day,
            seq: count(self.seq)?,
            number: self.number,
            status: named(&self.status, TicketStatus::parse)?,
            priority: named(&self.priority, Priority::parse)?,
            arrived_at: utc(self.arrived_at),
            in_line_since: utc(self.in_line_since),
            first_called_at: self.first_called_at.map(utc),
            called_at: self.called_at.map(utc),
            window_id: self.window_id.as_deref().map(id).transpose()?,
            clerk_id: self.clerk_id.as_deref().map(id).transpose()?,
            ended_at: self.ended_at.map(utc),
            recalls: count(self.recalls)?,
            real_name,
            version: self.version,
        })
    }
}

fn load(rows: Vec<(TicketRow, Option<String>)>) -> RepositoryResult<Vec<Ticket>> {
    rows.into_iter()
        .map(|(row, holder)| row.into_domain(holder.is_some()))
        .collect()
}

#[derive(Queryable, Selectable, Insertable)]
// Prepared once per connection: see `CaseRow`.
#[diesel(table_name = ticket_events, treat_none_as_default_value = false)]
pub(crate) struct TicketEventRow {
    id: String,
    ticket_id: String,
    action: String,
    from_status: Option<String>,
    to_status: String,
    queue_id: String,
    window_id: Option<String>,
    actor: Option<String>,
    at: NaiveDateTime,
    reason: Option<String>,
}

impl TicketEventRow {
    pub(crate) fn from_domain(e: &TicketEvent) -> Self {
        Self {
            id: e.id.to_string(),
            ticket_id: e.ticket_id.to_string(),
            action: e.action.as_str().to_owned(),
            from_status: e.from_status.map(|s| s.as_str().to_owned()),
            to_status: e.to_status.as_str().to_owned(),
            queue_id: e.queue_id.to_string(),
            window_id: e.window_id.map(|w| w.to_string()),
            actor: e.actor.map(|a| a.to_string()),
            at: e.at.naive_utc(),
            reason: e.reason.clone(),
        }
    }

    pub(crate) fn into_domain(self) -> RepositoryResult<TicketEvent> {
        Ok(TicketEvent {
            id: id(&self.id)?,
            ticket_id: id(&self.ticket_id)?,
            action: named(&self.action, TicketActionKind::parse)?,
            from_status: self
                .from_status
                .as_deref()
                .map(|s| named(s, TicketStatus::parse))
                .transpose()?,
            to_status: named(&self.to_status, TicketStatus::parse)?,
            queue_id: id(&self.queue_id)?,
            window_id: self.window_id.as_deref().map(id).transpose()?,
            actor: self.actor.as_deref().map(id).transpose()?,
            at: utc(self.at),
            reason: self.reason,
        })
    }
}

const WAITING: &str = "waiting";

impl QueueRepository for AnyConnection {
    fn insert_queue(&mut self, queue: &Queue) -> RepositoryResult<()> {
        queues::insert(self, queue)
    }

    fn update_queue(&mut self, queue: &Queue) -> RepositoryResult<()> {
        queues::update(self, queue)
    }

    fn queue(&mut self, queue: QueueId) -> RepositoryResult<Option<Queue>> {
        queues::find(self, queue)
    }

    fn queues_of(&mut self, center: CenterId) -> RepositoryResult<Vec<Queue>> {
        queues::of_center(self, center)
    }

    fn take_ticket_seq(&mut self, queue: QueueId, day: NaiveDate) -> RepositoryResult<u32> {
        // One statement both databases run: the day's first ticket creates the counter, every
        // later one bumps it, and the row stays locked until the issuing transaction ends.
        diesel::sql_query(
            "INSERT INTO ticket_sequences (queue_id, day, last_seq) VALUES ($1, $2, 1) \
             ON CONFLICT (queue_id, day) DO UPDATE SET last_seq = ticket_sequences.last_seq + 1",
        )
        .bind::<Text, _>(queue.to_string())
        .bind::<Date, _>(day)
        .execute(self)
        .map_err(db)?;
        let seq: i32 = ticket_sequences::table
            .find((queue.to_string(), day))
            .select(ticket_sequences::last_seq)
            .first(self)
            .map_err(db)?;
        count(seq)
    }

    fn holder_holds(
        &mut self,
        queue: QueueId,
        day: NaiveDate,
        id_number: &str,
    ) -> RepositoryResult<bool> {
        // Every key's hash, so a ticket issued before a key rotation still counts.
        let hashes = personal::keys()?.search_hashes(id_number);
        let live: i64 = tickets::table
            .filter(tickets::holder_hash.eq_any(hashes))
            .filter(tickets::day.eq(day))
            .filter(tickets::queue_id.eq(queue.to_string()))
            .filter(tickets::status.eq_any(live_statuses()))
            .count()
            .get_result(self)
            .map_err(db)?;
        Ok(live > 0)
    }

    fn insert_ticket(&mut self, ticket: &Ticket, holder: Option<&str>) -> RepositoryResult<()> {
        let holder_hash = match holder {
            Some(id_number) => Some(personal::keys()?.search_hash(id_number)),
            None => None,
        };
        diesel::insert_into(tickets::table)
            .values((
                TicketRow::from_domain(ticket),
                tickets::issued_queue_id.eq(ticket.queue_id.to_string()),
                tickets::holder_hash.eq(holder_hash),
            ))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn update_ticket(&mut self, ticket: &Ticket) -> RepositoryResult<bool> {
        let updated = diesel::update(
            tickets::table
                .find(ticket.id.to_string())
                .filter(tickets::version.eq(ticket.version - 1)),
        )
        .set(TicketRow::from_domain(ticket))
        .execute(self)
        .map_err(db)?;
        Ok(updated == 1)
    }

    fn ticket(&mut self, ticket: TicketId) -> RepositoryResult<Option<Ticket>> {
        let rows = tickets::table
            .find(ticket.to_string())
            .select((TicketRow::as_select(), tickets::holder_hash))
            .load(self)
            .map_err(db)?;
        Ok(load(rows)?.pop())
    }

    fn claim_next_ticket(
        &mut self,
        queues: &[QueueId],
        day: NaiveDate,
    ) -> RepositoryResult<Option<Ticket>> {
        let queues: Vec<String> = queues.iter().map(ToString::to_string).collect();
        // Written out per backend: a selection's type is tied to its backend.
        macro_rules! next {
            () => {
                tickets::table
                    .filter(tickets::queue_id.eq_any(&queues))
                    .filter(tickets::day.eq(day))
                    .filter(tickets::status.eq(WAITING))
                    .order((tickets::line_class, tickets::in_line_since, tickets::id))
                    .limit(1)
                    .select((TicketRow::as_select(), tickets::holder_hash))
            };
        }
        // PostgreSQL: a ticket another window is calling stays locked until that call commits;
        // SKIP LOCKED passes over it to the next. SQLite has one writer at a time already.
        let rows = match self {
            AnyConnection::Postgresql(conn) => next!().for_update().skip_locked().load(conn),
            AnyConnection::Sqlite(conn) => next!().load(conn),
        }
        .map_err(db)?;
        Ok(load(rows)?.pop())
    }

    fn waiting_in(
        &mut self,
        queue: QueueId,
        day: NaiveDate,
        limit: u32,
    ) -> RepositoryResult<Vec<Ticket>> {
        let rows = tickets::table
            .filter(tickets::queue_id.eq(queue.to_string()))
            .filter(tickets::day.eq(day))
            .filter(tickets::status.eq(WAITING))
            .order((tickets::line_class, tickets::in_line_since, tickets::id))
            .limit(i64::from(limit))
            .select((TicketRow::as_select(), tickets::holder_hash))
            .load(self)
            .map_err(db)?;
        load(rows)
    }

    fn waiting_ahead(&mut self, ticket: &Ticket) -> RepositoryResult<u32> {
        let key = ticket.queue_key();
        let class = i32::from(key.class);
        let since = key.since.naive_utc();
        let ahead: i64 = tickets::table
            .filter(tickets::queue_id.eq(ticket.queue_id.to_string()))
            .filter(tickets::day.eq(ticket.day))
            .filter(tickets::status.eq(WAITING))
            .filter(
                tickets::line_class
                    .lt(class)
                    .or(tickets::line_class.eq(class).and(
                        tickets::in_line_since.lt(since).or(tickets::in_line_since
                            .eq(since)
                            .and(tickets::id.lt(ticket.id.to_string()))),
                    )),
            )
            .count()
            .get_result(self)
            .map_err(db)?;
        Ok(u32::try_from(ahead).unwrap_or(u32::MAX))
    }

    fn waiting_now(
        &mut self,
        center: CenterId,
        day: NaiveDate,
    ) -> RepositoryResult<Vec<QueueLine>> {
        // Read by every call while the centre's screens are locked: on the backend's own
        // connection, which does not write the statement out again.
        let counts = tickets::table
            .filter(tickets::center_id.eq(center.to_string()))
            .filter(tickets::day.eq(day))
            .filter(tickets::status.eq(WAITING))
            .group_by(tickets::queue_id)
            .select((tickets::queue_id, count_star(), min(tickets::arrived_at)));
        let rows: Vec<(String, i64, Option<NaiveDateTime>)> =
            self.load_native(counts).map_err(db)?;
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

    fn append_ticket_event(&mut self, event: &TicketEvent) -> RepositoryResult<()> {
        diesel::insert_into(ticket_events::table)
            .values(TicketEventRow::from_domain(event))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn ticket_events(&mut self, ticket: TicketId) -> RepositoryResult<Vec<TicketEvent>> {
        ticket_events::table
            .filter(ticket_events::ticket_id.eq(ticket.to_string()))
            .order((ticket_events::at, ticket_events::id))
            .select(TicketEventRow::as_select())
            .load(self)
            .map_err(db)?
            .into_iter()
            .map(TicketEventRow::into_domain)
            .collect()
    }

    fn link_case(&mut self, ticket: TicketId, case: CaseId) -> RepositoryResult<()> {
        diesel::insert_into(ticket_cases::table)
            .values((
                ticket_cases::ticket_id.eq(ticket.to_string()),
                ticket_cases::case_id.eq(case.to_string()),
            ))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn cases_of_ticket(&mut self, ticket: TicketId) -> RepositoryResult<Vec<CaseId>> {
        ticket_cases::table
            .filter(ticket_cases::ticket_id.eq(ticket.to_string()))
            .order(ticket_cases::case_id)
            .select(ticket_cases::case_id)
            .load::<String>(self)
            .map_err(db)?
            .iter()
            .map(|c| id(c))
            .collect()
    }

    fn tickets_of_cases(&mut self, cases: &[CaseId]) -> RepositoryResult<Vec<(CaseId, TicketId)>> {
        let cases: Vec<String> = cases.iter().map(ToString::to_string).collect();
        // A page holds at most 500 cases: one query with their ids.
        ticket_cases::table
            .filter(ticket_cases::case_id.eq_any(cases))
            .select((ticket_cases::case_id, ticket_cases::ticket_id))
            .load::<(String, String)>(self)
            .map_err(db)?
            .iter()
            .map(|(case, ticket)| Ok((id(case)?, id(ticket)?)))
            .collect()
    }
}

fn live_statuses() -> Vec<&'static str> {
    TicketStatus::ALL
        .into_iter()
        .filter(|s| s.is_live())
        .map(TicketStatus::as_str)
        .collect()
}
