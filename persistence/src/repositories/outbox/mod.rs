//! The outbox: subscribers (webhooks, and the hall's SMS gateway and provincial exchange;
//! secrets sealed with the data key), the messages queued for them in the transaction of each
//! event (`news`), and the delivery attempts.

mod exchange;
mod news;
mod sms;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use domain::ids::{OutboxMessageId, WebhookId};
use domain::outbox::{
    Channel, ChannelSubscriber, Claimed, Delivery, EventKind, MessageStatus, OutboxCounts,
    OutboxMessage, OutboxRepository, Outcome, Webhook,
};
use domain::page::{Page, PageRequest};
use domain::repository::{RepositoryError, RepositoryResult};

use super::kept::{Bind, Kept};
use super::{fetch_limit, uuid_after};
use crate::AnyConnection;
use crate::convert::{count, id, int, named, utc};
use crate::error::db;
use crate::personal;
use crate::schema::{outbox_messages, webhook_deliveries, webhooks};

const SECRET: &str = "secret";
const PREVIOUS_SECRET: &str = "previous_secret";

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhooks)]
struct WebhookRow {
    id: String,
    url: String,
    events: String,
    previous_until: Option<NaiveDateTime>,
    active: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl WebhookRow {
    fn into_domain(self) -> RepositoryResult<Webhook> {
        Ok(Webhook {
            id: id(&self.id)?,
            url: self.url,
            events: events(&self.events)?,
            active: self.active,
            previous_secret_until: self.previous_until.map(utc),
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        })
    }
}

fn events(text: &str) -> RepositoryResult<Vec<EventKind>> {
    text.split(',')
        .filter(|name| !name.is_empty())
        .map(|name| named(name, EventKind::parse))
        .collect()
}

fn events_text(kinds: &[EventKind]) -> String {
    kinds
        .iter()
        .map(|kind| kind.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[derive(Queryable, Selectable, Insertable)]
// Prepared once per connection: see `CaseRow`.
#[diesel(table_name = outbox_messages, treat_none_as_default_value = false)]
struct MessageRow {
    id: String,
    webhook_id: String,
    kind: String,
    case_id: Option<String>,
    ticket_id: Option<String>,
    status: String,
    attempts: i32,
    due_at: NaiveDateTime,
    created_at: NaiveDateTime,
    delivered_at: Option<NaiveDateTime>,
    last_error: Option<String>,
}

impl MessageRow {
    fn into_domain(self, channel: &str) -> RepositoryResult<OutboxMessage> {
        Ok(OutboxMessage {
            id: id(&self.id)?,
            webhook_id: id(&self.webhook_id)?,
            channel: named(channel, Channel::parse)?,
            kind: self.kind,
            case_id: self.case_id.as_deref().map(id).transpose()?,
            ticket_id: self.ticket_id.as_deref().map(id).transpose()?,
            status: named(&self.status, MessageStatus::parse)?,
            attempts: count(self.attempts)?,
            due_at: utc(self.due_at),
            created_at: utc(self.created_at),
            delivered_at: self.delivered_at.map(utc),
            last_error: self.last_error,
        })
    }
}

/// A due message as a claim reads it.
#[derive(Queryable, Selectable)]
#[diesel(table_name = outbox_messages)]
struct ClaimRow {
    id: String,
    webhook_id: String,
    kind: String,
    case_id: Option<String>,
    ticket_id: Option<String>,
    body: String,
    attempts: i32,
}

#[derive(Queryable, Selectable, Insertable)]
// Prepared once per connection: see `CaseRow`.
#[diesel(table_name = webhook_deliveries, treat_none_as_default_value = false)]
struct DeliveryRow {
    id: String,
    message_id: String,
    webhook_id: String,
    attempt: i32,
    at: NaiveDateTime,
    status_code: Option<i32>,
    error: Option<String>,
    duration_ms: i64,
}

impl DeliveryRow {
    fn from_domain(d: &Delivery) -> Self {
        Self {
            id: d.id.to_string(),
            message_id: d.message_id.to_string(),
            webhook_id: d.webhook_id.to_string(),
            attempt: int(d.attempt),
            at: d.at.naive_utc(),
            status_code: d.status_code.map(i32::from),
            error: d.error.clone(),
            duration_ms: i64::try_from(d.duration_ms).unwrap_or(i64::MAX),
        }
    }

    fn into_domain(self) -> RepositoryResult<Delivery> {
        Ok(Delivery {
            id: id(&self.id)?,
            message_id: id(&self.message_id)?,
            webhook_id: id(&self.webhook_id)?,
            attempt: count(self.attempt)?,
            at: utc(self.at),
            status_code: self.status_code.and_then(|c| u16::try_from(c).ok()),
            error: self.error,
            duration_ms: u64::try_from(self.duration_ms).unwrap_or(0),
        })
    }
}

impl OutboxRepository for AnyConnection {
    fn insert_webhook(&mut self, webhook: &Webhook, secret: &str) -> RepositoryResult<()> {
        let row = webhook.id.to_string();
        let sealed = personal::keys()?.seal(&row, SECRET, secret);
        diesel::insert_into(webhooks::table)
            .values((
                webhooks::id.eq(&row),
                webhooks::url.eq(&webhook.url),
                webhooks::events.eq(events_text(&webhook.events)),
                webhooks::secret_sealed.eq(sealed),
                webhooks::active.eq(webhook.active),
                webhooks::created_at.eq(webhook.created_at.naive_utc()),
                webhooks::updated_at.eq(webhook.updated_at.naive_utc()),
            ))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn update_webhook(&mut self, webhook: &Webhook) -> RepositoryResult<()> {
        diesel::update(webhooks::table.find(webhook.id.to_string()))
            .set((
                webhooks::url.eq(&webhook.url),
                webhooks::events.eq(events_text(&webhook.events)),
                webhooks::active.eq(webhook.active),
                webhooks::updated_at.eq(webhook.updated_at.naive_utc()),
            ))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn webhook(&mut self, webhook: WebhookId) -> RepositoryResult<Option<Webhook>> {
        webhooks::table
            .find(webhook.to_string())
            .filter(webhooks::channel.eq(Channel::Webhook.as_str()))
            .select(WebhookRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?
            .map(WebhookRow::into_domain)
            .transpose()
    }

    fn keep_channel_subscriber(
        &mut self,
        channel: Channel,
        subscriber: Option<&ChannelSubscriber>,
        now: DateTime<Utc>,
    ) -> RepositoryResult<()> {
        let row = channel.subscriber_id().to_string();
        let Some(subscriber) = subscriber else {
            diesel::update(webhooks::table.find(&row))
                .set((
                    webhooks::active.eq(false),
                    webhooks::updated_at.eq(now.naive_utc()),
                ))
                .execute(self)
                .map_err(db)?;
            return Ok(());
        };
        let sealed = personal::keys()?.seal(&row, SECRET, &subscriber.secret);
        let events = events_text(&subscriber.events);
        // Processes starting together all write the same row: an upsert, not a read first.
        macro_rules! upsert {
            () => {
                diesel::insert_into(webhooks::table)
                    .values((
                        webhooks::id.eq(&row),
                        webhooks::url.eq(&subscriber.url),
                        webhooks::events.eq(&events),
                        webhooks::secret_sealed.eq(&sealed),
                        webhooks::active.eq(true),
                        webhooks::channel.eq(channel.as_str()),
                        webhooks::created_at.eq(now.naive_utc()),
                        webhooks::updated_at.eq(now.naive_utc()),
                    ))
                    .on_conflict(webhooks::id)
                    .do_update()
                    .set((
                        webhooks::url.eq(&subscriber.url),
                        webhooks::events.eq(&events),
                        webhooks::secret_sealed.eq(&sealed),
                        webhooks::active.eq(true),
                        webhooks::updated_at.eq(now.naive_utc()),
                    ))
            };
        }
        match self {
            AnyConnection::Postgresql(conn) => upsert!().execute(conn),
            AnyConnection::Sqlite(conn) => upsert!().execute(conn),
        }
        .map_err(db)?;
        Ok(())
    }

    fn webhooks(&mut self, page: &PageRequest) -> RepositoryResult<Page<Webhook>> {
        let mut query = webhooks::table
            .filter(webhooks::channel.eq(Channel::Webhook.as_str()))
            .select(WebhookRow::as_select())
            .order(webhooks::id)
            .limit(fetch_limit(page))
            .into_boxed();
        if let Some(after) = uuid_after(page)? {
            query = query.filter(webhooks::id.gt(after));
        }
        let rows = query.load(self).map_err(db)?;
        let items = rows
            .into_iter()
            .map(WebhookRow::into_domain)
            .collect::<RepositoryResult<Vec<_>>>()?;
        Ok(Page::from_fetched(items, page.limit, |w| w.id.to_string()))
    }

    fn delete_webhook(&mut self, webhook: WebhookId) -> RepositoryResult<bool> {
        let webhook = webhook.to_string();
        diesel::delete(
            webhook_deliveries::table.filter(webhook_deliveries::webhook_id.eq(&webhook)),
        )
        .execute(self)
        .map_err(db)?;
        diesel::delete(outbox_messages::table.filter(outbox_messages::webhook_id.eq(&webhook)))
            .execute(self)
            .map_err(db)?;
        let deleted = diesel::delete(webhooks::table.find(&webhook))
            .execute(self)
            .map_err(db)?;
        Ok(deleted == 1)
    }

    fn rotate_webhook_secret(
        &mut self,
        webhook: WebhookId,
        secret: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> RepositoryResult<()> {
        let row = webhook.to_string();
        let keys = personal::keys()?;
        let current: String = webhooks::table
            .find(&row)
            .select(webhooks::secret_sealed)
            .first(self)
            .map_err(db)?;
        let current = keys.open(&row, SECRET, &current)?;
        diesel::update(webhooks::table.find(&row))
            .set((
                webhooks::secret_sealed.eq(keys.seal(&row, SECRET, secret)),
                webhooks::previous_secret_sealed.eq(keys.seal(&row, PREVIOUS_SECRET, &current)),
                webhooks::previous_until.eq(until.naive_utc()),
                webhooks::updated_at.eq(now.naive_utc()),
            ))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn any_due(&mut self, now: DateTime<Utc>) -> RepositoryResult<bool> {
        let at = now.naive_utc();
        let due = outbox_messages::table
            .filter(outbox_messages::status.eq(MessageStatus::Queued.as_str()))
            .filter(outbox_messages::due_at.le(at))
            .filter(
                outbox_messages::claimed_until
                    .is_null()
                    .or(outbox_messages::claimed_until.le(at)),
            );
        diesel::select(diesel::dsl::exists(due))
            .get_result(self)
            .map_err(db)
    }

    fn claim_due(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> RepositoryResult<Vec<Claimed>> {
        let at = now.naive_utc();
        // A webhook with a message in flight (claimed, lease not passed) gets no other: a slow
        // subscriber holds one dispatcher worker, never all of them.
        let in_flight: Vec<String> = outbox_messages::table
            .filter(outbox_messages::status.eq(MessageStatus::Queued.as_str()))
            .filter(outbox_messages::claimed_until.gt(at))
            .select(outbox_messages::webhook_id)
            .distinct()
            .load(self)
            .map_err(db)?;
        macro_rules! due {
            () => {
                outbox_messages::table
                    .filter(outbox_messages::status.eq(MessageStatus::Queued.as_str()))
                    .filter(outbox_messages::due_at.le(at))
                    .filter(
                        outbox_messages::claimed_until
                            .is_null()
                            .or(outbox_messages::claimed_until.le(at)),
                    )
                    .filter(outbox_messages::webhook_id.ne_all(&in_flight))
                    .order((outbox_messages::due_at, outbox_messages::id))
                    .limit(i64::from(limit) * 4)
                    .select(ClaimRow::as_select())
            };
        }
        // PostgreSQL: a message another process is claiming stays locked until that claim
        // commits; SKIP LOCKED passes over it, so two processes never take the same one.
        // SQLite has one writer at a time already.
        let due: Vec<ClaimRow> = match self {
            AnyConnection::Postgresql(conn) => due!().for_update().skip_locked().load(conn),
            AnyConnection::Sqlite(conn) => due!().load(conn),
        }
        .map_err(db)?;
        let mut taken: Vec<ClaimRow> = Vec::new();
        for message in due {
            if taken.len() < limit as usize
                && !taken.iter().any(|t| t.webhook_id == message.webhook_id)
            {
                taken.push(message);
            }
        }
        let keys = personal::keys()?;
        // Kept: diesel's own `UPDATE` would be parsed and planned on every message.
        let claim = format!(
            "UPDATE outbox_messages SET claimed_until = {0}, attempts = {0} WHERE id = {0}",
            Kept::BIND
        );
        let mut claimed = Vec::with_capacity(taken.len());
        for message in taken {
            let webhook = message.webhook_id;
            let binds = [
                Bind::Timestamp(lease_until.naive_utc()),
                Bind::Integer(message.attempts + 1),
                Bind::Text(message.id.clone()),
            ];
            Kept::new(&claim, binds).execute(self).map_err(db)?;
            let (url, channel, secret, previous, previous_until): (
                String,
                String,
                String,
                Option<String>,
                Option<NaiveDateTime>,
            ) = webhooks::table
                .find(&webhook)
                .select((
                    webhooks::url,
                    webhooks::channel,
                    webhooks::secret_sealed,
                    webhooks::previous_secret_sealed,
                    webhooks::previous_until,
                ))
                .first(self)
                .map_err(db)?;
            let mut secrets = vec![keys.open(&webhook, SECRET, &secret)?];
            if let (Some(previous), Some(until)) = (previous, previous_until)
                && until > at
            {
                secrets.push(keys.open(&webhook, PREVIOUS_SECRET, &previous)?);
            }
            claimed.push(Claimed {
                id: id(&message.id)?,
                webhook_id: id(&webhook)?,
                channel: named(&channel, Channel::parse)?,
                kind: message.kind,
                case_id: message.case_id.as_deref().map(id).transpose()?,
                ticket_id: message.ticket_id.as_deref().map(id).transpose()?,
                url,
                body: message.body,
                attempt: count(message.attempts + 1)?,
                secrets,
            });
        }
        Ok(claimed)
    }

    fn finish_attempt(&mut self, delivery: &Delivery, outcome: Outcome) -> RepositoryResult<()> {
        diesel::insert_into(webhook_deliveries::table)
            .values(DeliveryRow::from_domain(delivery))
            .execute(self)
            .map_err(db)?;
        // Kept, one text per outcome: diesel's own `UPDATE` would be parsed and planned on
        // every message.
        let (mark, message) = (Kept::BIND, Bind::Text(delivery.message_id.to_string()));
        let error = Bind::NullableText(delivery.error.clone());
        let (set, binds) = match outcome {
            Outcome::Delivered => (
                format!(
                    "status = {mark}, delivered_at = {mark}, claimed_until = NULL, last_error = NULL"
                ),
                vec![
                    Bind::Text(MessageStatus::Delivered.as_str().to_owned()),
                    Bind::Timestamp(delivery.at.naive_utc()),
                    message,
                ],
            ),
            Outcome::Retry(due) => (
                format!("due_at = {mark}, claimed_until = NULL, last_error = {mark}"),
                vec![Bind::Timestamp(due.naive_utc()), error, message],
            ),
            Outcome::Dead => (
                format!("status = {mark}, claimed_until = NULL, last_error = {mark}"),
                vec![
                    Bind::Text(MessageStatus::Dead.as_str().to_owned()),
                    error,
                    message,
                ],
            ),
        };
        let update = format!("UPDATE outbox_messages SET {set} WHERE id = {mark}");
        let updated = Kept::new(&update, binds).execute(self).map_err(db)?;
        if updated != 1 {
            return Err(RepositoryError::Internal(format!(
                "outbox message {} vanished during its delivery",
                delivery.message_id
            )));
        }
        Ok(())
    }

    fn outbox_messages(
        &mut self,
        status: Option<MessageStatus>,
        page: &PageRequest,
    ) -> RepositoryResult<Page<OutboxMessage>> {
        let mut query = outbox_messages::table
            .inner_join(webhooks::table)
            .select((MessageRow::as_select(), webhooks::channel))
            .order(outbox_messages::id)
            .limit(fetch_limit(page))
            .into_boxed();
        if let Some(status) = status {
            query = query.filter(outbox_messages::status.eq(status.as_str()));
        }
        if let Some(after) = uuid_after(page)? {
            query = query.filter(outbox_messages::id.gt(after));
        }
        let rows = query.load(self).map_err(db)?;
        let items = rows
            .into_iter()
            .map(|(row, channel): (MessageRow, String)| row.into_domain(&channel))
            .collect::<RepositoryResult<Vec<_>>>()?;
        Ok(Page::from_fetched(items, page.limit, |m| m.id.to_string()))
    }

    fn outbox_message(
        &mut self,
        message: OutboxMessageId,
    ) -> RepositoryResult<Option<OutboxMessage>> {
        outbox_messages::table
            .find(message.to_string())
            .inner_join(webhooks::table)
            .select((MessageRow::as_select(), webhooks::channel))
            .first(self)
            .optional()
            .map_err(db)?
            .map(|(row, channel): (MessageRow, String)| row.into_domain(&channel))
            .transpose()
    }

    fn requeue_message(
        &mut self,
        message: OutboxMessageId,
        now: DateTime<Utc>,
    ) -> RepositoryResult<()> {
        diesel::update(outbox_messages::table.find(message.to_string()))
            .set((
                outbox_messages::status.eq(MessageStatus::Queued.as_str()),
                outbox_messages::attempts.eq(0),
                outbox_messages::due_at.eq(now.naive_utc()),
                outbox_messages::claimed_until.eq(None::<NaiveDateTime>),
            ))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn deliveries(
        &mut self,
        webhook: WebhookId,
        page: &PageRequest,
    ) -> RepositoryResult<Page<Delivery>> {
        let mut query = webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(webhook.to_string()))
            .select(DeliveryRow::as_select())
            .order(webhook_deliveries::id)
            .limit(fetch_limit(page))
            .into_boxed();
        if let Some(after) = uuid_after(page)? {
            query = query.filter(webhook_deliveries::id.gt(after));
        }
        let rows = query.load(self).map_err(db)?;
        let items = rows
            .into_iter()
            .map(DeliveryRow::into_domain)
            .collect::<RepositoryResult<Vec<_>>>()?;
        Ok(Page::from_fetched(items, page.limit, |d| d.id.to_string()))
    }

    fn outbox_counts(&mut self) -> RepositoryResult<OutboxCounts> {
        let by_status: Vec<(String, i64)> = outbox_messages::table
            .filter(outbox_messages::status.ne(MessageStatus::Delivered.as_str()))
            .group_by(outbox_messages::status)
            .select((outbox_messages::status, count_star()))
            .load(self)
            .map_err(db)?;
        let oldest: Option<NaiveDateTime> = outbox_messages::table
            .filter(outbox_messages::status.eq(MessageStatus::Queued.as_str()))
            .select(min(outbox_messages::created_at))
            .first(self)
            .map_err(db)?;
        let of = |status: MessageStatus| {
            by_status
                .iter()
                .find(|(s, _)| s == status.as_str())
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0))
        };
        Ok(OutboxCounts {
            queued: of(MessageStatus::Queued),
            dead: of(MessageStatus::Dead),
            oldest_queued_at: oldest.map(utc),
        })
    }
}
