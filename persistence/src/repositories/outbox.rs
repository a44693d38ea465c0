//! The outbox: webhooks (their secrets sealed with the data key), the messages queued for
//! them in the transaction of each event, and the delivery attempts.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use domain::ids::{OutboxMessageId, WebhookId};
use domain::outbox::{
    Claimed, Delivery, EventKind, MessageStatus, News, NewsSink, OutboxCounts, OutboxMessage,
    OutboxRepository, Outcome, Webhook,
};
use domain::page::{Page, PageRequest};
use domain::repository::{RepositoryError, RepositoryResult};

use super::{fetch_limit, uuid_after};
use crate::AnyConnection;
use crate::convert::{count, id, int, named, utc};
use crate::error::db;
use crate::personal;
use crate::schema::{outbox_messages, service_items, webhook_deliveries, webhooks, windows};

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
#[diesel(table_name = outbox_messages)]
struct MessageRow {
    id: String,
    webhook_id: String,
    kind: String,
    case_id: String,
    status: String,
    attempts: i32,
    due_at: NaiveDateTime,
    created_at: NaiveDateTime,
    delivered_at: Option<NaiveDateTime>,
    last_error: Option<String>,
}

impl MessageRow {
    fn into_domain(self) -> RepositoryResult<OutboxMessage> {
        Ok(OutboxMessage {
            id: id(&self.id)?,
            webhook_id: id(&self.webhook_id)?,
            kind: self.kind,
            case_id: id(&self.case_id)?,
            status: named(&self.status, MessageStatus::parse)?,
            attempts: count(self.attempts)?,
            due_at: utc(self.due_at),
            created_at: utc(self.created_at),
            delivered_at: self.delivered_at.map(utc),
            last_error: self.last_error,
        })
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries)]
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

impl NewsSink for AnyConnection {
    fn enqueue_news(&mut self, news: &News) -> RepositoryResult<()> {
        let subscribed: Vec<(String, String)> = webhooks::table
            .filter(webhooks::active.eq(true))
            .select((webhooks::id, webhooks::events))
            .load(self)
            .map_err(db)?;
        let subscribed: Vec<String> = subscribed
            .into_iter()
            .filter(|(_, kinds)| kinds.split(',').any(|name| name == news.kind.as_str()))
            .map(|(webhook, _)| webhook)
            .collect();
        // With no subscriber the event costs one small read.
        if subscribed.is_empty() {
            return Ok(());
        }
        let item_code: String = service_items::table
            .find(news.item_id.to_string())
            .select(service_items::code)
            .first(self)
            .optional()
            .map_err(db)?
            .unwrap_or_default();
        let window_number: Option<i32> = windows::table
            .find(news.window_id.to_string())
            .select(windows::number)
            .first(self)
            .optional()
            .map_err(db)?;
        let body = news.body(
            &item_code,
            window_number.and_then(|n| u32::try_from(n).ok()),
        );
        for webhook in subscribed {
            diesel::insert_into(outbox_messages::table)
                .values((
                    outbox_messages::id.eq(OutboxMessageId::new().to_string()),
                    outbox_messages::webhook_id.eq(webhook),
                    outbox_messages::kind.eq(news.kind.as_str()),
                    outbox_messages::case_id.eq(news.case_id.to_string()),
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
            .select(WebhookRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?
            .map(WebhookRow::into_domain)
            .transpose()
    }

    fn webhooks(&mut self, page: &PageRequest) -> RepositoryResult<Page<Webhook>> {
        let mut query = webhooks::table
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
                    .select((
                        outbox_messages::id,
                        outbox_messages::webhook_id,
                        outbox_messages::body,
                        outbox_messages::attempts,
                    ))
            };
        }
        // PostgreSQL: a message another process is claiming stays locked until that claim
        // commits; SKIP LOCKED passes over it, so two processes never take the same one.
        // SQLite has one writer at a time already.
        let due: Vec<(String, String, String, i32)> = match self {
            AnyConnection::Postgresql(conn) => due!().for_update().skip_locked().load(conn),
            AnyConnection::Sqlite(conn) => due!().load(conn),
        }
        .map_err(db)?;
        let mut taken: Vec<(String, String, String, i32)> = Vec::new();
        for message in due {
            if taken.len() < limit as usize && !taken.iter().any(|t| t.1 == message.1) {
                taken.push(message);
            }
        }
        let keys = personal::keys()?;
        let mut claimed = Vec::with_capacity(taken.len());
        for (message, webhook, body, attempts) in taken {
            diesel::update(outbox_messages::table.find(&message))
                .set((
                    outbox_messages::claimed_until.eq(lease_until.naive_utc()),
                    outbox_messages::attempts.eq(attempts + 1),
                ))
                .execute(self)
                .map_err(db)?;
            let (url, secret, previous, previous_until): (
                String,
                String,
                Option<String>,
                Option<NaiveDateTime>,
            ) = webhooks::table
                .find(&webhook)
                .select((
                    webhooks::url,
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
                id: id(&message)?,
                webhook_id: id(&webhook)?,
                url,
                body,
                attempt: count(attempts + 1)?,
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
        let message = outbox_messages::table.find(delivery.message_id.to_string());
        let none: Option<NaiveDateTime> = None;
        let updated = match outcome {
            Outcome::Delivered => diesel::update(message)
                .set((
                    outbox_messages::status.eq(MessageStatus::Delivered.as_str()),
                    outbox_messages::delivered_at.eq(delivery.at.naive_utc()),
                    outbox_messages::claimed_until.eq(none),
                    outbox_messages::last_error.eq(None::<String>),
                ))
                .execute(self),
            Outcome::Retry(due) => diesel::update(message)
                .set((
                    outbox_messages::due_at.eq(due.naive_utc()),
                    outbox_messages::claimed_until.eq(none),
                    outbox_messages::last_error.eq(&delivery.error),
                ))
                .execute(self),
            Outcome::Dead => diesel::update(message)
                .set((
                    outbox_messages::status.eq(MessageStatus::Dead.as_str()),
                    outbox_messages::claimed_until.eq(none),
                    outbox_messages::last_error.eq(&delivery.error),
                ))
                .execute(self),
        }
        .map_err(db)?;
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
            .select(MessageRow::as_select())
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
            .map(MessageRow::into_domain)
            .collect::<RepositoryResult<Vec<_>>>()?;
        Ok(Page::from_fetched(items, page.limit, |m| m.id.to_string()))
    }

    fn outbox_message(
        &mut self,
        message: OutboxMessageId,
    ) -> RepositoryResult<Option<OutboxMessage>> {
        outbox_messages::table
            .find(message.to_string())
            .select(MessageRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?
            .map(MessageRow::into_domain)
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
