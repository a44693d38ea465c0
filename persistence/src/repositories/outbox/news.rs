//! Writing news into the outbox: one message per active subscriber that hears of its kind,
//! in the event's transaction, its body fixed for every attempt and shaped by the
//! subscriber's channel.

use diesel::prelude::*;
use domain::ids::OutboxMessageId;
use domain::outbox::{Channel, MessageStatus, News, NewsSink, TicketNews};
use domain::repository::RepositoryResult;

use super::{exchange, sms};
use crate::AnyConnection;
use crate::error::db;
use crate::schema::{outbox_messages, service_items, webhooks, windows};

/// What storage adds to news before any body is made of it.
pub(super) struct Facts {
    /// The item's code.
    pub item_code: String,
    /// The handling window's number.
    pub window_number: Option<u32>,
}

impl Facts {
    fn load(conn: &mut AnyConnection, news: &News) -> RepositoryResult<Self> {
        // One round trip: the window's number as a subquery of the item's row.
        let window_number = windows::table
            .find(news.window_id.to_string())
            .select(windows::number)
            .single_value();
        let found: Option<(String, Option<i32>)> = service_items::table
            .find(news.item_id.to_string())
            .select((service_items::code, window_number))
            .first(conn)
            .optional()
            .map_err(db)?;
        let (item_code, window_number) = found.unwrap_or_default();
        Ok(Self {
            item_code,
            window_number: window_number.and_then(|n| u32::try_from(n).ok()),
        })
    }
}

/// The active subscribers that hear of `kind`, with their channels.
pub(super) fn subscribers(
    conn: &mut AnyConnection,
    kind: &str,
) -> RepositoryResult<Vec<(String, Channel)>> {
    // Every event asks, subscribed or not: on the backend's own connection (`load_native`).
    let active = webhooks::table.filter(webhooks::active.eq(true)).select((
        webhooks::id,
        webhooks::events,
        webhooks::channel,
    ));
    let rows: Vec<(String, String, String)> = conn.load_native(active).map_err(db)?;
    Ok(rows
        .into_iter()
        .filter(|(_, kinds, _)| kinds.split(',').any(|name| name == kind))
        .filter_map(|(id, _, channel)| Channel::parse(&channel).map(|c| (id, c)))
        .collect())
}

impl NewsSink for AnyConnection {
    fn enqueue_news(&mut self, news: &News) -> RepositoryResult<()> {
        let subscribed = subscribers(self, news.kind.as_str())?;
        // With no subscriber the event costs one small read.
        if subscribed.is_empty() {
            return Ok(());
        }
        let facts = Facts::load(self, news)?;
        let mut messages = Vec::with_capacity(subscribed.len());
        for (subscriber, channel) in subscribed {
            let body = match channel {
                Channel::Webhook => news.body(&facts.item_code, facts.window_number),
                Channel::Sms => match sms::body(self, news, &facts)? {
                    Some(body) => body,
                    // Nothing to text for this applicant or this kind.
                    None => continue,
                },
                Channel::Exchange => match exchange::body(self, news, &facts)? {
                    Some(body) => body,
                    // A kind the exchange hears of but has no stage for.
                    None => continue,
                },
            };
            messages.push((
                outbox_messages::id.eq(OutboxMessageId::new().to_string()),
                outbox_messages::webhook_id.eq(subscriber),
                outbox_messages::kind.eq(news.kind.as_str()),
                outbox_messages::case_id.eq(news.case_id.to_string()),
                outbox_messages::body.eq(body),
                outbox_messages::status.eq(MessageStatus::Queued.as_str()),
                outbox_messages::attempts.eq(0),
                outbox_messages::due_at.eq(news.at.naive_utc()),
                outbox_messages::created_at.eq(news.at.naive_utc()),
            ));
        }
        // Every subscriber's message in one statement.
        if !messages.is_empty() {
            crate::bulk::insert_chunks!(self, outbox_messages::table, messages, messages.len());
        }
        Ok(())
    }

    fn enqueue_ticket_news(&mut self, news: &TicketNews) -> RepositoryResult<()> {
        let subscribed = subscribers(self, news.kind.as_str())?;
        for (subscriber, channel) in subscribed {
            // A ticket is told it is near once, though later arrivals may push it back and
            // later calls bring it to three ahead again.
            let told: i64 = outbox_messages::table
                .filter(outbox_messages::webhook_id.eq(&subscriber))
                .filter(outbox_messages::ticket_id.eq(news.ticket_id.to_string()))
                .filter(outbox_messages::kind.eq(news.kind.as_str()))
                .count()
                .get_result(self)
                .map_err(db)?;
            if told > 0 {
                continue;
            }
            let body = match channel {
                Channel::Webhook => news.body(),
                Channel::Sms => match sms::ticket_body(self, news)? {
                    Some(body) => body,
                    // A kiosk ticket: nobody to text.
                    None => continue,
                },
                // The provincial platform hears of cases and ratings, not of the queue.
                Channel::Exchange => continue,
            };
            diesel::insert_into(outbox_messages::table)
                .values((
                    outbox_messages::id.eq(OutboxMessageId::new().to_string()),
                    outbox_messages::webhook_id.eq(subscriber),
                    outbox_messages::kind.eq(news.kind.as_str()),
                    outbox_messages::ticket_id.eq(news.ticket_id.to_string()),
                    outbox_messages::body.eq(&body),
                    outbox_messages::status.eq(MessageStatus::Queued.as_str()),
                    outbox_messages::attempts.eq(0),
                    outbox_messages::due_at.eq(news.at.naive_utc()),
                    outbox_messages::created_at.eq(news.at.naive_utc()),
                ))
                .execute(self)
                .map_err(db)?;
        }
        Ok(())
    }
}
